#!/bin/sh
# The program's options and rules, one case per run (each a ctest test):
#   cli_test.sh KUMIHAN SRC_DIR OUT_DIR CASE
# Every case checks what a user or a CI job would see: exit statuses, files
# written or not, diagnostics (JSON parsed by python3 -m json.tool), PDFs
# read back with poppler (pdfinfo) and qpdf.
set -u
kumihan=$1 src=$2 out=$3/cli/$4 case=$4
seed="$src/content/smartcity-2022-03-31"
rm -rf "$out"
mkdir -p "$out"
cd "$out" || exit 1
unset KUMIHAN_LAYOUT_DIR KUMIHAN_FONT_DIR KUMIHAN_LAYOUT_PATH KUMIHAN_FONT_PATH SOURCE_DATE_EPOCH
fail() { echo "FAIL $case: $*"; exit 1; }
ok() { echo "ok   $case: $*"; }
is_pdf() { pdfinfo "$1" > /dev/null 2>&1 || fail "$1 is not a PDF"; }
pages() { pdfinfo "$1" | sed -n 's/^Pages: *//p'; }
# a Markdown file with N Hangul syllables, which no bundled font has: an
# error in a PDF/A file (the default), a warning with the layout's
# 'pdf-a: false', which --layout-dir "$nopdfa" gives
nopdfa=$out/.nopdfa
mkdir -p "$nopdfa"
sed 's/^line-end-closing: .*/&\npdf-a: false/' "$src/layout/press-release.yaml" > "$nopdfa/press-release.yaml"
hangul() { python3 -c "import sys; print('本文' + ''.join(chr(0xAC00 + i) for i in range($1)) + '。')"; }

case $case in
several)
  # several inputs, each into its own PDF; -o is for one input only
  printf '# 一\n\n本文。\n' > a.md
  mkdir out
  "$kumihan" "$seed" a.md --output-dir out || fail "exit $?"
  is_pdf out/smartcity-2022-03-31.pdf
  is_pdf out/a.pdf
  [ "$(pages out/smartcity-2022-03-31.pdf)" -ge 2 ] || fail "the publication has too few pages"
  "$kumihan" "$seed" a.md -o x.pdf 2> err; rc=$?
  [ $rc -eq 2 ] || fail "-o with two inputs: exit $rc, expected 2"
  grep -q "use --output-dir" err || fail "no hint: $(cat err)"
  [ ! -e x.pdf ] || fail "x.pdf written"
  # two inputs that would overwrite each other
  mkdir b && cp a.md b/a.md
  "$kumihan" a.md b/a.md 2> err; rc=$?
  [ $rc -eq 2 ] && grep -q "both be written to 'a.pdf'" err || fail "clash: exit $rc, $(cat err)"
  # one bad input does not stop the others; the exit status says it failed
  printf -- '---\nbogus: 1\n---\n本文\n' > bad.md
  mkdir o2
  "$kumihan" bad.md a.md -d o2 2> err; rc=$?
  [ $rc -eq 1 ] || fail "a bad input among good: exit $rc"
  is_pdf o2/a.pdf
  [ ! -e o2/bad.pdf ] || fail "a PDF for the bad input"
  ok "two inputs, two PDFs; -o refused; clashes refused; bad input reported, others built"
  ;;
