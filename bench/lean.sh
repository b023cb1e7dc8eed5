#!/usr/bin/env bash
# bench/lean.sh [BUILD_DIR] — the publication's wall time beside upLaTeX +
# dvipdfmx (issue 9: kumihan <= 0.06 x upLaTeX), measured side by side: the
# two take turns RUNS times (default 15) in one session, so both see the
# same load, and the medians are compared.  Each run is timed by
# bench/abtime.c (built here with cc) from fork to exit, and both are run
# through `sh -c` alike (upLaTeX needs two commands); kumihan's run without
# the shell is given beside.  CPU time (user + system) of the whole run
# beside the wall.  Then the bytes of the publication's PDF and of the
# 300-page document's (bench/make-long.sh).  Prints markdown; asserts
# nothing (a measurement, not a test).
#
#   bench/lean.sh build
#   RUNS=31 bench/lean.sh build
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
BUILD=$(cd "${1:-$ROOT/build}" && pwd) || exit 1
KUMIHAN=$BUILD/kumihan
RUNS=${RUNS:-15}
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

cc -O2 -o "$WORK/abtime" "$HERE/abtime.c" || { echo "cannot build bench/abtime.c" >&2; exit 1; }
PUB=$ROOT/content/smartcity-2022-03-31
# kumihan through sh, upLaTeX + dvipdfmx through sh, kumihan alone
(cd "$WORK/u" && "$WORK/abtime" "$RUNS" \
   -- sh -c "exec '$KUMIHAN' '$PUB' -o '$WORK/k.pdf'" \
   -- sh -c "uplatex -interaction=nonstopmode smartcity.tex && dvipdfmx -q smartcity.dvi" \
   -- "$KUMIHAN" "$PUB" -o "$WORK/k2.pdf") >"$WORK/times" || { echo "a run failed" >&2; exit 1; }
{ read -r kw _ _ kc; read -r tw _ _ tc; read -r dw _ _ dc; } <"$WORK/times"
TEXSEED=$HERE/uplatex/smartcity.tex "$HERE/make-long.sh" 300 "$WORK/l300" >/dev/null
"$KUMIHAN" "$WORK/l300/pub" -o "$WORK/l300.pdf" >/dev/null 2>&1 || { echo "kumihan failed on 300 pages" >&2; exit 1; }
echo "Measured $(date -u '+%Y-%m-%d %H:%M') UTC, $RUNS alternating runs, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| | kumihan | upLaTeX + dvipdfmx | ratio |"
echo "|---|---|---|---|"
echo "| publication, wall (median), both through sh | $kw ms | $tw ms | $(awk -v a="$kw" -v b="$tw" 'BEGIN { printf "%.4f", a / b }') |"
echo "| publication, CPU (median), both through sh | $kc ms | $tc ms | $(awk -v a="$kc" -v b="$tc" 'BEGIN { printf "%.4f", a / b }') |"
echo "| publication, wall (median), kumihan alone | $dw ms (CPU $dc ms) | | $(awk -v a="$dw" -v b="$tw" 'BEGIN { printf "%.4f", a / b }') |"
echo "| publication, PDF bytes | $(stat -c %s "$WORK/k.pdf") | $(stat -c %s "$WORK/u/smartcity.pdf") | |"
echo "| 300 pages, PDF bytes | $(stat -c %s "$WORK/l300.pdf") | | |"
