#!/usr/bin/env bash
# bench/run.sh [BUILD_DIR] — measure kumihan side by side with LuaLaTeX +
# LuaTeX-ja in one run and write BENCHMARKS.md at the top of the repository.
#
#   BUILD_DIR  where the kumihan binary was built (default: build/ in this tree)
#
# Cases:
#   * the publication content/smartcity-2022-03-31/ (kumihan) against its
#     hand-written equivalent bench/lualatex/smartcity.tex (LuaLaTeX);
#   * long documents of about 10, 100 and 1,000 pages made by
#     bench/make-long.sh (the seed release body repeated), for both.
#
# For each case: wall time (hyperfine if installed, else a loop timed with
# date +%s%N), peak RSS of one separate run (/usr/bin/time -f %M), PDF size
# (stat) and page count (pdfinfo). LuaLaTeX is run twice untimed before it
# is timed, so that its .aux/.out files are settled; each timed figure is
# a single lualatex run. LuaLaTeX on the
# 1,000-page document is skipped when a run is estimated (from the 10- and
# 100-page runs) to take over LUALATEX_1000_LIMIT seconds (default 60); set
# LUALATEX_1000=always or never to override.
#
# Everything runs in a temporary directory (kept if KEEP=1) with
# SOURCE_DATE_EPOCH=0. This is a measurement, not a test: it asserts no
# timings and exits 0 even when a target is missed; it exits non-zero only
# when it cannot run at all.
#
# Tools: bash, awk, stat, mktemp; lualatex (Debian texlive-luatex +
# texlive-lang-japanese) and the BIZ UD fonts (fonts-morisawa-bizud-*);
# optional: hyperfine, pdfinfo (poppler-utils), GNU time as /usr/bin/time.
# Check for GNU time with `apt list --installed 2>/dev/null | grep -w time`;
# if it is missing, the caller may install the Debian package `time`
# (apt-get install time). Without it, peak RSS is read from
# getrusage(RUSAGE_CHILDREN) through python3 if present, else reported n/a.
#
# Environment: BENCH_OUT (default <repo>/BENCHMARKS.md), KEEP=1,
# LUALATEX_1000=auto|always|never, LUALATEX_1000_LIMIT=60, REPS_PER_PAGE
# (passed to make-long.sh); the tools HYPERFINE, TIME_BIN, PYTHON, PDFINFO,
# LUALATEX (paths; empty to do without, e.g. TIME_BIN= to try the fallback).
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
# an absolute build folder: the cases run in a temporary folder
BUILD=$(cd "${1:-$ROOT/build}" && pwd) || exit 1
KUMIHAN=$BUILD/kumihan
OUT_MD=${BENCH_OUT:-$ROOT/BENCHMARKS.md}
SEED=$ROOT/content/smartcity-2022-03-31
LUALATEX_1000=${LUALATEX_1000:-auto}
LUALATEX_1000_LIMIT=${LUALATEX_1000_LIMIT:-60}
export SOURCE_DATE_EPOCH=0
export LC_ALL=C.UTF-8

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

[ -d "$SEED" ] || die "no seed publication at $SEED"
[ -r "$HERE/lualatex/smartcity.tex" ] || die "no $HERE/lualatex/smartcity.tex"
[ -x "$HERE/make-long.sh" ] || die "no executable $HERE/make-long.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kumihan-bench.XXXXXX") || die "mktemp failed"
if [ "${KEEP:-0}" = 1 ]; then
  say "keeping the work directory $WORK"
else
  trap 'rm -rf "$WORK"' EXIT
fi

# --- tools -----------------------------------------------------------------
# Each may be overridden from the environment; set to empty to do without.
HYPERFINE=${HYPERFINE-$(command -v hyperfine || true)}
TIME_BIN=${TIME_BIN-/usr/bin/time}
if [ -n "$TIME_BIN" ] && ! "$TIME_BIN" -f %M true >/dev/null 2>&1; then
  TIME_BIN=   # missing, or not GNU time
