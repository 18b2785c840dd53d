// SPDX-License-Identifier: GPL-2.0
//
// mm/gup.c (6.12): gup_fast() → gup_fast_pmd_range() → gup_fast_pte_range()
// or the huge-PMD leaf, try_grab_folio_fast(), gup_put_folio(),
// gup_fast_folio_allowed(), gup_must_unshare(), and unpin_user_pages_dirty_lock()
// — with the RFC's norecency read and recheck (or the mainline ones).
//
// GUP-fast against its neighbours, as the RFC leaves it (numbered as in the
// trace; the other side named on the right):
//
//   CPU 0: gup_fast()                       CPU 1
//   1. read write_protect_seq (FOLL_PIN)     fork: write_seqcount_begin
//   2. local_irq_save()                      (blocks x86 TLB IPIs and RCU)
//   3. pmd = pmdp_get_lockless()             unmap: pmd_clear, tlb_remove_table
//   4. pte = ptep_get_lockless_norecency()   MMU sets young/dirty; unmap clears
//   5. protnone / access / special checks
//   6. try_grab_folio_fast(): page_folio(),  unmap: folio_put → free;
//      add unless 0, page_folio() again      split_huge_page: freeze, split
//   7. recheck: pmd_same, pte_same_norecency wrprotect, unmap, fault remap
//   8. gup_fast_folio_allowed, gup_must_unshare
//   9. local_irq_restore(); seq moved → undo
#pragma once

#include <algorithm>
#include <string>

#include "core/mm/ops.h"

