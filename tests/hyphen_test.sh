#!/bin/sh
# Hyphenation (JIS X 4051, JLReq 3.1.10) and phrase breaks of headings,
# read back from the PDF with MuPDF and poppler, at narrow measures: a
# Western word breaks only at a hyphenation point, with a hyphen of its own
# font at the line end that copy and search do not see; no gap over the
# caps; `hyphenation: false` sets no hyphen; the title and the heading
# break at phrase boundaries.
#   hyphen_test.sh KUMIHAN SRC_DIR OUT_DIR
set -eu
kumihan=$1 src=$2 out=$3/hyphen
rm -rf "$out"
mkdir -p "$out"
check() { python3 "$src/tests/pdfcheck.py" "$@"; }
for chars in 27 30; do
  mkdir -p "$out/$chars" "$out/$chars-off"
  sed -e "s/^  chars: .*/  chars: $chars/" "$src/layout/press-release.yaml" > "$out/$chars/press-release.yaml"
  { cat "$out/$chars/press-release.yaml"; echo "hyphenation: false"; } > "$out/$chars-off/press-release.yaml"
  "$kumihan" "$src/tests/para/hyphen.md" -o "$out/h$chars.pdf" --layout-dir "$out/$chars"
  "$kumihan" "$src/tests/para/hyphen.md" -o "$out/h$chars-off.pdf" --layout-dir "$out/$chars-off"
  # the text block is centred on A4 (595.276 pt) at 10.5 pt per character
  right=$(python3 -c "print((595.2756 + 10.5 * $chars) / 2)")
  check hyphens "$out/h$chars.pdf" "$right" 2
  check hyphens "$out/h$chars-off.pdf" "$right" 0
  check words "$out/h$chars.pdf" "$(python3 -c "print(10.5 * $chars)")" "$src/tests/para/hyphen.md"
  check gaps "$out/h$chars.pdf" 10.5
  check kinsoku "$out/h$chars.pdf"
  awk 'n >= 2; /^---$/ { n++ }' "$src/tests/para/hyphen.md" > "$out/body.md"
  check roundtrip "$out/h$chars.pdf" "$out/body.md"
  # the hyphen is an artifact: the structure tree still holds every glyph
  /usr/bin/python3 "$src/tests/tagcheck.py" tags "$out/h$chars.pdf"
done
# the title (centred, 16 pt at 27 characters) and the heading break between
# phrases: never 分割でき|る, ための試|験
check phrases "$out/h27.pdf" "欧文の単語の分割と見出しの改行位置を" "確かめるための試験文書" \
  "行末の欧文の単語は、分割できる位置で" "ハイフンを付けて分ける"
echo "hyphenation ok"