fi
PYTHON=${PYTHON-$(command -v python3 || true)}
PDFINFO=${PDFINFO-$(command -v pdfinfo || true)}
LUALATEX=${LUALATEX-$(command -v lualatex || true)}
if [ -n "$TIME_BIN" ]; then RSS_TOOL="GNU time (\`$TIME_BIN -f %M\`)"
elif [ -n "$PYTHON" ]; then RSS_TOOL="getrusage(RUSAGE_CHILDREN) via python3 (GNU time not installed)"
else RSS_TOOL="none (neither /usr/bin/time nor python3: RSS n/a)"; fi
if [ -n "$HYPERFINE" ]; then TIME_TOOL="$(hyperfine --version) (\`-N\`, no shell)"
else TIME_TOOL="a loop timed with \`date +%s%N\` (hyperfine not installed)"; fi

HAVE_KUMIHAN=1
KUMIHAN_WHY=
if [ ! -x "$KUMIHAN" ]; then
  HAVE_KUMIHAN=0
  KUMIHAN_WHY="no executable $KUMIHAN (not built?)"
  say "warning: $KUMIHAN_WHY; measuring LuaLaTeX only"
fi
[ -n "$LUALATEX" ] || say "warning: lualatex not found; measuring kumihan only"

PROBLEMS=()   # lines for the "Problems" section

# --- measuring ---------------------------------------------------------------
# peak_rss DIR LOG CMD... : run CMD once in DIR, stdout+stderr to LOG;
# sets RC and RSS_KB (KiB, or empty), and SECS (wall seconds of that run).
peak_rss() {
  local dir=$1 log=$2; shift 2
  local rf=$WORK/rss.$$ t0 t1
  RSS_KB=
  t0=$(date +%s%N)
  if [ -n "$TIME_BIN" ]; then
    (cd "$dir" && "$TIME_BIN" -f %M -o "$rf" "$@" >"$log" 2>&1)
    RC=$?
    RSS_KB=$(tail -n 1 "$rf" 2>/dev/null | tr -dc 0-9)
  elif [ -n "$PYTHON" ]; then
    (cd "$dir" && "$PYTHON" -c '
import resource, subprocess, sys
with open(sys.argv[2], "w") as log:
    rc = subprocess.call(sys.argv[3:], stdout=log, stderr=subprocess.STDOUT)
open(sys.argv[1], "w").write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc if rc >= 0 else 128 - rc)' "$rf" "$log" "$@")
    RC=$?
    RSS_KB=$(tr -dc 0-9 <"$rf" 2>/dev/null)
  else
    (cd "$dir" && "$@" >"$log" 2>&1)
    RC=$?
  fi
  t1=$(date +%s%N)
  SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", (b - a) / 1e9 }')
  rm -f "$rf"
}

# time_cmd DIR RUNS WARMUP CMD... : sets T_MEAN T_SD T_MIN (seconds), T_RUNS.
time_cmd() {
  local dir=$1 runs=$2 warm=$3; shift 3
  T_MEAN= T_SD= T_MIN= T_RUNS=$runs
  if [ -n "$HYPERFINE" ]; then
    local csv=$WORK/hf.$$.csv cmd="" a
    for a in "$@"; do cmd+="${cmd:+ }$(printf '%q' "$a")"; done
    (cd "$dir" && "$HYPERFINE" -N --style none --runs "$runs" --warmup "$warm" \
      --export-csv "$csv" -- "$cmd" >/dev/null 2>"$WORK/hf.err") || {
      say "hyperfine failed: $(head -n 3 "$WORK/hf.err")"; return 1; }
    # command,mean,stddev,median,user,system,min,max (command may hold commas)
    read -r T_MEAN T_SD T_MIN < <(tail -n 1 "$csv" |
      awk -F, '{ print $(NF-6), ($(NF-5) == "" ? 0 : $(NF-5)), $(NF-1) }')
    rm -f "$csv"
  else
    local i t0 t1 list=""
    for ((i = 0; i < warm; i++)); do (cd "$dir" && "$@" >/dev/null 2>&1); done
    for ((i = 0; i < runs; i++)); do
      t0=$(date +%s%N)
      (cd "$dir" && "$@" >/dev/null 2>&1) || return 1
      t1=$(date +%s%N)
      list+=" $((t1 - t0))"
    done
    read -r T_MEAN T_SD T_MIN < <(echo "$list" | awk '{
      for (i = 1; i <= NF; i++) { x = $i / 1e9; s += x; q += x * x; if (i == 1 || x < m) m = x }
      mean = s / NF; v = NF > 1 ? (q - NF * mean * mean) / (NF - 1) : 0; if (v < 0) v = 0
      printf "%.9f %.9f %.9f\n", mean, sqrt(v), m }')
  fi
}

