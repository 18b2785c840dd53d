// SPDX-License-Identifier: GPL-2.0
//
// The one architecture registry: from an Arch value (core/arch/arches.h,
// generated from core/arch/arches.def) to its model type.
//
//   with_pte_arch(a, bugs, [&]<class A>() { ... A::pte_mkclean(v) ... });
//
// instantiates the body for every architecture and for every helper bug of
// core/base/bugs.def whose `where` names that architecture (or "*"), as
// Model<ArchCfg{..., .bug = b}>; nothing else is instantiated (the PTE-level
// tools).
//
//   with_machine_arch(a, [&]<class A>() { ... run the machine on A ... });
//
// instantiates the body for the machine architectures only (arches.def rows
// with machine = 1), each as its correct model: the one switch the machine
// takes per execution (core/exec/run.cc) and the few per-architecture facts
// generic code asks of a running machine (core/mm/machine.cc, core/report/).
#pragma once

#include <optional>
#include <string_view>
#include <utility>

#include "core/arch/arches.h"
#include "core/arch/arm64.h"
#include "core/arch/i386_pae.h"
#include "core/arch/ppc64.h"
#include "core/arch/riscv64.h"
#include "core/arch/s390x.h"
#include "core/arch/x86_64.h"
#include "core/base/ids.h"

