#!/bin/sh
# Paragraph composition at a given measure (characters per line), read back
# from the PDF with poppler and MuPDF: justified lines, lines on the grid,
# kinsoku, Japanese-Western quarter-em spaces, page breaks that leave no
# paragraph line alone, and headings kept with what follows.
#   para_test.sh KUMIHAN SRC_DIR OUT_DIR CHARS [LINE_END_CLOSING]
set -eu
kumihan=$1 src=$2 out=$3 chars=$4 closing=${5:-full}
dir="$out/para-$chars-$closing"
rm -rf "$dir"
mkdir -p "$dir/layout"
# the press-release layout with another number of characters per line
sed -e "s/^  chars: .*/  chars: $chars/" -e "s/^line-end-closing: [a-z]*/line-end-closing: $closing/" \
  "$src/layout/press-release.yaml" > "$dir/layout/press-release.yaml"
grep -q "^line-end-closing: $closing" "$dir/layout/press-release.yaml"
"$kumihan" "$src/tests/para/dense.md" -o "$dir/dense.pdf" --layout-dir "$dir/layout"
# the text block is centred on A4 (595.276 pt) at 10.5 pt per character
left=$(python3 -c "print((595.2756 - 10.5 * $chars) / 2)")
measure=$(python3 -c "print(10.5 * $chars)")
python3 "$src/tests/pdfcheck.py" justify "$dir/dense.pdf" "$left" "$measure" 10.5
python3 "$src/tests/pdfcheck.py" kinsoku "$dir/dense.pdf"
python3 "$src/tests/pdfcheck.py" jwgap "$dir/dense.pdf" 10.5
python3 "$src/tests/pdfcheck.py" fullwidth "$dir/dense.pdf" "—" 10.5
python3 "$src/tests/pdfcheck.py" roundtrip "$dir/dense.pdf" "$src/tests/para/dense.md"
# a longer document: page breaks inside paragraphs leave no line alone
"$kumihan" "$src/tests/para/pages.md" -o "$dir/pages.pdf" --layout-dir "$dir/layout"
python3 "$src/tests/pdfcheck.py" breaks "$dir/pages.pdf" "$left" 10.5
python3 "$src/tests/pdfcheck.py" justify "$dir/pages.pdf" "$left" "$measure" 10.5
python3 "$src/tests/pdfcheck.py" kinsoku "$dir/pages.pdf"
# sections: a heading is never left at the foot of a page
"$kumihan" "$src/tests/para/sections.md" -o "$dir/sections.pdf" --layout-dir "$dir/layout"
python3 "$src/tests/pdfcheck.py" headings "$dir/sections.pdf" Gothic-Bold
