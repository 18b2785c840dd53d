// SPDX-License-Identifier: GPL-2.0
//
// Enumerations generated from the tables: oracles, injected bugs, operations.
#pragma once

#include <cstddef>
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

// GUP flags in Op::flags (gup_fast; fault and mprotect take FOLL_WRITE alone),
// and NEED_RESCHED, madvise_dontneed's one flag: need_resched() turns true
// half-way through the table, so zap_pte_range() drops the PTL and retries
// (the scheduler tick or a wakeup of another task: the environment's choice,
// so the scenario's).
enum GupFlag : uint8_t { FOLL_WRITE = 1 << 0, FOLL_PIN = 1 << 1, FOLL_LONGTERM = 1 << 2, NEED_RESCHED = 1 << 3 };
inline constexpr uint8_t GUP_FLAG_MASK = 7;
inline constexpr int MAX_GUP_PAGES = 8;     // gup_fast nr: 1..8
inline constexpr int MAX_RANGE_PAGES = 64;  // unmap / wrprotect / mprotect / madvise nr: 1..64

// The arguments an operation takes (the GF_ARGS column of ops.def).
struct OpArgs {
  bool va;        // a virtual page
  int max_nr;     // nr is 1..max_nr; 1: the operation takes no nr
  uint8_t flags;  // the GUP flags it takes; 0: none
};

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
inline constexpr OpArgs kOpArgs[NR_OPS] = {
#define GF_ARGS(va, max_nr, flags) OpArgs{va, max_nr, uint8_t(flags)}
#define GF_OP(id, args, kernel, text) args,
#include "core/base/ops.def"
#undef GF_OP
#undef GF_ARGS
};

// Each bug's `where` column, usable at compile time (core/arch/registry.h
// instantiates a model per architecture and helper bug).
inline constexpr std::string_view kBugWhere[NR_BUGS] = {
#define GF_BUG(id, oracle, where, ref, text) where,
#include "core/base/bugs.def"
#undef GF_BUG
};

// Findings of the correct model, triaged (core/base/known.def).
enum class KnownRace : uint8_t {
#define GF_KNOWN_RACE(id, oracle, arches, ref, text) id,
#include "core/base/known.def"
#undef GF_KNOWN_RACE
};
inline constexpr int NR_KNOWN_RACES = 0
#define GF_KNOWN_RACE(id, oracle, arches, ref, text) +1
#include "core/base/known.def"
#undef GF_KNOWN_RACE
    ;

struct OracleInfo { std::string_view id, statement; };
struct KnownRaceInfo { std::string_view id; Oracle oracle; std::string_view arches, kernel_ref, text; };
const KnownRaceInfo& info(KnownRace k);
// where: "" for a bug in the operations, else the architecture model (or "*": all) whose helpers it breaks.
struct BugInfo { std::string_view id; Oracle oracle; std::string_view where, kernel_ref, text; };
struct OpInfo { std::string_view id, kernel, text; };

const OracleInfo& info(Oracle o);
const BugInfo& info(Bug b);
const OpInfo& info(OpKind k);
std::optional<Oracle> oracle_from_name(std::string_view s);
std::optional<Bug> bug_from_name(std::string_view s);
std::optional<OpKind> op_from_name(std::string_view s);
// Which arguments an operation takes (unused ones are 0, nr is 1, in canonical form).
inline bool op_uses_va(OpKind k) { return kOpArgs[size_t(k)].va; }
inline int op_max_nr(OpKind k) { return kOpArgs[size_t(k)].max_nr; }  // 1 when the operation has no nr
inline uint8_t op_flag_mask(OpKind k) { return kOpArgs[size_t(k)].flags; }
// "va nr flags", "va", "": the arguments by name, as `gupfuzz ops` lists them.
std::string_view op_args_text(OpKind k);

// A set of injected bugs.
struct BugSet {
  uint64_t bits = 0;
  bool has(Bug b) const { return bits & (uint64_t(1) << unsigned(b)); }
  void add(Bug b) { bits |= uint64_t(1) << unsigned(b); }
  bool empty() const { return bits == 0; }
  bool operator==(const BugSet&) const = default;
};

}  // namespace gf
