// SPDX-License-Identifier: GPL-2.0
#include "core/audit.h"

#include <nlohmann/json.hpp>

#include <bit>
#include <cstdio>
#include <cstring>

#include "core/norecency.h"
#include "core/pte_check.h"
#include "core/semantic.h"

namespace gf {
namespace {

// splitmix64: the audit's only randomness, from AuditOptions::seed.
struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
};

bool mapped(const PteSem& s) { return s.kind == PteSem::present || s.kind == PteSem::protnone; }

// Keeps the minimal counterexample of a cell, an untriaged one first.
void note(AuditCell& c, const char* why, pteval_t x, pteval_t y, uint64_t vx, uint64_t vy, const std::string& via,
          const std::string& what = "") {
  c.differing++;
  c.untriaged += !why;
  const bool first = c.differing == 1, upgrade = !why && !c.why.empty();
  if (!first && !upgrade && !why != c.why.empty()) return;  // an untriaged one is already kept
  const int d = std::popcount(x ^ y), best = std::popcount(c.x ^ c.y);
  if (first || upgrade || d < best || (d == best && x < c.x)) {
    c.x = x, c.y = y, c.vx = vx, c.vy = vy, c.via = via, c.what = what, c.why = why ? why : "";
  }
}

uint64_t spread(uint64_t idx, const std::vector<int>& bits) {
  uint64_t v = 0;
  for (size_t i = 0; i < bits.size(); i++)
    if (idx >> i & 1) v |= 1ull << bits[i];
  return v;
}

template <class A>
AuditArch audit(PteArch arch, int bug, const AuditOptions& o) {
  AuditArch r;
  r.arch = arch;
  r.bug = bug;
  auto norm = [](pteval_t v) { return pte_norecency<A>(v); };
  auto sem = [&](pteval_t v) { return sem_decode(arch, v); };

  // Candidate bits: outside the PFN field, plus its two lowest bits.
  const pteval_t pfn = pfn_field<A>();
  uint64_t cand = ~pfn;
  for (int b = 0, low = 0; b < 64 && low < 2; b++)
    if (pfn >> b & 1) cand |= 1ull << b, low++;

  // Probe entries: every constructor output, then seeded random ones.
  std::vector<pteval_t> probe;
  for (unsigned m = 0; m < 64; m++)
    probe.push_back(A::mk_user_pte(1, UserProt{.write = bool(m & 1), .exec = bool(m & 2), .young = bool(m & 4),
                                               .dirty = bool(m & 8), .special = bool(m & 16), .protnone = bool(m & 32)}));
  for (int p = 0; p < NR_PROTS; p++) probe.push_back(A::pfn_pte(2, Prot(p)));
  for (unsigned t = 0; t < 32; t += 7) probe.push_back(A::swp_entry_pte(t, 3));
  Rng rng{o.seed};
  for (int i = 0; i < 4096; i++) probe.push_back(rng.next() & cand);

  // A bit is relevant unless flipping it changes no predicate, passes
  // through the norecency form and only toggles itself in the record's
  // `other`; it is recency when pte_same_norecency() ignores it for some entry.
  uint64_t relevant = 0, absorbed = 0;
  for (pteval_t v : probe) {
    const PteSem sv = sem(v);
    const pteval_t nv = norm(v);
    for (int b = 0; b < 64; b++) {
      const uint64_t bit = 1ull << b;
      if (!(cand & bit) || (relevant & bit)) continue;
      const pteval_t w = v ^ bit;
      bool rel = norm(w) != (nv ^ bit);
      for (int p = 0; p < NR_PREDS && !rel; p++) rel = pred_eval<A>(Pred(p), v) != pred_eval<A>(Pred(p), w);
      if (!rel) {
        PteSem sw = sem(w);
        sw.other ^= bit;
        rel = !sw.same_but_recency(sv) || sw.young != sv.young || sw.dirty != sv.dirty;
      }
      if (rel) relevant |= bit;
      if (pte_same_norecency<A>(v, w)) absorbed |= bit;
    }
  }
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

  struct Member {
    pteval_t v;
    PteSem s;
    uint64_t pred[NR_PREDS];
  };
  std::vector<Member> ms;
  const char* helper_names[] = {"pte_mkold", "pte_mkyoung", "pte_mkclean", "pte_mkdirty", "mmu_access", "mmu_write"};
  for (uint64_t bi = 0; bi < blocks; bi++) {
    const uint64_t hi = spread(r.exhaustive ? bi : rng.next(), outer);
    ms.clear();
    for (uint64_t ii = 0; ii < (1ull << inner.size()); ii++) {
      Member m;
      m.v = hi | spread(ii, inner);
      r.entries++;
      m.s = sem(m.v);
      // Stale views exist of entries that map something, and kernel helpers
      // only make well-formed ones.
      if (!mapped(m.s)) continue;
      if (!sem_well_formed(arch, m.v)) {
        r.ill_formed++;
        continue;
      }
      for (int p = 0; p < NR_PREDS; p++) m.pred[p] = pred_eval<A>(Pred(p), m.v);
      ms.push_back(m);
      // The helpers' views of it.
      std::optional<pteval_t> hv[6] = {A::pte_mkold(m.v), A::pte_mkyoung(m.v), A::pte_mkclean(m.v),
                                       A::pte_mkdirty(m.v), A::hw_access(m.v), A::hw_write(m.v)};
      for (int h = 0; h < 6; h++) {
        if (!hv[h]) continue;
        for (int p = 0; p < NR_PREDS; p++) {
          r.preds[p].pairs++;
          const uint64_t py = pred_eval<A>(Pred(p), *hv[h]);
          if (py == m.pred[p]) continue;
          const std::string fields = m.s.diff(sem(*hv[h]));
          note(r.preds[p], known_finding(arch, Oracle::stale_view_changes_decision, info(Pred(p)).id, fields), m.v,
               *hv[h], m.pred[p], py, helper_names[h]);
        }
      }
    }
    for (size_t i = 0; i < ms.size(); i++) {
      for (size_t j = i + 1; j < ms.size(); j++) {
        const Member &x = ms[i], &y = ms[j];
        const bool same = pte_same_norecency<A>(x.v, y.v);
        const bool sem_same = x.s.same_but_recency(y.s);
        if (!same && !sem_same) continue;
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
            note(r.preds[p], known_finding(arch, Oracle::stale_view_changes_decision, info(Pred(p)).id, fields),
                 x.v, y.v, x.pred[p], y.pred[p], same ? "norecency-equal" : "stale view");
        }
      }
    }
  }
  // Verdicts: any untriaged difference makes the cell unsafe (spurious).
  auto verdict = [](AuditCell& c, const char* fine, const char* bad) {
    c.verdict = !c.differing ? fine : c.untriaged ? bad : "known";
  };
  verdict(r.compare, "sound", "unsafe");
  verdict(r.complete, "complete", "spurious");
  for (AuditCell& c : r.preds) verdict(c, "safe", "unsafe");
  return r;
}

