// SPDX-License-Identifier: GPL-2.0
//
// Machine: the state of one execution — one mm's page table, the page frames
// (folios), the simulated CPUs, and what the oracles record about them.  Three
// kinds of state, kept apart by type:
//   - what the kernel has: the PMDs and PTE tables, the folios (Folio), the
//     locks, IRQ/RCU epochs, vmas, write_protect_seq — what operations decide on;
//   - what only the oracles read (Truth, and each page's PageTruth): value
//     histories, what the process must read back, written data; operations
//     record into it and never decide from it;
//   - the execution's bookkeeping (ExecRecord): the clock, verdict, trace.
// The machine judges nothing itself beyond the accesses it sees (freed
// tables, plain-load races, the step budget): it reports to a Judge and a
// GupObserver (core/mm/hooks.h).
//
//   pmd[0..3] ──▶ PteTable (heap, 32 entries, its own PTL) ──▶ pfn ──▶ Folio
//
// A table PMD holds (table serial << 12) | the architecture's table bits
// (A::PMD_TABLE, what pmd_populate() ORs into the table's physical address),
// as a real PMD holds the table's address; the serial indexes `tables`, so walkers turn a PMD
// value into a pointer exactly once and keep using it, as the kernel does
// with pte_offset_map().  A huge PMD (pmd_leaf) holds the architecture's
// block entry for a 32-page folio instead; THP collapse keeps the replaced
// table deposited (pgtable_trans_huge_deposit) and split reuses it.  Tables are freed after the grace
// period; a walker that still touches one is reported as
// table_use_after_free before the access (and with `unchecked_tables` the
// access really happens, for AddressSanitizer to see).  Under the scheduler a
// freed table is poisoned for AddressSanitizer and goes back to a per-thread
// pool only when the execution ends, so no execution reuses its own freed
// tables; real threads and `unchecked_tables` use new and delete.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "core/base/ids.h"
#include "core/base/types.h"
#include "core/mm/cell_kind.h"
#include "core/mm/hooks.h"
#include "core/scenario/scenario.h"
#include "core/sched/cell.h"

