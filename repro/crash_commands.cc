// SPDX-License-Identifier: GPL-2.0
//
// gupfuzz minimize and gupfuzz triage: what a developer does with a folder of
// crashes from continuous fuzzing.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>
#include <memory>

#include "core/check/pte_check.h"
#include "core/exec/schedule_form.h"
#include "core/report/report.h"
#include "repro/cli.h"
#include "repro/load.h"
#include "repro/minimize.h"

namespace gf::repro::cli {
namespace {

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
  const auto bytes = gf::encode(m);  // the compact form: the fuzz bytes
  if (!gf::repro::write_atomically(prefix + ".json", gf::scenario_to_json(gf::with_schedule_form(m, gf::ScheduleForm::steps)) + "\n", err))
    return bad(err);
  if (!gf::repro::write_atomically(prefix + ".bin", std::string(bytes.begin(), bytes.end()), err)) return bad(err);
  std::printf("%s: %s kept; violating step %llu -> %llu, operations %zu -> %zu, preemptions %zu -> %zu, %llu runs\n",
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
  std::vector<std::string> files;
  if (const int r = bugs_and_files(bugs_flag, args, bugs, files); r != kClean) return r;
  std::string err;
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

Run setup_minimize(CLI::App& c) {
  struct A { std::string file, out, bugs; };
  auto a = std::make_shared<A>();
  c.add_option("FILE", a->file, "scenario file (JSON or bytes)")->required();
  c.add_option("-o,--output", a->out, "write PREFIX.json and PREFIX.bin (default: FILE.min.*)");
  add_bugs_option(c, a->bugs);
  return [a] { return cmd_minimize(a->file, a->out, a->bugs); };
}

Run setup_triage(CLI::App& c) {
  struct A { std::vector<std::string> files; std::string bugs; bool json = false, pte = false; };
  auto a = std::make_shared<A>();
  c.add_option("DIR", a->files, "crash files or folders")->required();
  add_bugs_option(c, a->bugs);
  c.add_flag("--json", a->json, "JSON (schema gupfuzz-triage/1)");
  c.add_flag("--pte", a->pte, "byte files are PTE cases (fuzz_pte_norecency crashes)");
  return [a] { return cmd_triage(a->files, a->bugs, a->json, a->pte); };
}

}  // namespace

const Command kMinimizeCommand{"minimize", "shrink a violating scenario, keeping its invariant and bugs",
                               setup_minimize};
const Command kTriageCommand{"triage", "group crash files by signature (invariant, operation, access, arch)",
                             setup_triage};

}  // namespace gf::repro::cli