jobs)
  # --jobs 2 gives the same bytes as one worker, for every input
  for i in 1 2 3; do printf '# 見出し%s\n\n本文%s。\n' $i $i > d$i.md; done
  mkdir one two
  "$kumihan" d1.md d2.md d3.md "$seed" -d one || fail "-j1 exit $?"
  "$kumihan" -j 2 d1.md d2.md d3.md "$seed" -d two || fail "-j2 exit $?"
  for f in d1 d2 d3 smartcity-2022-03-31; do cmp one/$f.pdf two/$f.pdf || fail "$f differs"; done
  "$kumihan" --jobs=0 d1.md 2> err; rc=$?
  [ $rc -eq 2 ] || fail "--jobs=0: exit $rc"
  # the workers are threads of one process sharing one font cache: each
  # font file is mapped once (strace sees every mmap of the Mincho file's
  # size), where a cache per worker maps it once per worker
  if command -v strace > /dev/null; then
    mincho=$(find "$src/fonts" -name 'BIZUDMincho-Regular.ttf' | head -n 1)
    size=$(stat -c %s "$mincho")
    mkdir three
    # (LeakSanitizer cannot run under ptrace: off for this run alone)
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
      strace -f -qq -e trace=mmap,clone,clone3,fork,vfork -o trace \
      "$kumihan" -j 3 d1.md d2.md d3.md "$seed" -d three || fail "-j3 under strace: exit $?"
    maps=$(grep -c "mmap(NULL, $size, PROT_READ, MAP_PRIVATE" trace)
    [ "$maps" -eq 1 ] || fail "the Mincho font was mapped $maps times by 3 workers"
    grep -q 'clone3\?(.*CLONE_THREAD' trace || fail "no worker thread"
    ! grep -E ' (clone3?\(|fork\(|vfork\()' trace | grep -v CLONE_THREAD | grep -q . ||
      fail "a worker process: $(grep -E 'clone|fork' trace | grep -v CLONE_THREAD | head -n 1)"
    for f in d1 d2 d3 smartcity-2022-03-31; do cmp one/$f.pdf three/$f.pdf || fail "-j3: $f differs"; done
  fi
  ok "4 inputs with -j 2 and -j 3 (threads, one font cache), byte-identical to -j 1; --jobs=0 is a usage error"
  ;;
check)
  # --check writes nothing, and still reports every stage's problems
  "$kumihan" --check "$seed" || fail "exit $?"
  [ -z "$(ls)" ] || fail "files written: $(ls)"
  hangul 3 > w.md
  "$kumihan" --layout-dir "$nopdfa" --check w.md 2> err || fail "a warning failed the check"
  grep -q "w.md:1:3: warning: no font has a glyph for U+AC00" err || fail "warning: $(cat err)"
  printf -- '---\nbogus: 1\n---\n本文\n' > bad.md
  "$kumihan" --check bad.md 2> err; rc=$?
  [ $rc -eq 1 ] || fail "bad input: exit $rc"
  ls *.pdf > /dev/null 2>&1 && fail "a PDF was written"
  ok "nothing written; warnings and errors reported"
  ;;
werror)
  hangul 2 > w.md
  "$kumihan" --layout-dir "$nopdfa" w.md -o plain.pdf 2> /dev/null || fail "a warning alone failed the build"
  is_pdf plain.pdf
  "$kumihan" --layout-dir "$nopdfa" --werror w.md -o strict.pdf 2> err; rc=$?
  [ $rc -eq 1 ] || fail "--werror: exit $rc"
  [ ! -e strict.pdf ] || fail "--werror left a PDF"
  grep -q "^w.md: error: 2 warnings treated as errors: no PDF written" err || fail "$(cat err)"
  "$kumihan" --werror "$seed" -o seed.pdf || fail "the seed has a warning"
  ok "a warning fails the build with --werror, and only then"
  ;;
json)
  # one object per line, each parsed by python3 -m json.tool
  printf -- '---\ntitle: 試験\nbogus: 1\nbogus2: 2\n---\n本文\n' > bad.md
  hangul 10 > w.md
  "$kumihan" --layout-dir "$nopdfa" --diagnostics=json bad.md w.md 2> err > /dev/null; rc=$?
  [ $rc -eq 1 ] || fail "exit $rc"
  n=0
  while IFS= read -r line; do
    n=$((n + 1))
    printf '%s\n' "$line" | python3 -m json.tool > /dev/null || fail "not JSON: $line"
  done < err
  [ $n -eq 6 ] || fail "$n lines, expected 2 errors + 3 warnings + 1 summary: $(cat err)"
  python3 - err <<'EOF' || fail "fields: $(cat err)"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for r in rows:
    assert set(r) == {"file", "line", "column", "severity", "code", "message"}, r
e = rows[0]
assert (e["file"], e["line"], e["column"], e["severity"], e["code"]) == ("bad.md", 3, 1, "error", "syntax"), e
assert e["message"] == "unknown front matter key 'bogus'", e
assert rows[1]["line"] == 4, rows[1]
w = rows[2]
assert (w["file"], w["line"], w["column"], w["severity"], w["code"]) == ("w.md", 1, 3, "warning", "missing-glyph"), w
assert rows[5]["message"].startswith("and 7 more characters not in any font: U+AC03"), rows[5]
EOF
  "$kumihan" --layout-dir "$nopdfa" --diagnostics=xml w.md 2> /dev/null; rc=$?
  [ $rc -eq 2 ] || fail "--diagnostics=xml: exit $rc"
  ok "$n JSON lines with file, line, column, severity, code, message"
  ;;