std::string arch_label(const AuditArch& r) {
  std::string s(info(r.arch).name);
  if (r.bug >= 0) s += " +" + std::string(info(Bug(r.bug)).id);
  return s;
}

const char* kShort[NR_PREDS] = {"present", "protnone", "access(r)", "access(w)", "special",
                                "devmap",  "pfn",      "write",     "uffd_wp"};

}  // namespace

bool AuditArch::clean() const {
  if (compare.verdict == "unsafe" || complete.verdict == "spurious") return false;
  for (const AuditCell& c : preds)
    if (c.verdict == "unsafe") return false;
  return true;
}

AuditArch run_audit(PteArch a, BugSet bugs, const AuditOptions& o) {
  const int bug = helper_bug_for(a, bugs);
  return with_pte_arch(a, bugs, [&]<class A>() { return audit<A>(a, bug, o); });
}

std::string audit_text(const std::vector<AuditArch>& rows) {
  std::string out;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-14s %-8s %-9s", "arch", "compare", "complete");
  out += buf;
  for (const char* s : kShort) out += " " + std::string(s) + std::string(s[0] ? 10 - std::strlen(s) : 0, ' ');
  out += "\n";
  for (const AuditArch& r : rows) {
    std::snprintf(buf, sizeof buf, "%-14s %-8s %-9s", arch_label(r).c_str(), r.compare.verdict.c_str(),
                  r.complete.verdict.c_str());
    out += buf;
    for (const AuditCell& c : r.preds) {
      std::snprintf(buf, sizeof buf, " %-10s", c.verdict.c_str());
      out += buf;
    }
    out += "\n";
  }
  out += "\n";
  for (const AuditArch& r : rows) {
    std::snprintf(buf, sizeof buf, "%-14s %2zu bits, %llu entries (%s), %llu ill-formed skipped, recency bits %s\n",
                  arch_label(r).c_str(), r.bits.size(), (unsigned long long)r.entries,
                  r.exhaustive ? "exhaustive" : "sampled", (unsigned long long)r.ill_formed,
                  hex(r.recency_bits).c_str());
    out += buf;
  }
  for (const AuditArch& r : rows) {
    auto cex = [&](const char* col, const AuditCell& c, bool pred) {
      if (!c.differing) return;
      out += "\n" + arch_label(r) + " " + col + ": " + c.verdict + " (" + std::to_string(c.differing) + " of " +
             std::to_string(c.pairs) + " pairs), via " + c.via + "\n";
      if (pred) out += "  " + std::string(col) + " = " + hex(c.vx) + " on x, " + hex(c.vy) + " on y\n";
      if (!c.what.empty()) out += "  records differ in: " + c.what + "\n";
      for (auto [n, v] : {std::pair{"x", c.x}, std::pair{"y", c.y}}) {
        out += std::string("  ") + n + " = " + hex(v) + "  " + sem_decode(r.arch, v).str() + "  [";
        bool first = true;
        for (const std::string& b : bit_names(r.arch, v)) out += (first ? "" : " ") + b, first = false;
        out += "]\n";
      }
      if (!c.why.empty()) out += "  known: " + c.why + "\n";
    };
    cex("compare", r.compare, false);
    cex("complete", r.complete, false);
    for (int p = 0; p < NR_PREDS; p++) cex(info(Pred(p)).id.data(), r.preds[p], true);
  }
  return out;
}

