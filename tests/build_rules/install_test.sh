#!/usr/bin/env bash
# `cmake --install` gives provider authors what docs/providers.md promises:
# <wsmand/provider.h> and wsmand-provider.pc in a staged install (DESTDIR),
# enough to build providers/samples/sample_provider.c with pkg-config and
# nothing from the source tree.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build="$1"
source="$2"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
DESTDIR="$stage" cmake --install "$build" >/dev/null
prefix="$(sed -n 's/^prefix=//p' "$build/generated/wsmand-provider.pc")"
pcdir="$(dirname "$(find "$stage$prefix" -name wsmand-provider.pc | head -1)")"
test -f "$pcdir/wsmand-provider.pc" || { echo "FAIL: no wsmand-provider.pc"; exit 1; }
test -f "$stage$prefix/include/wsmand/provider.h" ||
  { echo "FAIL: no include/wsmand/provider.h"; exit 1; }
providerdir="$(PKG_CONFIG_PATH="$pcdir" pkg-config --variable=providerdir \
  wsmand-provider)"
test -d "$stage$providerdir" || { echo "FAIL: no $providerdir"; exit 1; }
cflags="$(PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$stage" \
  pkg-config --cflags wsmand-provider)"
case "$cflags" in
  *"$stage"*) ;;
  *) echo "FAIL: cflags $cflags do not point into the staged install"; exit 1 ;;
esac
# Only the sample and the staged headers: no -I into the source tree.
cp "$source/providers/samples/sample_provider.c" "$stage/m.c"
cc -std=c99 -Wall -Werror -shared -fPIC $cflags -o "$stage/m.so" "$stage/m.c"
nm -D "$stage/m.so" | grep -q ' T wsmand_provider_register$' ||
  { echo "FAIL: no entry point in the module"; exit 1; }
echo "ok: sample_provider.c builds against $prefix (staged) via pkg-config"
