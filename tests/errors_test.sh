#!/bin/sh
# Bad input gets one line "file:line:col: error: ...", exit status 1, and no
# PDF (not even a partial one) at the output path.
#   errors_test.sh KUMIHAN SRC_DIR OUT_DIR
set -u
kumihan=$1 src=$2 out=$3/errors
rm -rf "$out"
mkdir -p "$out/layout" "$out/pub" "$out/badlayout"
failures=0 cases=0

# expect NAME REGEX INPUT [options...]: kumihan must fail with REGEX as the
# first line of its standard error and leave no output file.
expect() {
  name=$1 regex=$2 input=$3
  shift 3
  cases=$((cases + 1))
  pdf="$out/$name.pdf"
  "$kumihan" "$input" -o "$pdf" "$@" > "$out/$name.stdout" 2> "$out/$name.stderr" < /dev/null
  rc=$?
  first=$(head -n 1 "$out/$name.stderr")
  if [ "$rc" -ne 1 ]; then
    echo "FAIL $name: exit status $rc, expected 1 ($first)"; failures=$((failures + 1))
  elif ! printf '%s\n' "$first" | grep -Eq -- "$regex"; then
    echo "FAIL $name: message '$first' does not match /$regex/"; failures=$((failures + 1))
  elif [ -e "$pdf" ] || ls "$out" | grep -q "^$name.pdf.tmp"; then
    echo "FAIL $name: a PDF was left behind"; failures=$((failures + 1))
  else
    echo "ok   $name: $first"
  fi
}

printf '# 見出し\n\nよい行\n悪い\377行\n' > "$out/bad-utf8.md"
expect bad-utf8 '^.*/bad-utf8\.md:4:3: error: invalid UTF-8' "$out/bad-utf8.md"

printf -- '---\ntitle: 試験\nbogus: 1\n---\n本文\n' > "$out/unknown-key.md"
expect unknown-key '^.*/unknown-key\.md:3:1: error: unknown front matter key .bogus.' "$out/unknown-key.md"

printf -- '---\ntitle: 試験\n本文\n' > "$out/unclosed.md"
expect unclosed '^.*/unclosed\.md:1:1: error: front matter is not closed' "$out/unclosed.md"

printf -- '---\ntitle: [試験\n---\n本文\n' > "$out/bad-yaml.md"
expect bad-yaml '^.*/bad-yaml\.md:[0-9]+:[0-9]+: error: ' "$out/bad-yaml.md"

printf -- '---\ndate-iso: 令和4年\n---\n本文\n' > "$out/bad-date.md"
expect bad-date '^.*/bad-date\.md:2:11: error: date-iso must be YYYY-MM-DD' "$out/bad-date.md"

expect missing-input '^.*/no-such\.md: error: cannot open' "$out/no-such.md"

printf -- '---\nlayout: no-such-layout\n---\n本文\n' > "$out/no-layout.md"
expect no-layout '^.*/no-layout\.md:2:9: error: no layout named .no-such-layout. in the layout search path \(known: [a-z0-9, -]*press-release' "$out/no-layout.md"

# layouts with mistakes, each reported at its line in the layout file
sed 's/^  chars: 45/  chars: 45\n  colour: red/' "$src/layout/press-release.yaml" > "$out/badlayout/press-release.yaml"
printf '本文\n' > "$out/plain.md"
expect layout-unknown-key '^.*/badlayout/press-release\.yaml:[0-9]+:3: error: unknown grid key .colour.' "$out/plain.md" --layout-dir "$out/badlayout"

sed 's/BIZUDMincho-Regular.ttf/NoSuchFont.ttf/' "$src/layout/press-release.yaml" > "$out/layout/press-release.yaml"
expect missing-font '^.*/layout/press-release\.yaml:[0-9]+:[0-9]+: error: cannot read font .mincho.: no file .NoSuchFont\.ttf. in the layout.s folder or the font search path' "$out/plain.md" --layout-dir "$out/layout"

# a font with CFF outlines cannot be embedded: refused where the layout names it
mkdir -p "$out/cfflayout"
sed 's|^  pmincho: BIZUDPMincho-Regular.ttf|  pmincho: /usr/share/fonts/opentype/urw-base35/NimbusRoman-Regular.otf|' \
  "$src/layout/press-release.yaml" > "$out/cfflayout/press-release.yaml"
