// SPDX-License-Identifier: GPL-2.0
//
// Where the model reports to whoever watches it, without knowing who: the
// oracles (core/oracle/) judge the contracts at the points the kernel decides
// them; the spurious-failure study (core/study/) counts what GUP-fast's
// rechecks did.  The machine holds one of each (Machine::judge, required;
// Machine::gup_observer, optional), installed by whoever runs it (core/exec/).
#pragma once

#include <cstdint>

#include "core/base/types.h"

namespace gf {

class Machine;
struct Folio;
struct PteTable;
struct Access;

// The page-table getters whose result has a contract of its own (the read
// contract of a lockless getter, the gathered view of a locked one).
enum class PteGetter : uint8_t {
  ptep_get,                     // locked (or a lockless reader's recheck): gathers a contpte block
  ptep_get_lockless,            // lockless: a value the entry held, gathered over a consistent block
  ptep_get_lockless_norecency,  // lockless: the entry as it was, young/dirty possibly stale
  ptep_get_and_clear,           // locked: the entry cleared, young/dirty gathered over its block
};

class Judge {
 public:
  virtual ~Judge() = default;
  // norecency_hides_change: every pte_same_norecency() answer.
  virtual void norecency_compare(Machine& m, pteval_t a, pteval_t b, bool same) = 0;
  // pin_not_in_history / write_pin_without_write / pin_without_access: GUP-fast keeps a reference
  // on `pfn` for page `va`, taken at step `grab_step`; refcount: that reference, the
  // CPU's last ledger entry (CpuState::held), is on the page's folio.
  virtual void pin_kept(Machine& m, int cpu, int va, uint64_t pfn, bool write, uint64_t grab_step) = 0;
  // pin_on_shared_anon: gup_fast() on `cpu` returns, keeping held[first..nheld).
  virtual void gup_returns(Machine& m, int cpu, int first) = 0;
  // pin_diverged_from_mapping: a write fault on page `va` copies pfn `old` away.
  virtual void cow_copy(Machine& m, int cpu, int va, uint64_t old) = 0;
  // pin_diverged_from_mapping: a migration on `cpu` maps a copy of pfn `old` at page `va`.
  virtual void migration_replaces(Machine& m, int cpu, int va, uint64_t old) = 0;
  // lockless_pmd_misread: a lockless walker (GUP-fast) read PMD p as `got`.
  virtual void pmd_read(Machine& m, int cpu, int p, pmdval_t got) = 0;
  // refcount / folio_use_after_free: an access to a folio's refcount,
  // pincount or PG_dirty, as it happens — every one on a freed folio or at
  // or crossing zero (Machine::folio_at_stake), the only ones that can break
  // the lifetime contracts.
  virtual void folio_access(Machine& m, const Access& a) = 0;
  // folio_use_after_free: a field of `head` that is no Cell (its mapcount)
  // is about to change (Machine::mapcount_add).
  virtual void folio_changed(Machine& m, const Folio& head, const char* field) = 0;
  // refcount / dirty_lost / folio_use_after_free: when a folio is freed.
  virtual void folio_freed(Machine& m, Folio& head) = 0;
  // lockless_read / accessor_view: getter `g` returned `got` for entry i of
  // table `t` (serial `serial`), having started after step t0.
  virtual void pte_read(Machine& m, PteGetter g, const PteTable* t, uint32_t serial, int i, uint64_t t0,
                        pteval_t got) = 0;
  // accessor_view: ptep_test_and_clear_young() of entry i answered `young`.
  virtual void young_cleared(Machine& m, const PteTable* t, uint32_t serial, int i, uint64_t t0, bool young) = 0;
  // device_fault_no_progress: a device's access to page `va` (smmu_access)
  // faulted again after handle_mm_fault() reported its previous fault
  // handled; that faulting walk began after step `since`.
  virtual void device_refault(Machine& m, int cpu, int va, bool write, uint64_t since) = 0;
  // refcount balance and dirty_lost when every CPU has finished.
  virtual void at_end(Machine& m) = 0;
};

// How one of gup_fast_pte_range()'s page attempts went (core/study/gup_stats.h
// says what each means).  Counting only: no effect on the execution.
enum class GupStep : uint8_t { attempt, read_unmapped, read_ok, grabbed, kept };

class GupObserver {
 public:
  virtual ~GupObserver() = default;
  virtual void step(int cpu, GupStep what) = 0;
  // At the recheck: `bailed` as GUP-fast decided, `was` the entry read first,
  // `now` the recheck's read (== was when the PMD moved and it was not reread).
  virtual void recheck(const Machine& m, int cpu, bool bailed, bool pmd_moved, pteval_t was, pteval_t now) = 0;
};

}  // namespace gf
