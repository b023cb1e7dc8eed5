#!/bin/sh
# A layout with `pdf-a: false` gives a file that is still tagged (PDF/UA-1
# identified in its XMP) but claims no PDF/A and has no output intent.
#   tagged_nopdfa_test.sh KUMIHAN SRC_DIR OUT_DIR
set -eu
kumihan=$1 src=$2 out=$3/nopdfa
rm -rf "$out"
mkdir -p "$out/layout"
sed 's/^line-end-closing: .*/&\npdf-a: false/' "$src/layout/press-release.yaml" > "$out/layout/press-release.yaml"
grep -q '^pdf-a: false$' "$out/layout/press-release.yaml"
"$kumihan" "$src/tests/data/tagged" -o "$out/lean.pdf" --layout-dir "$out/layout"
"$kumihan" "$src/tests/data/tagged" -o "$out/full.pdf"
check="/usr/bin/python3 $src/tests/tagcheck.py"
$check tags "$out/lean.pdf" lang=en
$check meta "$out/lean.pdf" nopdfa
if qpdf --qdf "$out/lean.pdf" - | grep -aq '/OutputIntents'; then
  echo "FAIL: pdf-a: false still writes an output intent"; exit 1
fi
lean=$(wc -c < "$out/lean.pdf") full=$(wc -c < "$out/full.pdf")
[ "$lean" -lt "$full" ] || { echo "FAIL: pdf-a: false is not smaller ($lean >= $full)"; exit 1; }
echo "no-pdfa ok: tagged, no PDF/A claim, no output intent, $lean < $full bytes"
