// SPDX-License-Identifier: GPL-2.0
//
// Structure-aware mutation for fuzz_gup_interleave (issue 19, item 3): what
// its LLVMFuzzerCustomMutator / LLVMFuzzerCustomCrossOver call.  The bytes are
// decoded (totally, core/scenario/scenario.h) into a Scenario, one mutation of
// fuzz/mutations.def is applied to it (sometimes two or three, stacked), and
// the canonical bytes are written back.  A share of the calls (kByteShare)
// goes to libFuzzer's own byte mutations instead, which keep finding what no
// table lists (dictionary words, compared values).
//
// Pure functions: the same bytes, seed and form give the same result; no
// global state, no clock.  The randomness is gf::Rng seeded from `seed`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/base/rng.h"
#include "core/scenario/scenario.h"

namespace gf::fuzz {

enum class Mutation : uint8_t {
#define GF_MUTATION(id, weight, schedule, text) id,
#include "fuzz/mutations.def"
#undef GF_MUTATION
};
inline constexpr int NR_MUTATIONS = 0
#define GF_MUTATION(id, weight, schedule, text) +1
#include "fuzz/mutations.def"
#undef GF_MUTATION
    ;

struct MutationInfo {
  std::string_view id;
  int weight;     // relative (mutations.def)
  bool schedule;  // a preemption-point edit: the preemptions form only
  std::string_view text;
};
const MutationInfo& info(Mutation m);

// Percent of mutate() calls handed to the byte mutator (when there is one).
inline constexpr unsigned kByteShare = 25;

// libFuzzer's LLVMFuzzerMutate: mutates data[0, size) in place, at most
// max_size bytes; returns the new size.
using ByteMutator = size_t (*)(uint8_t* data, size_t size, size_t max_size);

// One weighted pick among the mutations that apply to `s` in its form (a
// schedule edit needs the preemptions form and two CPUs, cpu_add a free CPU
// slot, ...); growing mutations weigh less on a large scenario.  Every
// scenario has at least one that applies.
Mutation pick_mutation(const Scenario& s, Rng& rng);

// Applies `m` to the canonical scenario `s`, leaving it canonical
// (decode(encode(s), s.form) == s).  Returns false, with `s` unchanged, when
// `m` does not apply or drew no change.
bool apply_mutation(Scenario& s, Mutation m, Rng& rng);

// What one mutate() call did (for tests and measurements).
struct MutateTrace {
  bool bytes = false;    // handed to the byte mutator
  int n = 0;             // structured mutations applied, stacked
  Mutation kinds[3]{};   // in order
};

// LLVMFuzzerCustomMutator: mutates data[0, size) in place; returns the new
// size, at most max_size.  Structured (decode, mutate, encode) unless the
// kByteShare draw, or nothing that changes the scenario fits max_size, sends
// it to `byte_mutate`; without one (null: no libFuzzer) 0 then.
size_t mutate(uint8_t* data, size_t size, size_t max_size, unsigned seed, ScheduleForm form,
              ByteMutator byte_mutate, MutateTrace* trace = nullptr);

// What one cross_over() call took from the second input.
enum class Splice : uint8_t { none, program, schedule, regions };

// LLVMFuzzerCustomCrossOver: the first scenario with one part of the second
// spliced in — a CPU's program (replacing one of the first's, or added as a
// new CPU), the schedule (points, or steps in that form), or the regions —
// into out[0, max_out).  Returns the size, 0 if nothing that changes the
// first scenario fits.
size_t cross_over(const uint8_t* d1, size_t s1, const uint8_t* d2, size_t s2, uint8_t* out, size_t max_out,
                  unsigned seed, ScheduleForm form, Splice* took = nullptr);

}  // namespace gf::fuzz
