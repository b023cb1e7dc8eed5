#!/bin/sh
# Hostile input (issue 11): what kumihan must refuse, and how.  Each case
# fails with one "file:line:col: error:" line, exit status 1, no PDF and no
# temporary file left behind, and touches nothing it must not.
#   hostile_test.sh KUMIHAN SRC_DIR OUT_DIR
set -u
kumihan=$1 src=$2 out=$3/hostile
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
failures=0 cases=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; failures=$((failures + 1)); }

# no file but the expected ones in a folder: no PDF, no temporary file
only() { # only DIR FILES...
  d=$1
  shift
  [ "$(cd "$d" && ls -A | sort | tr '\n' ' ')" = "$(printf '%s\n' "$@" | sort | tr '\n' ' ')" ]
}

# expect NAME REGEX INPUT [options...]: exit 1, REGEX on the first line of
# standard error, no PDF at $out/NAME.pdf and no temporary file beside it.
expect() {
  name=$1 regex=$2 input=$3
  shift 3
  cases=$((cases + 1))
  timeout 20 "$kumihan" "$input" -o "$out/$name.pdf" "$@" > /dev/null 2> "$out/$name.stderr" < /dev/null
  rc=$?
  first=$(head -n 1 "$out/$name.stderr")
  if [ "$rc" -ne 1 ]; then
    fail "$name: exit status $rc, expected 1 ($first)"
  elif ! printf '%s\n' "$first" | grep -Eq -- "$regex"; then
    fail "$name: message '$first' does not match /$regex/"
  elif ls -A "$out" | grep -q "$name\.pdf"; then
    fail "$name: a PDF or a temporary file was left behind"
  else
    pass "$name: $first"
  fi
}

# ---- output safety -----------------------------------------------------------
d=$out/same && mkdir -p "$d" && printf '本文です。\n' > "$d/x.md"
cases=$((cases + 1))
"$kumihan" "$d/x.md" -o "$d/x.md" 2> "$d/err"
rc=$?
if [ $rc -eq 1 ] && [ "$(cat "$d/x.md")" = "本文です。" ] && only "$d" x.md err &&
   grep -q "x.md: error: the output is one of the build's own inputs" "$d/err"; then
  pass "same-file: $(cat "$d/err")"
else
  fail "same-file: exit $rc, $(cat "$d/err"); now: $(ls -A "$d")"
fi

# an output that is another file the build reads (a part of the publication)
d=$out/part-out && mkdir -p "$d" && printf 'parts: [a.md, b.md]\n' > "$d/publication.yaml"
printf '一\n' > "$d/a.md" && printf '二\n' > "$d/b.md"
cases=$((cases + 1))
"$kumihan" "$d" -o "$d/b.md" 2> "$out/part-out.err"
if [ $? -eq 1 ] && [ "$(cat "$d/b.md")" = "二" ] && only "$d" publication.yaml a.md b.md; then
  pass "part-as-output: $(cat "$out/part-out.err")"
else
  fail "part-as-output: $(cat "$out/part-out.err"); now: $(ls -A "$d")"
fi

# a device node (a copy of /dev/null) stays a device node
d=$out/dev && mkdir -p "$d" && printf '本文\n' > "$d/x.md"
cases=$((cases + 1))
if mknod "$d/null" c 1 3 2> /dev/null; then
  "$kumihan" "$d/x.md" -o "$d/null" 2> "$d/err"
  rc=$?
  if [ $rc -eq 1 ] && [ -c "$d/null" ] && only "$d" x.md null err &&
     grep -q "null: error: the output is not a regular file" "$d/err"; then
    pass "device-output: $(cat "$d/err")"
  else
    fail "device-output: exit $rc, $(cat "$d/err"); now: $(ls -lA "$d")"
  fi
else
  echo "skip device-output: mknod needs root"
fi

