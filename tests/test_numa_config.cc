// SPDX-License-Identifier: GPL-2.0
//
// A scenario's kernel configuration: "numa_balancing": false (Scenario::
// numa_off) and mprotect(PROT_NONE) (core/mm/mprotect.h), on every machine
// architecture.
//  - the option round-trips through JSON and the fuzz bytes, and is refused
//    (JSON) or dropped (bytes) where the architecture's configuration has no
//    NUMA_BALANCING (i386-pae), as NUMA-hinting regions are without it;
//  - with NUMA_BALANCING GUP-fast refuses a PROT_NONE entry everywhere;
//  - without it, the architectures with their own pte_access_permitted()
//    still refuse it, and riscv and s390 read-pin it: the known finding
//    pin_prot_none_without_numa_balancing (pin_without_access), never a
//    write pin;
//  - user space faults (SIGSEGV) on a PROT_NONE page, and mprotect() makes
//    it accessible again with its page and data.
#include <gtest/gtest.h>

#include <string>

#include "core/arch/arches.h"
#include "core/base/ids.h"
#include "core/decoder/semantic.h"
#include "core/exec/run.h"
#include "core/mm/machine.h"
#include "core/scenario/scenario.h"
#include "tests/test_util.h"

namespace {

gf::Scenario parse(const std::string& text) {
  return gf::test::parse_scenario(text);
}

std::string parse_error(const std::string& text) {
  gf::ParseError err;
  auto s = gf::scenario_from_json(text, err);
  EXPECT_FALSE(s.has_value()) << text;
  return err.message;
}

// One CPU running `ops` on one dirty writable anon page at va 0.
gf::Scenario one_page(gf::Arch a, bool numa, const std::string& ops) {
  return parse(std::string(R"({"arch": ")") + gf::arch_name(a) + R"(", )" +
               (numa ? "" : R"("numa_balancing": false, )") +
               R"("regions": [{"va": 0, "pages": 1, "anon": true, "write": true, "dirty": true}],
                  "cpus": [[)" + ops + "]]}");
}

gf::PteSem entry0(const gf::Machine& m) {
  const gf::pmdval_t pmd = m.pmd[0].peek();
  if (!m.pmd_is_table(pmd)) return {};
  return gf::sem_decode(m.sc().arch, m.table_of(pmd)->e[0].peek());
}

// Whether the architecture's own pte_access_permitted() refuses PAGE_NONE
// (x86: _PAGE_PRESENT, arm64: PTE_VALID, ppc64: _PAGE_READ); riscv and s390
// have the generic one (pte_present()).
bool own_access_check(gf::Arch a) {
  return a != gf::Arch::riscv64 && a != gf::Arch::riscv64_svadu && a != gf::Arch::s390x;
}

TEST(NumaConfig, RoundTripsThroughJsonAndBytes) {
  for (gf::Arch a : gf::kMachineArches) {
    if (!gf::arch_has_numa_balancing(a)) continue;
    const gf::Scenario s = one_page(a, false, R"({"op": "gup_fast", "va": 0})");
    EXPECT_TRUE(s.numa_off) << gf::arch_name(a);
    gf::ParseError err;
    auto back = gf::scenario_from_json(gf::scenario_to_json(s), err);
    ASSERT_TRUE(back.has_value()) << err.message;
    EXPECT_EQ(*back, s) << gf::arch_name(a);
    const gf::Scenario dec = gf::decode(gf::encode(s), s.form);
    EXPECT_TRUE(dec.numa_off) << gf::arch_name(a);
    EXPECT_EQ(dec, s) << gf::arch_name(a);
    EXPECT_FALSE(one_page(a, true, R"({"op": "gup_fast", "va": 0})").numa_off);
  }
}

TEST(NumaConfig, OnlyWhereTheConfigurationHasIt) {
  EXPECT_NE(parse_error(R"({"arch": "i386-pae", "numa_balancing": true, "regions": [{"va": 0}], "cpus": [[]]})")
                .find("CONFIG_NUMA_BALANCING"),
            std::string::npos);
  // false is the configuration i386-pae has anyway.
  EXPECT_FALSE(parse(R"({"arch": "i386-pae", "numa_balancing": false, "regions": [{"va": 0}], "cpus": [[]]})").numa_off);
  EXPECT_NE(parse_error(R"({"arch": "x86_64", "numa_balancing": false,
                            "regions": [{"va": 0, "protnone": true}], "cpus": [[]]})")
                .find("NUMA_BALANCING"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"arch": "x86_64", "numa_balancing": 0, "regions": [{"va": 0}], "cpus": [[]]})"), "");
  // Bytes: arch byte 6 is i386-pae; bit 1 of the options byte is dropped,
  // and with it off elsewhere a NUMA-hinting region loses its flag.
  const uint8_t pae[] = {6, 2, 0, 0, 1, 64, 0, 0};
  EXPECT_FALSE(gf::decode(pae).numa_off);
  const uint8_t x86[] = {0, 2, 0, 0, 1, 64, 0, 0};
  const gf::Scenario s = gf::decode(x86);
  EXPECT_TRUE(s.numa_off);
  EXPECT_EQ(s.regions.at(0).flags & gf::RF_PROTNONE, 0);
}

