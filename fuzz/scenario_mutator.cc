// SPDX-License-Identifier: GPL-2.0
#include "fuzz/scenario_mutator.h"

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "core/arch/arches.h"

namespace gf::fuzz {

namespace {

constexpr MutationInfo kMutations[NR_MUTATIONS] = {
#define GF_MUTATION(id, weight, schedule, text) {#id, weight, schedule, text},
#include "fuzz/mutations.def"
#undef GF_MUTATION
};

int ncpus(const Scenario& s) { return int(s.cpus.size()); }

int total_ops(const Scenario& s) {
  int n = 0;
  for (const auto& prog : s.cpus) n += int(prog.size());
  return n;
}

// An operation's place: (cpu, index).
struct OpRef {
  int cpu = 0, idx = 0;
};

// A uniformly chosen operation among those `want` accepts (false if none).
template <class Pred>
bool pick_op(const Scenario& s, Rng& rng, Pred want, OpRef& out) {
  int n = 0;
  for (const auto& prog : s.cpus)
    for (const Op& op : prog) n += want(op) ? 1 : 0;
  if (n == 0) return false;
  int k = int(rng.below(n));
  for (int c = 0; c < ncpus(s); c++)
    for (int i = 0; i < int(s.cpus[c].size()); i++)
      if (want(s.cpus[c][i]) && k-- == 0) {
        out = {c, i};
        return true;
      }
  return false;
}

bool any_op(const Scenario& s, bool (*want)(const Op&)) {
  for (const auto& prog : s.cpus)
    for (const Op& op : prog)
      if (want(op)) return true;
  return false;
}

bool takes_va(const Op& op) { return op_uses_va(op.kind); }
bool takes_nr(const Op& op) { return op_max_nr(op.kind) > 1; }
bool takes_flags(const Op& op) { return op_flag_mask(op.kind) != 0; }
bool any(const Op&) { return true; }

uint8_t clamp_va(int v) { return uint8_t(std::clamp(v, 0, NR_VPAGES - 1)); }

// A page near the action: most of the time one of a region's pages (or just
// outside it, where the edge cases are), else next to another operation's va
// (two operations on one page is what races), else anywhere.
uint8_t pick_va(const Scenario& s, Rng& rng) {
  const unsigned r = unsigned(rng.below(100));
  if (r < 65 && !s.regions.empty()) {
    const Region& reg = s.regions[rng.below(s.regions.size())];
    return clamp_va(int(reg.va) + int(rng.below(reg.pages + 4)) - 2);
  }
  if (r < 90) {
    OpRef o;
    if (pick_op(s, rng, takes_va, o)) return clamp_va(int(s.cpus[o.cpu][o.idx].va) + int(rng.below(3)) - 1);
  }
  return uint8_t(rng.below(NR_VPAGES));
}

// Page counts biased small: a short range is as racy and cheaper to run.
uint8_t pick_nr(OpKind k, Rng& rng) {
  const int max = op_max_nr(k);
  if (max <= 1) return 1;
  if (rng.below(100) < 60) return uint8_t(1 + rng.below(std::min(max, 4)));
  return uint8_t(1 + rng.below(max));
}

// A range operation (munmap, wrprotect, mprotect): it can take more pages
// than GUP-fast, so it can cover a whole region.
bool is_range_op(OpKind k) { return op_max_nr(k) > MAX_GUP_PAGES; }

// A range operation over all of `reg` (as far as the operation reaches).
void cover_region(Op& op, const Region& reg) {
  op.va = reg.va;
  op.nr = uint8_t(std::min<int>(reg.pages, op_max_nr(op.kind)));
}

Op random_op(const Scenario& s, Rng& rng) {
  Op op;
  // GUP-fast is the reader under test: a quarter of the new operations.
  op.kind = rng.below(4) == 0 ? OpKind::gup_fast : OpKind(rng.below(NR_OPS));
  if (op_uses_va(op.kind)) op.va = pick_va(s, rng);
  op.nr = pick_nr(op.kind, rng);
  op.flags = uint8_t(rng.next()) & op_flag_mask(op.kind);
  // A range operation often covers a whole region: what frees a page table,
  // or write-protects a whole folio.
  if (is_range_op(op.kind) && !s.regions.empty() && rng.below(2) == 0)
    cover_region(op, s.regions[rng.below(s.regions.size())]);
  return op;
}

// A region that fills one page table (32 pages from a table boundary): what
// THP collapse and split work on and what munmap frees a table of.
void whole_table(Region& r) {
  r.va = uint8_t(r.va / PTRS_PER_PTE * PTRS_PER_PTE);
  r.pages = PTRS_PER_PTE;
}

// The CPUs a scheduling point may name, other than `not_cpu` when there is another.
uint8_t other_cpu(const Scenario& s, int not_cpu, Rng& rng) {
  const int n = ncpus(s);
  if (n < 2 || not_cpu < 0 || not_cpu >= n) return uint8_t(rng.below(n));
  return uint8_t((not_cpu + 1 + int(rng.below(n - 1))) % n);
}

uint32_t clamp_at(int64_t at) { return uint32_t(std::clamp<int64_t>(at, 0, MAX_PREEMPT_AT - 1)); }

// The step range uniform draws come from: up to twice the last point, plus 256.
uint32_t at_range(const Scenario& s) {
  return s.preempts.empty() ? 256 : clamp_at(2 * int64_t(s.preempts.back().at) + 256);
}

// Inserts a point in step order; false if a point already sits at that step
// (two points at one step: the first decides) or the list is full.
bool insert_point(std::vector<Preempt>& pts, Preempt p) {
  if (pts.size() >= size_t(MAX_PREEMPTS)) return false;
  auto it = std::lower_bound(pts.begin(), pts.end(), p.at, [](const Preempt& a, uint32_t at) { return a.at < at; });
  if (it != pts.end() && it->at == p.at) return false;
  pts.insert(it, p);
  return true;
}

// A signed distance of lo..hi steps.
int64_t delta(Rng& rng, int lo, int hi) {
  const int64_t d = lo + int64_t(rng.below(hi - lo + 1));
  return rng.below(2) ? d : -d;
}

// Draws for a free step: a seed converted from the steps form can have a
// point at nearly every step.
constexpr int kTries = 8;

bool move_point(Scenario& s, Rng& rng, bool large) {
  if (s.preempts.empty()) return false;
  for (int tries = 0; tries < kTries; tries++) {
    const size_t i = rng.below(s.preempts.size());
    Preempt p = s.preempts[i];
    if (!large) p.at = clamp_at(int64_t(p.at) + delta(rng, 1, 8));
    else if (rng.below(4)) p.at = clamp_at(int64_t(p.at) + delta(rng, 9, 256));
    else p.at = uint32_t(rng.below(at_range(s)));
    std::vector<Preempt> pts = s.preempts;
    pts.erase(pts.begin() + i);
    if (insert_point(pts, p)) {
      s.preempts = std::move(pts);
      return true;
    }
  }
  return false;
}

bool add_point_near(Scenario& s, Rng& rng) {
  for (int tries = 0; tries < kTries; tries++) {
    if (s.preempts.empty())
      return insert_point(s.preempts, {uint32_t(rng.below(at_range(s))), uint8_t(rng.below(ncpus(s)))});
    const Preempt& base = s.preempts[rng.below(s.preempts.size())];
    const int64_t d = rng.below(2) ? delta(rng, 1, 4) : delta(rng, 1, 32);
    // Mostly a switch away from the CPU the base point ran: with the base, a
    // preemption window (CPU a, then b for a few steps, then a again).
    const uint8_t cpu = rng.below(10) < 7 ? other_cpu(s, base.cpu, rng) : uint8_t(rng.below(ncpus(s)));
    if (insert_point(s.preempts, {clamp_at(int64_t(base.at) + d), cpu})) return true;
  }
  return false;
}

// Points i.. later or earlier by d steps: what editing one gap byte does, so
// everything after a point keeps its distance to it.  Earlier stops at the
// point before i.
bool shift_points(Scenario& s, Rng& rng) {
  const size_t i = rng.below(s.preempts.size());
  int64_t d = delta(rng, 1, 16);
  const int64_t floor = i == 0 ? 0 : int64_t(s.preempts[i - 1].at) + 1;
  d = std::max(d, floor - int64_t(s.preempts[i].at));
  if (d == 0) return false;
  for (size_t k = i; k < s.preempts.size(); k++) s.preempts[k].at = uint32_t(int64_t(s.preempts[k].at) + d);
  while (!s.preempts.empty() && s.preempts.back().at >= MAX_PREEMPT_AT) s.preempts.pop_back();
  return true;
}

bool add_point_uniform(Scenario& s, Rng& rng) {
  for (int tries = 0; tries < kTries; tries++)
    if (insert_point(s.preempts, {uint32_t(rng.below(at_range(s))), uint8_t(rng.below(ncpus(s)))})) return true;
  return false;
}

// CPU k's points renamed by `map` (-1: dropped); the same for a steps schedule.
template <class Map>
void rename_cpus(Scenario& s, Map map) {
  std::vector<Preempt> pts;
  for (Preempt p : s.preempts) {
    const int c = map(p.cpu);
    if (c >= 0) pts.push_back({p.at, uint8_t(c)});
  }
  s.preempts = std::move(pts);
  std::vector<uint8_t> steps;
  for (uint8_t c : s.schedule) {
    const int m = map(c);
    if (m >= 0) steps.push_back(uint8_t(m));
  }
  s.schedule = std::move(steps);
}

Region random_region(const Scenario& s, Rng& rng) {
  Region r;
  if (!s.regions.empty() && rng.below(2)) {
    const Region& next_to = s.regions[rng.below(s.regions.size())];
    r.va = uint8_t((next_to.va + next_to.pages) % NR_VPAGES);
  } else {
    r.va = uint8_t(rng.below(NR_VPAGES));
  }
  r.pages = uint8_t(rng.below(100) < 60 ? 1 + rng.below(8) : 1 + rng.below(32));
  r.flags = rng.below(100) < 60 ? uint8_t(RF_ANON | RF_WRITE) : uint8_t(rng.next());
  if (rng.below(100) < 20) whole_table(r);
  return r;
}

// Scratch storage of one thread's mutator: every use assigns or rewrites it
// whole (nothing carries from one call to the next but capacity), so a warm
// mutator allocates nothing — under AddressSanitizer each allocation records
// its stack, which cost more than the mutation itself.
struct Scratch {
  Scenario in, other, cand, edit;
  std::vector<uint8_t> bytes;
};
Scratch& scratch() {
  static thread_local Scratch s;
  return s;
}

// The canonical scenario of what a mutation left: the codec reduces every
// value into range (a large region's alignment, CPU numbers, ...).
void canonicalize(Scenario& s) {
  const BugSet bugs = s.bugs;
  std::string note = std::move(s.note);
  std::vector<uint8_t>& b = scratch().bytes;
  encode(s, b);
  decode(b, s, s.form);
  s.bugs = bugs;
  s.note = std::move(note);
}

// Percent of a mutation's weight on this scenario: growing a large one costs
// executions per second, so it happens less.
int size_bias(Mutation m, const Scenario& s) {
  const int ops = total_ops(s), pts = int(s.preempts.size());
  switch (m) {
    case Mutation::op_insert: return ops < 4 ? 100 : ops < 8 ? 50 : ops < 16 ? 25 : 10;
    case Mutation::cpu_add: return ops >= 8 ? 20 : ncpus(s) <= 2 ? 100 : 40;
    case Mutation::region_add: return s.regions.size() < 2 ? 100 : 40;
    case Mutation::preempt_add_near:
    case Mutation::preempt_add_uniform: return pts < 8 ? 100 : pts < 32 ? 50 : 20;
    default: return 100;
  }
}

// Whether `m` can change `s` at all.
bool applies(Mutation m, const Scenario& s) {
  const bool points = s.form == ScheduleForm::preemptions;
  const int n = ncpus(s);
  switch (m) {
    case Mutation::preempt_add_near:
    case Mutation::preempt_add_uniform: return points && n >= 2 && s.preempts.size() < size_t(MAX_PREEMPTS);
    case Mutation::preempt_drop:
    case Mutation::preempt_move_small:
    case Mutation::preempt_move_large:
    case Mutation::preempt_shift:
    case Mutation::preempt_clear: return points && !s.preempts.empty();
    case Mutation::preempt_cpu: return points && n >= 2 && !s.preempts.empty();
    case Mutation::op_va: return any_op(s, takes_va);
    case Mutation::op_nr: return any_op(s, takes_nr);
    case Mutation::op_flag: return any_op(s, takes_flags);
    case Mutation::op_insert:
      return std::any_of(s.cpus.begin(), s.cpus.end(), [](const auto& p) { return p.size() < size_t(MAX_OPS_PER_CPU); });
    case Mutation::op_delete:
    case Mutation::op_replace:
    case Mutation::op_move: return total_ops(s) > 0;
    case Mutation::cpu_swap:
    case Mutation::cpu_drop: return n >= 2;
    case Mutation::cpu_add: return n < MAX_CPUS;
    case Mutation::region_va:
    case Mutation::region_pages:
    case Mutation::region_flag: return !s.regions.empty();
    case Mutation::region_add: return s.regions.size() < size_t(MAX_REGIONS);
    case Mutation::region_drop: return s.regions.size() >= 2;
    case Mutation::arch: return NR_MACHINE_ARCHES >= 2;
    case Mutation::recheck: return true;
  }
  return false;
}

// The edit itself, on `s` (not yet canonical); false if it cannot be made.
bool edit(Scenario& s, Mutation m, Rng& rng) {
  const int n = ncpus(s);
  switch (m) {
    case Mutation::preempt_add_near: return add_point_near(s, rng);
    case Mutation::preempt_add_uniform: return add_point_uniform(s, rng);
    case Mutation::preempt_drop: s.preempts.erase(s.preempts.begin() + rng.below(s.preempts.size())); return true;
    case Mutation::preempt_move_small: return move_point(s, rng, false);
    case Mutation::preempt_move_large: return move_point(s, rng, true);
    case Mutation::preempt_shift: return shift_points(s, rng);
    case Mutation::preempt_cpu: {
      Preempt& p = s.preempts[rng.below(s.preempts.size())];
      p.cpu = other_cpu(s, p.cpu, rng);
      return true;
    }
    case Mutation::preempt_clear: s.preempts.clear(); return true;

    case Mutation::op_va: {
      OpRef o;
      if (!pick_op(s, rng, takes_va, o)) return false;
      Op& op = s.cpus[o.cpu][o.idx];
      op.va = rng.below(2) ? clamp_va(int(op.va) + int(delta(rng, 1, 3))) : pick_va(s, rng);
      return true;
    }
    case Mutation::op_nr: {
      OpRef o;
      if (!pick_op(s, rng, takes_nr, o)) return false;
      Op& op = s.cpus[o.cpu][o.idx];
      op.nr = rng.below(2) ? uint8_t(std::clamp(int(op.nr) + int(delta(rng, 1, 2)), 1, op_max_nr(op.kind)))
                           : pick_nr(op.kind, rng);
      return true;
    }
    case Mutation::op_flag: {
      OpRef o;
      if (!pick_op(s, rng, takes_flags, o)) return false;
      Op& op = s.cpus[o.cpu][o.idx];
      const uint8_t mask = op_flag_mask(op.kind);
      uint8_t bits[8];
      int nb = 0;
      for (int b = 0; b < 8; b++)
        if (mask & (1u << b)) bits[nb++] = uint8_t(1u << b);
      op.flags ^= bits[rng.below(nb)];
      return true;
    }

    case Mutation::op_insert: {
      std::vector<int> room;
      for (int c = 0; c < n; c++)
        if (s.cpus[c].size() < size_t(MAX_OPS_PER_CPU)) room.push_back(c);
      if (room.empty()) return false;
      auto& prog = s.cpus[room[rng.below(room.size())]];
      const size_t at = rng.below(prog.size() + 1);
      Op op = random_op(s, rng);
      // A third of the time, after an operation, on its memory: a race is
      // often a sequence of changes to one table (collapse then munmap, fork
      // then write) against a reader on another CPU.
      if (at > 0 && op_uses_va(op.kind) && op_uses_va(prog[at - 1].kind) && rng.below(3) == 0) {
        const Op& before = prog[at - 1];
        op.va = before.va;
        if (op_max_nr(op.kind) > 1) op.nr = uint8_t(std::clamp<int>(before.nr, 1, op_max_nr(op.kind)));
        if (is_range_op(op.kind))  // the whole region `before` is in
          for (const Region& reg : s.regions)
            if (before.va >= reg.va && before.va < reg.va + reg.pages) cover_region(op, reg);
      }
      prog.insert(prog.begin() + at, op);
      return true;
    }
    case Mutation::op_delete: {
      OpRef o;
      if (!pick_op(s, rng, any, o)) return false;
      s.cpus[o.cpu].erase(s.cpus[o.cpu].begin() + o.idx);
      return true;
    }
    case Mutation::op_replace: {
      OpRef o;
      if (!pick_op(s, rng, any, o)) return false;
      Op& op = s.cpus[o.cpu][o.idx];
      const Op old = op;
      op = random_op(s, rng);
      if (op_uses_va(old.kind) && op_uses_va(op.kind) && rng.below(2)) op.va = old.va;
      return true;
    }
    case Mutation::op_move: {
      OpRef o;
      if (!pick_op(s, rng, any, o)) return false;
      const Op op = s.cpus[o.cpu][o.idx];
      int to = o.cpu;
      if (n >= 2 && (s.cpus[o.cpu].size() < 2 || rng.below(2))) {
        to = other_cpu(s, o.cpu, rng);
        if (s.cpus[to].size() >= size_t(MAX_OPS_PER_CPU)) return false;
      }
      s.cpus[o.cpu].erase(s.cpus[o.cpu].begin() + o.idx);
      auto& prog = s.cpus[to];
      prog.insert(prog.begin() + rng.below(prog.size() + 1), op);
      return true;
    }
    case Mutation::cpu_swap: {
      const int a = int(rng.below(n));
      const int b = other_cpu(s, a, rng);
      std::swap(s.cpus[a], s.cpus[b]);
      rename_cpus(s, [a, b](int c) { return c == a ? b : c == b ? a : c; });
      return true;
    }
    case Mutation::cpu_add: {
      std::vector<Op> prog;
      const int k = 1 + int(rng.below(2));
      for (int i = 0; i < k; i++) prog.push_back(random_op(s, rng));
      s.cpus.push_back(std::move(prog));
      if (s.form == ScheduleForm::preemptions && rng.below(2)) {
        // Without a point the new CPU runs when the others are done or spin.
        const uint32_t at = s.preempts.empty() ? uint32_t(rng.below(at_range(s)))
                                               : clamp_at(int64_t(s.preempts[rng.below(s.preempts.size())].at) +
                                                          delta(rng, 1, 16));
        insert_point(s.preempts, {at, uint8_t(n)});
      }
      return true;
    }
    case Mutation::cpu_drop: {
      const int k = int(rng.below(n));
      s.cpus.erase(s.cpus.begin() + k);
      rename_cpus(s, [k](int c) { return c == k ? -1 : c > k ? c - 1 : c; });
      return true;
    }

    case Mutation::region_va: {
      Region& r = s.regions[rng.below(s.regions.size())];
      const int step = (r.flags & RF_LARGE) ? CONT_PTES : 1;
      r.va = rng.below(2) ? uint8_t(std::clamp(int(r.va) + step * int(delta(rng, 1, 4)), 0, NR_VPAGES - 1))
                          : uint8_t(rng.below(NR_VPAGES));
      return true;
    }
    case Mutation::region_pages: {
      Region& r = s.regions[rng.below(s.regions.size())];
      if (r.flags & RF_LARGE) r.pages = r.pages == CONT_PTES ? 2 * CONT_PTES : CONT_PTES;
      else if (rng.below(100) < 15) whole_table(r);
      else if (rng.below(2)) r.pages = uint8_t(std::clamp(int(r.pages) + int(delta(rng, 1, 2)), 1, 32));
      else r.pages = uint8_t(1 + rng.below(32));
      return true;
    }
    case Mutation::region_flag: s.regions[rng.below(s.regions.size())].flags ^= uint8_t(1u << rng.below(8)); return true;
    case Mutation::region_add: s.regions.push_back(random_region(s, rng)); return true;
    case Mutation::region_drop: s.regions.erase(s.regions.begin() + rng.below(s.regions.size())); return true;

    case Mutation::arch: {
      const int now = machine_index(s.arch);
      s.arch = kMachineArches[(now + 1 + int(rng.below(NR_MACHINE_ARCHES - 1))) % NR_MACHINE_ARCHES];
      return true;
    }
    case Mutation::recheck:
      s.recheck = s.recheck == Recheck::norecency ? Recheck::mainline : Recheck::norecency;
      return true;
  }
  return false;
}

// Makes the encoding fit max_size by dropping trailing schedule (points or
// steps), then trailing operations of the longest programs.  False if even
// that does not fit.  Leaves the encoding in scratch().bytes.
bool shrink_to_fit(Scenario& s, size_t max_size) {
  std::vector<uint8_t>& b = scratch().bytes;
  encode(s, b);
  while (b.size() > max_size && (!s.preempts.empty() || !s.schedule.empty())) {
    if (!s.preempts.empty()) {
      s.preempts.pop_back();
    } else {
      s.schedule.resize(s.schedule.size() - std::min(s.schedule.size(), b.size() - max_size));
    }
    encode(s, b);
  }
  while (b.size() > max_size && total_ops(s) > 0) {
    auto longest = std::max_element(s.cpus.begin(), s.cpus.end(), [](const auto& x, const auto& y) { return x.size() < y.size(); });
    longest->pop_back();
    encode(s, b);
  }
  return b.size() <= max_size;
}

Rng rng_of(unsigned seed, uint64_t salt) { return Rng{(uint64_t(seed) << 8) ^ salt}; }

}  // namespace

const MutationInfo& info(Mutation m) { return kMutations[size_t(m)]; }

Mutation pick_mutation(const Scenario& s, Rng& rng) {
  int w[NR_MUTATIONS];
  int total = 0;
  for (int k = 0; k < NR_MUTATIONS; k++) {
    const Mutation m = Mutation(k);
    w[k] = applies(m, s) ? kMutations[k].weight * size_bias(m, s) : 0;
    total += w[k];
  }
  // recheck always applies: total > 0.
  int r = int(rng.below(total));
  for (int k = 0; k < NR_MUTATIONS; k++) {
    if (r < w[k]) return Mutation(k);
    r -= w[k];
  }
  return Mutation::recheck;
}

bool apply_mutation(Scenario& s, Mutation m, Rng& rng) {
  if (!applies(m, s)) return false;
  Scenario& t = scratch().edit;
  t = s;
  if (!edit(t, m, rng)) return false;
  canonicalize(t);
  if (t == s) return false;
  std::swap(s, t);
  return true;
}

size_t mutate(uint8_t* data, size_t size, size_t max_size, unsigned seed, ScheduleForm form, ByteMutator byte_mutate,
              MutateTrace* trace) {
  MutateTrace local;
  MutateTrace& tr = trace ? *trace : local;
  tr = {};
  Rng rng = rng_of(seed, 0x6d757461746531ull);
  auto bytes = [&]() -> size_t {
    if (!byte_mutate) return 0;
    tr.bytes = true;
    return byte_mutate(data, size, max_size);
  };
  if (byte_mutate && rng.below(100) < kByteShare) return bytes();
  Scenario& s = scratch().in;
  decode({data, size}, s, form);
  const unsigned r = unsigned(rng.below(100));
  const int stack = r < 75 ? 1 : r < 92 ? 2 : 3;
  for (int attempt = 0; attempt < 4; attempt++) {
    Scenario& t = scratch().cand;
    t = s;
    MutateTrace cur;
    for (int k = 0; k < stack; k++) {
      for (int tries = 0; tries < 3; tries++) {
        const Mutation m = pick_mutation(t, rng);
        if (apply_mutation(t, m, rng)) {
          cur.kinds[cur.n++] = m;
          break;
        }
      }
    }
    if (cur.n == 0 || t == s) continue;
    if (!shrink_to_fit(t, max_size) || t == s) continue;
    const std::vector<uint8_t>& out = scratch().bytes;  // shrink_to_fit's encoding of t
    std::memcpy(data, out.data(), out.size());
    tr = cur;
    return out.size();
  }
  return bytes();
}

size_t cross_over(const uint8_t* d1, size_t s1, const uint8_t* d2, size_t s2, uint8_t* out, size_t max_out,
                  unsigned seed, ScheduleForm form, Splice* took) {
  if (took) *took = Splice::none;
  Rng rng = rng_of(seed, 0x63726f73736f7672ull);
  Scenario& a = scratch().in;
  Scenario& b = scratch().other;
  decode({d1, s1}, a, form);
  decode({d2, s2}, b, form);
  for (int attempt = 0; attempt < 4; attempt++) {
    Scenario& t = scratch().cand;
    t = a;
    const unsigned r = unsigned(rng.below(100));
    Splice what;
    if (r < 60) {
      what = Splice::program;
      // One of the second's CPUs, a non-empty one if there is.
      std::vector<int> from;
      for (int c = 0; c < ncpus(b); c++)
        if (!b.cpus[c].empty()) from.push_back(c);
      const auto& prog = b.cpus[from.empty() ? rng.below(ncpus(b)) : from[rng.below(from.size())]];
      if (ncpus(t) < MAX_CPUS && rng.below(2)) t.cpus.push_back(prog);
      else t.cpus[rng.below(ncpus(t))] = prog;
    } else if (r < 85) {
      what = Splice::schedule;
      t.preempts = b.preempts;
      t.schedule = b.schedule;
    } else {
      what = Splice::regions;
      t.regions = b.regions;
    }
    canonicalize(t);
    if (t == a || !shrink_to_fit(t, max_out) || t == a) continue;
    const std::vector<uint8_t>& bytes = scratch().bytes;  // shrink_to_fit's encoding of t
    std::memcpy(out, bytes.data(), bytes.size());
    if (took) *took = what;
    return bytes.size();
  }
  return 0;
}

}  // namespace gf::fuzz
