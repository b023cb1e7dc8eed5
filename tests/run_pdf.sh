#!/bin/sh
# Builds a document with kumihan into OUT, failing on any error.  The date
# comes from the front matter whatever the caller's SOURCE_DATE_EPOCH.
#   run_pdf.sh KUMIHAN INPUT OUT [kumihan options...]
set -eu
kumihan=$1 input=$2 out=$3
shift 3
mkdir -p "$(dirname "$out")"
rm -f "$out"
env -u SOURCE_DATE_EPOCH "$kumihan" "$input" -o "$out" "$@"
test -s "$out"
