#!/bin/sh
# Builds every publication of a content repository the same way on every
# machine, for CI and for a local check:
#   build-publications.sh [OUT_DIR] [ROOT]
# A publication is a folder holding publication.yaml, anywhere under ROOT
# (default: the current folder).  Each is built into OUT_DIR (default: out/)
# with SOURCE_DATE_EPOCH taken from the last commit, so a local build of the
# same commit gives the same bytes; any warning fails the build (--werror);
# the SHA-256 of every PDF is printed and written to OUT_DIR/SHA256SUMS, so
# a local build can be compared with `sha256sum -c`.
# KUMIHAN names the program (default: kumihan on PATH).
set -eu
out=${1:-out} root=${2:-.}
kumihan=${KUMIHAN:-kumihan}
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git -C "$root" log -1 --format=%ct)
fi
export SOURCE_DATE_EPOCH
echo "SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH ($(git -C "$root" log -1 --format=%H 2>/dev/null || echo 'no commit'))"
pubs=$(find "$root" -name publication.yaml -not -path '*/.git/*' -not -path "$out/*" |
  sed 's|/publication.yaml$||' | LC_ALL=C sort)
if [ -z "$pubs" ]; then
  echo "no publication.yaml under $root" >&2
  exit 1
fi
mkdir -p "$out"
"$kumihan" --version | head -n 1
# shellcheck disable=SC2086 # one argument per publication folder
"$kumihan" --werror --jobs "$(nproc 2>/dev/null || echo 1)" --output-dir "$out" $pubs
(cd "$out" && sha256sum -- *.pdf | tee SHA256SUMS)
