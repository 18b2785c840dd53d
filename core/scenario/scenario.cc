// SPDX-License-Identifier: GPL-2.0
#include "core/scenario/scenario.h"

#include "core/base/json_get.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>

namespace gf {

// ---------------------------------------------------------------- arguments

bool op_uses_va(OpKind k) { return k != OpKind::unpin && k != OpKind::fork; }

int op_max_nr(OpKind k) {
  switch (k) {
    case OpKind::gup_fast: return MAX_GUP_PAGES;
    case OpKind::unmap:
    case OpKind::wrprotect:
    case OpKind::mprotect: return MAX_RANGE_PAGES;
    default: return 1;
  }
}

uint8_t op_flag_mask(OpKind k) {
  switch (k) {
    case OpKind::gup_fast: return GUP_FLAG_MASK;
    case OpKind::fault:
    case OpKind::mprotect: return FOLL_WRITE;
    default: return 0;
  }
}

namespace {

// Region canonical form: a large region starts 16-aligned and spans 16 or 32 pages.
Region canonical_region(uint8_t va, uint8_t pages, uint8_t flags) {
  Region r{uint8_t(va % NR_VPAGES), uint8_t(pages % 32 + 1), flags};
  if (r.flags & RF_LARGE) {
    r.va &= ~(CONT_PTES - 1);
    r.pages = r.pages > CONT_PTES ? 2 * CONT_PTES : CONT_PTES;
  }
  return r;
}

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> b) : b_(b) {}
  uint8_t next() { return pos_ < b_.size() ? b_[pos_++] : 0; }
  std::span<const uint8_t> rest() const { return b_.subspan(std::min(pos_, b_.size())); }

 private:
  std::span<const uint8_t> b_;
  size_t pos_ = 0;
};

}  // namespace

// ---------------------------------------------------------------- bytes

namespace {
// Programs' storage between two decodes into the same scenario: a program
// dropped because this input has fewer CPUs keeps its capacity for the next
// one that has more.  Carries no meaning (every program is cleared).
thread_local std::vector<std::vector<Op>> spare_programs;

void resize_programs(std::vector<std::vector<Op>>& cpus, int n, bool reuse) {
  if (!reuse) {
    cpus.resize(n);
    return;
  }
  cpus.reserve(MAX_CPUS);
  spare_programs.reserve(MAX_CPUS);
  while (int(cpus.size()) > n) {
    spare_programs.push_back(std::move(cpus.back()));
    cpus.pop_back();
  }
  while (int(cpus.size()) < n) {
    if (spare_programs.empty()) {
      cpus.emplace_back();
    } else {
      cpus.push_back(std::move(spare_programs.back()));
      spare_programs.pop_back();
    }
  }
  for (auto& prog : cpus) {
    prog.clear();
    prog.reserve(MAX_OPS_PER_CPU);
  }
}

void decode_into(std::span<const uint8_t> bytes, Scenario& s, bool reuse);
}  // namespace

Scenario decode(std::span<const uint8_t> bytes) {
  Scenario s;
  decode_into(bytes, s, false);
  return s;
}

void decode(std::span<const uint8_t> bytes, Scenario& s) { decode_into(bytes, s, true); }

namespace {
void decode_into(std::span<const uint8_t> bytes, Scenario& s, bool reuse) {
  Reader in(bytes);
  s.regions.clear();
  s.schedule.clear();
  if (reuse) {
    s.regions.reserve(MAX_REGIONS);
    s.schedule.reserve(MAX_SCHEDULE);
  }
  s.bugs = BugSet{};
  s.note.clear();
  s.arch = kMachineArches[in.next() % NR_MACHINE_ARCHES];
  s.recheck = Recheck(in.next() & 1);
  const int nregions = in.next() % MAX_REGIONS + 1;
  for (int i = 0; i < nregions; i++) {
    uint8_t va = in.next(), pages = in.next(), flags = in.next();
    s.regions.push_back(canonical_region(va, pages, flags));
  }
  const int ncpus = in.next() % MAX_CPUS + 1;
  resize_programs(s.cpus, ncpus, reuse);
  for (auto& prog : s.cpus) {
    const int nops = in.next() % (MAX_OPS_PER_CPU + 1);
    for (int k = 0; k < nops; k++) {
      Op op;
      op.kind = OpKind(in.next() % NR_OPS);
      if (op_uses_va(op.kind)) op.va = in.next() % NR_VPAGES;
      if (op_max_nr(op.kind) > 1) op.nr = uint8_t(in.next() % op_max_nr(op.kind) + 1);
      if (op_flag_mask(op.kind)) op.flags = in.next() & op_flag_mask(op.kind);
      prog.push_back(op);
    }
  }
  for (uint8_t b : in.rest()) {
    if (s.schedule.size() == MAX_SCHEDULE) break;
    s.schedule.push_back(uint8_t(b % ncpus));
  }
}
}  // namespace