namespace gf {

inline constexpr int MAX_TABLES = 255;
inline constexpr int MAX_HELD = 64;  // references one CPU can hold from GUP
inline constexpr int HIST = 8;       // remembered values per virtual page (and per table entry)

// The values one entry of one table took (the oracles' alone): the last HIST
// stores, with the step and the CPU of each.  A table starts all none.
struct EntryHistory {
  struct Rec {
    uint64_t step;
    pteval_t v;
    int cpu() const { return int(int8_t(step & 0xff)); }
    uint64_t at() const { return step >> 8; }
  };
  std::array<Rec, HIST> rec;
  uint32_t n = 0;  // total pushed; only the last min(n, HIST) are read
  void push(pteval_t v, uint64_t at, int cpu) {
    rec[n % HIST] = {(at << 8) | uint8_t(int8_t(cpu)), v};
    n++;
  }
};

struct PteTable {
  std::array<Cell<pteval_t>, PTRS_PER_PTE> e;  // first: record_change() finds the table from an entry
  Cell<uint32_t> ptl;  // the split PTE lock: 0 free, cpu+1 held
  int pmd_index = 0;
  uint32_t serial = 0;
  // What each entry of this table held, whether hooked or not: the read
  // contracts judge a getter against the cell it read.
  std::array<EntryHistory, PTRS_PER_PTE> hist;
};

// What only the oracles read about a page (never what an operation decides
// on; operations only record it): the ground truth lost writes and lost
// dirtiness are judged against.
struct PageTruth {
  Shared<bool> written;   // this page was stored to since allocation
  Shared<uint32_t> data;  // this page's content: the number of the store that last landed here (0: none)
};

// What the kernel has about a page frame (struct folio / struct page).
// First what a lockless reader may read of any page, freed or not (struct
// page outlives the folio: GUP-fast's page_folio() and folio_try_get()),
// then the body, which only a holder of a reference or of the locks reads —
// the part `unchecked_tables` poisons for AddressSanitizer once freed.
struct Folio {
  Cell<int64_t> refcount;  // meaningful on the head page
  Shared<uint16_t> head;     // pfn of the head page
  Shared<uint8_t> order;     // 0, 4 (a contpte-sized folio) or HPAGE_PMD_ORDER
  Shared<bool> allocated;
  // --- the body (Machine::poison_body) ---
  Cell<int64_t> pincount;  // large folios: FOLL_PIN count (_pincount)
  Cell<uint8_t> dirty;     // PG_dirty
  Shared<int32_t> mapcount;  // PTE and PMD mappings of the folio (head), changed under the PTL
  Shared<bool> anon;       // meaningful on the head page
  Shared<bool> exclusive;  // PageAnonExclusive: per page, as in the kernel (a large folio's pages differ after fork)
  // The forked child's mappings of the folio: its mapcount in the child's mm
  // (and the references they hold), which the child, not modelled further,
  // never drops.  Kernel state: split's refcount check counts it.
  Shared<int32_t> child_refs;
  // An anon folio MADV_FREE made lazyfree: PG_swapbacked clear (head).  Set by
  // madvise_free, cleared when reclaim maps it back (core/mm/madvise.h, vmscan.h).
  Shared<bool> lazyfree;
  PageTruth truth;  // the oracles' alone
};

// A reference held by a CPU after a successful GUP-fast.  Eight-byte
// aligned, so the ledger's Shared<Held> is a lock-free atomic everywhere.
struct alignas(8) Held {
  uint16_t va;
  uint16_t pfn;
  uint16_t head;
  uint8_t flags;
  uint8_t gen;  // Machine::vma_gen[va] when taken: a DMA write is for that mapping only
};

// One event of the trace (kept only when tracing).
struct Event {
  uint64_t step;
  int cpu;
  Access acc;       // acc.tag == 0: a note, text in `note`
  std::string note;
};

struct Verdict {
  bool violated = false;
  Oracle oracle{};
  std::string message;
  uint64_t step = 0;
  int cpu = -1;  // -1: found by the end-of-run checks
  int op = -1;   // index of the operation in that CPU's program
  int known = -1;  // a KnownRace (core/base/known.def) this violation is, or -1
};

struct CpuState {
  Cell<uint32_t> irq;   // odd while IRQs are disabled
  Cell<uint32_t> rcu;   // odd inside rcu_read_lock()
  Cell<uint32_t> walk;  // odd while the MMU walks the table for this CPU
  // The GUP ledger: written by this CPU only, read by the refcount oracle of
  // whichever CPU frees a folio.
  std::array<Shared<Held>, MAX_HELD> held{};
  Shared<int> nheld;
  // held[gup_from..nheld) belong to a gup_fast() still running (its
  // write_protect_seq check may yet undo them); MAX_HELD when none runs.
  Shared<int> gup_from{MAX_HELD};
  int current_op = -1;
  int known = -1;  // Machine::set_known(): a KnownRace row while the oracles judge, or -1
  const void* watch = nullptr;  // the cell of a plain load still in flight (Acc::plain)
  bool watch_hit = false;       // another CPU wrote it meanwhile
  Access watch_write{};         // that write
  int watch_writer = -1;
};

// What only the oracles read about the mm: the value history of every entry,
// what the process must read back, the generation of each mapping.  The
// operations record into it (store_lands(), munmap's generation bump); none
// decides anything from it.
struct Truth {
  // PTE value history per virtual page, for pin_not_in_history.
  struct HistEntry { uint64_t step; pteval_t v; };
  // Only the last min(hist_n, HIST) entries are ever read: neither built nor reset.
  std::array<std::array<HistEntry, HIST>, NR_VPAGES> hist;
  std::array<uint32_t, NR_VPAGES> hist_n{};  // total pushed
  void hist_push(int va, pteval_t v, uint64_t at) {
    hist[va][hist_n[va] % HIST] = {at, v};
    hist_n[va]++;
  }
  Shared<uint32_t> data_counter;  // numbers the stores (Machine::store_lands())
  // lost_write: the content the process last wrote to each virtual page,
  // through the MMU or through a FOLL_PIN of that mapping (-1: nothing
  // expected), and a generation bumped when munmap ends the mapping.
  std::array<Shared<int32_t>, NR_VPAGES> expect{};
  std::array<Shared<uint8_t>, NR_VPAGES> vma_gen{};
  // lockless_pmd_misread: per PMD, the swap entry (a PMD migration entry)
  // whose pmd_mkinvalid() the PMD now holds (pmdp_invalidate() applied to a
  // non-present PMD, 3a5a8d343e1c), or 0; recorded at every PMD change.
  std::array<Shared<pmdval_t>, NR_PMDS> pmd_invalidated_swap{};
};

// The execution's bookkeeping: the clock, the verdict, the trace.
struct ExecRecord {
  uint64_t step = 0;                  // the scheduler: accesses so far
  std::atomic<uint64_t> tstep{0};     // real threads: mapping changes so far (relaxed)
  Verdict verdict;
  std::vector<Event> events;
  int running_cpu = -1;  // the scheduler's; real threads: ExecCtx::cpu
};

struct VmaInfo {
  bool mapped = false;  // some vma covers the page
  bool write = false;
  bool anon = false;
  bool prot_none = false;  // mprotect(PROT_NONE): no user access (VM_NONE)
};

struct MachineOptions {
  bool trace = false;
  // Let a walker really touch a freed table, and poison a freed folio's body
  // (Folio): AddressSanitizer, not the oracles, reports the use (a demo).
  bool unchecked_tables = false;
  uint64_t max_steps = 1'000'000;  // threads: per CPU
  bool threaded = false;           // driven by real threads (core/exec/threads.h); no trace
};

class Machine {
 public:
  Machine(const Scenario& s, const MachineOptions& o);
  ~Machine();
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;
  // The state of Machine(s, o) again, for the next execution, without
  // rebuilding what no execution changes (the cells' tags) and touching only
  // the frames and tables the last execution used.  Tables go back to the
  // per-thread pool.  tests/test_machine_reset.cc compares it with a fresh one.
  void reset(const Scenario& s, const MachineOptions& o);

