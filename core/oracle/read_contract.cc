// SPDX-License-Identifier: GPL-2.0
//
// What a page-table getter may return, judged from the value history of the
// entries it read (PteTable::hist), never through the getter:
//
//  lockless_read — ptep_get_lockless() and ptep_get_lockless_norecency()
//   (include/linux/pgtable.h; arm64 contpte_ptep_get_lockless()):
//   a. apart from young/dirty, the result is a value the entry held at one
//      moment of the read;
//   b. each young/dirty bit of the result was held during the read by an
//      entry of its block (the entry alone, or for a contpte result the 16)
//      whose value then agreed with the result — same protection, the
//      page frame the block implies (contpte_ptep_get_lockless() restarts
//      rather than gather from an entry being unfolded or remapped);
//   c. (ptep_get_lockless only: the norecency read may be stale) a bit some
//      entry of the block held throughout the read is in the result;
//   on i386 PAE (two halves read apart) a lockless result whose low half
//   maps no page is not judged (GUP-fast bails on it), and ptep_get()'s two
//   loads may each see another moment: its halves are judged apart.
//  accessor_view — ptep_get() (contpte_ptep_get()), ptep_get_and_clear()
//   (contpte_try_unfold() gathers first) and ptep_test_and_clear_young()
//   (contpte_ptep_test_and_clear_young() clears the block): a. and c. as
//   above, b. without the agreement (the locked getters gather whatever the
//   block holds); test_and_clear_young answers young iff the block was, and
//   leaves every entry of the block old unless another CPU made it young again.
//
// "Throughout" means: in the value at the start and in every value another
// CPU stored since (the getter's own stores, as a clear, do not count); a
// window that fell out of the history ring is not judged.  Real threads are
// not judged (their clock does not order a load against a store).
#include <array>
#include <cstdio>
#include <string>
#include <string_view>

#include "core/base/text.h"
#include "core/decoder/semantic.h"
#include "core/mm/machine.h"
#include "core/oracle/contracts.h"

