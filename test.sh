#!/bin/sh
# Builds with warnings as errors (gcc, and clang for the warnings alone) and
# runs every test with ctest.  Exits non-zero on any failure.
set -eu
cd "$(dirname "$0")"
sh scripts/deps.sh
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKH_WERROR=ON > /dev/null
cmake --build build-test -j "$(nproc)"
CC=clang cmake -S . -B build-clang -DKH_WERROR=ON > /dev/null
cmake --build build-clang -j "$(nproc)"
ctest --test-dir build-test --output-on-failure -j "$(nproc)"
