#!/bin/sh
# Footnotes that do not fit where they are referred to
# (tests/data/notes/notes.md, on the press-release A4 grid):
# - page 1's last line refers to a three-line note that does not fit under
#   it: the line moves with the note to page 2, with the line before it (a
#   paragraph's last line never opens a page alone), page 1 ends short;
# - a table row near page 2's foot refers to a long note: the row keeps its
#   place, the note starts on page 2 and continues at page 3's foot.
#   notes_test.sh KUMIHAN SRC_DIR OUT_DIR
set -eu
kumihan=$1 src=$2 out=$3/notes
rm -rf "$out"
mkdir -p "$out"
md="$src/tests/data/notes/notes.md"
"$kumihan" --trace=pages "$md" > "$out/trace.txt"
"$kumihan" "$md" -o "$out/notes.pdf"
fail() { echo "FAIL: $*"; exit 1; }
grep -q '^page 1 .* short: footnote$' "$out/trace.txt" || fail "page 1 does not end short for a footnote: $(grep '^page 1 ' "$out/trace.txt")"
pages=$(grep -c '^page ' "$out/trace.txt")
[ "$pages" -eq 3 ] || fail "$pages pages, expected 3"
/usr/bin/python3 "$src/tests/notecheck.py" "$out/notes.pdf" 2 SAME
qpdf --check "$out/notes.pdf" > /dev/null
/usr/bin/python3 "$src/tests/tagcheck.py" tags "$out/notes.pdf"
# the line and the one before it open page 2 (the last line of a paragraph
# is not left alone at the head of a page); the note's continuation is page
# 3's last text line above the folio, in the note's size
pdftotext -f 2 -l 2 -layout "$out/notes.pdf" - | grep -m2 . | sed -n 2p | grep -q 'ここで参照する' ||
  fail "page 2 does not start with the moved lines"
pdftotext -f 3 -l 3 "$out/notes.pdf" - | grep -v '^[[:space:]]*$' | tail -n 2 | head -n 1 |
  grep -q '次の頁の脚注欄の最初に続く。$' || fail "the long note does not continue at page 3's foot"
echo "notes ok: a note moves with its line; a note under a table row continues"