expect cff-font '^.*/cfflayout/press-release\.yaml:[0-9]+:12: error: font .pmincho. .*has no TrueType outlines' "$out/plain.md" --layout-dir "$out/cfflayout" \
  --allow-path /usr/share/fonts/opentype/urw-base35

# a family fontconfig does not know
mkdir -p "$out/famlayout"
sed 's|^  pmincho: BIZUDPMincho-Regular.ttf|  pmincho: {family: No Such Family Sans}|' \
  "$src/layout/press-release.yaml" > "$out/famlayout/press-release.yaml"
expect no-family '^.*/famlayout/press-release\.yaml:[0-9]+:12: error: font family .No Such Family Sans. is not installed' "$out/plain.md" --layout-dir "$out/famlayout"

printf 'parts:\n  - one.md\n  - missing.md\n' > "$out/pub/publication.yaml"
printf '本文\n' > "$out/pub/one.md"
expect missing-part '^.*/pub/publication\.yaml:3:5: error: cannot read part .missing\.md.' "$out/pub"

printf 'title: x\n' > "$out/pub2.yaml"
mkdir -p "$out/pub2" && cp "$out/pub2.yaml" "$out/pub2/publication.yaml"
expect no-parts "^.*/pub2/publication\.yaml:1:1: error: publication.yaml must list its parts" "$out/pub2"

# an existing PDF is left untouched by a failed build
printf 'old' > "$out/keep.pdf"
"$kumihan" "$out/bad-utf8.md" -o "$out/keep.pdf" 2>/dev/null
cases=$((cases + 1))
if [ "$(cat "$out/keep.pdf")" != "old" ]; then
  echo "FAIL keep: a failed build overwrote the existing PDF"; failures=$((failures + 1))
else
  echo "ok   keep: existing PDF untouched"
fi

# a character no font has: an error at its position under PDF/A (the
# default: PDF/A forbids drawing .notdef), a warning with `pdf-a: false`
printf '本文\340\270\201です\n' > "$out/pua.md"  # Thai ko kai: in none of the fonts
expect missing-glyph-pdfa '^.*/pua\.md:1:3: error: no font has a glyph for U\+0E01' "$out/pua.md"
mkdir -p "$out/nopdfa"
sed 's/^line-end-closing: .*/&\npdf-a: false/' "$src/layout/press-release.yaml" > "$out/nopdfa/press-release.yaml"
cases=$((cases + 1))
if "$kumihan" "$out/pua.md" -o "$out/pua.pdf" --layout-dir "$out/nopdfa" 2> "$out/pua.stderr" &&
   grep -Eq '^.*/pua\.md:1:3: warning: no font has a glyph for U\+0E01' "$out/pua.stderr"; then
  echo "ok   missing-glyph: $(head -n 1 "$out/pua.stderr")"
else
  echo "FAIL missing-glyph: $(cat "$out/pua.stderr")"; failures=$((failures + 1))
fi
sed 's/^line-end-closing: .*/&\npdf-a: maybe/' "$src/layout/press-release.yaml" > "$out/badlayout/press-release.yaml"
expect layout-pdfa '^.*/badlayout/press-release\.yaml:[0-9]+:8: error: pdf-a must be true or false' "$out/plain.md" --layout-dir "$out/badlayout"
sed 's/^line-end-closing: .*/&\nwriting-mode: diagonal/' "$src/layout/press-release.yaml" > "$out/badlayout/press-release.yaml"
expect layout-writing-mode '^.*/badlayout/press-release\.yaml:[0-9]+:15: error: writing-mode must be horizontal or vertical' "$out/plain.md" --layout-dir "$out/badlayout"
sed 's/^tate-chu-yoko: .*/tate-chu-yoko: 9/' "$src/layout/bunko-vertical.yaml" > "$out/badlayout/bunko-vertical.yaml"
printf -- '---\nlayout: bunko-vertical\n---\n\n縦組\n' > "$out/vertical.md"
expect layout-tcy '^.*/badlayout/bunko-vertical\.yaml:[0-9]+:16: error: ' "$out/vertical.md" --layout-dir "$out/badlayout"

echo "errors: $((cases - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
