#!/bin/sh
# Builds with warnings as errors (gcc, and clang for the warnings alone),
# runs every test with ctest, then runs them again on a build with
# AddressSanitizer, UBSan and LeakSanitizer.  Exits non-zero on any failure.
set -eu
cd "$(dirname "$0")"
sh scripts/deps.sh
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKH_WERROR=ON > /dev/null
cmake --build build-test -j "$(nproc)"
CC=clang cmake -S . -B build-clang -DKH_WERROR=ON > /dev/null
cmake --build build-clang -j "$(nproc)"
ctest --test-dir build-test --output-on-failure -j "$(nproc)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DKH_WERROR=ON -DKH_SANITIZE=ON > /dev/null
cmake --build build-asan -j "$(nproc)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)"
