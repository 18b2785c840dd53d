// SPDX-License-Identifier: GPL-2.0
//
// The differential check: an architecture model (core/arch/*.h, instantiated
// with the kernel object's configuration) against the kernel's real helpers
// (ktruth.h), helper by helper, on the same values.  Used by the per-target
// driver (truth_main.cc, native or under qemu-user) and by the x86-64
// libFuzzer target fuzz/fuzz_kernel_diff.cc.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <map>
#include <string>
#include <vector>

#include "core/arch/norecency.h"
#include "core/base/types.h"
#include "core/base/rng.h"
#include "tools/kernel-truth/ktruth.h"

namespace gf::kt {

using gf::Rng;  // core/base/rng.h: the drivers' only randomness, always seeded

struct Mismatch {
  std::string helper, args;
  uint64_t model, kernel;
};

std::string hex(uint64_t v);
std::string format_mismatch(const char* arch, const Mismatch& m);

struct Stats {
  uint64_t values = 0, comparisons = 0, mismatches = 0;
  std::vector<const char*> helpers;  // the helpers compared (string literals)
  std::vector<Mismatch> first;  // the first of each helper, for the report
  std::map<std::string, uint64_t> by_helper;  // mismatches per helper
  // Called on the first mismatch of each helper (the fuzz target traps in it).
  std::function<void(const Mismatch&)> on_mismatch;
};

// Kernel values are passed as kt_pte everywhere (PAE entries are 64-bit too).
inline kt_pte K(pteval_t v) { return kt_pte(v); }

// The kernel object's configuration, as a model configuration.
inline ArchCfg kernel_cfg(bool shstk) {
  const unsigned c = k_config();
  return ArchCfg{.numa_balancing = bool(c & KT_CFG_NUMA_BALANCING),
                 .soft_dirty = bool(c & KT_CFG_SOFT_DIRTY),
                 .uffd_wp = bool(c & KT_CFG_UFFD_WP),
                 .shstk = shstk,
                 .pmd_page_order = KERNEL_HPAGE_PMD_ORDER};
}

template <class A>
struct Differ {
  Stats& st;

  // args() formats the arguments, only for a mismatch.
  template <class F>
  void cmp(const char* helper, F&& args, uint64_t model, uint64_t kernel) {
    st.comparisons++;
    if (st.helpers.empty() || st.helpers.back() != helper) seen(helper);
    if (model == kernel) return;
    st.mismatches++;
    Mismatch m{helper, args(), model, kernel};
    if (st.by_helper[helper]++ == 0) {
      st.first.push_back(m);
      if (st.on_mismatch) st.on_mismatch(m);
    }
  }
  void cmp(const char* helper, pteval_t v, uint64_t model, uint64_t kernel) {
    cmp(helper, [v] { return hex(v); }, model, kernel);
  }
  void seen(const char* helper) {
    for (const char* h : st.helpers)
      if (h == helper) return;
    st.helpers.push_back(helper);
  }

  // Every one-entry helper on v.
  void value(pteval_t v) {
    st.values++;
    const kt_pte k = K(v);
    cmp("pte_none", v, A::pte_none(v), k_pte_none(k));
    cmp("pte_present", v, A::pte_present(v), k_pte_present(k));
    cmp("pte_protnone", v, A::pte_protnone(v), k_pte_protnone(k));
    cmp("pte_write", v, A::pte_write(v), k_pte_write(k));
    cmp("pte_young", v, A::pte_young(v), k_pte_young(k));
    cmp("pte_dirty", v, A::pte_dirty(v), k_pte_dirty(k));
    cmp("pte_special", v, A::pte_special(v), k_pte_special(k));
    cmp("pte_devmap", v, A::pte_devmap(v), k_pte_devmap(k));
    cmp("pte_uffd_wp", v, A::pte_uffd_wp(v), k_pte_uffd_wp(k));
    cmp("pte_soft_dirty", v, A::pte_soft_dirty(v), k_pte_soft_dirty(k));
    cmp("pte_pfn", v, A::pte_pfn(v), k_pte_pfn(k));
    cmp("pte_access_permitted(read)", v, A::pte_access_permitted(v, false), k_pte_access_permitted(k, 0));
    cmp("pte_access_permitted(write)", v, A::pte_access_permitted(v, true), k_pte_access_permitted(k, 1));
    cmp("pte_mkold", v, A::pte_mkold(v), k_pte_mkold(k));
    cmp("pte_mkyoung", v, A::pte_mkyoung(v), k_pte_mkyoung(k));
    cmp("pte_mkclean", v, A::pte_mkclean(v), k_pte_mkclean(k));
    cmp("pte_mkdirty", v, A::pte_mkdirty(v), k_pte_mkdirty(k));
    cmp("pte_wrprotect", v, A::pte_wrprotect(v), k_pte_wrprotect(k));
    cmp("pte_mkwrite", v, A::pte_mkwrite(v), k_pte_mkwrite(k));
    cmp("pte_mkspecial", v, A::pte_mkspecial(v), k_pte_mkspecial(k));
    cmp("pte_mkuffd_wp", v, A::pte_mkuffd_wp(v), k_pte_mkuffd_wp(k));
    cmp("pte_mksoft_dirty", v, A::pte_mksoft_dirty(v), k_pte_mksoft_dirty(k));
    cmp("pte_same(v,v)", v, A::pte_same(v, v), k_pte_same(k, k));
    pmd_value(v);
    for (int p = 0; p < NR_PROTS; p++)
      cmp("pte_modify", [&] { return hex(v) + ", prot " + std::to_string(p); }, A::pte_modify(v, Prot(p)),
          k_pte_modify(k, p));
    // One entry read through the lockless and norecency readers (arm64
    // blocks are checked in block()).
    if constexpr (!A::has_contpte) {
      cmp("ptep_get", v, v, k_ptep_get(&k, 0));
      cmp("ptep_get_lockless", v, v, k_ptep_get_lockless(&k, 0));
      cmp("ptep_get_lockless_norecency", v, v, k_ptep_get_lockless_norecency(&k, 0));
    }
  }