# runs_for SECONDS BUDGET MIN MAX : how many timed runs fit in BUDGET seconds.
runs_for() {
  awk -v t="$1" -v b="$2" -v lo="$3" -v hi="$4" 'BEGIN {
    n = (t > 0) ? int(b / t + 0.999) : hi; if (n < lo) n = lo; if (n > hi) n = hi; print n }'
}

pages_of() { # PDF -> page count or "?"
  local p=""
  [ -n "$PDFINFO" ] && p=$("$PDFINFO" "$1" 2>/dev/null | awk '/^Pages:/ { print $2 }')
  echo "${p:-?}"
}

# Results, by case key: K_T K_SD K_N K_RSS K_PDF K_PG K_ERR, and L_* likewise.
declare -A K_T K_SD K_N K_RSS K_PDF K_PG K_ERR L_T L_SD L_N L_RSS L_PDF L_PG L_ERR

# bench_kumihan KEY INPUT DIR
bench_kumihan() {
  local key=$1 input=$2 dir=$3 out=$3/out.pdf
  if [ $HAVE_KUMIHAN = 0 ]; then K_ERR[$key]="not built"; return; fi
  say "kumihan: $key"
  peak_rss "$dir" "$dir/kumihan.log" "$KUMIHAN" "$input" -o "$out"
  if [ $RC -ne 0 ] || [ ! -s "$out" ]; then
    K_ERR[$key]="failed (exit $RC)"
    PROBLEMS+=("kumihan failed on **$key** (exit $RC): \`kumihan $input -o $out\` said: \`$(head -n 3 "$dir/kumihan.log" | tr '\n' ' ' | cut -c1-300)\`")
    say "kumihan failed on $key (exit $RC): $(head -n 3 "$dir/kumihan.log")"
    return
  fi
  K_RSS[$key]=$RSS_KB
  K_PDF[$key]=$(stat -c %s "$out")
  K_PG[$key]=$(pages_of "$out")
  [ "${K_PG[$key]}" = "?" ] && [ -n "$PDFINFO" ] &&
    PROBLEMS+=("pdfinfo cannot read kumihan's PDF for **$key**.")
  local runs warm=3
  runs=$(runs_for "$SECS" 3 3 30)
  awk -v t="$SECS" 'BEGIN { exit !(t > 1) }' && warm=1
  if time_cmd "$dir" "$runs" "$warm" "$KUMIHAN" "$input" -o "$out"; then
    K_T[$key]=$T_MEAN K_SD[$key]=$T_SD K_N[$key]=$T_RUNS
  else
    K_ERR[$key]="timing failed"
  fi
}

# bench_lualatex KEY TEXFILE PREPS BUDGET : TEXFILE is in its own directory;
# PREPS untimed runs (the last one measures peak RSS), then timed runs.
bench_lualatex() {
  local key=$1 tex=$2 preps=$3 budget=$4
  local dir base i
  dir=$(dirname "$tex") base=$(basename "$tex" .tex)
  if [ -z "$LUALATEX" ]; then L_ERR[$key]="no lualatex"; return; fi
  say "lualatex: $key ($preps untimed runs, then timed runs)"
  for ((i = 1; i < preps; i++)); do
    (cd "$dir" && "$LUALATEX" -interaction=nonstopmode "$base.tex" >/dev/null 2>&1)
  done
  # The last settling run gives the peak RSS.
  peak_rss "$dir" "$dir/lualatex.log" "$LUALATEX" -interaction=nonstopmode "$base.tex"
  if [ $RC -ne 0 ] || [ ! -s "$dir/$base.pdf" ]; then
    L_ERR[$key]="failed (exit $RC)"
    PROBLEMS+=("lualatex failed on **$key** (exit $RC): see $base.log; last lines: $(grep -m 3 '^!' "$dir/$base.log" | tr '\n' ' ')")
    return
  fi
  L_RSS[$key]=$RSS_KB
  local runs
  runs=$(runs_for "$SECS" "$budget" 2 5)
  if time_cmd "$dir" "$runs" 0 "$LUALATEX" -interaction=nonstopmode "$base.tex"; then
    L_T[$key]=$T_MEAN L_SD[$key]=$T_SD L_N[$key]=$T_RUNS
  else
    L_ERR[$key]="timing failed"
  fi
  # The PDF of the last run, with the .aux/.out files settled.
  L_PDF[$key]=$(stat -c %s "$dir/$base.pdf")
  L_PG[$key]=$(pages_of "$dir/$base.pdf")
}

