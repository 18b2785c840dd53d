// SPDX-License-Identifier: GPL-2.0
//
// gupfuzz: replay, trace and convert scenarios; list injected bugs and oracles.
// Exit codes mean one thing each: 0 clean, 1 an invariant was violated,
// 2 bad input or bad arguments.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <iostream>
#include <string>
#include <unistd.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/audit.h"
#include "core/norecency.h"
#include "core/pte_check.h"
#include "core/report.h"
#include "core/semantic.h"
#include "core/run.h"
#include "core/scenario.h"
#include "repro/load.h"
#include "repro/minimize.h"

namespace {

using gf::repro::load_scenario;

constexpr int kClean = 0, kViolation = 1, kBadInput = 2;

int bad(const std::string& msg) {
  std::fprintf(stderr, "gupfuzz: %s\n", msg.c_str());
  return kBadInput;
}

// Injected bugs for byte inputs: --bugs, else GUPFUZZ_BUGS.
bool bytes_bugs(const std::string& flag, gf::BugSet& out, std::string& err) {
  std::string list = flag;
  if (list.empty())
    if (const char* env = std::getenv("GUPFUZZ_BUGS")) list = env;
  gf::ParseError pe;
  auto set = gf::parse_bug_list(list, pe);
  if (!set) {
    err = (flag.empty() ? "GUPFUZZ_BUGS: " : "--bugs: ") + pe.message;
    return false;
  }
  out = *set;
  return true;
}

gf::RunResult run_traced(const gf::Scenario& s) {
  gf::RunOptions o;
  o.machine.trace = true;
  return gf::run(s, o);
}

// A JSON PTE case (it has "start") encodes as fuzz_pte_norecency bytes.
bool is_pte_case_file(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return data.size() <= gf::repro::MAX_INPUT_BYTES && gf::looks_like_pte_case(data);
}

int cmd_replay(const std::vector<std::string>& args, const std::string& bugs_flag, bool quiet, bool unchecked,
               bool json) {
  gf::BugSet bugs;
  std::string err;
  if (!bytes_bugs(bugs_flag, bugs, err)) return bad(err);
  std::vector<std::string> files;
  if (!gf::repro::expand_paths(args, files, err)) return bad(err);
  int rc = kClean;
  size_t clean = 0, violated = 0;
  for (const auto& f : files) {
    if (is_pte_case_file(f)) {  // a PTE case: gupfuzz pte-check's path
      auto c = gf::repro::load_pte_case(f, bugs, err);
      if (!c) {
        bad(err);
        rc = kBadInput;
        continue;
      }
      const gf::PteVerdict v = gf::check_pte_case(*c);
      if (!v.violated()) {
        clean++;
        if (!quiet && !json) std::printf("%s: clean (PTE case)\n", f.c_str());
        continue;
      }
      violated++;
      if (rc == kClean) rc = kViolation;
      if (!json) std::fputs(gf::format_pte_report(*c, v, f).c_str(), stdout);
      else std::printf("%s\n", nlohmann::json({{"schema", gf::kReportSchema}, {"file", f}, {"verdict", "violation"},
                                                {"kind", "pte_case"},
                                                {"invariant", {{"id", std::string(gf::info(v.violation->oracle).id)},
                                                               {"statement", std::string(gf::info(v.violation->oracle).statement)}}},
                                                {"message", v.violation->message()},
                                                {"case", nlohmann::json::parse(gf::pte_case_to_json(*c, -1))}})
                                    .dump()
                                    .c_str());
      continue;
    }
    auto l = load_scenario(f, bugs, err);
    if (!l) {
      bad(err);
      rc = kBadInput;
      continue;
    }
    gf::RunOptions o;
    o.machine.unchecked_tables = unchecked;
    gf::RunResult r = gf::run(l->scenario, o);
    if (json) {  // JSON Lines: one report per file (repro/SCHEMA.md)
      if (r.verdict.violated) violated++, rc = rc == kClean ? kViolation : rc;
      else clean++;
      std::printf("%s\n", gf::report_json(l->scenario, run_traced(l->scenario), f).c_str());
      continue;
    }
    if (!r.verdict.violated) {
      clean++;
      if (!quiet) std::printf("%s: clean (%llu steps)\n", f.c_str(), (unsigned long long)r.steps);
      continue;
    }
    violated++;
    if (rc == kClean) rc = kViolation;
    std::fputs(gf::format_report(l->scenario, run_traced(l->scenario), f).c_str(), stdout);
  }
  if (files.size() > 1 && !json)
    std::printf("%zu files: %zu clean, %zu violated, %zu bad\n", files.size(), clean, violated,
                files.size() - clean - violated);
  return rc;
}

int cmd_trace(const std::string& file, const std::string& bugs_flag, bool all, bool color) {
  gf::BugSet bugs;
  std::string err;
  if (!bytes_bugs(bugs_flag, bugs, err)) return bad(err);
  auto l = load_scenario(file, bugs, err);
  if (!l) return bad(err);
  gf::RunResult r = run_traced(l->scenario);
  gf::TraceOptions o{all, color};
  if (r.verdict.violated) {
    std::fputs(gf::format_report(l->scenario, r, file, o).c_str(), stdout);
    return kViolation;
  }
  std::fputs(gf::format_trace(l->scenario, r, o).c_str(), stdout);
  std::printf("clean: no invariant violated in %llu steps\n", (unsigned long long)r.steps);
  return kClean;
}

int write_or_print(const std::string& out, const std::string& data) {
  if (out.empty()) {
    std::fwrite(data.data(), 1, data.size(), stdout);
    return kClean;
  }
  std::string err;
  if (!gf::repro::write_atomically(out, data, err)) return bad(err);
  return kClean;
}

int cmd_decode(const std::string& file, const std::string& out, const std::string& bugs_flag, bool pte) {
  gf::BugSet bugs;
  std::string err;
  if (!bytes_bugs(bugs_flag, bugs, err)) return bad(err);
  if (pte) {
    auto c = gf::repro::load_pte_case(file, bugs, err);
    if (!c) return bad(err);
    return write_or_print(out, gf::pte_case_to_json(*c) + "\n");
  }
  auto l = load_scenario(file, bugs, err);
  if (!l) return bad(err);
  return write_or_print(out, gf::scenario_to_json(l->scenario) + "\n");
}

int cmd_encode(const std::string& file, const std::string& out) {
  std::string err;
  if (is_pte_case_file(file)) {
    auto c = gf::repro::load_pte_case(file, {}, err);
    if (!c) return bad(err);
    if (out.empty() && isatty(1)) return bad("encode: refusing to write binary to a terminal; use -o FILE");
    auto bytes = gf::encode(*c);
    return write_or_print(out, std::string(bytes.begin(), bytes.end()));
  }
  auto l = load_scenario(file, {}, err);
  if (!l) return bad(err);
  if (out.empty() && isatty(1)) return bad("encode: refusing to write binary to a terminal; use -o FILE");
  auto bytes = gf::encode(l->scenario);
  return write_or_print(out, std::string(bytes.begin(), bytes.end()));
}

// Minimal scenario with the same invariant: PREFIX.json and PREFIX.bin, both
// written atomically (default PREFIX: FILE without its extension, plus .min).
int cmd_minimize(const std::string& file, const std::string& out_prefix, const std::string& bugs_flag) {
  gf::BugSet bugs;
  std::string err;
  if (!bytes_bugs(bugs_flag, bugs, err)) return bad(err);
  auto l = load_scenario(file, bugs, err);
  if (!l) return bad(err);
  const gf::RunResult before = gf::run(l->scenario);
  if (!before.verdict.violated) return bad(file + ": runs clean, nothing to minimize");
  gf::repro::MinimizeStats st;
  gf::Scenario m = gf::repro::minimize(l->scenario, st);
  m.note = "minimized from " + file + " by gupfuzz minimize: " + std::string(gf::info(before.verdict.oracle).id);
  std::string prefix = out_prefix;
  if (prefix.empty()) {
    prefix = file;
    const size_t slash = prefix.find_last_of('/'), dot = prefix.find_last_of('.');
    if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) prefix.resize(dot);
    prefix += ".min";
  }
  const auto bytes = gf::encode(m);
  if (!gf::repro::write_atomically(prefix + ".json", gf::scenario_to_json(m) + "\n", err)) return bad(err);
  if (!gf::repro::write_atomically(prefix + ".bin", std::string(bytes.begin(), bytes.end()), err)) return bad(err);
  std::printf("%s: %s kept; violating step %llu -> %llu, operations %zu -> %zu, schedule %zu -> %zu, %llu runs\n",
              file.c_str(), std::string(gf::info(before.verdict.oracle).id).c_str(),
              (unsigned long long)st.steps_before, (unsigned long long)st.steps_after, st.ops_before, st.ops_after,
              st.schedule_before, st.schedule_after, (unsigned long long)st.runs);
  std::printf("wrote %s.json and %s.bin%s\n", prefix.c_str(), prefix.c_str(),
              bugs.empty() || l->json ? "" : " (the bytes need GUPFUZZ_BUGS again; the JSON carries them)");
  return kClean;
}

