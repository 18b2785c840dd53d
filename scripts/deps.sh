#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh: install the Debian 12 packages gupfuzz builds with.  Quiet when all
# are present.  As root, installs the missing ones with apt-get; otherwise
# prints the one command that would, and exits 1.  Nothing comes from outside
# Debian's archive.
#
#   scripts/deps.sh           everything the Makefile builds with
#   scripts/deps.sh --cflite  only what the fuzz targets need on the OSS-Fuzz
#                             base-builder image (.clusterfuzzlite/Dockerfile):
#                             its clang and libc++ are the engine's own
set -euo pipefail

cflite_packages=(nlohmann-json3-dev zip unzip)

packages=(
  make cmake ninja-build g++   # build system, gcc 12 (the dev preset)
  clang libclang-rt-14-dev     # clang 14 (dev-clang14) and its sanitizer runtimes
  clang-19 libclang-rt-19-dev  # clang 19 (the fuzz preset), ASan/UBSan runtimes
  libfuzzer-19-dev llvm-19 llvm  # libFuzzer; llvm-symbolizer for readable stacks
  libc++-19-dev libc++abi-19-dev  # the ClusterFuzzLite check builds the targets with -stdlib=libc++
  nlohmann-json3-dev libgtest-dev libcli11-dev libbenchmark-dev
  zip unzip python3-yaml   # seed zips; .clusterfuzzlite/check_workflows.py
  # tools/kernel-truth: the kernel's own helpers, built from Debian's source
  linux-source-6.12 linux-config-6.12 gcc flex bison bc libelf-dev libssl-dev xz-utils python3
  gcc-aarch64-linux-gnu g++-aarch64-linux-gnu gcc-riscv64-linux-gnu g++-riscv64-linux-gnu
  gcc-s390x-linux-gnu g++-s390x-linux-gnu gcc-powerpc64le-linux-gnu g++-powerpc64le-linux-gnu
  gcc-i686-linux-gnu g++-i686-linux-gnu qemu-user-static
)

if [[ ${1:-} == --cflite ]]; then
  packages=("${cflite_packages[@]}")
elif (($#)); then
  echo "usage: $0 [--cflite]" >&2
  exit 2
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ $status == installed ]] || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

echo "deps: missing Debian packages: ${missing[*]}" >&2
if ((EUID != 0)); then
  echo "deps: run this, then try again:" >&2
  echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}"
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# A third-party source that cannot be reached makes `apt-get update` fail even
# when Debian's own indexes were fetched; the install below is the real test.
apt-get update || echo "deps: apt-get update reported errors; trying the install anyway" >&2
apt-get install -y --no-install-recommends "${missing[@]}"
