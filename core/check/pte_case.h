// SPDX-License-Identifier: GPL-2.0
//
// PteCase: one input of the PTE-semantics checks (fuzz_pte_norecency,
// tests/witnesses/ for helper bugs): an architecture, a starting entry built
// only through the kernel's constructors, and two sequences of legal
// transformations (core/check/pte_ops.def) that lead to entries a and b.
//
// Bytes — total, missing bytes read as zero, values reduced into range:
//
//   arch  start  pfn  prot  na { op arg }*  nb { op arg }*
//
// start%4: 0 mk_user_pte (prot byte = UserProt bits write exec young dirty
// special protnone), 1 pfn_pte (prot%5), 2 a swap entry (type = prot%32,
// offset = pfn), 3 the empty entry.  pfn byte: 0..199 as is, else one of
// a few large PFNs.  encode() writes the canonical bytes.
//
// JSON (seeds, witnesses, regressions):
//   {"arch": "arm64", "start": {"user": {"pfn": 5, "write": true, "dirty": true}},
//    "a": [{"op": "mkclean"}], "b": [{"op": "modify", "arg": 1}],
//    "bugs": ["write_from_rdonly"], "note": "..."}
// with "start" one of {"user": {pfn, write, exec, young, dirty, special,
// protnone}}, {"pfn_pte": {"pfn", "prot": none|ro|rw|ro_x|rw_x}},
// {"swap": {"type", "offset"}}, or "none".
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/base/ids.h"
#include "core/base/types.h"
#include "core/arch/registry.h"
#include "core/base/parse_error.h"

namespace gf {

enum class PteOpKind : uint8_t {
#define GF_PTE_OP(id, kernel, text) id,
#include "core/check/pte_ops.def"
#undef GF_PTE_OP
};
inline constexpr int NR_PTE_OPS = 0
#define GF_PTE_OP(id, kernel, text) +1
#include "core/check/pte_ops.def"
#undef GF_PTE_OP
    ;
struct PteOpInfo { std::string_view id, kernel, text; };
const PteOpInfo& info(PteOpKind k);
std::optional<PteOpKind> pte_op_from_name(std::string_view s);

inline constexpr int MAX_PTE_OPS = 8;       // per sequence
inline constexpr uint64_t MAX_CASE_PFN = 0xffffffff;  // fits every model's PFN field (PAE: 32 bits)

struct PteStart {
  enum Kind : uint8_t { user, pfn_pte, swap, none } kind = user;
  uint64_t pfn = 1;      // user, pfn_pte; the swap offset for swap
  UserProt uprot;        // user
  Prot prot = Prot::rw;  // pfn_pte
  uint8_t swp_type = 0;  // swap: 0..31
  bool operator==(const PteStart& o) const;
};

struct PteOp {
  PteOpKind kind = PteOpKind::mkold;
  uint8_t arg = 0;
  bool operator==(const PteOp&) const = default;
};

struct PteCase {
  Arch arch{};
  PteStart start;
  std::vector<PteOp> seq[2];
  BugSet bugs;       // never in the bytes
  std::string note;  // never in the bytes
  bool operator==(const PteCase& o) const {
    return arch == o.arch && start == o.start && seq[0] == o.seq[0] && seq[1] == o.seq[1] && bugs == o.bugs;
  }
};

PteCase decode_pte_case(std::span<const uint8_t> bytes);
std::vector<uint8_t> encode(const PteCase& c);
std::optional<PteCase> pte_case_from_json(std::string_view text, ParseError& err);
std::string pte_case_to_json(const PteCase& c, int indent = 2);
// Is this JSON text a PTE case (rather than a scenario)?  It has "start".
bool looks_like_pte_case(std::string_view text);

}  // namespace gf
