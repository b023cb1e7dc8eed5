#!/bin/sh
# The document's title is never empty: the front matter's, else the first
# heading's, else the file's name; the XMP's dc:title is the same, and a
# document without headings is still a valid tree.
#   tagged_title_test.sh KUMIHAN SRC_DIR OUT_DIR
set -eu
kumihan=$1 src=$2 out=$3/title
rm -rf "$out"
mkdir -p "$out"
check="/usr/bin/python3 $src/tests/tagcheck.py"
printf '本文だけです。\n\n## 小見出し\n\n本文。\n' > "$out/heading.md"
printf '本文だけです。\n' > "$out/plain.md"
"$kumihan" "$out/heading.md" -o "$out/heading.pdf"
"$kumihan" "$out/plain.md" -o "$out/plain.pdf"
pdfinfo "$out/heading.pdf" | grep -q '^Title: *小見出し$' || {
  echo "FAIL: the first heading is not the title:"; pdfinfo "$out/heading.pdf" | grep Title; exit 1; }
pdfinfo "$out/plain.pdf" | grep -q '^Title: *plain\.md$' || {
  echo "FAIL: the file name is not the title:"; pdfinfo "$out/plain.pdf" | grep Title; exit 1; }
for f in heading plain; do
  $check meta "$out/$f.pdf"
  $check tags "$out/$f.pdf"
done
echo "title ok"
