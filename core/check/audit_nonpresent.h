// SPDX-License-Identifier: GPL-2.0
//
// The second enumeration of `gupfuzz audit` (core/check/audit.h): entries that
// map nothing, and the PROT_NONE entries the kernel's constructors make.  The
// first enumeration (audit_model.h) takes entries that map something only,
// so a pte_same_norecency() that also normalises swap or migration entries,
// or a pte_access_permitted() that forgets the present bit, would pass it.
//
// The entries, on model A (Linux 6.12 encodings, through the model's own
// constructors; include/linux/swap.h, swapops.h and each arch's pgtable*.h):
//   - none: pte_clear()'s value, and every one-bit variant of it the decoder
//     still calls none (x86 Accessed/Dirty after the Knights Landing erratum,
//     ppc64 R/C written back late);
//   - swap entries of every type, with the type numbering of a kernel with
//     DEVICE_PRIVATE, MIGRATION, MEMORY_FAILURE and PTE_MARKER: 0-22 swap
//     files, 23 hwpoison, 24-26 migration (read, read-exclusive, write),
//     27-30 device private/exclusive, 31 the PTE marker; each with small
//     offsets (0 only where the offset is a PFN) and every subset of the model's swap-format flags (swp_pte_flags:
//     exclusive, soft-dirty, uffd-wp), and types 0, 1, 24 and 26 with every
//     single offset bit (a migration entry keeps young/dirty in offset bits
//     SWP_MIG_YOUNG_BIT/SWP_MIG_DIRTY_BIT; wherever an offset bit lands on a
//     present entry's young, dirty or write bit, it is among these);
//   - PROT_NONE / NUMA-hinting entries: mk_user_pte() with protnone and
//     pfn_pte(Prot::none), for every user protection, and their
//     pte_mkold/mkyoung/mkclean/mkdirty views that stay PROT_NONE;
// and, as partners only, the present entries mk_user_pte() makes.
//
// Checks:
//   - compare: every pair of them (and each with every partner) that
//     pte_same_norecency() calls equal must have records equal but for
//     young/dirty; a non-present entry is compared raw, so two different
//     ones never are (`unsafe` in the compare column, via "norecency-equal
//     (<kind>, <kind>)"); predicates on such a pair must agree as in
//     audit_pair();
//   - non-present: each predicate GUP-fast's first tests read must answer
//     as the decoder's kind implies: none and non-present entries are not
//     pte_present(), not pte_protnone() and permit no access; PROT_NONE ones
//     are pte_present(), pte_protnone() with NUMA_BALANCING, and permit no
//     access.  The other predicates mean nothing on a non-present entry
//     (GUP-fast has bailed before it reads them) and are not judged.
// The completeness check does not apply: GUP-fast rechecks only entries it
// found present.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "core/check/audit.h"
#include "core/arch/norecency.h"
#include "core/check/pte_check.h"
#include "core/check/pte_check_model.h"
#include "core/decoder/semantic.h"

