// SPDX-License-Identifier: GPL-2.0
#include "core/exec/run.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

#include "core/arch/registry.h"
#include "core/mm/ops.h"
#include "core/oracle/oracle.h"
#include "core/sched/strategies.h"

namespace gf {
namespace {

// The layout: vmas, folios and entries before any CPU runs (no scheduling points).
template <class A>
GF_NO_COVERAGE void build_layout(Machine& m) {
  for (const Region& rg : m.sc().regions) {
    const bool large = rg.flags & RF_LARGE;
    const bool anon = rg.flags & RF_ANON;
    const int step = large ? CONT_PTES : 1;
    for (int va0 = rg.va; va0 < rg.va + rg.pages && va0 < NR_VPAGES; va0 += step) {
      bool taken = false;
      for (int k = 0; k < step; k++) taken |= m.vma[va0 + k].mapped;
      if (taken) continue;  // an earlier region owns it
      for (int k = 0; k < step; k++) m.vma[va0 + k] = VmaInfo{true, bool(rg.flags & RF_WRITE), anon};
      const int p = va0 / PTRS_PER_PTE;
      if (m.pmd_none(m.pmd[p].peek())) {
        PteTable* t = m.alloc_table(p);
        m.pmd[p].poke(m.pmd_of_serial(t->serial));
        m.table_hooked[t->serial] = true;
      }
      PteTable* t = m.table_of(m.pmd[p].peek());
      UserProt prot{.write = (rg.flags & RF_WRITE) && !(rg.flags & RF_WP),
                    .exec = false,
                    .young = !(rg.flags & RF_OLD),
                    .dirty = bool(rg.flags & RF_DIRTY),
                    .special = false,
                    .protnone = bool(rg.flags & RF_PROTNONE)};
      int pfn;
      if (anon && (rg.flags & RF_ZERO)) {
        pfn = 0;
        prot.write = prot.dirty = false;
        prot.special = true;
      } else if (large) {
        int base = (m.next_pfn + CONT_PTES - 1) & ~(CONT_PTES - 1);
        if (base + CONT_PTES > NR_PFNS) continue;
        for (int q = m.next_pfn; q < base; q++) m.free_pfns[m.nfree++] = uint16_t(q);
        m.next_pfn = base + CONT_PTES;
        for (int k = 0; k < CONT_PTES; k++) m.folio[base + k].head = uint16_t(base);
        pfn = base;
        Folio& f = m.folio[base];
        f.allocated = true;
        f.order = 4;
        f.refcount.poke(CONT_PTES);
        f.mapcount = CONT_PTES;
      } else {
        pfn = m.alloc_pfn();
        if (pfn < 0) continue;
        m.folio[pfn].refcount.poke(1);
        m.folio[pfn].mapcount = 1;
      }
      if (pfn != 0) {
        m.folio[pfn].anon = anon;
        for (int k = 0; k < step; k++) {
          m.folio[pfn + k].exclusive = anon;
          m.folio[pfn + k].truth.written = prot.dirty;
        }
      }
      for (int k = 0; k < step; k++) {
        pteval_t v = A::mk_user_pte(pfn == 0 ? 0 : pfn + k, prot);
        // contpte only for valid entries of a real large folio (set_ptes() never sets CONT on
        // invalid entries; the zero page is never contpte-mapped).
        if (large && pfn != 0 && !prot.protnone) v = A::pte_mkcont(v);
        t->e[(va0 + k) % PTRS_PER_PTE].poke(v);
        t->hist[(va0 + k) % PTRS_PER_PTE].push(v, 0, -1);
        m.truth.hist_push(va0 + k, v, 0);
      }
    }
  }
}

template <class A>
Task<void> cpu_main(Machine& m, int cpu) {
  const std::vector<Op>& prog = m.sc().cpus[cpu];
  for (size_t k = 0; k < prog.size(); k++) {
    m.cpu[cpu].current_op = int(k);
    if (m.tracing()) m.note(cpu, std::string(info(prog[k].kind).id) + " begins");
    co_await Ops<A>::run(m, cpu, prog[k]);
  }
  m.cpu[cpu].current_op = -1;
}

// One Machine per thread, reset for each execution instead of rebuilt; a
// run() nested in another (none today) gets its own.
class MachineLease {
 public:
  MachineLease(const Scenario& s, const MachineOptions& o) {
    if (busy_) {
      own_ = std::make_unique<Machine>(s, o);
      m_ = own_.get();
      return;
    }
    busy_ = true;
    if (!cached_)
      cached_ = std::make_unique<Machine>(s, o);
    else
      cached_->reset(s, o);
    m_ = cached_.get();
  }
  ~MachineLease() {
    if (!own_) busy_ = false;
  }
  MachineLease(const MachineLease&) = delete;
  MachineLease& operator=(const MachineLease&) = delete;
  Machine& get() { return *m_; }

