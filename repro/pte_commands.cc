// SPDX-License-Identifier: GPL-2.0
//
// The PTE-level subcommands: gupfuzz archs, audit, pte, pte-check.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <utility>

#include "core/check/audit.h"
#include "core/check/meaning.h"
#include "core/base/json_get.h"
#include "core/arch/norecency.h"
#include "core/report/report.h"
#include "core/check/pte_check.h"
#include "core/decoder/semantic.h"
#include "repro/cli.h"
#include "repro/load.h"

namespace gf::repro::cli {
namespace {

bool parse_arches(const std::vector<std::string>& names, std::vector<gf::Arch>& out, std::string& err) {
  if (names.empty())
    for (int i = 0; i < gf::NR_ARCHES; i++) out.push_back(gf::Arch(i));
  for (const auto& n : names) {
    auto a = gf::arch_from_name(n);
    if (!a) {
      err = "--arch: unknown architecture \"" + n + "\" (see gupfuzz archs)";
      return false;
    }
    out.push_back(*a);
  }
  return true;
}

// Every model, and where it runs: "machine N" (scenario arch byte N; the
// machine, `gupfuzz run`/`explore`, fuzz_gup_interleave) or "PTE-level only".
int cmd_archs() {
  return print_rows(14, gf::NR_ARCHES, [](int i) {
    const auto& a = gf::info(gf::Arch(i));
    std::string where = a.machine ? "machine " + std::to_string(a.machine - 1) : std::string("PTE-level only");
    where.resize(16, ' ');
    return std::pair{a.name, where + std::string(a.text)};
  });
}

// Exit 0 when every cell is safe or known, 1 when one is unsafe or spurious.
int cmd_audit(const std::vector<std::string>& arch_names, const std::string& bugs_flag, bool json, bool markdown,
              int max_bits, const std::string& out) {
  std::vector<gf::Arch> arches;
  std::string err;
  if (!parse_arches(arch_names, arches, err)) return bad(err);
  gf::ParseError pe;
  auto bugs = gf::parse_bug_list(bugs_flag, pe);
  if (!bugs) return bad("--bugs: " + pe.message);
  if (max_bits < 1 || max_bits > 30) return bad("--max-bits: expected 1..30");
  gf::AuditOptions o;
  o.max_bits = max_bits;
  std::vector<gf::AuditArch> rows;
  std::vector<gf::MeaningRow> meaning;  // core/check/meaning.h: every configuration of each model
  bool clean = true;
  for (gf::Arch a : arches) {
    rows.push_back(gf::run_audit(a, *bugs, o));
    clean &= rows.back().clean();
    for (gf::MeaningRow& r : gf::run_meaning(a, *bugs)) {
      clean &= r.clean();
      meaning.push_back(std::move(r));
    }
  }
  std::string text;
  if (json) {
    nlohmann::json j = nlohmann::json::parse(gf::audit_json(rows));
    j["meaning"] = nlohmann::json::parse(gf::meaning_json(meaning));
    text = j.dump(2) + "\n";
  } else if (markdown) {
    text = gf::audit_markdown(rows) + "\n" + gf::meaning_markdown(meaning);
  } else {
    text = gf::audit_text(rows) + "\n" + gf::meaning_text(meaning);
  }
  if (const int rc = write_or_print(out, text); rc != kClean) return rc;
  return clean ? kClean : kViolation;
}

int cmd_pte(const std::string& arch_name, const std::string& value, bool json) {
  auto a = gf::arch_from_name(arch_name);
  if (!a) return bad("--arch: unknown architecture \"" + arch_name + "\" (see gupfuzz archs)");
  const auto parsed = gf::parse_u64(value);
  if (!parsed) return bad("VALUE: \"" + value + "\" is not a 64-bit number (0x... or decimal)");
  const uint64_t v = *parsed;
  if (!json) {
    std::fputs(gf::explain_pte(*a, v).c_str(), stdout);
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

}  // namespace

int run_pte_case_file(const std::string& f, const BugSet& bugs, bool quiet, bool json) {
  std::string err;
  auto c = gf::repro::load_pte_case(f, bugs, err);
  if (!c) return bad(err);
  const gf::PteVerdict v = gf::check_pte_case(*c);
  if (!json)
    for (const gf::PteFinding& fd : v.findings)
      if (!quiet) std::printf("%s: finding (%s): %s\n", f.c_str(), fd.signature().c_str(), fd.message().c_str());
  if (!v.violated()) {
    if (!quiet && !json)
      std::printf("%s: clean (a = %s, b = %s)\n", f.c_str(), gf::hex(v.a).c_str(), gf::hex(v.b).c_str());
    return kClean;
  }
  if (!json) {
    std::fputs(gf::format_pte_report(*c, v, f).c_str(), stdout);
    return kViolation;
  }
  const gf::OracleInfo& o = gf::info(v.violation->oracle);
  const nlohmann::json j = {{"schema", gf::kReportSchema},
                            {"file", f},
                            {"verdict", "violation"},
                            {"kind", "pte_case"},
                            {"invariant", {{"id", std::string(o.id)}, {"statement", std::string(o.statement)}}},
                            {"message", v.violation->message()},
                            {"case", nlohmann::json::parse(gf::pte_case_to_json(*c, -1))}};
  std::printf("%s\n", j.dump().c_str());
  return kViolation;
}

namespace {

int cmd_pte_check(const std::vector<std::string>& args, const std::string& bugs_flag, bool quiet) {
  gf::BugSet bugs;
  std::vector<std::string> files;
  if (const int r = bugs_and_files(bugs_flag, args, bugs, files); r != kClean) return r;
  int rc = kClean;
  for (const auto& f : files) rc = std::max(rc, run_pte_case_file(f, bugs, quiet, false));
  return rc;
}

Run setup_audit(CLI::App& c) {
  struct A { std::vector<std::string> arches; std::string bugs, out; bool json = false, markdown = false; int max_bits = 24; };
  auto a = std::make_shared<A>();
  c.add_option("--arch", a->arches, "architectures (default: all; see gupfuzz archs)");
  add_bugs_option(c, a->bugs, "injected helper bugs to audit instead of the correct models");
  c.add_flag("--json", a->json, "JSON (schema gupfuzz-audit/1)");
  c.add_flag("--markdown", a->markdown, "the README table");
  c.add_option("--max-bits", a->max_bits, "enumerate exhaustively up to 2^N entries, else sample (default 24)");
  add_output_option(c, a->out);
  return [a] { return cmd_audit(a->arches, a->bugs, a->json, a->markdown, a->max_bits, a->out); };
}

Run setup_pte(CLI::App& c) {
  struct A { std::string arch, value; bool json = false; };
  auto a = std::make_shared<A>();
  c.add_option("--arch", a->arch, "architecture (see gupfuzz archs)")->required();
  c.add_option("VALUE", a->value, "the entry, 0x... or decimal")->required();
  c.add_flag("--json", a->json, "JSON");
  return [a] { return cmd_pte(a->arch, a->value, a->json); };
}

Run setup_pte_check(CLI::App& c) {
  struct A { std::vector<std::string> files; std::string bugs; bool quiet = false; };
  auto a = std::make_shared<A>();
  c.add_option("FILE", a->files, "PTE case files or folders")->required();
  add_bugs_option(c, a->bugs);
  c.add_flag("-q,--quiet", a->quiet, "print only violations");
  return [a] { return cmd_pte_check(a->files, a->bugs, a->quiet); };
}

Run setup_archs(CLI::App&) { return cmd_archs; }

}  // namespace

const Command kAuditCommand{"audit",
                            "every architecture x predicate GUP-fast consults: does a stale young/dirty change the "
                            "answer? (exit 1 on an unsafe or spurious cell)",
                            setup_audit};
const Command kPteCommand{"pte", "decode a raw page-table entry into its named fields", setup_pte};
const Command kPteCheckCommand{"pte-check", "run PTE cases (fuzz_pte_norecency inputs, JSON or bytes)",
                               setup_pte_check};
const Command kArchsCommand{"archs", "list the architecture models, and which the machine runs (its scenario arch byte)", setup_archs};

}  // namespace gf::repro::cli
