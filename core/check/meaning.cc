// SPDX-License-Identifier: GPL-2.0
#include "core/check/meaning.h"

#include <nlohmann/json.hpp>

#include <cstdio>

#include "core/arch/registry.h"
#include "core/check/meaning_model.h"

namespace gf {
namespace {

// Each architecture's first configuration is the one its arches.def row runs
// (the audit's and the fuzzers'), so a helper bug is applied there.
constexpr ArchCfg kBase[] = {
#define GF_ARCH(id, name, type, machine, text) arch::type##Family::base,
#include "core/arch/arches.def"
#undef GF_ARCH
};
constexpr bool first_cfgs_are_the_models() {
  for (int a = 0; a < NR_ARCHES; a++) {
    bool seen = false;
    for (const MeaningCfg& c : kMeaningCfgs) {
      if (int(c.arch) != a || seen) continue;
      seen = true;
      const ArchCfg& b = kBase[a];
      if (c.numa_balancing != b.numa_balancing || c.soft_dirty != b.soft_dirty || c.uffd_wp != b.uffd_wp) return false;
    }
    if (!seen) return false;
  }
  return true;
}
static_assert(first_cfgs_are_the_models(),
              "core/check/meaning_cfgs.def: each architecture needs a row, the first with its model's ArchCfg");

template <Arch P, bool N, bool S, bool U>
MeaningRow run_cfg(std::string_view name, const MeaningOptions& o) {
  using M = typename detail::FamilyOf<P>::type_::template with_switches<N, S, U>;
  return meaning_model<M>(P, std::string(name), -1, o);
}
using Runner = MeaningRow (*)(std::string_view, const MeaningOptions&);
constexpr Runner kRunners[] = {
#define GF_MEANING_CFG(arch, name, numa, sd, uffd, what) &run_cfg<Arch::arch, numa, sd, uffd>,
#include "core/check/meaning_cfgs.def"
#undef GF_MEANING_CFG
};

std::string label(const MeaningRow& r) {
  std::string s(info(r.arch).name);
  if (r.bug >= 0) s += " +" + std::string(info(Bug(r.bug)).id);
  return s;
}

std::string access(bool write) { return write ? "write" : "read"; }

std::string decoded(Arch a, pteval_t v) {
  std::string s = hex(v) + " (" + sem_decode(a, v).str() + ") [";
  bool first = true;
  for (const std::string& b : bit_names(a, v)) s += (first ? "" : " ") + b, first = false;
  return s + "]";
}

std::string findings_cell(const MeaningRow& r) {
  return std::to_string(r.known_classes()) + " known / " + std::to_string(r.untriaged_classes()) + " new";
}

}  // namespace

std::vector<MeaningRow> run_meaning(Arch a, BugSet bugs, const MeaningOptions& o, bool all_cfgs) {
  std::vector<MeaningRow> out;
  const int bug = helper_bug_for(a, bugs);
  bool first = true;
  for (int i = 0; i < NR_MEANING_CFGS; i++) {
    const MeaningCfg& c = kMeaningCfgs[i];
    if (c.arch != a) continue;
    if (first && bug >= 0) {
      out.push_back(with_pte_arch(a, bugs, [&]<class A>() { return meaning_model<A>(a, std::string(c.name), bug, o); }));
    } else {
      out.push_back(kRunners[i](c.name, o));
    }
    first = false;
    if (!all_cfgs) break;
  }
  return out;
}

std::string meaning_text(const std::vector<MeaningRow>& rows) {
  std::string out =
      "meaning: GUP-fast's decision (pte_protnone bail, pte_access_permitted, devmap / pte_special bail; "
      "mm/gup.c 6.12)\n"
      "against the decoder's meaning of the entry, for read and write pins (core/check/meaning.h)\n\n";
  char buf[320];
  std::snprintf(buf, sizeof buf, "%-26s %-14s %9s %9s %10s %10s %-20s %s\n", "arch", "config", "made", "raw",
                "read pins", "write pins", "findings (classes)", "refusals r/w");
  out += buf;
  for (const MeaningRow& r : rows) {
    std::snprintf(buf, sizeof buf, "%-26s %-14s %9llu %9llu %10llu %10llu %-20s %llu/%llu\n", label(r).c_str(),
                  r.cfg.c_str(), (unsigned long long)r.made, (unsigned long long)r.raw,
                  (unsigned long long)r.pins[0], (unsigned long long)r.pins[1], findings_cell(r).c_str(),
                  (unsigned long long)r.refusals[0], (unsigned long long)r.refusals[1]);
    out += buf;
  }
  for (const MeaningRow& r : rows) {
    bool head = false;
    for (const MeaningClass& c : r.classes) {
      if (!c.finding) continue;
      if (!head) out += "\n" + label(r) + " " + r.cfg + ":\n", head = true;
      out += "  " + std::string(c.known ? "known" : "NEW") + ": " + access(c.write) + " pin, meaning: " + c.cls +
             " (" + c.origin + ", " + std::to_string(c.count) + " entries), e.g. " + decoded(r.arch, c.x) + "\n";
      if (c.known) out += "    " + std::string(c.known->why) + "\n";
    }
  }
  out += "\nrefusals (the meaning allows the access, GUP-fast falls back to slow GUP; informational):\n";
  for (const MeaningRow& r : rows) {
    std::string line;
    for (const MeaningClass& c : r.classes) {
      if (c.finding) continue;
      line += (line.empty() ? "" : "; ") + access(c.write) + " " + c.cls + " (" + c.origin + ", " +
              std::to_string(c.count) + ", e.g. " + hex(c.x) + ")";
    }
    if (!line.empty()) out += "  " + label(r) + " " + r.cfg + ": " + line + "\n";
  }
  return out;
}

std::string meaning_markdown(const std::vector<MeaningRow>& rows) {
  std::string out =
      "| arch | config | entries (made + raw) | read pins | write pins | findings | refusals (r/w) |\n"
      "|---|---|---|---|---|---|---|\n";
  for (const MeaningRow& r : rows)
    out += "| " + label(r) + " | " + r.cfg + " | " + std::to_string(r.made) + " + " + std::to_string(r.raw) + " | " +
           std::to_string(r.pins[0]) + " | " + std::to_string(r.pins[1]) + " | " + findings_cell(r) + " | " +
           std::to_string(r.refusals[0]) + "/" + std::to_string(r.refusals[1]) + " |\n";
  // One bullet per finding class and architecture, naming the configurations
  // it appears in (the example is the first configuration's).
  struct Bullet {
    std::string key, head, cfgs, tail;
  };
  std::vector<Bullet> bullets;
  for (const MeaningRow& r : rows)
    for (const MeaningClass& c : r.classes) {
      if (!c.finding) continue;
      const std::string key = label(r) + "|" + access(c.write) + "|" + c.cls + "|" + c.origin + "|" + (c.known ? "k" : "n");
      Bullet* b = nullptr;
      for (Bullet& x : bullets)
        if (x.key == key) b = &x;
      if (b) {
        b->cfgs += ", " + r.cfg;
        continue;
      }
      bullets.push_back({key, "- **" + label(r) + " (", r.cfg,
                         "): " + access(c.write) + " pin, meaning: " + c.cls + "** (" + c.origin + ", " +
                             std::to_string(c.count) + "): `" + hex(c.x) + "` (" + sem_decode(r.arch, c.x).str() +
                             "), " + (c.known ? "known" : "**NEW**") + "\n"});
    }
  if (!bullets.empty()) out += "\n";
  for (const Bullet& b : bullets) out += b.head + b.cfgs + b.tail;
  return out;
}

std::string meaning_json(const std::vector<MeaningRow>& rows, int indent) {
  using nlohmann::json;
  json a = json::array();
  for (const MeaningRow& r : rows) {
    json classes = json::array();
    for (const MeaningClass& c : r.classes) {
      json o = {{"kind", c.finding ? "finding" : "refusal"},
                {"access", access(c.write)},
                {"class", c.cls},
                {"origin", c.origin},
                {"entries", c.count},
                {"x", hex(c.x)},
                {"record", sem_decode(r.arch, c.x).str()},
                {"decision", decision_name(c.decision)}};
      if (c.finding) o["known"] = c.known ? json(std::string(c.known->why)) : json(nullptr);
      classes.push_back(o);
    }
    a.push_back({{"arch", std::string(info(r.arch).name)},
                 {"config", r.cfg},
                 {"bug", r.bug >= 0 ? json(std::string(info(Bug(r.bug)).id)) : json(nullptr)},
                 {"made", r.made},
                 {"raw", r.raw},
                 {"raw_bits", r.raw_bits},
                 {"exhaustive", r.exhaustive},
                 {"ill_formed", r.ill_formed},
                 {"pins", {{"read", r.pins[0]}, {"write", r.pins[1]}}},
                 {"findings", {{"read", r.findings[0]}, {"write", r.findings[1]}}},
                 {"refusals", {{"read", r.refusals[0]}, {"write", r.refusals[1]}}},
                 {"known", r.known},
                 {"untriaged", r.untriaged},
                 {"clean", r.clean()},
                 {"classes", classes}});
  }
  return a.dump(indent);
}

}  // namespace gf
