// SPDX-License-Identifier: GPL-2.0
#include "repro/cli.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "core/check/pte_case.h"
#include "repro/load.h"

namespace gf::repro::cli {

void add_bugs_option(CLI::App& sub, std::string& bugs, const char* help) { sub.add_option("--bugs", bugs, help); }

void add_output_option(CLI::App& sub, std::string& out, const char* help) { sub.add_option("-o,--output", out, help); }

void add_unchecked_tables_flag(CLI::App& sub, bool& unchecked) {
  sub.add_flag("--unchecked-tables", unchecked,
               "diagnostic: let walkers really touch freed PTE tables (for AddressSanitizer to report)");
}

void print_row(int width, std::string_view name, std::string_view text) {
  std::printf("%-*.*s %.*s\n", width, int(name.size()), name.data(), int(text.size()), text.data());
}

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

int bugs_and_files(const std::string& bugs_flag, const std::vector<std::string>& args, gf::BugSet& bugs,
                   std::vector<std::string>& files) {
  std::string err;
  if (!bytes_bugs(bugs_flag, bugs, err)) return bad(err);
  if (!gf::repro::expand_paths(args, files, err)) return bad(err);
  return kClean;
}

gf::RunResult run_traced(const gf::Scenario& s) {
  gf::RunOptions o;
  o.machine.trace = true;
  return gf::run(s, o);
}

bool is_pte_case_file(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return data.size() <= gf::repro::MAX_INPUT_BYTES && gf::looks_like_pte_case(data);
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

}  // namespace gf::repro::cli
