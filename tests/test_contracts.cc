// SPDX-License-Identifier: GPL-2.0
//
// The contract oracles one check at a time, on a machine set up by hand:
//  - folio_use_after_free / refcount at the access (core/oracle/folio_lifetime.cc):
//    a reference taken at zero, a freed folio touched, a second free, an
//    underflow, a free at a non-zero count — and what stays legal (GUP-fast's
//    speculative read of a freed folio's refcount, an unfreeze);
//  - lockless_read / accessor_view from the entries' histories
//    (core/oracle/read_contract.cc): a value never held, invented young/dirty,
//    dirt from an entry that did not agree with the block, dirt the block held
//    throughout and the getter lost, the norecency read's licence to be stale,
//    the getter's own stores, ptep_test_and_clear_young() both ways.
// The witnesses (tests/witnesses/) show each oracle firing on the model itself.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>

#include "core/arch/arm64.h"
#include "core/arch/registry.h"
#include "core/arch/x86_64.h"
#include "core/decoder/semantic.h"
#include "core/exec/run.h"
#include "core/mm/machine.h"
#include "core/scenario/scenario.h"

namespace {

using gf::Acc;
using gf::Access;
using gf::Oracle;
using gf::PteGetter;
using A64 = gf::arch::Arm64;
using gf::pteval_t;

gf::Scenario minimal(gf::Arch arch) {
  gf::Scenario s;
  s.arch = arch;
  s.regions = {gf::Region{0, 1, gf::RF_ANON | gf::RF_WRITE}};
  s.cpus = {{}, {}};
  return s;
}

std::string verdict(const gf::Machine& m) {
  return m.exec.verdict.violated ? std::string(gf::info(m.exec.verdict.oracle).id) + ": " + m.exec.verdict.message
                                 : "clean";
}

// An access to a folio field as the machine forwards it (Machine::on_access).
Access folio_acc(gf::CellKind k, int pfn, Acc kind, int64_t before, int64_t after, bool ok = true) {
  return Access{kind, ok, gf::make_tag(k, uint32_t(pfn)), nullptr, uint64_t(before), uint64_t(after), __FILE__, 1};
}

class FolioLifetime : public ::testing::Test {
 protected:
  void SetUp() override {
    m = gf::new_machine(s);
    m->exec.running_cpu = 0;
    pfn = m->alloc_pfn();
    ASSERT_GE(pfn, 0);
    m->folio[pfn].refcount.poke(1);
  }
  void access(Access a) { m->judge->folio_access(*m, a); }
  void free_it() {
    m->folio[pfn].refcount.poke(0);
    m->free_folio(m->folio[pfn]);
  }
  gf::Scenario s = minimal(gf::Arch::x86_64);
  std::unique_ptr<gf::Machine> m;
  int pfn = -1;
};

TEST_F(FolioLifetime, ReferencesOnALiveFolioAreLegal) {
  access(folio_acc(gf::CellKind::refcount, pfn, Acc::add, 1, 2));
  access(folio_acc(gf::CellKind::refcount, pfn, Acc::cmpxchg, 2, 3));
  access(folio_acc(gf::CellKind::refcount, pfn, Acc::add, 3, 0));  // the last put
  EXPECT_EQ(verdict(*m), "clean");
}

TEST_F(FolioLifetime, AnIncrementFromZeroIsCaught) {
  // A frozen folio (folio_ref_freeze(): allocated, count zero) gains a reference.
  access(folio_acc(gf::CellKind::refcount, pfn, Acc::add, 0, 1));
  EXPECT_EQ(m->exec.verdict.oracle, Oracle::folio_use_after_free) << verdict(*m);
  EXPECT_NE(m->exec.verdict.message.find("at refcount zero"), std::string::npos) << verdict(*m);
}

TEST_F(FolioLifetime, ACmpxchgFromZeroIsCaughtToo) {
  access(folio_acc(gf::CellKind::refcount, pfn, Acc::cmpxchg, 0, 1));
  EXPECT_EQ(m->exec.verdict.oracle, Oracle::folio_use_after_free) << verdict(*m);
}

TEST_F(FolioLifetime, AnUnfreezeIsAStoreAndLegal) {
  access(folio_acc(gf::CellKind::refcount, pfn, Acc::store, 0, 1));  // folio_ref_unfreeze()
  EXPECT_EQ(verdict(*m), "clean");
}

TEST_F(FolioLifetime, ASpeculativeReadOfAFreedFolioIsLegal) {
  free_it();
  // try_grab_folio_fast(): reads zero, or fails its cmpxchg, and gives up.
  access(folio_acc(gf::CellKind::refcount, pfn, Acc::load, 0, 0));
  access(folio_acc(gf::CellKind::refcount, pfn, Acc::cmpxchg, 0, 0, /*ok=*/false));
  EXPECT_EQ(verdict(*m), "clean");
}

TEST_F(FolioLifetime, ChangingAFreedFolioIsCaught) {
  free_it();
  access(folio_acc(gf::CellKind::refcount, pfn, Acc::add, 0, 1));
  EXPECT_EQ(m->exec.verdict.oracle, Oracle::folio_use_after_free) << verdict(*m);
  EXPECT_NE(m->exec.verdict.message.find("after it was freed"), std::string::npos) << verdict(*m);
}

TEST_F(FolioLifetime, ReadingAFreedFoliosBodyIsCaught) {
  free_it();
  access(folio_acc(gf::CellKind::pincount, pfn, Acc::load, 0, 0));
  EXPECT_EQ(m->exec.verdict.oracle, Oracle::folio_use_after_free) << verdict(*m);
}

TEST_F(FolioLifetime, WritingAFreedFoliosDirtyFlagIsCaught) {
  free_it();
  access(folio_acc(gf::CellKind::folio_dirty, pfn, Acc::store, 0, 1));
  EXPECT_EQ(m->exec.verdict.oracle, Oracle::folio_use_after_free) << verdict(*m);
}

TEST_F(FolioLifetime, ChangingAFreedFoliosMapcountIsCaught) {
  m->mapcount_add(m->folio[pfn], 1);
  EXPECT_EQ(verdict(*m), "clean");
  m->mapcount_add(m->folio[pfn], -1);
  free_it();
  m->mapcount_add(m->folio[pfn], -1);  // folio_remove_rmap_pte() after the last put
  EXPECT_EQ(m->exec.verdict.oracle, Oracle::folio_use_after_free) << verdict(*m);
  EXPECT_NE(m->exec.verdict.message.find("mapcount"), std::string::npos) << verdict(*m);
}

TEST_F(FolioLifetime, ASecondFreeIsCaught) {
  free_it();
  EXPECT_EQ(verdict(*m), "clean");
  m->free_folio(m->folio[pfn]);
  EXPECT_EQ(m->exec.verdict.oracle, Oracle::folio_use_after_free) << verdict(*m);
  EXPECT_NE(m->exec.verdict.message.find("second time"), std::string::npos) << verdict(*m);
}

TEST_F(FolioLifetime, AFreeAtANonZeroCountIsCaught) {
  m->free_folio(m->folio[pfn]);  // refcount still 1
  EXPECT_EQ(m->exec.verdict.oracle, Oracle::refcount) << verdict(*m);
}

TEST_F(FolioLifetime, AnUnderflowIsCaughtAtTheAccess) {
  access(folio_acc(gf::CellKind::refcount, pfn, Acc::add, 1, -1));
  EXPECT_EQ(m->exec.verdict.oracle, Oracle::refcount) << verdict(*m);
  EXPECT_NE(m->exec.verdict.message.find("underflowed"), std::string::npos) << verdict(*m);
}

// Real threads (gupfuzz stress): the CPU that drops the last reference marks
// the folio freed after its own access, so another CPU's access may be judged
// after that mark although it happened before the last put.  From CI (stop 23,
// x86_gup_vs_unmap on real threads): cpu0's unpin took the count 1025 -> 1, the
// put took it 1 -> 0 and freed the folio, then cpu0's access was judged.
TEST_F(FolioLifetime, OnRealThreadsOnlyTheAccessItselfIsJudged) {
  m->opt.threaded = true;
  free_it();
  access(folio_acc(gf::CellKind::refcount, pfn, Acc::add, 1025, 1));
  access(folio_acc(gf::CellKind::pincount, pfn, Acc::add, 1, 0));
  EXPECT_EQ(verdict(*m), "clean");
  access(folio_acc(gf::CellKind::refcount, pfn, Acc::add, 0, 1));  // still a reference from zero
  EXPECT_EQ(m->exec.verdict.oracle, Oracle::folio_use_after_free) << verdict(*m);
}

TEST_F(FolioLifetime, ATailPageOfALiveHugeFolioIsLive) {
  const int h = m->alloc_huge();
  ASSERT_GE(h, 0);
  m->folio[h].refcount.poke(1);
  access(folio_acc(gf::CellKind::refcount, h, Acc::add, 1, 2));
  access(folio_acc(gf::CellKind::folio_dirty, h + 3, Acc::load, 0, 0));
  EXPECT_EQ(verdict(*m), "clean");
}

// --- the getters -----------------------------------------------------------

// A PTE table whose entries' histories the tests write by hand: entry k holds
// `v` from step `at`, stored by `cpu` (-1: the layout).
class ReadContract : public ::testing::Test {
 protected:
  void SetUp() override {
    m = gf::new_machine(s);
    m->exec.running_cpu = 0;
    t = m->alloc_table(0);
    ASSERT_NE(t, nullptr);
    m->exec.step = 10;
  }
  void set(int k, pteval_t v, uint64_t at, int cpu) {
    t->e[k].poke(v);
    t->hist[k].push(v, at, cpu);
  }
  // The 16 entries of a clean, young contpte block of pfns 16.. at steps <= 1.
  void block(bool write = true) {
    for (int k = 0; k < gf::CONT_PTES; k++)
      set(k, A64::pte_mkcont(A64::mk_user_pte(16 + k, gf::UserProt{.write = write})), 1, -1);
  }
  std::string read(PteGetter g, int i, uint64_t t0, pteval_t got) {
    m->judge->pte_read(*m, g, t, t->serial, i, t0, got);
    return verdict(*m);
  }
  pteval_t e(int k) const { return t->e[k].peek(); }
  gf::Scenario s = minimal(gf::Arch::arm64);
  std::unique_ptr<gf::Machine> m;
  gf::PteTable* t = nullptr;
};

TEST_F(ReadContract, TheValueHeldIsLegal) {
  block();
  for (PteGetter g : {PteGetter::ptep_get_lockless_norecency, PteGetter::ptep_get_lockless, PteGetter::ptep_get})
    EXPECT_EQ(read(g, 3, 5, e(3)), "clean");
}

TEST_F(ReadContract, AValueNeverHeldIsCaught) {
  const pteval_t a = A64::mk_user_pte(16, gf::UserProt{.write = true});
  set(0, a, 1, -1);
  const pteval_t other = A64::mk_user_pte(17, gf::UserProt{.write = true});
  EXPECT_NE(read(PteGetter::ptep_get_lockless, 0, 5, other).find("lockless_read: "), std::string::npos) << verdict(*m);
  EXPECT_NE(m->exec.verdict.message.find("never held"), std::string::npos);
}

TEST_F(ReadContract, AValueHeldOnlyBeforeTheReadIsCaught) {
  set(0, A64::mk_user_pte(16, gf::UserProt{.write = true}), 1, -1);
  set(0, A64::mk_user_pte(17, gf::UserProt{.write = true}), 4, 1);
  EXPECT_EQ(read(PteGetter::ptep_get_lockless, 0, 3, A64::mk_user_pte(16, gf::UserProt{.write = true})), "clean");
  EXPECT_NE(read(PteGetter::ptep_get_lockless, 0, 5, A64::mk_user_pte(16, gf::UserProt{.write = true})), "clean");
}

TEST_F(ReadContract, AValueStoredDuringTheReadIsLegal) {
  const pteval_t a = A64::mk_user_pte(16, gf::UserProt{.write = true});
  const pteval_t b = A64::mk_user_pte(17, gf::UserProt{.write = true});
  set(0, a, 1, -1);
  set(0, b, 7, 1);
  EXPECT_EQ(read(PteGetter::ptep_get_lockless, 0, 5, b), "clean");
  EXPECT_EQ(read(PteGetter::ptep_get_lockless, 0, 5, a), "clean");
}

TEST_F(ReadContract, TheNorecencyReadMayBeStaleButNotInvent) {
  const pteval_t clean = A64::mk_user_pte(16, gf::UserProt{.write = true, .young = false});
  set(0, A64::hw_write(A64::hw_access(clean).value()).value(), 1, -1);
  EXPECT_EQ(read(PteGetter::ptep_get_lockless_norecency, 0, 5, clean), "clean");  // stale young/dirty
  m->exec.verdict = {};
  set(1, clean, 1, -1);
  const pteval_t dirty = A64::pte_mkdirty(clean);
  EXPECT_NE(read(PteGetter::ptep_get_lockless_norecency, 1, 5, dirty).find("lockless_read: "), std::string::npos);
  EXPECT_NE(m->exec.verdict.message.find("dirty"), std::string::npos) << verdict(*m);
}

TEST_F(ReadContract, TheLocklessReadMustNotLoseDirtHeldThroughout) {
  const pteval_t clean = A64::mk_user_pte(16, gf::UserProt{.write = true});
  set(0, A64::pte_mkdirty(clean), 1, -1);
  EXPECT_NE(read(PteGetter::ptep_get_lockless, 0, 5, clean).find("lockless_read: "), std::string::npos);
}

TEST_F(ReadContract, ContpteGathersTheBlock) {
  block();
  set(5, A64::pte_mkdirty(e(5)), 2, 1);  // the MMU dirtied page 5 before the read
  const pteval_t gathered = A64::pte_mkdirty(e(0));
  for (PteGetter g : {PteGetter::ptep_get, PteGetter::ptep_get_lockless}) {
    m->exec.verdict = {};
    EXPECT_EQ(read(g, 0, 5, gathered), "clean");
    EXPECT_NE(read(g, 0, 5, e(0)), "clean");  // entry 0 alone: not gathered
    EXPECT_EQ(m->exec.verdict.oracle, g == PteGetter::ptep_get ? Oracle::accessor_view : Oracle::lockless_read);
    EXPECT_NE(m->exec.verdict.message.find("entry 5"), std::string::npos) << verdict(*m);
  }
  m->exec.verdict = {};
  EXPECT_EQ(read(PteGetter::ptep_get_lockless_norecency, 0, 5, e(0)), "clean");  // RFC 4/4: the entry alone
}

TEST_F(ReadContract, DirtRemovedByAnotherCpuIsNotOwed) {
  block();
  set(5, A64::pte_mkdirty(e(5)), 2, 1);
  set(5, 0, 7, 1);  // another CPU cleared it during the read
  EXPECT_EQ(read(PteGetter::ptep_get, 0, 5, e(0)), "clean");
}

TEST_F(ReadContract, TheLocklessReadGathersOnlyFromEntriesThatAgree) {
  block();
  // During the read another CPU unfolds the block and the MMU dirties page 5's single entry.
  set(5, 0, 6, 1);
  set(5, A64::pte_mkdirty(A64::pte_mknoncont(A64::mk_user_pte(21, gf::UserProt{.write = true}))), 8, 1);
  const pteval_t mixed = A64::pte_mkdirty(e(0));
  EXPECT_NE(read(PteGetter::ptep_get_lockless, 0, 5, mixed).find("lockless_read: "), std::string::npos);
  EXPECT_NE(m->exec.verdict.message.find("agreeing"), std::string::npos) << verdict(*m);
  // ptep_get() gathers whatever the block holds (it is called with the PTL held).
  m->exec.verdict = {};
  EXPECT_EQ(read(PteGetter::ptep_get, 0, 5, mixed), "clean");
}

TEST_F(ReadContract, TheGettersOwnStoresDoNotExcuseIt) {
  block();
  set(5, A64::pte_mkdirty(e(5)), 2, 1);
  // ptep_get_and_clear() on page 0: contpte_try_unfold() clears the block
  // (cpu0's own stores), writes it back unfolded with the gathered dirt,
  // then the entry is exchanged for none.
  const pteval_t unfolded = A64::pte_mkdirty(A64::pte_mknoncont(e(0)));
  for (int k = 0; k < gf::CONT_PTES; k++) set(k, 0, 6, 0);
  set(0, unfolded, 7, 0);
  set(0, 0, 8, 0);
  EXPECT_EQ(read(PteGetter::ptep_get_and_clear, 0, 5, unfolded), "clean");
  EXPECT_NE(read(PteGetter::ptep_get_and_clear, 0, 5, A64::pte_mkclean(unfolded)), "clean");
  EXPECT_EQ(m->exec.verdict.oracle, Oracle::accessor_view);
}

TEST_F(ReadContract, AWindowOutOfTheRingIsNotJudged) {
  for (int n = 0; n < gf::HIST + 2; n++) set(0, A64::mk_user_pte(16 + n, gf::UserProt{}), 11 + n, 1);
  EXPECT_EQ(read(PteGetter::ptep_get_lockless, 0, 5, A64::mk_user_pte(99, gf::UserProt{})), "clean");
}

TEST_F(ReadContract, TestAndClearYoungAnswersForTheBlock) {
  auto cleared = [&](int i, uint64_t t0, bool young) {
    m->judge->young_cleared(*m, t, t->serial, i, t0, young);
    return verdict(*m);
  };
  auto fresh = [&] {  // a new table with a young block, and a clean verdict
    t = m->alloc_table(0);
    m->exec.verdict = {};
    block();
  };
  // A correct clear: every entry old now, answered young.
  block();
  for (int k = 0; k < gf::CONT_PTES; k++) set(k, A64::pte_mkold(e(k)), 6 + k, 0);
  EXPECT_EQ(cleared(0, 5, true), "clean");
  EXPECT_NE(cleared(0, 5, false), "clean");  // the block was young
  EXPECT_NE(m->exec.verdict.message.find("answered old"), std::string::npos) << verdict(*m);

  // Only entry 0 cleared: the others are left young.
  fresh();
  set(0, A64::pte_mkold(e(0)), 6, 0);
  EXPECT_NE(cleared(0, 5, true), "clean");
  EXPECT_NE(m->exec.verdict.message.find("left entry 1"), std::string::npos) << verdict(*m);

  // The MMU made an entry young again after the clear: fine.
  fresh();
  for (int k = 0; k < gf::CONT_PTES; k++) set(k, A64::pte_mkold(e(k)), 6, 0);
  set(7, A64::pte_mkyoung(e(7)), 7, 1);
  EXPECT_EQ(cleared(0, 5, true), "clean");

  // Young answered for an old block.
  fresh();
  for (int k = 0; k < gf::CONT_PTES; k++) set(k, A64::pte_mkold(e(k)), 2, -1);
  EXPECT_NE(cleared(0, 5, true), "clean");
  EXPECT_NE(m->exec.verdict.message.find("answered young"), std::string::npos) << verdict(*m);
}

TEST(ReadContractX86, OneEntryNoBlock) {
  gf::Scenario s = minimal(gf::Arch::x86_64);
  auto m = gf::new_machine(s);
  m->exec.running_cpu = 0;
  gf::PteTable* t = m->alloc_table(0);
  using X = gf::arch::X86_64;
  const pteval_t a = X::mk_user_pte(16, gf::UserProt{.write = true});
  t->e[0].poke(a);
  t->hist[0].push(a, 1, -1);
  const pteval_t d = X::hw_write(a).value();
  t->e[1].poke(d);
  t->hist[1].push(d, 1, -1);
  m->exec.step = 10;
  m->judge->pte_read(*m, PteGetter::ptep_get, t, t->serial, 0, 5, a);
  EXPECT_EQ(verdict(*m), "clean");  // entry 1's dirt is not entry 0's
  m->judge->pte_read(*m, PteGetter::ptep_get_lockless, t, t->serial, 0, 5, X::pte_mkdirty(a));
  EXPECT_EQ(m->exec.verdict.oracle, Oracle::lockless_read) << verdict(*m);
}

// The read contracts' shortcut to young/dirty is the decoder's own answer.
TEST(SemRecency, AgreesWithTheDecoderOnEveryArchitecture) {
  std::mt19937_64 rng(18);
  for (int a = 0; a < gf::NR_ARCHES; a++) {
    const gf::Arch arch = gf::Arch(a);
    for (int n = 0; n < 200000; n++) {
      pteval_t v = rng();
      if (n % 4 == 1) v &= 0xfff | (pteval_t(0xff) << 52);  // mostly flag bits
      if (n % 4 == 2) v &= rng();
      if (n % 4 == 3) v = pteval_t(1) << (n % 64) | (rng() & 0xfff);
      const gf::PteSem s = gf::sem_decode(arch, v);
      const gf::SemRecency r = gf::sem_recency(arch, v);
      ASSERT_EQ(r.young, s.young) << gf::info(arch).name << " " << std::hex << v;
      ASSERT_EQ(r.dirty, s.dirty) << gf::info(arch).name << " " << std::hex << v;
    }
  }
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
// The ASan view: with unchecked_tables a freed folio's body is poisoned, and
// AddressSanitizer, not the oracle, reports grab_from_zero's use.
TEST(FolioAsanView, AFreedFoliosBodyIsPoisoned) {
  gf::Scenario s = minimal(gf::Arch::x86_64);
  gf::MachineOptions o;
  o.unchecked_tables = true;
  auto m = gf::new_machine(s, o);
  const int pfn = m->alloc_pfn();
  m->folio[pfn].refcount.poke(0);
  m->free_folio(m->folio[pfn]);
  EXPECT_DEATH({ m->folio[pfn].mapcount = 1; }, "use-after-poison");
  const int again = m->alloc_pfn();  // LIFO: the same frame, unpoisoned
  ASSERT_EQ(again, pfn);
  m->folio[pfn].mapcount = 1;
  EXPECT_EQ(int(m->folio[pfn].mapcount), 1);
}
#endif
#endif

}  // namespace
