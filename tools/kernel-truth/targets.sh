# SPDX-License-Identifier: GPL-2.0
#
# The pinned kernel configurations, one per ground-truth target.  Sourced by
# build.sh.  Each target: ARCH, cross-compiler prefix, the configuration it
# starts from, the options switched on or off with scripts/config (then
# olddefconfig), the cross g++ that builds its driver, and the qemu-user
# binary that runs it ("" = runs natively).
#
#   target           ARCH     CROSS_COMPILE            base config
KTRUTH_TARGETS=(x86_64 x86_64-defconfig arm64 riscv64 s390x ppc64le i386-pae riscv64-defconfig s390x-nonuma
                arm64-nonuma ppc64le-nonuma)

ktruth_target() {
  local t=$1
  K_ARCH= K_CROSS= K_BASE= K_FRAGMENT=() K_CXX= K_QEMU= K_CXXFLAGS=
  case $t in
    x86_64)  # Debian's own amd64 kernel configuration, unchanged
      K_ARCH=x86_64 K_BASE=debian:/usr/src/linux-config-6.12/config.amd64_none_amd64.xz
      K_CXX=g++ ;;
    x86_64-defconfig)  # upstream defconfig: no NUMA_BALANCING, no soft-dirty
      K_ARCH=x86_64 K_BASE=x86_64_defconfig K_CXX=g++ ;;
    arm64)
      K_ARCH=arm64 K_CROSS=aarch64-linux-gnu- K_BASE=defconfig
      K_FRAGMENT=(-e ARM64_4K_PAGES -e ARM64_VA_BITS_48 -d ARM64_VA_BITS_52 -e ARM64_PA_BITS_48
                  -d ARM64_PA_BITS_52 -d ARM64_LPA2 -e ARM64_CONTPTE -e NUMA_BALANCING
                  -e TRANSPARENT_HUGEPAGE -e USERFAULTFD -d ARM64_POE -d ARM64_MTE)
      K_CXX=aarch64-linux-gnu-g++ K_QEMU=qemu-aarch64-static ;;
    riscv64)
      K_ARCH=riscv K_CROSS=riscv64-linux-gnu- K_BASE=defconfig
      K_FRAGMENT=(-e NUMA -e NUMA_BALANCING -e TRANSPARENT_HUGEPAGE -e USERFAULTFD)
      K_CXX=riscv64-linux-gnu-g++ K_QEMU=qemu-riscv64-static ;;
    s390x)
      K_ARCH=s390 K_CROSS=s390x-linux-gnu- K_BASE=defconfig
      K_FRAGMENT=(-e NUMA -e NUMA_BALANCING -e TRANSPARENT_HUGEPAGE -e USERFAULTFD
                  -e CHECKPOINT_RESTORE -e MEM_SOFT_DIRTY)
      K_CXX=s390x-linux-gnu-g++ K_QEMU=qemu-s390x-static ;;
    ppc64le)  # book3s64; unpatched MMU feature keys read as present: radix
      K_ARCH=powerpc K_CROSS=powerpc64le-linux-gnu- K_BASE=ppc64le_defconfig
      K_FRAGMENT=(-e NUMA_BALANCING -e TRANSPARENT_HUGEPAGE -e USERFAULTFD
                  -e CHECKPOINT_RESTORE -e MEM_SOFT_DIRTY -e PPC_RADIX_MMU -e PPC_4K_PAGES -d PPC_64K_PAGES)
      K_CXX=powerpc64le-linux-gnu-g++ K_QEMU=qemu-ppc64le-static ;;
    i386-pae)  # 32-bit x86 with PAE: 64-bit entries read as two halves
      K_ARCH=i386 K_BASE=i386_defconfig
      K_FRAGMENT=(-e HIGHMEM64G -d HIGHMEM4G -d NOHIGHMEM -e TRANSPARENT_HUGEPAGE)
      K_CXX=i686-linux-gnu-g++ K_QEMU=qemu-i386-static ;;
    riscv64-defconfig)  # upstream defconfig: no NUMA, so no NUMA_BALANCING (the meaning check's PROT_NONE finding)
      K_ARCH=riscv K_CROSS=riscv64-linux-gnu- K_BASE=defconfig
      K_FRAGMENT=(-d NUMA_BALANCING -e TRANSPARENT_HUGEPAGE -e USERFAULTFD)
      K_CXX=riscv64-linux-gnu-g++ K_QEMU=qemu-riscv64-static ;;
    s390x-nonuma)  # s390x without NUMA_BALANCING (the meaning check's PROT_NONE finding)
      K_ARCH=s390 K_CROSS=s390x-linux-gnu- K_BASE=defconfig
      K_FRAGMENT=(-d NUMA_BALANCING -e TRANSPARENT_HUGEPAGE -e USERFAULTFD
                  -e CHECKPOINT_RESTORE -e MEM_SOFT_DIRTY)
      K_CXX=s390x-linux-gnu-g++ K_QEMU=qemu-s390x-static ;;
    arm64-nonuma)  # arm64 without NUMA_BALANCING (a scenario's "numa_balancing": false)
      K_ARCH=arm64 K_CROSS=aarch64-linux-gnu- K_BASE=defconfig
      K_FRAGMENT=(-e ARM64_4K_PAGES -e ARM64_VA_BITS_48 -d ARM64_VA_BITS_52 -e ARM64_PA_BITS_48
                  -d ARM64_PA_BITS_52 -d ARM64_LPA2 -e ARM64_CONTPTE -d NUMA_BALANCING
                  -e TRANSPARENT_HUGEPAGE -e USERFAULTFD -d ARM64_POE -d ARM64_MTE)
      K_CXX=aarch64-linux-gnu-g++ K_QEMU=qemu-aarch64-static ;;
    ppc64le-nonuma)  # ppc64le without NUMA_BALANCING (a scenario's "numa_balancing": false)
      K_ARCH=powerpc K_CROSS=powerpc64le-linux-gnu- K_BASE=ppc64le_defconfig
      K_FRAGMENT=(-d NUMA_BALANCING -e TRANSPARENT_HUGEPAGE -e USERFAULTFD
                  -e CHECKPOINT_RESTORE -e MEM_SOFT_DIRTY -e PPC_RADIX_MMU -e PPC_4K_PAGES -d PPC_64K_PAGES)
      K_CXX=powerpc64le-linux-gnu-g++ K_QEMU=qemu-ppc64le-static ;;
    *) echo "kernel-truth: unknown target '$t' (known: ${KTRUTH_TARGETS[*]})" >&2; return 1 ;;
  esac
}
