// SPDX-License-Identifier: GPL-2.0
//
// Types shared by every architecture model.
#pragma once

#include <cstdint>
#include <optional>

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
inline constexpr int GUP_PIN_COUNTING_BIAS = 1024;        // include/linux/mm.h

// Bookkeeping that is not model behaviour (scheduler loop, constructors,
// end-of-run scans) is kept out of the fuzzer's coverage feedback.
#if defined(__clang__)
#define GF_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define GF_NO_COVERAGE
#endif

enum class ArchId : uint8_t { x86_64 = 0, arm64 = 1 };
inline constexpr int NR_ARCHES = 2;
const char* arch_name(ArchId a);
std::optional<ArchId> arch_from_name(const char* s);

// What a fresh user mapping is made of (the vma's page protection plus state).
struct UserProt {
  bool write = false;    // VM_WRITE: mk_pte with the writable protection
  bool exec = false;
  bool young = true;
  bool dirty = false;
  bool special = false;  // e.g. the zero page
  bool protnone = false; // NUMA-hinting PROT_NONE entry
};

}  // namespace gf