# --- the cases ---------------------------------------------------------------
T_START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
mkdir -p "$WORK/seed-k" "$WORK/seed-l"
cp -R "$SEED" "$WORK/seed-k/smartcity-2022-03-31"
cp "$HERE/lualatex/smartcity.tex" "$WORK/seed-l/"
bench_kumihan seed "$WORK/seed-k/smartcity-2022-03-31" "$WORK/seed-k"
bench_lualatex seed "$WORK/seed-l/smartcity.tex" 2 15

SIZES=(10 100 1000)
for n in "${SIZES[@]}"; do
  "$HERE/make-long.sh" "$n" "$WORK/long$n" >/dev/null || die "make-long.sh $n failed"
  mkdir -p "$WORK/long$n/k" "$WORK/long$n/l"
  mv "$WORK/long$n/long.tex" "$WORK/long$n/l/"
  REPS[$n]=$(sed -n 's/.*seed release body x \([0-9]*\).*/\1/p' "$WORK/long$n/pub/publication.yaml")
done

for n in "${SIZES[@]}"; do
  bench_kumihan "$n" "$WORK/long$n/pub" "$WORK/long$n/k"
done

L1000_NOTE=
for n in "${SIZES[@]}"; do
  if [ "$n" = 1000 ]; then
    est=
    if [ -n "${L_T[10]:-}" ] && [ -n "${L_T[100]:-}" ]; then
      est=$(awk -v a="${L_T[10]}" -v b="${L_T[100]}" 'BEGIN { printf "%.0f", a + (b - a) * 990 / 90 }')
    fi
    case $LUALATEX_1000 in
      never) L_ERR[1000]="skipped"; L1000_NOTE="LuaLaTeX was not run on the 1,000-page document (LUALATEX_1000=never)."; continue ;;
      always) ;;
      *)
        if [ -z "$est" ]; then
          L_ERR[1000]="skipped"; L1000_NOTE="LuaLaTeX was not run on the 1,000-page document: no 10/100-page figures to estimate its time from."; continue
        elif [ "$est" -gt "$LUALATEX_1000_LIMIT" ]; then
          L_ERR[1000]="skipped (est. ${est} s)"
          L1000_NOTE="LuaLaTeX was not run on the 1,000-page document: a run is estimated at ${est} s from the 10- and 100-page runs, over the ${LUALATEX_1000_LIMIT} s limit (set LUALATEX_1000=always to run it)."
          continue
        fi ;;
    esac
    bench_lualatex "$n" "$WORK/long$n/l/long.tex" 2 40
  else
    bench_lualatex "$n" "$WORK/long$n/l/long.tex" 2 15
  fi
done
T_END=$(date +%s)
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)

# --- the report ----------------------------------------------------------------
fmt_time() { # seconds [sd] -> "12.3 ms ± 0.4" / "2.51 s ± 0.03"
  awk -v t="$1" -v s="${2:-}" 'BEGIN {
    if (t < 1) { u = "ms"; f = 1000; p = (t < 0.01) ? 2 : 1 } else { u = "s"; f = 1; p = 2 }
    if (s != "") printf "%.*f %s ± %.*f", p, t * f, u, p, s * f
    else printf "%.*f %s", p, t * f, u }'
}
fmt_rss() { [ -n "${1:-}" ] && awk -v k="$1" 'BEGIN { printf "%.1f MB", k * 1024 / 1e6 }' || echo "n/a"; }
fmt_pdf() { [ -n "${1:-}" ] && awk -v b="$1" 'BEGIN { printf "%.1f kB", b / 1e3 }' || echo "n/a"; }