  const Scenario& sc() const { return *sc_; }
  MachineOptions opt;
  ExecRecord exec;  // the execution's bookkeeping
  // Real threads: the lock of ExecCtx::change_lock, the allocators' lock (the
  // kernel's zone and page-table allocators) and the verdict's.
  std::mutex change_mu, alloc_mu, verdict_mu;

  // The clock of the value history and of pin windows.
  uint64_t now() const { return opt.threaded ? exec.tstep.load(std::memory_order_relaxed) : exec.step; }
  // The CPU making the access; -1 for the end-of-run checks.
  int cur_cpu() const { return opt.threaded ? (tl_exec ? tl_exec->cpu : -1) : exec.running_cpu; }

  std::array<Cell<pmdval_t>, NR_PMDS> pmd;
  std::array<Shared<PteTable*>, MAX_TABLES + 1> tables{};  // by serial; kept dangling after free
  std::array<Shared<bool>, MAX_TABLES + 1> table_live{};
  std::array<Shared<bool>, MAX_TABLES + 1> table_hooked{};
  int next_serial = 1;
  std::array<Folio, NR_PFNS> folio;
  std::array<uint16_t, NR_PFNS> free_pfns{};
  int nfree = 0;
  int next_pfn = 16;
  std::array<CpuState, MAX_CPUS> cpu;
  Cell<uint32_t> pmd_ptl;  // pmd_lock(): the lock of the one PMD page, 0 free, cpu+1 held
  std::array<Shared<uint32_t>, NR_PMDS> deposit{};  // serial of the table a huge PMD deposited, 0 none
  // The forked child's PMD migration entries (copy_huge_pmd() of a PMD
  // migration entry, core/mm/huge_memory.h): how many, and the pfn they name.
  // remove_migration_pmd() maps them as the child's mappings (child_refs);
  // the child's mm is not modelled further.
  std::array<Shared<uint16_t>, NR_PMDS> child_migration_pfn{};
  std::array<Shared<uint8_t>, NR_PMDS> child_migration_n{};
  Cell<uint32_t> write_protect_seq;
  Cell<int32_t> mmap_lock;  // rwsem: >0 readers, -1 writer
  Cell<int32_t> rmap_lock;  // the anon_vma / i_mmap rwsem, likewise
  std::array<VmaInfo, NR_VPAGES> vma{};
  Shared<bool> has_pinned;  // MMF_HAS_PINNED: some FOLL_PIN was ever taken in this mm
  // Who judges (the oracles, core/oracle/) and who counts GUP-fast's
  // rechecks (nullptr: nobody); see core/mm/hooks.h.  Installed by the runner.
  Judge* judge = nullptr;
  GupObserver* gup_observer = nullptr;
  void gup_step(int c, GupStep s) {
    if (gup_observer) gup_observer->step(c, s);
  }

