// SPDX-License-Identifier: GPL-2.0
#include "core/sched/strategies.h"

#include <algorithm>


namespace gf {

void SpinWatch::observed(int cpu, const Access& a) {
  if (cpu < 0 || cpu >= MAX_CPUS) return;
  if (a.before != a.after) {  // something changed: every waiter may get through now
    n_.fill(0);
    spinning_.fill(false);
    return;
  }
  // Spinning stays the verdict until a change: nothing to look at.
  if (spinning_[cpu]) return;
  const size_t n0 = n_[cpu];
  if (n0 == MAX_SEEN) return;  // keep the verdict we have
  Sig* seen = seen_[cpu];
  uint64_t* dig = digest_[cpu];
  seen[n0] = Sig{a.addr, a.file, a.line, a.kind, a.ok, a.before};
  uint64_t h = reinterpret_cast<uintptr_t>(a.addr) * 0x9E3779B97F4A7C15ull;
  h ^= (reinterpret_cast<uintptr_t>(a.file) + a.line) * 0xC2B2AE3D27D4EB4Full;
  h ^= (a.before + (uint64_t(a.kind) << 1 | uint64_t(a.ok))) * 0x165667B19E3779F9ull;
  dig[n0] = h;
  const size_t n = n0 + 1;
  n_[cpu] = uint16_t(n);
  uint16_t& head = head_[cpu][(h ^ h >> 32) % kSlots];
  // The same lap twice in a row: the last p accesses equal the p before them,
  // for p = n0 - j where access j had the same digest; shortest lap first.
  size_t from = n0;
  for (size_t j = head; j < from; from = j, j = prev_[cpu][j]) {
    const size_t p = n0 - j;
    if (2 * p > n) break;
    if (dig[j] != h) continue;
    if (std::equal(dig + n - p, dig + n, dig + n - 2 * p) && std::equal(seen + n - p, seen + n, seen + n - 2 * p)) {
      spinning_[cpu] = true;
      break;
    }
  }
  prev_[cpu][n0] = head;
  head = uint16_t(n0);
}

int PreemptStrategy::next_cpu(std::span<const int> runnable, int current) {
  int want = -1;
  while (next_ < pts_.size() && pts_[next_].at <= step_) {  // several at one step: the last
    if (pts_[next_].at == step_) want = pts_[next_].cpu;
    next_++;
  }
  step_++;
  if (want < 0) return free_choice(runnable, current, spin_).pick;
  for (int c : runnable)
    if (c == want) return c;
  return next_runnable_after(runnable, want);
}

int RandomStrategy::next_cpu(std::span<const int> runnable, int) {
  return runnable[rng_.below(runnable.size())];
}

PctStrategy::PctStrategy(uint64_t seed, int depth, uint64_t k_estimate) : depth_(std::max(depth, 1)) {
  Rng rng{seed};
  // Distinct initial priorities depth..depth+MAX_CPUS-1 in random order (Fisher-Yates).
  std::array<int64_t, MAX_CPUS> p{};
  for (int c = 0; c < MAX_CPUS; c++) p[c] = depth_ + c;
  for (int c = MAX_CPUS - 1; c > 0; c--) std::swap(p[c], p[rng.below(uint64_t(c) + 1)]);
  prio_ = p;
  lowest_ = depth_;
  // d-1 distinct change points among the first k steps.
  const uint64_t k = std::max<uint64_t>(k_estimate, 1);
  while (change_.size() < uint64_t(depth_ - 1) && change_.size() < k) {
    const uint64_t at = rng.below(k);
    if (std::find(change_.begin(), change_.end(), at) == change_.end()) change_.push_back(at);
  }
  std::sort(change_.begin(), change_.end());
}

void PctStrategy::lower(int cpu) { prio_[cpu] = --lowest_; }

int PctStrategy::next_cpu(std::span<const int> runnable, int) {
  auto best = [&] {
    int b = runnable[0];
    for (int c : runnable)
      if (prio_[c] > prio_[b]) b = c;
    return b;
  };
  int c = best();
  if (next_change_ < change_.size() && step_ == change_[next_change_]) {
    next_change_++;
    lower(c);
    c = best();
  }
  step_++;
  return c;
}

void PctStrategy::observed(int cpu, const Access& a) {
  spin_.observed(cpu, a);
  if (spin_.spinning(cpu)) lower(cpu);
}


FreeChoice free_choice(std::span<const int> runnable, int current, const SpinWatch& spin) {
  uint8_t run_mask = 0, work_mask = 0;
  for (int c : runnable) {
    run_mask |= uint8_t(1u << c);
    if (!spin.spinning(c)) work_mask |= uint8_t(1u << c);
  }
  const bool cur_works = current >= 0 && (work_mask >> current & 1);
  int pick;
  if (cur_works) {
    pick = current;
  } else if (work_mask) {
    pick = -1;
    for (int k = 1; k <= MAX_CPUS && pick < 0; k++) {
      const int c = ((current < 0 ? -1 : current) + k + MAX_CPUS) % MAX_CPUS;
      if (work_mask >> c & 1) pick = c;
    }
  } else {
    pick = (current >= 0 && (run_mask >> current & 1)) ? current : next_runnable_after(runnable, current);
  }
  const uint8_t costly = uint8_t((cur_works ? run_mask : uint8_t(run_mask & ~work_mask)) & ~(1u << pick));
  return {pick, run_mask, costly};
}

}  // namespace gf
