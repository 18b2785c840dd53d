// SPDX-License-Identifier: GPL-2.0
//
// Who takes the next step.  Every way of scheduling — the scenario's own
// schedule (from fuzz bytes or JSON), and later random, PCT, exhaustive
// exploration — is a Strategy; the operations and oracles never know which.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/sched/cell.h"

namespace gf {

class Strategy {
 public:
  virtual ~Strategy() = default;
  // `runnable` is never empty and sorted; `current` is the CPU that took the
  // previous step (-1 at the start).  Returns one of `runnable`.
  virtual int next_cpu(std::span<const int> runnable, int current) = 0;
  // A strategy that needs to see each access (to tell a CPU spinning on a
  // lock from one making progress: core/sched/strategies.h) says so, and run() then
  // calls observed() after every access, with the CPU that made it.  The
  // others cost nothing on the fuzzing path.
  virtual bool observes() const { return false; }
  virtual void observed(int cpu, const Access& a) {
    (void)cpu;
    (void)a;
  }
  // The fast path of a scheduling point (core/exec/run.cc).  Asked when the
  // running CPU `current` reaches its next access and no CPU has finished
  // since the last next_cpu(): if next_cpu() would pick `current` again, take
  // the step exactly as it would (same state after) and return true — the
  // CPU then goes on without suspending.  Otherwise change nothing and return
  // false; next_cpu() follows.  has_fast_path(): whether to ask at all.
  virtual bool has_fast_path() const { return false; }
  virtual bool keeps(int current) {
    (void)current;
    return false;
  }
};

// The scenario's schedule: entry e steps CPU e, or the next runnable CPU after
// it when e has finished.  When the schedule runs out: round robin.
class ScheduleStrategy final : public Strategy {
 public:
  explicit ScheduleStrategy(std::span<const uint8_t> schedule) : sched_(schedule) {}
  int next_cpu(std::span<const int> runnable, int current) override;
  bool has_fast_path() const override { return true; }
  bool keeps(int current) override {
    if (pos_ >= sched_.size() || sched_[pos_] != current) return false;
    pos_++;
    return true;
  }
  size_t consumed() const { return pos_; }

 private:
  std::span<const uint8_t> sched_;
  size_t pos_ = 0;
};

// The first runnable CPU after `after` in cyclic order.
int next_runnable_after(std::span<const int> runnable, int after);

}  // namespace gf
