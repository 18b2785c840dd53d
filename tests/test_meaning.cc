// SPDX-License-Identifier: GPL-2.0
//
// The meaning check (core/check/meaning.h): GUP-fast's composed decision
// against the decoder's meaning, per model and configuration.
//  - the correct models have no untriaged finding in any configuration;
//  - every GF_MEANING row of core/check/findings.def explains a real class;
//  - a broken composition or helper (a model of one's own) is found, and a
//    configuration switch shows in the result (riscv/s390 without NUMA_BALANCING);
//  - injected helper bugs show where they change GUP-fast's decision;
//  - the README's meaning table is the current one.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "core/check/meaning.h"
#include "core/check/meaning_model.h"
#include "tests/test_util.h"

namespace {

namespace fs = std::filesystem;
const fs::path kRoot = GUPFUZZ_SOURCE_DIR;

const std::vector<gf::MeaningRow>& all_rows() {
  static const std::vector<gf::MeaningRow> rows = [] {
    std::vector<gf::MeaningRow> out;
    for (int a = 0; a < gf::NR_ARCHES; a++)
      for (gf::MeaningRow& r : gf::run_meaning(gf::Arch(a), {})) out.push_back(std::move(r));
    return out;
  }();
  return rows;
}

const gf::MeaningRow& row(gf::Arch a, const std::string& cfg) {
  for (const gf::MeaningRow& r : all_rows())
    if (r.arch == a && r.cfg == cfg) return r;
  ADD_FAILURE() << "no row " << gf::info(a).name << " " << cfg;
  return all_rows().front();
}

const gf::MeaningClass* find_class(const gf::MeaningRow& r, bool finding, bool write, const std::string& cls,
                                   const std::string& origin) {
  for (const gf::MeaningClass& c : r.classes)
    if (c.finding == finding && c.write == write && c.cls == cls && c.origin == origin) return &c;
  return nullptr;
}

TEST(Meaning, EveryModelAndConfigurationIsTriaged) {
  int rows = 0;
  for (const gf::MeaningRow& r : all_rows()) {
    rows++;
    EXPECT_TRUE(r.clean()) << gf::meaning_text({r});
    EXPECT_GT(r.made, 100u) << gf::info(r.arch).name;
    EXPECT_GT(r.pins[0], 0u) << gf::info(r.arch).name;
    EXPECT_GT(r.pins[1], 0u) << gf::info(r.arch).name;
    EXPECT_LE(r.pins[1], r.pins[0]) << "a write pin without a read pin on " << gf::info(r.arch).name;
  }
  EXPECT_EQ(rows, gf::NR_MEANING_CFGS);
}

TEST(Meaning, NoDeadTriageRows) {
  std::set<const gf::MeaningKnown*> used;
  for (const gf::MeaningRow& r : all_rows())
    for (const gf::MeaningClass& c : r.classes)
      if (c.known) used.insert(c.known);
  for (const gf::MeaningKnown& k : gf::kMeaningKnown)
    EXPECT_TRUE(used.count(&k)) << "core/check/findings.def: GF_MEANING(" << gf::info(k.arch).name << ", " << k.cfg
                                << ", " << k.access << ", " << k.cls << ", " << k.origin << ") explains nothing";
}

// Every configuration is its model's: the switches reach the helpers.
TEST(Meaning, ConfigurationsChangeTheDecision) {
  // Without NUMA_BALANCING, riscv and s390 read-pin PROT_NONE entries the
  // kernel makes (the generic pte_access_permitted() is pte_present()).
  for (gf::Arch a : {gf::Arch::riscv64, gf::Arch::riscv64_svadu, gf::Arch::s390x}) {
    const gf::MeaningRow& on = row(a, "default");
    const gf::MeaningRow& off = row(a, "no-numa");
    EXPECT_GT(off.pins[0], on.pins[0]) << gf::info(a).name;
    EXPECT_EQ(find_class(on, true, false, "protnone", "made"), nullptr) << gf::meaning_text({on});
    const gf::MeaningClass* c = find_class(off, true, false, "protnone", "made");
    ASSERT_NE(c, nullptr) << gf::meaning_text({off});
    EXPECT_NE(c->known, nullptr);
    EXPECT_EQ(gf::sem_decode(a, c->x).kind, gf::PteSem::protnone);
  }
  // x86 and arm64 refuse PROT_NONE in pte_access_permitted() (raw Present /
  // PTE_VALID): NUMA_BALANCING changes nothing GUP-fast pins.
  for (gf::Arch a : {gf::Arch::x86_64, gf::Arch::arm64}) {
    EXPECT_EQ(row(a, "no-numa").pins[0], row(a, a == gf::Arch::arm64 ? "default" : "debian").pins[0]);
  }
  // Without USERFAULTFD no helper makes a uffd-wp entry: the made class goes.
  EXPECT_NE(find_class(row(gf::Arch::x86_64, "debian"), true, true, "uffd-wp", "made"), nullptr);
  EXPECT_EQ(find_class(row(gf::Arch::x86_64, "no-uffd-wp"), true, true, "uffd-wp", "made"), nullptr);
  EXPECT_LT(row(gf::Arch::x86_64, "defconfig").made, row(gf::Arch::x86_64, "debian").made);
}

// riscv execute-only: a real difference in every configuration.
TEST(Meaning, RiscvExecuteOnlyIsPinnedForRead) {
  using R = gf::ModelOf<gf::Arch::riscv64>;
  const gf::pteval_t exec_only = (5ull << 10) | 0x1 | 0x8 | 0x10 | 0x40;  // V X U A, pfn 5
  EXPECT_EQ(gf::gup_fast_decide<R>(exec_only, false), gf::GupDecision::pin);
  EXPECT_STREQ(gf::meaning_refuses(gf::sem_decode(gf::Arch::riscv64, exec_only), false), "no-read");
  EXPECT_NE(gf::known_meaning(gf::Arch::riscv64, "default", false, "no-read", "raw"), nullptr);
  EXPECT_EQ(gf::gup_fast_decide<R>(exec_only, true), gf::GupDecision::bail_access);
}

// A composition without the pte_protnone() bail, on a model whose
// pte_access_permitted() does not refuse PROT_NONE: an untriaged finding.
struct Riscv64NoProtnoneBail : gf::ModelOf<gf::Arch::riscv64> {
  static constexpr bool pte_protnone(gf::pteval_t) { return false; }
};
// An x86-64 whose pte_access_permitted() forgets _PAGE_USER.
struct X86AccessIgnoresUser : gf::arch::X86_64 {
  static constexpr bool pte_access_permitted(gf::pteval_t v, bool write) {
    const gf::pteval_t need = _PAGE_PRESENT | (write ? _PAGE_RW : 0);
    return (v & need) == need;
  }
};
// An arm64 GUP-fast that forgets the special test.
struct Arm64PinsSpecial : gf::ModelOf<gf::Arch::arm64> {
  static constexpr bool pte_special(gf::pteval_t) { return false; }
};

TEST(Meaning, BrokenCompositionsAreFound) {
  const gf::MeaningRow r = gf::meaning_model<Riscv64NoProtnoneBail>(gf::Arch::riscv64, "default", -1);
  EXPECT_FALSE(r.clean()) << gf::meaning_text({r});
  const gf::MeaningClass* c = find_class(r, true, false, "protnone", "made");
  ASSERT_NE(c, nullptr) << gf::meaning_text({r});
  EXPECT_EQ(c->known, nullptr);  // triaged only without NUMA_BALANCING
  EXPECT_NE(gf::meaning_text({r}).find("NEW: read pin, meaning: protnone (made"), std::string::npos);

  const gf::MeaningRow x = gf::meaning_model<X86AccessIgnoresUser>(gf::Arch::x86_64, "debian", -1);
  EXPECT_FALSE(x.clean());
  EXPECT_NE(find_class(x, true, false, "no-user", "raw"), nullptr) << gf::meaning_text({x});
  EXPECT_NE(find_class(x, true, true, "no-user", "raw"), nullptr);

  const gf::MeaningRow s = gf::meaning_model<Arm64PinsSpecial>(gf::Arch::arm64, "default", -1);
  EXPECT_FALSE(s.clean());
  const gf::MeaningClass* sp = find_class(s, true, false, "special", "made");
  ASSERT_NE(sp, nullptr) << gf::meaning_text({s});
  EXPECT_TRUE(gf::sem_decode(gf::Arch::arm64, sp->x).special);
  EXPECT_NE(gf::meaning_json({s}).find("\"untriaged\": "), std::string::npos);
}

// Injected helper bugs (core/base/bugs.def) where they reach the decision:
// a pte_access_permitted() that wants a recency bit refuses entries the
// meaning allows (informational: slow GUP takes them), and a pte_write()
// GUP-fast's first tests never read changes nothing.
TEST(Meaning, HelperBugsWhereTheyReachTheDecision) {
  gf::BugSet young;
  young.add(gf::Bug::access_permitted_needs_young);
  const gf::MeaningRow bad = gf::run_meaning(gf::Arch::ppc64le, young, {}, false).at(0);
  const gf::MeaningRow& good = row(gf::Arch::ppc64le, "default");
  EXPECT_EQ(bad.bug, int(gf::Bug::access_permitted_needs_young));
  EXPECT_TRUE(bad.clean());
  EXPECT_EQ(good.refusals[0], 0u);
  EXPECT_GT(bad.refusals[0], 0u) << gf::meaning_text({bad});
  const gf::MeaningClass* c = find_class(bad, false, false, "!pte_access_permitted", "made");
  ASSERT_NE(c, nullptr) << gf::meaning_text({bad});
  EXPECT_FALSE(gf::sem_decode(gf::Arch::ppc64le, c->x).young);

  gf::BugSet dirty;
  dirty.add(gf::Bug::write_from_dirty);
  const gf::MeaningRow pae = gf::run_meaning(gf::Arch::i386_pae, dirty, {}, false).at(0);
  EXPECT_EQ(pae.bug, int(gf::Bug::write_from_dirty));
  EXPECT_EQ(pae.pins[1], row(gf::Arch::i386_pae, "default").pins[1]);
  EXPECT_EQ(pae.findings[1], 0u);
}

TEST(Meaning, ReadmeTableIsCurrent) {
  const std::string readme = gf::test::slurp(kRoot / "README.md");
  const std::string begin = "<!-- meaning:begin (gupfuzz audit --markdown) -->\n", end = "<!-- meaning:end -->";
  const size_t b = readme.find(begin), e = readme.find(end);
  ASSERT_NE(b, std::string::npos) << "README.md has no meaning table";
  ASSERT_NE(e, std::string::npos);
  EXPECT_EQ(readme.substr(b + begin.size(), e - b - begin.size()), gf::meaning_markdown(all_rows()))
      << "the meaning check changed: regenerate the table with `gupfuzz audit --markdown` and explain it in README.md";
}

}  // namespace

