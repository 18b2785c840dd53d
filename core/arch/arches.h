// SPDX-License-Identifier: GPL-2.0
//
// The one architecture enumeration, generated from core/arch/arches.def: every
// architecture model, in table order, and which of them the machine runs.
// Header-only and constexpr (tools/kernel-truth cross-compiles it); the models
// name themselves with it (A::id).  core/arch/registry.h maps a value to its
// model type.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace gf {

enum class Arch : uint8_t {
#define GF_ARCH(id, name, type, machine, text) id,
#include "core/arch/arches.def"
#undef GF_ARCH
};
inline constexpr int NR_ARCHES = 0
#define GF_ARCH(id, name, type, machine, text) +1
#include "core/arch/arches.def"
#undef GF_ARCH
    ;

struct ArchInfo {
  const char* name;  // "x86_64", "x86_64-shstk", ...: CLI, JSON and messages
  int machine;       // 0: PTE-level tools only; n: the machine runs it, as scenario arch byte n - 1
  std::string_view text;
};

inline constexpr ArchInfo kArchInfo[NR_ARCHES] = {
#define GF_ARCH(id, name, type, machine, text) {name, machine, text},
#include "core/arch/arches.def"
#undef GF_ARCH
};

constexpr const ArchInfo& info(Arch a) { return kArchInfo[int(a)]; }
constexpr const char* arch_name(Arch a) { return info(a).name; }
constexpr bool runs_on_machine(Arch a) { return info(a).machine != 0; }

// Any architecture by name (the PTE-level tools).
constexpr std::optional<Arch> arch_from_name(std::string_view s) {
  for (int i = 0; i < NR_ARCHES; i++)
    if (s == kArchInfo[i].name) return Arch(i);
  return std::nullopt;
}

// The machine architectures, in the order of their `machine` numbers: a
// scenario's arch byte is an index into this list (mod its length).  The
// numbers, not the rows, fix the order, so a row that joins the machine
// takes the next number and every existing arch byte keeps its meaning.
inline constexpr int NR_MACHINE_ARCHES = 0
#define GF_ARCH(id, name, type, machine, text) +(machine != 0)
#include "core/arch/arches.def"
#undef GF_ARCH
    ;
inline constexpr auto kMachineArches = [] {
  struct List {
    Arch a[NR_MACHINE_ARCHES]{};
    constexpr Arch operator[](int i) const { return a[i]; }
    constexpr const Arch* begin() const { return a; }
    constexpr const Arch* end() const { return a + NR_MACHINE_ARCHES; }
  } l;
  for (int n = 1; n <= NR_MACHINE_ARCHES; n++) {
    int found = 0;
    for (int i = 0; i < NR_ARCHES; i++)
      if (kArchInfo[i].machine == n) {
        l.a[n - 1] = Arch(i);
        found++;
      }
    if (found != 1) throw "arches.def: the machine numbers must be 1..N, each once";
  }
  return l;
}();
static_assert(NR_MACHINE_ARCHES > 0);

// Position of a machine architecture in kMachineArches (its scenario byte).
constexpr int machine_index(Arch a) {
  for (int i = 0; i < NR_MACHINE_ARCHES; i++)
    if (kMachineArches[i] == a) return i;
  return -1;
}

// Whether the architecture's configuration (its arches.def row) has
// CONFIG_NUMA_BALANCING, which a scenario may switch off ("numa_balancing":
// false): every row but i386-pae (ARCH_SUPPORTS_NUMA_BALANCING is 64-bit
// x86 only).  core/arch/registry.h checks it against each model's ArchCfg.
constexpr bool arch_has_numa_balancing(Arch a) { return a != Arch::i386_pae; }

// A machine architecture by name (scenario JSON): the others are unknown there.
constexpr std::optional<Arch> machine_arch_from_name(std::string_view s) {
  const auto a = arch_from_name(s);
  if (a && runs_on_machine(*a)) return a;
  return std::nullopt;
}

}  // namespace gf
