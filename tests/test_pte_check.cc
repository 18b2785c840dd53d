// SPDX-License-Identifier: GPL-2.0
//
// The PTE-semantics checks (core/check/pte_check.h), their input format
// (core/check/pte_case.h) and the audit (core/check/audit.h):
//  - codec: bytes and JSON round-trip; bad JSON gets a one-line error;
//  - seeds (corpus/pte_cases/*.json) are benign and in sync with
//    corpus/fuzz_pte_norecency/;
//  - the correct models survive many random byte inputs;
//  - every helper bug of core/base/bugs.def is found from random bytes, with its
//    oracle, and turns some audit cell unsafe;
//  - the audit table in README.md is the current one;
//  - PAE's low/high/low lockless read never returns a torn entry.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <algorithm>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_util.h"
#include "core/check/audit.h"
#include "core/check/audit_model.h"
#include "core/check/pte_check_model.h"
#include "core/check/pte_check.h"
#include "core/report/report.h"
#include "core/decoder/semantic.h"

namespace fs = std::filesystem;

namespace {

const fs::path kRoot = GUPFUZZ_SOURCE_DIR;

using gf::test::slurp;

std::vector<uint8_t> random_bytes(std::mt19937_64& rng, size_t max_len) {
  std::vector<uint8_t> b(rng() % (max_len + 1));
  for (auto& x : b) x = uint8_t(rng());
  return b;
}

// ------------------------------------------------------------------ codec

TEST(PteCaseCodec, BytesAndJsonRoundTrip) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; i++) {
    const auto bytes = random_bytes(rng, 40);
    const gf::PteCase c = gf::decode_pte_case(bytes);
    const auto canon = gf::encode(c);
    ASSERT_EQ(gf::decode_pte_case(canon), c);
    gf::ParseError err;
    const auto back = gf::pte_case_from_json(gf::pte_case_to_json(c), err);
    ASSERT_TRUE(back.has_value()) << err.message << "\n" << gf::pte_case_to_json(c);
    ASSERT_EQ(*back, c);
  }
}

TEST(PteCaseCodec, BadJsonGetsOneLineNamingTheField) {
  const struct {
    const char* json;
    const char* expect;
  } cases[] = {
      {R"({"arch": "vax", "start": "none"})", "arch: unknown architecture \"vax\""},
      {R"({"arch": "arm64"})", "missing \"start\""},
      {R"({"arch": "arm64", "start": "none", "colour": 1})", "unknown field \"colour\""},
      {R"({"arch": "arm64", "start": {"user": {"pfn": 300}}})", "start.user.pfn: 300 has no byte encoding"},
      {R"({"arch": "arm64", "start": {"user": {"pfn": "0xzz"}}})", "start.user.pfn: \"0xzz\" is not a number"},
      {R"({"arch": "arm64", "start": {"pfn_pte": {"pfn": 1, "prot": "rwx"}}})", "unknown protection \"rwx\""},
      {R"({"arch": "arm64", "start": "none", "a": [{"op": "mkfast"}]})", "a[0].op: unknown transformation"},
      {R"({"arch": "arm64", "start": "none", "b": [{"op": "modify", "arg": 256}]})", "b[0].arg: 256 is out of range"},
      {R"({"arch": "arm64", "start": "none", "bugs": ["nope"]})", "unknown injected bug \"nope\""},
      {R"({"arch": "arm64", "start": )", "malformed JSON"},
  };
  for (const auto& c : cases) {
    gf::ParseError err;
    EXPECT_FALSE(gf::pte_case_from_json(c.json, err).has_value()) << c.json;
    EXPECT_NE(err.message.find(c.expect), std::string::npos) << c.json << " -> " << err.message;
    EXPECT_EQ(err.message.find('\n'), std::string::npos);
  }
}

// ------------------------------------------------------------------ seeds

