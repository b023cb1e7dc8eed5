#!/usr/bin/env bash
# bench/lean.sh [BUILD_DIR] — the publication's wall time beside upLaTeX +
# dvipdfmx (issue 9: kumihan <= 0.06 x upLaTeX), measured side by side: the
# two are run alternately RUNS times (default 9) in one session, so both see
# the same load, and the medians are compared.  Wall time is taken with
# nanosecond clock readings around each run (GNU time counts in hundredths
# of a second, too coarse for kumihan); CPU time (user + system) from GNU
# time beside it.  Then the bytes of the publication's PDF and of the
# 300-page document's (bench/make-long.sh).  Prints markdown; asserts
# nothing (a measurement, not a test).
#
#   bench/lean.sh build
#   RUNS=15 bench/lean.sh build
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
BUILD=$(cd "${1:-$ROOT/build}" && pwd) || exit 1
KUMIHAN=$BUILD/kumihan
RUNS=${RUNS:-9}
export SOURCE_DATE_EPOCH=0 LC_ALL=C.UTF-8
export TTFONTS=$ROOT/fonts//   # dvipdfmx finds the BIZ UD fonts of this tree
command -v uplatex >/dev/null && command -v dvipdfmx >/dev/null ||
  { echo "uplatex and dvipdfmx are needed: bench/setup-peers.sh" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kumihan-lean.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/u"
cp "$HERE/uplatex/smartcity.tex" "$WORK/u/"
# settle upLaTeX's auxiliary files before timing
(cd "$WORK/u" && for i in 1 2; do uplatex -interaction=nonstopmode smartcity.tex >/dev/null 2>&1; done)

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# timed DIR CMD...: appends "wall_s cpu_s" of one run to $WORK/times
timed() {
  local dir=$1; shift
  local t0 t1
  t0=$(date +%s%N)
  (cd "$dir" && /usr/bin/time -f '%U %S' -o "$WORK/cpu" "$@" >/dev/null 2>&1) || return 1
  t1=$(date +%s%N)
  read -r u s <"$WORK/cpu"
  awk -v a="$t0" -v b="$t1" -v u="$u" -v s="$s" 'BEGIN { printf "%.4f %.2f\n", (b - a) / 1e9, u + s }'
}
: >"$WORK/k" ; : >"$WORK/t"
for ((i = 0; i < RUNS; i++)); do
  timed "$WORK" "$KUMIHAN" "$ROOT/content/smartcity-2022-03-31" -o "$WORK/k.pdf" >>"$WORK/k" || { echo "kumihan failed" >&2; exit 1; }
  timed "$WORK/u" sh -c "uplatex -interaction=nonstopmode smartcity.tex && dvipdfmx -q smartcity.dvi" >>"$WORK/t" || { echo "upLaTeX failed" >&2; exit 1; }
done
kw=$(awk '{ print $1 }' "$WORK/k" | median) kc=$(awk '{ print $2 }' "$WORK/k" | median)
tw=$(awk '{ print $1 }' "$WORK/t" | median) tc=$(awk '{ print $2 }' "$WORK/t" | median)
TEXSEED=$HERE/uplatex/smartcity.tex "$HERE/make-long.sh" 300 "$WORK/l300" >/dev/null
"$KUMIHAN" "$WORK/l300/pub" -o "$WORK/l300.pdf" >/dev/null 2>&1 || { echo "kumihan failed on 300 pages" >&2; exit 1; }
echo "Measured $(date -u '+%Y-%m-%d %H:%M') UTC, $RUNS alternating runs, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| | kumihan | upLaTeX + dvipdfmx | ratio |"
echo "|---|---|---|---|"
echo "| publication, wall (median) | $(awk -v x="$kw" 'BEGIN { printf "%.1f ms", x * 1000 }') | $(awk -v x="$tw" 'BEGIN { printf "%.1f ms", x * 1000 }') | $(awk -v a="$kw" -v b="$tw" 'BEGIN { printf "%.3f", a / b }') |"
echo "| publication, CPU (median) | $kc s | $tc s | $(awk -v a="$kc" -v b="$tc" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "—" }') |"
echo "| publication, PDF bytes | $(stat -c %s "$WORK/k.pdf") | $(stat -c %s "$WORK/u/smartcity.pdf") | |"
echo "| 300 pages, PDF bytes | $(stat -c %s "$WORK/l300.pdf") | | |"
