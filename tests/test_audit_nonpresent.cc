// SPDX-License-Identifier: GPL-2.0
//
// `gupfuzz audit` over entries that map nothing (core/check/audit_nonpresent.h):
//  - every model's second enumeration holds none, swap, migration, device,
//    hwpoison, marker and PROT_NONE entries;
//  - on the correct models the compare leaves them exact and the predicates
//    decide on them as the decoder says (riscv and s390's generic
//    pte_access_permitted() on PROT_NONE: known);
//  - norecency_normalises_swap makes the compare column unsafe through a
//    non-present pair on every model whose swap format shares a bit with
//    young/dirty (all but ppc64le, whose R/C bits have no place in it);
//  - a pte_access_permitted() that forgets the present bit is caught only here.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/arch/registry.h"
#include "core/check/audit.h"
#include "core/check/audit_model.h"
#include "core/decoder/semantic.h"

namespace {

bool maps(gf::Arch a, gf::pteval_t v) { return gf::sem_decode(a, v).maps(); }

TEST(AuditNonPresent, EnumeratesEveryKind) {
  for (int i = 0; i < gf::NR_ARCHES; i++) {
    const gf::Arch a = gf::Arch(i);
    SCOPED_TRACE(std::string(gf::info(a).name));
    std::set<std::string> families;
    std::set<gf::pteval_t> swaps;
    gf::with_pte_arch(a, {}, [&]<class A>() {
      for (const auto& e : gf::audit_detail::special_entries<A>(a, false)) {
        families.insert(e.family);
        if (e.s.kind == gf::PteSem::nonpresent) swaps.insert(e.v);
        EXPECT_TRUE(e.s.kind != gf::PteSem::present) << gf::hex(e.v) << " " << e.family;
      }
      // Migration entries with the young and dirty bits of their offset.
      EXPECT_TRUE(swaps.count(A::swp_entry_pte(24, 1)));
      EXPECT_TRUE(swaps.count(A::swp_entry_pte(26, 1ull << 20)));
      return 0;
    });
    EXPECT_EQ(families, (std::set<std::string>{"none", "swap", "hwpoison", "migration", "device", "marker",
                                               "protnone"}));
    EXPECT_GT(swaps.size(), 250u);
    const gf::AuditArch r = gf::run_audit(a, {});
    EXPECT_GT(r.nonpresent_entries, 300u);
    EXPECT_GT(r.nonpresent.pairs, 1000u);
  }
}

TEST(AuditNonPresent, CorrectModelsLeaveThemExact) {
  const std::set<gf::Arch> generic_access = {gf::Arch::riscv64, gf::Arch::riscv64_svadu, gf::Arch::s390x};
  for (int i = 0; i < gf::NR_ARCHES; i++) {
    const gf::Arch a = gf::Arch(i);
    SCOPED_TRACE(std::string(gf::info(a).name));
    const gf::AuditArch r = gf::run_audit(a, {});
    EXPECT_TRUE(r.clean()) << gf::audit_text({r});
    EXPECT_NE(r.compare.verdict, "unsafe");
    EXPECT_TRUE(r.compare.differing == 0 || maps(a, r.compare.x)) << gf::audit_text({r});
    if (generic_access.count(a)) {
      // The generic pte_access_permitted() is pte_present(), which PROT_NONE is.
      EXPECT_EQ(r.nonpresent.verdict, "known") << gf::audit_text({r});
      EXPECT_EQ(r.nonpresent.what, "access_read");
      EXPECT_EQ(r.nonpresent.via, "protnone entry");
      EXPECT_EQ(r.nonpresent.untriaged, 0u);
    } else {
      EXPECT_EQ(r.nonpresent.verdict, "safe") << gf::audit_text({r});
    }
  }
}

TEST(AuditNonPresent, NormalisingCompareIsUnsafeThroughANonPresentPair) {
  gf::BugSet bugs;
  bugs.add(gf::Bug::norecency_normalises_swap);
  for (int i = 0; i < gf::NR_ARCHES; i++) {
    const gf::Arch a = gf::Arch(i);
    SCOPED_TRACE(std::string(gf::info(a).name));
    const gf::AuditArch r = gf::run_audit(a, bugs);
    ASSERT_EQ(r.bug, int(gf::Bug::norecency_normalises_swap));
    if (a == gf::Arch::ppc64le) {
      // R/C (0x100/0x80) have no place in book3s64's swap format: the bug
      // cannot change any entry there.
      EXPECT_TRUE(r.clean()) << gf::audit_text({r});
      continue;
    }
    EXPECT_EQ(r.compare.verdict, "unsafe") << gf::audit_text({r});
    EXPECT_FALSE(maps(a, r.compare.x)) << gf::audit_text({r});
    EXPECT_FALSE(maps(a, r.compare.y));
    EXPECT_EQ(r.compare.via.rfind("norecency-equal (", 0), 0u) << r.compare.via;
    EXPECT_NE(r.compare.what.find("other-bits"), std::string::npos) << r.compare.what;
  }
  // The cases the RFC cares about: x86-64 and arm64, on swap or migration entries.
  const gf::AuditArch x86 = gf::run_audit(gf::Arch::x86_64, bugs), arm = gf::run_audit(gf::Arch::arm64, bugs);
  for (const auto& [a, r] : {std::pair{gf::Arch::x86_64, &x86}, std::pair{gf::Arch::arm64, &arm}}) {
    EXPECT_TRUE(gf::sem_decode(a, r->compare.x).kind == gf::PteSem::nonpresent ||
                gf::sem_decode(a, r->compare.y).kind == gf::PteSem::nonpresent)
        << gf::audit_text({*r});
    EXPECT_NE(r->compare.via.find("swap"), std::string::npos) << r->compare.via;
  }
  // x86-64 keeps bits 5-6 out of its swap format: only an offset with bit 49
  // set (SavedDirty, bit 58, inverted) is conflated.
  EXPECT_EQ(x86.compare.x ^ x86.compare.y, 1ull << 58) << gf::audit_text({x86});
  EXPECT_NE(gf::audit_markdown({arm}).find("arm64 +norecency_normalises_swap compare: unsafe"), std::string::npos);
}

// x86-64 whose pte_access_permitted() forgets _PAGE_PRESENT: a swap entry
// with uffd-wp (_PAGE_SWP_UFFD_WP is _PAGE_USER) passes a read.  Entries that
// map something decide the same on every stale view, so only the
// non-present column can see it.
struct X86AccessIgnoresPresent : gf::arch::X86_64 {
  static constexpr bool pte_access_permitted(gf::pteval_t v, bool write) {
    const gf::pteval_t need = _PAGE_USER | (write ? _PAGE_RW : 0);
    return (v & need) == need;
  }
};

TEST(AuditNonPresent, AccessWithoutPresentIsCaughtOnlyHere) {
  const gf::AuditArch r = gf::audit_model<X86AccessIgnoresPresent>(gf::Arch::x86_64, -1);
  EXPECT_EQ(r.nonpresent.verdict, "unsafe") << gf::audit_text({r});
  EXPECT_EQ(r.nonpresent.what, "access_read");
  EXPECT_EQ(r.nonpresent.vx, 1u);
  EXPECT_EQ(r.nonpresent.vy, 0u);
  EXPECT_FALSE(maps(gf::Arch::x86_64, r.nonpresent.x));
  EXPECT_EQ(r.compare.verdict, "sound");
  for (int p = 0; p < gf::NR_PREDS; p++) EXPECT_EQ(r.preds[p].verdict, "safe") << gf::info(gf::Pred(p)).id;
  EXPECT_FALSE(r.clean());
  EXPECT_NE(gf::audit_json({r}).find("\"predicate\": \"access_read\""), std::string::npos);
}

// arm64 whose pte_protnone() forgets to ask for a present-invalid entry: a
// swap entry whose offset sets UXN and whose type leaves User clear is
// called PROT_NONE.
struct Arm64ProtnoneIgnoresPresent : gf::arch::Arm64 {
  static constexpr bool pte_protnone(gf::pteval_t v) { return !pte_user(v) && !pte_user_exec(v) && !pte_valid(v); }
};

TEST(AuditNonPresent, ProtnoneOnASwapEntryIsCaught) {
  const gf::AuditArch r = gf::audit_model<Arm64ProtnoneIgnoresPresent>(gf::Arch::arm64, -1);
  EXPECT_EQ(r.nonpresent.verdict, "unsafe") << gf::audit_text({r});
  EXPECT_EQ(r.nonpresent.what, "pte_protnone");
  EXPECT_EQ(gf::sem_decode(gf::Arch::arm64, r.nonpresent.x).kind, gf::PteSem::nonpresent);
}

}  // namespace