std::vector<uint8_t> encode(const Scenario& s) {
  std::vector<uint8_t> out;
  out.push_back(uint8_t(machine_index(s.arch)));
  out.push_back(uint8_t(s.recheck));
  out.push_back(uint8_t(s.regions.size() - 1));
  for (const Region& r : s.regions) {
    out.push_back(r.va);
    out.push_back(uint8_t(r.pages - 1));
    out.push_back(r.flags);
  }
  out.push_back(uint8_t(s.cpus.size() - 1));
  for (const auto& prog : s.cpus) {
    out.push_back(uint8_t(prog.size()));
    for (const Op& op : prog) {
      out.push_back(uint8_t(op.kind));
      if (op_uses_va(op.kind)) out.push_back(op.va);
      if (op_max_nr(op.kind) > 1) out.push_back(uint8_t(op.nr - 1));
      if (op_flag_mask(op.kind)) out.push_back(op.flags);
    }
  }
  out.insert(out.end(), s.schedule.begin(), s.schedule.end());
  return out;
}

// ---------------------------------------------------------------- JSON

namespace {

using nlohmann::json;
using namespace jsonget;

struct RegionFlagName { RegionFlag bit; const char* name; };
constexpr RegionFlagName kRegionFlags[] = {
    {RF_ANON, "anon"}, {RF_WRITE, "write"}, {RF_LARGE, "large"}, {RF_OLD, "old"},
    {RF_DIRTY, "dirty"}, {RF_WP, "wp"}, {RF_PROTNONE, "protnone"}, {RF_ZERO, "zero"},
};
struct GupFlagName { GupFlag bit; const char* name; };
constexpr GupFlagName kGupFlags[] = {
    {FOLL_WRITE, "FOLL_WRITE"}, {FOLL_PIN, "FOLL_PIN"}, {FOLL_LONGTERM, "FOLL_LONGTERM"}};

Scenario from_json(const json& j) {
  only_keys(j, "scenario", {"arch", "recheck", "regions", "cpus", "schedule", "bugs", "note"});
  Scenario s;
  if (!j.contains("arch")) fail("scenario", "missing \"arch\"");
  {
    std::string a = get_string(j["arch"], "arch");
    auto id = machine_arch_from_name(a);
    if (!id) {
      std::string known;  // "x86_64, arm64"
      for (Arch m : kMachineArches) known += (known.empty() ? "" : ", ") + std::string(arch_name(m));
      fail("arch", "unknown architecture \"" + a + "\" (" + known + ")");
    }
    s.arch = *id;
  }
  if (j.contains("recheck")) {
    std::string r = get_string(j["recheck"], "recheck");
    if (r == "norecency") s.recheck = Recheck::norecency;
    else if (r == "mainline") s.recheck = Recheck::mainline;
    else fail("recheck", "unknown value \"" + r + "\" (norecency, mainline)");
  }
  if (!j.contains("regions")) fail("scenario", "missing \"regions\"");
  const json& regions = get_array(j["regions"], "regions", 1, MAX_REGIONS);
  for (size_t i = 0; i < regions.size(); i++) {
    const std::string w = "regions[" + std::to_string(i) + "]";
    const json& r = regions[i];
    only_keys(r, w, {"va", "pages", "anon", "write", "large", "old", "dirty", "wp", "protnone", "zero"});
    if (!r.contains("va")) fail(w, "missing \"va\"");
    Region reg;
    reg.va = uint8_t(get_int(r["va"], w + ".va", 0, NR_VPAGES - 1));
    reg.pages = r.contains("pages") ? uint8_t(get_int(r["pages"], w + ".pages", 1, 32)) : 1;
    for (const auto& f : kRegionFlags)
      if (r.contains(f.name) && get_bool(r[f.name], w + "." + f.name)) reg.flags |= f.bit;
    if ((reg.flags & RF_LARGE) && (reg.va % CONT_PTES || (reg.pages != 16 && reg.pages != 32)))
      fail(w, "a large region starts at a multiple of 16 and has 16 or 32 pages");
    s.regions.push_back(reg);
  }
  if (!j.contains("cpus")) fail("scenario", "missing \"cpus\"");
  const json& cpus = get_array(j["cpus"], "cpus", 1, MAX_CPUS);
  for (size_t c = 0; c < cpus.size(); c++) {
    const std::string wc = "cpus[" + std::to_string(c) + "]";
    const json& prog = get_array(cpus[c], wc, 0, MAX_OPS_PER_CPU);
    s.cpus.emplace_back();
    for (size_t k = 0; k < prog.size(); k++) {
      const std::string w = wc + "[" + std::to_string(k) + "]";
      const json& o = prog[k];
      only_keys(o, w, {"op", "va", "nr", "flags"});
      if (!o.contains("op")) fail(w, "missing \"op\"");
      const std::string name = get_string(o["op"], w + ".op");
      auto kind = op_from_name(name);
      if (!kind) fail(w + ".op", "unknown operation \"" + name + "\"");
      Op op;
      op.kind = *kind;
      if (op_uses_va(op.kind)) {
        if (!o.contains("va")) fail(w, name + " needs \"va\"");
        op.va = uint8_t(get_int(o["va"], w + ".va", 0, NR_VPAGES - 1));
      } else if (o.contains("va")) {
        fail(w, name + " takes no \"va\"");
      }
      if (o.contains("nr")) {
        if (op_max_nr(op.kind) == 1) fail(w, name + " takes no \"nr\"");
        op.nr = uint8_t(get_int(o["nr"], w + ".nr", 1, op_max_nr(op.kind)));
      }
      if (o.contains("flags")) {
        const uint8_t mask = op_flag_mask(op.kind);
        if (!mask) fail(w, name + " takes no \"flags\"");
        const json& fl = get_array(o["flags"], w + ".flags", 0, 3);
        bool get = false;  // FOLL_GET: a gup_fast without FOLL_PIN (the default)
        for (size_t q = 0; q < fl.size(); q++) {
          const std::string f = get_string(fl[q], w + ".flags[" + std::to_string(q) + "]");
          if (f == "FOLL_GET" && op.kind == OpKind::gup_fast) {
            get = true;
            continue;
          }
          uint8_t bit = 0;
          for (const auto& g : kGupFlags)
            if (f == g.name) bit = g.bit;
          if (!(bit & mask)) fail(w + ".flags", "\"" + f + "\" is not a flag of " + name);
          op.flags |= bit;
        }
        if (get && (op.flags & FOLL_PIN)) fail(w + ".flags", "FOLL_GET and FOLL_PIN exclude each other");
      }
      s.cpus.back().push_back(op);
    }
  }
  if (j.contains("schedule")) {
    const json& sch = get_array(j["schedule"], "schedule", 0, MAX_SCHEDULE);
    for (size_t k = 0; k < sch.size(); k++)
      s.schedule.push_back(uint8_t(get_int(sch[k], "schedule[" + std::to_string(k) + "]", 0, int(s.cpus.size()) - 1)));
  }
  if (j.contains("bugs")) s.bugs = get_bugs(j["bugs"]);
  if (j.contains("note")) s.note = get_string(j["note"], "note");
  return s;
}

}  // namespace

