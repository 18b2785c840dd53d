// SPDX-License-Identifier: GPL-2.0
#include "core/oracle/oracle.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "core/arch/registry.h"
#include "core/mm/machine.h"
#include "core/decoder/semantic.h"
#include "core/oracle/contracts.h"

namespace gf {
namespace {

// What one value of the entry says about `pfn`, accumulated over the values
// a kept reference is judged against.
struct PinSeen {
  bool mapped = false;    // some value mapped pfn (present or PROT_NONE, valid or not)
  bool readable = false;  // some value let user space read it (sem_refuses_user())
};

// Does this entry value let a user access of `write` kind reach `pfn`
// (core/decoder/semantic.h sem_refuses_user(), as the meaning check)?
bool maps_with(const PteSem& s, uint64_t pfn, bool write, PinSeen* seen) {
  if (!s.maps() || s.pfn != pfn) return false;
  seen->mapped = true;
  if (sem_refuses_user(s, false)) return false;
  seen->readable = true;
  return !write || !sem_refuses_user(s, true);
}

// References a CPU's holds contribute to a folio (GUP ledger).  A page GUP
// returned is a reference on its folio as it is now, page_folio(page): what
// unpin_user_pages() drops (a split cannot move a page GUP holds, unless
// try_grab_folio_fast() kept a reference on a folio the page had left — the
// refcount verdict of pin_kept()).  Not inlined: a GF_NO_COVERAGE function
// inlined into a covered one is covered.
[[gnu::noinline]] GF_NO_COVERAGE void held_refs(const Machine& m, uint16_t head, int64_t* refs, int64_t* pins) {
  for (int c = 0; c < int(m.sc().cpus.size()); c++) {
    const CpuState& cs = m.cpu[c];
    for (int k = 0; k < cs.nheld; k++) {
      const Held& h = cs.held[k];
      if (m.folio[h.pfn].head != head) continue;
      if (h.flags & FOLL_PIN) {
        if (m.folio[head].order) {
          *refs += 1;
          *pins += 1;
        } else {
          *refs += GUP_PIN_COUNTING_BIAS;
        }
      } else {
        *refs += 1;
      }
    }
  }
  *refs += m.folio[head].child_refs;
}

}  // namespace

namespace {
void norecency_compare(Machine& m, pteval_t a, pteval_t b, bool same) {
  if (!same) return;
  PteSem sa = sem_decode(m.sc().arch, a), sb = sem_decode(m.sc().arch, b);
  if (sa.same_but_recency(sb)) return;
  m.violate(Oracle::norecency_hides_change, "pte_same_norecency(" + hex(a) + ", " + hex(b) +
                                                ") is true but they differ in: " + sa.diff(sb) + " [" + sa.str() +
                                                " vs " + sb.str() + "]");
}

// refcount: the reference GUP-fast keeps for `pfn` (the ledger's last entry,
// pushed just before pin_kept()) must be on the page's folio, which is the one
// its caller's put_page()/unpin_user_page() will drop it from.
bool pin_on_other_folio(Machine& m, int cpu, int va, uint64_t pfn) {
  const CpuState& cs = m.cpu[cpu];
  if (cs.nheld == 0) return false;
  const Held h = cs.held[cs.nheld - 1];
  const uint16_t now = m.folio[pfn].head;
  if (h.pfn != pfn || h.head == now) return false;
  m.violate(Oracle::refcount, "cpu" + std::to_string(cpu) + " kept pfn " + std::to_string(pfn) + " for page " +
                                  std::to_string(va) + " with its reference on folio " + std::to_string(h.head) +
                                  ", but the page belongs to folio " + std::to_string(now) +
                                  " (split meanwhile): the put will drop a reference folio " + std::to_string(now) +
                                  " never got, and folio " + std::to_string(h.head) + " keeps one nobody drops");
  return true;
}

void pin_kept(Machine& m, int cpu, int va, uint64_t pfn, bool write, uint64_t grab_step) {
  if (pin_on_other_folio(m, cpu, va, pfn)) return;
  // Real threads: the history is read whole, between two changes.
  std::unique_lock<std::mutex> g(m.change_mu, std::defer_lock);
  if (m.opt.threaded) g.lock();
  // The entry's values while the reference was held: the one it had at
  // grab_step (the last stored at or before it) and every later one.
  const uint32_t n = m.truth.hist_n[va];
  const uint32_t oldest = n > HIST ? n - HIST : 0;
  uint32_t from = oldest;
  bool found = false;
  for (uint32_t k = n; k-- > oldest;) {
    if (m.truth.hist[va][k % HIST].step <= grab_step) {
      from = k;
      found = true;
      break;
    }
  }
  // Nothing stored up to grab_step: either the entry was still none (every
  // entry starts none; the layout records its values), or the window fell out
  // of the ring — then the oracle cannot judge and stays silent.
  if (!found && n > HIST) return;
  PinSeen seen;
  const char* refused = nullptr;  // why the last value mapping pfn refused user space
  for (uint32_t k = from; k < n; k++) {
    const PteSem s = sem_decode(m.sc().arch, m.truth.hist[va][k % HIST].v);
    if (maps_with(s, pfn, write, &seen)) return;
    if (s.maps() && s.pfn == pfn) refused = sem_refuses_user(s, false);
  }
  // Never mapped: pin_not_in_history.  Mapped, readable, never writable, for a
  // write pin: write_pin_without_write.  Mapped but never accessible (only
  // PROT_NONE, invalid, non-user, unreadable or special values), or mapped
  // valid but never accessible to user space: pin_without_access.
  Oracle o = Oracle::pin_not_in_history;
  std::string what = "never mapped that page";
  if (seen.readable && write) {
    o = Oracle::write_pin_without_write;
    what = "never allowed a write";
  } else if (seen.mapped) {
    o = Oracle::pin_without_access;
    what = std::string("mapped that page but never let user space access it (") + (refused ? refused : "?") + ")";
  }
  char buf[300];
  std::snprintf(buf, sizeof buf,
                "cpu%d kept a %s reference on pfn %llu for page %d, taken at step %llu, but from then to step %llu "
                "the entry %s",
                cpu, write ? "write" : "read", (unsigned long long)pfn, va, (unsigned long long)grab_step,
                (unsigned long long)m.now(), what.c_str());
  m.violate(o, buf);
}

void gup_returns(Machine& m, int cpu, int first) {
  const CpuState& cs = m.cpu[cpu];
  for (int k = first; k < cs.nheld; k++) {
    const Held h = cs.held[k];
    if (!(h.flags & FOLL_PIN) || !m.folio[h.head].anon || m.folio[h.pfn].exclusive) continue;
    m.violate(Oracle::pin_on_shared_anon,
              "cpu" + std::to_string(cpu) + "'s gup_fast returned a FOLL_PIN on pfn " + std::to_string(h.pfn) +
                  " for page " + std::to_string(h.va) + ", an anon page that is not exclusive (shared with a child)");
    return;
  }
}

namespace {
// A GUP reference some CPU holds on page `pfn`: any, or (pins_returned) only
// FOLL_PINs whose gup_fast() has returned (its write_protect_seq check can no
// longer undo them).  Returns the CPU, or -1.
int gup_holder(const Machine& m, uint64_t pfn, bool pins_returned, Held* found) {
  for (int c = 0; c < int(m.sc().cpus.size()); c++) {
    const CpuState& cs = m.cpu[c];
    const int n = pins_returned ? std::min<int>(cs.nheld, cs.gup_from) : int(cs.nheld);
    for (int k = 0; k < n; k++) {
      const Held h = cs.held[k];
      if (h.pfn != pfn || (pins_returned && !(h.flags & FOLL_PIN))) continue;
      *found = h;
      return c;
    }
  }
  return -1;
}
}  // namespace

void cow_copy(Machine& m, int cpu, int va, uint64_t old) {
  Held h;
  const int c = gup_holder(m, old, true, &h);
  if (c < 0) return;
  m.violate(Oracle::pin_diverged_from_mapping,
            "cpu" + std::to_string(cpu) + "'s write fault on page " + std::to_string(va) + " copies pfn " +
                std::to_string(old) + " away, but cpu" + std::to_string(c) + " holds a FOLL_PIN on it (page " +
                std::to_string(h.va) + "): writes through the pin no longer reach the process");
}

void migration_replaces(Machine& m, int cpu, int va, uint64_t old) {
  Held h;
  const int c = gup_holder(m, old, false, &h);
  if (c < 0) return;
  m.violate(Oracle::pin_diverged_from_mapping,
            "cpu" + std::to_string(cpu) + "'s migration maps a copy of pfn " + std::to_string(old) + " at page " +
                std::to_string(va) + ", but cpu" + std::to_string(c) + " holds a GUP reference on pfn " +
                std::to_string(old) + " (page " + std::to_string(h.va) + "): the process and GUP now see different pages");
}

// lockless_pmd_misread: a lockless walker (GUP-fast's pmdp_get_lockless())
// read PMD p as `got`, and the PMD holds pmd_mkinvalid() of a swap entry
// (Truth::pmd_invalidated_swap, recorded when it was stored): what the
// walker decides from pmd_present() is about bits that mean a migration
// entry.  On arm64 pmd_present() and pmd_leaf() call it a present huge PMD
// whose PFN field is the swap offset; on x86 it is still a migration entry,
// but its offset is no longer the one the kernel stored.
void pmd_read(Machine& m, int cpu, int p, pmdval_t got) {
  const pmdval_t from = m.truth.pmd_invalidated_swap[p];
  if (!from || got != m.pmd[p].peek()) return;
  with_machine_arch(m.sc().arch, [&]<class A>() {
    if constexpr (A::thp_migration) {
      std::string what;
      if (A::pmd_present(got))
        what = "which pmd_present()" + std::string(A::pmd_leaf(got) ? " and pmd_leaf() call a present huge PMD" : " calls present") +
               " (pfn field " + std::to_string(A::pte_pfn(A::pmd_pte(got))) + ")";
      else
        what = "a swap entry of type " + std::to_string(A::swp_type(got)) + " and offset " +
               std::to_string(A::swp_offset(got));
      m.violate(Oracle::lockless_pmd_misread,
                "cpu" + std::to_string(cpu) + "'s lockless read of PMD " + std::to_string(p) + " returned " + hex(got) +
                    ", " + what + ", but it is pmd_mkinvalid() of the PMD migration entry " + hex(from) + " (type " +
                    std::to_string(A::swp_type(from)) + ", pfn " + std::to_string(A::swp_offset(from)) +
                    "): pmdp_invalidate() was applied to a non-present PMD");
    }
  });
}

void folio_freed(Machine& m, Folio& head) {
  if (judge_folio_free(m, head)) return;
  int64_t refs = 0, pins = 0;
  held_refs(m, head.head, &refs, &pins);
  if (head.mapcount > 0 || refs > 0) {
    m.violate(Oracle::refcount, "folio " + std::to_string(head.head) + " freed while mapped " +
                                    std::to_string(head.mapcount) + " times and referenced by GUP or a child " +
                                    std::to_string(refs) + " times");
    return;
  }
  bool written = false;
  for (int k = 0; k < folio_nr_pages(head.order); k++) written |= m.folio[head.head + k].truth.written;
  if (!head.anon && written && !head.dirty.peek())
    m.violate(Oracle::dirty_lost, "file folio " + std::to_string(head.head) +
                                      " was written but freed clean: the write never reaches the file");
}

// device_fault_no_progress: the device's walk of page va began after step
// `since` and faulted; handle_mm_fault() said the fault was handled; the
// retry faulted again.  If the mapping's value history (Truth::hist, every
// change of the entry the walk reaches, PMD changes included) holds no
// change after `since`, the fault changed nothing the device walks and
// nobody else did either (a concurrent ptep_test_and_clear_young() that
// clears AF again, a zap, a split, all leave a change and silence it): the
// retry fails as the first walk did, and so would every later one.
void device_refault(Machine& m, int cpu, int va, bool write, uint64_t since) {
  std::unique_lock<std::mutex> g(m.change_mu, std::defer_lock);
  if (m.opt.threaded) g.lock();
  const uint32_t n = m.truth.hist_n[va];
  if (n > 0 && m.truth.hist[va][(n - 1) % HIST].step > since) return;
  const pteval_t v = n > 0 ? m.truth.hist[va][(n - 1) % HIST].v : sem_empty_pte(m.sc().arch);
  char buf[360];
  std::snprintf(buf, sizeof buf,
                "cpu%d's device %s of page %d faulted, handle_mm_fault() reported the fault handled, yet the "
                "entry has not changed since the faulting walk began (after step %llu; it holds %s, %s) and the "
                "retry faulted again",
                cpu, write ? "write" : "read", va, (unsigned long long)since, hex(v).c_str(),
                sem_decode(m.sc().arch, v).str().c_str());
  m.violate(Oracle::device_fault_no_progress, buf);
}

GF_NO_COVERAGE void at_end(Machine& m) {
  // Count the mappings the page table really holds.
  std::array<int64_t, NR_PFNS> mapped{};
  std::array<bool, NR_PFNS> dirty_pte{};      // by head: some PTE of the folio is dirty
  std::array<bool, NR_PFNS> page_mapped{};    // by pfn
  std::array<int16_t, NR_VPAGES> maps{};      // by va: the pfn a valid user entry maps there, or -1
  maps.fill(-1);
  // by va: the entry is none or maps the zero page, so a read of an
  // anonymous page there gives zeros (do_anonymous_page()).
  std::array<bool, NR_VPAGES> reads_zero{};
  for (int p = 0; p < NR_PMDS; p++) {
    const pmdval_t pmd = m.pmd[p].peek();
    if (m.pmd_none(pmd)) {
      for (int i = 0; i < PTRS_PER_PTE; i++) reads_zero[p * PTRS_PER_PTE + i] = true;
      continue;
    }
    if (m.pmd_is_swap(pmd)) continue;  // a PMD migration entry maps nothing (the end of a run sees none)
    const bool huge = m.pmd_leaf(pmd);
    for (int i = 0; i < PTRS_PER_PTE; i++) {
      const int va = p * PTRS_PER_PTE + i;
      const pteval_t v = huge ? m.pmd_page_pte(pmd, i) : m.table_of(pmd)->e[i].peek();
      if (v == sem_empty_pte(m.sc().arch)) {
        reads_zero[va] = true;
        continue;
      }
      PteSem s = sem_decode(m.sc().arch, v);
      if (s.kind == PteSem::present && s.special && s.pfn == 0) reads_zero[va] = true;
      if ((s.kind != PteSem::present && s.kind != PteSem::protnone) || s.special || s.pfn >= NR_PFNS) continue;
      if (s.kind == PteSem::present && s.valid) maps[va] = int16_t(s.pfn);
      const uint16_t h = m.folio[s.pfn].head;
      if (!huge || i == 0) mapped[h]++;  // a huge PMD is one mapping of the whole folio
      page_mapped[s.pfn] = true;
      if (s.dirty) dirty_pte[h] = true;
    }
  }
  // lost_write: what the process last wrote to a page it still maps is in
  // the page it maps; an anonymous page whose entry is gone (or is the zero
  // page) while its vma lives would read zeros instead (reclaim's discard).
  for (int va = 0; va < NR_VPAGES && !m.exec.verdict.violated; va++) {
    const int32_t want = m.truth.expect[va];
    if (want < 0) continue;
    if (maps[va] < 0 && reads_zero[va] && m.vma[va].mapped && m.vma[va].anon) {
      m.violate(Oracle::lost_write, "anonymous page " + std::to_string(va) +
                                        " maps no page of its own (none, or the zero page: a read gives zeros), but the process last wrote " +
                                        std::to_string(want) + " there (through the mapping or a FOLL_PIN of it)");
      return;
    }
    if (maps[va] < 0) continue;
    const uint32_t have = m.folio[maps[va]].truth.data;
    if (have == uint32_t(want)) continue;
    m.violate(Oracle::lost_write, "page " + std::to_string(va) + " maps pfn " + std::to_string(maps[va]) +
                                      " holding data " + std::to_string(have) + ", but the process last wrote " +
                                      std::to_string(want) + " there (through the mapping or a FOLL_PIN of it)");
    return;
  }
  for (int p = 0; p < m.next_pfn && !m.exec.verdict.violated; p++) {
    Folio& f = m.folio[p];
    if (!f.allocated || f.head != p) continue;
    int64_t refs = 0, pins = 0;
    held_refs(m, f.head, &refs, &pins);
    int64_t want = mapped[p] + refs;
    if (f.refcount.peek() != want || f.pincount.peek() != pins || f.mapcount != mapped[p]) {
      m.violate(Oracle::refcount, "at the end folio " + std::to_string(p) + " has refcount " +
                                      std::to_string(f.refcount.peek()) + ", pincount " +
                                      std::to_string(f.pincount.peek()) + ", mapcount " + std::to_string(f.mapcount) +
                                      "; the page table and GUP hold " + std::to_string(want) + ", " +
                                      std::to_string(pins) + ", " + std::to_string(mapped[p]));
      return;
    }
    // A written page that is still mapped must find its dirty state in the
    // folio or in some PTE of the folio (the kernel tracks dirt per folio).
    if (f.dirty.peek() || dirty_pte[p]) continue;
    for (int k = 0; k < folio_nr_pages(f.order); k++) {
      if (m.folio[p + k].truth.written && page_mapped[p + k]) {
        m.violate(Oracle::dirty_lost, "page " + std::to_string(p + k) + " of folio " + std::to_string(p) +
                                          " was written and is still mapped, but no PTE of the folio is dirty "
                                          "and the folio is clean");
        return;
      }
    }
  }
}

}  // namespace

namespace {
class Oracles final : public Judge {
 public:
  void norecency_compare(Machine& m, pteval_t a, pteval_t b, bool same) override { gf::norecency_compare(m, a, b, same); }
  void pin_kept(Machine& m, int cpu, int va, uint64_t pfn, bool write, uint64_t grab_step) override {
    gf::pin_kept(m, cpu, va, pfn, write, grab_step);
  }
  void gup_returns(Machine& m, int cpu, int first) override { gf::gup_returns(m, cpu, first); }
  void cow_copy(Machine& m, int cpu, int va, uint64_t old) override { gf::cow_copy(m, cpu, va, old); }
  void migration_replaces(Machine& m, int cpu, int va, uint64_t old) override {
    gf::migration_replaces(m, cpu, va, old);
  }
  void pmd_read(Machine& m, int cpu, int p, pmdval_t got) override { gf::pmd_read(m, cpu, p, got); }
  void folio_access(Machine& m, const Access& a) override { judge_folio_access(m, a); }
  void folio_changed(Machine& m, const Folio& head, const char* field) override {
    judge_folio_changed(m, head, field);
  }
  void folio_freed(Machine& m, Folio& head) override { gf::folio_freed(m, head); }
  void pte_read(Machine& m, PteGetter g, const PteTable* t, uint32_t serial, int i, uint64_t t0,
                pteval_t got) override {
    judge_pte_read(m, g, t, serial, i, t0, got);
  }
  void young_cleared(Machine& m, const PteTable* t, uint32_t serial, int i, uint64_t t0, bool young) override {
    judge_young_cleared(m, t, serial, i, t0, young);
  }
  void device_refault(Machine& m, int cpu, int va, bool write, uint64_t since) override {
    gf::device_refault(m, cpu, va, write, since);
  }
  // Without coverage, like gf::at_end() which it inlines: the end-of-run
  // scan is not model behaviour, yet inlined here its 572 counters were
  // covered (some 20 of them hit by every execution).
  GF_NO_COVERAGE void at_end(Machine& m) override { gf::at_end(m); }
};
}  // namespace

Judge& oracles() {
  static Oracles o;
  return o;
}

}  // namespace gf
