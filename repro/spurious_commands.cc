// SPDX-License-Identifier: GPL-2.0
//
// gupfuzz spurious: the seed's claim, measured.  The RFC says the norecency
// recheck "removes the possibility of concurrent read/write to the page
// causing a spurious fast gup failure".  On the correct model, for both
// rechecks (6.12's exact compare of ptep_get_lockless() with ptep_get(), and
// the RFC's pte_same_norecency() of two ptep_get_lockless_norecency() reads),
// on x86-64, arm64 and arm64 with contpte, it counts GUP-fast page attempts,
// recheck bails and the bails with no real change behind them
// (core/study/gup_stats.h): every schedule of the small scenarios
// (core/exec/explore_each.h), seeded samples of the larger ones (core/study/spurious.h).
//
//   gupfuzz spurious [--out bench/spurious.md] [--max-schedules N] [--runs N] [--seed S]
//   gupfuzz spurious FILE... [--preemptions C]      one's own scenarios
//
// Exit codes: 0 every norecency bail is explained by a real change, 1 some
// is not (each printed as a replayable scenario), 2 bad input.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/decoder/semantic.h"
#include "core/report/report.h"
#include "core/study/spurious.h"
#include "repro/cli.h"
#include "repro/load.h"

namespace gf::repro::cli {
namespace {

// One family: what races GUP-fast (FOLL_GET of page 1 unless it says
// otherwise), the layout's extra flags, and how it is measured.
struct Family {
  const char* id;
  const char* group;  // "recency" or "real change"
  const char* what;
  uint8_t flags;      // region flags besides anon|write (and large for contpte)
  bool sampled;       // false: every schedule (or every one up to a bound)
  std::vector<std::vector<Op>> cpus;
};

Op op(OpKind k, int va = 0, int nr = 1, uint8_t flags = 0) { return Op{k, uint8_t(va), uint8_t(nr), flags}; }

std::vector<Family> families() {
  const Op gup = op(OpKind::gup_fast, 1);
  const Op gup8 = op(OpKind::gup_fast, 0, 8, FOLL_PIN | FOLL_WRITE);
  using K = OpKind;
  return {
      {"hw_access", "recency", "the MMU sets Accessed/AF on the page (entries old)", RF_OLD, false,
       {{gup}, {op(K::hw_access, 1)}}},
      {"hw_access_neighbour", "recency", "the MMU sets Accessed/AF on the next page (entries old)", RF_OLD, false,
       {{gup}, {op(K::hw_access, 2)}}},
      {"hw_write", "recency", "the MMU sets Dirty (x86) / clears RDONLY (arm64 DBM) on the page (entries old, clean)",
       RF_OLD, false, {{gup}, {op(K::hw_write, 1)}}},
      {"age", "recency", "ptep_test_and_clear_young() on the page (entries young)", 0, false,
       {{gup}, {op(K::age, 1)}}},
      {"age_neighbour", "recency", "ptep_test_and_clear_young() on the next page (entries young)", 0, false,
       {{gup}, {op(K::age, 2)}}},
      {"recency_mix", "recency",
       "3 CPUs: gup_fast(0..7, PIN|WRITE)+unpin; hw_write 3, age 5, hw_access 1; hw_access 6, age 2, hw_write 7",
       RF_OLD, true,
       {{gup8, op(K::unpin)},
        {op(K::hw_write, 3), op(K::age, 5), op(K::hw_access, 1)},
        {op(K::hw_access, 6), op(K::age, 2), op(K::hw_write, 7)}}},
      {"wrprotect", "real change", "ptep_set_wrprotect() of the page", 0, false, {{gup}, {op(K::wrprotect, 1)}}},
      {"wrprotect_neighbour", "real change", "ptep_set_wrprotect() of the next page", 0, false,
       {{gup}, {op(K::wrprotect, 2)}}},
      {"unmap", "real change", "munmap() of the page", 0, false, {{gup}, {op(K::unmap, 1)}}},
      {"mprotect", "real change", "mprotect(PROT_READ) of the page", 0, false, {{gup}, {op(K::mprotect, 1)}}},
      {"migrate", "real change", "migrate_pages() of the page", 0, false, {{gup}, {op(K::migrate, 1)}}},
      {"change_mix", "real change",
       "3 CPUs: gup_fast(0..7, PIN|WRITE)+unpin; hw_write 3, wrprotect 5, migrate 2; age 6, mprotect 4, unmap 7",
       RF_OLD, true,
       {{gup8, op(K::unpin)},
        {op(K::hw_write, 3), op(K::wrprotect, 5), op(K::migrate, 2)},
        {op(K::age, 6), op(K::mprotect, 4), op(K::unmap, 7)}}},
  };
}

struct Variant {
  const char* name;
  Arch arch;
  bool large;
};
constexpr Variant kVariants[] = {{"x86_64", Arch::x86_64, false},
                                 {"arm64", Arch::arm64, false},
                                 {"arm64 contpte", Arch::arm64, true}};

Scenario make(const Family& f, const Variant& v, Recheck rc) {
  Scenario s;
  s.arch = v.arch;
  s.recheck = rc;
  s.regions = {Region{0, 16, uint8_t(RF_ANON | RF_WRITE | f.flags | (v.large ? RF_LARGE : 0))}};
  s.cpus = f.cpus;
  s.note = std::string("spurious-failure study: ") + f.id + " on " + v.name + ": " + f.what;
  return s;
}

struct Row {
  std::string family, group, variant, method;
  Recheck recheck;
  SpuriousTally t;
  double secs = 0;
  SpuriousTally random = {};  // arm64 contpte real changes: the same scenario, per-step random schedules
};

const char* recheck_name(Recheck r) { return r == Recheck::mainline ? "mainline" : "norecency"; }

// Both rechecks over the same schedules: every schedule if each has at most
// `cap`; else every one with at most C preemptions for the largest C in
// 3, 2, 1 that fits both.  `phases`: the chosen schedules again, each
// execution classified by where the change lands (SpuriousTally::phase).
std::string measure_exhaustive(const Scenario& ml, const Scenario& nr, uint64_t cap, SpuriousTally& tm,
                               SpuriousTally& tn, bool phases) {
  EachOptions o;
  o.max_executions = cap;
  auto with_phases = [&] {
    if (!phases) return;
    tm = tally_schedules(ml, o, true);
    tn = tally_schedules(nr, o, true);
  };
  tm = tally_schedules(ml, o);
  if (tm.all) {
    tn = tally_schedules(nr, o);
    if (tn.all) {
      with_phases();
      return "all schedules";
    }
  }
  for (int c = 3; c >= 1; c--) {
    o.max_preemptions = c;
    tm = tally_schedules(ml, o);
    if (tm.executions >= cap && !tm.all) continue;
    tn = tally_schedules(nr, o);
    if (tn.executions >= cap && !tn.all) continue;
    with_phases();
    return "schedules ≤" + std::to_string(c) + " preemptions";
  }
  return "first " + std::to_string(cap) + " schedules ≤1 preemption (incomplete)";
}

std::string pct(double f) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f%%", 100.0 * f);
  return b;
}

std::string row_line(const Row& r) {
  char b[640];
  std::snprintf(b, sizeof b,
                "| %s | %s | %s | %s | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %s | %" PRIu64 " | %" PRIu64 " | %" PRIu64
                " | %" PRIu64 " | %s |",
                r.family.c_str(), r.variant.c_str(), recheck_name(r.recheck), r.method.c_str(), r.t.executions,
                r.t.attempts, r.t.recheck_bails, pct(r.t.bail_fraction()).c_str(), r.t.recheck_bails - r.t.spurious,
                r.t.cont_only, r.t.spurious, r.t.read_bails + r.t.grab_bails, pct(r.t.slow_fraction()).c_str());
  return b;
}

constexpr const char* kHeader =
    "| family | arch | recheck | schedules | executions | GUP-fast pages | recheck bails | bail fraction | real change | "
    "of which CONT only | spurious | bails before the recheck | slow path, any reason |\n"
    "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";

// One cell of the phase table: "n (k kept, r read bail, b recheck bail)".
std::string phase_cell(const SpuriousTally& t, int p) {
  const uint64_t n = t.phase_total(p);
  if (!n) return "0";
  static const char* kEnd[] = {"kept", "bail on the read", "recheck bail", "other bail"};
  std::string parts;
  int kinds = 0;
  for (int e = 0; e < SpuriousTally::kEnds; e++)
    if (t.phase[p][e]) kinds++;
  for (int e = 0; e < SpuriousTally::kEnds; e++) {
    if (!t.phase[p][e]) continue;
    if (!parts.empty()) parts += ", ";
    parts += kinds == 1 ? std::string("all ") + kEnd[e] : std::to_string(t.phase[p][e]) + " " + kEnd[e];
  }
  return std::to_string(n) + " (" + parts + ")";
}

std::string phase_line(const Row& r) {
  std::string l = "| " + r.family + " | " + recheck_name(r.recheck) + " | " + r.method + " | " +
                  std::to_string(r.t.executions);
  for (int p = 0; p < SpuriousTally::kPhases; p++) l += " | " + phase_cell(r.t, p);
  l += " | " + pct(r.random.bail_fraction()) + " | " + pct(r.random.slow_fraction()) + " |";
  return l;
}

std::string example_text(const Row& r) {
  std::string out = "- " + r.family + " on " + r.variant + ", " + recheck_name(r.recheck) + ": compared " +
                    describe_pte(r.t.example.arch, r.t.example_was) + " with " +
                    describe_pte(r.t.example.arch, r.t.example_now) +
                    (r.t.example_replays ? " (replays)" : " (DOES NOT REPLAY)") + "\n\n```json\n" +
                    scenario_to_json(r.t.example, -1) + "\n```\n";
  return out;
}

const Row* find_row(const std::vector<Row>& rows, const std::string& family, const std::string& variant, Recheck rc) {
  for (const Row& r : rows)
    if (r.family == family && r.variant == variant && r.recheck == rc && r.t.has_phases) return &r;
  return nullptr;
}

// Where the change lands (arm64 contpte, real changes), and what it says.
std::string phase_section(const std::vector<Row>& rows, uint64_t seed, uint64_t runs) {
  const std::string seeds = "seeds " + std::to_string(seed) + ".." + std::to_string(seed + runs - 1);
  std::string md =
      "## Where the change lands (arm64 contpte, real changes)\n\n"
      "The same schedules as the rows above, each replayed and classified by where the other CPU's writes to "
      "page 1's entry (first to last) fall against GUP-fast's first read of it (`ptep_get_lockless()`: one "
      "load, then `contpte_ptep_get_lockless()`'s re-read and 16 gathering loads, again on each restart; "
      "norecency: one load) and the recheck's load of the entry (`ptep_get()` loads it, then gathers over the "
      "16; norecency: one load), and by how GUP-fast ended (`bail on the read`: before the recheck). The last "
      "two columns run the same scenarios under a per-step random scheduler (" + seeds +
      ", both CPUs starting together): another weighting of the same race.\n\n"
      "| family | recheck | schedules | executions | no write to the entry | all before the first read | "
      "overlaps the first read | between read and recheck | overlaps the recheck's load | after the recheck's "
      "load | random: bail fraction | random: slow path, any reason |\n"
      "|---|---|---|---:|---|---|---|---|---|---|---:|---:|\n";
  for (const Row& r : rows)
    if (r.t.has_phases) md += phase_line(r) + "\n";
  md += "\n";
  const Row* ml = find_row(rows, "wrprotect", "arm64 contpte", Recheck::mainline);
  const Row* nr = find_row(rows, "wrprotect", "arm64 contpte", Recheck::norecency);
  if (!ml || !nr) return md;
  using T = SpuriousTally;
  const T& a = ml->t;
  const T& b = nr->t;
  auto n = [](const T& t, int p) { return std::to_string(t.phase_total(p)); };
  auto of = [](uint64_t x, uint64_t y) { return pct(y ? double(x) / double(y) : 0.0); };
  md += "Traced on `wrprotect` (" + ml->method + "): mainline is measured over " + std::to_string(a.executions) +
        " schedules, norecency over " + std::to_string(b.executions) +
        ", and where the change lands at the same point against what GUP-fast compares, both end alike: all "
        "before the first read " + phase_cell(a, T::before_read) + " against " + phase_cell(b, T::before_read) +
        ", between read and recheck " + phase_cell(a, T::between) + " against " + phase_cell(b, T::between) +
        ", across the recheck's load " + phase_cell(a, T::overlaps_recheck) + " against " +
        phase_cell(b, T::overlaps_recheck) + ". "
        "Mainline's extra schedules are its extra scheduling points (18 + 17 entry loads against 1 + 1): " +
        n(a, T::after_recheck) + " of its schedules (" + of(a.phase_total(T::after_recheck), a.executions) +
        ") put every write to the entry after the recheck has loaded it, many while `ptep_get()` still "
        "gathers over the block, where a change cannot make it bail: " + phase_cell(a, T::after_recheck) +
        " against norecency's " + n(b, T::after_recheck) + "; " + n(a, T::overlaps_read) + " against " +
        n(b, T::overlaps_read) + " overlap the first read. "
        "There mainline's read returns the entry as it is when `contpte_ptep_get_lockless()` stops restarting "
        "over the half-unfolded block (or at once, once the entry is no longer CONT): rewritten, so GUP-fast "
        "keeps it (" +
        std::to_string(a.phase[T::overlaps_read][T::end_kept]) + ", " +
        of(a.phase[T::overlaps_read][T::end_kept], a.phase_total(T::overlaps_read)) +
        "), or cleared, so GUP-fast bails before the recheck on `!pte_access_permitted` (" +
        std::to_string(a.phase[T::overlaps_read][T::end_read_bail]) +
        ", not in the recheck-bail column); the RFC's single load keeps " +
        std::to_string(b.phase[T::overlaps_read][T::end_kept]) + " (" +
        of(b.phase[T::overlaps_read][T::end_kept], b.phase_total(T::overlaps_read)) + "). "
        "Counting every fallback, mainline sends " + pct(a.slow_fraction()) + " of its schedules to the slow "
        "path and norecency " + pct(b.slow_fraction()) +
        ": the per-schedule weight puts most of mainline's schedules where a change cannot hurt it. "
        "Under the random scheduler the order reverses (mainline " + pct(ml->random.slow_fraction()) +
        " slow path, norecency " + pct(nr->random.slow_fraction()) +
        "), its long read and recheck nearly always spanning the unfold; neither weighting is a rate on "
        "hardware, where it turns on how long 16 gathering loads take against an unfold's TLB flush. "
        "The other families split the same way (table); every one of these bails is a real change.\n\n";
  return md;
}

// Every family on every variant, both rechecks: the rows of the study (progress on stderr).
std::vector<Row> measure_rows(uint64_t cap, uint64_t runs, uint64_t seed) {
  std::vector<Row> rows;
  for (const Family& f : families()) {
    for (const Variant& v : kVariants) {
      const Scenario ml = make(f, v, Recheck::mainline), nr = make(f, v, Recheck::norecency);
      const auto t0 = std::chrono::steady_clock::now();
      std::vector<Row> got;
      if (f.sampled) {
        for (const Scenario* s : {&ml, &nr})
          for (Sampler k : {Sampler::random, Sampler::pct2})
            got.push_back(Row{f.id, f.group, v.name,
                              std::string(sampler_name(k)) + ", seeds " + std::to_string(seed) + ".." +
                                  std::to_string(seed + runs - 1),
                              s->recheck, tally_sampled(*s, k, seed, runs)});
      } else {
        SpuriousTally tm, tn;
        const bool traced = v.large && std::string(f.group) == "real change";
        const std::string method = measure_exhaustive(ml, nr, cap, tm, tn, traced);
        got.push_back(Row{f.id, f.group, v.name, method, Recheck::mainline, std::move(tm)});
        got.push_back(Row{f.id, f.group, v.name, method, Recheck::norecency, std::move(tn)});
        if (traced) {
          got[0].random = tally_sampled(ml, Sampler::random, seed, runs);
          got[1].random = tally_sampled(nr, Sampler::random, seed, runs);
        }
      }
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      for (Row& r : got) {
        r.secs = secs / double(got.size());
        std::fprintf(stderr, "%s  (%.1f s)\n", row_line(r).c_str(), r.secs);
        rows.push_back(std::move(r));
      }
    }
  }
  return rows;
}

// The table's title and what it measures.
std::string study_intro(uint64_t cap, uint64_t runs, uint64_t seed) {
  std::string md;
  md += "<!-- generated by: gupfuzz spurious --out bench/spurious.md --max-schedules " + std::to_string(cap) +
        " --runs " + std::to_string(runs) + " --seed " + std::to_string(seed) + " -->\n";
  md += "# Spurious GUP-fast failures: the seed's claim, measured\n\n";
  md += "GUP-fast reads page 1 (FOLL_GET) of a 16-page anonymous writable mapping (one contpte block on "
        "`arm64 contpte`) while another CPU does what the family says; the `_mix` families run 3 CPUs and "
        "GUP-fast over 8 pages (FOLL_PIN|FOLL_WRITE). `mainline` is 6.12's recheck (exact compare of "
        "`ptep_get_lockless()` with `ptep_get()`), `norecency` the RFC's (`pte_same_norecency()` of two "
        "`ptep_get_lockless_norecency()` reads). A recheck bail is a *real change* when the PMD moved or the "
        "two entries compared differ in more than young/dirty by the oracles' decoder (`core/decoder/semantic.h`); "
        "otherwise it is *spurious*. Bail fraction = recheck bails / GUP-fast pages, over every schedule "
        "counted alike (exhaustive rows) or over the sampled executions. A page also goes to the slow path "
        "*before* the recheck when the entry read first fails a check (a cleared entry fails "
        "`pte_access_permitted()`) or the folio grab fails (`bails before the recheck`); `slow path, any "
        "reason` = (GUP-fast pages − pages GUP-fast kept) / GUP-fast pages. The correct model; no oracle "
        "fired in any execution unless noted.\n\n";
  return md;
}

// The two tables, by group.
std::string study_tables(const std::vector<Row>& rows) {
  std::string md;
  std::string groups[] = {"recency", "real change"};
  for (const std::string& g : groups) {
    md += std::string("## GUP-fast against ") + (g == "recency" ? "recency updates (hardware access/dirty, aging)" : "real changes") + "\n\n";
    md += kHeader;
    for (const Row& r : rows)
      if (r.group == g) md += row_line(r) + "\n";
    md += "\n";
  }
  return md;
}

// What a reviewer should look at first: violations, budget hits, spurious
// norecency bails (counted in `unexplained`), norecency bailing more than mainline.
std::string study_findings(const std::vector<Row>& rows, int& unexplained) {
  std::string findings;
  unexplained = 0;
  for (const Row& r : rows) {
    if (r.t.violations || r.t.budget)
      findings += "- " + r.family + " on " + r.variant + ", " + recheck_name(r.recheck) + " (" + r.method +
                  "): " + std::to_string(r.t.violations) + " executions violated an invariant, " +
                  std::to_string(r.t.budget) + " hit the step budget\n";
    if (r.recheck == Recheck::norecency && r.t.spurious) {
      unexplained++;
      findings += "- SPURIOUS BAIL OF THE NORECENCY RECHECK:\n" + example_text(r);
    }
  }
  for (size_t i = 0; i + 1 < rows.size(); i++) {
    const Row& a = rows[i];
    for (size_t j = i + 1; j < rows.size(); j++) {
      const Row& b = rows[j];
      if (a.family != b.family || a.variant != b.variant || a.method != b.method || a.recheck == b.recheck) continue;
      const Row& ml = a.recheck == Recheck::mainline ? a : b;
      const Row& nr = a.recheck == Recheck::mainline ? b : a;
      if (nr.t.bail_fraction() > ml.t.bail_fraction())
        findings += "- norecency bails more often than mainline: " + nr.family + " on " + nr.variant + " (" +
                    nr.method + "): " + pct(nr.t.bail_fraction()) + " against " + pct(ml.t.bail_fraction()) +
                    "; slow path for any reason " + pct(nr.t.slow_fraction()) + " against " +
                    pct(ml.t.slow_fraction()) + "\n";
    }
  }
  if (!findings.empty())
    findings += "\nWhere norecency bails more than mainline (arm64 contpte, real changes): traced in \"Where the "
                "change lands\" above. The two rechecks are measured over different schedules and each weighs "
                "one, so the fractions compare two populations; at the same point of the change both end alike. "
                "These bails are real changes by the decoder (`CONT only` counts those whose only difference "
                "beyond young/dirty is the contpte bit): the claim is about spurious bails and holds.\n";
  return findings;
}

int study(const std::string& out, uint64_t cap, uint64_t runs, uint64_t seed) {
  const auto t_all = std::chrono::steady_clock::now();
  const std::vector<Row> rows = measure_rows(cap, runs, seed);
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_all).count();
  std::string md = study_intro(cap, runs, seed) + study_tables(rows) + phase_section(rows, seed, runs);
  md += "Families:\n\n";
  for (const Family& f : families()) md += std::string("- `") + f.id + "`: " + f.what + "\n";
  md += "\n";
  int unexplained = 0;
  const std::string findings = study_findings(rows, unexplained);
  md += "## Findings\n\n" + (findings.empty() ? std::string("None: every norecency recheck bail is explained by a real change.\n") : findings);
  md += "\nOne spurious mainline bail per family and architecture, replayable (`gupfuzz replay`, `gupfuzz trace`):\n\n";
  for (const Row& r : rows)
    if (r.recheck == Recheck::mainline && r.t.has_example && r.method.rfind("random", 0) != 0 &&
        r.method.rfind("pct", 0) != 0 && (r.family == "hw_access" || r.family == "age_neighbour"))
      md += example_text(r);
  char tail[160];
  std::snprintf(tail, sizeof tail, "\n%zu rows in %.1f s.\n", rows.size(), total);
  md += tail;

