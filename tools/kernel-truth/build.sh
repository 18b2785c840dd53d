#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh [TARGET...]: build one object of wrapped real kernel helpers per
# target (targets.sh; default: all), from Debian's linux-source-6.12.
#
#   build/kernel-truth/src/            the extracted tarball (extract.sh, once)
#   build/kernel-truth/<target>/kbuild/ O= output: .config, `make prepare` (once
#                                      per configuration: stamped with its hash)
#   build/kernel-truth/<target>/ktruth.o  wrappers.c compiled by Kbuild, only the
#                                      k_* symbols left global
#
# Fails loudly when an object starts needing a symbol outside the allowed
# list: the wrapper then reaches kernel code the stubs do not cover.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${KTRUTH_OUT:-$root/build/kernel-truth}
source "$here/targets.sh"
(($#)) || set -- "${KTRUTH_TARGETS[@]}"

"$here/extract.sh" "$out/src"
src=$out/src
jobs=$(nproc)

# Symbols a wrapper object may still import: compiler-emitted libc calls and
# the ppc64 TOC base, all provided by the driver's C library or linker.
allowed_undefined='^(memset|memcpy|memmove|__stack_chk_fail|\.TOC\.)$'

build_one() {
  local t=$1
  ktruth_target "$t"
  local dir=$out/$t kb=$out/$t/kbuild
  local kmake=(make -s -C "$src" O="$kb" ARCH="$K_ARCH" ${K_CROSS:+CROSS_COMPILE=$K_CROSS} -j"$jobs")
  command -v "${K_CROSS}gcc" >/dev/null || { echo "kernel-truth: ${K_CROSS}gcc missing (make deps)" >&2; return 1; }
  mkdir -p "$kb"

  # 1. configuration, pinned: base + fragment, then olddefconfig.
  local key
  key=$(declare -p K_ARCH K_CROSS K_BASE K_FRAGMENT | sha256sum | cut -c1-16)
  if [[ ! -f $dir/.prepared || $(<"$dir/.prepared") != "$key" ]]; then
    echo "kernel-truth: $t: configure and prepare (ARCH=$K_ARCH)" >&2
    rm -f "$dir/.prepared"
    case $K_BASE in
      debian:*) xzcat "${K_BASE#debian:}" >"$kb/.config" ;;
      *) "${kmake[@]}" "$K_BASE" >/dev/null ;;
    esac
    if ((${#K_FRAGMENT[@]})); then
      "$src/scripts/config" --file "$kb/.config" "${K_FRAGMENT[@]}"
    fi
    # Debian's config names signing keys and a compiler version we need not match.
    "$src/scripts/config" --file "$kb/.config" --set-str SYSTEM_TRUSTED_KEYS "" \
      --set-str SYSTEM_REVOCATION_KEYS "" -d MODULE_SIG_ALL -d DEBUG_INFO_BTF
    "${kmake[@]}" olddefconfig >/dev/null
    # A fragment option that olddefconfig dropped (unmet dependency) is an error.
    local i opt
    for ((i = 0; i < ${#K_FRAGMENT[@]}; i += 2)); do
      opt=${K_FRAGMENT[i + 1]}
      case ${K_FRAGMENT[i]} in
        -e) grep -qx "CONFIG_$opt=y" "$kb/.config" || { echo "kernel-truth: $t: CONFIG_$opt did not stay on" >&2; return 1; } ;;
        -d) ! grep -q "^CONFIG_$opt=y" "$kb/.config" || { echo "kernel-truth: $t: CONFIG_$opt did not stay off" >&2; return 1; } ;;
      esac
    done
    "${kmake[@]}" prepare >/dev/null
    echo "$key" >"$dir/.prepared"
  fi

  # 2. the wrapper object, by Kbuild as an external module object.
  local mod=$dir/module
  mkdir -p "$mod"
  # Copied only when changed, so Kbuild recompiles exactly when it must.
  local f rel
  while IFS= read -r f; do
    rel=${f#"$here"/}
    mkdir -p "$(dirname "$mod/$rel")"
    cmp -s "$f" "$mod/$rel" || cp "$f" "$mod/$rel"
  done < <(find "$here/wrappers.c" "$here/ktruth.h" "$here/stubs" -type f)
  # objtool checks kernel-runtime rules (return thunks, ENDBR) a user-space
  # object does not live by.
  printf 'obj-m := wrappers.o\nOBJECT_FILES_NON_STANDARD := y\n' >"$mod/Kbuild.new"
  # i386 kernel code takes arguments in registers (-mregparm=3); the k_*
  # functions are called from user space, which passes them on the stack.
  # Nothing in the object calls out of it (nm -u below), so this is safe.
  [[ $K_ARCH != i386 ]] || printf 'ccflags-y += -mregparm=0\n' >>"$mod/Kbuild.new"
  if cmp -s "$mod/Kbuild.new" "$mod/Kbuild"; then rm "$mod/Kbuild.new"; else mv "$mod/Kbuild.new" "$mod/Kbuild"; fi
  "${kmake[@]}" M="$mod" wrappers.o KBUILD_MODPOST_WARN=1
  "${K_CROSS}objcopy" -w --keep-global-symbol='k_*' "$mod/wrappers.o" "$dir/ktruth.o.tmp"
  if [[ $K_ARCH == riscv ]]; then
    # Kernel objects are soft-float (lp64); the driver is lp64d.  The object
    # has no floating point, so relabel the ELF float ABI (e_flags bits 1-2).
    python3 - "$dir/ktruth.o.tmp" <<'PY'
import struct, sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read())
off = 0x30  # e_flags in an ELF64 header
flags = struct.unpack_from('<I', b, off)[0]
struct.pack_into('<I', b, off, (flags & ~0x6) | 0x4)  # EF_RISCV_FLOAT_ABI_DOUBLE
open(p, 'wb').write(b)
PY
  fi
  local undef
  undef=$("${K_CROSS}nm" -u "$dir/ktruth.o.tmp" | awk '{print $NF}' | grep -Ev "$allowed_undefined" || true)
  if [[ -n $undef ]]; then
    echo "kernel-truth: $t: the wrapper object needs kernel symbols it must not:" >&2
    echo "$undef" | sed 's/^/  /' >&2
    echo "kernel-truth: stub them in tools/kernel-truth/wrappers.c (with the kernel's types) or stop calling what needs them" >&2
    return 1
  fi
  # Replaced only when it changed, so the drivers are not rebuilt for nothing.
  if cmp -s "$dir/ktruth.o.tmp" "$dir/ktruth.o"; then rm "$dir/ktruth.o.tmp"; else mv "$dir/ktruth.o.tmp" "$dir/ktruth.o"; fi
  # What the object was built from, for the report.
  { echo "target=$t"; echo "arch=$K_ARCH"; echo "base=$K_BASE"; echo "fragment=${K_FRAGMENT[*]}"
    echo "kernelrelease=$("${kmake[@]}" -s kernelrelease 2>/dev/null)"; } >"$dir/build-info.txt"
  echo "kernel-truth: $t: $dir/ktruth.o" >&2
  build_driver "$t" "$dir/ktruth" "$root"
  # x86-64 also gets a deliberately wrong model (one bit definition flipped:
  # _PAGE_DIRTY on bit 7), which the tests require the check to catch.
  if [[ $t == x86_64 ]]; then
    local mut=$out/mutant
    mkdir -p "$mut/core/arch"
    rm -f "$mut/core/arch/x86_64.h"  # the mutant of earlier versions; it would shadow the real one
    # (_PAGE_DIRTY is one of the bits x86-64 shares with PAE: core/arch/x86_common.h.)
    sed 's/_PAGE_DIRTY = 1ull << 6;/_PAGE_DIRTY = 1ull << 7;/' "$root/core/arch/x86_common.h" >"$mut/core/arch/x86_common.h.tmp"
    cmp -s "$root/core/arch/x86_common.h" "$mut/core/arch/x86_common.h.tmp" &&
      { echo "kernel-truth: the mutant's sed no longer matches core/arch/x86_common.h" >&2; return 1; }
    mv "$mut/core/arch/x86_common.h.tmp" "$mut/core/arch/x86_common.h"
    build_driver "$t" "$dir/ktruth-mutant" "$mut"
  fi
}

# The driver (truth_main.cc + audit.cc + the model) for target $1, linked with
# its object, statically for qemu-user.  $3 is searched first for core/arch
# headers (the mutant).  Rebuilt only when an input is newer.
build_driver() {
  local t=$1 exe=$2 first=$3
  ktruth_target "$t"
  local inputs=("$here"/*.cc "$here"/*.h "$root"/core/*/*.h "$root"/core/*/*.def "$root"/core/decoder/semantic.cc
                "$out/$t/ktruth.o")
  [[ $first != "$root" ]] && inputs+=("$first"/core/arch/*.h)
  local f stale=0
  [[ -x $exe ]] || stale=1
  for f in "${inputs[@]}"; do [[ $f -nt $exe ]] && stale=1; done
  ((stale)) || return 0
  command -v "$K_CXX" >/dev/null || { echo "kernel-truth: $K_CXX missing (make deps)" >&2; return 1; }
  local link=(-static)
  [[ $K_ARCH == x86_64 ]] && link=(-no-pie)  # native: the kernel object is not PIC
  echo "kernel-truth: $t: $K_CXX -> $exe" >&2
  "$K_CXX" -std=c++20 -O2 -Wall -Wextra -Werror -I"$first" -I"$root" "${link[@]}" \
    "$here/truth_main.cc" "$here/audit.cc" "$here/diff.cc" "$here/meaning.cc" \
    "$root/core/decoder/semantic.cc" "$root/core/base/text.cc" "$out/$t/ktruth.o" -o "$exe.tmp"
  mv "$exe.tmp" "$exe"
}

for t in "$@"; do build_one "$t"; done