  bool bug(Bug b) const { return sc().bugs.has(b); }
  // The known race (core/base/known.def) the running operation of the
  // calling CPU is in, while the oracles judge it (CpuState::known; each CPU
  // writes its own: real threads share the machine).
  void set_known(int k) {
    if (const int c = cur_cpu(); c >= 0) cpu[c].known = k;
  }

  // --- page table ------------------------------------------------------
  // The architecture's empty PMD (A::PMD_NONE: pmd_none(), pmd_clear()) and
  // table bits (A::PMD_TABLE), taken from the model with the scenario.
  pmdval_t pmd_none_value = 0;
  pmdval_t pmd_table_bits = 0;
  pteval_t pte_none_value = 0;  // A::PTE_NONE: what a new table's entries hold
  pmdval_t pmd_of_serial(uint32_t s) const { return (pmdval_t(s) << 12) | pmd_table_bits; }
  static uint32_t serial_of_pmd(pmdval_t v) { return uint32_t(v >> 12) & 0xfff; }
  bool pmd_none(pmdval_t v) const { return v == pmd_none_value; }
  bool pmd_leaf(pmdval_t v) const;  // the architecture's pmd_leaf() (a huge PMD, maybe invalidated)
  // What a PMD value is: none, a PTE table, a huge leaf (pmd_leaf()), or a
  // swap entry (is_swap_pmd(): not none and not pmd_present(); in the model
  // a PMD migration entry, core/mm/migrate.h).  One architecture dispatch.
  enum class PmdKind : uint8_t { none, table, leaf, swap };
  PmdKind pmd_kind(pmdval_t v) const;
  bool pmd_is_table(pmdval_t v) const { return pmd_kind(v) == PmdKind::table; }
  bool pmd_is_swap(pmdval_t v) const { return pmd_kind(v) == PmdKind::swap; }
  // The entry a huge PMD amounts to for its page k, as a PTE (for oracles).
  pteval_t pmd_page_pte(pmdval_t v, int k) const;
  PteTable* table_of(pmdval_t v) const { return tables[serial_of_pmd(v)]; }
  PteTable* alloc_table(int pmd_index);  // returns nullptr when out of serials
  void free_table(PteTable* t);          // after the grace period