// Groups crash files by signature: invariant, operation, access, arch.
int cmd_triage(const std::vector<std::string>& args, const std::string& bugs_flag, bool json, bool pte) {
  gf::BugSet bugs;
  std::string err;
  if (!bytes_bugs(bugs_flag, bugs, err)) return bad(err);
  std::vector<std::string> files;
  if (!gf::repro::expand_paths(args, files, err)) return bad(err);
  struct Group {
    size_t count = 0;
    std::string smallest;
    uint64_t smallest_step = ~0ull;  // its violating step (a PTE case: its size in bytes)
    std::string oracle;
    bool pte = false;
  };
  std::map<std::string, Group> groups;
  size_t clean = 0, badn = 0;
  for (const auto& f : files) {
    if (pte || is_pte_case_file(f)) {  // PTE cases (fuzz_pte_norecency crashes with --pte)
      auto c = gf::repro::load_pte_case(f, bugs, err);
      if (!c) {
        bad(err);
        badn++;
        continue;
      }
      const gf::PteVerdict v = gf::check_pte_case(*c);
      if (!v.violated()) {
        clean++;
        continue;
      }
      const std::string id(gf::info(v.violation->oracle).id);
      Group& g = groups[id + " in " + v.violation->what + " [" + std::string(gf::info(c->arch).name) + "]"];
      g.count++;
      g.oracle = id;
      g.pte = true;
      const uint64_t size = gf::encode(*c).size();
      if (size < g.smallest_step || (size == g.smallest_step && f < g.smallest)) g.smallest = f, g.smallest_step = size;
      continue;
    }
    auto l = load_scenario(f, bugs, err);
    if (!l) {
      bad(err);
      badn++;
      continue;
    }
    const gf::RunResult r = run_traced(l->scenario);
    if (!r.verdict.violated) {
      clean++;
      continue;
    }
    Group& g = groups[gf::crash_signature(l->scenario, r)];
    g.count++;
    g.oracle = gf::info(r.verdict.oracle).id;
    if (r.verdict.step < g.smallest_step || (r.verdict.step == g.smallest_step && f < g.smallest))
      g.smallest = f, g.smallest_step = r.verdict.step;
  }
  if (badn) return kBadInput;  // the errors are on stderr; no table for a partial read
  if (json) {
    nlohmann::json j = {{"schema", "gupfuzz-triage/1"}, {"files", files.size()}, {"clean", clean},
                        {"bad", badn}, {"groups", nlohmann::json::array()}};
    for (const auto& [sig, g] : groups)
      j["groups"].push_back({{"signature", sig}, {"invariant", g.oracle}, {"count", g.count},
                             {"smallest", g.smallest}, {g.pte ? "smallest_bytes" : "smallest_step", g.smallest_step}});
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    for (const auto& [sig, g] : groups)
      std::printf("%5zu  %s  (smallest: %s, %s %llu)\n", g.count, sig.c_str(), g.smallest.c_str(),
                  g.pte ? "bytes" : "step", (unsigned long long)g.smallest_step);
    std::printf("%zu files: %zu groups, %zu clean, %zu bad\n", files.size(), groups.size(), clean, badn);
  }
  return groups.empty() ? kClean : kViolation;
}

