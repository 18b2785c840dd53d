// SPDX-License-Identifier: GPL-2.0
//
// What each of the machine's cells is (core/mm/cells.def), packed into the
// cell's tag: the scheduler passes tags through without reading them; the
// machine's observer, the traces and the study read them.
#pragma once

#include <cstdint>
#include <iterator>

namespace gf {

enum class CellKind : uint8_t {
  note = 0,  // tag 0: a trace note, not a cell
#define GF_CELL(id, name, trace) id,
#include "core/mm/cells.def"
#undef GF_CELL
};

constexpr uint32_t make_tag(CellKind k, uint32_t index) { return (uint32_t(k) << 24) | (index & 0xffffff); }
constexpr CellKind tag_kind(uint32_t tag) { return CellKind(tag >> 24); }
constexpr uint32_t tag_index(uint32_t tag) { return tag & 0xffffff; }
// The bit of ExecCtx::serialize_kinds for a kind.
constexpr uint32_t kind_bit(CellKind k) { return 1u << unsigned(k); }

struct CellKindInfo {
  const char* name;   // "pte", "refcount", ...
  const char* trace;  // "pte[%u]", "folio %u refcount", ...: the cell in a trace
};
inline constexpr CellKindInfo kCellKinds[] = {
    {"note", "note"},
#define GF_CELL(id, name, trace) {name, trace},
#include "core/mm/cells.def"
#undef GF_CELL
};
static_assert(std::size(kCellKinds) <= 32, "a kind is a bit of a 32-bit mask (kind_bit)");
constexpr const CellKindInfo& info(CellKind k) {
  return size_t(k) < std::size(kCellKinds) ? kCellKinds[size_t(k)] : kCellKinds[0];
}

// A change of the mapping (an entry or a PMD): the value history the oracles read.
constexpr bool is_mapping_kind(CellKind k) { return k == CellKind::pte || k == CellKind::pmd; }
// A field of a folio (indexed by pfn): what folio_use_after_free watches.
constexpr bool is_folio_kind(CellKind k) {
  constexpr uint32_t folio_kinds = kind_bit(CellKind::refcount) | kind_bit(CellKind::pincount) |
                                   kind_bit(CellKind::folio_dirty);
  return (folio_kinds >> unsigned(k)) & 1;  // one test on the machine's hot path
}

}  // namespace gf
