// SPDX-License-Identifier: GPL-2.0
#include "core/base/ids.h"

#include <array>

#include "core/base/types.h"

namespace gf {
namespace {
constexpr std::array<OracleInfo, NR_ORACLES> kOracles = {{
#define GF_ORACLE(id, text) {#id, text},
#include "core/base/oracles.def"
#undef GF_ORACLE
}};
constexpr std::array<BugInfo, NR_BUGS> kBugs = {{
#define GF_BUG(id, oracle, where, ref, text) {#id, Oracle::oracle, where, ref, text},
#include "core/base/bugs.def"
#undef GF_BUG
}};
constexpr std::array<KnownRaceInfo, NR_KNOWN_RACES> kKnown = {{
#define GF_KNOWN_RACE(id, oracle, arches, ref, text) {#id, Oracle::oracle, arches, ref, text},
#include "core/base/known.def"
#undef GF_KNOWN_RACE
}};
constexpr std::array<OpInfo, NR_OPS> kOps = {{
#define GF_OP(id, args, kernel, text) {#id, kernel, text},
#include "core/base/ops.def"
#undef GF_OP
}};

template <class E, size_t N, class T>
std::optional<E> find(const std::array<T, N>& table, std::string_view s) {
  for (size_t i = 0; i < N; i++)
    if (table[i].id == s) return E(i);
  return std::nullopt;
}
}  // namespace

const OracleInfo& info(Oracle o) { return kOracles[size_t(o)]; }
const BugInfo& info(Bug b) { return kBugs[size_t(b)]; }
const OpInfo& info(OpKind k) { return kOps[size_t(k)]; }
const KnownRaceInfo& info(KnownRace k) { return kKnown[size_t(k)]; }
std::optional<Oracle> oracle_from_name(std::string_view s) { return find<Oracle>(kOracles, s); }
std::optional<Bug> bug_from_name(std::string_view s) { return find<Bug>(kBugs, s); }
std::optional<OpKind> op_from_name(std::string_view s) { return find<OpKind>(kOps, s); }

std::string_view op_args_text(OpKind k) {
  static constexpr std::string_view kText[8] = {"", "va", "nr", "va nr", "flags", "va flags", "nr flags", "va nr flags"};
  return kText[(op_uses_va(k) ? 1 : 0) | (op_max_nr(k) > 1 ? 2 : 0) | (op_flag_mask(k) ? 4 : 0)];
}

}  // namespace gf
