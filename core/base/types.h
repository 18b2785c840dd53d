// SPDX-License-Identifier: GPL-2.0
//
// Types shared by every architecture model.
#pragma once

#include <cstdint>
#include <optional>

#include "core/base/ids.h"

namespace gf {

using pteval_t = uint64_t;
using pmdval_t = uint64_t;

// Sizes of the model's address space (one mm).  The kernel has 512 PTEs per
// table; the model keeps 32, which still holds two arm64 contpte blocks.
inline constexpr int PTRS_PER_PTE = 32;
inline constexpr int NR_PMDS = 4;
inline constexpr int NR_VPAGES = PTRS_PER_PTE * NR_PMDS;  // virtual pages 0..127
inline constexpr int NR_PFNS = 256;                       // page frames 0..255 (0 is the zero page)
inline constexpr int CONT_PTES = 16;                      // arm64 4K contpte block
inline constexpr int MAX_CPUS = 4;                         // simulated CPUs of one execution
inline constexpr int GUP_PIN_COUNTING_BIAS = 1024;        // include/linux/mm.h
inline constexpr int HPAGE_PMD_ORDER = 5;                  // a huge PMD maps one table's worth: 32 pages
inline constexpr int HPAGE_PMD_NR = 1 << HPAGE_PMD_ORDER;
static_assert(HPAGE_PMD_NR == PTRS_PER_PTE);
inline constexpr int KERNEL_HPAGE_PMD_ORDER = 9;          // the kernel's: a 4K-page PMD maps 512 pages
// Folio orders in the model: 0, 4 (a contpte block's worth), HPAGE_PMD_ORDER.
constexpr int folio_nr_pages(int order) { return 1 << order; }

// One point of the compact schedule (core/scenario/scenario.h, PreemptStrategy in
// core/sched/strategies.h): at the at-th pick of the scheduler (from 0),
// CPU `cpu` takes the step (or the next runnable CPU after it).
struct Preempt {
  uint32_t at = 0;
  uint8_t cpu = 0;
  bool operator==(const Preempt&) const = default;
};

// Bookkeeping that is not model behaviour (scheduler loop, constructors,
// end-of-run scans) is kept out of the fuzzer's coverage feedback.
#if defined(__clang__)
#define GF_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define GF_NO_COVERAGE
#endif

// Kernel configuration switches that change what the PTE helpers do.  Each
// architecture model is a template on one; the default is the configuration
// the fuzzers run (Debian's amd64 kernel, and the pinned configurations of
// tools/kernel-truth/targets.sh elsewhere).  tools/kernel-truth reads the
// switches from the real kernel object and instantiates the model to match.
struct ArchCfg {
  bool numa_balancing = true;  // CONFIG_NUMA_BALANCING: pte_protnone() is real, else always false
  bool soft_dirty = true;      // CONFIG_MEM_SOFT_DIRTY (where the arch has it)
  bool uffd_wp = true;         // CONFIG_HAVE_ARCH_USERFAULTFD_WP (where the arch has it)
  bool shstk = false;          // x86: the CPU has user shadow stacks (X86_FEATURE_SHSTK), not a config
  bool svadu = false;          // riscv: the MMU sets A/D itself (Svadu; 6.12 never enables it)
  // Not a kernel switch but the geometry: the page order a huge PMD's
  // helpers align a PFN to (x86 pfn_pmd()/pmd_pfn() mask with
  // PHYSICAL_PMD_PAGE_MASK).  The machine's THPs are HPAGE_PMD_ORDER;
  // tools/kernel-truth instantiates the models with the kernel's
  // KERNEL_HPAGE_PMD_ORDER, so the same helper code meets the real one on
  // the real geometry.
  int pmd_page_order = HPAGE_PMD_ORDER;
  // An injected bug in this model's helpers (a core/base/bugs.def row whose arch
  // is this model's, or "*"), as an index into Bug; -1: the correct model.
  int bug = -1;
  constexpr bool has_bug(Bug b) const { return bug == int(b); }
  constexpr bool operator==(const ArchCfg&) const = default;
};

// The private user mappings' entries of protection_map[] (what pfn_pte()
// and pte_modify() are given), and PAGE_NONE for NUMA-hinting entries.
enum class Prot : uint8_t { none, ro, rw, ro_x, rw_x };
inline constexpr int NR_PROTS = 5;

// What a fresh user mapping is made of (the vma's page protection plus state).
struct UserProt {
  bool write = false;    // VM_WRITE: mk_pte with the writable protection
  bool exec = false;
  bool young = true;
  bool dirty = false;
  bool special = false;  // e.g. the zero page
  bool protnone = false; // NUMA-hinting PROT_NONE entry
};

// A UserProt as six bits from bit 0: write exec young dirty special protnone
// (a PTE case's prot byte; the audit and the tests go through all 64).
constexpr uint8_t uprot_bits(const UserProt& u) {
  return uint8_t(u.write | u.exec << 1 | u.young << 2 | u.dirty << 3 | u.special << 4 | u.protnone << 5);
}
constexpr UserProt uprot_of(unsigned b) {
  return UserProt{.write = bool(b & 1), .exec = bool(b & 2), .young = bool(b & 4), .dirty = bool(b & 8),
                  .special = bool(b & 16), .protnone = bool(b & 32)};
}

}  // namespace gf
