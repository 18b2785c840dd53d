// SPDX-License-Identifier: GPL-2.0
//
// Seeded scheduling strategies: uniform random and PCT.  Both are
// deterministic functions of their seed (core/base/rng.h) and of what the run
// shows them; no clock, no OS randomness.
//
// Spinning.  The model's CPUs busy-wait as the kernel does: mmap_write_lock()
// retries its cmpxchg, spin_lock() on the PTL retries its cmpxchg, the grace
// period re-reads another CPU's IRQ/walk epoch, the contpte gather restarts.
// A strategy that keeps running the highest-priority CPU (PCT) or never
// preempts (the explorer's default, core/exec/explore.h) would run such a CPU
// until the step budget.  SpinWatch tells a spinning CPU from a working one:
// a CPU spins when its accesses since the last change of any cell (by any
// CPU) end in the same sequence twice over — same model lines, same cells,
// same kinds, same values found.  Nothing it can see has changed, and the
// model is deterministic in what it reads, so it can only go round again.
// A single repeat is not enough: a CPU may legitimately read an entry twice
// from the same helper with nothing changing in between.  Any change
// anywhere ends every CPU's spin: the waiter may now get through.
//
// The cost is one lap of the loop twice over before the spin is noticed; the
// guess can only be wrong for a loop that counts (the model has none), and
// the explorer still reaches a CPU it thinks spins, at the price of a
// preemption.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/base/rng.h"
#include "core/base/types.h"
#include "core/sched/strategy.h"

namespace gf {

// Cost: every access of a strategy that observes (PCT, the explorer, the
// fuzz bytes' preemption points) passes here, so the storage is fixed (no
// allocation, nothing to clear but the counts) and a lap length p is tried
// only where a 64-bit digest of the access matches the one p before; the
// accesses themselves are compared only then.  The earlier accesses with the
// same digest are found through a small hash index (a chain per slot), not
// by scanning back, and a CPU found spinning stays so until the next change
// without looking again.  The verdict is exactly that of comparing every lap
// length (tests/test_scheduler.cc checks it against that).
class SpinWatch {
 public:
  SpinWatch() {
    for (auto& h : head_) h.fill(kNone);
  }
  void observed(int cpu, const Access& a);
  bool spinning(int cpu) const { return cpu >= 0 && spinning_[cpu]; }
  static constexpr size_t MAX_SEEN = 256;  // a longer lap is not a spin we need to see

 private:
  static constexpr size_t kSlots = 256;
  static constexpr uint16_t kNone = 0xFFFF;
  struct Sig {
    const void* addr;
    const char* file;
    uint32_t line;
    Acc kind;
    bool ok;
    uint64_t before;
    bool operator==(const Sig&) const = default;
  };
  // This CPU's accesses since the last change, and their digests; only the
  // first n_[cpu] of each are meaningful (left uninitialised on purpose).
  Sig seen_[MAX_CPUS][MAX_SEEN];
  uint64_t digest_[MAX_CPUS][MAX_SEEN];
  // The index: head_ is the latest access of this run-since-a-change whose
  // digest falls in a slot, prev_ the one before it in the same slot.  Left
  // over from before a change, an entry can only point at or past the count
  // (ended by the walk) or at an access of this run (checked by digest).
  std::array<uint16_t, kSlots> head_[MAX_CPUS];
  uint16_t prev_[MAX_CPUS][MAX_SEEN];
  std::array<uint16_t, MAX_CPUS> n_{};
  std::array<bool, MAX_CPUS> spinning_{};
};

// The pick that costs no preemption in a bounded search (explore(),
// for_each_schedule()): the current CPU while it works, else the next
// working CPU cyclically, else (everyone spins) whoever can run.  `costly`:
// the other runnable CPUs whose pick would be a preemption — any, if the
// current CPU could go on working, else those that spin.
struct FreeChoice {
  int pick;
  uint8_t run_mask;  // bit c: CPU c is runnable
  uint8_t costly;
};
FreeChoice free_choice(std::span<const int> runnable, int current, const SpinWatch& spin);

// The compact schedule (core/scenario/scenario.h): at a point's step its CPU
// runs (or the next runnable after it); at every other step the free choice,
// so k points are at most k preemptions and no point is needed to get past
// a spinning CPU or a finished one.  Deterministic in what the run shows it.
class PreemptStrategy final : public Strategy {
 public:
  explicit PreemptStrategy(std::span<const Preempt> points) : pts_(points) {}
  int next_cpu(std::span<const int> runnable, int current) override;
  // No point at this step and `current` not spinning: free_choice() keeps it.
  bool has_fast_path() const override { return true; }
  bool keeps(int current) override {
    if ((next_ < pts_.size() && pts_[next_].at <= step_) || spin_.spinning(current)) return false;
    step_++;
    return true;
  }
  bool observes() const override { return true; }
  void observed(int cpu, const Access& a) override { spin_.observed(cpu, a); }
  const SpinWatch& spin() const { return spin_; }

 private:
  std::span<const Preempt> pts_;
  size_t next_ = 0;
  uint32_t step_ = 0;
  SpinWatch spin_;
};

// Uniform choice among the runnable CPUs.
class RandomStrategy final : public Strategy {
 public:
  explicit RandomStrategy(uint64_t seed) : rng_{seed} {}
  int next_cpu(std::span<const int> runnable, int current) override;

 private:
  Rng rng_;
};

// PCT (Burckhardt, Kothari, Musuvathi, Nagarakatte, "A Randomized Scheduler
// with Probabilistic Guarantees of Finding Bugs", ASPLOS 2010).  Each CPU gets
// a distinct random priority in d..d+n-1; d-1 change points are drawn among
// the first k steps.  The highest-priority runnable CPU always runs; at change
// point i the CPU about to run drops to priority d-i, below every initial
// one.  A bug of depth d is found with probability >= 1/(n k^(d-1)).
//
// With d = 1 there are no change points and no CPU is ever preempted.  A CPU
// that spins (SpinWatch) drops below every other at once, as PCT implementations
// treat a yield: a spinning highest-priority CPU would otherwise starve the
// lock holder and never finish.
class PctStrategy final : public Strategy {
 public:
  PctStrategy(uint64_t seed, int depth, uint64_t k_estimate);
  int next_cpu(std::span<const int> runnable, int current) override;
  bool observes() const override { return true; }
  void observed(int cpu, const Access& a) override;

  const std::vector<uint64_t>& change_points() const { return change_; }
  bool spinning(int cpu) const { return spin_.spinning(cpu); }

 private:
  void lower(int cpu);
  std::array<int64_t, MAX_CPUS> prio_{};
  std::vector<uint64_t> change_;  // step numbers, sorted; change_[i] sets priority d-1-i
  size_t next_change_ = 0;
  uint64_t step_ = 0;
  int64_t lowest_;  // the lowest priority handed out so far
  int depth_;
  SpinWatch spin_;
};


}  // namespace gf
