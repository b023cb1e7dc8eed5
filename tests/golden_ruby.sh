#!/bin/sh
# Golden pages for ruby and 圏点: the ruby test text and the first page of
# 羅生門 at 150 dpi (greyscale) must match the reviewed PNGs in
# tests/golden/png-ruby.  Regenerate on purpose with
# `golden_ruby.sh KUMIHAN SRC OUT regen`, then review the PNGs by eye.
#   golden_ruby.sh KUMIHAN SRC_DIR OUT_DIR [regen]
set -eu
kumihan=$1 src=$2 out=$3/golden-ruby regen=${4:-}
rm -rf "$out"
mkdir -p "$out"
SOURCE_DATE_EPOCH=0 "$kumihan" "$src/tests/data/ruby/ruby.md" -o "$out/ruby.pdf"
SOURCE_DATE_EPOCH=0 "$kumihan" "$src/content/examples/rashomon" -o "$out/rashomon.pdf"
pdftoppm -r 150 -gray -png -f 1 -l 1 "$out/ruby.pdf" "$out/ruby"
pdftoppm -r 150 -gray -png -f 1 -l 1 "$out/rashomon.pdf" "$out/rashomon"
golden=$src/tests/golden/png-ruby
if [ -n "$regen" ]; then
  mkdir -p "$golden"
  cp "$out"/ruby-1.png "$out"/rashomon-1.png "$golden/"
  echo "regenerated; review tests/golden/png-ruby by eye"
  exit 0
fi
for name in ruby-1.png rashomon-1.png; do
  test -f "$out/$name" || { echo "FAIL: $name was not rendered"; exit 1; }
  python3 "$src/tests/pdfcheck.py" pngdiff "$out/$name" "$golden/$name" 0.001
done
echo "golden ruby pages ok"
