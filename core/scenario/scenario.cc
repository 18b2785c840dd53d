// SPDX-License-Identifier: GPL-2.0
#include "core/scenario/scenario.h"

#include "core/base/json_get.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <utility>

namespace gf {

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

void decode_into(std::span<const uint8_t> bytes, Scenario& s, bool reuse, ScheduleForm form);
}  // namespace

Scenario decode(std::span<const uint8_t> bytes, ScheduleForm form) {
  Scenario s;
  decode_into(bytes, s, false, form);
  return s;
}

void decode(std::span<const uint8_t> bytes, Scenario& s, ScheduleForm form) { decode_into(bytes, s, true, form); }

std::optional<ScheduleForm> schedule_form_from_name(std::string_view name) {
  if (name.empty() || name == "preemptions") return ScheduleForm::preemptions;
  if (name == "steps") return ScheduleForm::steps;
  return std::nullopt;
}

namespace {
// The compact tail: { gap cpu } pairs; a cpu byte with bit 7 set is a spacer.
constexpr uint8_t SPACER = 0x80;

void decode_preempts(std::span<const uint8_t> tail, int ncpus, std::vector<Preempt>& out) {
  uint32_t at = 0;
  for (size_t k = 0; k < tail.size(); k += 2) {
    at += tail[k];
    if (at >= MAX_PREEMPT_AT) break;
    const uint8_t c = k + 1 < tail.size() ? tail[k + 1] : 0;
    if (c & SPACER) continue;
    if (out.size() == size_t(MAX_PREEMPTS)) break;
    out.push_back(Preempt{at, uint8_t(c % ncpus)});
  }
}

void decode_into(std::span<const uint8_t> bytes, Scenario& s, bool reuse, ScheduleForm form) {
  Reader in(bytes);
  s.regions.clear();
  s.schedule.clear();
  s.preempts.clear();
  s.form = form;
  if (reuse) {
    s.regions.reserve(MAX_REGIONS);
    if (form == ScheduleForm::steps) s.schedule.reserve(4096);
    else s.preempts.reserve(64);
  }
  s.bugs = BugSet{};
  s.note.clear();
  s.arch = kMachineArches[in.next() % NR_MACHINE_ARCHES];
  const uint8_t options = in.next();
  s.recheck = Recheck(options & 1);
  s.numa_off = (options & 2) && arch_has_numa_balancing(s.arch);
  s.pt_reclaim = options & 4;
  const int nregions = in.next() % MAX_REGIONS + 1;
  for (int i = 0; i < nregions; i++) {
    uint8_t va = in.next(), pages = in.next(), flags = in.next();
    if (s.numa_off) flags &= ~RF_PROTNONE;  // NUMA-hinting entries need NUMA_BALANCING
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
  if (form == ScheduleForm::preemptions) {
    decode_preempts(in.rest(), ncpus, s.preempts);
    return;
  }
  for (uint8_t b : in.rest()) {
    if (s.schedule.size() == size_t(MAX_SCHEDULE_STEPS)) break;
    s.schedule.push_back(uint8_t(b % ncpus));
  }
}
}  // namespace

namespace {
void encode_region(const Region& r, std::vector<uint8_t>& out) {
  out.push_back(r.va);
  out.push_back(uint8_t(r.pages - 1));
  out.push_back(r.flags);
}

// The operation's id, then only the arguments ops.def says it takes.
void encode_op(const Op& op, std::vector<uint8_t>& out) {
  out.push_back(uint8_t(op.kind));
  if (op_uses_va(op.kind)) out.push_back(op.va);
  if (op_max_nr(op.kind) > 1) out.push_back(uint8_t(op.nr - 1));
  if (op_flag_mask(op.kind)) out.push_back(op.flags);
}
}  // namespace

std::vector<uint8_t> encode(const Scenario& s) {
  std::vector<uint8_t> out;
  encode(s, out);
  return out;
}

void encode(const Scenario& s, std::vector<uint8_t>& out) {
  out.clear();
  out.push_back(uint8_t(machine_index(s.arch)));
  out.push_back(uint8_t(uint8_t(s.recheck) | (s.numa_off ? 2 : 0) | (s.pt_reclaim ? 4 : 0)));
  out.push_back(uint8_t(s.regions.size() - 1));
  for (const Region& r : s.regions) encode_region(r, out);
  out.push_back(uint8_t(s.cpus.size() - 1));
  for (const auto& prog : s.cpus) {
    out.push_back(uint8_t(prog.size()));
    for (const Op& op : prog) encode_op(op, out);
  }
  if (s.form == ScheduleForm::steps) {
    out.insert(out.end(), s.schedule.begin(), s.schedule.end());
    return;
  }
  uint32_t at = 0;
  for (const Preempt& p : s.preempts) {
    uint32_t gap = p.at - at;
    for (; gap > 255; gap -= 255) {
      out.push_back(255);
      out.push_back(SPACER);
    }
    out.push_back(uint8_t(gap));
    out.push_back(p.cpu);
    at = p.at;
  }
}

// ---------------------------------------------------------------- dictionary

namespace {
std::string dict_entry(const std::string& name, const std::vector<uint8_t>& bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = name + "=\"";
  for (uint8_t b : bytes) out += std::string("\\x") + kHex[b >> 4] + kHex[b & 15];
  return out + "\"\n";
}
}  // namespace

std::string fuzz_dictionary() {
  std::string out =
      "# fuzz_gup_interleave: byte tokens of core/scenario/scenario.h's encoding.\n"
      "# Generated by `gupfuzz dict` from core/base/ops.def and core/scenario/scenario.h;\n"
      "# the ctest gupfuzz.dict_current fails when this file drifts from them.\n"
      "# Operation ids (core/base/ops.def order), GUP flag sets, region flag sets, whole items.\n";
  for (int k = 0; k < NR_OPS; k++) out += dict_entry("op_" + std::string(info(OpKind(k)).id), {uint8_t(k)});
  const std::pair<const char*, uint8_t> gup_sets[] = {
      {"FOLL_WRITE", FOLL_WRITE},          {"FOLL_PIN", FOLL_PIN},      {"FOLL_PIN_WRITE", FOLL_PIN | FOLL_WRITE},
      {"FOLL_PIN_LONGTERM", FOLL_PIN | FOLL_LONGTERM}, {"FOLL_ALL", GUP_FLAG_MASK}};
  for (const auto& [name, f] : gup_sets) out += dict_entry(std::string("flags_") + name, {f});
  out += dict_entry("flags_NEED_RESCHED", {NEED_RESCHED});
  const std::pair<const char*, uint8_t> region_sets[] = {
      {"anon", RF_ANON},
      {"anon_write", RF_ANON | RF_WRITE},
      {"anon_write_large", RF_ANON | RF_WRITE | RF_LARGE},
      {"anon_write_large_dirty", RF_ANON | RF_WRITE | RF_LARGE | RF_DIRTY},
      {"anon_wp", RF_ANON | RF_WRITE | RF_WP},
      {"anon_protnone", RF_ANON | RF_PROTNONE},
      {"zero", RF_ANON | RF_ZERO},
      {"file_write", RF_WRITE}};
  for (const auto& [name, f] : region_sets) out += dict_entry(std::string("region_") + name, {f});
  std::vector<uint8_t> b;
  encode_op(Op{OpKind::gup_fast, 0, 1, uint8_t(FOLL_PIN | FOLL_WRITE)}, b);
  out += dict_entry("gup_fast_pin_write_va0_nr1", b);
  b.clear();
  encode_region(Region{0, 32, uint8_t(RF_ANON | RF_WRITE)}, b);
  out += dict_entry("region_anon_write_32_pages", b);
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
    {FOLL_WRITE, "FOLL_WRITE"}, {FOLL_PIN, "FOLL_PIN"}, {FOLL_LONGTERM, "FOLL_LONGTERM"}, {NEED_RESCHED, "NEED_RESCHED"}};

Arch arch_from_json(const json& j) {
  std::string a = get_string(j, "arch");
  auto id = machine_arch_from_name(a);
  if (!id) {
    std::string known;  // "x86_64, arm64"
    for (Arch m : kMachineArches) known += (known.empty() ? "" : ", ") + std::string(arch_name(m));
    fail("arch", "unknown architecture \"" + a + "\" (" + known + ")");
  }
  return *id;
}

Recheck recheck_from_json(const json& j) {
  std::string r = get_string(j, "recheck");
  if (r == "norecency") return Recheck::norecency;
  if (r == "mainline") return Recheck::mainline;
  fail("recheck", "unknown value \"" + r + "\" (norecency, mainline)");
}

Region region_from_json(const json& r, const std::string& w) {
  only_keys(r, w, {"va", "pages", "anon", "write", "large", "old", "dirty", "wp", "protnone", "zero"});
  if (!r.contains("va")) fail(w, "missing \"va\"");
  Region reg;
  reg.va = uint8_t(get_int(r["va"], w + ".va", 0, NR_VPAGES - 1));
  reg.pages = r.contains("pages") ? uint8_t(get_int(r["pages"], w + ".pages", 1, 32)) : 1;
  for (const auto& f : kRegionFlags)
    if (r.contains(f.name) && get_bool(r[f.name], w + "." + f.name)) reg.flags |= f.bit;
  if ((reg.flags & RF_LARGE) && (reg.va % CONT_PTES || (reg.pages != 16 && reg.pages != 32)))
    fail(w, "a large region starts at a multiple of 16 and has 16 or 32 pages");
  return reg;
}

// "flags": names of the GUP flags ops.def says the operation takes; gup_fast
// also takes FOLL_GET (its default: no FOLL_PIN).
uint8_t op_flags_from_json(const json& o, OpKind kind, const std::string& name, const std::string& w) {
  const uint8_t mask = op_flag_mask(kind);
  if (!mask) fail(w, name + " takes no \"flags\"");
  const json& fl = get_array(o["flags"], w + ".flags", 0, 3);
  uint8_t flags = 0;
  bool get = false;  // FOLL_GET: a gup_fast without FOLL_PIN (the default)
  for (size_t q = 0; q < fl.size(); q++) {
    const std::string f = get_string(fl[q], w + ".flags[" + std::to_string(q) + "]");
    if (f == "FOLL_GET" && kind == OpKind::gup_fast) {
      get = true;
      continue;
    }
    uint8_t bit = 0;
    for (const auto& g : kGupFlags)
      if (f == g.name) bit = g.bit;
    if (!(bit & mask)) fail(w + ".flags", "\"" + f + "\" is not a flag of " + name);
    flags |= bit;
  }
  if (get && (flags & FOLL_PIN)) fail(w + ".flags", "FOLL_GET and FOLL_PIN exclude each other");
  return flags;
}

// One operation: "op", then exactly the arguments ops.def says it takes.
Op op_from_json(const json& o, const std::string& w) {
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
  if (o.contains("flags")) op.flags = op_flags_from_json(o, op.kind, name, w);
  return op;
}

std::vector<Op> program_from_json(const json& p, const std::string& wc) {
  const json& prog = get_array(p, wc, 0, MAX_OPS_PER_CPU);
  std::vector<Op> ops;
  for (size_t k = 0; k < prog.size(); k++) ops.push_back(op_from_json(prog[k], wc + "[" + std::to_string(k) + "]"));
  return ops;
}

Scenario from_json(const json& j) {
  only_keys(j, "scenario", {"arch", "recheck", "numa_balancing", "pt_reclaim", "regions", "cpus", "schedule", "preemptions", "bugs", "note"});
  Scenario s;
  if (!j.contains("arch")) fail("scenario", "missing \"arch\"");
  s.arch = arch_from_json(j["arch"]);
  if (j.contains("recheck")) s.recheck = recheck_from_json(j["recheck"]);
  if (j.contains("numa_balancing")) {
    const bool numa = get_bool(j["numa_balancing"], "numa_balancing");
    if (numa && !arch_has_numa_balancing(s.arch))
      fail("numa_balancing", std::string(arch_name(s.arch)) + "'s configuration has no CONFIG_NUMA_BALANCING");
    s.numa_off = !numa && arch_has_numa_balancing(s.arch);
  }
  if (j.contains("pt_reclaim")) s.pt_reclaim = get_bool(j["pt_reclaim"], "pt_reclaim");
  if (!j.contains("regions")) fail("scenario", "missing \"regions\"");
  const json& regions = get_array(j["regions"], "regions", 1, MAX_REGIONS);
  for (size_t i = 0; i < regions.size(); i++)
    s.regions.push_back(region_from_json(regions[i], "regions[" + std::to_string(i) + "]"));
  for (size_t i = 0; i < s.regions.size(); i++)
    if (s.numa_off && (s.regions[i].flags & RF_PROTNONE))
      fail("regions[" + std::to_string(i) + "].protnone", "NUMA-hinting entries need NUMA_BALANCING (\"numa_balancing\": false)");
  if (!j.contains("cpus")) fail("scenario", "missing \"cpus\"");
  const json& cpus = get_array(j["cpus"], "cpus", 1, MAX_CPUS);
  for (size_t c = 0; c < cpus.size(); c++) s.cpus.push_back(program_from_json(cpus[c], "cpus[" + std::to_string(c) + "]"));
  if (j.contains("schedule")) {
    const json& sch = get_array(j["schedule"], "schedule", 0, MAX_SCHEDULE_STEPS);
    for (size_t k = 0; k < sch.size(); k++)
      s.schedule.push_back(uint8_t(get_int(sch[k], "schedule[" + std::to_string(k) + "]", 0, int(s.cpus.size()) - 1)));
  }
  if (j.contains("preemptions")) {
    if (j.contains("schedule")) fail("scenario", "\"schedule\" and \"preemptions\" are two forms of one schedule: give one");
    s.form = ScheduleForm::preemptions;
    const json& pre = get_array(j["preemptions"], "preemptions", 0, MAX_PREEMPTS);
    uint32_t last = 0;
    for (size_t k = 0; k < pre.size(); k++) {
      const std::string w = "preemptions[" + std::to_string(k) + "]";
      if (!pre[k].is_object()) fail(w, "must be an object {\"at\": step, \"cpu\": n}");
      only_keys(pre[k], w, {"at", "cpu"});
      if (!pre[k].contains("at") || !pre[k].contains("cpu")) fail(w, "needs \"at\" and \"cpu\"");
      Preempt p;
      p.at = uint32_t(get_int(pre[k]["at"], w + ".at", int(last), int(MAX_PREEMPT_AT) - 1));
      p.cpu = uint8_t(get_int(pre[k]["cpu"], w + ".cpu", 0, int(s.cpus.size()) - 1));
      last = p.at;
      s.preempts.push_back(p);
    }
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
  if (s.numa_off) j["numa_balancing"] = false;
  if (s.pt_reclaim) j["pt_reclaim"] = true;
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
  if (s.form == ScheduleForm::steps) {
    j["schedule"] = s.schedule;
  } else {
    json pre = json::array();
    for (const Preempt& p : s.preempts) pre.push_back(json{{"at", p.at}, {"cpu", p.cpu}});
    j["preemptions"] = pre;
  }
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
