#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build and test librgw.
# Idempotent: does nothing when every package is present.  Needs root (or sudo).
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config clang-format
  libsqlite3-dev libssl-dev librados-dev
  python3-dev python3-venv python3-pip
  # the nginx module: Debian's nginx and the headers/flags to build against it
  nginx nginx-dev
  # the Apache module: Debian's Apache and apxs with its headers
  apache2 apache2-dev
  # tests: a throwaway Ceph cluster and the raw RADOS binding for comparisons
  ceph-mon ceph-osd ceph-common python3-rados
  # tests: S3 clients from Debian (the Python ones come from PyPI)
  rclone
  # tests: a real browser for POST forms and CORS (driven through chromedriver)
  chromium chromium-driver
  # make deb: what packaging/deb/debian/control's Build-Depends adds, and lintian
  debhelper dh-python python3-all-dev pybind11-dev python3-jinja2 help2man lintian
  # make rpm: Debian's rpm/rpmbuild (the spec is checked and built, not installed)
  rpm
  # the package install test: Ceph's own librgw packages, installed beside ours
  librgw2 librgw-dev python3-rgw
  # benchmarks (make bench): the reference gateway and the load generator
  radosgw wrk
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=(sudo)
fi
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" >/dev/null