int cmd_bugs() {
  std::printf("%-28s %-28s %-9s %s\n", "injected bug", "caught by", "in", "what goes wrong  [kernel reference]");
  for (int i = 0; i < gf::NR_BUGS; i++) {
    const auto& b = gf::info(gf::Bug(i));
    const std::string where = b.where.empty() ? "machine" : b.where == "*" ? "every arch" : std::string(b.where);
    std::printf("%-28.*s %-28.*s %-9s %.*s  [%.*s]\n", int(b.id.size()), b.id.data(),
                int(gf::info(b.oracle).id.size()), gf::info(b.oracle).id.data(), where.c_str(), int(b.text.size()),
                b.text.data(), int(b.kernel_ref.size()), b.kernel_ref.data());
  }
  return kClean;
}

// --- PTE-level commands ------------------------------------------------------

bool parse_arches(const std::vector<std::string>& names, std::vector<gf::PteArch>& out, std::string& err) {
  if (names.empty())
    for (int i = 0; i < gf::NR_PTE_ARCHES; i++) out.push_back(gf::PteArch(i));
  for (const auto& n : names) {
    auto a = gf::pte_arch_from_name(n);
    if (!a) {
      err = "--arch: unknown architecture \"" + n + "\" (see gupfuzz archs)";
      return false;
    }
    out.push_back(*a);
  }
  return true;
}

