// SPDX-License-Identifier: GPL-2.0
//
// The oracle's side (core/decoder/semantic.h): the semantic decoder and its
// "differs only in recency" relation, checked against the model's
// predicates; then the code under test, Pgtable<A>::pte_same_norecency()
// (RFC 2/4), with and without the injected norecency_ignores_write bug.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tests/test_util.h"
#include "core/arch/arm64.h"
#include "core/arch/x86_64.h"
#include "core/exec/run.h"
#include "core/mm/machine.h"
#include "core/mm/pgtable.h"
#include "core/scenario/scenario.h"
#include "core/decoder/semantic.h"

namespace {

using gf::PteSem;
using gf::pteval_t;
using gf::UserProt;
using gf::arch::Arm64;
using gf::arch::X86_64;

using gf::test::hex;

// Constructor outputs, then random sequences of the recency helpers,
// wrprotect/mkwrite (pte_mkcont on valid entries only) and the MMU's access
// and write updates, from a fixed seed.
template <class A>
std::vector<pteval_t> values() {
  std::vector<pteval_t> out;
  std::mt19937 rng(777);
  for (unsigned m = 0; m < 64; m++) {
    for (uint64_t pfn : {0ull, 1ull, 16ull, 17ull, 200ull, 0x12345ull}) {
      const pteval_t base = A::mk_user_pte(pfn, gf::uprot_of(m));
      out.push_back(base);
      for (int s = 0; s < 4; s++) {
        pteval_t v = base;
        for (int k = 0, len = 1 + int(rng() % 5); k < len; k++) {
          switch (rng() % 9) {
            case 0: v = A::pte_mkold(v); break;
            case 1: v = A::pte_mkyoung(v); break;
            case 2: v = A::pte_mkclean(v); break;
            case 3: v = A::pte_mkdirty(v); break;
            case 4: v = A::pte_wrprotect(v); break;
            case 5: v = A::pte_mkwrite(v); break;
            case 6:
              if (!A::pte_protnone(v)) v = A::pte_mkcont(v);
              break;
            case 7: v = A::hw_access(v).value_or(v); break;
            case 8: v = A::hw_write(v).value_or(v); break;
          }
        }
        out.push_back(v);
      }
    }
  }
  return out;
}

template <class A>
PteSem sem(pteval_t v) {
  return gf::sem_decode(A::id, v);
}

template <class A>
class Semantic : public ::testing::Test {};
using gf::test::ArchNames;
using gf::test::Arches;
TYPED_TEST_SUITE(Semantic, Arches, ArchNames);

// ------------------------------------------------------------------ decoder

TYPED_TEST(Semantic, DecoderAgreesWithModelPredicates) {
  using A = TypeParam;
  int checked = 0;
  for (pteval_t v : values<A>()) {
    const PteSem s = sem<A>(v);
    SCOPED_TRACE(hex(v) + " " + s.str());
    ASSERT_EQ(s.kind == PteSem::present || s.kind == PteSem::protnone, A::pte_present(v));
    // PAGE_NONE is protnone to the decoder; pte_protnone() says so only
    // under NUMA_BALANCING (else include/linux/pgtable.h's 0: i386-pae).
    if constexpr (A::cfg.numa_balancing)
      ASSERT_EQ(s.kind == PteSem::protnone, A::pte_protnone(v));
    else
      ASSERT_FALSE(A::pte_protnone(v));
    ASSERT_FALSE(s.shstk);
    gf::test::expect_sem_agrees<A>(s, v);
    ASSERT_FALSE(::testing::Test::HasFailure());
    // The oracles' own permission reading (oracle.cc maps_with) matches the
    // kernel's check on every constructible entry (no pkeys / overlays), as
    // GUP-fast asks it: pte_protnone() first (the generic
    // pte_access_permitted() of riscv and s390 passes a PROT_NONE read).
    const bool gup_read = !A::pte_protnone(v) && A::pte_access_permitted(v, false);
    const bool gup_write = !A::pte_protnone(v) && A::pte_access_permitted(v, true);
    ASSERT_EQ(s.kind == PteSem::present && s.valid && s.user, gup_read);
    ASSERT_EQ(s.kind == PteSem::present && s.valid && s.user && s.write, gup_write);
    checked++;
  }
  EXPECT_GT(checked, 1000);
}

TYPED_TEST(Semantic, NoneAndExecAndSpecial) {
  using A = TypeParam;
  EXPECT_EQ(sem<A>(A::PTE_NONE).kind, PteSem::none);  // pte_clear()'s value: 0, s390's _PAGE_INVALID
  const PteSem rx = sem<A>(A::mk_user_pte(5, UserProt{.exec = true}));
  const PteSem r = sem<A>(A::mk_user_pte(5, UserProt{}));
  EXPECT_TRUE(rx.exec);
  EXPECT_FALSE(r.exec);
  EXPECT_FALSE(r.same_but_recency(rx));
  EXPECT_EQ(r.diff(rx), "exec");
  const PteSem z = sem<A>(A::mk_user_pte(0, UserProt{.special = true}));
  EXPECT_TRUE(z.special);
  EXPECT_FALSE(z.same_but_recency(sem<A>(A::mk_user_pte(0, UserProt{}))));
}

// young and dirty are the only fields the hardware changes.
TYPED_TEST(Semantic, RecencyHelpersChangeOnlyRecency) {
  using A = TypeParam;
  for (pteval_t x : values<A>()) {
    ASSERT_TRUE(A::pte_present(x));
    const PteSem sx = sem<A>(x);
    SCOPED_TRACE(hex(x) + " " + sx.str());
    EXPECT_TRUE(sx.same_but_recency(sem<A>(A::pte_mkold(x))));
    EXPECT_TRUE(sx.same_but_recency(sem<A>(A::pte_mkyoung(x))));
    EXPECT_TRUE(sx.same_but_recency(sem<A>(A::pte_mkclean(x))));
    if (auto h = A::hw_access(x)) { EXPECT_TRUE(sx.same_but_recency(sem<A>(*h))); }
    if (auto h = A::hw_write(x)) { EXPECT_TRUE(sx.same_but_recency(sem<A>(*h))); }
    // pte_mkdirty: on arm64 pure recency.  On x86-64 and ppc64 it also sets
    // soft-dirty (CONFIG_MEM_SOFT_DIRTY), which the MMU never sets and
    // pte_mkclean() never clears, so it is a real difference unless the entry
    // was already soft-dirty.
    const PteSem sd = sem<A>(A::pte_mkdirty(x));
    if (A::pte_soft_dirty(A::pte_mkdirty(x)) && !sx.soft_dirty) {
      EXPECT_EQ(sx.diff(sd), "soft_dirty");
    } else {
      EXPECT_TRUE(sx.same_but_recency(sd));
    }
    // And the relation is symmetric.
    EXPECT_TRUE(sem<A>(A::pte_mkold(x)).same_but_recency(sx));
  }
}

TYPED_TEST(Semantic, RealChangesAreNotRecency) {
  using A = TypeParam;
  int writable = 0;
  for (pteval_t x : values<A>()) {
    const PteSem sx = sem<A>(x);
    SCOPED_TRACE(hex(x) + " " + sx.str());
    if (A::pte_write(x)) {
      writable++;
      EXPECT_FALSE(sx.same_but_recency(sem<A>(A::pte_wrprotect(x))));
      EXPECT_NE(sx.diff(sem<A>(A::pte_wrprotect(x))).find("write"), std::string::npos);
    } else {
      EXPECT_FALSE(sx.same_but_recency(sem<A>(A::pte_mkwrite(x))));
    }
    EXPECT_FALSE(sx.same_but_recency(sem<A>(0)));  // none vs present
    EXPECT_FALSE(sem<A>(0).same_but_recency(sx));
  }
  EXPECT_GT(writable, 100);
}

TYPED_TEST(Semantic, PfnAndProtnoneAreNotRecency) {
  using A = TypeParam;
  for (unsigned m = 0; m < 32; m++) {  // every UserProt without protnone
    UserProt u = gf::uprot_of(m);
    const pteval_t a = A::mk_user_pte(16, u);
    const pteval_t b = A::mk_user_pte(17, u);
    u.protnone = true;
    const pteval_t n = A::mk_user_pte(16, u);
    SCOPED_TRACE(hex(a) + " / " + hex(b) + " / " + hex(n));
    EXPECT_FALSE(sem<A>(a).same_but_recency(sem<A>(b)));
    EXPECT_EQ(sem<A>(a).diff(sem<A>(b)), "pfn");
    EXPECT_FALSE(sem<A>(a).same_but_recency(sem<A>(n)));
    EXPECT_FALSE(sem<A>(n).same_but_recency(sem<A>(a)));
    EXPECT_NE(sem<A>(a).diff(sem<A>(n)).find("kind"), std::string::npos);
    EXPECT_TRUE(sem<A>(n).same_but_recency(sem<A>(A::pte_mkold(n))));
    if (!u.special) { EXPECT_EQ(sem<A>(a).diff(sem<A>(A::pte_mkspecial(a))), "special"); }
  }
}

// Raw encodings the oracle must tell apart although no helper makes them.
TEST(SemanticRaw, X86NonPresentAndProtnone) {
  // Present and Global clear, non-zero: a swap/migration entry (kept raw).
  const pteval_t swp = 0x00000000000ab000ull;
  EXPECT_EQ(gf::sem_decode(gf::Arch::x86_64, swp).kind, PteSem::nonpresent);
  EXPECT_FALSE(gf::sem_decode(gf::Arch::x86_64, swp)
                   .same_but_recency(gf::sem_decode(gf::Arch::x86_64, swp ^ (1ull << 20))));
  // PROT_NONE keeps the PFN inverted; the decoder undoes it like pte_pfn().
  const PteSem pn = gf::sem_decode(gf::Arch::x86_64, 0x000ffffffffef120ull);
  EXPECT_EQ(pn.kind, PteSem::protnone);
  EXPECT_EQ(pn.pfn, 0x10u);
  EXPECT_FALSE(pn.valid);
  // PCD (bit 4) is a real difference for the oracle ("other" bits).
  const PteSem a = gf::sem_decode(gf::Arch::x86_64, 0x8000000000010027ull);
  const PteSem b = gf::sem_decode(gf::Arch::x86_64, 0x8000000000010037ull);
  EXPECT_FALSE(a.same_but_recency(b));
  EXPECT_EQ(a.diff(b), "other-bits");
}

TEST(SemanticRaw, Arm64RdonlyIsPermissionOnlyWithoutDbm) {
  // Writable (DBM): RDONLY is hardware-clean state, i.e. recency.
  const PteSem clean = gf::sem_decode(gf::Arch::arm64, 0x0068000000010fc3ull);
  const PteSem hwdirty = gf::sem_decode(gf::Arch::arm64, 0x0068000000010f43ull);
  EXPECT_TRUE(clean.same_but_recency(hwdirty));
  EXPECT_FALSE(clean.dirty);
  EXPECT_TRUE(hwdirty.dirty);
  // Without DBM, clearing RDONLY grants a hardware write: not recency.
  const PteSem ro = gf::sem_decode(gf::Arch::arm64, 0x0060000000010fc3ull);
  const PteSem rw_nodbm = gf::sem_decode(gf::Arch::arm64, 0x0060000000010f43ull);
  EXPECT_FALSE(ro.same_but_recency(rw_nodbm));
  EXPECT_EQ(ro.diff(rw_nodbm), "rdonly");
  // Valid clear, nG clear: not present (swap-like), kept raw.
  EXPECT_EQ(gf::sem_decode(gf::Arch::arm64, 0x0000000000010000ull).kind, PteSem::nonpresent);
}

// ------------------------------------------------------------------ pte_same_norecency

// A minimal scenario: one region, one CPU without operations.
gf::Scenario minimal(gf::Arch arch) {
  gf::Scenario s;
  s.arch = arch;
  s.regions = {gf::Region{0, 1, gf::RF_ANON | gf::RF_WRITE}};
  s.cpus = {{}};
  return s;
}

template <class A>
class Norecency : public ::testing::Test {};
TYPED_TEST_SUITE(Norecency, Arches, ArchNames);

TYPED_TEST(Norecency, TrueForRecencyOnlyDifferences) {
  using A = TypeParam;
  const gf::Scenario s = minimal(A::id);
  auto m = gf::new_machine(s);
  int n = 0;
  for (pteval_t x : values<A>()) {
    SCOPED_TRACE(hex(x));
    EXPECT_TRUE(gf::Pgtable<A>::pte_same_norecency(*m, x, x));
    EXPECT_TRUE(gf::Pgtable<A>::pte_same_norecency(*m, x, A::pte_mkold(x)));
    EXPECT_TRUE(gf::Pgtable<A>::pte_same_norecency(*m, A::pte_mkyoung(x), x));
    EXPECT_TRUE(gf::Pgtable<A>::pte_same_norecency(*m, x, A::pte_mkclean(x)));
    if (auto h = A::hw_access(x)) { EXPECT_TRUE(gf::Pgtable<A>::pte_same_norecency(*m, x, *h)); }
    if (auto h = A::hw_write(x)) {
      EXPECT_TRUE(gf::Pgtable<A>::pte_same_norecency(*m, x, *h));
      n++;
    }
  }
  EXPECT_GT(n, 100);  // the hardware-write case really ran
  EXPECT_FALSE(m->exec.verdict.violated) << m->exec.verdict.message;
}

TYPED_TEST(Norecency, FalseForRealChanges) {
  using A = TypeParam;
  const gf::Scenario s = minimal(A::id);
  auto m = gf::new_machine(s);
  for (pteval_t x : values<A>()) {
    SCOPED_TRACE(hex(x));
    if (A::pte_write(x)) {
      EXPECT_FALSE(gf::Pgtable<A>::pte_same_norecency(*m, x, A::pte_wrprotect(x)));
    } else {
      EXPECT_FALSE(gf::Pgtable<A>::pte_same_norecency(*m, x, A::pte_mkwrite(x)));
    }
    EXPECT_FALSE(gf::Pgtable<A>::pte_same_norecency(*m, x, 0));
    EXPECT_FALSE(gf::Pgtable<A>::pte_same_norecency(*m, 0, x));
  }
  const pteval_t a = A::mk_user_pte(16, UserProt{.write = true});
  EXPECT_FALSE(gf::Pgtable<A>::pte_same_norecency(*m, a, A::mk_user_pte(17, UserProt{.write = true})));
  EXPECT_FALSE(gf::Pgtable<A>::pte_same_norecency(*m, a, A::mk_user_pte(16, UserProt{.write = true, .protnone = true})));
  EXPECT_TRUE(gf::Pgtable<A>::pte_same_norecency(*m, 0, 0));
  EXPECT_FALSE(m->exec.verdict.violated) << m->exec.verdict.message;
}

// Non-present entries are compared raw (RFC 2/4: only pte_present() sides
// go through pte_mkold(pte_mkclean())).
TYPED_TEST(Norecency, NonPresentComparedRaw) {
  using A = TypeParam;
  const gf::Scenario s = minimal(A::id);
  auto m = gf::new_machine(s);
  const pteval_t swp = 0x00000000000ab000ull;  // no Present/Valid, no protnone/present-invalid bit
  ASSERT_FALSE(A::pte_present(swp));
  EXPECT_TRUE(gf::Pgtable<A>::pte_same_norecency(*m, swp, swp));
  // The bit that is "young" on a present entry is payload on a swap entry.
  EXPECT_FALSE(gf::Pgtable<A>::pte_same_norecency(*m, swp, A::pte_mkyoung(swp)));
  EXPECT_FALSE(m->exec.verdict.violated) << m->exec.verdict.message;
}

// Injected bug norecency_ignores_write: the helper answers "same" for a
// write-protect, and the oracle (semantic decoder) must catch it.
TYPED_TEST(Norecency, InjectedBugIsCaughtByOracle) {
  using A = TypeParam;
  gf::Scenario s = minimal(A::id);
  s.bugs.add(gf::Bug::norecency_ignores_write);
  auto m = gf::new_machine(s);
  // A recency-only difference still passes silently with the bug.
  const pteval_t a = A::mk_user_pte(16, UserProt{.write = true, .dirty = true});
  EXPECT_TRUE(gf::Pgtable<A>::pte_same_norecency(*m, a, A::pte_mkold(A::pte_mkclean(a))));
  EXPECT_FALSE(m->exec.verdict.violated) << m->exec.verdict.message;
  // A pfn difference is still seen.
  EXPECT_FALSE(gf::Pgtable<A>::pte_same_norecency(*m, a, A::mk_user_pte(17, UserProt{.write = true})));
  EXPECT_FALSE(m->exec.verdict.violated);

  EXPECT_TRUE(gf::Pgtable<A>::pte_same_norecency(*m, a, A::pte_wrprotect(a)));
  EXPECT_TRUE(m->exec.verdict.violated);
  EXPECT_EQ(m->exec.verdict.oracle, gf::Oracle::norecency_hides_change);
  EXPECT_NE(m->exec.verdict.message.find("write"), std::string::npos) << m->exec.verdict.message;
}

TYPED_TEST(Norecency, WithoutBugWrprotectDoesNotFire) {
  using A = TypeParam;
  const gf::Scenario s = minimal(A::id);
  auto m = gf::new_machine(s);
  const pteval_t a = A::mk_user_pte(16, UserProt{.write = true, .dirty = true});
  EXPECT_FALSE(gf::Pgtable<A>::pte_same_norecency(*m, a, A::pte_wrprotect(a)));
  EXPECT_FALSE(m->exec.verdict.violated);
}

}  // namespace
