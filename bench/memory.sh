#!/usr/bin/env bash
# bench/memory.sh [BUILD_DIR] [N...] — where the memory of a long document
# goes: for each N (default 1000 3000) the document of bench/make-long.sh N
# is typeset once for its peak RSS (GNU time), once without the PDF
# (--trace=pages, its output thrown away: the document and page stages
# alone), then under valgrind massif, whose heap at the peak
# bench/massif_stages.py puts to the stage that holds it.  Prints markdown;
# asserts nothing (a measurement, not a test).  massif runs about 20 times
# slower than kumihan alone.  massif sees the malloc heap only: the Markdown
# source and the document's blocks live in mappings of their own (given
# back behind the page builder, src/doc/store.c), which only the peak RSS
# counts.
#
#   bench/memory.sh build 300 1000 3000
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
BUILD=$(cd "${1:-$ROOT/build}" && pwd) || exit 1
shift
SIZES=${*:-1000 3000}
KUMIHAN=$BUILD/kumihan
export SOURCE_DATE_EPOCH=0 LC_ALL=C.UTF-8
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kumihan-memory.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
for n in $SIZES; do
  "$HERE/make-long.sh" "$n" "$WORK/l$n" >/dev/null
  in=$WORK/l$n/pub
  /usr/bin/time -f '%M' -o "$WORK/rss" "$KUMIHAN" "$in" -o "$WORK/k.pdf" 2>/dev/null
  /usr/bin/time -f '%M' -o "$WORK/rss-nopdf" "$KUMIHAN" --trace=pages "$in" >/dev/null 2>&1
  pages=$(pdfinfo "$WORK/k.pdf" | awk '/^Pages:/ { print $2 }')
  echo "### $n pages ($pages pages, source $(stat -c %s "$in/release.md") bytes)"
  echo
  echo "Peak RSS $(awk '{ printf "%.1f", $1 / 1024 }' "$WORK/rss") MiB; without the PDF" \
       "(--trace=pages) $(awk '{ printf "%.1f", $1 / 1024 }' "$WORK/rss-nopdf") MiB."
  echo
  if command -v valgrind >/dev/null; then
    valgrind --tool=massif --depth=14 --threshold=0.2 --massif-out-file="$WORK/massif" \
      "$KUMIHAN" "$in" -o "$WORK/m.pdf" >/dev/null 2>&1
    python3 "$HERE/massif_stages.py" "$WORK/massif"
    echo
    echo "(The heap only: the source and the document's blocks are mapped outside it.)"
    echo
  fi
done
