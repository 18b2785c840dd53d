// SPDX-License-Identifier: GPL-2.0
#include "core/report/report.h"

#include <nlohmann/json.hpp>

#include <cstdio>

#include "core/arch/registry.h"
#include "core/decoder/semantic.h"
#include "core/mm/cell_kind.h"

namespace gf {
namespace {

constexpr int kStepWidth = 8;
constexpr int kColWidth = 52;

std::string cell_name(uint32_t tag) {
  char b[64];
  std::snprintf(b, sizeof b, info(tag_kind(tag)).trace, unsigned(tag_index(tag)));
  return b;
}

// The kind of a cell, without its index: "pte", "refcount", ...
const char* cell_kind_name(uint32_t tag) { return info(tag_kind(tag)).name; }

std::string value(Arch arch, uint32_t tag, uint64_t v) {
  switch (tag_kind(tag)) {
    case CellKind::pte: return describe_pte(arch, v);
    case CellKind::pmd: return describe_pmd(arch, v);
    case CellKind::refcount:
    case CellKind::pincount: return std::to_string(int64_t(v));
    default: return std::to_string(v);
  }
}

// The accesses a reader needs to follow the race.
bool matters(const Event& e) {
  if (e.acc.tag == 0) return true;
  const CellKind k = tag_kind(e.acc.tag);
  switch (k) {
    case CellKind::pte:
    case CellKind::pmd:
    case CellKind::refcount:
    case CellKind::pincount:
    case CellKind::folio_dirty:
    case CellKind::seqcount: return e.acc.kind != Acc::cmpxchg || e.acc.ok || k == CellKind::pte;
    case CellKind::irq:
    case CellKind::rcu: return e.acc.kind != Acc::load;
    default: return false;  // MMU-walk markers, locks, waits
  }
}

std::string describe(Arch arch, const Event& e) {
  if (e.acc.tag == 0) return e.note;
  const Access& a = e.acc;
  const std::string name = cell_name(a.tag);
  const CellKind k = tag_kind(a.tag);
  if (a.kind == Acc::load && (k == CellKind::irq || k == CellKind::rcu || k == CellKind::walk))
    return "wait for cpu" + std::to_string(tag_index(a.tag)) + " " + name + ": epoch " + std::to_string(a.before);
  if (k == CellKind::irq) return a.after & 1 ? "local_irq_save()" : "local_irq_restore()";
  if (k == CellKind::rcu) return a.after & 1 ? "rcu_read_lock()" : "rcu_read_unlock()";
  if (k == CellKind::walk) return a.after & 1 ? "MMU walk begins" : "MMU walk ends";
  switch (a.kind) {
    case Acc::load: return "read " + name + " = " + value(arch, a.tag, a.before);
    case Acc::plain: return "plain read (not READ_ONCE) " + name + " = " + value(arch, a.tag, a.before);
    case Acc::cmpxchg:
      if (!a.ok) return "cmpxchg " + name + " failed, found " + value(arch, a.tag, a.before);
      [[fallthrough]];
    default:
      if (a.before == a.after) return "write " + name + " = " + value(arch, a.tag, a.after) + " (unchanged)";
      return "write " + name + " = " + value(arch, a.tag, a.after) + "  [was " +
             (k == CellKind::pte ? hex(a.before) : value(arch, a.tag, a.before)) + "]";
  }
}

}  // namespace

std::string describe_pte(Arch arch, uint64_t v) { return hex(v) + " (" + sem_decode(arch, v).str() + ")"; }

std::string describe_pmd(Arch arch, uint64_t v) {
  return with_machine_arch(arch, [&]<class A>() {
    if (v == A::PMD_NONE) return std::string("none");
    if (A::pmd_leaf(v)) return "huge " + hex(v) + " (" + sem_decode(arch, A::pmd_pte(v)).str() + ")";
    return "table #" + std::to_string(Machine::serial_of_pmd(v));
  });
}

std::string violating_access(const Scenario& s, const RunResult& traced) {
  const Verdict& v = traced.verdict;
  if (!v.violated || v.cpu < 0) return "end";
  // The last shared access of the violating CPU at or before the violating step.
  for (auto it = traced.events.rbegin(); it != traced.events.rend(); ++it) {
    if (it->cpu != v.cpu || it->acc.tag == 0 || it->step > v.step) continue;
    return std::string(access_name(it->acc.kind)) + " " + cell_kind_name(it->acc.tag);
  }
  (void)s;
  return "none";
}

std::string report_json(const Scenario& s, const RunResult& traced, const std::string& file, int indent) {
  using nlohmann::json;
  const Verdict& v = traced.verdict;
  json j = {{"schema", kReportSchema}, {"file", file}, {"verdict", v.violated ? "violation" : "clean"},
            {"steps", traced.steps}, {"arch", arch_name(s.arch)}};
  json bugs = json::array();
  for (int i = 0; i < NR_BUGS; i++)
    if (s.bugs.has(Bug(i))) bugs.push_back(std::string(info(Bug(i)).id));
  j["bugs"] = bugs;
  if (v.violated) {
    j["invariant"] = {{"id", std::string(info(v.oracle).id)}, {"statement", std::string(info(v.oracle).statement)}};
    j["message"] = v.message;
    j["step"] = v.step;
    j["cpu"] = v.cpu;
    j["op_index"] = v.op;
    j["op"] = violating_op(s, traced);
    j["access"] = violating_access(s, traced);
    j["signature"] = crash_signature(s, traced);
  }
  j["scenario"] = json::parse(scenario_to_json(s, -1));
  json events = json::array();
  for (const Event& e : traced.events) {
    json o = {{"step", e.step}, {"cpu", e.cpu}, {"text", describe(s.arch, e)}, {"matters", matters(e)}};
    if (e.acc.tag != 0) {
      o["cell"] = cell_name(e.acc.tag);
      o["access"] = access_name(e.acc.kind);
      o["ok"] = e.acc.ok;
      o["before"] = hex(e.acc.before);
      o["after"] = hex(e.acc.after);
      if (e.acc.file) o["source"] = model_line(e.acc.file, e.acc.line);
    }
    events.push_back(o);
  }
  j["events"] = events;
  return j.dump(indent);
}

// The machine's configuration as the summary names it: the architecture,
// "no NUMA_BALANCING" when the scenario switches it off, "PT_RECLAIM" when
// it runs v6.14's PTE-table reclaim.
static std::string arch_label(const Scenario& s) {
  return std::string(arch_name(s.arch)) + (s.numa_off ? ", no NUMA_BALANCING" : "") + (s.pt_reclaim ? ", PT_RECLAIM" : "");
}

std::string crash_signature(const Scenario& s, const RunResult& traced) {
  if (!traced.verdict.violated) return "clean";
  return std::string(info(traced.verdict.oracle).id) + " in " + violating_op(s, traced) + " at " +
         violating_access(s, traced) + " [" + arch_label(s) + "]";
}

std::string bug_list(const BugSet& b) {
  std::string s;
  for (int i = 0; i < NR_BUGS; i++) {
    if (!b.has(Bug(i))) continue;
    if (!s.empty()) s += ',';
    s += info(Bug(i)).id;
  }
  return s;
}

std::string format_trace(const Scenario& s, const RunResult& r, const TraceOptions& o) {
  const int ncpu = int(s.cpus.size());
  std::string out(kStepWidth, ' ');
  for (int c = 0; c < ncpu; c++) {
    std::string h = "CPU " + std::to_string(c);
    out += h + std::string(kColWidth - h.size(), ' ');
  }
  out += '\n';
  const char* red = o.color ? "\033[1;31m" : "";
  const char* dim = o.color ? "\033[2m" : "";
  const char* reset = o.color ? "\033[0m" : "";
  for (const Event& e : r.events) {
    if (!o.all && !matters(e)) continue;
    const bool violation = e.acc.tag == 0 && e.note.rfind("VIOLATION", 0) == 0;
    char stepbuf[16];
    std::snprintf(stepbuf, sizeof stepbuf, "%6llu  ", (unsigned long long)e.step);
    std::string line = violation ? std::string(">>>>    ") : std::string(stepbuf);
    const int col = e.cpu < 0 ? 0 : e.cpu;
    line += std::string(size_t(col) * kColWidth, ' ');
    std::string text = describe(s.arch, e);
    if (e.acc.tag == 0 && !violation) text = "-- " + text;
    out += line + (violation ? red : (e.acc.tag == 0 ? dim : "")) + text + reset + '\n';
  }
  return out;
}

std::string violating_op(const Scenario& s, const RunResult& r) {
  const Verdict& v = r.verdict;
  if (v.cpu < 0 || v.op < 0 || size_t(v.cpu) >= s.cpus.size() || size_t(v.op) >= s.cpus[v.cpu].size()) return "end";
  return std::string(info(s.cpus[v.cpu][v.op].kind).id);
}

std::string format_failure(const Failure& f) {
  std::string out = "==gupfuzz== ERROR: " + f.id + f.headline + "\n" + f.details;
  out += "SUMMARY: gupfuzz: " + f.id + " in " + f.where + " [" + f.arch + "]" + f.summary_note + "\n";
  if (!f.replay.empty()) out += "replay: " + f.replay + "\n";
  return out + f.after;
}

namespace {
// "GUPFUZZ_BUGS=a,b " before a replay command, "" without bugs.
std::string bugs_env(const std::string& bugs) { return bugs.empty() ? std::string() : "GUPFUZZ_BUGS=" + bugs + " "; }

std::string headline_context(const char* arch, const std::string& bugs) {
  return std::string(" (") + arch + ", bugs: " + (bugs.empty() ? "none" : bugs) + ")";
}
}  // namespace

std::string format_report(const Scenario& s, const RunResult& r, const std::string& artifact, const TraceOptions& o) {
  const Verdict& v = r.verdict;
  const std::string bugs = bug_list(s.bugs);
  Failure f;
  f.id = info(v.oracle).id;
  f.headline = " at step " + std::to_string(v.step) +
               (v.cpu >= 0 ? " on cpu" + std::to_string(v.cpu) : std::string(" (end of run)")) +
               headline_context(arch_label(s).c_str(), bugs);
  f.details = "  " + v.message + "\n  invariant: " + std::string(info(v.oracle).statement) + "\n";
  if (v.known >= 0)
    f.details += "  known finding " + std::string(info(KnownRace(v.known)).id) + " (core/base/known.def): " +
                 std::string(info(KnownRace(v.known)).text) + "\n";
  f.details += "\n";
  if (!r.events.empty()) f.details += format_trace(s, r, o) + "\n";
  f.where = violating_op(s, r);
  f.arch = arch_label(s);
  f.replay = bugs_env(bugs) + "gupfuzz replay " + artifact + "   (trace: gupfuzz trace " + artifact + ")";
  return format_failure(f);
}

std::string format_pte_report(const PteCase& c, const PteVerdict& v, const std::string& file) {
  if (!v.violation) return "";
  const PteFinding& p = *v.violation;
  const std::string bugs = bug_list(c.bugs);
  Failure f;
  f.id = info(p.oracle).id;
  f.arch = info(c.arch).name;
  f.headline = headline_context(f.arch.c_str(), bugs);
  f.details = pte_violation_details(c, p);
  f.where = p.what;
  // Byte inputs take their bugs from the environment (JSON ones ignore it).
  if (!file.empty()) f.replay = bugs_env(bugs) + "gupfuzz pte-check " + file;
  return format_failure(f);
}

std::string explore_json(const std::string& file, const Scenario& s, int max_preemptions, const ExploreResult& r,
                         double seconds, const std::string& output) {
  nlohmann::ordered_json j = {{"schema", kExploreSchema},
                              {"file", file},
                              {"arch", arch_name(s.arch)},
                              {"bugs", nlohmann::json::array()},
                              {"max_preemptions", max_preemptions}};
  for (int b = 0; b < NR_BUGS; b++)
    if (s.bugs.has(Bug(b))) j["bugs"].push_back(std::string(info(Bug(b)).id));
  j["result"] = r.found ? "found" : r.complete ? "clean" : "incomplete";
  j["bound_done"] = r.bound_done;
  j["schedules"] = r.schedules;
  j["executions"] = r.executions;
  j["pruned"] = r.pruned;
  j["steps"] = r.steps;
  j["max_depth"] = r.max_depth;
  j["seconds"] = seconds;
  j["schedules_per_second"] = seconds > 0 ? double(r.schedules) / seconds : 0.0;
  if (r.found) {
    j["preemptions"] = r.preemptions;
    j["invariant"] = {{"id", std::string(info(r.verdict.oracle).id)},
                      {"statement", std::string(info(r.verdict.oracle).statement)}};
    j["message"] = r.verdict.message;
    j["step"] = r.verdict.step;
    j["replays"] = r.replays;
    j["schedule"] = r.replay.schedule;
    j["scenario"] = nlohmann::ordered_json::parse(scenario_to_json(r.replay));
    if (!output.empty()) j["output"] = output;
  }
  return j.dump();
}

}  // namespace gf