# a folder
d=$out/folder && mkdir -p "$d/out.pdf" && printf '本文\n' > "$d/x.md"
cases=$((cases + 1))
"$kumihan" "$d/x.md" -o "$d/out.pdf" 2> "$d/err"
if [ $? -eq 1 ] && [ -d "$d/out.pdf" ] && grep -q "error: the output is a folder" "$d/err"; then
  pass "folder-output: $(cat "$d/err")"
else
  fail "folder-output: $(cat "$d/err")"
fi

# a signal during the final write leaves no temporary file and no PDF
# (strace delivers SIGTERM as the PDF is written, or as it is renamed)
if command -v strace > /dev/null; then
  for inject in write:signal=SIGTERM rename:error=EINTR:signal=SIGTERM \
                write:signal=SIGINT write:signal=SIGHUP; do
    d=$out/signal-$(echo "$inject" | tr ':=' '--') && mkdir -p "$d" && printf '本文です。\n' > "$d/x.md"
    cases=$((cases + 1))
    strace -f -o /dev/null -e trace="${inject%%:*}" -e inject="$inject" \
      "$kumihan" "$d/x.md" -o "$d/x.pdf" 2> "$d/err"
    rc=$?
    if [ $rc -ne 0 ] && only "$d" x.md err; then
      pass "signal $inject: exit $rc, nothing left behind"
    else
      fail "signal $inject: exit $rc, left: $(ls -A "$d")"
    fi
  done
else
  echo "skip signal: no strace"
fi

# ---- confinement ----------------------------------------------------------------
d=$out/pub-proc && mkdir -p "$d"
printf 'parts:\n  - one.md\n  - /proc/self/environ\n' > "$d/publication.yaml"
printf '本文\n' > "$d/one.md"
expect proc-part "publication\.yaml:3:5: error: part ./proc/self/environ. is outside the publication's folder" "$d"

d=$out/pub-dotdot && mkdir -p "$d" && printf '秘密\n' > "$out/secret.md"
printf 'parts: [one.md, ../secret.md]\n' > "$d/publication.yaml"
printf '本文\n' > "$d/one.md"
expect dotdot-part "publication\.yaml:1:17: error: part .\.\./secret\.md. is outside" "$d"
# ... unless the user allows that folder
cases=$((cases + 1))
if "$kumihan" "$d" -o "$out/allowed.pdf" --allow-path "$out" 2> "$out/allowed.err" &&
   pdftotext "$out/allowed.pdf" - | grep -q 秘密; then
  pass "allow-path: the part outside is read when its folder is allowed"
else
  fail "allow-path: $(cat "$out/allowed.err")"
fi

# a symbolic link inside the folder that points outside it
d=$out/pub-link && mkdir -p "$d" && ln -sf /etc/hostname "$d/link.md"
printf 'parts: [link.md]\n' > "$d/publication.yaml"
expect symlink-part "publication\.yaml:1:9: error: part .link\.md. is outside" "$d"

# a FIFO as a part must not hang the build
d=$out/pub-fifo && mkdir -p "$d" && mkfifo "$d/fifo.md"
printf 'parts: [fifo.md]\n' > "$d/publication.yaml"
expect fifo-part "publication\.yaml:1:9: error: cannot read part .fifo\.md.: it is a FIFO" "$d"

# the layout named by front matter: /dev/zero, /proc
printf -- '---\nlayout: /dev/zero\n---\n本文\n' > "$out/layout-zero.md"
expect layout-dev-zero "layout-zero\.md:2:9: error: layout ./dev/zero. is outside the publication's folder" "$out/layout-zero.md"

# /dev/zero as a font: outside; and allowed, still not a regular file
mkdir -p "$out/zero-layout"
sed 's|^  mincho: BIZUDMincho-Regular.ttf|  mincho: /dev/zero|' "$src/layout/press-release.yaml" \
  > "$out/zero-layout/press-release.yaml"
printf '本文\n' > "$out/plain.md"
expect font-dev-zero "press-release\.yaml:17:11: error: font .mincho. is outside" "$out/plain.md" \
  --layout-dir "$out/zero-layout"
