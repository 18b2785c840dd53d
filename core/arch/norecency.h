// SPDX-License-Identifier: GPL-2.0
//
// The RFC's comparison on values ("mm: Introduce ptep_get_lockless_norecency()",
// Ryan Roberts, Feb 2024, patch 2/4), for any architecture model A: a present
// side goes through pte_mkold(pte_mkclean()), a non-present one stays raw,
// then pte_same().  core/mm/pgtable.h calls it (with the oracle hook and the
// injected bug); tools/kernel-truth compares it with the same composition of
// the kernel's real helpers.
#pragma once

#include "core/base/types.h"

namespace gf {

template <class A>
constexpr pteval_t pte_norecency(pteval_t v) {
  return A::pte_present(v) ? A::pte_mkold(A::pte_mkclean(v)) : v;
}

// The bits whose flip changes pte_pfn() of a present entry (the PFN field).
template <class A>
constexpr pteval_t pfn_field() {
  const pteval_t base = A::pfn_pte(1, Prot::rw);
  pteval_t m = 0;
  for (int b = 0; b < 64; b++) {
    const pteval_t v = base ^ (pteval_t(1) << b);
    if (A::pte_present(v) && A::pte_pfn(v) != A::pte_pfn(base)) m |= pteval_t(1) << b;
  }
  return m;
}

template <class A>
constexpr bool pte_same_norecency(pteval_t a, pteval_t b) {
  if constexpr (A::cfg.has_bug(Bug::norecency_masks_pfn)) {  // core/bugs.def
    constexpr pteval_t pfn = pfn_field<A>();
    pteval_t x = pte_norecency<A>(a), y = pte_norecency<A>(b);
    if (A::pte_present(a)) x &= ~pfn;
    if (A::pte_present(b)) y &= ~pfn;
    return A::pte_same(x, y);
  }
  if constexpr (A::cfg.has_bug(Bug::norecency_normalises_swap))  // core/base/bugs.def
    return A::pte_same(A::pte_mkold(A::pte_mkclean(a)), A::pte_mkold(A::pte_mkclean(b)));
  return A::pte_same(pte_norecency<A>(a), pte_norecency<A>(b));
}

}  // namespace gf