std::string audit_json(const std::vector<AuditArch>& rows, int indent) {
  using nlohmann::json;
  json j = {{"schema", "gupfuzz-audit/1"}, {"arches", json::array()}};
  auto cell = [](const AuditCell& c, bool pred) {
    json o = {{"verdict", c.verdict}, {"pairs", c.pairs}, {"differing", c.differing}};
    if (c.differing) {
      o["x"] = hex(c.x), o["y"] = hex(c.y), o["via"] = c.via;
      if (pred) o["on_x"] = c.vx, o["on_y"] = c.vy;
      if (!c.what.empty()) o["fields"] = c.what;
      if (!c.why.empty()) o["known"] = c.why;
    }
    return o;
  };
  for (const AuditArch& r : rows) {
    json a = {{"arch", std::string(info(r.arch).name)},
              {"bug", r.bug >= 0 ? json(std::string(info(Bug(r.bug)).id)) : json(nullptr)},
              {"bits", r.bits},
              {"recency_bits", hex(r.recency_bits)},
              {"exhaustive", r.exhaustive},
              {"entries", r.entries},
              {"ill_formed", r.ill_formed},
              {"clean", r.clean()},
              {"compare", cell(r.compare, false)},
              {"complete", cell(r.complete, false)}};
    json preds = json::object();
    for (int p = 0; p < NR_PREDS; p++) {
      json c = cell(r.preds[p], true);
      if (r.preds[p].differing) {
        c["x_record"] = sem_decode(r.arch, r.preds[p].x).str();
        c["y_record"] = sem_decode(r.arch, r.preds[p].y).str();
      }
      preds[std::string(info(Pred(p)).id)] = c;
    }
    a["predicates"] = preds;
    j["arches"].push_back(a);
  }
  return j.dump(indent);
}

std::string audit_markdown(const std::vector<AuditArch>& rows) {
  std::string out = "| arch | compare | complete |";
  for (const char* s : kShort) out += std::string(" ") + s + " |";
  out += "\n|---|---|---|";
  for (int p = 0; p < NR_PREDS; p++) out += "---|";
  out += "\n";
  for (const AuditArch& r : rows) {
    out += "| " + arch_label(r) + " | " + r.compare.verdict + " | " + r.complete.verdict + " |";
    for (const AuditCell& c : r.preds) out += " " + c.verdict + " |";
    out += "\n";
  }
  bool any = false;
  for (const AuditArch& r : rows) {
    auto cex = [&](const std::string& col, const AuditCell& c, bool pred) {
      if (!c.differing) return;
      if (!any) out += "\n", any = true;
      out += "- **" + arch_label(r) + " " + col + ": " + c.verdict + "** (via " + c.via + "): x = `" + hex(c.x) +
             "` (" + sem_decode(r.arch, c.x).str() + "), y = `" + hex(c.y) + "` (" + sem_decode(r.arch, c.y).str() +
             ")";
      if (pred) out += "; " + col + " " + hex(c.vx) + " vs " + hex(c.vy);
      if (!c.what.empty()) out += "; records differ in " + c.what;
      out += "\n";
    };
    cex("compare", r.compare, false);
    cex("complete", r.complete, false);
    for (int p = 0; p < NR_PREDS; p++) cex(std::string(info(Pred(p)).id), r.preds[p], true);
  }
  return out;
}

}  // namespace gf
