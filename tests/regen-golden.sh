#!/bin/sh
# Regenerates the golden traces and pages.  Run on purpose, then review the
# diff (git diff tests/golden) and the PNGs by eye before committing.
#   tests/regen-golden.sh [BUILD_DIR]
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
kumihan=${1:-$src/build}/kumihan
for input in "$src"/tests/golden/*/*.md; do
  stage=$(basename "$(dirname "$input")")
  case=$(basename "$input" .md)
  (cd "$src/tests/golden/$stage" && "$kumihan" --trace="$stage" "$case.md") > "$src/tests/golden/$stage/$case.expected"
done
tmp=$(mktemp -d)
SOURCE_DATE_EPOCH=0 "$kumihan" "$src/content/smartcity-2022-03-31" -o "$tmp/seed.pdf"
rm -f "$src"/tests/golden/png/page-*.png
mkdir -p "$src/tests/golden/png"
pdftoppm -r 100 -gray -png "$tmp/seed.pdf" "$src/tests/golden/png/page"
SOURCE_DATE_EPOCH=0 "$kumihan" "$src/tests/para/hanging.md" -o "$tmp/hang.pdf"
rm -f "$src"/tests/golden/png/hang-*.png
pdftoppm -r 100 -gray -png "$tmp/hang.pdf" "$src/tests/golden/png/hang"
SOURCE_DATE_EPOCH=0 "$kumihan" "$src/content/examples/survey-report" -o "$tmp/notes.pdf"
rm -f "$src"/tests/golden/png/notes-*.png
pdftoppm -r 100 -gray -png -f 1 -l 1 "$tmp/notes.pdf" "$src/tests/golden/png/notes"
rm -rf "$tmp"
sh "$src/tests/golden_ruby.sh" "$kumihan" "$src" "${TMPDIR:-/tmp}" regen
echo "regenerated; review: git diff --stat tests/golden"
