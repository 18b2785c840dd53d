// SPDX-License-Identifier: GPL-2.0
//
// Enumerations generated from the tables: oracles, injected bugs, operations.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace gf {

enum class Oracle : uint8_t {
#define GF_ORACLE(id, text) id,
#include "core/base/oracles.def"
#undef GF_ORACLE
};
inline constexpr int NR_ORACLES = 0
#define GF_ORACLE(id, text) +1
#include "core/base/oracles.def"
#undef GF_ORACLE
    ;

enum class Bug : uint8_t {
#define GF_BUG(id, oracle, where, ref, text) id,
#include "core/base/bugs.def"
#undef GF_BUG
};
inline constexpr int NR_BUGS = 0
#define GF_BUG(id, oracle, where, ref, text) +1
#include "core/base/bugs.def"
#undef GF_BUG
    ;

enum class OpKind : uint8_t {
#define GF_OP(id, args, kernel, text) id,
#include "core/base/ops.def"
#undef GF_OP
};
inline constexpr int NR_OPS = 0
#define GF_OP(id, args, kernel, text) +1
#include "core/base/ops.def"
#undef GF_OP
    ;

// Each bug's `where` column, usable at compile time (core/arch/registry.h
// instantiates a model per architecture and helper bug).
inline constexpr std::string_view kBugWhere[NR_BUGS] = {
#define GF_BUG(id, oracle, where, ref, text) where,
#include "core/base/bugs.def"
#undef GF_BUG
};

struct OracleInfo { std::string_view id, statement; };
// where: "" for a bug in the operations, else the architecture model (or "*": all) whose helpers it breaks.
struct BugInfo { std::string_view id; Oracle oracle; std::string_view where, kernel_ref, text; };
struct OpInfo { std::string_view id, args, kernel, text; };

const OracleInfo& info(Oracle o);
const BugInfo& info(Bug b);
const OpInfo& info(OpKind k);
std::optional<Oracle> oracle_from_name(std::string_view s);
std::optional<Bug> bug_from_name(std::string_view s);
std::optional<OpKind> op_from_name(std::string_view s);

// A set of injected bugs.
struct BugSet {
  uint32_t bits = 0;
  bool has(Bug b) const { return bits & (1u << unsigned(b)); }
  void add(Bug b) { bits |= 1u << unsigned(b); }
  bool empty() const { return bits == 0; }
  bool operator==(const BugSet&) const = default;
};

}  // namespace gf