stdio)
  # '-' is standard input and standard output; no file named '-'
  "$kumihan" - -o - < "$seed/release.md" > from-stdin.pdf || fail "stdin exit $?"
  is_pdf from-stdin.pdf
  "$kumihan" - < "$seed/release.md" > bare.pdf || fail "stdin to stdout exit $?"
  cmp from-stdin.pdf bare.pdf || fail "'-' alone does not write to stdout"
  "$kumihan" "$seed" -o - > to-stdout.pdf || fail "stdout exit $?"
  qpdf --check to-stdout.pdf > /dev/null || fail "qpdf --check"
  "$kumihan" "$seed" -o file.pdf
  cmp file.pdf to-stdout.pdf || fail "stdout and file differ"
  [ ! -e ./- ] || fail "a file named '-' was written"
  printf -- '---\nbogus: 1\n---\n本文\n' | "$kumihan" - -o - > bad.pdf 2> err; rc=$?
  [ $rc -eq 1 ] && [ ! -s bad.pdf ] || fail "bad stdin: exit $rc, $(wc -c < bad.pdf) bytes out"
  grep -q '^<stdin>:2:1: error: unknown front matter key' err || fail "$(cat err)"
  ok "stdin and stdout, byte-identical to a file"
  ;;
dot)
  # 'kumihan .' is named after the folder, not '..pdf'
  cp -r "$seed" pub
  (cd pub && "$kumihan" .) || fail "exit $?"
  is_pdf pub/pub.pdf
  ls -a pub | grep -q '^\.\.pdf$' && fail "..pdf written"
  (cd pub && "$kumihan" ../pub/) || fail "exit $?"
  is_pdf pub/pub.pdf
  ok "kumihan . writes pub.pdf"
  ;;
exit)
  # 0 ok, 1 input error, 2 usage (options, environment)
  printf '本文。\n' > good.md
  "$kumihan" good.md; rc=$?; [ $rc -eq 0 ] || fail "good: $rc"
  "$kumihan" no-such.md 2> /dev/null; rc=$?; [ $rc -eq 1 ] || fail "missing input: $rc"
  "$kumihan" --bogus good.md 2> /dev/null; rc=$?; [ $rc -eq 2 ] || fail "bad option: $rc"
  "$kumihan" 2> /dev/null; rc=$?; [ $rc -eq 2 ] || fail "no input: $rc"
  "$kumihan" --trace=bogus good.md 2> /dev/null; rc=$?; [ $rc -eq 2 ] || fail "bad trace: $rc"
  SOURCE_DATE_EPOCH=yesterday "$kumihan" good.md -o e.pdf 2> err; rc=$?
  [ $rc -eq 2 ] || fail "bad SOURCE_DATE_EPOCH: $rc"
  grep -q "SOURCE_DATE_EPOCH must be a whole number" err || fail "$(cat err)"
  [ ! -e e.pdf ] || fail "built with a bad SOURCE_DATE_EPOCH"
  SOURCE_DATE_EPOCH=-5 "$kumihan" good.md 2> /dev/null; rc=$?; [ $rc -eq 2 ] || fail "negative epoch: $rc"
  SOURCE_DATE_EPOCH=1700000000 "$kumihan" good.md -o e.pdf || fail "good epoch: $?"
  "$kumihan" --help | grep -q "^  3  internal" || fail "--help has no exit statuses"
  "$kumihan" --help | grep -q "KUMIHAN_LAYOUT_PATH" || fail "--help has no environment"
  ok "statuses 0, 1, 2; SOURCE_DATE_EPOCH checked"
  ;;