  void pair(pteval_t a, pteval_t b) {
    auto args = [&] { return hex(a) + ", " + hex(b); };
    cmp("pte_same", args, A::pte_same(a, b), k_pte_same(K(a), K(b)));
    cmp("pte_same_norecency", args, pte_same_norecency<A>(a, b), k_pte_same_norecency(K(a), K(b)));
  }

  void ctor(uint64_t pfn, int prot) {
    cmp("pfn_pte", [&] { return hex(pfn) + ", prot " + std::to_string(prot); }, A::pfn_pte(pfn, Prot(prot)), k_pfn_pte(pfn, prot));
    pmd_ctor(pfn, prot);
  }

  // The huge-PMD helpers the machine asks of a model (core/arch/README.md),
  // where the model has them and the object was built with THP: every value
  // read as a PMD, and the huge PMD of a page.  The machine makes that one as
  // pmd_mkhuge() of the page's PTE; the kernel as pmd_mkhuge(pfn_pmd()).
  static constexpr bool kHasPmd = requires { A::pmd_leaf(pteval_t{}); };
  static constexpr bool kThpMigration = [] {
    if constexpr (requires { A::thp_migration; }) return bool(A::thp_migration);
    return false;
  }();
  void pmd_value(pteval_t v) {
    if constexpr (kHasPmd) {
      const unsigned c = k_config();
      if (!(c & KT_CFG_THP)) return;
      const kt_pte k = K(v);
      cmp("pmd_present", v, A::pmd_present(v), k_pmd_present(k));
      cmp("pmd_leaf", v, A::pmd_leaf(v), k_pmd_leaf(k));
      if (A::pmd_leaf(v)) {  // what gup_fast_pmd_leaf() asks of a huge PMD, invalidated ones included
        cmp("pmd_access_permitted(read)", v, A::pmd_access_permitted(v, false), k_pmd_access_permitted(k, 0));
        cmp("pmd_access_permitted(write)", v, A::pmd_access_permitted(v, true), k_pmd_access_permitted(k, 1));
      }
      if (c & KT_CFG_PMD_MKINVALID) cmp("pmd_mkinvalid", v, A::pmd_mkinvalid(v), k_pmd_mkinvalid(k));
    }
  }
  void pmd_ctor(uint64_t pfn, int prot) {
    // A huge PMD maps an aligned block of the kernel's PMD size (the models
    // run here with ArchCfg::pmd_page_order = KERNEL_HPAGE_PMD_ORDER).
    pfn &= ~((uint64_t(1) << KERNEL_HPAGE_PMD_ORDER) - 1);
    if constexpr (kHasPmd) {
      const unsigned c = k_config();
      if (!(c & KT_CFG_THP) || !(c & KT_CFG_PFN_PMD)) return;
      auto args = [&] { return hex(pfn) + ", prot " + std::to_string(prot); };
      const pteval_t m = A::pmd_mkhuge(A::pfn_pte(pfn, Prot(prot)));
      const kt_pte k = k_pfn_pmd_huge(pfn, prot);
      cmp("pmd_mkhuge(pfn_pmd)", args, m, k);
      // What GUP-fast's PMD leaf path decides on it, as the machine asks.
      cmp("pmd_access_permitted(read) of a huge PMD", args, A::pmd_access_permitted(m, false),
          k_pmd_access_permitted(k, 0));
      cmp("pmd_access_permitted(write) of a huge PMD", args, A::pmd_access_permitted(m, true),
          k_pmd_access_permitted(k, 1));
      cmp("pmd_pfn of a huge PMD", args, A::pte_pfn(A::pmd_pte(m)), k_pmd_pfn(k));
    }
  }
  void swp(unsigned type, uint64_t offset) {
    auto args = [&] { return std::to_string(type) + ", " + hex(offset); };
    cmp("swp_entry_pte", args, A::swp_entry_pte(type, offset), k_swp_entry_pte(type, offset));
    // PMD migration entries (the machine's thp_migrate) and what a lockless
    // walker makes of one, also after pmd_mkinvalid() (the split before
    // 3a5a8d343e1c: split_invalidates_pmd_migration).
    if constexpr (kHasPmd && kThpMigration) {
      const unsigned c = k_config();
      if (!(c & KT_CFG_THP) || !(c & KT_CFG_THP_MIGRATION)) return;
      const pmdval_t m = A::swp_entry_pmd(type, offset);
      const kt_pte k = k_swp_entry_pmd(type, offset);
      cmp("swp_entry_pmd", args, m, k);
      cmp("__swp_type of a PMD migration entry", args, A::swp_type(m), k_pmd_swp_type(k));
      cmp("__swp_offset of a PMD migration entry", args, A::swp_offset(m), k_pmd_swp_offset(k));
      cmp("pmd_present of a PMD migration entry", args, A::pmd_present(m), k_pmd_present(k));
      if (c & KT_CFG_PMD_MKINVALID) {
        const pmdval_t mi = A::pmd_mkinvalid(m);
        const kt_pte ki = k_pmd_mkinvalid(k);
        cmp("pmd_mkinvalid of a PMD migration entry", args, mi, ki);
        cmp("pmd_present of pmd_mkinvalid(migration entry)", args, A::pmd_present(mi), k_pmd_present(ki));
        cmp("pmd_leaf of pmd_mkinvalid(migration entry)", args, A::pmd_leaf(mi), k_pmd_leaf(ki));
        if (A::pmd_leaf(mi)) {
          cmp("pmd_access_permitted(read) of pmd_mkinvalid(migration entry)", args,
              A::pmd_access_permitted(mi, false), k_pmd_access_permitted(ki, 0));
          cmp("pmd_access_permitted(write) of pmd_mkinvalid(migration entry)", args,
              A::pmd_access_permitted(mi, true), k_pmd_access_permitted(ki, 1));
        }
      }
    }
  }