cell_k() { # KEY FIELD
  local key=$1
  if [ -n "${K_ERR[$key]:-}" ] && [ "$2" = t ]; then echo "${K_ERR[$key]}"; return; fi
  if [ -n "${K_ERR[$key]:-}" ]; then echo "—"; return; fi
  case $2 in
    t) [ -n "${K_T[$key]:-}" ] && fmt_time "${K_T[$key]}" "${K_SD[$key]}" || echo "n/a" ;;
    r) fmt_rss "${K_RSS[$key]:-}" ;;
    p) fmt_pdf "${K_PDF[$key]:-}" ;;
  esac
}
cell_l() {
  local key=$1
  if [ -n "${L_ERR[$key]:-}" ] && [ "$2" = t ]; then echo "${L_ERR[$key]}"; return; fi
  if [ -n "${L_ERR[$key]:-}" ]; then echo "—"; return; fi
  case $2 in
    t) [ -n "${L_T[$key]:-}" ] && fmt_time "${L_T[$key]}" "${L_SD[$key]}" || echo "n/a" ;;
    r) fmt_rss "${L_RSS[$key]:-}" ;;
    p) fmt_pdf "${L_PDF[$key]:-}" ;;
  esac
}
ratio() {
  local key=$1
  if [ -n "${K_T[$key]:-}" ] && [ -n "${L_T[$key]:-}" ]; then
    awk -v k="${K_T[$key]}" -v l="${L_T[$key]}" 'BEGIN { r = l / k; printf (r < 10 ? "%.1f×" : "%.0f×"), r }'
  else echo "—"; fi
}
pages_cell() { echo "${K_PG[$1]:-—} / ${L_PG[$1]:-—}"; }

# per_page KEY SIDE -> seconds per page (page count from pdfinfo, else N)
per_page() {
  local key=$1 side=$2 t pg
  if [ "$side" = k ]; then t=${K_T[$key]:-} pg=${K_PG[$key]:-}; else t=${L_T[$key]:-} pg=${L_PG[$key]:-}; fi
  [ -n "$t" ] || return 1
  case $pg in '' | '?') pg=$key ;; esac
  awk -v t="$t" -v p="$pg" 'BEGIN { printf "%.9f", t / p }'
}
flatness() { # SIDE -> "spread" line
  local side=$1 vals="" n v
  for n in "${SIZES[@]}"; do
    v=$(per_page "$n" "$side") || continue
    vals+=" $n:$v"
  done
  echo "$vals" | awk '{
    if (NF < 2) { print "n/a"; exit }
    for (i = 1; i <= NF; i++) { split($i, a, ":"); x = a[2] + 0; if (i == 1 || x < lo) { lo = x; ln = a[1] } if (i == 1 || x > hi) { hi = x; hn = a[1] } }
    s = (hi - lo) / lo * 100
    printf "%s|%.0f|%s|%s|%d\n", (s <= 25 ? "flat" : "not flat"), s, hn, ln, NF }'
}
label() { if [ "$1" = seed ]; then echo publication; else echo "$1 pages"; fi; }
marginal() { # SIDE A B -> seconds per extra page between the A- and B-page runs
  local t1 t2 p1 p2
  if [ "$1" = k ]; then t1=${K_T[$2]:-} t2=${K_T[$3]:-} p1=${K_PG[$2]:-} p2=${K_PG[$3]:-}
  else t1=${L_T[$2]:-} t2=${L_T[$3]:-} p1=${L_PG[$2]:-} p2=${L_PG[$3]:-}; fi
  [ -n "$t1" ] && [ -n "$t2" ] || return 1
  case "$p1$p2" in '' | *'?'*) p1=$2 p2=$3 ;; esac
  awk -v a="$t1" -v b="$t2" -v p="$p1" -v q="$p2" 'BEGIN { printf "%.9f", (b - a) / (q - p) }'
}
# marginal_flat SIDE -> "verdict|m1|m2|spread|fixed" (10->100 against 100->1000)
marginal_flat() {
  local m1 m2 t10 p10
  m1=$(marginal "$1" 10 100) && m2=$(marginal "$1" 100 1000) || return 1
  if [ "$1" = k ]; then t10=${K_T[10]} p10=${K_PG[10]:-10}; else t10=${L_T[10]} p10=${L_PG[10]:-10}; fi
  [ "$p10" = '?' ] && p10=10
  awk -v a="$m1" -v b="$m2" -v t="$t10" -v p="$p10" 'BEGIN {
    lo = a < b ? a : b; hi = a < b ? b : a; s = lo > 0 ? (hi - lo) / lo * 100 : 999
    printf "%s|%.9f|%.9f|%.0f|%.9f\n", (s <= 25 ? "flat" : "not flat"), a, b, s, t - p * a }'
}
met() { [ "$1" = 1 ] && echo "**met**" || echo "**not met**"; }

CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
[ -n "$CPU" ] || CPU=$(uname -m)
KVER=$([ $HAVE_KUMIHAN = 1 ] && "$KUMIHAN" --version 2>/dev/null | head -n 1)
LVER=$([ -n "$LUALATEX" ] && "$LUALATEX" --version 2>/dev/null | head -n 1)
GITREV=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)
RUN_CMD="bench/run.sh${1:+ $1}"

{
  echo "# Benchmarks: kumihan and LuaLaTeX + LuaTeX-ja"
  echo
  echo "Written by \`bench/run.sh\`; the figures are as measured in one run, not edited."
  echo
  echo "- Machine: $(nproc) CPUs, $CPU ($(uname -sr))"
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); the whole run took $((T_END - T_START)) s; load average (1/5/15 min) ${LOAD_START:-n/a} at the start, ${LOAD_END:-n/a} at the end (other work on the machine adds noise)"
  echo "- Command: \`$RUN_CMD\` (kumihan binary \`$KUMIHAN\`, source tree at \`$GITREV\`)"
  echo "- kumihan: ${KVER:-n/a}; LuaLaTeX: ${LVER:-n/a}, class ltjsarticle, luatexja-fontspec"
  echo "- Time: $TIME_TOOL; mean ± standard deviation of wall time over the runs given in the notes; LuaLaTeX figures are one \`lualatex\` run, timed after 2 untimed runs that settle its .aux/.out files"
  echo "- Peak RSS: $RSS_TOOL, one run; PDF size: \`stat\`; pages: \`pdfinfo\`. 1 MB = 10^6 bytes, 1 kB = 10^3 bytes"
  echo "- \`SOURCE_DATE_EPOCH=0\`; everything runs in a temporary directory"
  echo
  echo "Cases: **publication** is \`content/smartcity-2022-03-31\` (release + attachment) for kumihan and"
  echo "\`bench/lualatex/smartcity.tex\`, the same text and structure by hand, for LuaLaTeX. **N pages** are"
  echo "made by \`bench/make-long.sh N\`: the seed release body repeated (10: ${REPS[10]:-?}×, 100: ${REPS[100]:-?}×,"
  echo "1,000: ${REPS[1000]:-?}×), as a kumihan publication and as LuaLaTeX source with the same preamble."
  echo
  echo "| case | pages (kumihan / LuaLaTeX) | kumihan time | kumihan RSS | kumihan PDF | LuaLaTeX time | LuaLaTeX RSS | LuaLaTeX PDF | ratio (LuaLaTeX time / kumihan time) |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for key in seed "${SIZES[@]}"; do
    echo "| $(label "$key") | $(pages_cell "$key") | $(cell_k "$key" t) | $(cell_k "$key" r) | $(cell_k "$key" p) | $(cell_l "$key" t) | $(cell_l "$key" r) | $(cell_l "$key" p) | $(ratio "$key") |"
  done
  echo
  runs_note=""
  for key in seed "${SIZES[@]}"; do
    runs_note+="$(label "$key"): kumihan ${K_N[$key]:-0}, LuaLaTeX ${L_N[$key]:-0}; "
  done
  echo "Timed runs per case: ${runs_note%; }."
  [ -n "$L1000_NOTE" ] && { echo; echo "$L1000_NOTE"; }
  echo
  echo "## Time per page"
  echo
  echo "Wall time divided by the pages of the output."
  echo
  echo "| document | kumihan pages | kumihan time / page | LuaLaTeX pages | LuaLaTeX time / page |"
  echo "|---|---|---|---|---|"
  for n in "${SIZES[@]}"; do
    kp=$(per_page "$n" k) && kp=$(fmt_time "$kp") || kp="—"
    lp=$(per_page "$n" l) && lp=$(fmt_time "$lp") || lp="—"
    echo "| $n pages | ${K_PG[$n]:-—} | $kp | ${L_PG[$n]:-—} | $lp |"
  done
  echo
  for side in k l; do
    if [ $side = k ]; then who=kumihan; else who=LuaLaTeX; fi
    f=$(flatness $side)
    if [ "$f" = n/a ]; then
      echo "- $who: not enough figures to judge flatness."
    else
      IFS='|' read -r verdict spread hn ln cnt <<<"$f"
      echo "- $who: time per page is **$verdict** over $cnt sizes (within 25% means flat): the highest, at $hn pages, is ${spread}% above the lowest, at $ln pages."
    fi
    if mf=$(marginal_flat $side); then
      IFS='|' read -r mv m1 m2 ms fx <<<"$mf"
      echo "  Startup excluded, the time per extra page is $(fmt_time "$m1") from 10 to 100 pages and $(fmt_time "$m2") from 100 to 1,000 pages: **$mv** (they differ by ${ms}%); the fixed cost (time at 10 pages less its pages × the first figure) is about $(fmt_time "$fx")."
    fi
  done
  echo
  echo "## Targets (kumihan)"
  echo
  if [ -n "${K_T[seed]:-}" ]; then
    ok=$(awk -v t="${K_T[seed]}" 'BEGIN { print (t < 0.1) ? 1 : 0 }')
    echo "- The publication in under 100 ms: $(fmt_time "${K_T[seed]}") — $(met "$ok")"
  else
    echo "- The publication in under 100 ms: no figure (${K_ERR[seed]:-n/a}) — **not met**"
  fi
  if [ -n "${K_RSS[seed]:-}" ]; then
    ok=$(awk -v k="${K_RSS[seed]}" 'BEGIN { print (k * 1024 < 50e6) ? 1 : 0 }')
    echo "- Peak RSS under 50 MB on the publication: $(fmt_rss "${K_RSS[seed]}") — $(met "$ok")"
  else
    echo "- Peak RSS under 50 MB on the publication: no figure (${K_ERR[seed]:-RSS n/a}) — **not met**"
  fi
  if [ -n "${K_PDF[seed]:-}" ]; then
    ok=$(awk -v b="${K_PDF[seed]}" 'BEGIN { print (b < 300e3) ? 1 : 0 }')
    echo "- PDF under 300 kB: $(fmt_pdf "${K_PDF[seed]}") (${K_PDF[seed]} bytes) — $(met "$ok")"
  else
    echo "- PDF under 300 kB: no figure (${K_ERR[seed]:-n/a}) — **not met**"
  fi
  f=$(flatness k)
  if [ "$f" != n/a ] && [ -n "${K_T[1000]:-}" ]; then
    IFS='|' read -r verdict spread hn ln cnt <<<"$f"
    ok=0; [ "$verdict" = flat ] && ok=1
    line="- A 1,000-page document with flat time per page from 10 to 1,000 pages (within 25%): ${K_PG[1000]:-?} pages in $(fmt_time "${K_T[1000]}"); total time / pages varies by ${spread}% — $(met "$ok")"
    if mf=$(marginal_flat k); then
      IFS='|' read -r mv m1 m2 ms fx <<<"$mf"
      ok=0; [ "$mv" = flat ] && ok=1
      line+="; time per extra page (startup excluded) $(fmt_time "$m1") then $(fmt_time "$m2"), ${ms}% apart — $(met "$ok") in that sense"
    fi
    echo "$line"
  else
    echo "- A 1,000-page document with flat time per page from 10 to 1,000 pages: no figure (${K_ERR[1000]:-n/a}) — **not met**"
  fi
  echo
  echo "## Problems"
  echo
  if [ $HAVE_KUMIHAN = 0 ]; then echo "- kumihan: $KUMIHAN_WHY."; fi
  if [ -z "$LUALATEX" ]; then echo "- lualatex not found: no LuaLaTeX figures."; fi
  if [ ${#PROBLEMS[@]} -eq 0 ] && [ $HAVE_KUMIHAN = 1 ] && [ -n "$LUALATEX" ]; then echo "None."; fi
  for p in "${PROBLEMS[@]}"; do echo "- $p"; done
} >"$OUT_MD"

say "wrote $OUT_MD ($((T_END - T_START)) s)"