class ProtNone : public ::testing::TestWithParam<gf::Arch> {};

TEST_P(ProtNone, WithNumaBalancingGupFastRefusesIt) {
  const gf::Arch a = GetParam();
  for (const char* flags : {R"(["FOLL_PIN"])", R"(["FOLL_PIN", "FOLL_WRITE"])", R"(["FOLL_GET"])"}) {
    const gf::Scenario s = one_page(
        a, gf::arch_has_numa_balancing(a),
        std::string(R"({"op": "mprotect_none", "va": 0}, {"op": "gup_fast", "va": 0, "flags": )") + flags + "}");
    gf::Machine m(s, {});
    const gf::RunResult r = gf::run_on(m, s);
    EXPECT_FALSE(r.verdict.violated) << flags << ": " << r.verdict.message;
    EXPECT_EQ(m.cpu[0].nheld, 0) << flags;
    EXPECT_EQ(entry0(m).kind, gf::PteSem::protnone) << "mprotect(PROT_NONE) keeps the page under PAGE_NONE";
  }
}

TEST_P(ProtNone, WithoutNumaBalancingOnlyTheGenericCheckLetsAReadPinThrough) {
  const gf::Arch a = GetParam();
  if (!gf::arch_has_numa_balancing(a)) GTEST_SKIP() << "its only configuration is the one above";
  const gf::Scenario read = one_page(a, false, R"({"op": "mprotect_none", "va": 0}, {"op": "gup_fast", "va": 0, "flags": ["FOLL_PIN"]})");
  const gf::RunResult r = gf::run(read);
  if (own_access_check(a)) {
    EXPECT_FALSE(r.verdict.violated) << r.verdict.message;
  } else {
    ASSERT_TRUE(r.verdict.violated);
    EXPECT_EQ(r.verdict.oracle, gf::Oracle::pin_without_access) << r.verdict.message;
    EXPECT_EQ(r.verdict.known, int(gf::KnownRace::pin_prot_none_without_numa_balancing));
  }
  // A write pin: PAGE_NONE is never writable, generic check or not.
  const gf::Scenario write =
      one_page(a, false, R"({"op": "mprotect_none", "va": 0}, {"op": "gup_fast", "va": 0, "flags": ["FOLL_PIN", "FOLL_WRITE"]})");
  const gf::RunResult w = gf::run(write);
  EXPECT_FALSE(w.verdict.violated) << w.verdict.message;
}

TEST_P(ProtNone, UserSpaceFaultsUntilMprotectGivesItBack) {
  const gf::Arch a = GetParam();
  const gf::Scenario s = one_page(a, gf::arch_has_numa_balancing(a),
                                  R"({"op": "hw_write", "va": 0}, {"op": "mprotect_none", "va": 0},
                                     {"op": "hw_write", "va": 0}, {"op": "hw_access", "va": 0})");
  gf::Machine m(s, {});
  const gf::RunResult r = gf::run_on(m, s);
  EXPECT_FALSE(r.verdict.violated) << r.verdict.message;
  gf::PteSem e = entry0(m);
  EXPECT_EQ(e.kind, gf::PteSem::protnone) << "the faults were SIGSEGV: nothing mapped anew";
  const uint64_t pfn = e.pfn;
  const gf::Scenario back = one_page(a, gf::arch_has_numa_balancing(a),
                                     R"({"op": "hw_write", "va": 0}, {"op": "mprotect_none", "va": 0},
                                        {"op": "mprotect", "va": 0, "flags": ["FOLL_WRITE"]}, {"op": "hw_write", "va": 0},
                                        {"op": "gup_fast", "va": 0, "flags": ["FOLL_PIN", "FOLL_WRITE"]})");
  gf::Machine m2(back, {});
  const gf::RunResult r2 = gf::run_on(m2, back);
  EXPECT_FALSE(r2.verdict.violated) << r2.verdict.message;
  e = entry0(m2);
  EXPECT_EQ(e.kind, gf::PteSem::present);
  EXPECT_EQ(e.pfn, pfn) << "the same page, an exclusive anon one made writable again";
  EXPECT_TRUE(e.write);
  EXPECT_EQ(m2.cpu[0].nheld, 1) << "the write pin is kept";
}

INSTANTIATE_TEST_SUITE_P(Machines, ProtNone, ::testing::ValuesIn(gf::kMachineArches.begin(), gf::kMachineArches.end()),
                         [](const auto& i) {
                           std::string n = gf::arch_name(i.param);
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

}  // namespace
