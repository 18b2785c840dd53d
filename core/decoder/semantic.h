// SPDX-License-Identifier: GPL-2.0
//
// The oracles' own reading of a PTE: a semantic record decoded straight from
// the architecture's bit layout (the 6.12 headers named in
// core/decoder/semantic.cc), never through the model's pte_mkold()/pte_mkclean()/
// pte_same().  Two entries "differ only in recency" when their records are
// equal in every field but young and dirty.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/arch/arches.h"
#include "core/base/text.h"
#include "core/base/types.h"

namespace gf {

struct PteSem {
  // present: pte_present() and accessible in principle; protnone: present
  // but no user access (PROT_NONE / NUMA hinting); nonpresent: swap,
  // migration and other non-present entries (compared raw, in `other`).
  enum Kind : uint8_t { none, present, protnone, nonpresent } kind = none;
  bool valid = false;    // the MMU may use it for a user access, recency aside
  uint64_t pfn = 0;
  bool write = false;    // Linux-writable (x86 RW; arm64 PTE_WRITE/DBM; s390/ppc/riscv WRITE)
  bool read = true;      // architectures with a read permission bit (riscv, s390, ppc)
  bool user = false;
  bool exec = false;
  bool special = false;
  bool devmap = false;
  bool uffd_wp = false;
  bool soft_dirty = false;
  bool cont = false;
  bool shstk = false;      // x86 on a shadow-stack CPU: Write=0,Dirty=1
  bool hw_rdonly = false;  // arm64 RDONLY on an entry without DBM: a permission, not dirtiness
  uint64_t other = 0;      // every raw bit no field above accounts for
  bool young = false;
  bool dirty = false;

  // Present or PROT_NONE: it maps a page (what a stale read can be of).
  bool maps() const { return kind == present || kind == protnone; }

  bool same_but_recency(const PteSem& o) const {
    return kind == o.kind && valid == o.valid && pfn == o.pfn && write == o.write && read == o.read &&
           user == o.user && exec == o.exec && special == o.special && devmap == o.devmap &&
           uffd_wp == o.uffd_wp && soft_dirty == o.soft_dirty && cont == o.cont && shstk == o.shstk &&
           hw_rdonly == o.hw_rdonly && other == o.other;
  }
  // The fields that differ besides young/dirty, for messages ("write pfn").
  std::string diff(const PteSem& o) const;
  std::string str() const;
};

PteSem sem_decode(Arch arch, pteval_t v);

// What the entry means for a user access: why user space may not read
// (write = false) or write through it, or nullptr when it may.  Present (not
// none, swap/migration/..., PROT_NONE), valid (recency aside), user, not
// special (no page to take a reference on; a devmap entry has one), and
// readable (riscv, s390, ppc64 read bits) for a read; Linux-writable and
// not uffd-wp (a write must reach userfaultfd first) for a write, which
// needs no read bit (slow GUP's check_vma_flags() asks VM_WRITE only).
// The meaning check (core/check/meaning.h) and the pin_without_access
// oracle judge GUP-fast's pins by it.
inline const char* sem_refuses_user(const PteSem& s, bool write) {
  switch (s.kind) {
    case PteSem::none: return "none";
    case PteSem::nonpresent: return "nonpresent";
    case PteSem::protnone: return "protnone";
    case PteSem::present: break;
  }
  if (!s.valid) return "invalid";
  if (!s.user) return "no-user";
  if (s.special && !s.devmap) return "special";
  if (!write) return s.read ? nullptr : "no-read";
  if (!s.write) return "read-only";
  if (s.uffd_wp) return "uffd-wp";
  return nullptr;
}

// A valid contpte entry (arm64 PTE_VALID and PTE_CONT): one of a block of
// CONT_PTES whose young/dirty the getters gather.  False elsewhere.  Cheap,
// and inline: the read contracts ask it of every value a getter returns, in
// the machine's hot path (compiled without libFuzzer's CMP tracing, which
// the decoder's own file keeps for the PTE fuzzer).
// An entry read as two 32-bit halves (i386 PAE: pte_low, pte_high), and its
// low half alone: ptep_get_lockless() vouches only for a value whose low
// half maps a page (include/linux/pgtable.h, CONFIG_GUP_GET_PXX_LOW_HIGH).
inline bool sem_two_halves(Arch arch) { return arch == Arch::i386_pae; }
// The empty entry a new table holds (pte_clear()): s390's is _PAGE_INVALID.
inline pteval_t sem_empty_pte(Arch arch) { return arch == Arch::s390x ? 0x400 : 0; }
inline pteval_t sem_low_half(pteval_t v) { return v & 0xffffffffull; }
inline bool sem_is_cont(Arch arch, pteval_t v) { return arch == Arch::arm64 && (v & 1) && (v >> 52 & 1); }

// Only the young and dirty fields of sem_decode(arch, v), cheaper where it
// counts (x86, arm64: the bits read directly, as decode_x86()/decode_arm64()
// read them; tests/test_contracts.cc checks the two agree).  The read
// contracts ask it of every value of a contpte block.
struct SemRecency {
  bool young = false, dirty = false;
};
inline SemRecency sem_recency(Arch arch, pteval_t v) {
  constexpr auto bit = [](int n) { return pteval_t(1) << n; };
  switch (arch) {
    case Arch::x86_64:
    case Arch::x86_64_shstk:
    case Arch::i386_pae: {
      if (!(v & ~(bit(5) | bit(6)))) return {};       // none (Knights Landing may leave A/D)
      if (!(v & bit(0)) && !(v & bit(8))) return {};  // neither present nor PROT_NONE
      const pteval_t saved_dirty = arch == Arch::i386_pae ? bit(10) : bit(58);
      return {bool(v & bit(5)), bool(v & (bit(6) | saved_dirty))};
    }
    case Arch::arm64:
      if (!(v & bit(0)) && !(v & bit(11))) return {};  // none or non-present
      return {bool(v & bit(10)), (v & bit(55)) || ((v & bit(51)) && !(v & bit(7)))};
    default: {
      const PteSem s = sem_decode(arch, v);
      return {s.young, s.dirty};
    }
  }
}

// The raw bits that encode young/dirty on this architecture (x86 Accessed,
// Dirty, SavedDirty; arm64 AF, PTE_DIRTY, RDONLY on a DBM entry; s390 young,
// dirty and the invalid/protect bits that emulate them; ...).
uint64_t sem_recency_bits(Arch arch);

// Does v keep the invariants every kernel constructor and helper keeps?
// arm64: a present entry (valid, or present-invalid) has PTE_WRITE or PTE_RDONLY (every protection_map
// entry and pte_wrprotect() set RDONLY); s390: invalid clear only when
// readable, protect clear only when writable.  Elsewhere always true.
// `gupfuzz audit` enumerates well-formed entries only.
bool sem_well_formed(Arch arch, pteval_t v);

// The names of the bits set in v, in bit order, as the kernel headers spell
// them without the _PAGE_/PTE_ prefix ("Present RW User Accessed Dirty NX"),
// with the PFN field as "pfn=0x..".  Non-present entries get the swap view.
std::vector<std::string> bit_names(Arch arch, pteval_t v);

}  // namespace gf
