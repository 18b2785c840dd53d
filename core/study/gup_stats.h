// SPDX-License-Identifier: GPL-2.0
//
// GupStats: what GUP-fast's PTE recheck did in one execution, for the
// spurious-failure study (core/study/spurious.h, `gupfuzz spurious`).
// GupCounter collects them as the machine's GupObserver (core/mm/hooks.h):
// the machine itself counts nothing and knows nothing of the decoder.
//
// gup_fast_pte_range() (mm/gup.c, 6.12) counts each page it reads an entry
// for, each recheck it reaches holding a reference, and each recheck that
// sends it to the slow path ("pmd/pte changed under us").  A bail is
// *explained* when the PMD moved or the two entries the recheck compared
// differ in more than young/dirty by the oracles' independent decoder
// (core/decoder/semantic.h PteSem::same_but_recency); otherwise it is *spurious*:
// GUP-fast gave up on a page whose mapping had not changed.  The RFC claims
// the norecency recheck has none.
//
// How each page attempt ends (they sum to `attempts`): kept (GUP-fast holds
// it), a bail on the entry read first (protnone, !pte_access_permitted,
// special, pfn range; `read_unmapped` counts first reads that returned a
// non-present entry, e.g. one cleared by an unmap or a contpte unfold), a
// failed try_grab_folio_fast(), a recheck bail, or a bail after the recheck
// passed (gup_fast_folio_allowed, gup_must_unshare, pages[] full).  A bail
// before the recheck is a fallback to the slow path just as a recheck bail is.
//
// Counting only: no scheduling point, no effect on the execution.  Each
// simulated CPU has its own GupStats in the counter, summed in CPU order.
// gup_fast_pmd_leaf()'s exact huge-PMD recheck is not counted here.
#pragma once

#include <array>
#include <cstdint>

#include "core/base/types.h"
#include "core/decoder/semantic.h"
#include "core/exec/run.h"
#include "core/mm/hooks.h"

namespace gf {

// A recheck bail is explained by a real change: the PMD moved, or the entries
// differ beyond young/dirty.
inline bool gup_recheck_explained(Arch arch, bool pmd_moved, pteval_t was, pteval_t now) {
  return pmd_moved || !sem_decode(arch, was).same_but_recency(sem_decode(arch, now));
}

struct GupStats {
  int attempts = 0;       // pages gup_fast_pte_range() read an entry for
  int rechecks = 0;       // rechecks reached (a reference held)
  int recheck_bails = 0;  // rechecks that bailed: "pmd/pte changed under us"
  int pmd_bails = 0;      //   of which the PMD moved
  int spurious = 0;       //   of which nothing but young/dirty differed (PMD unchanged)
  int cont_only = 0;      //   of which (explained) only the contpte bit differed besides young/dirty
  int read_unmapped = 0;  // first reads that returned a non-present entry (none, swap, migration)
  int grabbed = 0;        // attempts whose entry passed the checks and whose folio was grabbed
  int read_ok = 0;        // attempts whose first-read entry passed protnone/access/special/pfn
  int kept = 0;           // attempts that ended with GUP-fast holding the page
  // The first spurious bail: the entries compared and the step of the recheck.
  pteval_t spurious_was = 0, spurious_now = 0;
  uint64_t spurious_step = 0;

  // How the attempts ended (see above); they sum to `attempts`.
  int read_bails() const { return attempts - read_ok; }
  int grab_bails() const { return read_ok - grabbed; }
  int after_bails() const { return grabbed - recheck_bails - kept; }

  // At the recheck: `bailed` as GUP-fast decided, `was` the entry read first,
  // `now` the recheck's read (== was when the PMD moved and it was not reread).
  void recheck(Arch arch, bool bailed, bool pmd_moved, pteval_t was, pteval_t now, uint64_t step) {
    rechecks++;
    if (!bailed) return;
    recheck_bails++;
    if (pmd_moved) pmd_bails++;
    if (gup_recheck_explained(arch, pmd_moved, was, now)) {
      if (!pmd_moved) {
        PteSem a = sem_decode(arch, was), b = sem_decode(arch, now);
        a.cont = b.cont;
        cont_only += a.same_but_recency(b);
      }
      return;
    }
    if (!spurious++) {
      spurious_was = was;
      spurious_now = now;
      spurious_step = step;
    }
  }

  GupStats& operator+=(const GupStats& o) {
    if (!spurious && o.spurious) {
      spurious_was = o.spurious_was;
      spurious_now = o.spurious_now;
      spurious_step = o.spurious_step;
    }
    attempts += o.attempts;
    rechecks += o.rechecks;
    recheck_bails += o.recheck_bails;
    pmd_bails += o.pmd_bails;
    spurious += o.spurious;
    cont_only += o.cont_only;
    read_unmapped += o.read_unmapped;
    grabbed += o.grabbed;
    read_ok += o.read_ok;
    kept += o.kept;
    return *this;
  }
};

// The machine's GupObserver for one execution at a time (clear() between).
class GupCounter final : public GupObserver {
 public:
  void step(int cpu, GupStep what) override {
    GupStats& g = per_cpu_[size_t(cpu)];
    switch (what) {
      case GupStep::attempt: g.attempts++; break;
      case GupStep::read_unmapped: g.read_unmapped++; break;
      case GupStep::read_ok: g.read_ok++; break;
      case GupStep::grabbed: g.grabbed++; break;
      case GupStep::kept: g.kept++; break;
    }
  }
  void recheck(const Machine& m, int cpu, bool bailed, bool pmd_moved, pteval_t was, pteval_t now) override {
    per_cpu_[size_t(cpu)].recheck(m.sc().arch, bailed, pmd_moved, was, now, m.now());
  }
  // Every CPU's counts, summed in CPU order (the first spurious bail is the
  // lowest-numbered CPU's).
  GupStats total() const {
    GupStats t;
    for (const GupStats& g : per_cpu_) t += g;
    return t;
  }
  void clear() { per_cpu_.fill(GupStats{}); }

 private:
  std::array<GupStats, MAX_CPUS> per_cpu_{};
};

// run() counting GUP-fast's page attempts: the result and the counts.
struct CountedRun {
  RunResult r;
  GupStats gup;
};
inline CountedRun run_counted(const Scenario& s, RunOptions o = {}) {
  GupCounter c;
  o.gup_observer = &c;
  CountedRun out;
  out.r = run(s, o);
  out.gup = c.total();
  return out;
}

}  // namespace gf
