// SPDX-License-Identifier: GPL-2.0
#include "core/arch/registry.h"

#include <array>

namespace gf {
namespace {
constexpr std::array<PteArchInfo, NR_PTE_ARCHES> kArches = {{
#define GF_ARCH(id, name, type, text) {name, text},
#include "core/arch/arches.def"
#undef GF_ARCH
}};
}  // namespace

const PteArchInfo& info(PteArch a) { return kArches[size_t(a)]; }

std::optional<PteArch> pte_arch_from_name(std::string_view s) {
  for (int i = 0; i < NR_PTE_ARCHES; i++)
    if (kArches[i].name == s) return PteArch(i);
  return std::nullopt;
}

bool bug_applies(Bug b, PteArch a) {
  const std::string_view w = info(b).where;
  return w == "*" || w == info(a).name;
}

int helper_bug_for(PteArch a, BugSet bugs) {
  for (int b = 0; b < NR_BUGS; b++)
    if (bugs.has(Bug(b)) && bug_applies(Bug(b), a)) return b;
  return -1;
}

}  // namespace gf