TEST(PteSeeds, AreBenignAndInSyncWithTheirBytes) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(kRoot / "corpus/pte_cases")) {
    if (e.path().extension() != ".json") continue;
    gf::ParseError err;
    auto c = gf::pte_case_from_json(slurp(e.path()), err);
    ASSERT_TRUE(c.has_value()) << e.path() << ": " << err.message;
    EXPECT_TRUE(c->bugs.empty()) << e.path() << ": seeds must not inject bugs";
    const gf::PteVerdict v = gf::check_pte_case(*c);
    EXPECT_FALSE(v.violated()) << gf::format_pte_report(*c, v, e.path());
    const fs::path bytes = kRoot / "corpus/fuzz_pte_norecency" / e.path().stem();
    ASSERT_TRUE(fs::exists(bytes)) << bytes << " missing: gupfuzz encode " << e.path() << " -o " << bytes;
    const auto want = gf::encode(*c);
    EXPECT_EQ(std::string(want.begin(), want.end()), slurp(bytes)) << bytes << " is out of sync with " << e.path();
    names.insert(e.path().stem().string());
  }
  EXPECT_GE(names.size(), size_t(gf::NR_ARCHES));
  for (const auto& e : fs::directory_iterator(kRoot / "corpus/fuzz_pte_norecency"))
    EXPECT_TRUE(names.count(e.path().filename().string())) << e.path() << " has no JSON in corpus/pte_cases/";
}

// ------------------------------------------------------------------ decoder

// The oracles' semantic decoder (core/decoder/semantic.cc, written from bit numbers)
// and each model (checked against the kernel by tools/kernel-truth) read every
// entry the transformations reach the same way.
TEST(SemanticDecoder, AgreesWithEveryModelOnReachableEntries) {
  std::mt19937_64 rng(3);
  int checked[gf::NR_ARCHES] = {};
  for (int i = 0; i < 60000; i++) {
    const gf::PteCase c = gf::decode_pte_case(random_bytes(rng, 40));
    for (int side = 0; side < 2; side++) {
      const gf::pteval_t v = gf::pte_case_entry(c, side);
      const gf::PteSem s = gf::sem_decode(c.arch, v);
      SCOPED_TRACE(std::string(gf::info(c.arch).name) + " " + gf::hex(v) + " " + s.str());
      gf::with_pte_arch(c.arch, {}, [&]<class A>() {
        const bool mapped = s.kind == gf::PteSem::present || s.kind == gf::PteSem::protnone;
        EXPECT_EQ(mapped, A::pte_present(v));
        EXPECT_TRUE(gf::sem_well_formed(c.arch, v));
        if (!mapped) return 0;
        if (A::cfg.numa_balancing) {
          EXPECT_EQ(s.kind == gf::PteSem::protnone, A::pte_protnone(v));
        }
        gf::test::expect_sem_agrees<A>(s, v);
        return 0;
      });
      if (::testing::Test::HasFailure()) return;
      checked[int(c.arch)]++;
    }
  }
  for (int a = 0; a < gf::NR_ARCHES; a++) EXPECT_GT(checked[a], 1000) << gf::info(gf::Arch(a)).name;
}

// ------------------------------------------------------------------ fuzzing

// What libFuzzer does, without the coverage feedback: the correct models
// give no violation (known and spurious findings are not violations).
TEST(PteFuzz, CorrectModelsSurviveRandomCases) {
  std::mt19937_64 rng(1);
  std::set<std::string> findings;
  int arches[gf::NR_ARCHES] = {};
  for (int i = 0; i < 100000; i++) {
    const auto bytes = random_bytes(rng, 40);
    const gf::PteCase c = gf::decode_pte_case(bytes);
    arches[int(c.arch)]++;
    const gf::PteVerdict v = gf::check_pte_case(c);
    ASSERT_FALSE(v.violated()) << gf::format_pte_report(c, v, "") << gf::pte_case_to_json(c);
    for (const auto& f : v.findings) findings.insert(std::string(gf::info(c.arch).name) + " " + f.signature());
  }
  for (int a = 0; a < gf::NR_ARCHES; a++) EXPECT_GT(arches[a], 1000) << gf::info(gf::Arch(a)).name;
  // The only findings are the triaged x86 shadow-stack ones.
  EXPECT_EQ(findings, (std::set<std::string>{"x86_64-shstk known norecency_hides_change shstk",
                                             "x86_64-shstk known stale_view_changes_decision pte_write"}));
}