namespace gf {

namespace arch {
// Each model as a template on ArchCfg, with its default configuration.
template <template <ArchCfg> class M, ArchCfg Base>
struct ModelFamily {
  static constexpr ArchCfg base = Base;
  template <int Bug>
  using with_bug = M<ArchCfg{.numa_balancing = Base.numa_balancing, .soft_dirty = Base.soft_dirty,
                             .uffd_wp = Base.uffd_wp, .shstk = Base.shstk, .svadu = Base.svadu, .bug = Bug}>;
  // The correct model in another kernel configuration (the meaning check,
  // core/check/meaning_cfgs.def): the Kconfig switches, the CPU's kept.
  template <bool Numa, bool SoftDirty, bool UffdWp>
  using with_switches = M<ArchCfg{.numa_balancing = Numa, .soft_dirty = SoftDirty, .uffd_wp = UffdWp,
                                  .shstk = Base.shstk, .svadu = Base.svadu}>;
};
using X86_64Family = ModelFamily<X86_64T, ArchCfg{}>;
using X86_64ShstkFamily = ModelFamily<X86_64T, ArchCfg{.shstk = true}>;
using Arm64Family = ModelFamily<Arm64T, ArchCfg{}>;
using Riscv64Family = ModelFamily<Riscv64T, ArchCfg{}>;
using Riscv64SvaduFamily = ModelFamily<Riscv64T, ArchCfg{.svadu = true}>;
using S390xFamily = ModelFamily<S390xT, ArchCfg{}>;
using Ppc64Family = ModelFamily<Ppc64T, ArchCfg{}>;
using I386PaeFamily = ModelFamily<I386PaeT, I386Pae::cfg>;
using X86_64Shstk = X86_64ShstkFamily::with_bug<-1>;
using Riscv64Svadu = Riscv64SvaduFamily::with_bug<-1>;
}  // namespace arch

namespace detail {
template <Arch P> struct FamilyOf;
#define GF_ARCH(id, name, type, machine, text) \
  template <> struct FamilyOf<Arch::id> { using type_ = arch::type##Family; static constexpr std::string_view nm = name; };
#include "core/arch/arches.def"
#undef GF_ARCH

// Does injected bug b live in architecture P's helpers?
#define GF_ARCH(id, name, type, machine, text)                                                  \
  static_assert(arch_has_numa_balancing(Arch::id) == FamilyOf<Arch::id>::type_::base.numa_balancing, \
                "arches.h arch_has_numa_balancing() disagrees with the model's ArchCfg");
#include "core/arch/arches.def"
#undef GF_ARCH

template <Arch P>
constexpr bool bug_in(int b) {
  return b >= 0 && b < NR_BUGS && (kBugWhere[b] == "*" || kBugWhere[b] == FamilyOf<P>::nm);
}

template <Arch P, class F, int... Bs>
auto dispatch_bug(int bug, F&& f, std::integer_sequence<int, Bs...>) {
  using Fam = typename FamilyOf<P>::type_;
  using R = decltype(f.template operator()<typename Fam::template with_bug<-1>>());
  std::optional<R> r;
  (void)((bug_in<P>(Bs) && bug == Bs &&
          (r.emplace(f.template operator()<typename Fam::template with_bug<(bug_in<P>(Bs) ? Bs : -1)>>()), true)) ||
         ...);
  if (!r) r.emplace(f.template operator()<typename Fam::template with_bug<-1>>());
  return *std::move(r);
}
}  // namespace detail

// Is architecture a one of the known race's (core/base/known.def) arches?
inline bool known_race_arch(KnownRace k, Arch a) {
  const std::string_view list = info(k).arches, name = arch_name(a);
  for (size_t i = 0; i <= list.size();) {
    const size_t j = std::min(list.find(' ', i), list.size());
    if (list.substr(i, j - i) == name) return true;
    i = j + 1;
  }
  return false;
}

// The first bug of `bugs` that lives in architecture a's helpers, or -1.
int helper_bug_for(Arch a, BugSet bugs);
// Does the bug break a model's helpers (and which)?  "" for operation bugs.
inline bool is_helper_bug(Bug b) { return !info(b).where.empty(); }
bool bug_applies(Bug b, Arch a);

// Calls f.template operator()<Model>() with a's model, broken by the first
// helper bug in `bugs` that applies to a (only one at a time).
template <class F>
auto with_pte_arch(Arch a, BugSet bugs, F&& f) {
  const int bug = helper_bug_for(a, bugs);
  switch (a) {
#define GF_ARCH(id, name, type, machine, text) \
  case Arch::id: return detail::dispatch_bug<Arch::id>(bug, f, std::make_integer_sequence<int, NR_BUGS>{});
#include "core/arch/arches.def"
#undef GF_ARCH
  }
  return detail::dispatch_bug<Arch::x86_64>(bug, f, std::make_integer_sequence<int, NR_BUGS>{});
}

// An architecture's correct model, at compile time.
template <Arch P>
using ModelOf = typename detail::FamilyOf<P>::type_::template with_bug<-1>;

// Calls f.template operator()<Model>() with machine architecture a's correct
// model (injected bugs of the machine are operation bugs, never helper bugs).
// Only the machine rows of arches.def are instantiated; a is always one of
// them (a scenario's arch comes from kMachineArches).
template <class F>
auto with_machine_arch(Arch a, F&& f) {
  switch (a) {
#define GF_ARCH(id, name, type, machine, text) GF_MACHINE_ARCH_CASE_##machine(id)
#define GF_MACHINE_ARCH_CASE_0(id)
#define GF_MACHINE_ARCH_CASE_(id) \
  case Arch::id: return f.template operator()<ModelOf<Arch::id>>();
#define GF_MACHINE_ARCH_CASE_1(id) GF_MACHINE_ARCH_CASE_(id)
#define GF_MACHINE_ARCH_CASE_2(id) GF_MACHINE_ARCH_CASE_(id)
#define GF_MACHINE_ARCH_CASE_3(id) GF_MACHINE_ARCH_CASE_(id)
#define GF_MACHINE_ARCH_CASE_4(id) GF_MACHINE_ARCH_CASE_(id)
#define GF_MACHINE_ARCH_CASE_5(id) GF_MACHINE_ARCH_CASE_(id)
#define GF_MACHINE_ARCH_CASE_6(id) GF_MACHINE_ARCH_CASE_(id)
#define GF_MACHINE_ARCH_CASE_7(id) GF_MACHINE_ARCH_CASE_(id)
#define GF_MACHINE_ARCH_CASE_8(id) GF_MACHINE_ARCH_CASE_(id)
#include "core/arch/arches.def"
#undef GF_MACHINE_ARCH_CASE_8
#undef GF_MACHINE_ARCH_CASE_7
#undef GF_MACHINE_ARCH_CASE_6
#undef GF_MACHINE_ARCH_CASE_5
#undef GF_MACHINE_ARCH_CASE_4
#undef GF_MACHINE_ARCH_CASE_3
#undef GF_MACHINE_ARCH_CASE_2
#undef GF_MACHINE_ARCH_CASE_1
#undef GF_MACHINE_ARCH_CASE_
#undef GF_MACHINE_ARCH_CASE_0
#undef GF_ARCH
    default: break;
  }
  return f.template operator()<ModelOf<kMachineArches[0]>>();
}

}  // namespace gf
