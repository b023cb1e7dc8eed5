#!/usr/bin/env bash
# bench/scale.sh [BUILD_DIR] — the lean-output benchmark: wall time, CPU
# time (user + system, steadier than wall time when the machine is shared),
# peak RSS and PDF bytes of kumihan on the publication and on documents of 10,
# 100, 300, 1,000 and 3,000 pages (bench/make-long.sh), medians of RUNS
# runs (default 5), side by side with upLaTeX + dvipdfmx on the publication
# and 300 pages when uplatex is installed (bench/setup-peers.sh): the two
# take turns (bench/abtime.c, which times each run from fork to exit).
# CPU ms a page is the run's CPU time over its pages; the column after it,
# the CPU time each page added costs since the row above (the difference of
# the two runs over the difference of their pages), leaves out what a run
# costs whatever its length.  Peak RSS from one more run under GNU time.
# Prints a markdown table; asserts nothing (a measurement, not a test).
#
#   bench/scale.sh build            # all sizes
#   SIZES="10 300" RUNS=7 bench/scale.sh build
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
BUILD=$(cd "${1:-$ROOT/build}" && pwd) || exit 1
KUMIHAN=$BUILD/kumihan
RUNS=${RUNS:-5}
SIZES=${SIZES:-10 100 300 1000 3000}
export SOURCE_DATE_EPOCH=0 LC_ALL=C.UTF-8
# dvipdfmx finds the BIZ UD fonts of this tree (kpathsea)
export TTFONTS=$ROOT/fonts//
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kumihan-scale.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

cc -O2 -o "$WORK/abtime" "$HERE/abtime.c" || { echo "cannot build bench/abtime.c" >&2; exit 1; }
# measure DIR CMD... [-- CMD2...]: RUNS runs of each, taking turns; sets
# WALL and CPU (medians, s) of CMD and WALL2 and CPU2 of CMD2
measure() {
  local dir=$1; shift
  (cd "$dir" && "$WORK/abtime" "$RUNS" -- "$@") >"$WORK/t" || { WALL=fail; CPU=fail; return 1; }
  { read -r w _ _ c; read -r w2 _ _ c2; } <"$WORK/t"
  WALL=$(awk -v x="$w" 'BEGIN { printf "%.3f", x / 1000 }') CPU=$(awk -v x="$c" 'BEGIN { printf "%.3f", x / 1000 }')
  WALL2=$(awk -v x="${w2:-0}" 'BEGIN { printf "%.3f", x / 1000 }') CPU2=$(awk -v x="${c2:-0}" 'BEGIN { printf "%.3f", x / 1000 }')
}
# rss CMD...: peak RSS (KiB) of one run
rss() { /usr/bin/time -f '%M' -o "$WORK/r" "$@" >/dev/null 2>&1 && cat "$WORK/r"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
kb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1000 }'; }

echo "| case | pages | kumihan wall (median of $RUNS) | kumihan CPU | CPU ms / page | CPU ms / page added | peak RSS (MiB) | PDF (kB) | upLaTeX + dvipdfmx wall | upLaTeX CPU | upLaTeX PDF (kB) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
PREV_CPU="" PREV_PAGES=""
row() { # LABEL INPUT [TEXDIR TEXBASE]
  local label=$1 input=$2 texdir=${3:-} texbase=${4:-}
  local uw=— uc=— ub=— kw kc kr bytes pages added=—
  if [ -n "$texdir" ] && command -v uplatex >/dev/null && command -v dvipdfmx >/dev/null; then
    (cd "$texdir" && uplatex -interaction=nonstopmode "$texbase.tex" >/dev/null 2>&1 &&
      uplatex -interaction=nonstopmode "$texbase.tex" >/dev/null 2>&1)
    if measure "$texdir" "$KUMIHAN" "$input" -o "$WORK/k.pdf" -- sh -c "uplatex -interaction=nonstopmode $texbase.tex && dvipdfmx -q $texbase.dvi"; then
      uw="$WALL2 s" uc="$CPU2 s" ub=$(kb "$(stat -c %s "$texdir/$texbase.pdf")")
    else uw="failed"; fi
  else
    measure "$WORK" "$KUMIHAN" "$input" -o "$WORK/k.pdf"
  fi
  kw=$WALL kc=$CPU
  kr=$(rss "$KUMIHAN" "$input" -o "$WORK/k.pdf")
  bytes=$(stat -c %s "$WORK/k.pdf") pages=$(pdfinfo "$WORK/k.pdf" | awk '/^Pages:/ { print $2 }')
  if [ -n "$PREV_PAGES" ] && [ "$pages" -gt "$PREV_PAGES" ]; then
    added=$(awk -v a="$kc" -v b="$PREV_CPU" -v p="$pages" -v q="$PREV_PAGES" 'BEGIN { printf "%.3f", (a - b) * 1000 / (p - q) }')
  fi
  [ "$label" = publication ] || { PREV_CPU=$kc PREV_PAGES=$pages; }
  echo "| $label | $pages | $kw s | $kc s | $(awk -v w="$kc" -v p="$pages" 'BEGIN { printf "%.3f", w * 1000 / p }') | $added | $(mib "$kr") | $(kb "$bytes") | $uw | $uc | $ub |"
}
mkdir -p "$WORK/pub-u"
cp "$HERE/uplatex/smartcity.tex" "$WORK/pub-u/"
row publication "$ROOT/content/smartcity-2022-03-31" "$WORK/pub-u" smartcity
for n in $SIZES; do
  TEXSEED=$HERE/uplatex/smartcity.tex "$HERE/make-long.sh" "$n" "$WORK/l$n" >/dev/null
  if [ "$n" = 300 ]; then row "$n pages" "$WORK/l$n/pub" "$WORK/l$n" long
  else row "$n pages" "$WORK/l$n/pub"; fi
done