class HelperBug : public ::testing::TestWithParam<int> {};

// Random bytes on the bug's architecture find it, with the bug's oracle (a
// bug may also trip a neighbouring oracle first: mkold_clears_valid changes
// pte_present() as well).  The stream is seeded from the bug's name, so
// adding a bug to bugs.def changes no other bug's inputs.
TEST_P(HelperBug, IsFoundFromRandomBytes) {
  const gf::Bug bug = gf::Bug(GetParam());
  uint64_t seed = 1469598103934665603ull;  // FNV-1a of the id
  for (char ch : std::string(gf::info(bug).id)) seed = (seed ^ uint8_t(ch)) * 1099511628211ull;
  std::mt19937_64 rng(seed);
  int found = -1, violated = 0;
  for (int i = 0; i < 50000 && found < 0; i++) {
    auto bytes = random_bytes(rng, 40);
    if (bytes.empty()) continue;
    gf::PteCase c = gf::decode_pte_case(bytes);
    if (!gf::bug_applies(bug, c.arch)) continue;
    c.bugs.add(bug);
    const gf::PteVerdict v = gf::check_pte_case(c);
    if (!v.violated()) continue;
    violated++;
    if (v.violation->oracle == gf::info(bug).oracle) found = i;
  }
  EXPECT_GE(found, 0) << gf::info(bug).id << " not found with its oracle in 50000 random inputs (" << violated
                      << " found by another)";
}

TEST_P(HelperBug, MakesAnAuditCellUnsafe) {
  const gf::Bug bug = gf::Bug(GetParam());
  gf::BugSet bugs;
  bugs.add(bug);
  for (int a = 0; a < gf::NR_ARCHES; a++) {
    if (!gf::bug_applies(bug, gf::Arch(a))) continue;
    // ppc64le's swap format has no bit where pte_mkold()/pte_mkclean() act
    // (R/C), so normalising non-present entries changes none there
    // (tests/test_audit_nonpresent.cc checks that it stays clean).
    if (bug == gf::Bug::norecency_normalises_swap && gf::Arch(a) == gf::Arch::ppc64le) continue;
    const gf::AuditArch r = gf::run_audit(gf::Arch(a), bugs);
    EXPECT_EQ(r.bug, GetParam());
    EXPECT_FALSE(r.clean()) << gf::info(bug).id << " on " << gf::info(gf::Arch(a)).name << "\n"
                            << gf::audit_text({r});
  }
}

std::vector<int> helper_bugs() {
  std::vector<int> out;
  for (int b = 0; b < gf::NR_BUGS; b++)
    if (gf::is_helper_bug(gf::Bug(b))) out.push_back(b);
  return out;
}
INSTANTIATE_TEST_SUITE_P(Bugs, HelperBug, ::testing::ValuesIn(helper_bugs()),
                         [](const ::testing::TestParamInfo<int>& i) {
                           return std::string(gf::info(gf::Bug(i.param)).id);
                         });

// ------------------------------------------------------------------ own models

// A model of one's own through the templates: x86-64 whose pte_mkclean()
// forgets the dirty bits.  The compare then keeps dirtiness, so entries that
// differ only in it compare unequal: a spurious GUP-fast failure, reported as
// a finding (fuzzer) and a `spurious` cell (audit), never as a crash.
struct X86MkcleanKeepsDirty : gf::arch::X86_64 {
  static constexpr gf::pteval_t pte_mkclean(gf::pteval_t v) { return v; }
};
// ... and one whose pte_access_permitted() also wants Accessed.
struct X86AccessNeedsYoung : gf::arch::X86_64 {
  static constexpr bool pte_access_permitted(gf::pteval_t v, bool write) {
    return gf::arch::X86_64::pte_access_permitted(v, write) && (v & _PAGE_ACCESSED);
  }
};

