// SPDX-License-Identifier: GPL-2.0
//
// The checks of core/check/pte_check.h as templates on a model type A, for any
// model: check_pte_case() runs them on the architecture's own (with its
// injected helper bug), and a test or a developer can run them on a model of
// their own (say, one with pte_mkclean() changed) with check_pte_case_on<A>().
// `c.arch` still chooses the semantic decoder the oracles judge with.
#pragma once

#include <string>

#include "core/arch/norecency.h"
#include "core/check/pte_check.h"
#include "core/decoder/semantic.h"

namespace gf {
namespace pte_check_detail {

// pte_clear(): s390 empties an entry to _PAGE_INVALID, everyone else to 0.
template <class A>
constexpr pteval_t empty_pte() {
  if constexpr (requires { A::_PAGE_INVALID; })
    if (!A::pte_none(0)) return A::_PAGE_INVALID;
  return 0;
}

template <class A>
pteval_t start_entry(const PteStart& s) {
  switch (s.kind) {
    case PteStart::user: return A::mk_user_pte(s.pfn, s.uprot);
    case PteStart::pfn_pte: return A::pfn_pte(s.pfn, s.prot);
    case PteStart::swap: return A::swp_entry_pte(s.swp_type, s.pfn);
    case PteStart::none: return empty_pte<A>();
  }
  return 0;
}

// One transformation, the way the kernel uses it: the helpers only on
// entries that map something (present or PROT_NONE, by the semantic
// decoder, not the model), contpte only on valid arm64 entries.
template <class A>
pteval_t apply_op(Arch arch, const PteOp& op, pteval_t v) {
  const PteSem s = sem_decode(arch, v);
  const bool m = s.maps();
  switch (op.kind) {
    case PteOpKind::mkold: return m ? A::pte_mkold(v) : v;
    case PteOpKind::mkyoung: return m ? A::pte_mkyoung(v) : v;
    case PteOpKind::mkclean: return m ? A::pte_mkclean(v) : v;
    case PteOpKind::mkdirty: return m ? A::pte_mkdirty(v) : v;
    case PteOpKind::hw_access: return A::hw_access(v).value_or(v);
    case PteOpKind::hw_write: return A::hw_write(v).value_or(v);
    case PteOpKind::gather:
      if constexpr (A::has_contpte) {
        if (A::pte_valid_cont(v)) {
          const auto sibling = (op.arg & 1) ? A::hw_write(v) : A::hw_access(v);
          return A::contpte_gather(v, sibling.value_or(v));
        }
      }
      return v;
    case PteOpKind::wrprotect: return m ? A::pte_wrprotect(v) : v;
    case PteOpKind::mkwrite: return m ? A::pte_mkwrite(v) : v;
    case PteOpKind::modify: return m ? A::pte_modify(v, Prot(op.arg % NR_PROTS)) : v;
    case PteOpKind::protnone: return s.kind == PteSem::present ? A::pte_modify(v, Prot::none) : v;
    case PteOpKind::new_pfn: return A::pfn_pte(op.arg, s.write ? Prot::rw : Prot::ro);
    case PteOpKind::swap: return A::swp_entry_pte(op.arg & 31, (op.arg >> 5) + 1);
    case PteOpKind::clear: return empty_pte<A>();
    case PteOpKind::mkspecial: return m ? A::pte_mkspecial(v) : v;
    case PteOpKind::mkuffd_wp: return m ? A::pte_mkuffd_wp(v) : v;
    case PteOpKind::mksoft_dirty: return m ? A::pte_mksoft_dirty(v) : v;
    case PteOpKind::mkcont: return (A::has_contpte && s.valid) ? A::pte_mkcont(v) : v;
    case PteOpKind::mknoncont: return m ? A::pte_mknoncont(v) : v;
    case PteOpKind::mkwrite_shstk:
      if constexpr (requires { A::pte_mkwrite_shstk(v); })
        if (A::cfg.shstk && s.kind == PteSem::present) return A::pte_mkwrite_shstk(v);
      return v;
  }
  return v;
}

template <class A>
pteval_t entry(const PteCase& c, int s) {
  pteval_t v = start_entry<A>(c.start);
  for (const PteOp& op : c.seq[s]) v = apply_op<A>(c.arch, op, v);
  return v;
}

template <class A>
class Checker {
 public:
  Checker(Arch arch, PteVerdict& out) : arch_(arch), out_(out) {}

