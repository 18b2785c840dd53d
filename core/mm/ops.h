// SPDX-License-Identifier: GPL-2.0
//
// The operations of core/base/ops.def, written once over an architecture model A.
// Each is a coroutine; every co_await is a point where another CPU may run.
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
//   6. try_grab_folio_fast(): add unless 0   unmap: folio_put → free
//   7. recheck: pmd_same, pte_same_norecency wrprotect, unmap, fault remap
//   8. gup_fast_folio_allowed, gup_must_unshare
//   9. local_irq_restore(); seq moved → undo
#pragma once

#include "core/mm/machine.h"
#include "core/mm/pgtable.h"
#include "core/sched/task.h"

namespace gf {

template <class A>
struct Ops {
  using P = Pgtable<A>;

  static Task<void> run(Machine& m, int cpu, Op op) {
    switch (op.kind) {
#define GF_OP(id, args, kernel, text) \
  case OpKind::id:                    \
    co_await id(m, cpu, op);          \
    break;
#include "core/base/ops.def"
#undef GF_OP
    }
  }

  // ---------------------------------------------------------------- GUP-fast
  // mm/gup.c gup_fast(), gup_fast_pmd_range(), gup_fast_pte_range() (6.12),
  // with the RFC's norecency read and recheck (or the mainline ones).
  static Task<void> gup_fast(Machine& m, int cpu, Op op) {
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
      pmdval_t pmd = co_await load(m.pmd[pmd_idx]);  // 3.
      if (Machine::pmd_none(pmd) || !A::pmd_present(pmd)) {
        m.note(cpu, "gup_fast: pmd none or not present, fall back");
        break;
      }
      bool more;
      if (m.pmd_leaf(pmd)) {  // gup_fast_pmd_range(): a huge PMD
        if (A::pte_protnone(A::pmd_pte(pmd))) {
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
      while (m.cpu[cpu].nheld > first_held) {
        const Held h = m.cpu[cpu].held[--m.cpu[cpu].nheld];
        co_await gup_put_folio(m, h);
      }
    }
    m.cpu[cpu].gup_from = MAX_HELD;
    if (pin) m.judge->gup_returns(m, cpu, first_held);
  }

  // Returns false when GUP-fast stops (the rest goes to slow GUP).
  static Task<bool> gup_fast_pte_range(Machine& m, int cpu, Op op, pmdval_t pmd, int va, int end) {
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
      if (A::pte_protnone(pte)) co_return bail(m, cpu, va, "protnone");  // 5.
      if (!A::pte_access_permitted(pte, write && !m.bug(Bug::access_check_ignores_write)))
        co_return bail(m, cpu, va, "!pte_access_permitted");
      if (A::pte_special(pte)) co_return bail(m, cpu, va, "special");  // devmap is never mapped in the model
      const uint64_t pfn = A::pte_pfn(pte);
      if (pfn >= NR_PFNS) co_return bail(m, cpu, va, "pfn out of range");
      m.gup_step(cpu, GupStep::read_ok);
      Folio& head = m.head_of(pfn);
      const bool grabbed = co_await try_grab_folio_fast(m, head, op.flags);  // 6.
      if (!grabbed) co_return bail(m, cpu, va, "try_grab_folio_fast failed");
      m.gup_step(cpu, GupStep::grabbed);
      const uint64_t grab_step = m.now();
      const Held h{uint16_t(va), uint16_t(pfn), head.head, op.flags, m.truth.vma_gen[va]};
      if (!m.bug(Bug::no_pte_recheck)) {  // 7.
        bool changed = false;
        pteval_t seen = pte;  // what the recheck read, for the GupObserver
        if (!m.bug(Bug::no_pmd_recheck)) {
          const pmdval_t pmd_now = co_await load(m.pmd[va / PTRS_PER_PTE]);
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
      m.judge->pin_kept(m, cpu, va, pfn, write, grab_step);
    }
    co_return true;
  }

  // gup_fast_pmd_leaf(): one reference per page of the range on the huge
  // folio at once, then the PMD recheck (the whole value: a racing
  // access-flag update also sends GUP to the slow path), then the checks that
  // need the reference.
  static Task<bool> gup_fast_pmd_leaf(Machine& m, int cpu, Op op, pmdval_t pmd, int va, int end) {
    const bool write = op.flags & FOLL_WRITE;
    const pteval_t pte = A::pmd_pte(pmd);
    if (!A::pte_access_permitted(pte, write && !m.bug(Bug::access_check_ignores_write)))
      co_return bail(m, cpu, va, "!pmd_access_permitted");
    if (A::pte_special(pte)) co_return bail(m, cpu, va, "pmd special");
    const uint64_t pfn0 = A::pte_pfn(pte) + uint64_t(va % PTRS_PER_PTE);
    if (pfn0 + uint64_t(end - va) > NR_PFNS) co_return bail(m, cpu, va, "pfn out of range");
    CpuState& cs = m.cpu[cpu];
    const int refs = end - va;
    if (cs.nheld + refs > MAX_HELD) co_return bail(m, cpu, va, "pages[] full");
    Folio& head = m.head_of(pfn0);
    const bool grabbed = co_await try_grab_folio_fast(m, head, op.flags, refs);
    if (!grabbed) co_return bail(m, cpu, va, "try_grab_folio_fast failed");
    const uint64_t grab_step = m.now();
    const pmdval_t pmd_now = co_await load(m.pmd[va / PTRS_PER_PTE]);
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
    for (int k = 0; k < refs; k++) {
      cs.held[cs.nheld++] = Held{uint16_t(va + k), uint16_t(pfn0 + k), head.head, op.flags, m.truth.vma_gen[va + k]};
      m.judge->pin_kept(m, cpu, va + k, pfn0 + k, write, grab_step);
    }
    if (m.tracing()) m.note(cpu, "gup_fast: keep " + std::to_string(refs) + " pages of huge folio " + std::to_string(head.head));
    co_return true;
  }

  static bool bail(Machine& m, int cpu, int va, const char* why) {
    if (m.tracing()) m.note(cpu, std::string("gup_fast: page ") + std::to_string(va) + ": " + why + ", fall back");
    return false;
  }

  // try_grab_folio_fast(): folio_ref_try_add() (add unless zero), then the
  // FOLL_PIN accounting: _pincount on a large folio, the bias on a small one.
  static Task<bool> try_grab_folio_fast(Machine& m, Folio& head, uint8_t flags, int refs = 1) {
    int64_t v = co_await load(head.refcount);
    for (;;) {
      if (v == 0) co_return false;
      int64_t found = co_await cmpxchg(head.refcount, v, v + refs);
      if (found == v) break;
      v = found;
    }
    if (flags & FOLL_PIN) {
      if (head.order)
        co_await fetch_add(head.pincount, refs);
      else
        co_await refcount_add(m, head, int64_t(refs) * (GUP_PIN_COUNTING_BIAS - 1));
    }
    co_return true;
  }

  // gup_put_folio(folio, refs, flags).
  static Task<void> gup_put_refs(Machine& m, Folio& head, uint8_t flags, int refs) {
    if (!(flags & FOLL_PIN)) {
      co_await folio_put(m, head, refs);
    } else if (head.order) {
      co_await fetch_add(head.pincount, -refs);
      co_await folio_put(m, head, refs);
    } else {
      co_await folio_put(m, head, int64_t(refs) * GUP_PIN_COUNTING_BIAS);
    }
  }

  // gup_put_folio(): undo one reference of the kind `h` took.
  static Task<void> gup_put_folio(Machine& m, const Held& h) { co_await gup_put_refs(m, m.folio[h.head], h.flags, 1); }

  static bool gup_fast_folio_allowed(const Folio& head, uint8_t flags) {
    constexpr uint8_t all = FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE;
    if ((flags & all) != all) return true;
    return head.anon;  // file folios in the model are not shmem
  }

  // `page` is the page GUP-fast reached: PageAnonExclusive is per page.
  static bool gup_must_unshare(const Folio& head, const Folio& page, uint8_t flags) {
    if (!(flags & FOLL_PIN) || (flags & FOLL_WRITE)) return false;
    if (!head.anon) return flags & FOLL_LONGTERM;  // no vma in GUP-fast
    return !page.exclusive;
  }

  static Task<void> refcount_add(Machine& m, Folio& head, int64_t d) {
    int64_t before = co_await fetch_add(head.refcount, d);
    m.judge->refcount_changed(m, head, before + d);
  }

  // folio_put_refs(): the last reference frees the folio.
  static Task<void> folio_put(Machine& m, Folio& head, int64_t n) {
    int64_t before = co_await fetch_add(head.refcount, -n);
    m.judge->refcount_changed(m, head, before - n);
    if (before - n == 0) m.free_folio(head);
  }

  // unpin_user_pages_dirty_lock(): the device has written through every
  // FOLL_PIN|FOLL_WRITE page (the store lands in that page, and is what the
  // process must see there if the pin was taken for its current mapping),
  // the folio is marked dirty, then each reference is dropped.
  static Task<void> unpin(Machine& m, int cpu, Op) {
    CpuState& cs = m.cpu[cpu];
    while (cs.nheld > 0) {
      const Held h = cs.held[--cs.nheld];
      if ((h.flags & (FOLL_PIN | FOLL_WRITE)) == (FOLL_PIN | FOLL_WRITE)) {
        m.store_lands(m.folio[h.pfn], m.truth.vma_gen[h.va] == h.gen ? int(h.va) : -1);
        co_await store(m.folio[h.head].dirty, 1);  // set_page_dirty_lock(), anon or file
      }
      co_await gup_put_folio(m, h);
    }
  }

  // -------------------------------------------------------------- the MMU
  // A user access: walk PMD and PTE, set the access flag (and dirty state on
  // a write) with an atomic update; a fault runs the fault handler and retries.
  static Task<bool> mmu_access(Machine& m, int cpu, int va, bool write) {
    co_await fetch_add(m.cpu[cpu].walk, 1);
    bool ok = false;
    pmdval_t pmd = co_await load(m.pmd[va / PTRS_PER_PTE]);
    if (m.pmd_leaf(pmd)) {
      ok = co_await mmu_access_huge(m, va, write, pmd);
    } else if (!Machine::pmd_none(pmd)) {
      const TableRef r{m.table_of(pmd), Machine::serial_of_pmd(pmd)};
      const int i = va % PTRS_PER_PTE;
      pteval_t old = co_await pte_load(m, r, i);
      for (;;) {
        std::optional<pteval_t> nv = write ? A::hw_write(old) : A::hw_access(old);
        if (!nv) break;
        if (*nv != old) {
          pteval_t found = co_await pte_cmpxchg(m, r, i, old, *nv);
          if (found != old) {
            old = found;
            continue;
          }
        }
        ok = true;
        if (write) m.store_lands(m.folio[A::pte_pfn(old)], va);  // the user's store, read back at va
        break;
      }
    }
    co_await fetch_add(m.cpu[cpu].walk, 1);
    co_return ok;
  }

  // The MMU through a huge PMD: access and dirty state live in the PMD.
  static Task<bool> mmu_access_huge(Machine& m, int va, bool write, pmdval_t old) {
    Cell<pmdval_t>& pmdp = m.pmd[va / PTRS_PER_PTE];
    for (;;) {
      std::optional<pteval_t> nv = write ? A::hw_write(A::pmd_pte(old)) : A::hw_access(A::pmd_pte(old));
      if (!nv) co_return false;
      const pmdval_t want = A::pmd_mkhuge(*nv);
      if (want != old) {
        const pmdval_t found = co_await cmpxchg(pmdp, old, want);
        if (found != old) {
          if (!m.pmd_leaf(found)) co_return false;
          old = found;
          continue;
        }
      }
      if (write) m.store_lands(m.folio[A::pte_pfn(A::pmd_pte(old)) + uint64_t(va % PTRS_PER_PTE)], va);
      co_return true;
    }
  }

  static Task<void> hw_access(Machine& m, int cpu, Op op) { co_await user_access(m, cpu, op.va, false); }
  static Task<void> hw_write(Machine& m, int cpu, Op op) { co_await user_access(m, cpu, op.va, true); }

  static Task<void> user_access(Machine& m, int cpu, int va, bool write) {
    const bool done = co_await mmu_access(m, cpu, va, write);
    if (done) co_return;
    m.note(cpu, write ? "write fault" : "read fault");
    const bool retry = co_await handle_fault(m, cpu, va, write);
    if (!retry) co_return;
    const bool again = co_await mmu_access(m, cpu, va, write);
    if (!again) m.note(cpu, "faulted again, give up");
  }

  // -------------------------------------------------------------- locks
  // An rw_semaphore: >0 readers, -1 a writer.
  static Task<void> down_read(Cell<int32_t>& sem) {
    int32_t v = co_await load(sem);
    for (;;) {
      if (v < 0) {
        v = co_await load(sem);
        continue;
      }
      int32_t found = co_await cmpxchg(sem, v, v + 1);
      if (found == v) break;
      v = found;
    }
  }
  static Task<void> down_write(Cell<int32_t>& sem) {
    for (;;) {
      const int32_t found = co_await cmpxchg(sem, 0, -1);
      if (found == 0) break;
    }
  }
  static Task<void> mmap_read_lock(Machine& m) { co_await down_read(m.mmap_lock); }
  static Task<void> mmap_read_unlock(Machine& m) { co_await fetch_add(m.mmap_lock, -1); }
  static Task<void> mmap_write_lock(Machine& m) { co_await down_write(m.mmap_lock); }
  static Task<void> mmap_write_unlock(Machine& m) { co_await store(m.mmap_lock, 0); }
  // The anon_vma / i_mmap rwsem the rmap walkers (reclaim's aging,
  // page_mkclean) hold for read; THP collapse holds it for write while it
  // unhooks and isolates a table.
  static Task<void> rmap_read_lock(Machine& m) { co_await down_read(m.rmap_lock); }
  static Task<void> rmap_read_unlock(Machine& m) { co_await fetch_add(m.rmap_lock, -1); }

  // pmd_lock(): the lock of the PMD page, for huge PMD changes.
  static Task<void> pmd_lock(Machine& m, int cpu) {
    for (;;) {
      const uint32_t owner = co_await cmpxchg(m.pmd_ptl, 0, uint32_t(cpu + 1));
      if (owner == 0) break;
    }
  }
  static Task<void> pmd_unlock(Machine& m) { co_await store(m.pmd_ptl, 0); }

  // pte_offset_map_lock() (6.12 __pte_offset_map_lock): RCU, read the PMD,
  // take the table's lock, recheck the PMD, retry if it moved.
  static Task<TableRef> pte_offset_map_lock(Machine& m, int cpu, int va) {
    co_await fetch_add(m.cpu[cpu].rcu, 1);
    for (;;) {
      pmdval_t pmd = co_await load(m.pmd[va / PTRS_PER_PTE]);
      if (!m.pmd_is_table(pmd)) break;  // none, or a huge PMD: no PTE table to map
      const TableRef r{m.table_of(pmd), Machine::serial_of_pmd(pmd)};
      for (;;) {  // spin_lock()
        const uint32_t owner = co_await ptl_cmpxchg(m, r, 0, uint32_t(cpu + 1));
        if (owner == 0) break;
      }
      const pmdval_t again = co_await load(m.pmd[va / PTRS_PER_PTE]);
      if (again == pmd) co_return r;
      co_await ptl_store(m, r, 0);
    }
    co_await fetch_add(m.cpu[cpu].rcu, 1);
    co_return TableRef{};
  }
  static Task<void> pte_unmap_unlock(Machine& m, int cpu, TableRef r) {
    co_await ptl_store(m, r, 0);
    co_await fetch_add(m.cpu[cpu].rcu, 1);
  }

  // -------------------------------------------------------------- aging
  // folio_referenced() → folio_referenced_one(): an rmap walk, under the
  // anon_vma / i_mmap lock, clearing the access flag of a PTE or huge PMD.
  static Task<void> age(Machine& m, int cpu, Op op) {
    co_await rmap_read_lock(m);
    const bool huge = co_await pmdp_test_and_clear_young(m, cpu, op.va);
    TableRef r{};
    if (!huge) r = co_await pte_offset_map_lock(m, cpu, op.va);
    if (r.t) {
      const int i = op.va % PTRS_PER_PTE;
      pteval_t pte = co_await pte_load(m, r, i);
      if (A::pte_present(pte) && !A::pte_protnone(pte)) {
        const bool young = co_await P::ptep_test_and_clear_young(m, r, i);
        (void)young;
      }
      co_await pte_unmap_unlock(m, cpu, r);
    }
    co_await rmap_read_unlock(m);
  }

  // -------------------------------------------------------------- unmap
  // munmap(): detach the vmas, zap_pte_range() (dirty to file folios, rmap
  // removal, TLB flush, then the folio puts), free_pgtables() for every table
  // the range covers entirely: pmd_clear, flush, grace period, free.
  static Task<void> unmap(Machine& m, int cpu, Op op) {
    const int end = std::min(int(op.va) + int(op.nr), NR_VPAGES);
    co_await mmap_write_lock(m);
    for (int va = op.va; va < end; va++) {
      m.vma[va] = VmaInfo{};
      m.truth.expect[va] = int16_t(-1);  // the data goes with the mapping
      m.truth.vma_gen[va]++;
    }
    std::array<uint16_t, MAX_RANGE_PAGES> put{};
    int nput = 0;
    for (int va = op.va; va < end;) {
      const int pmd_end = std::min(end, (va / PTRS_PER_PTE + 1) * PTRS_PER_PTE);
      // zap_pmd_range(): a huge PMD the range covers goes whole (zap_huge_pmd),
      // one it covers in part is split first.
      const int huge = co_await huge_pmd_for_range(m, cpu, va, pmd_end);
      if (huge >= 0) {
        put[nput++] = uint16_t(huge);
        va = pmd_end;
        continue;
      }
      TableRef r = co_await pte_offset_map_lock(m, cpu, va);
      if (r.t) {
        for (; va < pmd_end; va++) {
          const int i = va % PTRS_PER_PTE;
          pteval_t pte = co_await pte_load(m, r, i);
          if (A::pte_none(pte)) continue;
          pte = co_await P::ptep_get_and_clear(m, cpu, r, i);
          if (!A::pte_present(pte) || A::pte_special(pte)) continue;
          Folio& head = m.head_of(A::pte_pfn(pte));
          if (!head.anon && A::pte_dirty(pte)) co_await store(head.dirty, 1);  // folio_mark_dirty
          head.mapcount--;
          put[nput++] = head.head;
        }
        co_await pte_unmap_unlock(m, cpu, r);
      }
      va = pmd_end;
    }
    co_await P::flush_tlb(m, cpu);
    for (int k = 0; k < nput; k++) co_await folio_put(m, m.folio[put[k]], 1);
    for (int p = (op.va + PTRS_PER_PTE - 1) / PTRS_PER_PTE; (p + 1) * PTRS_PER_PTE <= end; p++)
      co_await free_pte_table(m, cpu, p);
    co_await mmap_write_unlock(m);
  }

  static Task<void> free_pte_table(Machine& m, int cpu, int p) {
    pmdval_t pmd = co_await load(m.pmd[p]);
    if (Machine::pmd_none(pmd)) co_return;
    co_await store(m.pmd[p], 0);  // pmd_clear
    co_await P::flush_tlb(m, cpu);
    if (!m.bug(Bug::no_grace_period)) {  // tlb_remove_table(): RCU / IRQ-disable grace period
      for (int c = 0; c < int(m.sc().cpus.size()); c++) {
        if (c == cpu) continue;
        co_await P::wait_epoch(m.cpu[c].irq);
        co_await P::wait_epoch(m.cpu[c].rcu);
      }
    }
    if (m.tracing()) m.note(cpu, "free PTE table #" + std::to_string(Machine::serial_of_pmd(pmd)));
    m.free_table(m.table_of(pmd));
  }

  // -------------------------------------------------------------- wrprotect
  static Task<void> wrprotect(Machine& m, int cpu, Op op) {
    const int end = std::min(int(op.va) + int(op.nr), NR_VPAGES);
    co_await mmap_read_lock(m);
    bool any = false;
    for (int va = op.va; va < end;) {
      const int pmd_end = std::min(end, (va / PTRS_PER_PTE + 1) * PTRS_PER_PTE);
      const bool huge = co_await change_huge_pmd(m, cpu, va, pmd_end, [](pteval_t pte) { return A::pte_wrprotect(pte); });
      if (huge) {
        any = true;
        va = pmd_end;
        continue;
      }
      TableRef r = co_await pte_offset_map_lock(m, cpu, va);
      if (r.t) {
        for (; va < pmd_end; va++) {
          const int i = va % PTRS_PER_PTE;
          pteval_t pte = co_await pte_load(m, r, i);
          if (!A::pte_present(pte) || A::pte_protnone(pte)) continue;
          co_await P::ptep_set_wrprotect(m, cpu, r, i);
          any = true;
        }
        co_await pte_unmap_unlock(m, cpu, r);
      }
      va = pmd_end;
    }
    if (any) co_await P::flush_tlb(m, cpu);
    co_await mmap_read_unlock(m);
  }

  // -------------------------------------------------------------- fork
  // dup_mmap() → copy_page_range() → copy_present_ptes() (6.12), the
  // parent's side, under mmap_write_lock and mm->write_protect_seq.  Each
  // present anon entry is either copied for the child at once, when the
  // folio may be DMA-pinned (page_needs_cow_for_dma(): MMF_HAS_PINNED and
  // folio_maybe_dma_pinned()), or shared: it loses PageAnonExclusive
  // (folio_try_dup_anon_rmap_pte()), gains the child's reference, and the
  // parent's entry is write-protected so both sides copy on write.  A shared
  // file page and the zero page are simply shared.  The child is not
  // modelled beyond the references it holds (Folio::child_refs).
  static Task<void> fork(Machine& m, int cpu, Op) {
    co_await mmap_write_lock(m);
    co_await fetch_add(m.write_protect_seq, 1);  // raw_write_seqcount_begin()
    bool any = false;
    for (int p = 0; p < NR_PMDS; p++) {
      const int va0 = p * PTRS_PER_PTE;
      const bool huge = co_await copy_huge_pmd(m, cpu, p);
      if (huge) {
        any = true;
        continue;
      }
      TableRef r = co_await pte_offset_map_lock(m, cpu, va0);
      if (!r.t) continue;
      for (int i = 0; i < PTRS_PER_PTE; i++) {
        const VmaInfo vma = m.vma[va0 + i];
        if (!vma.mapped) continue;
        const pteval_t pte = co_await pte_load(m, r, i);
        if (!A::pte_present(pte) || A::pte_protnone(pte) || A::pte_special(pte)) continue;
        Folio& head = m.head_of(A::pte_pfn(pte));
        Folio& page = m.folio[A::pte_pfn(pte)];
        if (head.anon && page.exclusive && !m.bug(Bug::fork_shares_pinned)) {
          const bool pinned = co_await folio_maybe_dma_pinned(m, head);
          if (pinned) {  // copy_present_page(): the child gets its own copy now
            const int c = m.alloc_pfn();
            if (c < 0) {
              m.note(cpu, "fork: no page left to copy a pinned page: the child goes without");
              continue;
            }
            Folio& copy = m.folio[c];
            copy.anon = copy.exclusive = true;
            copy.truth.data = uint32_t(m.folio[A::pte_pfn(pte)].truth.data);
            copy.child_refs = 1;
            copy.refcount.poke(1);
            if (m.tracing())
              if (m.tracing()) m.note(cpu, "fork: pfn " + std::to_string(A::pte_pfn(pte)) + " may be pinned, copied for the child");
            continue;
          }
        }
        if (head.anon) page.exclusive = false;
        co_await refcount_add(m, head, 1);  // the child's mapping
        head.child_refs++;
        if (head.anon && vma.write && A::pte_write(pte)) {  // COW mapping: both sides read-only
          co_await P::ptep_set_wrprotect(m, cpu, r, i);
          any = true;
        }
      }
      co_await pte_unmap_unlock(m, cpu, r);
    }
    if (any) co_await P::flush_tlb(m, cpu);
    co_await fetch_add(m.write_protect_seq, 1);  // raw_write_seqcount_end()
    co_await mmap_write_unlock(m);
  }

  // folio_maybe_dma_pinned() behind MMF_HAS_PINNED.
  static Task<bool> folio_maybe_dma_pinned(Machine& m, Folio& head) {
    if (!m.has_pinned) co_return false;
    if (head.order) {
      const int64_t pins = co_await load(head.pincount);
      co_return pins > 0;
    }
    const int64_t refs = co_await load(head.refcount);
    co_return refs >= GUP_PIN_COUNTING_BIAS;
  }

  // -------------------------------------------------------------- migrate
  // migrate_pages() on one small folio mapped at `va` (6.12): isolate (the
  // migration's own reference); try_to_migrate_one(): the entry becomes a
  // migration entry, flushed, and the mapping's reference is dropped;
  // folio_migrate_mapping(): folio_ref_freeze(src, 1) fails while anyone else
  // (GUP) holds the folio, and remove_migration_ptes() maps src back;
  // otherwise the copy is mapped where the migration entry still is and src
  // is freed.  Faults on a migration entry wait in the kernel; here they give up.
  static constexpr unsigned MIGRATION_TYPE = 29;  // a swap type the model keeps for migration entries

  static Task<void> migrate(Machine& m, int cpu, Op op) {
    const int va = op.va, i = op.va % PTRS_PER_PTE;
    co_await mmap_read_lock(m);
    TableRef r = co_await pte_offset_map_lock(m, cpu, va);
    if (!r.t) {
      co_await mmap_read_unlock(m);
      co_return;
    }
    const pteval_t pte = co_await pte_load(m, r, i);
    const uint64_t pfn = A::pte_pfn(pte);
    if (!A::pte_present(pte) || A::pte_protnone(pte) || A::pte_special(pte) || m.head_of(pfn).order) {
      co_await pte_unmap_unlock(m, cpu, r);
      co_await mmap_read_unlock(m);
      co_return;  // the model migrates small, normally mapped folios only
    }
    Folio& src = m.folio[pfn];
    co_await refcount_add(m, src, 1);  // folio_isolate_lru(): the migration's reference
    const uint32_t early = src.truth.data;   // migrate_copy_before_unmap: the copy taken too soon
    const pteval_t mig = A::swp_entry_pte(MIGRATION_TYPE, pfn);
    const pteval_t old = co_await pte_xchg(m, r, i, mig);  // try_to_migrate_one(): ptep_clear_flush + set_pte_at
    co_await P::flush_tlb(m, cpu);
    if (!src.anon && A::pte_dirty(old)) co_await store(src.dirty, 1);
    src.mapcount--;
    co_await pte_unmap_unlock(m, cpu, r);
    co_await folio_put(m, src, 1);  // the mapping's reference
    bool moved = false;
    if (m.bug(Bug::migrate_ignores_refs)) {
      moved = true;
    } else {
      const int64_t found = co_await cmpxchg(src.refcount, 1, 0);  // folio_ref_freeze(src, 1)
      moved = found == 1;
      if (!moved && m.tracing())
        m.note(cpu, "migrate: pfn " + std::to_string(pfn) + " is held by someone else, restore it");
    }
    const int dst = moved ? m.alloc_pfn() : -1;
    if (moved && dst < 0 && !m.bug(Bug::migrate_ignores_refs))
      co_await store(src.refcount, 1);  // no page to move to: unfreeze and restore
    // remove_migration_ptes(): wherever the migration entry still is, map dst (or src back).
    Folio& to = dst >= 0 ? m.folio[dst] : src;
    if (dst >= 0) {
      to.anon = bool(src.anon);
      to.exclusive = bool(src.exclusive);
      to.truth.data = m.bug(Bug::migrate_copy_before_unmap) ? early : uint32_t(src.truth.data);
      to.truth.written = bool(src.truth.written);
      to.dirty.poke(src.dirty.peek());  // folio_migrate_flags()
      to.refcount.poke(0);
    }
    r = co_await pte_offset_map_lock(m, cpu, va);
    bool mapped = false;
    if (r.t) {
      const pteval_t now = co_await pte_load(m, r, i);
      if (now == mig) {
        const pteval_t nv = A::mk_user_pte(uint64_t(&to - &m.folio[0]),
                                           UserProt{.write = A::pte_write(old), .young = A::pte_young(old),
                                                    .dirty = A::pte_dirty(old)});
        if (dst >= 0) m.judge->migration_replaces(m, cpu, va, pfn);
        co_await refcount_add(m, to, 1);
        to.mapcount++;
        co_await pte_store(m, r, i, nv);
        mapped = true;
      }
      co_await pte_unmap_unlock(m, cpu, r);
    }
    if (dst >= 0) {
      if (m.bug(Bug::migrate_ignores_refs))
        co_await folio_put(m, src, 1);  // src was never frozen: drop the isolation reference
      else
        m.free_folio(src);  // frozen at zero: nobody else can reach it
      if (!mapped) m.free_folio(to);  // unmapped meanwhile: the copy is not needed
    } else {
      co_await folio_put(m, src, 1);  // putback: the isolation reference
    }
    co_await mmap_read_unlock(m);
  }

  // -------------------------------------------------------------- contpte
  // What set_ptes() and the unfolding helpers do to a block on arm64, as one
  // operation: fold the block around va if it qualifies, else unfold it.
  // The kernel folds in set_ptes() and unfolds in the helpers, from paths
  // that hold the mmap (or VMA) lock and the PTL.
  static Task<void> contpte_fold(Machine& m, int cpu, Op op) {
    if constexpr (A::has_contpte) {
      co_await mmap_read_lock(m);
      TableRef r = co_await pte_offset_map_lock(m, cpu, op.va);
      if (r.t) {
        const int i = op.va % PTRS_PER_PTE;
        const bool folded = co_await P::contpte_try_fold(m, cpu, r, i);
        if (!folded) co_await P::contpte_try_unfold(m, cpu, r, i);
        co_await pte_unmap_unlock(m, cpu, r);
      }
      co_await mmap_read_unlock(m);
    } else {
      m.note(cpu, "contpte_fold: no contpte on this architecture");
    }
  }

  // -------------------------------------------------------------- huge PMDs (core/mm/ops_huge.h)
  static Task<bool> pmdp_test_and_clear_young(Machine& m, int cpu, int va);
  static Task<void> split_huge_pmd_locked(Machine& m, int cpu, int p);
  static Task<int> huge_pmd_for_range(Machine& m, int cpu, int va, int end);
  template <class F>
  static Task<bool> change_huge_pmd(Machine& m, int cpu, int va, int end, F fn);
  static Task<bool> copy_huge_pmd(Machine& m, int cpu, int p);
  static Task<int> huge_pmd_fault(Machine& m, int cpu, int va, bool write);
  static Task<void> thp_split(Machine& m, int cpu, Op op);
  static Task<void> thp_collapse(Machine& m, int cpu, Op op);

  // -------------------------------------------------------------- protection (core/mm/ops_protect.h)
  static Task<void> mprotect(Machine& m, int cpu, Op op);
  static Task<void> writeback(Machine& m, int cpu, Op op);

  // -------------------------------------------------------------- faults
  static Task<void> fault(Machine& m, int cpu, Op op) { co_await handle_fault(m, cpu, op.va, op.flags & FOLL_WRITE); }

  // handle_mm_fault() for the cases the model has: do_anonymous_page(),
  // do_read_fault()/do_shared_fault() on a new page-cache folio, and
  // do_wp_page() (reuse an exclusive anon or shared file folio, else copy).
  // Returns whether the access may be retried.
  static Task<bool> handle_fault(Machine& m, int cpu, int va, bool write) {
    co_await mmap_read_lock(m);
    bool ok = co_await handle_fault_locked(m, cpu, va, write);
    co_await mmap_read_unlock(m);
    co_return ok;
  }

  static Task<bool> handle_fault_locked(Machine& m, int cpu, int va, bool write) {
    const VmaInfo vma = m.vma[va];
    if (!vma.mapped || (write && !vma.write)) {
      m.note(cpu, "SIGSEGV");
      co_return false;
    }
    const int p = va / PTRS_PER_PTE;
    const pmdval_t pmd = co_await load(m.pmd[p]);
    if (m.pmd_leaf(pmd)) {  // do_huge_pmd_wp_page() / huge_pmd_set_accessed(), or split and go on with PTEs
      const int done = co_await huge_pmd_fault(m, cpu, va, write);
      if (done >= 0) co_return done;
    } else if (Machine::pmd_none(pmd)) {  // __pte_alloc(): pmd_populate unless someone else did
      PteTable* t = m.alloc_table(p);
      if (!t) co_return false;
      const pmdval_t found = co_await cmpxchg(m.pmd[p], 0, Machine::pmd_of_serial(t->serial));
      if (found != 0) m.free_table(t);
    }
    TableRef r = co_await pte_offset_map_lock(m, cpu, va);
    if (!r.t) co_return false;
    const int i = va % PTRS_PER_PTE;
    pteval_t pte = co_await pte_load(m, r, i);
    int put_pfn = -1;
    bool ok = true;
    if (A::pte_none(pte)) {
      if (!write && vma.anon) {
        co_await pte_store(m, r, i, A::mk_user_pte(0, UserProt{.write = false, .special = true}));
      } else {
        int pfn = m.alloc_pfn();
        if (pfn < 0) {
          ok = false;
        } else {
          Folio& f = m.folio[pfn];
          f.anon = vma.anon;
          f.exclusive = vma.anon;
          f.mapcount = 1;
          f.refcount.poke(1);
          // Anonymous: writable+dirty when the vma is writable; shared file: writable on a write fault.
          bool w = vma.write && (vma.anon || write);
          co_await pte_store(m, r, i, A::mk_user_pte(pfn, UserProt{.write = w, .dirty = w}));
        }
      }
    } else if (A::pte_present(pte) && !A::pte_protnone(pte) && write && !A::pte_write(pte)) {
      Folio& old = m.head_of(A::pte_pfn(pte));
      if (A::pte_special(pte) || (old.anon && !m.folio[A::pte_pfn(pte)].exclusive)) {  // wp_page_copy()
        if (!A::pte_special(pte)) m.judge->cow_copy(m, cpu, va, A::pte_pfn(pte));
        int pfn = m.alloc_pfn();
        if (pfn < 0) {
          ok = false;
        } else {
          Folio& f = m.folio[pfn];
          f.anon = true;
          f.exclusive = true;
          f.mapcount = 1;
          f.refcount.poke(1);
          f.truth.data = A::pte_special(pte) ? 0 : uint32_t(m.folio[A::pte_pfn(pte)].truth.data);
          co_await P::ptep_get_and_clear(m, cpu, r, i);  // ptep_clear_flush()
          co_await P::flush_tlb(m, cpu);
          co_await pte_store(m, r, i, A::mk_user_pte(pfn, UserProt{.write = true, .dirty = true}));
          if (!A::pte_special(pte)) {
            old.mapcount--;
            put_pfn = old.head;
          }
        }
      } else {  // wp_page_reuse() / wp_page_shared(): ptep_set_access_flags()
        co_await set_access_flags(m, cpu, r, i, true);
      }
    } else if (A::pte_present(pte) && !A::pte_protnone(pte)) {
      co_await set_access_flags(m, cpu, r, i, write);  // spurious fault: mark young (and dirty)
    } else {
      m.note(cpu, "fault on a NUMA-hinting or non-present entry: not modelled");
      ok = false;
    }
    co_await pte_unmap_unlock(m, cpu, r);
    if (put_pfn >= 0) co_await folio_put(m, m.folio[put_pfn], 1);
    co_return ok;
  }

  // ptep_set_access_flags(): arm64 unfolds a contpte block when the write
  // permission changes; the update is a cmpxchg loop against the MMU.
  static Task<void> set_access_flags(Machine& m, int cpu, TableRef r, int i, bool write) {
    pteval_t old = co_await pte_load(m, r, i);
    if constexpr (A::has_contpte) {
      if (write && !A::pte_write(old) && A::pte_valid_cont(old)) {
        co_await P::contpte_try_unfold(m, cpu, r, i);
        old = co_await pte_load(m, r, i);
      }
    }
    for (;;) {
      pteval_t nv = A::pte_mkyoung(old);
      if (write) nv = A::pte_mkdirty(A::pte_mkwrite(nv));
      if (nv == old) break;
      pteval_t found = co_await pte_cmpxchg(m, r, i, old, nv);
      if (found == old) break;
      old = found;
    }
  }
};

}  // namespace gf

#include "core/mm/ops_huge.h"
#include "core/mm/ops_protect.h"
