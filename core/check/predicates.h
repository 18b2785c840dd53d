// SPDX-License-Identifier: GPL-2.0
//
// The predicates GUP-fast consults (core/check/predicates.def), evaluated on a
// model: pred_eval<A>(p, pte).  Booleans are 0/1, pte_pfn the PFN.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/base/types.h"

namespace gf {

enum class Pred : uint8_t {
#define GF_PRED(id, title, call, use) id,
#include "core/check/predicates.def"
#undef GF_PRED
};
inline constexpr int NR_PREDS = 0
#define GF_PRED(id, title, call, use) +1
#include "core/check/predicates.def"
#undef GF_PRED
    ;
struct PredInfo { std::string_view id, title, call, use; };  // title: the audit table's column
const PredInfo& info(Pred p);
std::optional<Pred> pred_from_name(std::string_view s);

template <class A>
constexpr uint64_t pred_eval(Pred p, pteval_t v) {
  switch (p) {
    case Pred::pte_present: return A::pte_present(v);
    case Pred::pte_protnone: return A::pte_protnone(v);
    case Pred::access_read: return A::pte_access_permitted(v, false);
    case Pred::access_write: return A::pte_access_permitted(v, true);
    case Pred::pte_special: return A::pte_special(v);
    case Pred::pte_devmap: return A::pte_devmap(v);
    case Pred::pte_pfn: return A::pte_pfn(v);
    case Pred::pte_write: return A::pte_write(v);
    case Pred::pte_uffd_wp: return A::pte_uffd_wp(v);
  }
  return 0;
}

}  // namespace gf