  // --- folios ------------------------------------------------------------
  Folio& head_of(uint64_t pfn) { return folio[folio[pfn].head]; }
  int alloc_pfn();  // a small folio, -1 when none is left
  int alloc_huge();  // a HPAGE_PMD_ORDER folio from never-used frames, -1 when none is left
  void free_folio(Folio& head);
  // folio_add_rmap_*() / folio_remove_rmap_*(): the folio's mapcount moves
  // by d, under the PTL or pmd_lock; the judge sees the change first.
  void mapcount_add(Folio& head, int d) {
    judge->folio_changed(*this, head, "mapcount");
    head.mapcount = head.mapcount + d;
  }

  // A store (the MMU's, or a device's through a pin) lands in `page`; when
  // `va` >= 0 it is also what the process must read back at va (lost_write).
  // Each store takes a new number, and page and expectation keep the largest:
  // under the scheduler that is plain assignment (every store is the newest);
  // under real threads, where two stores to one page interleave these
  // updates, page and expectation still settle on the same store.
  void store_lands(Folio& page, int va) {
    const uint32_t d = ++truth.data_counter;
    page_holds(page, d);
    if (va >= 0) va_expects(va, d);
  }
  // Its two updates, apart so that tests can interleave them as threads do.
  void page_holds(Folio& page, uint32_t d) {
    page.truth.data.raise_to(d);
    page.truth.written = true;
  }
  void va_expects(int va, uint32_t d) { truth.expect[va].raise_to(int32_t(d)); }
  // A zap that leaves the vma (MADV_DONTNEED) ended the mapping at va: what
  // was written there is no longer owed, and a GUP reference taken before
  // belongs to the old mapping (a DMA write through it is not the process's).
  void zap_truth(int va) {
    truth.expect[va] = int32_t(-1);
    truth.vma_gen[va] = uint8_t(truth.vma_gen[va] + 1);
  }

  // --- observation (called from Cell accesses) ---------------------------
  static void observe(void* self, const Access& a);
  // Is table `serial` still live for this access (or unchecked_tables)?
  // Otherwise the verdict is table_use_after_free.  Inline: every PTE access asks.
  bool check_table(uint32_t serial, int pte_index, const char* file, uint32_t line) {
    return table_live[serial] || opt.unchecked_tables || table_freed(serial, pte_index, file, line);
  }
  // Trace notes, kept only when tracing.  Build a computed text under
  // `if (tracing())`: untraced executions allocate nothing.
  void note(int c, std::string text);
  void note(int c, const char* text) {
    if (opt.trace) note(c, std::string(text));
  }
  bool tracing() const { return opt.trace; }

  // --- the verdict ---------------------------------------------------------
  void violate(Oracle o, std::string message);

  // What only the oracles read (kept after the state every step touches).
  Truth truth;

