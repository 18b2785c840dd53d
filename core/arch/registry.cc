// SPDX-License-Identifier: GPL-2.0
#include "core/arch/registry.h"

namespace gf {

bool bug_applies(Bug b, Arch a) {
  const std::string_view w = info(b).where;
  return w == "*" || w == info(a).name;
}

int helper_bug_for(Arch a, BugSet bugs) {
  for (int b = 0; b < NR_BUGS; b++)
    if (bugs.has(Bug(b)) && bug_applies(Bug(b), a)) return b;
  return -1;
}

}  // namespace gf
