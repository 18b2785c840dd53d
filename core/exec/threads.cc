// SPDX-License-Identifier: GPL-2.0
#include "core/exec/threads.h"

#include <cstdlib>
#include <memory>

#include "core/base/rng.h"

namespace gf {

namespace {
constexpr uint64_t kStop = ~uint64_t(0);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}
}  // namespace

ThreadRunner::ThreadRunner() {
  for (int c = 0; c < MAX_CPUS; c++) threads_.emplace_back([this, c] { worker(c); });
}

ThreadRunner::~ThreadRunner() {
  gen_.store(kStop, std::memory_order_release);
  gen_.notify_all();
  for (auto& t : threads_) t.join();
}

void ThreadRunner::worker(int cpu) {
  uint64_t seen = 0;
  for (;;) {
    gen_.wait(seen, std::memory_order_acquire);
    const uint64_t g = gen_.load(std::memory_order_acquire);
    if (g == kStop) return;
    if (g == seen) continue;
    seen = g;
    Machine& m = *m_;
    if (cpu < int(m.sc().cpus.size())) {
      ExecCtx ctx = threaded_ctx(m, cpu);
      ExecCtx* saved = tl_exec;
      tl_exec = &ctx;
      for (uint32_t k = 0; k < jitter_[cpu]; k++) cpu_relax();
      run_cpu_threaded(m, cpu);
      tl_exec = saved;
    }
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
  }
}

GF_NO_COVERAGE RunResult ThreadRunner::run(const Scenario& s, const ThreadOptions& o) {
  MachineOptions mo = o.machine;
  mo.trace = false;
  mo.threaded = true;
  const std::unique_ptr<Machine> owned = new_machine(s, mo);
  Machine& m = *owned;
  build_layout(m);

  Rng rng{o.seed ^ (done_execs_.load(std::memory_order_relaxed) * 0x9e3779b97f4a7c15ull)};
  for (int c = 0; c < MAX_CPUS; c++) jitter_[c] = o.max_jitter ? uint32_t(rng.below(o.max_jitter + 1)) : 0;
  m_ = &m;
  pending_.store(MAX_CPUS, std::memory_order_relaxed);
  gen_.fetch_add(1, std::memory_order_release);
  gen_.notify_all();
  for (int p = pending_.load(std::memory_order_acquire); p != 0; p = pending_.load(std::memory_order_acquire))
    pending_.wait(p, std::memory_order_acquire);
  m_ = nullptr;

  if (!m.exec.verdict.violated) m.judge->at_end(m);
  done_execs_.fetch_add(1, std::memory_order_relaxed);
  RunResult r;
  r.verdict = m.exec.verdict;
  r.steps = m.exec.tstep.load(std::memory_order_relaxed);
  return r;
}

}  // namespace gf