namespace gf {
namespace audit_detail {

// Keeps the minimal counterexample of a cell (AuditCell::note()).
inline void note(AuditCell& c, const char* why, pteval_t x, pteval_t y, uint64_t vx, uint64_t vy,
                 const std::string& via, const std::string& what = "") {
  c.note(why, x, y, vx, vy, via, what);
}

// The swap-format flag bits of model A, 0 when it declares none.
template <class A>
constexpr pteval_t swp_flags() {
  if constexpr (requires { A::swp_pte_flags; })
    return A::swp_pte_flags;
  else
    return 0;
}

template <class A>
constexpr bool numa_balancing() {
  if constexpr (requires { A::cfg.numa_balancing; })
    return A::cfg.numa_balancing;
  else
    return true;
}

// What swap type t holds in 6.12 with DEVICE_PRIVATE, MIGRATION,
// MEMORY_FAILURE and PTE_MARKER (include/linux/swap.h: MAX_SWAPFILES = 23).
constexpr const char* swp_family(unsigned t) {
  if (t < 23) return "swap";
  if (t == 23) return "hwpoison";
  if (t < 27) return "migration";
  if (t < 31) return "device";
  return "marker";
}

struct Special {
  pteval_t v;
  PteSem s;
  const char* family;  // none, swap, hwpoison, migration, device, marker, protnone, present
  uint64_t pred[NR_PREDS];
};

// The second enumeration's entries (partners = false: none, swap kinds,
// PROT_NONE), or the present entries mk_user_pte() makes that they are also
// paired with (partners = true); deduplicated, in value order.
template <class A>
std::vector<Special> special_entries(Arch arch, bool partners) {
  std::vector<std::pair<pteval_t, const char*>> raw;
  auto user = [&](unsigned m, uint64_t pfn) {
    const pteval_t x = A::mk_user_pte(pfn, uprot_of(m));
    for (pteval_t v : {x, A::pte_mkold(x), A::pte_mkyoung(x), A::pte_mkclean(x), A::pte_mkdirty(x)})
      raw.push_back({v, m & 32 ? "protnone" : "present"});
  };
  if (partners) {
    for (unsigned m = 0; m < 32; m++)
      for (uint64_t pfn : {1, 5}) user(m, pfn);
  } else {
    const pteval_t empty = pte_check_detail::empty_pte<A>();
    raw.push_back({empty, "none"});
    for (int b = 0; b < 64; b++)
      if (sem_decode(arch, empty ^ (1ull << b)).kind == PteSem::none) raw.push_back({empty ^ (1ull << b), "none"});
    constexpr pteval_t flags = swp_flags<A>();
    for (unsigned t = 0; t < 32; t++)
      for (uint64_t off : {0, 1, 2, 3}) {
        // Offset 0 of a swap file is its header, and a PTE marker has at
        // least one marker bit: only the PFN-carrying types use offset 0.
        if (off == 0 && (t < 23 || t == 31)) continue;
        for (pteval_t f = flags;; f = (f - 1) & flags) {
          raw.push_back({A::swp_entry_pte(t, off) | f, swp_family(t)});
          if (!f) break;
        }
      }
    for (unsigned t : {0, 1, 24, 26})
      for (int k = 0; k < 52; k++) raw.push_back({A::swp_entry_pte(t, 1ull << k), swp_family(t)});
    for (unsigned m = 32; m < 64; m++)
      for (uint64_t pfn : {1, 5, 0x12345}) user(m, pfn);
    for (uint64_t pfn : {1, 5, 0x12345}) {
      const pteval_t x = A::pfn_pte(pfn, Prot::none);
      for (pteval_t v : {x, A::pte_mkold(x), A::pte_mkyoung(x), A::pte_mkclean(x), A::pte_mkdirty(x)})
        raw.push_back({v, "protnone"});
    }
  }
  std::sort(raw.begin(), raw.end(), [](auto& a, auto& b) {
    return a.first != b.first ? a.first < b.first : std::string_view(a.second) < std::string_view(b.second);
  });
  std::vector<Special> out;
  for (size_t i = 0; i < raw.size(); i++) {
    if (i && raw[i].first == raw[i - 1].first) continue;
    Special e{raw[i].first, sem_decode(arch, raw[i].first), raw[i].second, {}};
    if (e.s.kind == PteSem::none) e.family = "none";  // an empty swap entry (arm64, riscv type 0 offset 0)
    // A PROT_NONE constructor's view that is no longer PROT_NONE, or a
    // present partner that is not present (no-op helpers), is left out.
    if (std::string_view(e.family) == "protnone" && e.s.kind != PteSem::protnone) continue;
    if (std::string_view(e.family) == "present" && e.s.kind != PteSem::present) continue;
    for (int p = 0; p < NR_PREDS; p++) e.pred[p] = pred_eval<A>(Pred(p), e.v);
    out.push_back(e);
  }
  return out;
}

// The predicates of GUP-fast's first tests against what the decoder's kind implies.
template <class A>
void audit_decoded(AuditArch& r, Arch arch, const Special& e) {
  const char* kind = e.s.kind == PteSem::none         ? "none"
                     : e.s.kind == PteSem::nonpresent ? "nonpresent"
                     : e.s.kind == PteSem::protnone   ? "protnone"
                                                      : nullptr;
  if (!kind) return;
  const bool protnone = e.s.kind == PteSem::protnone;
  const std::pair<Pred, uint64_t> want[] = {{Pred::pte_present, protnone},
                                            {Pred::pte_protnone, protnone && numa_balancing<A>()},
                                            {Pred::access_read, 0},
                                            {Pred::access_write, 0}};
  for (auto [p, expected] : want) {
    r.nonpresent.pairs++;
    if (e.pred[int(p)] == expected) continue;
    const std::string_view id = info(p).id;
    note(r.nonpresent, known_decode_finding(arch, id, kind), e.v, e.v, e.pred[int(p)], expected,
         std::string(e.family) + " entry", std::string(id));
  }
}

// A pair with at least one side from the second enumeration.
template <class A>
void audit_special_pair(AuditArch& r, Arch arch, const Special& x, const Special& y) {
  r.compare.pairs++;
  if (!pte_same_norecency<A>(x.v, y.v)) return;
  const std::string fields = x.s.diff(y.s);
  const std::string via = std::string("norecency-equal (") + x.family + ", " + y.family + ")";
  if (!x.s.same_but_recency(y.s))
    note(r.compare, known_finding(arch, Oracle::norecency_hides_change, fields, fields), x.v, y.v, 0, 0, via, fields);
  for (int p = 0; p < NR_PREDS; p++) {
    r.preds[p].pairs++;
    if (x.pred[p] != y.pred[p])
      note(r.preds[p], known_finding(arch, Oracle::stale_view_changes_decision, info(Pred(p)).id, fields), x.v, y.v,
           x.pred[p], y.pred[p], via);
  }
}

template <class A>
void audit_nonpresent(AuditArch& r, Arch arch) {
  const std::vector<Special> s = special_entries<A>(arch, false), partners = special_entries<A>(arch, true);
  r.nonpresent_entries = s.size();
  for (const Special& e : s) audit_decoded<A>(r, arch, e);
  for (size_t i = 0; i < s.size(); i++) {
    for (size_t j = i + 1; j < s.size(); j++) audit_special_pair<A>(r, arch, s[i], s[j]);
    for (const Special& c : partners) audit_special_pair<A>(r, arch, s[i], c);
  }
}

}  // namespace audit_detail
}  // namespace gf
