// SPDX-License-Identifier: GPL-2.0
//
// A folio's lifetime, judged at the access itself (include/linux/page_ref.h,
// mm/gup.c try_grab_folio_fast()):
//  - folio_try_get() / folio_ref_try_add() never succeed at refcount zero:
//    a zero count is a freed folio, or one frozen by folio_ref_freeze()
//    (migration), and only its owner sets it again (folio_ref_unfreeze(),
//    set_page_refcounted(): a store, not an increment);
//  - nothing changes a freed folio's fields; a lockless reader may still
//    read its refcount (struct page outlives the folio: the speculative
//    reference of GUP-fast reads zero and gives up), nothing else;
//  - a folio is freed once, at refcount zero;
//  - no count goes below zero (the refcount oracle).
#include <cstdio>
#include <string>

#include "core/base/text.h"
#include "core/mm/cell_kind.h"
#include "core/mm/machine.h"
#include "core/oracle/contracts.h"

namespace gf {

namespace {
const char* field_name(CellKind k) {
  return k == CellKind::refcount ? "refcount" : k == CellKind::pincount ? "pincount" : "PG_dirty";
}
}  // namespace

GF_NO_COVERAGE void judge_folio_access(Machine& m, const Access& a) {
  const CellKind k = tag_kind(a.tag);
  const uint32_t pfn = tag_index(a.tag);
  const bool changes = a.kind != Acc::load && a.kind != Acc::plain && a.ok;
  if (k != CellKind::folio_dirty && changes && int64_t(a.after) < 0) {
    m.violate(Oracle::refcount, std::string(field_name(k)) + " of folio " + std::to_string(pfn) + " underflowed to " +
                                    std::to_string(int64_t(a.after)) + " (" + model_line(a.file, a.line) + ")");
    return;
  }
  // The ASan view (unchecked_tables): the freed body is poisoned instead.
  if (m.opt.unchecked_tables) return;
  // On real threads the freeing CPU marks the folio after its own access, so
  // "freed" is not known at another CPU's access: only a count at zero is.
  const bool freed = !m.opt.threaded && !m.folio[m.folio[pfn].head].allocated;
  char buf[300];
  if (freed && (changes || k != CellKind::refcount)) {
    std::snprintf(buf, sizeof buf, "cpu%d %s the %s of folio %u after it was freed (%s %lld -> %lld, %s)", m.cur_cpu(),
                  changes ? "changed" : "read", field_name(k), pfn, access_name(a.kind), (long long)int64_t(a.before),
                  (long long)int64_t(a.after), model_line(a.file, a.line).c_str());
    m.violate(Oracle::folio_use_after_free, buf);
    return;
  }
  if (k == CellKind::refcount && changes && a.kind != Acc::store && a.before == 0 && int64_t(a.after) > 0) {
    std::snprintf(buf, sizeof buf,
                  "cpu%d took a reference on folio %u at refcount zero (%s 0 -> %lld, %s): a frozen folio gained a "
                  "reference folio_try_get() must refuse",
                  m.cur_cpu(), pfn, access_name(a.kind), (long long)int64_t(a.after), model_line(a.file, a.line).c_str());
    m.violate(Oracle::folio_use_after_free, buf);
  }
}

GF_NO_COVERAGE void judge_folio_changed(Machine& m, const Folio& head, const char* field) {
  if (m.opt.unchecked_tables || m.folio[head.head].allocated) return;
  m.violate(Oracle::folio_use_after_free, "cpu" + std::to_string(m.cur_cpu()) + " changed the " + field + " of folio " +
                                              std::to_string(head.head) + " after it was freed");
}

GF_NO_COVERAGE bool judge_folio_free(Machine& m, Folio& head) {
  if (m.opt.unchecked_tables) return false;  // the ASan view: the oracles read the body
  if (!head.allocated) {
    m.violate(Oracle::folio_use_after_free, "cpu" + std::to_string(m.cur_cpu()) + " freed folio " +
                                                std::to_string(head.head) + " a second time");
    return true;
  }
  const int64_t refs = head.refcount.peek();
  if (refs != 0) {
    m.violate(Oracle::refcount, "folio " + std::to_string(head.head) + " freed at refcount " + std::to_string(refs));
    return true;
  }
  return false;
}

}  // namespace gf