int cmd_archs() {
  for (int i = 0; i < gf::NR_PTE_ARCHES; i++) {
    const auto& a = gf::info(gf::PteArch(i));
    std::printf("%-14.*s %.*s\n", int(a.name.size()), a.name.data(), int(a.text.size()), a.text.data());
  }
  return kClean;
}

// Exit 0 when every cell is safe or known, 1 when one is unsafe or spurious.
int cmd_audit(const std::vector<std::string>& arch_names, const std::string& bugs_flag, bool json, bool markdown,
              int max_bits, const std::string& out) {
  std::vector<gf::PteArch> arches;
  std::string err;
  if (!parse_arches(arch_names, arches, err)) return bad(err);
  gf::ParseError pe;
  auto bugs = gf::parse_bug_list(bugs_flag, pe);
  if (!bugs) return bad("--bugs: " + pe.message);
  if (max_bits < 1 || max_bits > 30) return bad("--max-bits: expected 1..30");
  gf::AuditOptions o;
  o.max_bits = max_bits;
  std::vector<gf::AuditArch> rows;
  bool clean = true;
  for (gf::PteArch a : arches) {
    rows.push_back(gf::run_audit(a, *bugs, o));
    clean &= rows.back().clean();
  }
  const std::string text = json ? gf::audit_json(rows) + "\n" : markdown ? gf::audit_markdown(rows) : gf::audit_text(rows);
  if (const int rc = write_or_print(out, text); rc != kClean) return rc;
  return clean ? kClean : kViolation;
}

int cmd_pte(const std::string& arch_name, const std::string& value, bool json) {
  auto a = gf::pte_arch_from_name(arch_name);
  if (!a) return bad("--arch: unknown architecture \"" + arch_name + "\" (see gupfuzz archs)");
  size_t used = 0;
  uint64_t v = 0;
  try {
    v = std::stoull(value, &used, 0);
  } catch (...) {
    used = 0;
  }
  if (value.empty() || used != value.size() || value[0] == '-')
    return bad("VALUE: \"" + value + "\" is not a 64-bit number (0x... or decimal)");
  if (!json) {
    std::fputs(gf::describe_pte(*a, v).c_str(), stdout);
    return kClean;
  }
  const gf::PteSem s = gf::sem_decode(*a, v);
  static const char* kinds[] = {"none", "present", "protnone", "nonpresent"};
  nlohmann::json j = {{"arch", std::string(gf::info(*a).name)},
                      {"value", gf::hex(v)},
                      {"bits", gf::bit_names(*a, v)},
                      {"record",
                       {{"kind", kinds[s.kind]}, {"valid", s.valid}, {"pfn", s.pfn}, {"write", s.write},
                        {"read", s.read}, {"user", s.user}, {"exec", s.exec}, {"young", s.young},
                        {"dirty", s.dirty}, {"special", s.special}, {"devmap", s.devmap}, {"uffd_wp", s.uffd_wp},
                        {"soft_dirty", s.soft_dirty}, {"cont", s.cont}, {"shstk", s.shstk},
                        {"rdonly", s.hw_rdonly}, {"other_bits", gf::hex(s.other)}}}};
  gf::with_pte_arch(*a, {}, [&]<class A>() {
    nlohmann::json p = nlohmann::json::object();
    for (int i = 0; i < gf::NR_PREDS; i++) p[std::string(gf::info(gf::Pred(i)).id)] = gf::pred_eval<A>(gf::Pred(i), v);
    j["predicates"] = p;
    j["pte_young"] = A::pte_young(v);
    j["pte_dirty"] = A::pte_dirty(v);
    j["norecency"] = gf::hex(gf::pte_norecency<A>(v));
    return 0;
  });
  std::printf("%s\n", j.dump(2).c_str());
  return kClean;
}

