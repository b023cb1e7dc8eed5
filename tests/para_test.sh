#!/bin/sh
# Paragraph composition at a given measure (characters per line), read back
# from the PDF with poppler and MuPDF: justified lines, lines on the grid,
# kinsoku, Japanese-Western quarter-em spaces, no gap over the expansion
# caps, page breaks that leave no paragraph line alone, and headings kept
# with what follows.
#   para_test.sh KUMIHAN SRC_DIR OUT_DIR CHARS [LINE_END_CLOSING [LINE_BREAKING]]
set -eu
kumihan=$1 src=$2 out=$3 chars=$4 closing=${5:-full} breaking=${6:-total-fit}
dir="$out/para-$chars-$closing-$breaking"
rm -rf "$dir"
mkdir -p "$dir/layout"
# the press-release layout with another number of characters per line
sed -e "s/^  chars: .*/  chars: $chars/" -e "s/^line-end-closing: [a-z]*/line-end-closing: $closing/" \
  "$src/layout/press-release.yaml" > "$dir/layout/press-release.yaml"
grep -q "^line-end-closing: $closing" "$dir/layout/press-release.yaml"
echo "line-breaking: $breaking" >> "$dir/layout/press-release.yaml"
"$kumihan" "$src/tests/para/dense.md" -o "$dir/dense.pdf" --layout-dir "$dir/layout"
# the text block is centred on A4 (595.276 pt) at 10.5 pt per character
left=$(python3 -c "print((595.2756 - 10.5 * $chars) / 2)")
measure=$(python3 -c "print(10.5 * $chars)")
python3 "$src/tests/pdfcheck.py" justify "$dir/dense.pdf" "$left" "$measure" 10.5
python3 "$src/tests/pdfcheck.py" kinsoku "$dir/dense.pdf"
python3 "$src/tests/pdfcheck.py" jwgap "$dir/dense.pdf" 10.5
python3 "$src/tests/pdfcheck.py" fullwidth "$dir/dense.pdf" "—" 10.5
python3 "$src/tests/pdfcheck.py" roundtrip "$dir/dense.pdf" "$src/tests/para/dense.md"
python3 "$src/tests/pdfcheck.py" gaps "$dir/dense.pdf" 10.5
# technical text: URLs, paths and identifiers break rather than space a line
# out past the caps; a word or identifier breaks only at a hyphenation point,
# with a hyphen (JIS X 4051, JLReq 3.1.10); ASCII brackets tight; a
# U+3000-led paragraph indented by it alone
"$kumihan" "$src/tests/para/technical.md" -o "$dir/technical.pdf" --layout-dir "$dir/layout"
python3 "$src/tests/pdfcheck.py" gaps "$dir/technical.pdf" 10.5
python3 "$src/tests/pdfcheck.py" words "$dir/technical.pdf" "$measure"
python3 "$src/tests/pdfcheck.py" kinsoku "$dir/technical.pdf"
python3 "$src/tests/pdfcheck.py" tight "$dir/technical.pdf" 0 "(必" "ば)"
# Greek and Cyrillic from the Japanese font: no quarter-em Japanese-Western
# space (justification may still add its share, under an eighth of an em)
python3 "$src/tests/pdfcheck.py" tight "$dir/technical.pdf" 1.3 "字α" "γや" "字Ж" "Жは"
python3 "$src/tests/pdfcheck.py" indent "$dir/technical.pdf" "$left" 10.5 "全角空白で"
# a longer document: page breaks inside paragraphs leave no line alone
"$kumihan" "$src/tests/para/pages.md" -o "$dir/pages.pdf" --layout-dir "$dir/layout"
python3 "$src/tests/pdfcheck.py" breaks "$dir/pages.pdf" "$left" 10.5
python3 "$src/tests/pdfcheck.py" justify "$dir/pages.pdf" "$left" "$measure" 10.5
python3 "$src/tests/pdfcheck.py" kinsoku "$dir/pages.pdf"
python3 "$src/tests/pdfcheck.py" gaps "$dir/pages.pdf" 10.5
# sections: a heading is never left at the foot of a page
"$kumihan" "$src/tests/para/sections.md" -o "$dir/sections.pdf" --layout-dir "$dir/layout"
python3 "$src/tests/pdfcheck.py" headings "$dir/sections.pdf" Gothic-Bold
