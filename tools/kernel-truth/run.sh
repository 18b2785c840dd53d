#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh TARGET [ARGS...]: run the ground-truth driver of TARGET, under its
# qemu-user emulator when it is not native (targets.sh).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${KTRUTH_OUT:-$(cd "$here/../.." && pwd)/build/kernel-truth}
source "$here/targets.sh"
t=$1
shift
ktruth_target "$t"
exe=$out/$t/ktruth
[[ -x $exe ]] || { echo "kernel-truth: $exe missing: run tools/kernel-truth/build.sh $t" >&2; exit 2; }
# i386 binaries run natively where the kernel has IA32 emulation (15x faster).
if [[ -n $K_QEMU ]] && ! { [[ $t == i386-pae ]] && "$exe" --probe >/dev/null 2>&1; }; then
  exec "$K_QEMU" "$exe" "$@"
fi
exec "$exe" "$@"
