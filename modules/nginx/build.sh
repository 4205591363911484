#!/usr/bin/env bash
# Builds ngx_http_rgw_module.so against Debian's nginx-dev, binary-compatible
# with Debian's /usr/sbin/nginx (same configure flags, hence the same module
# signature).  Writes only into BUILD_DIR: nginx's configure writes into its
# working directory, so it runs on a copy of /usr/share/nginx/src.
#
#   modules/nginx/build.sh BUILD_DIR LIBRGW_INCLUDE LIBRGW_LIBDIR [RPATH]
#
# The module is BUILD_DIR/objs/ngx_http_rgw_module.so.
set -euo pipefail

build_dir=$(realpath -m "$1")
export LIBRGW_INCLUDE=$(realpath "$2")
export LIBRGW_LIBDIR=$(realpath "$3")
export LIBRGW_RPATH=${4:-}
module_dir=$(realpath "$(dirname "$0")")
nginx_src=/usr/share/nginx/src

if [[ ! -f $nginx_src/conf_flags ]]; then
  echo "build.sh: $nginx_src/conf_flags is missing: install nginx-dev" >&2
  exit 1
fi

mkdir -p "$build_dir"
stamp="$build_dir/configured"
# Reconfigure when nginx-dev, the module's file list or the core's location changed.
want="$(stat -c %Y "$nginx_src/conf_flags") $(md5sum < "$module_dir/config") $LIBRGW_INCLUDE $LIBRGW_LIBDIR $LIBRGW_RPATH"
if [[ ! -f $stamp || "$(cat "$stamp")" != "$want" ]]; then
  rm -rf "$build_dir/src" "$build_dir/objs"
  cp -r "$nginx_src" "$build_dir/src"
  (
    cd "$build_dir/src"
    # shellcheck disable=SC1091
    . ./conf_flags
    ./configure \
      --with-cc-opt="$(dpkg-buildflags --get CFLAGS) -fPIC $(dpkg-buildflags --get CPPFLAGS)" \
      --with-ld-opt="$(dpkg-buildflags --get LDFLAGS) -fPIC" \
      "${NGX_CONF_FLAGS[@]}" \
      --add-dynamic-module="$module_dir" --builddir="$build_dir/objs" >"$build_dir/configure.log"
  ) || { tail -30 "$build_dir/configure.log" >&2; exit 1; }
  echo "$want" >"$stamp"
fi
make -s -f "$build_dir/objs/Makefile" -C "$build_dir/src" -j"${JOBS:-2}" modules
