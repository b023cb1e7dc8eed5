#!/bin/sh
# cmake --install into a temporary prefix, move the prefix, then: the
# installed program builds the publication with no flag and no environment,
# finds its layouts and fonts under the moved prefix (never in the source
# tree), and a small program compiled against the installed libkumihan
# through pkg-config builds a PDF too.
#   install_test.sh BUILD_DIR SRC_DIR OUT_DIR(unused) [CFLAGS for the small program]
set -eu
build=$1 src=$2 cflags=${4:-}
# outside the build tree: a program inside it takes the source tree's data
out=$(mktemp -d /tmp/kumihan-install.XXXXXX)
trap 'rm -rf "$out"' EXIT
unset KUMIHAN_LAYOUT_DIR KUMIHAN_FONT_DIR KUMIHAN_LAYOUT_PATH KUMIHAN_FONT_PATH SOURCE_DATE_EPOCH
cmake --install "$build" --prefix "$out/first" > "$out/install.log"
mv "$out/first" "$out/moved"
p="$out/moved"
for f in bin/kumihan include/kumihan.h share/man/man1/kumihan.1 share/man/man5/kumihan-layout.5 \
         share/kumihan/layout/press-release.yaml share/kumihan/fonts/BIZUDMincho-Regular.ttf \
         share/kumihan/fonts/OFL.txt; do
  [ -f "$p/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
lib=$(dirname "$(find "$p" -name libkumihan.so | head -n 1)")
[ -f "$lib/libkumihan.a" ] || { echo "FAIL: no libkumihan.a beside libkumihan.so"; exit 1; }
[ -f "$lib/pkgconfig/kumihan.pc" ] || { echo "FAIL: no kumihan.pc"; exit 1; }
grep -q '^\.SH "EXIT STATUS"' "$p/share/man/man1/kumihan.1" || { echo "FAIL: man page"; exit 1; }
grep -q '^\.SH "SEARCH PATH"' "$p/share/man/man1/kumihan.1" || { echo "FAIL: man page"; exit 1; }
# a copy of the publication, far from the source tree
cp -r "$src/content/smartcity-2022-03-31" "$out/pub"
(cd "$out" && "$p/bin/kumihan" pub)
pdfinfo "$out/pub.pdf" | grep -q '^Pages: *[2-9]' || { echo "FAIL: pub.pdf"; exit 1; }
# the search path is under the moved prefix, not the source or build tree
"$p/bin/kumihan" --help | grep "^  layouts:" | tee "$out/search.txt"
grep -q "^  layouts: $p/share/kumihan/layout$" "$out/search.txt" || { echo "FAIL: search path"; exit 1; }
"$p/bin/kumihan" --version | grep -q "mincho: Version .*($p/share/kumihan/fonts/" ||
  { echo "FAIL: fonts not from the prefix"; exit 1; }
# the same bytes as the build tree's program
"$build/kumihan" "$src/content/smartcity-2022-03-31" -o "$out/tree.pdf"
cmp "$out/pub.pdf" "$out/tree.pdf"
# a program of our own against the installed library, through pkg-config
cat > "$out/prog.c" <<'C'
#include <kumihan.h>
#include <stdio.h>
int main(int argc, char **argv) {
  (void)argc;
  kh_ctx *ctx = kh_ctx_new();
  kh_status st = kh_build_file(ctx, argv[1], argv[2]);
  printf("%s %s %u pages\n", kh_version(), kh_status_string(st), kh_ctx_page_count(ctx));
  kh_ctx_drop(ctx);
  return st != KH_OK;
}
C
export PKG_CONFIG_PATH="$lib/pkgconfig"
pkg-config --exists kumihan
# shellcheck disable=SC2046,SC2086
cc $cflags -o "$out/prog" "$out/prog.c" $(pkg-config --cflags --libs kumihan)
LD_LIBRARY_PATH="$lib" "$out/prog" "$out/pub" "$out/prog.pdf" | tee "$out/prog.txt"
grep -q "^$(pkg-config --modversion kumihan) ok [2-9] pages$" "$out/prog.txt"
cmp "$out/pub.pdf" "$out/prog.pdf"
echo "install ok: moved prefix, pkg-config program, same bytes"
