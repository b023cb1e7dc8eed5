#!/usr/bin/env bash
# bench/scale.sh [BUILD_DIR] — the lean-output benchmark: wall time, CPU
# time (user + system, steadier than wall time when the machine is shared),
# peak RSS and PDF bytes of kumihan on the publication and on documents of 10,
# 100, 300, 1,000 and 3,000 pages (bench/make-long.sh), medians of RUNS
# runs (default 5), side by side with upLaTeX + dvipdfmx on the publication
# and 300 pages when uplatex is installed (bench/setup-peers.sh).  Prints a
# markdown table; asserts nothing (a measurement, not a test).
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

# measure DIR CMD... : RUNS runs; sets WALL (median s), CPU (median user +
# system s: steadier than wall time on a shared machine), RSS (median KiB)
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
measure() {
  local dir=$1; shift
  local i walls="" cpus="" rsss=""
  for ((i = 0; i < RUNS; i++)); do
    (cd "$dir" && /usr/bin/time -f '%e %U %S %M' -o "$WORK/t" "$@" >/dev/null 2>&1) || { WALL=fail; CPU=fail; RSS=fail; return 1; }
    read -r w u s r <"$WORK/t"
    walls+="$w"$'\n' rsss+="$r"$'\n'
    cpus+=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')$'\n'
  done
  WALL=$(printf '%s' "$walls" | median)
  CPU=$(printf '%s' "$cpus" | median)
  RSS=$(printf '%s' "$rsss" | median)
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
kb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1000 }'; }

echo "| case | pages | kumihan wall (median of $RUNS) | kumihan CPU | CPU ms / page | peak RSS (MiB) | PDF (kB) | upLaTeX + dvipdfmx wall | upLaTeX CPU | upLaTeX PDF (kB) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
row() { # LABEL INPUT [TEXDIR TEXBASE]
  local label=$1 input=$2 texdir=${3:-} texbase=${4:-}
  measure "$WORK" "$KUMIHAN" "$input" -o "$WORK/k.pdf"
  local kw=$WALL kc=$CPU kr=$RSS bytes pages
  bytes=$(stat -c %s "$WORK/k.pdf") pages=$(pdfinfo "$WORK/k.pdf" | awk '/^Pages:/ { print $2 }')
  local uw=— uc=— ub=—
  if [ -n "$texdir" ] && command -v uplatex >/dev/null && command -v dvipdfmx >/dev/null; then
    (cd "$texdir" && uplatex -interaction=nonstopmode "$texbase.tex" >/dev/null 2>&1 &&
      uplatex -interaction=nonstopmode "$texbase.tex" >/dev/null 2>&1)
    if measure "$texdir" sh -c "uplatex -interaction=nonstopmode $texbase.tex && dvipdfmx -q $texbase.dvi"; then
      uw="$WALL s" uc="$CPU s" ub=$(kb "$(stat -c %s "$texdir/$texbase.pdf")")
    else uw="failed"; fi
  fi
  echo "| $label | $pages | $kw s | $kc s | $(awk -v w="$kc" -v p="$pages" 'BEGIN { printf "%.2f", w * 1000 / p }') | $(mib "$kr") | $(kb "$bytes") | $uw | $uc | $ub |"
}
mkdir -p "$WORK/pub-u"
cp "$HERE/uplatex/smartcity.tex" "$WORK/pub-u/"
row publication "$ROOT/content/smartcity-2022-03-31" "$WORK/pub-u" smartcity
for n in $SIZES; do
  TEXSEED=$HERE/uplatex/smartcity.tex "$HERE/make-long.sh" "$n" "$WORK/l$n" >/dev/null
  if [ "$n" = 300 ]; then row "$n pages" "$WORK/l$n/pub" "$WORK/l$n" long
  else row "$n pages" "$WORK/l$n/pub"; fi
done
