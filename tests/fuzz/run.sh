#!/bin/sh
# run.sh SECONDS — builds the libFuzzer targets (clang, ASan + UBSan with no
# recovery: the first finding stops a run) and runs each of them for SECONDS
# seconds, one after the other, with the filesystem out of reach (a
# KH_FUZZING build reads nothing but the layout and font folders).
#
# Corpora live in build-fuzz/corpus/<target>, seeded from the repository's
# own inputs (content/, tests/, layout/) and every regression input
# (tests/fuzz/regressions/<target>).  A finding is written to
# build-fuzz/findings/<target>/ and the script exits non-zero: minimise it,
# fix it, and add it to tests/fuzz/regressions/<target>/ so that ctest
# replays it on every build.
set -eu
secs=${1:?usage: run.sh SECONDS}
root=$(cd "$(dirname "$0")/../.." && pwd)
b=${KH_FUZZ_BUILD:-$root/build-fuzz}
CC=clang cmake -S "$root" -B "$b" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKH_FUZZ=ON \
  -DKH_SANITIZE=ON -DKH_WERROR=ON > /dev/null
cmake --build "$b" -j2 --target fuzz_build fuzz_layout fuzz_frontmatter > /dev/null

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
for f in $(find "$root/content" "$root/tests" -name '*.md'); do
  awk 'NR == 1 && !/^---/ { exit } NR > 1 && /^---/ { exit } NR > 1 { print }' "$f" \
    > "$b/corpus-fm.tmp"
  mkdir -p "$b/corpus/frontmatter"
  if [ -s "$b/corpus-fm.tmp" ]; then
    cp "$b/corpus-fm.tmp" "$b/corpus/frontmatter/seed-$(echo "$f" | tr / _)"
  fi
done
rm -f "$b/corpus-fm.tmp"
seed frontmatter "$root"/tests/fuzz/regressions/frontmatter/*

status=0
for t in build layout frontmatter; do
  mkdir -p "$b/findings/$t"
  start=$(date +%s)
  if "$b/tests/fuzz_$t" -max_total_time="$secs" -timeout=30 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$b/findings/$t/" "$b/corpus/$t" \
      > "$b/fuzz_$t.log" 2>&1; then
    echo "fuzz_$t: clean for $(( $(date +%s) - start )) s," \
      "$(grep -o 'stat::number_of_executed_units: [0-9]*' "$b/fuzz_$t.log" | grep -o '[0-9]*$') runs," \
      "corpus $(ls "$b/corpus/$t" | wc -l) inputs"
  else
    echo "fuzz_$t: FINDING after $(( $(date +%s) - start )) s: see $b/fuzz_$t.log and $b/findings/$t/"
    status=1
  fi
done
exit $status
