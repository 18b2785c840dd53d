// SPDX-License-Identifier: GPL-2.0
//
// The audit of core/check/audit.h as a template on a model type A: run_audit()
// runs it on an architecture's own model (with its injected helper bug); a
// test or a developer can run audit_model<A>() on a model of their own.
#pragma once

#include <bit>
#include <optional>
#include <string>
#include <vector>

#include "core/check/audit.h"
#include "core/check/audit_nonpresent.h"
#include "core/arch/norecency.h"
#include "core/check/pte_check.h"
#include "core/base/rng.h"
#include "core/decoder/semantic.h"

namespace gf {
namespace audit_detail {

inline uint64_t spread(uint64_t idx, const std::vector<int>& bits) {
  uint64_t v = 0;
  for (size_t i = 0; i < bits.size(); i++)
    if (idx >> i & 1) v |= 1ull << bits[i];
  return v;
}

// Candidate bits: outside the PFN field, plus its two lowest bits.
template <class A>
uint64_t candidate_bits() {
  const pteval_t pfn = pfn_field<A>();
  uint64_t cand = ~pfn;
  for (int b = 0, low = 0; b < 64 && low < 2; b++)
    if (pfn >> b & 1) cand |= 1ull << b, low++;
  return cand;
}

// Probe entries: every constructor output, then seeded random ones.
template <class A>
std::vector<pteval_t> probe_entries(uint64_t cand, Rng& rng) {
  std::vector<pteval_t> probe;
  for (unsigned m = 0; m < 64; m++)
    probe.push_back(A::mk_user_pte(1, uprot_of(m)));
  for (int p = 0; p < NR_PROTS; p++) probe.push_back(A::pfn_pte(2, Prot(p)));
  for (unsigned t = 0; t < 32; t += 7) probe.push_back(A::swp_entry_pte(t, 3));
  for (int i = 0; i < 4096; i++) probe.push_back(rng.next() & cand);
  return probe;
}

// A bit is relevant unless flipping it changes no predicate, passes
// through the norecency form and only toggles itself in the record's
// `other`; it is recency (`absorbed`) when pte_same_norecency() ignores it for some entry.
template <class A>
void classify_bits(Arch arch, const std::vector<pteval_t>& probe, uint64_t cand, uint64_t& relevant,
                   uint64_t& absorbed) {
  for (pteval_t v : probe) {
    const PteSem sv = sem_decode(arch, v);
    const pteval_t nv = pte_norecency<A>(v);
    for (int b = 0; b < 64; b++) {
      const uint64_t bit = 1ull << b;
      if (!(cand & bit) || (relevant & bit)) continue;
      const pteval_t w = v ^ bit;
      bool rel = pte_norecency<A>(w) != (nv ^ bit);
      for (int p = 0; p < NR_PREDS && !rel; p++) rel = pred_eval<A>(Pred(p), v) != pred_eval<A>(Pred(p), w);
      if (!rel) {
        PteSem sw = sem_decode(arch, w);
        sw.other ^= bit;
        rel = !sw.same_but_recency(sv) || sw.young != sv.young || sw.dirty != sv.dirty;
      }
      if (rel) relevant |= bit;
      if (pte_same_norecency<A>(v, w)) absorbed |= bit;
    }
  }
}

struct Member {
  pteval_t v;
  PteSem s;
  uint64_t pred[NR_PREDS];
};

// The helpers' views of one entry: does a predicate answer differently?
template <class A>
void audit_views(AuditArch& r, Arch arch, const Member& m) {
  static const char* const helper_names[] = {"pte_mkold", "pte_mkyoung", "pte_mkclean",
                                             "pte_mkdirty", "mmu_access", "mmu_write"};
  std::optional<pteval_t> hv[6] = {A::pte_mkold(m.v), A::pte_mkyoung(m.v), A::pte_mkclean(m.v),
                                   A::pte_mkdirty(m.v), A::hw_access(m.v), A::hw_write(m.v)};
  for (int h = 0; h < 6; h++) {
    if (!hv[h]) continue;
    for (int p = 0; p < NR_PREDS; p++) {
      r.preds[p].pairs++;
      const uint64_t py = pred_eval<A>(Pred(p), *hv[h]);
      if (py == m.pred[p]) continue;
      const std::string fields = m.s.diff(sem_decode(arch, *hv[h]));
      note(r.preds[p], known_finding(arch, Oracle::stale_view_changes_decision, info(Pred(p)).id, fields), m.v,
           *hv[h], m.pred[p], py, helper_names[h]);
    }
  }
}

// Two entries of one block that norecency calls equal, or that differ only in recency.
template <class A>
void audit_pair(AuditArch& r, Arch arch, const Member& x, const Member& y) {
  const bool same = pte_same_norecency<A>(x.v, y.v);
  const bool sem_same = x.s.same_but_recency(y.s);
  if (!same && !sem_same) return;
  r.compare.pairs++;
  r.complete.pairs++;
  const std::string fields = x.s.diff(y.s);
  if (same && !sem_same)
    note(r.compare, known_finding(arch, Oracle::norecency_hides_change, fields, fields), x.v, y.v, 0, 0,
         "norecency-equal", fields);
  if (!same && sem_same) note(r.complete, nullptr, x.v, y.v, 0, 0, "stale view");
  for (int p = 0; p < NR_PREDS; p++) {
    r.preds[p].pairs++;
    if (x.pred[p] != y.pred[p])
      note(r.preds[p], known_finding(arch, Oracle::stale_view_changes_decision, info(Pred(p)).id, fields), x.v,
           y.v, x.pred[p], y.pred[p], same ? "norecency-equal" : "stale view");
  }
}

// One block: the outer bits fixed to `hi`, every value of the inner (recency) bits.
template <class A>
void audit_block(AuditArch& r, Arch arch, uint64_t hi, const std::vector<int>& inner, std::vector<Member>& ms) {
  ms.clear();
  for (uint64_t ii = 0; ii < (1ull << inner.size()); ii++) {
    Member m;
    m.v = hi | spread(ii, inner);
    r.entries++;
    m.s = sem_decode(arch, m.v);
    // Stale views exist of entries that map something, and kernel helpers
    // only make well-formed ones.
    if (!m.s.maps()) continue;
    if (!sem_well_formed(arch, m.v)) {
      r.ill_formed++;
      continue;
    }
    for (int p = 0; p < NR_PREDS; p++) m.pred[p] = pred_eval<A>(Pred(p), m.v);
    ms.push_back(m);
    audit_views<A>(r, arch, m);
  }
  for (size_t i = 0; i < ms.size(); i++)
    for (size_t j = i + 1; j < ms.size(); j++) audit_pair<A>(r, arch, ms[i], ms[j]);
}

// Verdicts: any untriaged difference makes the cell unsafe (spurious).
inline void judge(AuditArch& r) {
  auto verdict = [](AuditCell& c, const char* fine, const char* bad) {
    c.verdict = !c.differing ? fine : c.untriaged ? bad : "known";
  };
  verdict(r.compare, "sound", "unsafe");
  verdict(r.complete, "complete", "spurious");
  verdict(r.nonpresent, "safe", "unsafe");
  for (AuditCell& c : r.preds) verdict(c, "safe", "unsafe");
}

}  // namespace audit_detail

// The audit of core/check/audit.h on model A, judged by `arch`'s semantic decoder;
// `bug` is only recorded.
template <class A>
AuditArch audit_model(Arch arch, int bug, const AuditOptions& o = {}) {
  using namespace audit_detail;
  AuditArch r;
  r.arch = arch;
  r.bug = bug;
  const uint64_t cand = candidate_bits<A>();
  Rng rng{o.seed};
  const std::vector<pteval_t> probe = probe_entries<A>(cand, rng);
  uint64_t relevant = 0, absorbed = 0;
  classify_bits<A>(arch, probe, cand, relevant, absorbed);
  const uint64_t inner_mask = (absorbed | sem_recency_bits(arch)) & cand;
  relevant |= inner_mask;
  std::vector<int> inner, outer;
  for (int b = 0; b < 64; b++) {
    if (!(relevant >> b & 1)) continue;
    r.bits.push_back(b);
    ((inner_mask >> b & 1) ? inner : outer).push_back(b);
  }
  r.recency_bits = inner_mask;
  r.exhaustive = int(r.bits.size()) <= o.max_bits;
  const uint64_t blocks = r.exhaustive ? 1ull << outer.size() : o.samples;
  std::vector<Member> ms;
  for (uint64_t bi = 0; bi < blocks; bi++)
    audit_block<A>(r, arch, spread(r.exhaustive ? bi : rng.next(), outer), inner, ms);
  audit_nonpresent<A>(r, arch);  // core/check/audit_nonpresent.h
  judge(r);
  return r;
}

}  // namespace gf