  // Checks 1 and 2 of pte_check.h on every pair first, then 3: a hidden
  // change is reported as such even where a predicate also differs.
  enum Phase { compare, predicates };
  void run(pteval_t a, pteval_t b) {
    for (Phase p : {compare, predicates}) {
      phase_ = p;
      pair(a, "a", b, "b", false);
      views(a, "a");
      views(b, "b");
    }
  }

 private:
  // One pair, in the current phase; `view`: y is a stale view of x.
  void pair(pteval_t x, const std::string& xn, pteval_t y, const std::string& yn, bool view) {
    if (out_.violation) return;
    const PteSem sx = sem_decode(arch_, x), sy = sem_decode(arch_, y);
    const bool same = pte_same_norecency<A>(x, y);
    const bool sem_same = sx.same_but_recency(sy);
    PteFinding f;
    f.x = x, f.y = y, f.x_name = xn, f.y_name = yn;
    f.fields = sx.diff(sy);
    if (phase_ == compare) {
      if (same && !sem_same) {
        f.oracle = Oracle::norecency_hides_change;
        f.what = sx.diff(sy);
        report(f);
      }
      if (!same && sem_same) {
        f.kind = PteFinding::spurious;
        f.oracle = Oracle::norecency_hides_change;
        f.what = "pte_same_norecency";
        add(f);
      }
      return;
    }
    if (!view && !same) return;
    for (int p = 0; p < NR_PREDS; p++) {
      const uint64_t px = pred_eval<A>(Pred(p), x), py = pred_eval<A>(Pred(p), y);
      if (px == py) continue;
      f.kind = PteFinding::violation;
      f.oracle = Oracle::stale_view_changes_decision;
      f.what = std::string(info(Pred(p)).id);
      f.px = px, f.py = py;
      if (!report(f)) return;
    }
  }

  // x against every view of it.
  void views(pteval_t x, const std::string& xn) {
    const PteSem sx = sem_decode(arch_, x);
    if (!sx.maps()) return;
    const uint64_t rec = sem_recency_bits(arch_);
    // Every non-empty subset of the recency bits the decoder calls recency only.
    for (uint64_t m = rec; m; m = (m - 1) & rec) {
      const pteval_t y = x ^ m;
      if (sem_decode(arch_, y).same_but_recency(sx)) pair(x, xn, y, xn + "^" + hex(m), true);
    }
    pair(x, xn, A::pte_mkold(x), "pte_mkold(" + xn + ")", true);
    pair(x, xn, A::pte_mkyoung(x), "pte_mkyoung(" + xn + ")", true);
    pair(x, xn, A::pte_mkclean(x), "pte_mkclean(" + xn + ")", true);
    pair(x, xn, A::pte_mkdirty(x), "pte_mkdirty(" + xn + ")", true);
    if (auto y = A::hw_access(x)) pair(x, xn, *y, "mmu_access(" + xn + ")", true);
    if (auto y = A::hw_write(x)) pair(x, xn, *y, "mmu_write(" + xn + ")", true);
  }

  // A violation, or a known finding (then go on); false once violated.
  bool report(PteFinding f) {
    if (const char* why = known_finding(arch_, f.oracle, f.what, f.fields)) {
      f.kind = PteFinding::known;
      f.why = why;
      add(f);
      return true;
    }
    f.kind = PteFinding::violation;
    out_.violation = f;
    return false;
  }
  void add(const PteFinding& f) {
    for (const PteFinding& g : out_.findings)
      if (g.signature() == f.signature()) return;
    out_.findings.push_back(f);
  }

  Arch arch_;
  PteVerdict& out_;
  Phase phase_ = compare;
};

}  // namespace pte_check_detail

// The entry sequence s (0: a, 1: b) leads to on model A.
template <class A>
pteval_t pte_case_entry_on(const PteCase& c, int s) {
  return pte_check_detail::entry<A>(c, s);
}

template <class A>
PteVerdict check_pte_case_on(const PteCase& c) {
  PteVerdict v;
  v.a = pte_check_detail::entry<A>(c, 0);
  v.b = pte_check_detail::entry<A>(c, 1);
  pte_check_detail::Checker<A>(c.arch, v).run(v.a, v.b);
  return v;
}

}  // namespace gf
