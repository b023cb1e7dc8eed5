#!/bin/sh
# run.sh SECONDS [TARGET...] — builds the libFuzzer targets (clang, ASan +
# UBSan with no recovery: the first finding stops a target's run) and runs
# each target (build, layout, frontmatter; all of them when none is named)
# for SECONDS seconds, one after the other, with the filesystem out of reach
# (a KH_FUZZING build reads nothing but the layout and font folders).  A
# finding in one target does not stop the others.  On a shared machine run
# it as `nice -n 19 tests/fuzz/run.sh 600`.
#
# Corpora live in build-fuzz/corpus/<target>, seeded from the repository's
# own inputs (content/, tests/, layout/) and every regression input
# (tests/fuzz/regressions/<target>).  A finding (a crash, a sanitizer
# report, a leak, a timeout over 30 s or memory over 2 GiB) is written to
# build-fuzz/findings/<target>/: minimise it (`fuzz_<target> -minimize_crash=1
# -runs=10000 FILE`), fix it, and add it to tests/fuzz/regressions/<target>/
# so that ctest replays it on every build.
#
# Prints one line per target and a summary:
#   fuzz_build: clean, 600 s, 11408 runs, corpus 352 inputs
#   fuzz_layout: FINDING after 12 s (crash-...): build-fuzz/fuzz_layout.log
#   fuzz: 3 targets, 2 clean, 1 with a finding
# Exits 0 when every target ran clean, 1 on a finding, 2 on a usage or
# build error.
set -eu
usage() { echo "usage: run.sh SECONDS [build|layout|frontmatter ...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
secs=$1
shift
case $secs in '' | *[!0-9]*) usage ;; esac
targets=${*:-build layout frontmatter}
for t in $targets; do
  case $t in build | layout | frontmatter) ;; *) usage ;; esac
done
root=$(cd "$(dirname "$0")/../.." && pwd)
b=${KH_FUZZ_BUILD:-$root/build-fuzz}
mkdir -p "$b"
if ! { CC=clang cmake -S "$root" -B "$b" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKH_FUZZ=ON \
         -DKH_SANITIZE=ON -DKH_WERROR=ON > "$b/cmake.log" 2>&1 &&
       cmake --build "$b" -j"${KH_FUZZ_JOBS:-2}" --target $(for t in $targets; do printf 'fuzz_%s ' "$t"; done) \
         >> "$b/cmake.log" 2>&1; }; then
  echo "fuzz: the build failed: see $b/cmake.log" >&2
  exit 2
fi

export KUMIHAN_LAYOUT_DIR="$root/layout" KUMIHAN_FONT_DIR="$root/fonts"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

seed() { # seed TARGET FILES...: copy seed files into the corpus
  t=$1
  shift
  mkdir -p "$b/corpus/$t"
  for s in "$@"; do [ -f "$s" ] && cp "$s" "$b/corpus/$t/seed-$(echo "$s" | tr / _)"; done
  return 0
}
seed build $(find "$root/content" "$root/tests" -name '*.md') "$root"/tests/fuzz/regressions/build/*
seed layout "$root"/layout/*.yaml $(find "$root/tests" -name '*.yaml') "$root"/tests/fuzz/regressions/layout/*
# front matter: what lies between the first two --- lines of each part
mkdir -p "$b/corpus/frontmatter"
for f in $(find "$root/content" "$root/tests" -name '*.md'); do
  awk 'NR == 1 && !/^---/ { exit } NR > 1 && /^---/ { exit } NR > 1 { print }' "$f" \
    > "$b/corpus-fm.tmp"
  if [ -s "$b/corpus-fm.tmp" ]; then
    cp "$b/corpus-fm.tmp" "$b/corpus/frontmatter/seed-$(echo "$f" | tr / _)"
  fi
done
rm -f "$b/corpus-fm.tmp"
seed frontmatter "$root"/tests/fuzz/regressions/frontmatter/*

clean=0
found=0
for t in $targets; do
  mkdir -p "$b/findings/$t"
  log="$b/fuzz_$t.log"
  start=$(date +%s)
  before=$(ls "$b/findings/$t" | wc -l)
  if "$b/tests/fuzz_$t" -max_total_time="$secs" -timeout=30 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$b/findings/$t/" "$b/corpus/$t" \
      > "$log" 2>&1; then
    clean=$((clean + 1))
    echo "fuzz_$t: clean, $(( $(date +%s) - start )) s," \
      "$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$') runs," \
      "corpus $(ls "$b/corpus/$t" | wc -l) inputs"
  else
    found=$((found + 1))
    artifact=$(ls -t "$b/findings/$t" | head -n 1)
    [ "$(ls "$b/findings/$t" | wc -l)" -gt "$before" ] || artifact="no artifact"
    what=$(grep -m 1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error' "$log" |
           cut -c 1-160)
    echo "fuzz_$t: FINDING after $(( $(date +%s) - start )) s ($artifact): ${what:-see the log}"
    echo "  log: $log"
    [ "$artifact" = "no artifact" ] || echo "  input: $b/findings/$t/$artifact"
  fi
done
echo "fuzz: $((clean + found)) targets, $clean clean, $found with a finding"
[ "$found" -eq 0 ]