// tools/kernel-truth names the kernel object's configuration by its switches.
TEST(Meaning, KernelConfigurationsHaveNames) {
  auto name = [](gf::Arch a, bool n, bool s, bool u) {
    const gf::MeaningCfg* c = gf::meaning_cfg_for(a, n, s, u);
    return c ? std::string(c->name) : std::string("none");
  };
  EXPECT_EQ(name(gf::Arch::x86_64, true, true, true), "debian");
  EXPECT_EQ(name(gf::Arch::x86_64, false, false, false), "defconfig");
  EXPECT_EQ(name(gf::Arch::x86_64, false, true, false), "none");
  EXPECT_EQ(name(gf::Arch::arm64, true, false, true), "default");  // arm64 has no soft-dirty
  EXPECT_EQ(name(gf::Arch::arm64, true, false, false), "no-uffd-wp");
  EXPECT_EQ(name(gf::Arch::riscv64, true, false, false), "default");
  EXPECT_EQ(name(gf::Arch::riscv64, false, false, false), "no-numa");
  EXPECT_EQ(name(gf::Arch::s390x, true, true, false), "default");
  EXPECT_EQ(name(gf::Arch::ppc64le, true, true, false), "default");
  EXPECT_EQ(name(gf::Arch::i386_pae, false, false, false), "default");
}