TEST(OwnModel, SpuriousIsAFindingNotACrash) {
  gf::ParseError err;
  auto c = gf::pte_case_from_json(
      R"({"arch": "x86_64", "start": {"user": {"pfn": 5, "write": true}}, "a": [], "b": [{"op": "hw_write"}]})", err);
  ASSERT_TRUE(c.has_value()) << err.message;
  const gf::PteVerdict v = gf::check_pte_case_on<X86MkcleanKeepsDirty>(*c);
  EXPECT_FALSE(v.violated()) << gf::format_pte_report(*c, v, "");
  ASSERT_FALSE(v.findings.empty());
  EXPECT_EQ(v.findings[0].kind, gf::PteFinding::spurious);
  EXPECT_TRUE(gf::check_pte_case(*c).findings.empty());  // the real model: nothing

  const gf::AuditArch r = gf::audit_model<X86MkcleanKeepsDirty>(gf::Arch::x86_64, -1);
  EXPECT_EQ(r.complete.verdict, "spurious") << gf::audit_text({r});
  EXPECT_EQ(r.compare.verdict, "sound");
  EXPECT_FALSE(r.clean());
}

TEST(OwnModel, AccessCheckOnARecencyBitIsUnsafe) {
  const gf::AuditArch r = gf::audit_model<X86AccessNeedsYoung>(gf::Arch::x86_64, -1);
  EXPECT_EQ(r.preds[int(gf::Pred::access_read)].verdict, "unsafe") << gf::audit_text({r});
  EXPECT_EQ(r.preds[int(gf::Pred::access_write)].verdict, "unsafe");
  EXPECT_EQ(r.preds[int(gf::Pred::pte_write)].verdict, "safe");
  gf::ParseError err;
  auto c = gf::pte_case_from_json(R"({"arch": "x86_64", "start": {"user": {"pfn": 5}}})", err);
  ASSERT_TRUE(c.has_value());
  const gf::PteVerdict v = gf::check_pte_case_on<X86AccessNeedsYoung>(*c);
  ASSERT_TRUE(v.violated());
  EXPECT_EQ(v.violation->oracle, gf::Oracle::stale_view_changes_decision);
  EXPECT_EQ(v.violation->what, "access_read");
}

// ------------------------------------------------------------------ audit

std::vector<gf::AuditArch> audit_all() {
  std::vector<gf::AuditArch> rows;
  for (int a = 0; a < gf::NR_ARCHES; a++) rows.push_back(gf::run_audit(gf::Arch(a), {}));
  return rows;
}

TEST(Audit, CorrectModelsAreSafeOrKnown) {
  const auto rows = audit_all();
  for (const auto& r : rows) {
    SCOPED_TRACE(std::string(gf::info(r.arch).name));
    EXPECT_TRUE(r.clean()) << gf::audit_text({r});
    EXPECT_TRUE(r.exhaustive);
    EXPECT_GT(r.compare.pairs, 1000u);
    EXPECT_LE(r.bits.size(), 24u);
  }
  // Where stale recency does matter: x86 shadow stacks, pte_write.
  const auto& shstk = rows[int(gf::Arch::x86_64_shstk)];
  EXPECT_EQ(shstk.preds[int(gf::Pred::pte_write)].verdict, "known");
  EXPECT_EQ(shstk.compare.verdict, "known");
  EXPECT_EQ(shstk.compare.what, "shstk");
  EXPECT_EQ(rows[int(gf::Arch::x86_64)].preds[int(gf::Pred::pte_write)].verdict, "safe");
}

