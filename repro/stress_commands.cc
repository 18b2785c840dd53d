// SPDX-License-Identifier: GPL-2.0
//
// gupfuzz stress: the scenarios on real threads (core/exec/threads.h), one per
// simulated CPU, round robin over the files, until a time or execution
// budget runs out or something is found.  Built with ThreadSanitizer (the
// tsan preset) it also stops at TSan's first report, through TSan's
// __tsan_on_report hook; built with AddressSanitizer (the fuzz preset) ASan
// sees a freed PTE table touched for real with --unchecked-tables.
//
// Exit codes: 0 clean, 1 an oracle fired or TSan reported a race (TSan
// itself then exits 66 unless TSAN_OPTIONS sets exitcode), 2 bad input.
#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/report/report.h"
#include "core/exec/threads.h"
#include "repro/cli.h"
#include "repro/load.h"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GF_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define GF_TSAN 1
#endif

namespace {
// Reports ThreadSanitizer has printed (a process-wide fact, like TSan's own count).
std::atomic<uint64_t> g_tsan_reports{0};
}  // namespace

#ifdef GF_TSAN
// TSan calls this after printing each report (weak in its runtime).
extern "C" void __tsan_on_report(const void*) { g_tsan_reports.fetch_add(1, std::memory_order_relaxed); }
#endif

namespace gf::repro::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct Input {
  std::string file;
  Scenario scenario;
};

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::string replay_line(const Input& in) {
  const std::string b = bug_list(in.scenario.bugs);
  return "gupfuzz stress" + (b.empty() ? std::string() : " --bugs " + b) + " " + in.file;
}

// The one failure shape, for a finding on real threads: no trace (the
// operating system chose the interleaving), the command that runs it again,
// and the deterministic search that turns it into a replayable schedule.
void print_finding(const Input& in, const char* oracle, const std::string& message, uint64_t exec, double secs,
                   const std::string& op) {
  const Scenario& s = in.scenario;
  const std::string b = bug_list(s.bugs);
  char when[96];
  std::snprintf(when, sizeof when, " on real threads (execution %llu, after %.3f s)", (unsigned long long)exec, secs);
  Failure f;
  f.id = oracle;
  f.headline = when;
  if (!message.empty()) f.details = message + "\n";
  f.details += "scenario: " + in.file + " [" + arch_name(s.arch) + "]" + (b.empty() ? "" : " bugs: " + b) + "\n";
  f.where = op;
  f.arch = arch_name(s.arch);
  f.summary_note = " (real threads)";
  f.after = "again: " + replay_line(in) + "   (the interleaving is the scheduler's: a rerun finds it by chance)\n" +
            "a replayable schedule: " + (b.empty() ? "" : "GUPFUZZ_BUGS=" + b + " ") +
            "make fuzz FUZZ_TARGETS=fuzz_gup_interleave, then gupfuzz minimize its crash\n";
  std::fputs(format_failure(f).c_str(), stderr);
}

// The scenarios among the files (PTE cases have no CPUs), each with the
// extra bugs added.
int load_inputs(const std::vector<std::string>& args, const BugSet& extra, std::vector<Input>& inputs) {
  std::string err;
  std::vector<std::string> files;
  if (!expand_paths(args, files, err)) return bad(err);
  for (const auto& f : files) {
    if (is_pte_case_file(f)) continue;
    auto l = load_scenario(f, extra, err);
    if (!l) return bad(err);
    l->scenario.bugs.bits |= extra.bits;
    inputs.push_back({f, std::move(l->scenario)});
  }
  if (inputs.empty()) return bad("no scenario among the inputs");
  return kClean;
}

// The watchdog: an execution that never finishes is a hang no oracle can
// report from inside; say so and leave (the threads cannot be unwound).
class Watchdog {
 public:
  Watchdog(const ThreadRunner& runner, const std::vector<Input>& inputs, double hang_seconds, Clock::time_point t0)
      : thread_([this, &runner, &inputs, hang_seconds, t0] { watch(runner, inputs, hang_seconds, t0); }) {}
  ~Watchdog() {
    finished_.store(true, std::memory_order_relaxed);
    thread_.join();
  }
  void running(size_t input) { current_.store(input, std::memory_order_relaxed); }

 private:
  void watch(const ThreadRunner& runner, const std::vector<Input>& inputs, double hang_seconds,
             Clock::time_point t0) {
    uint64_t last = runner.executions();
    Clock::time_point moved = Clock::now();
    while (!finished_.load(std::memory_order_relaxed)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      const uint64_t now = runner.executions();
      if (now != last) {
        last = now;
        moved = Clock::now();
      } else if (since(moved) > hang_seconds) {
        const Input& in = inputs[current_.load(std::memory_order_relaxed)];
        print_finding(in, "no_progress", "an execution on real threads did not finish within " +
                                             std::to_string(int(hang_seconds)) + " s", now + 1, since(t0), "?");
        std::fflush(stderr);
        std::_Exit(kViolation);
      }
    }
  }

  std::atomic<bool> finished_{false};
  std::atomic<size_t> current_{0};
  std::thread thread_;
};

