#!/bin/sh
# bench/setup-peers.sh — installs the TeX peers the benchmarks compare with
# (upLaTeX + dvipdfmx, LuaLaTeX + LuaTeX-ja) from Debian, as root.  For the
# benchmarks only: kumihan's build and tests need none of it
# (scripts/deps.sh does not install it).
set -eu
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  texlive-lang-japanese texlive-latex-recommended texlive-luatex time