TEST(Audit, ReadmeTableIsCurrent) {
  const std::string readme = slurp(kRoot / "README.md");
  const std::string begin = "<!-- audit:begin (gupfuzz audit --markdown) -->\n", end = "<!-- audit:end -->";
  const size_t b = readme.find(begin), e = readme.find(end);
  ASSERT_NE(b, std::string::npos) << "README.md has no audit table";
  ASSERT_NE(e, std::string::npos);
  EXPECT_EQ(readme.substr(b + begin.size(), e - b - begin.size()), gf::audit_markdown(audit_all()))
      << "the audit changed: regenerate the table with `gupfuzz audit --markdown` and explain it in README.md";
}

TEST(Audit, SampledModeFindsTheSameBugs) {
  gf::AuditOptions o;
  o.max_bits = 4;  // forces sampling
  o.samples = 4096;
  gf::BugSet bugs;
  bugs.add(gf::Bug::write_from_rdonly);
  const auto r = gf::run_audit(gf::Arch::arm64, bugs, o);
  EXPECT_FALSE(r.exhaustive);
  EXPECT_EQ(r.preds[int(gf::Pred::pte_write)].verdict, "unsafe");
  EXPECT_TRUE(gf::run_audit(gf::Arch::arm64, {}, o).clean());
}

// ------------------------------------------------------------------ PAE

// pgtable-3level.h's writer order: set-up (none -> present) stores pte_high,
// then pte_low; teardown (present -> none) clears pte_low, then pte_high.  An
// entry never turns into another present one while GUP-fast has IRQs off
// (that needs a TLB flush, which waits for it), so these are the only two
// timelines a lockless read can overlap.  At every interleaving of its three
// loads (a retry sees the final state) the read returns a real state or a
// non-present one; a plain low-then-high read tears on teardown.
TEST(Pae, LocklessReadNeverTears) {
  using P = gf::arch::I386Pae;
  const gf::pteval_t pte = P::pfn_pte(0x123456, gf::Prot::rw);  // the PFN spans both halves
  ASSERT_NE(P::pte_high(pte), 0u);
  const std::vector<gf::pteval_t> setup = {0, P::make_pte(0, P::pte_high(pte)), pte};
  const std::vector<gf::pteval_t> teardown = {pte, P::make_pte(0, P::pte_high(pte)), 0};
  bool plain_tore = false;
  for (const auto* states : {&setup, &teardown}) {
    auto real = [&](gf::pteval_t v) { return std::find(states->begin(), states->end(), v) != states->end(); };
    const int n = int(states->size());
    for (int t0 = 0; t0 < n; t0++)
      for (int t1 = t0; t1 < n; t1++)
        for (int t2 = t1; t2 < n; t2++) {
          int loads = 0;
          const int at[3] = {t0, t1, t2};
          auto state = [&] { return (*states)[loads < 3 ? at[loads++] : n - 1]; };
          const gf::pteval_t v = P::ptep_get_lockless([&] { return P::pte_low(state()); },
                                                      [&] { return P::pte_high(state()); });
          EXPECT_TRUE(real(v) || !P::pte_present(v)) << std::hex << v;
          const gf::pteval_t plain = P::make_pte(P::pte_low((*states)[t0]), P::pte_high((*states)[t1]));
          plain_tore |= !real(plain) && P::pte_present(plain);
        }
  }
  EXPECT_TRUE(plain_tore) << "a read without the retry should tear on teardown";
}

// ------------------------------------------------------------------ pte

TEST(DescribePte, NamesBitsRecordAndPredicates) {
  const std::string d = gf::explain_pte(gf::Arch::x86_64, 0x8000000000000067ull);
  EXPECT_NE(d.find("Present RW User Accessed Dirty NX pfn=0"), std::string::npos) << d;
  EXPECT_NE(d.find("present pfn=0 W U young dirty"), std::string::npos) << d;
  EXPECT_NE(d.find("access_write=1"), std::string::npos) << d;
  const std::string s = gf::explain_pte(gf::Arch::s390x, 0x5633);
  EXPECT_NE(s.find("Present Soft_Dirty Read Write Protect Invalid pfn=0x5"), std::string::npos) << s;
}

}  // namespace