// One execution that an oracle or ThreadSanitizer flagged: the report, and the JSON summary's fields.
void found(const Input& in, const RunResult& r, uint64_t exec, double secs, nlohmann::ordered_json& out) {
  std::string op = "end";
  if (r.verdict.violated && r.verdict.cpu >= 0 && r.verdict.op >= 0)
    op = std::string(info(in.scenario.cpus[r.verdict.cpu][r.verdict.op].kind).id);
  const char* oracle = r.verdict.violated ? info(r.verdict.oracle).id.data() : "data_race";
  print_finding(in, oracle, r.verdict.violated ? r.verdict.message : "ThreadSanitizer reported a data race (above)",
                exec, secs, r.verdict.violated ? op : "?");
  out["result"] = "found";
  out["oracle"] = oracle;
  out["by"] = r.verdict.violated ? "oracle" : "ThreadSanitizer";
  out["file"] = in.file;
  out["bugs"] = bug_list(in.scenario.bugs);
  out["executions_to_bug"] = exec;
  out["seconds_to_bug"] = secs;
}

int cmd_stress(const std::vector<std::string>& args, const std::string& bugs_flag, double seconds,
               uint64_t iterations, uint64_t seed, uint32_t jitter, bool unchecked, bool json, double hang_seconds) {
  BugSet extra;
  std::string err;
  if (!bytes_bugs(bugs_flag, extra, err)) return bad(err);
  for (int b = 0; b < NR_BUGS; b++)
    if (extra.has(Bug(b)) && !info(Bug(b)).where.empty())
      return bad("--bugs: " + std::string(info(Bug(b)).id) +
                 " breaks an architecture model's helpers; stress runs the machine's operations (use gupfuzz pte-check)");
  if (!(seconds > 0) && iterations == 0) return bad("--seconds must be > 0 (or give --iterations)");
  std::vector<Input> inputs;
  if (const int rc = load_inputs(args, extra, inputs); rc != kClean) return rc;

  ThreadOptions o;
  o.seed = seed;
  o.max_jitter = jitter;
  o.machine.unchecked_tables = unchecked;
  o.machine.max_steps = 50'000'000;  // per CPU: a livelock, not a slow thread

  ThreadRunner runner;
  const Clock::time_point t0 = Clock::now();
  uint64_t n = 0;
  int rc = kClean;
  nlohmann::ordered_json out = {{"schema", "gupfuzz-stress/1"}};
  {
    Watchdog watchdog(runner, inputs, hang_seconds, t0);
    for (;; n++) {
      if (iterations ? n >= iterations : since(t0) >= seconds) break;
      const size_t k = n % inputs.size();
      watchdog.running(k);
      const uint64_t races_before = g_tsan_reports.load(std::memory_order_relaxed);
      RunResult r = runner.run(inputs[k].scenario, o);
      const bool race = g_tsan_reports.load(std::memory_order_relaxed) != races_before;
      if (!r.verdict.violated && !race) continue;
      found(inputs[k], r, n + 1, since(t0), out);
      rc = kViolation;
      n++;
      break;
    }
  }
  const double secs = since(t0);
  if (rc == kClean) out["result"] = "clean";
  out["executions"] = n;
  out["seconds"] = secs;
  out["scenarios"] = inputs.size();
  out["threads"] = MAX_CPUS;
#ifdef GF_TSAN
  out["sanitizer"] = "thread";
#endif
  if (json) {
    std::printf("%s\n", out.dump().c_str());
  } else {
    std::printf("stress: %llu executions of %zu scenarios on real threads in %.1f s (%.0f exec/s)%s\n",
                (unsigned long long)n, inputs.size(), secs, secs > 0 ? double(n) / secs : 0.0,
                rc == kClean ? ", no violation" : "");
  }
  return rc;
}

Run setup_stress(CLI::App& c) {
  struct A {
    std::vector<std::string> files;
    std::string bugs;
    double seconds = 10, hang_seconds = 30;
    uint64_t iterations = 0, seed = 1;
    uint32_t jitter = 256;
    bool unchecked = false, json = false;
  };
  auto a = std::make_shared<A>();
  c.add_option("FILE", a->files, "scenario files or folders (round robin)")->required();
  add_bugs_option(c, a->bugs, "injected bugs for every scenario (default: $GUPFUZZ_BUGS)");
  c.add_option("--seconds", a->seconds, "time budget (default 10)");
  c.add_option("--iterations", a->iterations, "execution budget instead of --seconds");
  c.add_option("--seed", a->seed, "seed of the start jitter (default 1)");
  c.add_option("--jitter", a->jitter, "each CPU spins 0..N pauses before it starts (default 256)");
  c.add_option("--hang-seconds", a->hang_seconds, "an execution this long is a hang (default 30)");
  add_unchecked_tables_flag(c, a->unchecked);
  c.add_flag("--json", a->json, "one JSON summary (schema gupfuzz-stress/1)");
  return [a] {
    return cmd_stress(a->files, a->bugs, a->seconds, a->iterations, a->seed, a->jitter, a->unchecked, a->json,
                      a->hang_seconds);
  };
}

}  // namespace

const Command kStressCommand{"stress",
                             "run scenarios on real threads, one per CPU (TSan build: make stress); stops at the "
                             "first oracle report or ThreadSanitizer race",
                             setup_stress};

}  // namespace gf::repro::cli
