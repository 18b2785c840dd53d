// SPDX-License-Identifier: GPL-2.0
//
// Scenario: everything one execution needs, and its two encodings.
//
// Two forms of the schedule:
//  - steps: one CPU number per scheduled step (a shared access), as JSON
//    writes it: the replay truth people read, and what every strategy's run
//    can be recorded as;
//  - preemptions: a few points "at step k, CPU c runs" (Preempt); between
//    points the running CPU goes on while it works, and one that finishes or
//    spins hands over to the next working CPU — the explorer's free choice
//    (core/sched/strategies.h).  A schedule of k points has at most k
//    preemptions, so moving a free into GUP-fast's IRQs-off window is one
//    byte edit, not many coordinated ones.  What the fuzz bytes carry.
// core/exec/schedule_form.h converts either into the other by running the
// scenario (the steps a CPU takes depend on what it reads), exactly: the
// converted scenario makes the same picks and reaches the same verdict.
//
// Bytes (what libFuzzer mutates) — decoding is total: every byte string is a
// scenario, missing bytes read as zero and each value is reduced into range:
//
//   arch  options (bit 0: recheck, bit 1: numa_off, bit 2: pt_reclaim)  nregions-1  { va pages flags }*  ncpus-1  { nops { op args }* }*  tail
//
// tail, in the preemptions form (the default): pairs { gap cpu }: the point
// is `gap` steps after the previous one (the first: at step `gap`), and a
// cpu byte with bit 7 set is a spacer (no switch: longer gaps); in the steps
// form (ScheduleForm::steps, GUPFUZZ_SCHEDULE=steps, the encoding before
// issue 19): one CPU number per step.
//
// encode() writes the canonical bytes of the scenario's form, so
// decode(encode(s), s.form) == s and encode(decode(b)) decodes to decode(b).
// Injected bugs are never in the bytes (they come from GUPFUZZ_BUGS or
// JSON), nor is the note.
//
// JSON (what people write and commit; see corpus/README.md) carries the same
// fields, plus "bugs" and "note"; unknown fields and out-of-range values are
// errors, never silently fixed.  It holds "schedule" (steps) or, for a
// scenario kept in the compact form, "preemptions" — never both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/arch/arches.h"
#include "core/base/ids.h"
#include "core/base/parse_error.h"
#include "core/base/types.h"