 private:
  Machine* m_ = nullptr;
  std::unique_ptr<Machine> own_;
  static thread_local std::unique_ptr<Machine> cached_;
  static thread_local bool busy_;
};
thread_local std::unique_ptr<Machine> MachineLease::cached_;
thread_local bool MachineLease::busy_ = false;

template <class A>
GF_NO_COVERAGE RunResult run_arch(Machine& m, const Scenario& s, const RunOptions& o) {
  build_layout<A>(m);

  ScheduleStrategy steps(s.schedule);
  PreemptStrategy points(s.preempts);
  Strategy& strat = o.strategy                                 ? *o.strategy
                    : s.form == ScheduleForm::preemptions ? static_cast<Strategy&>(points)
                                                          : steps;
  ExecCtx ctx;
  ctx.observe = &Machine::observe;
  ctx.self = &m;
  // A strategy that watches accesses, and the fuzzer's feedback, see each one
  // after the machine has.
  struct Tap {
    Machine* m;
    Strategy* s;
    CommFeedback* f;
    GF_NO_COVERAGE static void observe(void* self, const Access& a) {
      Tap* t = static_cast<Tap*>(self);
      Machine::observe(t->m, a);
      if (t->s) t->s->observed(t->m->exec.running_cpu, a);
      if (t->f) t->f->observed(t->m->exec.running_cpu, a);
    }
  } tap{&m, strat.observes() ? &strat : nullptr, o.feedback};
  if (tap.s || tap.f) {
    ctx.observe = &Tap::observe;
    ctx.self = &tap;
  }
  if (o.feedback) o.feedback->begin();
  ExecCtx* saved = tl_exec;
  tl_exec = &ctx;

  const int ncpu = std::min(int(s.cpus.size()), MAX_CPUS);
  std::array<std::optional<Task<void>>, MAX_CPUS> tasks;
  std::array<std::coroutine_handle<>, MAX_CPUS> slot{};
  for (int c = 0; c < ncpu; c++) {
    tasks[c].emplace(cpu_main<A>(m, c));
    slot[c] = tasks[c]->handle();
  }
  // Start every CPU: it runs to its first shared access without a schedule
  // entry, so each entry of a schedule is exactly one shared access.
  for (int c = 0; c < ncpu && !m.exec.verdict.violated; c++) {
    m.exec.running_cpu = c;
    ctx.resume_slot = &slot[c];
    slot[c].resume();
  }

  // From here on, a CPU the strategy keeps goes on at its scheduling point
  // without coming back to this loop (ExecCtx::stays): one step then costs
  // the access and its observers, not a suspension, a resumption and a
  // next_cpu().  Never after a violation: the loop below must see it.
  struct Stay {
    Machine* m;
    Strategy* s;
    GF_NO_COVERAGE static bool stays(void* self) {
      Stay* t = static_cast<Stay*>(self);
      return !t->m->exec.verdict.violated && t->s->keeps(t->m->exec.running_cpu);
    }
  } stay{&m, &strat};
  if (strat.has_fast_path()) {
    ctx.stays = &Stay::stays;
    ctx.stays_self = &stay;
  }

  // The runnable CPUs change only when the one that ran has finished.
  int runnable[MAX_CPUS];
  int n = 0;
  auto refresh = [&] {
    n = 0;
    for (int c = 0; c < ncpu; c++)
      if (!tasks[c]->handle().done()) runnable[n++] = c;
  };
  refresh();
  int current = -1;
  while (n > 0 && !m.exec.verdict.violated) {
    current = strat.next_cpu(std::span<const int>(runnable, size_t(n)), current);
    m.exec.running_cpu = current;
    ctx.resume_slot = &slot[current];
    slot[current].resume();
    if (m.exec.verdict.violated) break;
    if (tasks[current]->handle().done()) refresh();
  }
  m.exec.running_cpu = -1;
  if (!m.exec.verdict.violated) m.judge->at_end(m);
  tl_exec = saved;

  RunResult r;
  r.verdict = m.exec.verdict;
  r.steps = m.exec.step;
  r.events = std::move(m.exec.events);
  return r;
}

}  // namespace

GF_NO_COVERAGE void build_layout(Machine& m) {
  with_machine_arch(m.sc().arch, [&]<class A>() GF_NO_COVERAGE { build_layout<A>(m); });
}

GF_NO_COVERAGE void run_cpu_threaded(Machine& m, int cpu) {
  Task<void> t = with_machine_arch(m.sc().arch, [&]<class A>() GF_NO_COVERAGE { return cpu_main<A>(m, cpu); });
  t.handle().resume();  // no await suspends under ExecCtx::threaded: the whole program runs
  if (!t.handle().done()) std::abort();
}

namespace {
GF_NO_COVERAGE RunResult run_ready(Machine& m, const Scenario& s, const RunOptions& o) {
  m.judge = o.judge ? o.judge : &oracles();
  m.gup_observer = o.gup_observer;
  return with_machine_arch(s.arch, [&]<class A>() GF_NO_COVERAGE { return run_arch<A>(m, s, o); });
}
}  // namespace

GF_NO_COVERAGE RunResult run_on(Machine& m, const Scenario& s, const RunOptions& o) {
  m.reset(s, o.machine);
  return run_ready(m, s, o);
}

GF_NO_COVERAGE RunResult run(const Scenario& s, const RunOptions& o) {
  MachineLease lease(s, o.machine);
  return run_ready(lease.get(), s, o);
}

ExecCtx threaded_ctx(Machine& m, int cpu) {
  ExecCtx ctx;
  ctx.observe = &Machine::observe;
  ctx.self = &m;
  ctx.threaded = true;
  ctx.cpu = cpu;
  ctx.change_lock = &m.change_mu;
  ctx.serialize_kinds = kind_bit(CellKind::pte) | kind_bit(CellKind::pmd);
  return ctx;
}

uint64_t pct_estimate_k(const Scenario& s) { return run(s).steps; }

std::unique_ptr<Machine> new_machine(const Scenario& s, const MachineOptions& o) {
  auto m = std::make_unique<Machine>(s, o);
  m->judge = &oracles();
  return m;
}

GF_NO_COVERAGE int next_runnable_after(std::span<const int> runnable, int after) {
  for (int c : runnable)
    if (c > after) return c;
  return runnable[0];
}

GF_NO_COVERAGE int ScheduleStrategy::next_cpu(std::span<const int> runnable, int current) {
  if (pos_ < sched_.size()) {
    const int want = sched_[pos_++];
    for (int c : runnable)
      if (c == want) return c;
    return next_runnable_after(runnable, want);
  }
  return next_runnable_after(runnable, current);
}

}  // namespace gf