namespace gf {
namespace {

// The values entry h held from step t0 on: the one it had at t0, then every
// later store (a view into the ring, later(0 .. n-1)).
struct Window {
  const EntryHistory* h = nullptr;
  bool known = false;
  pteval_t first = 0;
  uint32_t from = 0;  // the first store after t0
  int n = 0;
  const EntryHistory::Rec& later(int j) const { return h->rec[(from + uint32_t(j)) % HIST]; }
  pteval_t value(int j) const { return j < 0 ? first : later(j).v; }  // j = -1: the value at t0
};

Window window(Arch arch, const EntryHistory& h, uint64_t t0) {
  Window w;
  w.h = &h;
  const uint32_t n = h.n, oldest = n > HIST ? n - HIST : 0;
  uint32_t k = n;
  while (k > oldest && h.rec[(k - 1) % HIST].at() > t0) k--;
  if (k > oldest)
    w.first = h.rec[(k - 1) % HIST].v;
  else if (oldest > 0)
    return w;  // the value at t0 fell out of the ring
  else
    w.first = sem_empty_pte(arch);  // nothing stored up to t0: a new table's entry is none
  w.known = true;
  w.from = k;
  w.n = int(n - k);
  return w;
}

const char* getter_name(PteGetter g) {
  switch (g) {
    case PteGetter::ptep_get: return "ptep_get()";
    case PteGetter::ptep_get_lockless: return "ptep_get_lockless()";
    case PteGetter::ptep_get_lockless_norecency: return "ptep_get_lockless_norecency()";
    case PteGetter::ptep_get_and_clear: return "ptep_get_and_clear()";
  }
  return "?";
}

// v, the value of entry k, agrees with the result r read at entry i: a
// contpte entry of the same block mapping (same protection, page frame
// offset by k - i), or r itself apart from young/dirty.
bool agrees(const PteSem& v, const PteSem& r, int k, int i) {
  if (!r.cont) return v.same_but_recency(r);
  PteSem w = v;
  if (w.pfn + uint64_t(i) != r.pfn + uint64_t(k)) return false;
  w.pfn = r.pfn;
  return w.same_but_recency(r);
}

struct Block {
  int base = 0, n = 1;
};
Block block_of(bool cont, int i) { return cont ? Block{i & ~(CONT_PTES - 1), CONT_PTES} : Block{i, 1}; }

enum Bit { kYoung, kDirty };
bool has(const PteSem& s, Bit b) { return b == kYoung ? s.young : s.dirty; }
bool has(const SemRecency& s, Bit b) { return b == kYoung ? s.young : s.dirty; }
const char* bit_name(Bit b) { return b == kYoung ? "young" : "dirty"; }

// c.: the bits an entry held throughout the window (in its value at the
// start and in every value another CPU stored since).
SemRecency held_throughout(Arch arch, const Window& w, int me) {
  SemRecency all = sem_recency(arch, w.first);
  for (int j = 0; j < w.n && (all.young || all.dirty); j++) {
    if (w.later(j).cpu() == me) continue;
    const SemRecency s = sem_recency(arch, w.later(j).v);
    all.young &= s.young;
    all.dirty &= s.dirty;
  }
  return all;
}

// b.: some entry of the block held bit b during the window (agreeing with r
// when `agree`).  Entry i first: where the bit usually comes from.
bool held_sometime(Arch arch, const PteTable* t, Block blk, uint64_t t0, const PteSem& r, int i, Bit b, bool agree) {
  for (int q = -1; q < blk.n; q++) {
    const int k = q < 0 ? i : blk.base + q;
    if (q >= 0 && k == i) continue;
    const Window w = window(arch, t->hist[k], t0);
    if (!w.known) return true;  // cannot judge
    for (int j = -1; j < w.n; j++)
      if (has(sem_recency(arch, w.value(j)), b) && (!agree || agrees(sem_decode(arch, w.value(j)), r, k, i))) return true;
  }
  return false;
}

// The message: what went wrong, then the values entry i (and entry k, the
// one the verdict is about, if another) held since t0, with their writers.
void report(Machine& m, Oracle o, const std::string& what, const PteTable* t, int i, uint64_t t0, int k = -1) {
  auto values = [&](int e) {
    const Window w = window(m.sc().arch, t->hist[e], t0);
    std::string vals = "page " + std::to_string(t->pmd_index * PTRS_PER_PTE + e) + " held " + hex(w.first);
    for (int j = 0; j < w.n; j++) vals += ", " + hex(w.later(j).v) + "@cpu" + std::to_string(w.later(j).cpu());
    return vals;
  };
  std::string held = values(i);
  if (k >= 0 && k != i) held += "; " + values(k);
  m.violate(o, "cpu" + std::to_string(m.cur_cpu()) + "'s " + what + " (PTE table #" + std::to_string(t->serial) +
                   ", from step " + std::to_string(t0) + ": " + held + ")");
}

}  // namespace

GF_NO_COVERAGE void judge_pte_read(Machine& m, PteGetter g, const PteTable* t, uint32_t serial, int i, uint64_t t0,
                                   pteval_t got) {
  if (m.opt.threaded || m.exec.verdict.violated || !m.table_live[serial]) return;
  const Arch arch = m.sc().arch;
  const int me = m.cur_cpu();
  const Window wi = window(arch, t->hist[i], t0);
  if (!wi.known) return;
  const bool lockless = g == PteGetter::ptep_get_lockless || g == PteGetter::ptep_get_lockless_norecency;
  const Oracle o = lockless ? Oracle::lockless_read : Oracle::accessor_view;
  // The block is the result's (a getter gathers iff the entry it read is a
  // contpte one); ptep_get_and_clear() returns an unfolded entry, so its
  // block is the entry's at the start.
  const bool cont = g == PteGetter::ptep_get_and_clear ? sem_is_cont(arch, wi.first) : sem_is_cont(arch, got);
  // The common case, decided without decoding: one entry, read as it was at
  // the start or as another CPU stored it during the read.  a. and b. hold
  // by that value itself, and c. owes only bits every such value has.  (A
  // value the getter stored itself proves nothing: c. does not count it.)
  if (!cont) {
    bool seen = got == wi.first;
    for (int j = 0; j < wi.n && !seen; j++) seen = wi.later(j).v == got && wi.later(j).cpu() != me;
    if (seen) return;
  }
  // i386 PAE reads the halves apart (pte_low, pte_high, pte_low again), so
  // ptep_get_lockless() may return a mix of two values; the kernel's
  // argument is that a low half mapping a page is the low of the value
  // whose high was read, and that GUP-fast bails on anything else.  So a
  // mix whose low half maps nothing is what the read may return; one whose
  // low half maps a page is judged as any result.
  if (lockless && sem_two_halves(arch) && !sem_decode(arch, sem_low_half(got)).maps()) return;
  // ptep_get() there is READ_ONCE() of a 64-bit entry: two 32-bit loads with
  // nothing tying them together (GUP-fast's recheck calls it without the
  // PTL, and a torn value only sends it to the slow path).  Each half is
  // judged as the entry held it at some moment of the read.
  if (g == PteGetter::ptep_get && sem_two_halves(arch)) {
    bool low = false, high = false;
    for (int j = -1; j < wi.n; j++) {
      low |= sem_low_half(wi.value(j)) == sem_low_half(got);
      high |= (wi.value(j) ^ got) >> 32 == 0;
    }
    if (low && high) return;
  }
  const PteSem r = sem_decode(arch, got);
  const char* name = getter_name(g);
  // a.
  bool held = false;
  for (int j = -1; j < wi.n && !held; j++)
    held = wi.value(j) == got || sem_decode(arch, wi.value(j)).same_but_recency(r);
  if (!held) {
    report(m, o, name + (" returned " + hex(got)) + " [" + r.str() + "], a value the entry never held during the read", t, i, t0);
    return;
  }
  const Block blk = block_of(cont, i);
  // b.
  for (Bit b : {kYoung, kDirty}) {
    if (!has(r, b) || held_sometime(arch, t, blk, t0, r, i, b, lockless)) continue;
    report(m, o, name + (" returned " + hex(got)) + " " + bit_name(b) + ", but " +
                     (cont ? "no entry of its contpte block" : "the entry") + (lockless ? " agreeing with it" : "") +
                     " was " + bit_name(b) + " at any moment of the read",
           t, i, t0);
    return;
  }
  // c.
  if (g == PteGetter::ptep_get_lockless_norecency || (r.young && r.dirty)) return;
  for (int k = blk.base; k < blk.base + blk.n; k++) {
    const Window w = k == i ? wi : window(arch, t->hist[k], t0);
    if (!w.known) continue;
    const SemRecency owed = held_throughout(arch, w, me);
    for (Bit b : {kYoung, kDirty}) {
      if (has(r, b) || !has(owed, b)) continue;
      report(m, o, name + (" returned " + hex(got)) + " not " + bit_name(b) + ", but " +
                       (cont ? "entry " + std::to_string(k) + " of its contpte block" : std::string("the entry")) +
                       " was " + bit_name(b) + " throughout the read",
             t, i, t0, k);
      return;
    }
  }
}

GF_NO_COVERAGE void judge_young_cleared(Machine& m, const PteTable* t, uint32_t serial, int i, uint64_t t0, bool young) {
  if (m.opt.threaded || m.exec.verdict.violated || !m.table_live[serial]) return;
  const Arch arch = m.sc().arch;
  const int me = m.cur_cpu();
  const Window wi = window(arch, t->hist[i], t0);
  if (!wi.known) return;
  const Block blk = block_of(sem_is_cont(arch, wi.first), i);
  const std::string_view name = "ptep_test_and_clear_young()";
  bool was_young = false, cannot = false;
  for (int k = blk.base; k < blk.base + blk.n; k++) {
    const Window w = k == i ? wi : window(arch, t->hist[k], t0);
    if (!w.known) {
      cannot = true;
      continue;
    }
    if (!young && held_throughout(arch, w, me).young) {
      // held_throughout() counts only others' stores: the getter's own clear is what it answers for.
      report(m, Oracle::accessor_view, std::string(name) + " answered old, but entry " + std::to_string(k) + " of its " +
                                           (blk.n > 1 ? "contpte block" : "table") + " was young when it began",
             t, i, t0, k);
      return;
    }
    for (int j = -1; j < w.n && !was_young; j++) was_young = sem_recency(arch, w.value(j)).young;
    // Cleared: the entry is old now, or another CPU made it young after the start.
    const EntryHistory& h = t->hist[k];
    if (sem_recency(arch, t->e[k].peek()).young && !(h.n > 0 && h.rec[(h.n - 1) % HIST].cpu() != me &&
                                                    h.rec[(h.n - 1) % HIST].at() > t0)) {
      report(m, Oracle::accessor_view, std::string(name) + " left entry " + std::to_string(k) + " of its " +
                                           (blk.n > 1 ? "contpte block" : "table") + " young", t, i, t0, k);
      return;
    }
  }
  if (young && !was_young && !cannot)
    report(m, Oracle::accessor_view, std::string(name) + " answered young, but no entry of its block was young during the call", t, i, t0);
}

}  // namespace gf