int cmd_pte_check(const std::vector<std::string>& args, const std::string& bugs_flag, bool quiet) {
  gf::BugSet bugs;
  std::string err;
  if (!bytes_bugs(bugs_flag, bugs, err)) return bad(err);
  std::vector<std::string> files;
  if (!gf::repro::expand_paths(args, files, err)) return bad(err);
  int rc = kClean;
  for (const auto& f : files) {
    auto c = gf::repro::load_pte_case(f, bugs, err);
    if (!c) {
      bad(err);
      rc = kBadInput;
      continue;
    }
    const gf::PteVerdict v = gf::check_pte_case(*c);
    for (const gf::PteFinding& fd : v.findings)
      if (!quiet) std::printf("%s: finding (%s): %s\n", f.c_str(), fd.signature().c_str(), fd.message().c_str());
    if (!v.violated()) {
      if (!quiet) std::printf("%s: clean (a = %s, b = %s)\n", f.c_str(), gf::hex(v.a).c_str(), gf::hex(v.b).c_str());
      continue;
    }
    if (rc == kClean) rc = kViolation;
    std::fputs(gf::format_pte_report(*c, v, f).c_str(), stdout);
  }
  return rc;
}

int cmd_oracles() {
  for (int i = 0; i < gf::NR_ORACLES; i++) {
    const auto& o = gf::info(gf::Oracle(i));
    std::printf("%-26.*s %.*s\n", int(o.id.size()), o.id.data(), int(o.statement.size()), o.statement.data());
  }
  return kClean;
}

