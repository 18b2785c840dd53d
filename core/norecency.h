// SPDX-License-Identifier: GPL-2.0
//
// The RFC's comparison on values ("mm: Introduce ptep_get_lockless_norecency()",
// Ryan Roberts, Feb 2024, patch 2/4), for any architecture model A: a present
// side goes through pte_mkold(pte_mkclean()), a non-present one stays raw,
// then pte_same().  core/pgtable.h calls it (with the oracle hook and the
// injected bug); tools/kernel-truth compares it with the same composition of
// the kernel's real helpers.
#pragma once

#include "core/pte.h"

namespace gf {

template <class A>
constexpr pteval_t pte_norecency(pteval_t v) {
  return A::pte_present(v) ? A::pte_mkold(A::pte_mkclean(v)) : v;
}

template <class A>
constexpr bool pte_same_norecency(pteval_t a, pteval_t b) {
  return A::pte_same(pte_norecency<A>(a), pte_norecency<A>(b));
}

}  // namespace gf
