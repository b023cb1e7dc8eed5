#!/usr/bin/env bash
# bench/callgrind.sh KUMIHAN INPUT [LABEL] — instructions per pipeline stage,
# counted by valgrind --tool=callgrind (exact and repeatable on a busy
# machine, unlike wall time).  Prints one markdown table row per stage:
# inclusive instruction counts of each stage's entry points, in millions.
#
#   bench/callgrind.sh build/kumihan content/smartcity-2022-03-31 publication
#   bench/make-long.sh 300 /tmp/l300 && bench/callgrind.sh build/kumihan /tmp/l300/pub 300
set -eu
KUMIHAN=$1 INPUT=$2 LABEL=${3:-$2}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kumihan-cg.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export SOURCE_DATE_EPOCH=0
valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" \
  "$KUMIHAN" "$INPUT" -o "$WORK/out.pdf" >/dev/null 2>"$WORK/vg.log"
callgrind_annotate --inclusive=yes --threshold=100 "$WORK/cg.out" >"$WORK/ann.txt" 2>/dev/null
# inclusive Ir of a function (0 if absent)
ir() { awk -v f="$1" '{ gsub(",", "", $1) }
  { for (i = 2; i <= NF; i++) if ($i ~ ("[:]" f "$") || $i ~ ("^" f "$") || $i ~ ("[:]" f " ")) { print $1; exit } }' "$WORK/ann.txt" | head -n1; }
total=$(awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }' "$WORK/ann.txt")
m() { awk -v x="${1:-0}" 'BEGIN { printf "%.1f", x / 1e6 }'; }
doc=$(ir kh_doc_load); style=$(ir kh_style_para); shape=$(ir kh_shape_para)
para=$(ir kh_para_compose); build=$(ir kh_page_build); add=$(ir kh_pdf_add_page)
fin=$(ir kh_pdf_finish); fonts=$(ir kh_fontset_new); layout=$(ir kh_layout_load_at)
# the page builder's own work: kh_page_build less what it calls back
page=$(( ${build:-0} - ${style:-0} - ${shape:-0} - ${para:-0} - ${add:-0} ))
echo "| $LABEL | $(m "$total") | $(m "$layout") | $(m "$fonts") | $(m "$doc") | $(m "$style") | $(m "$shape") | $(m "$para") | $(m "$page") | $(m "$add") | $(m "$fin") | $(stat -c %s "$WORK/out.pdf") |"
