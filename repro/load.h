// SPDX-License-Identifier: GPL-2.0
//
// Reading scenario files (JSON or fuzz bytes) and writing outputs atomically.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/check/pte_case.h"
#include "core/scenario/scenario.h"

namespace gf::repro {

inline constexpr size_t MAX_INPUT_BYTES = 1 << 20;  // 1 MiB: far above any real scenario

struct Loaded {
  Scenario scenario;
  bool json = false;
};

// A file is JSON when its name ends in .json, or when it is text whose first
// non-blank byte is '{'; anything else is fuzz bytes (decoding is total) and
// takes its injected bugs from `bytes_bugs`.
// On failure returns nullopt and sets `err` to "<path>: <problem>".
std::optional<Loaded> load_scenario(const std::string& path, const BugSet& bytes_bugs, std::string& err);

// The same for PTE cases (fuzz_pte_norecency inputs, helper-bug witnesses).
std::optional<PteCase> load_pte_case(const std::string& path, const BugSet& bytes_bugs, std::string& err);

// Every regular file under each argument (folders recursively), sorted; false
// with `err` when an argument does not exist.
bool expand_paths(const std::vector<std::string>& args, std::vector<std::string>& files, std::string& err);

// Write to PATH.tmp.<pid> then rename over PATH: a reader never sees half a file.
bool write_atomically(const std::string& path, const std::string& data, std::string& err);

}  // namespace gf::repro
