#!/bin/sh
# Every example publication is a tagged PDF/UA-1 and PDF/A-2u file by
# default: the structure tree against the content, the XMP, the PDF/A rules
# tagcheck.py checks, PDFBox Preflight, and pdf.js when it is installed.
#   tagged_examples_test.sh KUMIHAN SRC_DIR OUT_DIR
set -eu
kumihan=$1 src=$2 out=$3/tagged-examples
rm -rf "$out"
mkdir -p "$out"
check="/usr/bin/python3 $src/tests/tagcheck.py"
n=0
for pub in "$src"/content/examples/*/; do
  name=$(basename "$pub")
  "$kumihan" "$pub" -o "$out/$name.pdf"
  echo "== $name"
  $check tags "$out/$name.pdf"
  $check meta "$out/$name.pdf"
  $check pdfa "$out/$name.pdf"
  $check preflight "$out/$name.pdf"
  rc=0; $check pdfjs "$out/$name.pdf" || rc=$?
  [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] || exit 1
  n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "FAIL: no example publications"; exit 1; }
echo "tagged examples ok: $n publications"
