// SPDX-License-Identifier: GPL-2.0
//
// Values seen through the kernel's real helpers (tools/kernel-truth, Linux
// 6.12.117), pinned so that a model change that breaks them fails here even
// where the kernel objects are not built.  Each mismatch the ground-truth
// check found in a model is kept here as a regression.
#include <gtest/gtest.h>

#include "core/arch/arm64.h"
#include "core/arch/i386_pae.h"
#include "core/arch/ppc64.h"
#include "core/arch/riscv64.h"
#include "core/arch/s390x.h"
#include "core/arch/x86_64.h"
#include "core/arch/norecency.h"

namespace {

using namespace gf;
using namespace gf::arch;

TEST(KernelValues, X86PteNoneIgnoresAccessedAndDirty) {
  // Found by tools/kernel-truth: the model had pte_none() as v == 0, the
  // kernel masks _PAGE_KNL_ERRATUM_MASK (Accessed|Dirty).
  EXPECT_TRUE(X86_64::pte_none(0x20));
  EXPECT_TRUE(X86_64::pte_none(0x40));
  EXPECT_TRUE(X86_64::pte_none(0x60));
  EXPECT_FALSE(X86_64::pte_none(0x61));
  EXPECT_FALSE(X86_64::pte_none(0x8000000000000060ull));
  EXPECT_TRUE(I386Pae::pte_none(0x60));
}

TEST(KernelValues, X86DebianConfig) {
  // Seen through the real helpers (tools/kernel-truth on Debian's amd64 config).
  EXPECT_TRUE(X86_64::pte_present(0x8000000000000067ull));
  EXPECT_TRUE(X86_64::pte_access_permitted(0x8000000000000067ull, true));
  EXPECT_EQ(X86_64::pte_wrprotect(0x8000000000000067ull), 0x8400000000000025ull);
  EXPECT_TRUE(X86_64::pte_dirty(0x8400000000000025ull));
  EXPECT_EQ(X86_64::pte_mkdirty(0x8000000000000025ull), 0x8400000000000825ull);
  EXPECT_EQ(X86_64::pfn_pte(5, Prot::none), 0xfffffffffa120ull);
  EXPECT_EQ(X86_64::pfn_pte(5, Prot::rw), 0x8000000000005027ull);
}

TEST(KernelValues, X86ShadowStackIsACpuCapability) {
  constexpr pteval_t shstk = 0x8000000000000065ull;  // Write=0, Dirty=1
  EXPECT_FALSE(X86_64::pte_write(shstk));
  EXPECT_TRUE((X86_64T<ArchCfg{.shstk = true}>::pte_write(shstk)));
  EXPECT_FALSE((X86_64T<ArchCfg{.shstk = true}>::pte_access_permitted(shstk, true)));
}

TEST(KernelValues, X86DefconfigHasNoNumaBalancingOrSoftDirty) {
  using Def = X86_64T<ArchCfg{.numa_balancing = false, .soft_dirty = false, .uffd_wp = false}>;
  const pteval_t pn = Def::pfn_pte(5, Prot::none);
  EXPECT_TRUE(X86_64::pte_protnone(pn));
  EXPECT_FALSE(Def::pte_protnone(pn));
  EXPECT_EQ(Def::pte_mkdirty(0x8000000000000027ull), 0x8000000000000067ull);  // no soft-dirty bit 11
}

TEST(KernelValues, OtherArchitectures) {
  EXPECT_EQ(Riscv64::pfn_pte(0x1234, Prot::rw), 0x48d057ull);
  EXPECT_EQ(Riscv64::pte_modify(0x48d057ull, Prot::none), 0x48d062ull);
  EXPECT_EQ(S390x::pfn_pte(0, Prot::none), 0x605ull);  // PAGE_NONE made young: still invalid
  EXPECT_TRUE(S390x::pte_none(0x400));
  EXPECT_FALSE(S390x::pte_none(0));
  // s390: pte_mkold() sets the hardware invalid bit, pte_mkclean() the protect bit.
  const pteval_t rw = S390x::pte_mkdirty(S390x::pfn_pte(7, Prot::rw));
  EXPECT_TRUE(S390x::pte_mkold(rw) & 0x400);
  EXPECT_TRUE(S390x::pte_mkclean(rw) & 0x200);
  EXPECT_TRUE(pte_same_norecency<S390x>(rw, S390x::pte_mkold(S390x::pte_mkclean(rw))));
  // arm64: pte_mkclean() sets RDONLY, and the norecency compare ignores it.
  const pteval_t a = Arm64::pte_mkdirty(Arm64::pfn_pte(9, Prot::rw));
  EXPECT_TRUE(pte_same_norecency<Arm64>(a, Arm64::pte_mkclean(a)));
  EXPECT_FALSE(pte_same_norecency<Arm64>(a, Arm64::pte_wrprotect(a)));
  EXPECT_TRUE(Ppc64::pte_none(0x180));  // radix: a late R/C writeback to an empty entry
}

}  // namespace
