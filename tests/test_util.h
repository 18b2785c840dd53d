// SPDX-License-Identifier: GPL-2.0
// Small helpers shared by the test files.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/arch/arm64.h"
#include "core/arch/x86_64.h"

namespace gf::test {

inline std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "%#018llx", (unsigned long long)v);
  return b;
}

// A whole file (empty when it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Typed-test names "x86_64" / "arm64".
struct ArchNames {
  template <class T>
  static std::string GetName(int) {
    return arch_name(T::id);
  }
};
using Arches = ::testing::Types<arch::X86_64, arch::Arm64>;

}  // namespace gf::test