namespace gf {

inline constexpr int MAX_REGIONS = 4;
inline constexpr int MAX_OPS_PER_CPU = 8;
inline constexpr int MAX_SCHEDULE = 4096;           // the explorer's step budget (core/exec/explore.h)
inline constexpr int MAX_SCHEDULE_STEPS = 1 << 16;  // a steps-form schedule (JSON, bytes)
inline constexpr int MAX_PREEMPTS = 4096;          // points of the compact schedule
inline constexpr uint32_t MAX_PREEMPT_AT = 1u << 20;  // no run takes more steps (MachineOptions::max_steps)
// MAX_GUP_PAGES, MAX_RANGE_PAGES, the GUP flags and the arguments each
// operation takes (op_uses_va, op_max_nr, op_flag_mask) are ops.def's: core/base/ids.h.

// Region flag bits (bytes and JSON booleans of the same names).
enum RegionFlag : uint8_t {
  RF_ANON = 1 << 0,      // anonymous private mapping (else a shared file mapping)
  RF_WRITE = 1 << 1,     // the vma is writable
  RF_LARGE = 1 << 2,     // 16-page folios (arm64: contpte-mapped)
  RF_OLD = 1 << 3,       // entries start old (young clear)
  RF_DIRTY = 1 << 4,     // entries start dirty (and the folio written)
  RF_WP = 1 << 5,        // entries start write-protected although the vma is writable
  RF_PROTNONE = 1 << 6,  // NUMA-hinting PROT_NONE entries
  RF_ZERO = 1 << 7,      // read-faulted anon: the (special) zero page
};

struct Region {
  uint8_t va = 0;     // first virtual page
  uint8_t pages = 1;  // 1..32
  uint8_t flags = 0;
  bool operator==(const Region&) const = default;
};

struct Op {
  OpKind kind = OpKind::gup_fast;
  uint8_t va = 0;
  uint8_t nr = 1;
  uint8_t flags = 0;
  bool operator==(const Op&) const = default;
};

enum class Recheck : uint8_t {
  norecency = 0,  // the RFC: ptep_get_lockless_norecency() + pte_same_norecency()
  mainline = 1,   // 6.12: ptep_get_lockless() + pte_val(pte) != pte_val(ptep_get(ptep))
};

enum class ScheduleForm : uint8_t {
  steps = 0,        // `schedule`: one CPU per step (JSON's replay truth)
  preemptions = 1,  // `preempts`: the compact form (the fuzz bytes)
};

struct Scenario {
  Arch arch = Arch::x86_64;
  Recheck recheck = Recheck::norecency;
  // CONFIG_NUMA_BALANCING switched off (JSON "numa_balancing": false; bit 1
  // of the options byte): pte_protnone()/pmd_protnone() are
  // include/linux/pgtable.h's 0 for GUP-fast.  Only where the architecture's
  // configuration has it (arch_has_numa_balancing()); decoding clears it elsewhere.
  bool numa_off = false;
  // The PTE-table reclaim merged after 6.12 (JSON "pt_reclaim": true; bit 2
  // of the options byte): v6.14's CONFIG_PT_RECLAIM, under which
  // madvise(MADV_DONTNEED) frees a PTE table its zap leaves empty
  // (mm/pt_reclaim.c, core/mm/memory.h zap_pte_range_reclaim).  Off: 6.12.
  bool pt_reclaim = false;
  std::vector<Region> regions;
  std::vector<std::vector<Op>> cpus;
  ScheduleForm form = ScheduleForm::steps;
  std::vector<uint8_t> schedule;  // steps: each the CPU to step (or the next runnable after it)
  std::vector<Preempt> preempts;  // preemptions: sorted by `at`
  BugSet bugs;
  std::string note;
  bool operator==(const Scenario& o) const {  // the note is commentary, not behaviour
    return arch == o.arch && recheck == o.recheck && numa_off == o.numa_off && pt_reclaim == o.pt_reclaim && regions == o.regions && cpus == o.cpus && form == o.form &&
           schedule == o.schedule && preempts == o.preempts && bugs == o.bugs;
  }
};

// Gives `s` a per-step schedule, dropping any preemption points (what a
// strategy's recorded choices replay as).
inline void set_steps(Scenario& s, std::vector<uint8_t> steps) {
  s.form = ScheduleForm::steps;
  s.preempts.clear();
  s.schedule = std::move(steps);
}

Scenario decode(std::span<const uint8_t> bytes, ScheduleForm form = ScheduleForm::preemptions);
// The same into `out`, reusing its vectors' storage: what the fuzz targets
// call for every input, so decoding allocates nothing once they are warm.
void decode(std::span<const uint8_t> bytes, Scenario& out, ScheduleForm form = ScheduleForm::preemptions);
// The bytes of the scenario's own form (decode with s.form gives s back).
std::vector<uint8_t> encode(const Scenario& s);
// The same into `out` (replacing what it held, reusing its storage).
void encode(const Scenario& s, std::vector<uint8_t>& out);
// GUPFUZZ_SCHEDULE's value: "" or "preemptions" (the default), "steps" (the
// encoding before issue 19, kept to measure against); nullopt if unknown.
std::optional<ScheduleForm> schedule_form_from_name(std::string_view name);

// The libFuzzer dictionary of fuzz_gup_interleave (corpus/fuzz_gup_interleave.dict):
// the operation ids of ops.def, GUP and region flag sets, whole items.
std::string fuzz_dictionary();

// JSON text → scenario; on error returns nullopt and fills `err` with one line.
std::optional<Scenario> scenario_from_json(std::string_view text, ParseError& err);
std::string scenario_to_json(const Scenario& s, int indent = 2);

// Parses "a,b" bug lists (GUPFUZZ_BUGS); nullopt with a message on an unknown name.
std::optional<BugSet> parse_bug_list(std::string_view list, ParseError& err);

}  // namespace gf
