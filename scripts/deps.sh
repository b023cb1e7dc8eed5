#!/bin/sh
# Installs the Debian packages kumihan needs to build and test, when any is
# missing (Debian 12, as root).  Nothing is downloaded at build time.
set -eu
PACKAGES="gcc clang cmake make pkg-config zlib1g-dev libharfbuzz-dev libfreetype-dev
libfontconfig-dev libicu-dev libmd4c-dev libyaml-dev libhpdf-dev libpng-dev libdeflate-dev
libhyphen-dev hyphen-en-us libstdc++-12-dev
poppler-utils qpdf mupdf-tools ghostscript fonts-urw-base35 python3
python3-pikepdf default-jre-headless libpdfbox2-java libactivation-java libjaxb-api-java
python3-yaml git"
# libstdc++-12-dev: the static libstdc++ the program links with ICU's
# archive (CMakeLists.txt, KH_STATIC_DEPS).
# python3-pikepdf reads the tagged PDF's structure back; PDFBox Preflight
# (libpdfbox2-java, with the activation and JAXB APIs it needs on Java 17)
# checks the PDF/A rules.
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "installing:$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi
# pdf.js (pdfjs-dist, the version pinned in tests/pdfjs/package-lock.json)
# reads the structure trees back in the tests; it needs Node.js 20 or later,
# and the test says it is skipped without it.
here=$(cd "$(dirname "$0")/.." && pwd)
if command -v node > /dev/null && command -v npm > /dev/null &&
   [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] &&
   [ ! -f "$here/tests/pdfjs/node_modules/pdfjs-dist/package.json" ]; then
  echo "installing pdfjs-dist into tests/pdfjs"
  (cd "$here/tests/pdfjs" && npm ci --omit=optional --no-audit --no-fund --loglevel=error)
fi
