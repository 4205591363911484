#!/usr/bin/env bash
# Builds mod_rgw.so with apxs from Debian's apache2-dev, for Debian's own
# /usr/sbin/apache2.  apxs compiles next to its sources, so they are copied
# into BUILD_DIR first: the tree stays clean.
#
#   modules/apache/build.sh BUILD_DIR LIBRGW_INCLUDE LIBRGW_LIBDIR [RPATH]
#
# The module is BUILD_DIR/mod_rgw.so.
set -euo pipefail

build_dir=$(realpath -m "$1")
include=$(realpath "$2")
libdir=$(realpath "$3")
rpath=${4:-}
module_dir=$(realpath "$(dirname "$0")")
apxs=${APXS:-apxs}

if ! command -v "$apxs" >/dev/null; then
  echo "build.sh: apxs is missing: install apache2-dev" >&2
  exit 1
fi

sources=(mod_rgw.c rgw_gateway.c rgw_handler.c)
mkdir -p "$build_dir/src"
for f in "${sources[@]}" mod_rgw.h; do
  cmp -s "$module_dir/$f" "$build_dir/src/$f" || cp "$module_dir/$f" "$build_dir/src/$f"
done

# Rebuild when a source, the core's header or the core library changed.
out="$build_dir/mod_rgw.so"
if [[ -f $out ]]; then
  newer=$(find "$build_dir/src" "$include" "$libdir/librgwcore.so" -newer "$out" -print -quit)
  [[ -z $newer ]] && exit 0
fi

ldflags=(-L"$libdir" -lrgwcore)
if [[ -n $rpath ]]; then
  ldflags+=("-Wl,-Wl,-rpath,$rpath") # apxs hands what follows -Wl, to libtool
fi
cd "$build_dir/src"
"$apxs" -c -o mod_rgw.la \
  -Wc,-std=gnu11 -Wc,-Wall -Wc,-Wextra -Wc,-Werror -Wc,-Wno-unused-parameter \
  -Wc,-Wno-missing-field-initializers -Wc,"$(dpkg-buildflags --get CPPFLAGS)" \
  -I"$include" "${ldflags[@]}" "${sources[@]}" >"$build_dir/build.log" 2>&1 \
  || { cat "$build_dir/build.log" >&2; exit 1; }
cp .libs/mod_rgw.so "$out.tmp"
mv "$out.tmp" "$out"