int cmd_ops() {
  for (int i = 0; i < gf::NR_OPS; i++) {
    const auto& o = gf::info(gf::OpKind(i));
    std::printf("%-10.*s %-12.*s %.*s  [%.*s]\n", int(o.id.size()), o.id.data(), int(o.args.size()), o.args.data(),
                int(o.text.size()), o.text.data(), int(o.kernel.size()), o.kernel.data());
  }
  return kClean;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gupfuzz: replay, trace and convert GUP-fast race scenarios.\n"
               "Exit codes: 0 clean, 1 invariant violated, 2 bad input or arguments."};
  app.require_subcommand(1);
  std::vector<std::string> files;
  std::string file, out, bugs;
  bool all = false, color = false, no_color = false, quiet = false, unchecked = false;

  auto* replay = app.add_subcommand("replay", "run scenario files (JSON or fuzz bytes; folders recursively)");
  replay->add_option("FILE", files, "scenario files or folders")->required();
  replay->add_option("--bugs", bugs, "injected bugs for byte inputs (default: $GUPFUZZ_BUGS)");
  replay->add_flag("-q,--quiet", quiet, "print only violations and the total");
  bool json_report = false;
  replay->add_flag("--json", json_report, "one JSON report per file, JSON Lines (schema: repro/SCHEMA.md)");
  replay->add_flag("--unchecked-tables", unchecked,
                   "diagnostic: let walkers really touch freed PTE tables (for AddressSanitizer to report)");

  auto* trace = app.add_subcommand("trace", "print the interleaving in CPU columns");
  trace->add_option("FILE", file, "scenario file")->required();
  trace->add_option("--bugs", bugs, "injected bugs for byte inputs (default: $GUPFUZZ_BUGS)");
  trace->add_flag("--all", all, "every shared access, not only the ones that matter");
  trace->add_flag("--color", color, "colour (default when stdout is a terminal)");
  trace->add_flag("--no-color", no_color, "no colour");

  auto* dec = app.add_subcommand("decode", "scenario (bytes or JSON) to JSON");
  dec->add_option("FILE", file, "scenario file")->required();
  dec->add_option("-o,--output", out, "write here (atomically) instead of stdout");
  dec->add_option("--bugs", bugs, "injected bugs to record (default: $GUPFUZZ_BUGS)");
  bool pte_bytes = false;
  dec->add_flag("--pte", pte_bytes, "the file is a PTE case (fuzz_pte_norecency bytes or JSON)");

  auto* enc = app.add_subcommand("encode", "JSON scenario or PTE case to fuzz bytes (injected bugs and notes are dropped)");
  enc->add_option("FILE", file, "scenario file")->required();
  enc->add_option("-o,--output", out, "write here (atomically) instead of stdout");

  std::vector<std::string> arch_names;
  std::string arch_one, value;
  bool json = false, markdown = false;
  int max_bits = 24;
  auto* audit = app.add_subcommand("audit", "every architecture x predicate GUP-fast consults: does a stale "
                                            "young/dirty change the answer? (exit 1 on an unsafe or spurious cell)");
  audit->add_option("--arch", arch_names, "architectures (default: all; see gupfuzz archs)");
  audit->add_option("--bugs", bugs, "injected helper bugs to audit instead of the correct models");
  audit->add_flag("--json", json, "JSON (schema gupfuzz-audit/1)");
  audit->add_flag("--markdown", markdown, "the README table");
  audit->add_option("--max-bits", max_bits, "enumerate exhaustively up to 2^N entries, else sample (default 24)");
  audit->add_option("-o,--output", out, "write here (atomically) instead of stdout");

  auto* pte = app.add_subcommand("pte", "decode a raw page-table entry into its named fields");
  pte->add_option("--arch", arch_one, "architecture (see gupfuzz archs)")->required();
  pte->add_option("VALUE", value, "the entry, 0x... or decimal")->required();
  pte->add_flag("--json", json, "JSON");

  auto* pte_check = app.add_subcommand("pte-check", "run PTE cases (fuzz_pte_norecency inputs, JSON or bytes)");
  pte_check->add_option("FILE", files, "PTE case files or folders")->required();
  pte_check->add_option("--bugs", bugs, "injected bugs for byte inputs (default: $GUPFUZZ_BUGS)");
  pte_check->add_flag("-q,--quiet", quiet, "print only violations");

  std::string min_out;
  auto* minimize = app.add_subcommand("minimize", "shrink a violating scenario, keeping its invariant and bugs");
  minimize->add_option("FILE", file, "scenario file (JSON or bytes)")->required();
  minimize->add_option("-o,--output", min_out, "write PREFIX.json and PREFIX.bin (default: FILE.min.*)");
  minimize->add_option("--bugs", bugs, "injected bugs for byte inputs (default: $GUPFUZZ_BUGS)");

  auto* triage = app.add_subcommand("triage", "group crash files by signature (invariant, operation, access, arch)");
  triage->add_option("DIR", files, "crash files or folders")->required();
  triage->add_option("--bugs", bugs, "injected bugs for byte inputs (default: $GUPFUZZ_BUGS)");
  triage->add_flag("--json", json, "JSON (schema gupfuzz-triage/1)");
  bool triage_pte = false;
  triage->add_flag("--pte", triage_pte, "byte files are PTE cases (fuzz_pte_norecency crashes)");

  auto* archs_cmd = app.add_subcommand("archs", "list the architecture models of the PTE-level commands");
  auto* bugs_cmd = app.add_subcommand("bugs", "list the injected bugs");
  auto* oracles_cmd = app.add_subcommand("oracles", "list the invariants");
  auto* ops_cmd = app.add_subcommand("ops", "list the operations");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string msg = e.what();
    for (char& c : msg)
      if (c == '\n') c = ' ';
    return bad(msg + " (see gupfuzz --help)");
  }

  if (*replay) return cmd_replay(files, bugs, quiet, unchecked, json_report);
  if (*minimize) return cmd_minimize(file, min_out, bugs);
  if (*triage) return cmd_triage(files, bugs, json, triage_pte);
  if (*trace) return cmd_trace(file, bugs, all, (color || isatty(1)) && !no_color);
  if (*dec) return cmd_decode(file, out, bugs, pte_bytes);
  if (*enc) return cmd_encode(file, out);
  if (*audit) return cmd_audit(arch_names, bugs, json, markdown, max_bits, out);
  if (*pte) return cmd_pte(arch_one, value, json);
  if (*pte_check) return cmd_pte_check(files, bugs, quiet);
  if (*archs_cmd) return cmd_archs();
  if (*bugs_cmd) return cmd_bugs();
  if (*oracles_cmd) return cmd_oracles();
  if (*ops_cmd) return cmd_ops();
  return kBadInput;
}
