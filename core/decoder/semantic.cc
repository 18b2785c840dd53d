// SPDX-License-Identifier: GPL-2.0
//
// One decoder per architecture, from the bit layouts of the Linux 6.12
// headers: arch/x86/include/asm/pgtable_types.h (x86-64 and
// PAE), arch/arm64/include/asm/pgtable-hwdef.h and pgtable-prot.h,
// arch/riscv/include/asm/pgtable-bits.h, arch/s390/include/asm/pgtable.h,
// arch/powerpc/include/asm/book3s/64/pgtable.h.  Written from the bit
// numbers only: nothing here calls a model helper.
#include "core/decoder/semantic.h"

#include <cstdio>

#include "core/arch/registry.h"

namespace gf {
namespace {

constexpr uint64_t bit(int n) { return 1ull << n; }
constexpr uint64_t bits(int lo, int hi) { return ((hi == 63 ? 0 : bit(hi + 1)) - bit(lo)); }

// x86-64: Present 0, RW 1, User 2, PWT 3, PCD 4, A 5, D 6, PAT 7, G(protnone) 8,
// special 9, uffd-wp 10, soft-dirty 11, PFN 12-51, devmap 57, saved-dirty 58,
// pkey 59-62, NX 63.  PAE: the same low word with saved-dirty at 10 and no
// uffd-wp, soft-dirty, devmap or pkeys (those bits are "other").
// Non-present non-zero entries keep the PFN inverted.  On a shadow-stack CPU
// Write=0,Dirty=1 in a present entry is a shadow-stack entry.
// A non-present, non-empty entry (a swap or migration entry, ...): every bit is "other".
GF_NO_COVERAGE PteSem nonpresent(pteval_t v) {
  PteSem s;
  s.kind = PteSem::nonpresent;
  s.other = v;
  return s;
}

struct X86Layout {
  int saved_dirty;
  bool uffd_soft_dirty_devmap;
  bool shstk;
};

GF_NO_COVERAGE PteSem decode_x86(pteval_t v, X86Layout l) {
  PteSem s;
  if (!(v & ~(bit(5) | bit(6)))) return s;  // pte_none(): Knights Landing may leave A/D behind
  const bool present = v & bit(0);
  const bool protnone = !present && (v & bit(8));
  if (!present && !protnone) return nonpresent(v);
  s.kind = present ? PteSem::present : PteSem::protnone;
  s.valid = present;
  const uint64_t raw = present ? v : v ^ bits(12, 51);
  s.pfn = (raw & bits(12, 51)) >> 12;
  s.write = v & bit(1);
  s.user = v & bit(2);
  s.exec = !(v & bit(63));
  s.young = v & bit(5);
  s.dirty = (v & bit(6)) || (v & bit(l.saved_dirty));
  s.shstk = l.shstk && !(v & bit(1)) && (v & bit(6));  // pte_shstk() does not look at Present
  s.special = v & bit(9);
  uint64_t decoded = bit(0) | bit(1) | bit(2) | bit(5) | bit(6) | bit(9) | bits(12, 51) | bit(l.saved_dirty) |
                     bit(63) | (protnone ? bit(8) : 0);
  if (l.uffd_soft_dirty_devmap) {
    s.uffd_wp = v & bit(10);
    s.soft_dirty = v & bit(11);
    s.devmap = v & bit(57);
    decoded |= bit(10) | bit(11) | bit(57);
  }
  s.other = v & ~decoded;  // PWT, PCD, PAT, Global, pkey, reserved bits
  return s;
}

// arm64: Valid 0, table 1, attrindx 2-4, User 6, RDONLY 7, SH 8-9, AF 10, nG 11,
// OA 12-49, GP 50, DBM/WRITE 51, CONT 52, PXN 53, UXN 54, DIRTY 55, SPECIAL 56,
// DEVMAP 57, UFFD_WP 58, POE 60-62.  Present-invalid: Valid 0 with nG set.
GF_NO_COVERAGE PteSem decode_arm64(pteval_t v) {
  PteSem s;
  if (v == 0) return s;
  const bool valid = v & bit(0);
  const bool present_invalid = !valid && (v & bit(11));
  if (!valid && !present_invalid) return nonpresent(v);
  const bool user = v & bit(6), uxn = v & bit(54);
  s.kind = (present_invalid && !user && uxn) ? PteSem::protnone : PteSem::present;
  s.valid = valid;
  s.pfn = (v & bits(12, 49)) >> 12;
  s.write = v & bit(51);
  s.user = user;
  s.exec = !uxn;
  s.young = v & bit(10);
  const bool rdonly = v & bit(7);
  s.dirty = (v & bit(55)) || (s.write && !rdonly);
  s.hw_rdonly = !s.write && rdonly;
  s.special = v & bit(56);
  s.devmap = v & bit(57);
  s.uffd_wp = v & bit(58);
  s.cont = v & bit(52);
  const uint64_t decoded = bit(0) | bit(6) | bit(7) | bit(10) | bits(12, 49) | bit(51) | bit(52) | bit(54) |
                           bit(55) | bit(56) | bit(57) | bit(58) | (present_invalid ? bit(11) : 0);
  s.other = v & ~decoded;  // table bit, attrindx, SH, nG (valid), GP, PXN, POE
  return s;
}

// riscv: V 0, R 1, W 2, X 3, U 4, G 5, A 6, D 7, special 8, devmap 9 (RSW),
// PFN 10-53, N/PBMT/reserved 54-63.  PROT_NONE: V clear, G set (R kept).
GF_NO_COVERAGE PteSem decode_riscv(pteval_t v) {
  PteSem s;
  if (v == 0) return s;
  const bool valid = v & bit(0);
  const bool protnone = !valid && (v & bit(5));
  if (!valid && !protnone) return nonpresent(v);
  s.kind = valid ? PteSem::present : PteSem::protnone;
  s.valid = valid;
  s.pfn = (v & bits(10, 53)) >> 10;
  s.read = v & bit(1);
  s.write = v & bit(2);
  s.exec = v & bit(3);
  s.user = v & bit(4);
  s.young = v & bit(6);
  s.dirty = v & bit(7);
  s.special = v & bit(8);
  s.devmap = v & bit(9);
  const uint64_t decoded = bits(0, 4) | bits(6, 9) | bits(10, 53) | (protnone ? bit(5) : 0);
  s.other = v & ~decoded;  // G on a valid entry, bits 54-63
  return s;
}

// s390: hardware noexec 0x100, protect 0x200, invalid 0x400, large 0x800 (zero
// in a PTE); software present 0x001, soft-dirty 0x002, young 0x004, dirty
// 0x008, read 0x010, write 0x020, special 0x040, unused 0x080; frame from bit
// 12.  Empty = invalid alone.  Young and dirty are emulated: a present entry
// is hardware-invalid unless young and readable, hardware-protected unless
// dirty and writable.  Those two bits are recency; a value of them that does
// not follow from young/dirty/read/write is a real difference, kept in other.
GF_NO_COVERAGE PteSem decode_s390(pteval_t v) {
  PteSem s;
  if (v == 0x400) return s;
  if (!(v & 0x001)) return nonpresent(v);
  s.pfn = v >> 12;
  s.soft_dirty = v & 0x002;
  s.young = v & 0x004;
  s.dirty = v & 0x008;
  s.read = v & 0x010;
  s.write = v & 0x020;
  s.special = v & 0x040;
  s.exec = !(v & 0x100);
  s.user = true;  // no user bit: user and kernel are different address spaces
  s.kind = s.read ? PteSem::present : PteSem::protnone;
  s.valid = s.read;
  // Invalid set on a young readable entry (a lazy flush, ptep_flush_lazy())
  // or protect set on a dirty writable one only costs a fault: recency.  The
  // other way round the MMU would allow what the software bits refuse.
  const bool invalid = v & 0x400, protect = v & 0x200;
  s.other = v & (0x080 | 0x800);
  if (!invalid && !s.read) s.other |= 0x400;
  if (!protect && !s.write) s.other |= 0x200;
  return s;
}

// powerpc book3s64 radix: EXEC 0x1, WRITE 0x2, READ 0x4, PRIVILEGED 0x8,
// cache 0x10-0x30, RSV1 0x40, DIRTY (C) 0x80, ACCESSED (R) 0x100, soft-dirty
// 0x200, special 0x400, devmap 0x800, RPN 12-52, hash/pkey 53-60, INVALID 61
// (present while PRESENT is briefly clear), PTE (leaf) 62, PRESENT 63.
GF_NO_COVERAGE PteSem decode_ppc(pteval_t v) {
  PteSem s;
  if (!(v & ~(0x80ull | 0x100ull))) return s;  // radix__pte_none(): a late R/C writeback
  const bool leaf = v & bit(62);
  const bool hw_valid = leaf && (v & bit(63));
  const bool present_invalid = leaf && !(v & bit(63)) && (v & bit(61));
  if (!hw_valid && !present_invalid) return nonpresent(v);
  s.exec = v & 0x1;
  s.write = v & 0x2;
  s.read = v & 0x4;
  s.user = !(v & 0x8);
  s.kind = (hw_valid && !(v & 0x7)) ? PteSem::protnone : PteSem::present;
  s.valid = hw_valid;
  s.dirty = v & 0x80;
  s.young = v & 0x100;
  s.soft_dirty = v & 0x200;
  s.special = v & 0x400;
  s.devmap = v & 0x800;
  s.pfn = (v & bits(12, 52)) >> 12;
  const uint64_t decoded = bits(0, 3) | bits(7, 11) | bits(12, 52) | bit(62) | bit(63) | (present_invalid ? bit(61) : 0);
  s.other = v & ~decoded;  // cache attributes, RSV1, hash/pkey bits
  return s;
}

// Bit names, as the 6.12 headers spell them (without _PAGE_/PTE_).
struct BitName {
  int bit;
  const char* name;
};
constexpr BitName kX86Names[] = {{0, "Present"}, {1, "RW"}, {2, "User"}, {3, "PWT"}, {4, "PCD"},
                                 {5, "Accessed"}, {6, "Dirty"}, {7, "PAT"}, {8, "Global/Protnone"},
                                 {9, "Special"}, {10, "UFFD_WP"}, {11, "Soft_Dirty"}, {57, "Devmap"},
                                 {58, "Saved_Dirty"}, {59, "Pkey0"}, {60, "Pkey1"}, {61, "Pkey2"},
                                 {62, "Pkey3"}, {63, "NX"}};
constexpr BitName kPaeNames[] = {{0, "Present"}, {1, "RW"}, {2, "User"}, {3, "PWT"}, {4, "PCD"},
                                 {5, "Accessed"}, {6, "Dirty"}, {7, "PAT"}, {8, "Global/Protnone"},
                                 {9, "Special"}, {10, "Saved_Dirty"}, {11, "Softw3"}, {57, "Devmap"},
                                 {63, "NX"}};
constexpr BitName kArm64Names[] = {{0, "Valid"}, {1, "Table/Page"}, {2, "AttrIndx0"}, {3, "AttrIndx1"},
                                   {4, "AttrIndx2"}, {6, "User"}, {7, "Rdonly"}, {8, "SH0"}, {9, "SH1"},
                                   {10, "AF"}, {11, "nG/PresentInvalid"}, {50, "GP"}, {51, "DBM/Write"},
                                   {52, "Cont"}, {53, "PXN"}, {54, "UXN"}, {55, "Dirty"}, {56, "Special"},
                                   {57, "Devmap"}, {58, "UFFD_WP"}, {60, "PO0"}, {61, "PO1"}, {62, "PO2"}};
constexpr BitName kRiscvNames[] = {{0, "Valid"}, {1, "Read"}, {2, "Write"}, {3, "Exec"}, {4, "User"},
                                   {5, "Global/Protnone"}, {6, "Accessed"}, {7, "Dirty"}, {8, "Special"},
                                   {9, "Devmap"}, {61, "PBMT0"}, {62, "PBMT1"}, {63, "Napot"}};
constexpr BitName kS390Names[] = {{0, "Present"}, {1, "Soft_Dirty"}, {2, "Young"}, {3, "Dirty"}, {4, "Read"},
                                  {5, "Write"}, {6, "Special"}, {7, "Unused"}, {8, "Noexec"}, {9, "Protect"},
                                  {10, "Invalid"}, {11, "Large/Swp_Exclusive"}};
constexpr BitName kPpcNames[] = {{0, "Exec"}, {1, "Write"}, {2, "Read"}, {3, "Privileged"}, {4, "SAO"},
                                 {5, "Non_Idempotent"}, {6, "Rsv1"}, {7, "Dirty"}, {8, "Accessed"},
                                 {9, "Soft_Dirty"}, {10, "Special"}, {11, "Devmap"}, {61, "Invalid"},
                                 {62, "PTE"}, {63, "Present"}};

struct ArchSem {
  PteSem (*decode)(pteval_t);
  uint64_t recency;
  uint64_t pfn_field;
  int pfn_shift;
  const BitName* names;
  size_t nr_names;
};

template <size_t N>
constexpr ArchSem arch_sem(PteSem (*d)(pteval_t), uint64_t recency, uint64_t pfn, int shift, const BitName (&n)[N]) {
  return {d, recency, pfn, shift, n, N};
}

const ArchSem& arch_sem(Arch a) {
  static const ArchSem x86 = arch_sem([](pteval_t v) { return decode_x86(v, {58, true, false}); },
                                      bit(5) | bit(6) | bit(58), bits(12, 51), 12, kX86Names);
  static const ArchSem x86_shstk = arch_sem([](pteval_t v) { return decode_x86(v, {58, true, true}); },
                                            bit(5) | bit(6) | bit(58), bits(12, 51), 12, kX86Names);
  static const ArchSem arm64 = arch_sem(decode_arm64, bit(7) | bit(10) | bit(55), bits(12, 49), 12, kArm64Names);
  static const ArchSem riscv = arch_sem(decode_riscv, bit(6) | bit(7), bits(10, 53), 10, kRiscvNames);
  static const ArchSem s390 = arch_sem(decode_s390, 0x004 | 0x008 | 0x200 | 0x400, bits(12, 63), 12, kS390Names);
  static const ArchSem ppc = arch_sem(decode_ppc, 0x80 | 0x100, bits(12, 52), 12, kPpcNames);
  static const ArchSem pae = arch_sem([](pteval_t v) { return decode_x86(v, {10, false, false}); },
                                      bit(5) | bit(6) | bit(10), bits(12, 51), 12, kPaeNames);
  switch (a) {
    case Arch::x86_64: return x86;
    case Arch::x86_64_shstk: return x86_shstk;
    case Arch::arm64: return arm64;
    case Arch::riscv64:
    case Arch::riscv64_svadu: return riscv;
    case Arch::s390x: return s390;
    case Arch::ppc64le: return ppc;
    case Arch::i386_pae: return pae;
  }
  return x86;
}

}  // namespace

GF_NO_COVERAGE PteSem sem_decode(Arch arch, pteval_t v) { return arch_sem(arch).decode(v); }
uint64_t sem_recency_bits(Arch arch) { return arch_sem(arch).recency; }

bool sem_well_formed(Arch arch, pteval_t v) {
  switch (arch) {
    case Arch::arm64:  // a present entry is writable (DBM) or read-only (RDONLY)
      return !(v & (bit(0) | bit(11))) || (v & (bit(51) | bit(7)));
    case Arch::s390x:  // hardware access only where the software bits allow it
      return !(v & 0x001) || (((v & 0x400) || (v & 0x010)) && ((v & 0x200) || (v & 0x020)));
    default: return true;
  }
}

std::vector<std::string> bit_names(Arch arch, pteval_t v) {
  const ArchSem& a = arch_sem(arch);
  std::vector<std::string> out;
  uint64_t named = 0;
  for (size_t i = 0; i < a.nr_names; i++) {
    named |= bit(a.names[i].bit);
    if (v & bit(a.names[i].bit)) out.push_back(a.names[i].name);
  }
  out.push_back("pfn=" + hex((v & a.pfn_field) >> a.pfn_shift));
  for (int b = 0; b < 64; b++)
    if ((v & bit(b)) && !(named & bit(b)) && !(a.pfn_field & bit(b))) out.push_back("bit" + std::to_string(b));
  return out;
}

std::string PteSem::diff(const PteSem& o) const {
  std::string d;
  auto add = [&](bool differs, const char* name) {
    if (!differs) return;
    if (!d.empty()) d += ' ';
    d += name;
  };
  add(kind != o.kind, "kind");
  add(valid != o.valid, "valid");
  add(pfn != o.pfn, "pfn");
  add(write != o.write, "write");
  add(read != o.read, "read");
  add(user != o.user, "user");
  add(exec != o.exec, "exec");
  add(special != o.special, "special");
  add(devmap != o.devmap, "devmap");
  add(uffd_wp != o.uffd_wp, "uffd_wp");
  add(soft_dirty != o.soft_dirty, "soft_dirty");
  add(cont != o.cont, "cont");
  add(shstk != o.shstk, "shstk");
  add(hw_rdonly != o.hw_rdonly, "rdonly");
  add(other != o.other, "other-bits");
  return d;
}

std::string PteSem::str() const {
  if (kind == none) return "none";
  if (kind == nonpresent) return "nonpresent";
  char buf[200];
  std::snprintf(buf, sizeof buf, "%s pfn=%llu%s%s%s%s%s%s%s%s%s%s", kind == protnone ? "protnone" : "present",
                (unsigned long long)pfn, write ? " W" : " RO", read ? "" : " no-read", user ? " U" : "",
                young ? " young" : " old", dirty ? " dirty" : " clean", special ? " special" : "",
                cont ? " cont" : "", uffd_wp ? " uffd-wp" : "", soft_dirty ? " sd" : "", shstk ? " shstk" : "");
  return buf;
}

}  // namespace gf
