#!/bin/sh
# Stage traces pinned as golden files: tests/golden/<stage>/<case>.md is
# typeset with --trace=<stage> and compared with <case>.expected.
#   golden_trace.sh KUMIHAN SRC_DIR OUT_DIR
set -eu
kumihan=$1 src=$2 out=$3/golden-trace
rm -rf "$out"
mkdir -p "$out"
n=0 bad=0
for input in "$src"/tests/golden/*/*.md; do
  stage=$(basename "$(dirname "$input")")
  case=$(basename "$input" .md)
  n=$((n + 1))
  (cd "$src/tests/golden/$stage" && "$kumihan" --trace="$stage" "$case.md") > "$out/$stage-$case.out"
  if diff -u "$src/tests/golden/$stage/$case.expected" "$out/$stage-$case.out" > "$out/$stage-$case.diff"; then
    echo "ok   $stage/$case"
  else
    echo "FAIL $stage/$case:"; head -n 40 "$out/$stage-$case.diff"; bad=$((bad + 1))
  fi
done
echo "golden traces: $((n - bad)) passed, $bad failed"
[ "$n" -gt 0 ] && [ "$bad" -eq 0 ]