  if (out.empty()) {
    std::fputs(md.c_str(), stdout);
  } else {
    std::string err;
    if (!write_atomically(out, md, err)) return bad(err);
    std::printf("wrote %s: %zu rows in %.1f s, %d with a spurious norecency bail\n", out.c_str(), rows.size(), total,
                unexplained);
  }
  return unexplained ? kViolation : kClean;
}

int cmd_spurious(const std::vector<std::string>& files, const std::string& bugs_flag, const std::string& out,
                 uint64_t max_schedules, uint64_t runs, uint64_t seed, int preemptions) {
  if (runs == 0) return bad("--runs must be at least 1");
  if (files.empty()) return study(out, max_schedules, runs, seed);
  BugSet bugs;
  std::string err;
  if (!bytes_bugs(bugs_flag, bugs, err)) return bad(err);
  std::vector<std::string> paths;
  if (!expand_paths(files, paths, err)) return bad(err);
  int rc = kClean;
  std::printf("%s", kHeader);
  for (const auto& f : paths) {
    auto l = load_scenario(f, bugs, err);
    if (!l) return bad(err);
    EachOptions o;
    o.max_preemptions = preemptions;
    o.max_executions = max_schedules;
    Row r{f, "", arch_name(l->scenario.arch), "", l->scenario.recheck, tally_schedules(l->scenario, o)};
    r.method = r.t.all ? "all schedules" : "≤" + std::to_string(preemptions) + " preemptions" +
                                               (r.t.executions >= max_schedules ? " (incomplete)" : "");
    std::printf("%s\n", row_line(r).c_str());
    if (r.t.spurious) {
      std::printf("%s", example_text(r).c_str());
      if (r.recheck == Recheck::norecency) rc = kViolation;
    }
  }
  return rc;
}

Run setup_spurious(CLI::App& c) {
  struct A {
    std::vector<std::string> files;
    std::string out, bugs;
    uint64_t max = 20000, runs = 2000, seed = 1;
    int preemptions = 1000;
  };
  auto a = std::make_shared<A>();
  c.add_option("FILE", a->files, "scenarios to measure over every schedule (default: the study's families)");
  c.add_option("--out", a->out, "write the study's table here (atomically; default stdout)");
  c.add_option("--max-schedules", a->max, "per exhaustive row and bound (default 20000)");
  c.add_option("--runs", a->runs, "per sampled row and sampler (default 2000)");
  c.add_option("--seed", a->seed, "first seed of the sampled rows (default 1)");
  c.add_option("--preemptions", a->preemptions, "FILEs: the bound (default: none)");
  add_bugs_option(c, a->bugs);
  return [a] { return cmd_spurious(a->files, a->bugs, a->out, a->max, a->runs, a->seed, a->preemptions); };
}

}  // namespace

const Command kSpuriousCommand{"spurious",
                               "count GUP-fast recheck bails and those without a real change, mainline against "
                               "norecency (the study, or FILEs)",
                               setup_spurious};

}  // namespace gf::repro::cli