expect font-dev-zero-allowed "press-release\.yaml:17:11: error: cannot read font .mincho.: it is a device" \
  "$out/plain.md" --layout-dir "$out/zero-layout" --allow-path /dev

# a truncated font fails where the layout names it
mkdir -p "$out/trunc-layout"
head -c 1000000 "$src/fonts/BIZUDMincho-Regular.ttf" > "$out/trunc-layout/trunc.ttf"
sed "s|^  mincho: BIZUDMincho-Regular.ttf|  mincho: $out/trunc-layout/trunc.ttf|" \
  "$src/layout/press-release.yaml" > "$out/trunc-layout/press-release.yaml"
expect truncated-font "press-release\.yaml:17:11: error: font .mincho. .* is damaged" "$out/plain.md" \
  --layout-dir "$out/trunc-layout"

# ---- layout numbers ---------------------------------------------------------------
badlayout() { # badlayout NAME SED-EXPRESSION REGEX
  mkdir -p "$out/l-$1"
  sed "$2" "$src/layout/press-release.yaml" > "$out/l-$1/press-release.yaml"
  expect "layout-$1" "press-release\.yaml:$3" "$out/plain.md" --layout-dir "$out/l-$1"
}
badlayout size-nan 's/^  size: 10.5 /  size: nan /' "8:9: error: 'size' must be a length"
badlayout size-zero 's/^  size: 10.5 /  size: 0 /' "8:9: error: 'size' must be from 2 pt to 144 pt"
badlayout pitch-negative 's/^  pitch: 17 /  pitch: -17 /' "11:10: error: 'pitch' must be from"
badlayout pitch-inf 's/^  pitch: 17 /  pitch: inf /' "11:10: error: 'pitch' must be a length"
badlayout width-zero 's/^  width: 210mm/  width: 0mm/' "4:10: error: 'width' must be from"
badlayout indent-nan 's/code: gothic, indent: 1}/code: gothic, indent: nan}/' \
  "[0-9]+:[0-9]+: error: 'indent' must be a \\(finite\\) number"
badlayout indent-wide 's/code: gothic, indent: 1}/code: gothic, indent: 1, left: 44}/' \
  "[0-9]+:3: error: style 'body': its indents leave less than 2 characters"
badlayout rise-nan 's/mincho: {ja: mincho, latin: pmincho}/mincho: {ja: mincho, latin: pmincho, latin-rise: nan}/' \
  "[0-9]+:[0-9]+: error: 'latin-rise' must be a \\(finite\\) number"
badlayout heading-size 's/size: 14, align: center/size: -14, align: center/' \
  "[0-9]+:[0-9]+: error: 'size' must be from 2 pt to 144 pt"

# ---- text hygiene ---------------------------------------------------------------
printf '本文\000です\n' > "$out/nul.md"
expect nul "nul\.md:1:3: error: control character U\+0000 is not allowed" "$out/nul.md"
printf '# 見出し\n\n本文\033です\n' > "$out/esc.md"
expect control-c0 "esc\.md:3:3: error: control character U\+001B is not allowed" "$out/esc.md"
printf '本文\302\205です\n' > "$out/c1.md"
expect control-c1 "c1\.md:1:3: error: control character U\+0085 is not allowed" "$out/c1.md"
printf '' > "$out/empty.md"
expect empty "empty\.md:1:1: error: nothing to typeset" "$out/empty.md"
printf '\n  \n\n' > "$out/blank.md"
expect blank "blank\.md:1:1: error: nothing to typeset" "$out/blank.md"
printf -- '---\ndate-iso: 2022-02-31\n---\n本文\n' > "$out/feb31.md"
expect date-feb31 "feb31\.md:2:11: error: date-iso must be YYYY-MM-DD" "$out/feb31.md"

