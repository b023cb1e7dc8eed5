#!/bin/sh
# Golden pages: the seed publication rendered at 100 dpi (greyscale) must
# match the reviewed PNGs in tests/golden/png within a small tolerance.
# Regenerate on purpose only, with tests/regen-golden.sh, and review by eye.
#   golden_png.sh KUMIHAN SRC_DIR OUT_DIR
set -eu
kumihan=$1 src=$2 out=$3/golden-png
rm -rf "$out"
mkdir -p "$out"
SOURCE_DATE_EPOCH=0 "$kumihan" "$src/content/smartcity-2022-03-31" -o "$out/seed.pdf"
pdftoppm -r 100 -gray -png "$out/seed.pdf" "$out/page"
# ぶら下げ in the book layout
SOURCE_DATE_EPOCH=0 "$kumihan" "$src/tests/para/hanging.md" -o "$out/hang.pdf"
pdftoppm -r 100 -gray -png "$out/hang.pdf" "$out/hang"
for golden in "$src"/tests/golden/png/hang-*.png; do
  name=$(basename "$golden")
  test -f "$out/$name" || { echo "FAIL: $name was not rendered"; exit 1; }
  python3 "$src/tests/pdfcheck.py" pngdiff "$out/$name" "$golden" 0.001
done
# footnotes at the foot of the survey report's first page
SOURCE_DATE_EPOCH=0 "$kumihan" "$src/content/examples/survey-report" -o "$out/notes.pdf"
pdftoppm -r 100 -gray -png -f 1 -l 1 "$out/notes.pdf" "$out/notes"
for golden in "$src"/tests/golden/png/notes-*.png; do
  name=$(basename "$golden")
  test -f "$out/$name" || { echo "FAIL: $name was not rendered"; exit 1; }
  python3 "$src/tests/pdfcheck.py" pngdiff "$out/$name" "$golden" 0.001
done
n=0
for golden in "$src"/tests/golden/png/page-*.png; do
  n=$((n + 1))
  name=$(basename "$golden")
  test -f "$out/$name" || { echo "FAIL: $name was not rendered"; exit 1; }
  python3 "$src/tests/pdfcheck.py" pngdiff "$out/$name" "$golden" 0.001
done
count=$(ls "$out"/page-*.png | wc -l)
[ "$count" -eq "$n" ] || { echo "FAIL: $count pages rendered, $n golden pages"; exit 1; }
[ "$n" -gt 0 ] || { echo "FAIL: no golden pages"; exit 1; }
echo "golden pages ok: $n"
