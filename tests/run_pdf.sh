#!/bin/sh
# Builds a document with kumihan into OUT, failing on any error.
#   run_pdf.sh KUMIHAN INPUT OUT [kumihan options...]
set -eu
kumihan=$1 input=$2 out=$3
shift 3
mkdir -p "$(dirname "$out")"
rm -f "$out"
"$kumihan" "$input" -o "$out" "$@"
test -s "$out"