internal)
  # 3: out of memory (or a library or the system failed), never 1 as if
  # the input were wrong.  Under a limit on virtual memory (ulimit -v) the
  # program either builds (0) or stops with 3 and writes nothing; below
  # some limit the loader cannot map the libraries (127).  A sanitizer's
  # shadow memory needs terabytes of address space: skipped there.
  if ldd "$kumihan" 2> /dev/null | grep -q 'libasan\|libtsan'; then
    ok "skipped under AddressSanitizer"
    exit 0
  fi
  printf '本文。\n' > good.md
  threes=0 zeros=0
  for v in $(seq 40000 4000 160000); do
    rm -f g.pdf
    (ulimit -v $v; exec "$kumihan" good.md -o g.pdf) 2> err; rc=$?
    case $rc in
    0) zeros=$((zeros + 1)) ;;
    3) threes=$((threes + 1))
       grep -q 'Cannot allocate memory\|out of memory' err || fail "limit $v KiB: exit 3 with: $(head -n 1 err)"
       [ ! -e g.pdf ] || fail "limit $v KiB: exit 3 and a PDF" ;;
    127) ;;
    *) fail "limit $v KiB: exit $rc: $(head -n 1 err)" ;;
    esac
    ls | grep -q '^g.pdf.tmp' && fail "limit $v KiB: a temporary file left"
  done
  [ $threes -gt 0 ] || fail "no limit gave exit status 3"
  [ $zeros -gt 0 ] || fail "no limit was enough to build"
  "$kumihan" --help | grep -q "^  3  internal: out of memory" || fail "--help does not say what 3 is"
  ok "out of memory: exit 3 ($threes limits), no PDF; enough memory: 0 ($zeros limits)"
  ;;
layout-errors)
  # every error of a layout file in one run, each at its line, none twice
  mkdir lay
  sed -e 's/^rule-width: .*/rule-width: -3\ncolour: red/' \
      -e 's/^  pmincho: .*/  pmincho: NoSuchFont.ttf/' \
      -e 's/^  gothic: {ja: gothic, latin: pgothic}/  gothic: {ja: gothic, latin: pgothik}/' \
      -e 's/^  date: {align: right, indent: 0}/  date: {align: rihgt, indent: 0, colour: 1}/' \
      -e 's/^  issuer: \(.*\)/  issuer: \1\n  headline: {indent: 0}/' \
      "$src/layout/press-release.yaml" > lay/press-release.yaml
  printf '# 見出し\n\n本文。\n' > t.md
  "$kumihan" --layout-dir lay t.md -o t.pdf 2> err; rc=$?
  [ $rc -eq 1 ] || fail "exit $rc"
  [ ! -e t.pdf ] || fail "a PDF with a bad layout"
  for want in "unknown layout key 'colour'" "'rule-width' must be from 0 pt to 10 pt, not '-3'" \
              "cannot read font 'pmincho': no file 'NoSuchFont.ttf'" \
              "no font named 'pgothik' in 'fonts'" \
              "align must be left, center, right or justify, not 'rihgt'" \
              "unknown style key 'colour'" "unknown style 'headline'"; do
    grep -q "^lay/press-release.yaml:[0-9]*:[0-9]*: error: $want" err ||
      fail "missing: $want; got: $(grep error: err)"
  done
  n=$(grep -c ': error: ' err)
  [ "$n" -eq 7 ] || fail "$n errors, expected 7: $(grep error: err)"
  # past the error limit, the rest are counted
  python3 -c "
import sys
s = open('lay/press-release.yaml').read()
s = s.replace('styles:\n', 'styles:\n' + ''.join('  body%d: {indent: 0}\n' % i for i in range(60)), 1)
open('lay/press-release.yaml', 'w').write(s)"
  "$kumihan" --layout-dir lay t.md -o t.pdf 2> err; rc=$?
  [ $rc -eq 1 ] || fail "many errors: exit $rc"
  grep -q "more errors not shown" err || fail "no limit: $(grep -c error: err) errors"
  ok "7 errors of one layout in one run; past the limit, counted"
  ;;
quiet)
  hangul 2 > w.md
  "$kumihan" --layout-dir "$nopdfa" -q w.md 2> err || fail "exit $?"
  [ ! -s err ] || fail "warnings shown: $(cat err)"
  printf -- '---\nbogus: 1\n---\n本文\n' > bad.md
  "$kumihan" -q bad.md 2> err; [ -s err ] || fail "--quiet hid an error"
  ok "--quiet hides warnings, not errors"
  ;;
