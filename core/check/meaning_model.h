// SPDX-License-Identifier: GPL-2.0
//
// The meaning check of core/check/meaning.h on a model type A:
// run_meaning() runs it on every architecture model and configuration; a
// test can run meaning_model<A>() on a model of its own.
//
// The entries, on model A:
//   - made: mk_user_pte(pfn, prot) for the 64 UserProt values and
//     pfn_pte(pfn, Prot) for the five protections, at three page frames, then
//     every chain of up to two of pte_mkold, pte_mkyoung, pte_mkclean,
//     pte_mkdirty, pte_wrprotect, pte_mkspecial, pte_mkuffd_wp,
//     pte_mksoft_dirty, pte_modify (to each Prot) and the MMU's access and
//     write updates; and the audit's second enumeration
//     (core/check/audit_nonpresent.h: none, swap entries of every type with
//     their flags, migration, device, hwpoison, marker, PROT_NONE);
//   - raw: every pattern of the bits the audit enumerates (the bits some
//     predicate, the norecency compare or the decoder reads), exhaustive up
//     to MeaningOptions::max_bits, that is not made and is well-formed
//     (sem_well_formed()).
// Each entry is decided for a read and for a write pin.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "core/base/rng.h"
#include "core/check/audit_model.h"
#include "core/check/audit_nonpresent.h"
#include "core/check/meaning.h"
#include "core/decoder/semantic.h"

namespace gf {
namespace meaning_detail {

// The entries the kernel's constructors and helpers make (sorted, unique).
template <class A>
std::vector<pteval_t> made_entries(Arch arch) {
  using F = pteval_t (*)(pteval_t);
  static constexpr F helpers[] = {
      [](pteval_t v) { return A::pte_mkold(v); },
      [](pteval_t v) { return A::pte_mkyoung(v); },
      [](pteval_t v) { return A::pte_mkclean(v); },
      [](pteval_t v) { return A::pte_mkdirty(v); },
      [](pteval_t v) { return A::pte_wrprotect(v); },
      [](pteval_t v) { return A::pte_mkspecial(v); },
      [](pteval_t v) { return A::pte_mkuffd_wp(v); },
      [](pteval_t v) { return A::pte_mksoft_dirty(v); },
      [](pteval_t v) { return A::pte_modify(v, Prot::none); },
      [](pteval_t v) { return A::pte_modify(v, Prot::ro); },
      [](pteval_t v) { return A::pte_modify(v, Prot::rw); },
      [](pteval_t v) { return A::pte_modify(v, Prot::ro_x); },
      [](pteval_t v) { return A::pte_modify(v, Prot::rw_x); },
      [](pteval_t v) { return A::hw_access(v).value_or(v); },
      [](pteval_t v) { return A::hw_write(v).value_or(v); },
  };
  std::vector<pteval_t> level;
  for (uint64_t pfn : {1, 5, 0x12345}) {
    for (unsigned m = 0; m < 64; m++) level.push_back(A::mk_user_pte(pfn, uprot_of(m)));
    for (int p = 0; p < NR_PROTS; p++) level.push_back(A::pfn_pte(pfn, Prot(p)));
  }
  std::vector<pteval_t> all = level;
  for (int depth = 0; depth < 2; depth++) {
    std::sort(level.begin(), level.end());
    level.erase(std::unique(level.begin(), level.end()), level.end());
    std::vector<pteval_t> next;
    next.reserve(level.size() * std::size(helpers));
    for (pteval_t v : level)
      for (F f : helpers) next.push_back(f(v));
    all.insert(all.end(), next.begin(), next.end());
    level = std::move(next);
  }
  for (const audit_detail::Special& e : audit_detail::special_entries<A>(arch, false)) all.push_back(e.v);
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

// The bits the raw patterns range over: the audit's (audit_model()).
template <class A>
std::vector<int> raw_bits(Arch arch, uint64_t seed) {
  using namespace audit_detail;
  const uint64_t cand = candidate_bits<A>();
  Rng rng{seed};
  const std::vector<pteval_t> probe = probe_entries<A>(cand, rng);
  uint64_t relevant = 0, absorbed = 0;
  classify_bits<A>(arch, probe, cand, relevant, absorbed);
  relevant |= (absorbed | sem_recency_bits(arch)) & cand;
  std::vector<int> bits;
  for (int b = 0; b < 64; b++)
    if (relevant >> b & 1) bits.push_back(b);
  return bits;
}

template <class A>
void check_entry(MeaningRow& r, Arch arch, pteval_t v, bool is_made) {
  const PteSem s = sem_decode(arch, v);
  if (!is_made && s.maps() && !sem_well_formed(arch, v)) {
    r.ill_formed++;
    return;
  }
  (is_made ? r.made : r.raw)++;
  for (bool write : {false, true}) r.check(v, s, gup_fast_decide<A>(v, write), write, is_made);
}

}  // namespace meaning_detail

// The meaning check of core/check/meaning.h on model A, judged by `arch`'s
// decoder; cfg and bug are only recorded.
template <class A>
MeaningRow meaning_model(Arch arch, std::string cfg, int bug, const MeaningOptions& o = {}) {
  using namespace meaning_detail;
  MeaningRow r;
  r.arch = arch;
  r.cfg = std::move(cfg);
  r.bug = bug;
  const std::vector<pteval_t> made = made_entries<A>(arch);
  for (pteval_t v : made) check_entry<A>(r, arch, v, true);
  const std::vector<int> bits = raw_bits<A>(arch, o.seed);
  r.raw_bits = int(bits.size());
  r.exhaustive = r.raw_bits <= o.max_bits;
  Rng rng{o.seed};
  const uint64_t n = r.exhaustive ? 1ull << bits.size() : o.samples;
  for (uint64_t i = 0; i < n; i++) {
    const pteval_t v = audit_detail::spread(r.exhaustive ? i : rng.next(), bits);
    if (std::binary_search(made.begin(), made.end(), v)) continue;
    check_entry<A>(r, arch, v, false);
  }
  r.finish();
  return r;
}

}  // namespace gf
