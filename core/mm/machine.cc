// SPDX-License-Identifier: GPL-2.0
#include "core/mm/machine.h"

#include <cstddef>
#include <cstdio>
#include <thread>
#include <type_traits>
#include <vector>

#include <sanitizer/asan_interface.h>

#include "core/arch/registry.h"
#include "core/base/text.h"

namespace gf {

namespace {
// Page tables of finished executions, per thread (the scheduler runs an
// execution on one thread).  Nothing in here carries meaning from one
// execution to the next: alloc_table() rewrites every field.
struct TablePool {
  std::vector<PteTable*> free;
  ~TablePool() {
    for (PteTable* t : free) delete t;
  }
};
thread_local TablePool table_pool;

static_assert(std::is_standard_layout_v<PteTable> && offsetof(PteTable, e) == 0,
              "record_change() finds a table from the address of its entry");

void poison(PteTable* t) { ASAN_POISON_MEMORY_REGION(t, sizeof *t); }
void unpoison(PteTable* t) { ASAN_UNPOISON_MEMORY_REGION(t, sizeof *t); }

// The allocators' lock, taken only under real threads.
std::unique_lock<std::mutex> alloc_lock(Machine& m) {
  std::unique_lock<std::mutex> g(m.alloc_mu, std::defer_lock);
  if (m.opt.threaded) g.lock();
  return g;
}
}  // namespace

GF_NO_COVERAGE Machine::Machine(const Scenario& s, const MachineOptions& o) : opt(o), sc_(&s) {
  for (int p = 0; p < NR_PMDS; p++) pmd[p].tag = make_tag(CellKind::pmd, p);
  for (int p = 0; p < NR_PFNS; p++) {
    folio[p].refcount.tag = make_tag(CellKind::refcount, p);
    folio[p].pincount.tag = make_tag(CellKind::pincount, p);
    folio[p].dirty.tag = make_tag(CellKind::folio_dirty, p);
  }
  for (int c = 0; c < MAX_CPUS; c++) {
    cpu[c].irq.tag = make_tag(CellKind::irq, c);
    cpu[c].rcu.tag = make_tag(CellKind::rcu, c);
    cpu[c].walk.tag = make_tag(CellKind::walk, c);
  }
  write_protect_seq.tag = make_tag(CellKind::seqcount, 0);
  mmap_lock.tag = make_tag(CellKind::mmap_lock, 0);
  pmd_ptl.tag = make_tag(CellKind::pmd_lock, 0);
  rmap_lock.tag = make_tag(CellKind::rmap_lock, 0);
  clear_state(NR_PFNS);
  pooled_ = !opt.threaded && !opt.unchecked_tables;
}

// Deleted, not pooled: a thread's cached Machine may outlive its pool.
Machine::~Machine() {
  if (opt.unchecked_tables)
    for (int p = 0; p < NR_PFNS; p++) poison_body(p, false);
  for (int s = 1; s < next_serial && s <= MAX_TABLES; s++) {
    if (pooled_) unpoison(tables[s]);
    if (pooled_ || table_live[s]) delete tables[s];
  }
}

GF_NO_COVERAGE void Machine::reset(const Scenario& s, const MachineOptions& o) {
  release_tables();
  if (opt.unchecked_tables)
    for (int p = 0; p < next_pfn && p < NR_PFNS; p++) poison_body(p, false);
  sc_ = &s;
  opt = o;
  // Frames at or past next_pfn were never allocated, so never changed: only
  // alloc_pfn(), alloc_huge() and the layout give a frame state, and each
  // moves next_pfn past it.
  clear_state(next_pfn);
  pooled_ = !opt.threaded && !opt.unchecked_tables;
}

// Every member's initial value (the tags aside): the constructor's and reset()'s.
GF_NO_COVERAGE void Machine::clear_state(int nr_pfns) {
  exec.step = 0;
  exec.tstep.store(0, std::memory_order_relaxed);
  exec.verdict = Verdict{};
  exec.events.clear();
  exec.running_cpu = -1;
  with_machine_arch(sc().arch, [&]<class A>() {
    pmd_none_value = A::PMD_NONE;
    pmd_table_bits = A::PMD_TABLE;
    pte_none_value = A::PTE_NONE;
  });
  for (auto& p : pmd) p.poke(pmd_none_value);
  for (int t = 0; t < next_serial && t <= MAX_TABLES; t++) {
    tables[t] = nullptr;
    table_live[t] = false;
    table_hooked[t] = false;
  }
  next_serial = 1;
  for (int p = 0; p < nr_pfns && p < NR_PFNS; p++) {
    Folio& f = folio[p];
    f.refcount.poke(0);
    f.pincount.poke(0);
    f.dirty.poke(0);
    f.mapcount = 0;
    f.head = uint16_t(p);
    f.order = 0;
    f.allocated = false;
    f.anon = false;
    f.exclusive = false;
    f.truth.written = false;
    f.truth.data = 0;
    f.child_refs = 0;
    f.lazyfree = false;
  }
  // The zero page: reserved, never freed, never counted.
  folio[0].allocated = true;
  nfree = 0;
  next_pfn = 16;
  for (CpuState& c : cpu) {
    c.irq.poke(0);
    c.rcu.poke(0);
    c.walk.poke(0);
    // held[nheld..) is never read (every reader stops at nheld): left as it is.
    c.nheld = 0;
    c.gup_from = MAX_HELD;
    c.current_op = -1;
    c.known = -1;
    c.watch = nullptr;
    c.watch_hit = false;
    c.watch_write = Access{};
    c.watch_writer = -1;
  }
  pmd_ptl.poke(0);
  for (auto& d : deposit) d = 0;
  for (auto& c : child_migration_pfn) c = 0;
  for (auto& c : child_migration_n) c = 0;
  for (auto& c : truth.pmd_invalidated_swap) c = 0;
  write_protect_seq.poke(0);
  mmap_lock.poke(0);
  rmap_lock.poke(0);
  vma.fill(VmaInfo{});
  has_pinned = false;
  truth.data_counter = 0;
  for (auto& e : truth.expect) e = int32_t(-1);
  for (auto& g : truth.vma_gen) g = 0;
  truth.hist_n.fill(0);
  nwatch = 0;
}

// Every table the last execution allocated, live or freed, back to the pool (or deleted).
void Machine::release_tables() {
  for (int s = 1; s < next_serial && s <= MAX_TABLES; s++) {
    PteTable* t = tables[s];
    if (!pooled_) {
      if (table_live[s]) delete t;
      continue;
    }
    unpoison(t);
    table_pool.free.push_back(t);
  }
}

PteTable* Machine::alloc_table(int pmd_index) {
  auto g = alloc_lock(*this);
  if (next_serial > MAX_TABLES) return nullptr;
  PteTable* t;
  if (pooled_ && !table_pool.free.empty()) {
    t = table_pool.free.back();
    table_pool.free.pop_back();
    t->ptl.poke(0);
  } else {
    t = new PteTable;
  }
  for (auto& e : t->e) e.poke(pte_none_value);
  t->serial = uint32_t(next_serial++);
  t->pmd_index = pmd_index;
  for (EntryHistory& h : t->hist) h.n = 0;
  for (int i = 0; i < PTRS_PER_PTE; i++) t->e[i].tag = make_tag(CellKind::pte, pmd_index * PTRS_PER_PTE + i);
  t->ptl.tag = make_tag(CellKind::ptl, pmd_index);
  tables[t->serial] = t;
  table_live[t->serial] = true;
  return t;
}

void Machine::free_table(PteTable* t) {
  auto g = alloc_lock(*this);
  table_live[t->serial] = false;
  table_hooked[t->serial] = false;
  // tables[serial] keeps the dangling pointer, as a late walker would.
  if (pooled_)
    poison(t);  // back to the pool when the execution ends
  else
    delete t;
}

int Machine::alloc_pfn() {
  auto g = alloc_lock(*this);
  int pfn;
  if (nfree > 0) {
    pfn = free_pfns[--nfree];
  } else {
    if (next_pfn >= NR_PFNS) return -1;
    pfn = next_pfn++;
  }
  Folio& f = folio[pfn];
  poison_body(pfn, false);
  f.allocated = true;
  f.head = uint16_t(pfn);
  f.order = 0;
  f.anon = f.exclusive = f.truth.written = false;
  f.mapcount = 0;
  f.truth.data = 0;
  f.child_refs = 0;
  f.lazyfree = false;
  f.dirty.poke(0);
  f.pincount.poke(0);
  return pfn;
}

// Huge folios come only from frames no folio has used yet, aligned, as the
// buddy allocator hands out an order-5 block; the model never merges freed
// frames back.
int Machine::alloc_huge() {
  auto g = alloc_lock(*this);
  const int base = (next_pfn + HPAGE_PMD_NR - 1) & ~(HPAGE_PMD_NR - 1);
  if (base + HPAGE_PMD_NR > NR_PFNS) return -1;
  for (int q = next_pfn; q < base && nfree < NR_PFNS; q++) free_pfns[nfree++] = uint16_t(q);
  next_pfn = base + HPAGE_PMD_NR;
  for (int k = 0; k < HPAGE_PMD_NR; k++) {
    Folio& f = folio[base + k];
    f.head = uint16_t(base);
    f.exclusive = f.truth.written = false;
    f.truth.data = 0;
  }
  Folio& h = folio[base];
  h.allocated = true;
  h.order = HPAGE_PMD_ORDER;
  h.anon = false;
  h.mapcount = 0;
  h.child_refs = 0;
  h.lazyfree = false;
  h.dirty.poke(0);
  h.pincount.poke(0);
  return base;
}

void Machine::free_folio(Folio& head) {
  auto g = alloc_lock(*this);
  judge->folio_freed(*this, head);
  head.allocated = false;
  const int n = folio_nr_pages(head.order);
  const int h = head.head;
  // LIFO, so the next fault reuses this frame: the ABA GUP-fast must survive.
  for (int k = n - 1; k >= 0; k--) {
    folio[h + k].head = uint16_t(h + k);
    folio[h + k].order = 0;
    if (nfree < NR_PFNS) free_pfns[nfree++] = uint16_t(h + k);
    poison_body(h + k, true);
  }
}

// unchecked_tables: a freed frame's body (everything after `allocated`) is
// poisoned, so AddressSanitizer reports whoever still reads or writes it.
void Machine::poison_body(int pfn, bool on) {
  if (!opt.unchecked_tables) return;
  char* from = reinterpret_cast<char*>(&folio[pfn].pincount);
  const size_t len = size_t(reinterpret_cast<char*>(&folio[pfn] + 1) - from);
  if (on)
    ASAN_POISON_MEMORY_REGION(from, len);
  else
    ASAN_UNPOISON_MEMORY_REGION(from, len);
}

bool Machine::pmd_leaf(pmdval_t v) const {
  return with_machine_arch(sc().arch, [&]<class A>() { return A::pmd_leaf(v); });
}

Machine::PmdKind Machine::pmd_kind(pmdval_t v) const {
  if (pmd_none(v)) return PmdKind::none;
  return with_machine_arch(sc().arch, [&]<class A>() {
    if (A::pmd_leaf(v)) return PmdKind::leaf;
    return A::pmd_present(v) ? PmdKind::table : PmdKind::swap;
  });
}

pteval_t Machine::pmd_page_pte(pmdval_t v, int k) const {
  return with_machine_arch(sc().arch, [&]<class A>() { return A::pmd_page_pte(v, k); });
}

bool Machine::table_freed(uint32_t serial, int pte_index, const char* file, uint32_t line) {
  // The model line, relative to the source tree, so messages do not depend on the checkout.
  char buf[240];
  std::snprintf(buf, sizeof buf, "cpu%d touched %s of PTE table #%u after it was freed (%s)", cur_cpu(),
                pte_index < 0 ? "the lock" : ("entry " + std::to_string(pte_index)).c_str(), serial,
                model_line(file, line).c_str());
  violate(Oracle::table_use_after_free, buf);
  return false;
}


// A PTE or PMD change: the value history the oracles read.
GF_NO_COVERAGE void Machine::record_change(const Access& a, uint64_t at) {
  const CellKind k = tag_kind(a.tag);
  if (k == CellKind::pte) {
    const int va = int(tag_index(a.tag));
    // The cell's own history, hooked or not (e is the table's first member).
    const int i = va % PTRS_PER_PTE;
    PteTable* t = reinterpret_cast<PteTable*>(const_cast<char*>(static_cast<const char*>(a.addr)) -
                                              size_t(i) * sizeof(Cell<pteval_t>));
    t->hist[i].push(a.after, at, cur_cpu());
    // Only the entry reachable from the PMD is "the entry"; stores into an
    // unhooked table are not part of the mapping's history.  (The PMD names
    // t by its serial, tables[t->serial] == t all execution long: the
    // architecture's pmd_leaf() is asked last.)
    pmdval_t p = pmd[va / PTRS_PER_PTE].peek();
    if (serial_of_pmd(p) == t->serial && table_hooked[t->serial] && pmd_is_table(p))
      truth.hist_push(va, a.after, at);
  } else if (k == CellKind::pmd) {
    // The PMD-level history: every page under the PMD takes the value it now
    // amounts to (a table's entry, a huge PMD's page, or none).
    const int p = int(tag_index(a.tag));
    const PmdKind before = pmd_kind(a.before), after = pmd_kind(a.after);
    if (before == PmdKind::table) table_hooked[serial_of_pmd(a.before)] = false;
    if (after == PmdKind::table) table_hooked[serial_of_pmd(a.after)] = true;
    // A PMD made pmd_mkinvalid() of a swap entry (lockless_pmd_misread).
    pmdval_t from = 0;
    if (before == PmdKind::swap)
      with_machine_arch(sc().arch, [&]<class A>() {
        if (a.after == A::pmd_mkinvalid(a.before)) from = a.before;
      });
    truth.pmd_invalidated_swap[p] = from;
    for (int i = 0; i < PTRS_PER_PTE; i++) {
      const int va = p * PTRS_PER_PTE + i;
      pteval_t v = 0;
      if (after == PmdKind::table) v = table_of(a.after)->e[i].peek();
      else if (after == PmdKind::leaf) v = pmd_page_pte(a.after, i);
      truth.hist_push(va, v, at);
    }
  }
}

// The scheduler's race detector for plain loads: a plain load stays in flight
// until its CPU's next access; a write by another CPU meanwhile is a data race
// (the two accesses overlap, so neither happens before the other).
GF_NO_COVERAGE void Machine::check_watches(const Access& a) {
  CpuState& me = cpu[exec.running_cpu];
  if (me.watch) {
    me.watch = nullptr;
    nwatch--;
    if (me.watch_hit) {
      me.watch_hit = false;
      const Access& w = me.watch_write;
      char buf[320];
      std::snprintf(buf, sizeof buf, "cpu%d read page %u's entry with a plain load while cpu%d wrote it (%s %s -> %s, %s)",
                    exec.running_cpu, tag_index(w.tag), me.watch_writer, access_name(w.kind), hex(w.before).c_str(),
                    hex(w.after).c_str(), model_line(w.file, w.line).c_str());
      violate(Oracle::data_race, buf);
      return;
    }
  }
  if (a.kind == Acc::plain) {
    me.watch = a.addr;
    nwatch++;
    return;
  }
  if (nwatch == 0 || a.kind == Acc::load || !a.ok) return;
  for (int c = 0; c < int(sc().cpus.size()); c++) {
    CpuState& o = cpu[c];
    if (c == exec.running_cpu || o.watch != a.addr || o.watch_hit) continue;
    o.watch_hit = true;
    o.watch_write = a;
    o.watch_writer = exec.running_cpu;
  }
}

// Every access of an execution comes here (ExecCtx::observe): the one call
// an access costs the machine, on_access() inlined.  A load, a plain load and
// a failed cmpxchg leave before == after, so only a change is recorded.
[[gnu::always_inline]] GF_NO_COVERAGE inline void Machine::on_access(const Access& a) {
  if (opt.threaded) [[unlikely]] return on_access_threaded(a);
  exec.step++;
  if (nwatch > 0 || a.kind == Acc::plain) [[unlikely]] check_watches(a);
  if (a.before != a.after) record_change(a, exec.step);
  if (is_folio_kind(tag_kind(a.tag)) && folio_at_stake(a)) judge->folio_access(*this, a);
  if (opt.trace) [[unlikely]] trace_access(a);
  if (exec.step >= opt.max_steps && !exec.verdict.violated) [[unlikely]] out_of_steps();
}

[[gnu::noinline]] void Machine::out_of_steps() {
  violate(Oracle::no_progress, "no CPU finished within " + std::to_string(opt.max_steps) + " steps");
}

GF_NO_COVERAGE void Machine::observe(void* self, const Access& a) { static_cast<Machine*>(self)->on_access(a); }

[[gnu::noinline]] void Machine::trace_access(const Access& a) {
  exec.events.push_back(Event{exec.step, exec.running_cpu, a, {}});
}

// Real threads: a PTE or PMD change arrives here under change_mu (cell.h),
// so the history and its clock follow each entry's modification order.
GF_NO_COVERAGE void Machine::on_access_threaded(const Access& a) {
  ExecCtx& x = *tl_exec;
  const bool changed = a.kind != Acc::load && a.kind != Acc::plain && a.before != a.after;
  if (changed && is_mapping_kind(tag_kind(a.tag)))
    record_change(a, exec.tstep.fetch_add(1, std::memory_order_relaxed) + 1);
  // Only what the access itself shows: whether another CPU freed the folio
  // is known once its own access is judged, which comes later on its thread.
  if (is_folio_kind(tag_kind(a.tag)) && (a.before == 0 || int64_t(a.after) < 0)) judge->folio_access(*this, a);
  if (++x.steps == opt.max_steps)
    violate(Oracle::no_progress, "cpu" + std::to_string(x.cpu) + " made " + std::to_string(opt.max_steps) +
                                     " accesses without finishing");
  // A CPU that keeps finding nothing changed is spinning on another: let it run.
  if (changed) {
    x.idle = 0;
  } else if (++x.idle == 64) {
    x.idle = 0;
    std::this_thread::yield();
  }
}

void Machine::note(int c, std::string text) {
  if (opt.trace) exec.events.push_back(Event{exec.step, c, Access{Acc::load, true, 0, nullptr, 0, 0, nullptr, 0}, std::move(text)});
}

void Machine::violate(Oracle o, std::string message) {
  std::unique_lock<std::mutex> g(verdict_mu, std::defer_lock);
  if (opt.threaded) g.lock();
  if (exec.verdict.violated) return;
  const int c = cur_cpu();
  exec.verdict.violated = true;
  exec.verdict.oracle = o;
  exec.verdict.message = std::move(message);
  exec.verdict.step = opt.threaded ? now() : exec.step;
  exec.verdict.cpu = c;
  exec.verdict.op = c >= 0 ? cpu[c].current_op : -1;
  if (c >= 0 && cpu[c].known >= 0 && info(KnownRace(cpu[c].known)).oracle == o) exec.verdict.known = cpu[c].known;
  if (opt.trace) note(c, "VIOLATION " + std::string(info(o).id) + ": " + exec.verdict.message);
}

}  // namespace gf
