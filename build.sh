#!/bin/sh
# Installs what is missing, builds kumihan and typesets the default
# publication into out/smartcity-2022-03-31.pdf.
set -eu
cd "$(dirname "$0")"
sh scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j "$(nproc)"
mkdir -p out
build/kumihan content/smartcity-2022-03-31 -o out/smartcity-2022-03-31.pdf
echo "wrote out/smartcity-2022-03-31.pdf"