  // arm64: one contpte block (16 entries), read at every index.  The model's
  // lockless reader says when the block is inconsistent (the kernel would spin
  // until a writer finishes); only consistent blocks go to the kernel's.
  void block(const pteval_t* blk) {
    if constexpr (A::has_contpte) {
      kt_pte kb[CONT_PTES];
      for (int i = 0; i < CONT_PTES; i++) kb[i] = K(blk[i]);
      for (int i = 0; i < CONT_PTES; i++) {
        auto args = [&] { return "block[" + std::to_string(i) + "] of " + hex(blk[0]) + ".."; };
        cmp("ptep_get", args, A::contpte_ptep_get(blk, i), k_ptep_get(kb, i));
        cmp("ptep_get_lockless_norecency", args, blk[i], k_ptep_get_lockless_norecency(kb, i));
        if (auto m = A::contpte_ptep_get_lockless(blk, i)) cmp("ptep_get_lockless", args, *m, k_ptep_get_lockless(kb, i));
      }
    }
  }
};

// Calls f.template operator()<M<c>>() with c == want: the kernel object's
// configuration, read at run time, mirrored into the model's template.
template <template <ArchCfg> class M, int I = 0, class F>
void with_model(const ArchCfg& want, F&& f) {
  constexpr ArchCfg c{.numa_balancing = bool(I & 1), .soft_dirty = bool(I & 2), .uffd_wp = bool(I & 4),
                      .shstk = bool(I & 8), .pmd_page_order = KERNEL_HPAGE_PMD_ORDER};
  if (c == want) return f.template operator()<M<c>>();
  if constexpr (I < 15) with_model<M, I + 1>(want, f);
}

// What one run did, for the table and report.json.
struct RunConfig {
  uint64_t random_values = 1'000'000;
  uint64_t seed = 1;
};

}  // namespace gf::kt