std::optional<Scenario> scenario_from_json(std::string_view text, ParseError& err) {
  return jsonget::parse_strict(text, err.message, from_json);
}

std::string scenario_to_json(const Scenario& s, int indent) {
  json j = json::object();
  j["arch"] = arch_name(s.arch);
  j["recheck"] = s.recheck == Recheck::mainline ? "mainline" : "norecency";
  json regions = json::array();
  for (const Region& r : s.regions) {
    json o = json::object();
    o["va"] = r.va;
    o["pages"] = r.pages;
    for (const auto& f : kRegionFlags)
      if (r.flags & f.bit) o[f.name] = true;
    regions.push_back(o);
  }
  j["regions"] = regions;
  json cpus = json::array();
  for (const auto& prog : s.cpus) {
    json p = json::array();
    for (const Op& op : prog) {
      json o = json::object();
      o["op"] = std::string(info(op.kind).id);
      if (op_uses_va(op.kind)) o["va"] = op.va;
      if (op_max_nr(op.kind) > 1) o["nr"] = op.nr;
      if (op_flag_mask(op.kind)) {
        json fl = json::array();
        if (op.kind == OpKind::gup_fast && !(op.flags & FOLL_PIN)) fl.push_back("FOLL_GET");
        for (const auto& g : kGupFlags)
          if (op.flags & g.bit) fl.push_back(g.name);
        o["flags"] = fl;
      }
      p.push_back(o);
    }
    cpus.push_back(p);
  }
  j["cpus"] = cpus;
  j["schedule"] = s.schedule;
  if (!s.bugs.empty()) {
    json b = json::array();
    for (int i = 0; i < NR_BUGS; i++)
      if (s.bugs.has(Bug(i))) b.push_back(std::string(info(Bug(i)).id));
    j["bugs"] = b;
  }
  if (!s.note.empty()) j["note"] = s.note;
  return j.dump(indent);
}

std::optional<BugSet> parse_bug_list(std::string_view list, ParseError& err) {
  BugSet set;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view name = list.substr(pos, comma - pos);
    if (!name.empty()) {
      auto b = bug_from_name(name);
      if (!b) {
        err.message = "unknown injected bug \"" + std::string(name) + "\" (see `gupfuzz bugs`)";
        return std::nullopt;
      }
      set.add(*b);
    }
    pos = comma + 1;
  }
  return set;
}

}  // namespace gf