fold)
  # 500 characters no font has: 3 warnings and one line summing up the rest
  hangul 500 > many.md
  "$kumihan" --layout-dir "$nopdfa" many.md -o many.pdf 2> err || fail "exit $?"
  n=$(grep -c 'warning:' err)
  [ "$n" -eq 4 ] || fail "$n warning lines"
  grep -q '^many.md:1:6: warning: and 497 more characters not in any font: U+AC03 U+AC04 U+AC05 U+AC06 U+AC07 U+AC08 …$' err ||
    fail "summary: $(grep more err)"
  ok "500 warnings shown as 3 and a summary"
  ;;
excerpt)
  # the source line and a caret under the column (wide characters count 2)
  printf -- '---\ntitle: 試験\n---\n本文です\nよい\377行\n' > bad.md
  "$kumihan" bad.md 2> err; rc=$?
  [ $rc -eq 1 ] || fail "exit $rc"
  [ "$(sed -n 1p err)" = "bad.md:5:3: error: invalid UTF-8 (byte 0xFF)" ] || fail "first line: $(sed -n 1p err)"
  [ "$(sed -n 2p err)" = "    5 | よい�行" ] || fail "source line: $(sed -n 2p err)"
  [ "$(sed -n 3p err)" = "      |     ^" ] || fail "caret: '$(sed -n 3p err)'"
  ok "$(sed -n 1p err)"
  ;;
all-errors)
  # every unknown key of a part, and every part of a publication, in one run
  mkdir pub
  printf 'parts:\n  - one.md\n  - missing.md\n  - two.md\n' > pub/publication.yaml
  printf -- '---\ntitel: x\nsubtitel: y\n---\n本文\n' > pub/one.md
  printf -- '---\npgae: release\n---\n本文\n' > pub/two.md
  "$kumihan" pub 2> err; rc=$?
  [ $rc -eq 1 ] || fail "exit $rc"
  for want in 'pub/one.md:2:1: error: unknown front matter key .titel.' \
              'pub/one.md:3:1: error: unknown front matter key .subtitel.' \
              'pub/publication.yaml:3:5: error: cannot read part .missing.md.' \
              'pub/two.md:2:1: error: unknown front matter key .pgae.'; do
    grep -q "^$want" err || fail "missing: $want; got: $(grep error: err)"
  done
  ok "4 errors in one run"
  ;;
layout-path)
  # a layout beside the publication; a misspelt name at its line; the path
  mkdir -p pub mylayouts other
  cp "$seed"/*.md pub/
  sed 's/^  chars: 45/  chars: 30/' "$src/layout/press-release.yaml" > pub/narrow.yaml
  sed 's/^layout: .*/layout: .\/narrow.yaml/' "$seed/publication.yaml" > pub/publication.yaml
  "$kumihan" pub -o narrow.pdf || fail "layout: ./narrow.yaml: exit $?"
  is_pdf narrow.pdf
  sed 's/^layout: .*/layout: press-relase/' "$seed/publication.yaml" > pub/publication.yaml
  "$kumihan" pub -o typo.pdf 2> err; rc=$?
  [ $rc -eq 1 ] || fail "typo: exit $rc"
  grep -q "^pub/publication.yaml:7:9: error: no layout named 'press-relase' in the layout search path (known: .*press-release" err ||
    fail "typo: $(cat err)"
  # KUMIHAN_LAYOUT_PATH: colon-separated, searched in order, before the data
  sed 's/^layout: .*/layout: wide/' "$seed/publication.yaml" > pub/publication.yaml
  sed 's/^  chars: 45/  chars: 40/' "$src/layout/press-release.yaml" > other/wide.yaml
  KUMIHAN_LAYOUT_PATH="$out/mylayouts:$out/other" "$kumihan" pub -o wide.pdf || fail "KUMIHAN_LAYOUT_PATH: exit $?"
  KUMIHAN_LAYOUT_PATH="$out/mylayouts" "$kumihan" pub -o no.pdf 2> /dev/null && fail "found wide.yaml outside the path"
  # KUMIHAN_FONT_PATH: a font file only there
  mkdir fonts2 && cp "$src/fonts/BIZUDMincho-Regular.ttf" fonts2/Renamed.ttf
  sed 's/^layout: .*/layout: .\/renamed.yaml/' "$seed/publication.yaml" > pub/publication.yaml
  sed 's/BIZUDMincho-Regular.ttf/Renamed.ttf/' "$src/layout/press-release.yaml" > pub/renamed.yaml
  "$kumihan" pub -o r.pdf 2> err && fail "Renamed.ttf found without KUMIHAN_FONT_PATH"
  grep -q "cannot read font 'mincho': no file 'Renamed.ttf'" err || fail "$(cat err)"
  KUMIHAN_FONT_PATH="$out/fonts2" "$kumihan" pub -o r.pdf || fail "KUMIHAN_FONT_PATH: exit $?"
  pdffonts r.pdf | grep -q BIZUDMincho || fail "the renamed font is not used"
  ok "./narrow.yaml, typo at 7:9, KUMIHAN_LAYOUT_PATH, KUMIHAN_FONT_PATH"
  ;;