# right-to-left text: a warning at the start of each run, the build goes on
printf '本文 שלום עולם と مرحبا です\n' > "$out/rtl.md"
cases=$((cases + 1))
# the bundled fonts have no Hebrew or Arabic: under PDF/A (the default) a
# character no font has is an error, after both warnings
if ! "$kumihan" "$out/rtl.md" -o "$out/rtl.pdf" 2> "$out/rtl.err" &&
   [ "$(grep -c 'right-to-left text' "$out/rtl.err")" -eq 2 ] &&
   grep -q 'error: no font has a glyph for U+05E9' "$out/rtl.err" && [ ! -e "$out/rtl.pdf" ] &&
   grep -q '^.*rtl\.md:1:4: warning: right-to-left text (U+05E9)' "$out/rtl.err"; then
  pass "rtl: $(grep right-to-left "$out/rtl.err" | head -n 1)"
else
  fail "rtl: $(cat "$out/rtl.err")"
fi

# CR-only and CRLF line ends: front matter read as such
for ends in cr crlf; do
  if [ $ends = cr ]; then nl='\r'; else nl='\r\n'; fi
  printf -- "---${nl}title: 改行の試験${nl}date-iso: 2022-03-31${nl}---${nl}本文です。${nl}" > "$out/$ends.md"
  cases=$((cases + 1))
  if "$kumihan" "$out/$ends.md" -o "$out/$ends.pdf" 2> "$out/$ends.err" &&
     pdfinfo "$out/$ends.pdf" | grep -q '^Title: *改行の試験$' &&
     pdftotext "$out/$ends.pdf" - | grep -q '本文です。'; then
    pass "line-ends-$ends: title and body read"
  else
    fail "line-ends-$ends: $(cat "$out/$ends.err")"
  fi
done

# ---- long inputs: no overflow anywhere (run under UBSan by test.sh, which
# sets halt_on_error), no crash, no libharu error without a position --------
python3 -c "print('[x](https://example.jp/' + 'a' * 100000 + ')')" > "$out/url.md"
python3 -c "
n = 5000
print('|' + '|'.join(['列'] * n) + '|'); print('|' + '|'.join(['-'] * n) + '|')
print('|' + '|'.join(['値'] * n) + '|')" > "$out/wide.md"
cases=$((cases + 1))
timeout 120 "$kumihan" "$out/url.md" -o "$out/url.pdf" 2> "$out/url.err"
rc=$?
if [ $rc -eq 0 ] && ! grep -q 'runtime error' "$out/url.err" &&
   grep -q 'url\.md:1:5: warning: link target of 100019 bytes' "$out/url.err"; then
  pass "long-url: $(head -n 1 "$out/url.err" | cut -c 1-150)"
else
  fail "long-url: exit $rc, $(head -c 600 "$out/url.err")"
fi
cases=$((cases + 1))
timeout 300 "$kumihan" "$out/wide.md" -o "$out/wide.pdf" 2> "$out/wide.err"
rc=$?
if [ $rc -le 1 ] && ! grep -q 'runtime error' "$out/wide.err"; then
  pass "wide-table: exit $rc, no sanitizer report"
else
  fail "wide-table: exit $rc, $(head -c 600 "$out/wide.err")"
fi
# a link on a line overfull by tens of thousands of points (a table cell
# holding an unbreakable run, found by fuzz_build): its glyphs' places
# stay in 64 bits and its rectangle is held to the page, which libharu needs
# (no number beyond 32,767)
cases=$((cases + 1))
timeout 120 "$kumihan" "$src/tests/fuzz/regressions/build/fuzz-far-glyph-in-cell-link.md" \
  -o "$out/far.pdf" 2> "$out/far.err"
rc=$?
if [ $rc -eq 0 ] && ! grep -q 'runtime error' "$out/far.err" && qpdf --check "$out/far.pdf" > /dev/null 2>&1; then
  pass "far-link: a PDF that qpdf checks clean"
else
  fail "far-link: exit $rc, $(grep -v '^ ' "$out/far.err" | grep -v 'overfull' | head -c 600)"
fi

echo "hostile: $((cases - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
