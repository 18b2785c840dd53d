// SPDX-License-Identifier: GPL-2.0
//
// The libFuzzer flags a target defaults to.  libFuzzer parses its flags after
// LLVMFuzzerInitialize(), so the target puts each default in front of the
// command line's own flags unless the command line names it: every way of
// running the target (make fuzz, make bench, ClusterFuzzLite, by hand) gets
// the same fuzzer, and `-flag=value` on the command line still wins.
#pragma once

#include <cstring>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

namespace gf::fuzz {

struct DefaultFlag {
  const char* name;   // "-use_counters"
  const char* value;  // "0"
};

// fuzz_gup_interleave's defaults.
inline constexpr DefaultFlag kInterleaveFlags[] = {
    // Edges as present/absent, not bucketed hit counts: the model's loops run
    // once per scheduled step, so every longer or shorter schedule lit a new
    // count bucket of some edge and libFuzzer kept it (thousands of inputs in
    // seconds, each written to disk and re-scored).  The interleaving feedback
    // (core/exec/feedback.h) tells schedules apart instead.  Measured in
    // fuzz/README.md ("Default flags").
    {"-use_counters", "0"},
};

// Rewrites (*argc, *argv) to argv[0], the defaults not named on the command
// line, then the command line's arguments.  The new array lives as long as
// the process (libFuzzer keeps pointers into it).
// Says on stderr which defaults it added, once, as "<target>: default flags: ...".
inline void apply_default_flags(const char* target, int* argc, char*** argv, std::span<const DefaultFlag> defaults) {
  if (!argc || !argv || *argc < 1) return;
  static std::vector<std::string> owned;
  static std::vector<char*> args;
  owned.clear();
  for (const DefaultFlag& d : defaults) {
    const size_t n = std::strlen(d.name);
    bool named = false;
    for (int i = 1; i < *argc; i++)
      if (std::strncmp((*argv)[i], d.name, n) == 0 && (*argv)[i][n] == '=') named = true;
    if (!named) owned.push_back(std::string(d.name) + "=" + d.value);
  }
  if (owned.empty()) return;
  std::fprintf(stderr, "%s: default flags:", target);
  for (const std::string& f : owned) std::fprintf(stderr, " %s", f.c_str());
  std::fprintf(stderr, " (fuzz/default_flags.h; name one on the command line to override it)\n");
  args.assign(*argv, *argv + 1);
  for (std::string& s : owned) args.push_back(s.data());
  args.insert(args.end(), *argv + 1, *argv + *argc);
  args.push_back(nullptr);
  *argc = int(args.size()) - 1;
  *argv = args.data();
}

}  // namespace gf::fuzz