namespace gf {

// gup_fast() with gup_fast_pgd_range() → gup_fast_pmd_range() folded in: the
// PMDs of the range, each a huge leaf or a PTE table.
// Context: no lock; IRQs off (2. to 9.), which is also the RCU read side.
template <class A>
Task<void> Ops<A>::gup_fast(Machine& m, int cpu, Op op) {
  const bool pin = op.flags & FOLL_PIN;
  const bool seqcheck = pin && !m.bug(Bug::no_write_protect_seq);
  if (pin) m.has_pinned = true;  // gup_fast_fallback(): mm_set_has_pinned_flag()
  uint32_t seq = 0;
  if (seqcheck) {  // 1.
    seq = co_await load(m.write_protect_seq);
    if (seq & 1) {
      m.note(cpu, "gup_fast: fork in progress, fall back to slow GUP");
      co_return;
    }
  }
  const int first_held = m.cpu[cpu].nheld;
  m.cpu[cpu].gup_from = first_held;
  co_await fetch_add(m.cpu[cpu].irq, 1);  // 2. local_irq_save
  int va = op.va;
  const int end = std::min(int(op.va) + int(op.nr), NR_VPAGES);
  while (va < end) {
    const int pmd_idx = va / PTRS_PER_PTE;
    const int pmd_end = std::min(end, (pmd_idx + 1) * PTRS_PER_PTE);
    pmdval_t pmd = co_await P::pmdp_get_lockless(m, pmd_idx);  // 3.
    m.judge->pmd_read(m, cpu, pmd_idx, pmd);
    if (m.pmd_none(pmd) || !A::pmd_present(pmd)) {
      m.note(cpu, "gup_fast: pmd none or not present, fall back");
      break;
    }
    bool more;
    if (m.pmd_leaf(pmd)) {  // gup_fast_pmd_range(): a huge PMD
      if (protnone(m, A::pmd_pte(pmd))) {
        m.note(cpu, "gup_fast: huge pmd protnone, fall back");
        break;
      }
      more = co_await gup_fast_pmd_leaf(m, cpu, op, pmd, va, pmd_end);
    } else {
      more = co_await gup_fast_pte_range(m, cpu, op, pmd, va, pmd_end);
    }
    if (!more) break;
    va = pmd_end;
  }
  co_await fetch_add(m.cpu[cpu].irq, 1);  // 9. local_irq_restore
  uint32_t seq_now = seq;
  if (seqcheck) seq_now = co_await load(m.write_protect_seq);
  if (seq_now != seq) {
    m.note(cpu, "gup_fast: write_protect_seq moved, undo every pin");
    while (m.cpu[cpu].nheld > first_held) {  // unpin_user_pages_lockless()
      const Held h = m.cpu[cpu].held[--m.cpu[cpu].nheld];
      co_await gup_put_page(m, h);
    }
  }
  m.cpu[cpu].gup_from = MAX_HELD;
  if (pin) m.judge->gup_returns(m, cpu, first_held);
}

// gup_fast_pte_range(), steps 4. to 8. for each page of [va, end).
// Returns false when GUP-fast stops (the rest goes to slow GUP).
// Context: no lock; IRQs off.
template <class A>
Task<bool> Ops<A>::gup_fast_pte_range(Machine& m, int cpu, Op op, pmdval_t pmd, int va, int end) {
  const bool write = op.flags & FOLL_WRITE;
  const TableRef r{m.table_of(pmd), Machine::serial_of_pmd(pmd)};
  for (; va < end; va++) {
    const int i = va % PTRS_PER_PTE;
    const bool norecency = m.sc().recheck == Recheck::norecency;
    m.gup_step(cpu, GupStep::attempt);
    pteval_t pte;  // 4.
    if (norecency)
      pte = co_await P::ptep_get_lockless_norecency(m, r, i);
    else
      pte = co_await P::ptep_get_lockless(m, r, i);
    if (!A::pte_present(pte)) m.gup_step(cpu, GupStep::read_unmapped);
    if (protnone(m, pte)) co_return bail(m, cpu, va, "protnone");  // 5.
    if (!access_permitted(m, pte, write)) co_return bail(m, cpu, va, "!pte_access_permitted");
    if (A::pte_special(pte)) co_return bail(m, cpu, va, "special");  // devmap is never mapped in the model
    const uint64_t pfn = A::pte_pfn(pte);
    if (pfn >= NR_PFNS) co_return bail(m, cpu, va, "pfn out of range");
    m.gup_step(cpu, GupStep::read_ok);
    Folio* const grabbed = co_await try_grab_folio_fast(m, pfn, op.flags);  // 6.
    if (!grabbed) co_return bail(m, cpu, va, "try_grab_folio_fast failed");
    Folio& head = *grabbed;
    m.gup_step(cpu, GupStep::grabbed);
    const uint64_t grab_step = m.now();
    const Held h{uint16_t(va), uint16_t(pfn), head.head, op.flags, m.truth.vma_gen[va]};
    if (!m.bug(Bug::no_pte_recheck)) {  // 7.
      const bool changed = co_await gup_fast_pte_recheck(m, cpu, va, pmd, r, pte);
      if (changed) {
        if (!m.bug(Bug::recheck_fail_leaks_ref)) co_await gup_put_folio(m, h);
        co_return bail(m, cpu, va, "pmd/pte changed under us");
      }
    }
    if (!gup_fast_folio_allowed(head, op.flags)) {  // 8.
      co_await gup_put_folio(m, h);
      co_return bail(m, cpu, va, "!gup_fast_folio_allowed");
    }
    if (!A::pte_write(pte) && gup_must_unshare(head, m.folio[pfn], op.flags) && !m.bug(Bug::no_must_unshare)) {
      co_await gup_put_folio(m, h);
      co_return bail(m, cpu, va, "gup_must_unshare");
    }
    CpuState& cs = m.cpu[cpu];
    if (cs.nheld == MAX_HELD) {  // the caller's pages[] array is full
      co_await gup_put_folio(m, h);
      co_return bail(m, cpu, va, "pages[] full");
    }
    cs.held[cs.nheld++] = h;
    m.gup_step(cpu, GupStep::kept);
    if (m.tracing()) m.note(cpu, "gup_fast: keep pfn " + std::to_string(pfn) + " for page " + std::to_string(va));
    known_prot_none(m, pte);
    m.judge->pin_kept(m, cpu, va, pfn, write, grab_step);
    m.set_known(-1);
  }
  co_return true;
}

// Step 7. of gup_fast_pte_range(): pmd_val(pmd) != pmd_val(*pmdp), then the
// entry again (pte_same_norecency() on the RFC's side, pte_val() != on
// mainline's).  True when either moved; the GupObserver sees what was read.
// Context: no lock; IRQs off; the folio's reference held.
template <class A>
Task<bool> Ops<A>::gup_fast_pte_recheck(Machine& m, int cpu, int va, pmdval_t pmd, TableRef r, pteval_t pte) {
  const int i = va % PTRS_PER_PTE;
  const bool norecency = m.sc().recheck == Recheck::norecency;
  bool changed = false;
  pteval_t seen = pte;  // what the recheck read, for the GupObserver
  if (!m.bug(Bug::no_pmd_recheck)) {
    const pmdval_t pmd_now = co_await P::pmdp_get(m, va / PTRS_PER_PTE);
    changed = pmd_now != pmd;
  }
  const bool pmd_moved = changed;
  if (!changed) {
    if (m.bug(Bug::recheck_plain_load)) {  // pte_val(*ptep), as before ptep_get()
      const pteval_t now = co_await pte_plain_load(m, r, i);
      seen = now;
      changed = norecency ? !P::pte_same_norecency(m, pte, now) : pte != now;
    } else if (norecency) {
      const pteval_t now = co_await P::ptep_get_lockless_norecency(m, r, i);
      seen = now;
      changed = !P::pte_same_norecency(m, pte, now);
    } else {
      const pteval_t now = co_await P::ptep_get(m, r, i);
      seen = now;
      changed = pte != now;
    }
  }
  if (m.gup_observer) m.gup_observer->recheck(m, cpu, changed, pmd_moved, pte, seen);
  co_return changed;
}

// gup_fast_pmd_leaf(): one reference per page of the range on the huge
// folio at once, then the PMD recheck (the whole value: a racing
// access-flag update also sends GUP to the slow path), then the checks that
// need the reference.
// Context: no lock; IRQs off.
template <class A>
Task<bool> Ops<A>::gup_fast_pmd_leaf(Machine& m, int cpu, Op op, pmdval_t pmd, int va, int end) {
  const bool write = op.flags & FOLL_WRITE;
  const pteval_t pte = A::pmd_pte(pmd);
  if (!pmd_access_permitted(m, pmd, write)) co_return bail(m, cpu, va, "!pmd_access_permitted");
  if (A::pte_special(pte)) co_return bail(m, cpu, va, "pmd special");
  const uint64_t pfn0 = A::pte_pfn(pte) + uint64_t(va % PTRS_PER_PTE);
  if (pfn0 + uint64_t(end - va) > NR_PFNS) co_return bail(m, cpu, va, "pfn out of range");
  CpuState& cs = m.cpu[cpu];
  const int refs = end - va;
  if (cs.nheld + refs > MAX_HELD) co_return bail(m, cpu, va, "pages[] full");
  Folio* const grabbed = co_await try_grab_folio_fast(m, pfn0, op.flags, refs);
  if (!grabbed) co_return bail(m, cpu, va, "try_grab_folio_fast failed");
  Folio& head = *grabbed;
  const uint64_t grab_step = m.now();
  const pmdval_t pmd_now = co_await P::pmdp_get(m, va / PTRS_PER_PTE);
  const char* why = nullptr;
  if (pmd_now != pmd)
    why = "huge pmd changed under us";
  else if (!gup_fast_folio_allowed(head, op.flags))
    why = "!gup_fast_folio_allowed";
  else if (!A::pte_write(pte) && gup_must_unshare(head, head, op.flags) && !m.bug(Bug::no_must_unshare))
    why = "gup_must_unshare";
  if (why) {
    co_await gup_put_refs(m, head, op.flags, refs);
    co_return bail(m, cpu, va, why);
  }
  // core/base/known.def: a pin through a huge PMD the MMU cannot use on an
  // architecture whose pmd_access_permitted() lets it through — PROT_NONE
  // without NUMA_BALANCING, else the invalidated form a THP split leaves.
  if (!known_prot_none(m, pte) && !A::hw_access(pte) &&
      known_race_arch(KnownRace::pin_through_invalidated_huge_pmd, A::id))
    m.set_known(int(KnownRace::pin_through_invalidated_huge_pmd));
  for (int k = 0; k < refs; k++) {
    cs.held[cs.nheld++] = Held{uint16_t(va + k), uint16_t(pfn0 + k), head.head, op.flags, m.truth.vma_gen[va + k]};
    m.judge->pin_kept(m, cpu, va + k, pfn0 + k, write, grab_step);
  }
  m.set_known(-1);
  if (m.tracing()) m.note(cpu, "gup_fast: keep " + std::to_string(refs) + " pages of huge folio " + std::to_string(head.head));
  co_return true;
}

// pte_protnone() / pmd_protnone(pmd_pte()) as GUP-fast calls them: the
// architecture's under CONFIG_NUMA_BALANCING, include/linux/pgtable.h's 0
// when the scenario switches it off (Scenario::numa_off).
// Context: any.
template <class A>
bool Ops<A>::protnone(const Machine& m, pteval_t pte) {
  return !m.sc().numa_off && A::pte_protnone(pte);
}

// core/base/known.def: without NUMA_BALANCING, GUP-fast keeps a pin through
// a PROT_NONE entry that the architecture's pte_access_permitted() does not
// refuse (the generic one: riscv, s390).  Names the row while the pin is
// judged; true if it did.
// Context: any.
template <class A>
bool Ops<A>::known_prot_none(Machine& m, pteval_t pte) {
  if (!m.sc().numa_off || !A::pte_protnone(pte) ||
      !known_race_arch(KnownRace::pin_prot_none_without_numa_balancing, A::id))
    return false;
  m.set_known(int(KnownRace::pin_prot_none_without_numa_balancing));
  return true;
}

// pte_access_permitted(pte, write), or what the injected bugs make of it.
// Context: any.
template <class A>
bool Ops<A>::access_permitted(Machine& m, pteval_t pte, bool write) {
  if (m.bug(Bug::access_check_ignores_write)) write = false;
  if (m.bug(Bug::gup_fast_generic_access)) return A::pte_present(pte) && (!write || A::pte_write(pte));
  return A::pte_access_permitted(pte, write);
}

// pmd_access_permitted(pmd, write), the architecture's own (core/arch/), with
// the same injected bugs: access_check_ignores_write, and
// gup_fast_generic_access, the generic pmd_present() && pmd_write().
// Context: any (a decision on a value).
template <class A>
bool Ops<A>::pmd_access_permitted(Machine& m, pmdval_t pmd, bool write) {
  if (m.bug(Bug::access_check_ignores_write)) write = false;
  if (m.bug(Bug::gup_fast_generic_access)) return A::pmd_present(pmd) && (!write || A::pte_write(A::pmd_pte(pmd)));
  return A::pmd_access_permitted(pmd, write);
}

// The model's "fall back to slow GUP" note; returns false (stop here).
// Context: any.
template <class A>
bool Ops<A>::bail(Machine& m, int cpu, int va, const char* why) {
  if (m.tracing()) m.note(cpu, std::string("gup_fast: page ") + std::to_string(va) + ": " + why + ", fall back");
  return false;
}

// try_get_folio(): page_folio(page), folio_ref_try_add() (add unless zero),
// then page_folio(page) again: a split between the two (split_huge_page()
// freezes the folio, makes each page its own folio and unfreezes them) leaves
// the reference on a folio the page no longer belongs to, so it is dropped
// and the lookup retried (c24d37322548, 2021).  grab_no_folio_recheck: the
// kernel before it, which keeps the reference it took.  Returns the folio the
// reference is on, or nullptr.
// Context: no lock; IRQs off (the folio may be freed or split under us).
template <class A>
Task<Folio*> Ops<A>::try_get_folio(Machine& m, uint64_t pfn, int refs) {
  for (;;) {
    Folio& folio = m.head_of(pfn);  // page_folio(): the page's head, as it is now
    if (m.bug(Bug::grab_from_zero)) {
      co_await fetch_add(folio.refcount, refs);  // folio_ref_add(): no "unless zero"
    } else {
      int64_t v = co_await load(folio.refcount);
      for (;;) {
        if (v == 0) co_return nullptr;
        const int64_t found = co_await cmpxchg(folio.refcount, v, v + refs);
        if (found == v) break;
        v = found;
      }
    }
    if (m.bug(Bug::grab_no_folio_recheck) || m.folio[pfn].head == folio.head) co_return &folio;
    if (m.tracing())
      m.note(m.cur_cpu(), "try_get_folio: pfn " + std::to_string(pfn) + " left folio " + std::to_string(folio.head) +
                              " before the reference landed (split): drop it, look again");
    co_await folio_put(m, folio, refs);  // folio_put_refs()
  }
}

// try_grab_folio_fast(): try_get_folio(), then the FOLL_PIN accounting on
// the folio it returned: _pincount on a large folio, the bias on a small one.
// Context: no lock; IRQs off (the folio may be freed under us).
template <class A>
Task<Folio*> Ops<A>::try_grab_folio_fast(Machine& m, uint64_t pfn, uint8_t flags, int refs) {
  Folio* const folio = co_await try_get_folio(m, pfn, refs);
  if (!folio) co_return nullptr;
  if (flags & FOLL_PIN) {
    if (folio->order)
      co_await fetch_add(folio->pincount, refs);
    else
      co_await folio_ref_add(m, *folio, int64_t(refs) * (GUP_PIN_COUNTING_BIAS - 1));
  }
  co_return folio;
}

// gup_put_folio(folio, refs, flags).
// Context: any; the caller holds the references it drops.
template <class A>
Task<void> Ops<A>::gup_put_refs(Machine& m, Folio& head, uint8_t flags, int refs) {
  if (!(flags & FOLL_PIN)) {
    co_await folio_put(m, head, refs);
  } else if (head.order) {
    co_await fetch_add(head.pincount, -refs);
    co_await folio_put(m, head, refs);
  } else {
    co_await folio_put(m, head, int64_t(refs) * GUP_PIN_COUNTING_BIAS);
  }
}

// gup_put_folio(): undo one reference of the kind `h` took, on the folio
// try_grab_folio_fast() returned (gup_fast_pte_range()'s failure paths).
// Context: any.
template <class A>
Task<void> Ops<A>::gup_put_folio(Machine& m, const Held& h) {
  co_await gup_put_refs(m, m.folio[h.head], h.flags, 1);
}

// unpin_user_pages() / put_page() of a page GUP returned: the reference is
// dropped from page_folio(page) as it is now (gup_folio_next()), which is the
// folio it was taken on unless a split moved the page meanwhile
// (grab_no_folio_recheck).
// Context: any.
template <class A>
Task<void> Ops<A>::gup_put_page(Machine& m, const Held& h) {
  co_await gup_put_refs(m, m.head_of(h.pfn), h.flags, 1);
}

// gup_fast_folio_allowed(): a FOLL_LONGTERM write pin only on anon memory.
// Context: no lock; IRQs off.
template <class A>
bool Ops<A>::gup_fast_folio_allowed(const Folio& head, uint8_t flags) {
  constexpr uint8_t all = FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE;
  if ((flags & all) != all) return true;
  return head.anon;  // file folios in the model are not shmem
}

// gup_must_unshare(): `page` is the page GUP-fast reached, since
// PageAnonExclusive is per page.
// Context: no lock; IRQs off.
template <class A>
bool Ops<A>::gup_must_unshare(const Folio& head, const Folio& page, uint8_t flags) {
  if (!(flags & FOLL_PIN) || (flags & FOLL_WRITE)) return false;
  if (!head.anon) return flags & FOLL_LONGTERM;  // no vma in GUP-fast
  return !page.exclusive;
}

// unpin_user_pages_dirty_lock(): the device has written through every
// FOLL_PIN|FOLL_WRITE page (the store lands in that page, and is what the
// process must see there if the pin was taken for its current mapping),
// the folio is marked dirty, then each reference is dropped.
// Context: process context, no lock (set_page_dirty_lock() takes the folio lock).
template <class A>
Task<void> Ops<A>::unpin(Machine& m, int cpu, Op) {
  CpuState& cs = m.cpu[cpu];
  while (cs.nheld > 0) {
    const Held h = cs.held[--cs.nheld];
    if ((h.flags & (FOLL_PIN | FOLL_WRITE)) == (FOLL_PIN | FOLL_WRITE)) {
      m.store_lands(m.folio[h.pfn], m.truth.vma_gen[h.va] == h.gen ? int(h.va) : -1);
      co_await store(m.head_of(h.pfn).dirty, 1);  // set_page_dirty_lock(), anon or file
    }
    co_await gup_put_page(m, h);
  }
}

}  // namespace gf
