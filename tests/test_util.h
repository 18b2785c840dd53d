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
#include <utility>

#include "core/arch/arm64.h"
#include "core/arch/registry.h"
#include "core/arch/x86_64.h"
#include "core/decoder/semantic.h"
#include "core/scenario/scenario.h"

namespace gf::test {

inline std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "%#018llx", (unsigned long long)v);
  return b;
}

// A scenario from JSON text; a parse error fails the calling test (with
// the message and the text) and gives an empty scenario.
inline Scenario parse_scenario(const std::string& text) {
  ParseError err;
  auto s = scenario_from_json(text, err);
  EXPECT_TRUE(s.has_value()) << err.message << "\n" << text;
  return s.value_or(Scenario{});
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

// The machine's models (core/arch/arches.def rows with machine = 1, table
// order): x86_64, arm64.
template <class Seq>
struct MachineModelsOf;
template <int... I>
struct MachineModelsOf<std::integer_sequence<int, I...>> {
  using type = ::testing::Types<ModelOf<kMachineArches[I]>...>;
};
using Arches = MachineModelsOf<std::make_integer_sequence<int, NR_MACHINE_ARCHES>>::type;

// Every model of core/arch/arches.def, in table order, as its correct model.
template <class Seq>
struct ModelsOf;
template <int... I>
struct ModelsOf<std::integer_sequence<int, I...>> {
  using type = ::testing::Types<ModelOf<Arch(I)>...>;
};
using AllModels = ModelsOf<std::make_integer_sequence<int, NR_ARCHES>>::type;

// Typed-test names from arches.def: "x86_64", "x86_64_shstk", ..., "i386_pae"
// ('-' would break --gtest_filter).
struct ModelNames {
  template <class T>
  static std::string GetName(int) {
    std::string n = arch_name(T::id);
    for (char& c : n)
      if (c == '-') c = '_';
    return n;
  }
};

// The oracles' decoder (core/decoder/semantic.cc, written from bit numbers)
// reads the mapped entry v (present or PROT_NONE) as model A's predicates do.
template <class A>
void expect_sem_agrees(const PteSem& s, pteval_t v) {
  EXPECT_EQ(s.pfn, A::pte_pfn(v));
  EXPECT_EQ(s.write || s.shstk, A::pte_write(v));
  EXPECT_EQ(s.young, A::pte_young(v));
  EXPECT_EQ(s.dirty, A::pte_dirty(v));
  EXPECT_EQ(s.special, A::pte_special(v));
  EXPECT_EQ(s.devmap, A::pte_devmap(v));
  EXPECT_EQ(s.uffd_wp, A::pte_uffd_wp(v));
  EXPECT_EQ(s.soft_dirty, A::pte_soft_dirty(v));
  EXPECT_EQ(s.cont, A::pte_cont(v));
}

}  // namespace gf::test
