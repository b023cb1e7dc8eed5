#!/bin/sh
# The same inputs give the same bytes; the date comes from
# SOURCE_DATE_EPOCH when set, else from the front matter, never the clock.
#   reproducible_test.sh KUMIHAN SRC_DIR OUT_DIR
set -eu
kumihan=$1 src=$2 out=$3/repro
rm -rf "$out"
mkdir -p "$out"
pub="$src/content/smartcity-2022-03-31"
env -u SOURCE_DATE_EPOCH "$kumihan" "$pub" -o "$out/a.pdf"
sleep 1
env -u SOURCE_DATE_EPOCH "$kumihan" "$pub" -o "$out/b.pdf"
cmp "$out/a.pdf" "$out/b.pdf"
# the front matter's date (2022-03-31, Japan) when no epoch is given
pdfinfo "$out/a.pdf" | grep -q '^CreationDate: *Thu Mar 31 00:00:00 2022 JST\|^CreationDate: *Wed Mar 30 15:00:00 2022 UTC' || {
  echo "FAIL: CreationDate is not the publication date:"; pdfinfo "$out/a.pdf" | grep Date; exit 1; }
SOURCE_DATE_EPOCH=1700000000 "$kumihan" "$pub" -o "$out/c.pdf"
SOURCE_DATE_EPOCH=1700000000 "$kumihan" "$pub" -o "$out/d.pdf"
cmp "$out/c.pdf" "$out/d.pdf"
if cmp -s "$out/a.pdf" "$out/c.pdf"; then
  echo "FAIL: SOURCE_DATE_EPOCH did not change the PDF's date"; exit 1
fi
# building from another working directory gives the same bytes
(cd "$out" && env -u SOURCE_DATE_EPOCH "$kumihan" "$pub" -o e.pdf)
cmp "$out/a.pdf" "$out/e.pdf"
# the tagged test publication too: structure tree, XMP, output intent
"$kumihan" "$src/tests/data/tagged" -o "$out/f.pdf"
"$kumihan" "$src/tests/data/tagged" -o "$out/g.pdf"
cmp "$out/f.pdf" "$out/g.pdf"
echo "reproducible ok"
