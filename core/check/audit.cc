// SPDX-License-Identifier: GPL-2.0
#include "core/check/audit.h"

#include <nlohmann/json.hpp>

#include <bit>
#include <cstdio>
#include <cstring>

#include "core/check/audit_model.h"
#include "core/arch/norecency.h"
#include "core/check/pte_check.h"
#include "core/decoder/semantic.h"

namespace gf {
namespace {

std::string arch_label(const AuditArch& r) {
  std::string s(info(r.arch).name);
  if (r.bug >= 0) s += " +" + std::string(info(Bug(r.bug)).id);
  return s;
}

}  // namespace

void AuditCell::note(const char* why_, pteval_t x_, pteval_t y_, uint64_t vx_, uint64_t vy_, const std::string& via_,
                     const std::string& what_) {
  differing++;
  untriaged += !why_;
  const bool first = differing == 1, upgrade = !why_ && !why.empty();
  if (!first && !upgrade && !why_ != why.empty()) return;  // an untriaged one is already kept
  const int d = std::popcount(x_ ^ y_), best = std::popcount(x ^ y);
  if (first || upgrade || d < best || (d == best && x_ < x)) {
    x = x_, y = y_, vx = vx_, vy = vy_, via = via_, what = what_, why = why_ ? why_ : "";
  }
}

bool AuditArch::clean() const {
  if (compare.verdict == "unsafe" || complete.verdict == "spurious" || nonpresent.verdict == "unsafe") return false;
  for (const AuditCell& c : preds)
    if (c.verdict == "unsafe") return false;
  return true;
}

AuditArch run_audit(Arch a, BugSet bugs, const AuditOptions& o) {
  const int bug = helper_bug_for(a, bugs);
  return with_pte_arch(a, bugs, [&]<class A>() { return audit_model<A>(a, bug, o); });
}

std::string audit_text(const std::vector<AuditArch>& rows) {
  std::string out;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-14s %-8s %-9s %-11s", "arch", "compare", "complete", "non-present");
  out += buf;
  for (int p = 0; p < NR_PREDS; p++) {
    std::snprintf(buf, sizeof buf, " %-10.*s", int(info(Pred(p)).title.size()), info(Pred(p)).title.data());
    out += buf;
  }
  out += "\n";
  for (const AuditArch& r : rows) {
    std::snprintf(buf, sizeof buf, "%-14s %-8s %-9s %-11s", arch_label(r).c_str(), r.compare.verdict.c_str(),
                  r.complete.verdict.c_str(), r.nonpresent.verdict.c_str());
    out += buf;
    for (const AuditCell& c : r.preds) {
      std::snprintf(buf, sizeof buf, " %-10s", c.verdict.c_str());
      out += buf;
    }
    out += "\n";
  }
  out += "\n";
  for (const AuditArch& r : rows) {
    std::snprintf(buf, sizeof buf,
                  "%-14s %2zu bits, %llu entries (%s), %llu ill-formed skipped, recency bits %s; "
                  "%llu non-present and PROT_NONE entries\n",
                  arch_label(r).c_str(), r.bits.size(), (unsigned long long)r.entries,
                  r.exhaustive ? "exhaustive" : "sampled", (unsigned long long)r.ill_formed,
                  hex(r.recency_bits).c_str(), (unsigned long long)r.nonpresent_entries);
    out += buf;
  }
  for (const AuditArch& r : rows) {
    auto cex = [&](const char* col, const AuditCell& c, bool pred) {
      if (!c.differing) return;
      const bool decoded = &c == &r.nonpresent;  // one entry against the decoder
      out += "\n" + arch_label(r) + " " + col + ": " + c.verdict + " (" + std::to_string(c.differing) + " of " +
             std::to_string(c.pairs) + (decoded ? " checks), on a " : " pairs), via ") + c.via + "\n";
      if (decoded) out += "  " + c.what + " = " + hex(c.vx) + ", the decoder's kind implies " + hex(c.vy) + "\n";
      if (pred) out += "  " + std::string(col) + " = " + hex(c.vx) + " on x, " + hex(c.vy) + " on y\n";
      if (!c.what.empty() && !decoded) out += "  records differ in: " + c.what + "\n";
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
    cex("non-present", r.nonpresent, false);
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
              {"nonpresent_entries", r.nonpresent_entries},
              {"clean", r.clean()},
              {"compare", cell(r.compare, false)},
              {"complete", cell(r.complete, false)}};
    json np = cell(r.nonpresent, false);
    if (r.nonpresent.differing) {
      np.erase("y");
      np["predicate"] = r.nonpresent.what, np["value"] = r.nonpresent.vx, np["expected"] = r.nonpresent.vy;
      np.erase("fields");
    }
    a["nonpresent"] = np;
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
  std::string out = "| arch | compare | complete | non-present |";
  for (int p = 0; p < NR_PREDS; p++) out += " " + std::string(info(Pred(p)).title) + " |";
  out += "\n|---|---|---|---|";
  for (int p = 0; p < NR_PREDS; p++) out += "---|";
  out += "\n";
  for (const AuditArch& r : rows) {
    out += "| " + arch_label(r) + " | " + r.compare.verdict + " | " + r.complete.verdict + " | " +
           r.nonpresent.verdict + " |";
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
    if (const AuditCell& c = r.nonpresent; c.differing) {
      if (!any) out += "\n", any = true;
      out += "- **" + arch_label(r) + " non-present: " + c.verdict + "** (on a " + c.via + "): x = `" + hex(c.x) +
             "` (" + sem_decode(r.arch, c.x).str() + "); " + c.what + " " + hex(c.vx) + ", the decoder's kind implies " +
             hex(c.vy) + "\n";
    }
    for (int p = 0; p < NR_PREDS; p++) cex(std::string(info(Pred(p)).id), r.preds[p], true);
  }
  return out;
}

}  // namespace gf