 private:
  void on_access(const Access& a);
  bool table_freed(uint32_t serial, int pte_index, const char* file, uint32_t line);  // false, with the verdict
  void trace_access(const Access& a);
  void out_of_steps();
  void on_access_threaded(const Access& a);
  void record_change(const Access& a, uint64_t at);
  void check_watches(const Access& a);
  // An access to a folio field where a lifetime contract can be at stake, so
  // the judge must see it: the folio is freed, or a count is at or crosses
  // zero.  (Every other access to a live folio's fields is legal: a
  // reference taken or dropped above zero, a flag of a live folio.)
  [[gnu::always_inline]] bool folio_at_stake(const Access& a) const {
    return !folio[folio[tag_index(a.tag)].head].allocated || a.before == 0 || int64_t(a.after) < 0;
  }
  void clear_state(int nr_pfns);  // every member but the tags, frames [0, nr_pfns) (machine.cc)
  void poison_body(int pfn, bool on);  // unchecked_tables: a freed frame's Folio body
  void release_tables();
  const Scenario* sc_;
  int nwatch = 0;  // plain loads in flight
  bool pooled_ = false;  // this execution's tables come from (and go back to) the table pool
};

// A walker's view of one PTE table, taken from a PMD value.  Every access goes
// through the liveness check at its scheduling point.
struct TableRef {
  PteTable* t = nullptr;
  uint32_t serial = 0;
};

namespace detail {
// An access to entry idx (-1: the lock) of table `serial`: the liveness check,
// then the access.  Out of line and outside the coverage feedback, like
// access() (a freed table ends the execution with its verdict).
template <class T, Acc K>
[[gnu::noinline]] GF_NO_COVERAGE T pte_access(Machine* m, uint32_t serial, int idx, const CellAwait<T, K>& in) {
  if (!m->check_table(serial, idx, in.file, in.line)) return T{};
  return access_inline<T, K>(in.c, in.a, in.b, in.file, in.line);
}

template <class Aw>
struct PteAwait;
template <class T, Acc K>
struct PteAwait<CellAwait<T, K>> {
  CellAwait<T, K> inner;
  Machine* m;
  uint32_t serial;
  int idx;
  bool await_ready() const noexcept { return inner.await_ready(); }
  void await_suspend(std::coroutine_handle<> h) const noexcept { inner.await_suspend(h); }
  T await_resume() const { return pte_access<T, K>(m, serial, idx, inner); }
};
}  // namespace detail

#define GF_LOC const char* file = __builtin_FILE(), uint32_t line = __builtin_LINE()
inline auto pte_load(Machine& m, TableRef r, int i, GF_LOC) {
  return detail::PteAwait<detail::CellAwait<pteval_t, Acc::load>>{{&r.t->e[i], 0, 0, file, line}, &m, r.serial, i};
}
inline auto pte_plain_load(Machine& m, TableRef r, int i, GF_LOC) {
  return detail::PteAwait<detail::CellAwait<pteval_t, Acc::plain>>{{&r.t->e[i], 0, 0, file, line}, &m, r.serial, i};
}
inline auto pte_store(Machine& m, TableRef r, int i, pteval_t v, GF_LOC) {
  return detail::PteAwait<detail::CellAwait<pteval_t, Acc::store>>{{&r.t->e[i], v, 0, file, line}, &m, r.serial, i};
}
// The bits of v under `mask` (one half of a PAE entry), the rest as they are.
inline auto pte_store_part(Machine& m, TableRef r, int i, pteval_t v, pteval_t mask, GF_LOC) {
  return detail::PteAwait<detail::CellAwait<pteval_t, Acc::store_part>>{{&r.t->e[i], v, mask, file, line}, &m, r.serial, i};
}
inline auto pte_xchg(Machine& m, TableRef r, int i, pteval_t v, GF_LOC) {
  return detail::PteAwait<detail::CellAwait<pteval_t, Acc::xchg>>{{&r.t->e[i], v, 0, file, line}, &m, r.serial, i};
}
inline auto pte_cmpxchg(Machine& m, TableRef r, int i, pteval_t exp, pteval_t des, GF_LOC) {
  return detail::PteAwait<detail::CellAwait<pteval_t, Acc::cmpxchg>>{{&r.t->e[i], exp, des, file, line}, &m, r.serial, i};
}
inline auto pte_fetch_and(Machine& m, TableRef r, int i, pteval_t mask, GF_LOC) {
  return detail::PteAwait<detail::CellAwait<pteval_t, Acc::fetch_and>>{{&r.t->e[i], mask, 0, file, line}, &m, r.serial, i};
}
// The table's lock word, checked like an entry (index -1).
inline auto ptl_cmpxchg(Machine& m, TableRef r, uint32_t exp, uint32_t des, GF_LOC) {
  return detail::PteAwait<detail::CellAwait<uint32_t, Acc::cmpxchg>>{{&r.t->ptl, exp, des, file, line}, &m, r.serial, -1};
}
inline auto ptl_store(Machine& m, TableRef r, uint32_t v, GF_LOC) {
  return detail::PteAwait<detail::CellAwait<uint32_t, Acc::store>>{{&r.t->ptl, v, 0, file, line}, &m, r.serial, -1};
}
#undef GF_LOC

}  // namespace gf
