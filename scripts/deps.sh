#!/bin/sh
# Installs the Debian packages kumihan needs to build and test, when any is
# missing (Debian 12, as root).  Nothing is downloaded at build time.
set -eu
PACKAGES="gcc clang cmake make pkg-config zlib1g-dev libharfbuzz-dev libfreetype-dev
libfontconfig-dev libicu-dev libmd4c-dev libyaml-dev libhpdf-dev
poppler-utils qpdf mupdf-tools ghostscript fonts-urw-base35 python3
python3-yaml git"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "installing:$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi
