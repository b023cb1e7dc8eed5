#!/bin/sh
# Golden pages: the first page of each INPUT (a publication folder or a
# Markdown file, relative to SRC_DIR) at 150 dpi (greyscale) must match the
# reviewed PNG in tests/golden/SET.  Regenerate on purpose with REGEN=1,
# then review the PNGs by eye.
#   golden_pages.sh KUMIHAN SRC_DIR OUT_DIR SET INPUT...
set -eu
kumihan=$1 src=$2 set=$4 out=$3/golden-$4
shift 4
rm -rf "$out"
mkdir -p "$out"
golden=$src/tests/golden/$set
for input in "$@"; do
  name=$(basename "$input" .md)
  SOURCE_DATE_EPOCH=0 "$kumihan" "$src/$input" -o "$out/$name.pdf"
  pdftoppm -r 150 -gray -png -f 1 -l 1 "$out/$name.pdf" "$out/$name"
  test -f "$out/$name-1.png" || { echo "FAIL: $name was not rendered"; exit 1; }
  if [ -n "${REGEN:-}" ]; then
    mkdir -p "$golden"
    cp "$out/$name-1.png" "$golden/"
  else
    python3 "$src/tests/pdfcheck.py" pngdiff "$out/$name-1.png" "$golden/$name-1.png" 0.001
  fi
done
[ -z "${REGEN:-}" ] || { echo "regenerated; review tests/golden/$set by eye"; exit 0; }
echo "golden $set pages ok"
