// SPDX-License-Identifier: GPL-2.0
//
// Real threads: the same operation coroutines, one thread per simulated CPU,
// over the same atomic page-table state (`gupfuzz stress`).  No await
// suspends (ExecCtx::threaded): the std::atomic in every Cell is the only
// synchronisation, as in the kernel, so ThreadSanitizer sees the model's
// races as it would the kernel's.  The oracles run online, as under the
// scheduler, and at the end of each execution.
//
// Not deterministic by nature: the operating system interleaves the threads.
// What ThreadRunner adds is seeded (the start jitter).
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "core/exec/run.h"

namespace gf {

struct ThreadOptions {
  MachineOptions machine;    // trace must be off; max_steps counts per CPU
  uint64_t seed = 1;         // the start jitter
  uint32_t max_jitter = 256;  // each CPU spins 0..max_jitter pauses before its program
};

class ThreadRunner {
 public:
  ThreadRunner();
  ~ThreadRunner();
  ThreadRunner(const ThreadRunner&) = delete;
  ThreadRunner& operator=(const ThreadRunner&) = delete;

  // One execution: the layout, every CPU released at once on its own
  // thread, all joined, then the end-of-run oracles.
  RunResult run(const Scenario& s, const ThreadOptions& o);

  // Executions finished so far (a watchdog reads it from another thread).
  uint64_t executions() const { return done_execs_.load(std::memory_order_relaxed); }

 private:
  void worker(int cpu);

  std::vector<std::thread> threads_;
  std::atomic<uint64_t> gen_{0};     // bumped to release the workers; ~0 stops them
  std::atomic<int> pending_{0};      // CPUs still running this execution
  std::atomic<uint64_t> done_execs_{0};
  Machine* m_ = nullptr;              // the execution's, published by gen_
  uint32_t jitter_[MAX_CPUS] = {};
};

}  // namespace gf
