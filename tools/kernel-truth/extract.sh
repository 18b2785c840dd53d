#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# extract.sh DEST: unpack Debian's linux-source-6.12 tarball into DEST (under
# build/, never into the repository), without the parts no configuration or
# `make prepare` reads.  Idempotent: a stamp records the tarball it came from.
set -euo pipefail
dest=$1
tarball=${KTRUTH_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
[[ -r $tarball ]] || { echo "kernel-truth: $tarball not found (apt-get install linux-source-6.12)" >&2; exit 1; }
stamp=$dest/.extracted
want="$(stat -c '%s %Y' "$tarball") $tarball"
if [[ -f $stamp && $(<"$stamp") == "$want" ]]; then exit 0; fi
echo "kernel-truth: extracting $tarball into $dest" >&2
rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
# Kconfig sources Documentation/Kconfig, so only Documentation's subfolders go.
tar -xJf "$tarball" -C "$dest.tmp" --strip-components=1 \
  --exclude='linux-source-6.12/Documentation/*/*' \
  --exclude='linux-source-6.12/drivers/*.c' --exclude='linux-source-6.12/sound/*.c' \
  --exclude='linux-source-6.12/net/*.c' --exclude='linux-source-6.12/fs/*.c' \
  --exclude='linux-source-6.12/tools/testing' --exclude='linux-source-6.12/arch/*/boot/dts' \
  --exclude='linux-source-6.12/rust/*.rs'
rm -rf "$dest" && mv "$dest.tmp" "$dest"
echo "$want" >"$stamp"