new)
  # a new release from the template builds without a warning
  "$kumihan" new rel > /dev/null || fail "exit $?"
  for k in title subtitle date date-iso issuer contact layout page label lang; do
    grep -q "^$k:" rel/release.md || fail "front-matter key $k not shown"
  done
  "$kumihan" --werror rel -o rel.pdf || fail "the template does not build cleanly"
  [ "$(pages rel.pdf)" -eq 2 ] || fail "$(pages rel.pdf) pages"
  "$kumihan" new rel 2> /dev/null; rc=$?
  [ $rc -eq 1 ] || fail "over an existing folder: exit $rc"
  ok "kumihan new: every key shown, builds with --werror"
  ;;
watch)
  # --watch rebuilds when a part changes: a new PDF, one line per build
  cp -r "$seed" pub
  "$kumihan" --watch pub -o w.pdf 2> log &
  pid=$!
  trap 'kill $pid 2> /dev/null' EXIT
  i=0
  while [ "$(grep -c 'pages' log)" -lt 1 ]; do
    i=$((i + 1)); [ $i -le 600 ] || fail "no first build in 60 s: $(cat log)"; sleep 0.1
  done
  is_pdf w.pdf
  pdftotext w.pdf - | grep -q 追記した一文 && fail "text there before the edit"
  sleep 0.2
  printf '\n追記した一文です。\n' >> pub/attachment.md
  i=0
  while [ "$(grep -c 'pages' log)" -lt 2 ]; do
    i=$((i + 1)); [ $i -le 600 ] || fail "no rebuild in 60 s: $(cat log)"; sleep 0.1
  done
  is_pdf w.pdf
  pdftotext w.pdf - | tr -d '\n' | grep -q 追記した一文 || fail "the new PDF lacks the edit"
  # a font's or layout's change is seen too: the layout here
  sed 's/^  chars: 45/  chars: 40/' "$src/layout/press-release.yaml" > pub/l.yaml
  sed -i 's/^layout: .*/layout: .\/l.yaml/' pub/publication.yaml
  i=0
  while [ "$(grep -c 'pages' log)" -lt 3 ]; do
    i=$((i + 1)); [ $i -le 600 ] || fail "no rebuild after publication.yaml: $(cat log)"; sleep 0.1
  done
  # replaced by rename, as editors save
  sed 's/^  chars: 40/  chars: 35/' pub/l.yaml > l.new && mv l.new pub/l.yaml
  i=0
  while [ "$(grep -c 'pages' log)" -lt 4 ]; do
    i=$((i + 1)); [ $i -le 600 ] || fail "no rebuild after the layout was replaced: $(cat log)"; sleep 0.1
  done
  kill $pid; wait $pid; rc=$?
  trap - EXIT
  [ $rc -eq 0 ] || fail "exit $rc after SIGTERM"
  grep -Eq '^\[[0-9]{2}:[0-9]{2}:[0-9]{2}\] pub: [0-9]+ pages -> w.pdf, 0 warnings$' log || fail "line: $(cat log)"
  ls -a . pub | grep -q 'tmp' && fail "temporary file left: $(ls -a . pub)"
  ok "$(grep -c pages log) builds: $(tail -n 1 log)"
  ;;
*)
  fail "unknown case"
  ;;
esac
