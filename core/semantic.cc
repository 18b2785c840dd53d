// SPDX-License-Identifier: GPL-2.0
#include "core/semantic.h"

#include <cstdio>

namespace gf {
namespace {

constexpr uint64_t bit(int n) { return 1ull << n; }
constexpr uint64_t bits(int lo, int hi) { return ((hi == 63 ? 0 : bit(hi + 1)) - bit(lo)); }

// x86-64: Present 0, RW 1, User 2, PWT 3, PCD 4, A 5, D 6, PAT 7, G(protnone) 8,
// special 9, uffd-wp 10, soft-dirty 11, PFN 12-51, devmap 57, saved-dirty 58,
// pkey 59-62, NX 63.  Non-present non-zero entries keep the PFN inverted.
GF_NO_COVERAGE PteSem decode_x86(pteval_t v) {
  PteSem s;
  if (v == 0) return s;
  bool present = v & bit(0);
  bool protnone = !present && (v & bit(8));
  if (!present && !protnone) {
    s.kind = PteSem::nonpresent;
    s.other = v;
    return s;
  }
  s.kind = present ? PteSem::present : PteSem::protnone;
  s.valid = present;
  uint64_t raw = present ? v : v ^ bits(12, 51);
  s.pfn = (raw & bits(12, 51)) >> 12;
  s.write = v & bit(1);
  s.user = v & bit(2);
  s.exec = !(v & bit(63));
  s.young = v & bit(5);
  s.dirty = (v & bit(6)) || (v & bit(58));
  s.special = v & bit(9);
  s.uffd_wp = v & bit(10);
  s.soft_dirty = v & bit(11);
  s.devmap = v & bit(57);
  uint64_t decoded = bit(0) | bit(1) | bit(2) | bit(5) | bit(6) | bit(9) | bit(10) | bit(11) | bits(12, 51) |
                     bit(57) | bit(58) | bit(63) | (protnone ? bit(8) : 0);
  s.other = v & ~decoded;  // PWT, PCD, PAT, Global, pkey, reserved bits
  return s;
}

// arm64: Valid 0, table 1, attrindx 2-4, User 6, RDONLY 7, SH 8-9, AF 10, nG 11,
// OA 12-49, GP 50, DBM/WRITE 51, CONT 52, PXN 53, UXN 54, DIRTY 55, SPECIAL 56,
// DEVMAP 57, UFFD_WP 58, POE 60-62.  Present-invalid: Valid 0 with nG set.
GF_NO_COVERAGE PteSem decode_arm64(pteval_t v) {
  PteSem s;
  if (v == 0) return s;
  bool valid = v & bit(0);
  bool present_invalid = !valid && (v & bit(11));
  if (!valid && !present_invalid) {
    s.kind = PteSem::nonpresent;
    s.other = v;
    return s;
  }
  bool user = v & bit(6), uxn = v & bit(54);
  s.kind = (present_invalid && !user && uxn) ? PteSem::protnone : PteSem::present;
  s.valid = valid;
  s.pfn = (v & bits(12, 49)) >> 12;
  s.write = v & bit(51);
  s.user = user;
  s.exec = !uxn;
  s.young = v & bit(10);
  bool rdonly = v & bit(7);
  s.dirty = (v & bit(55)) || (s.write && !rdonly);
  s.hw_rdonly = !s.write && rdonly;
  s.special = v & bit(56);
  s.devmap = v & bit(57);
  s.uffd_wp = v & bit(58);
  s.cont = v & bit(52);
  uint64_t decoded = bit(0) | bit(6) | bit(7) | bit(10) | bits(12, 49) | bit(51) | bit(52) | bit(54) | bit(55) |
                     bit(56) | bit(57) | bit(58) | (present_invalid ? bit(11) : 0);
  s.other = v & ~decoded;  // table bit, attrindx, SH, nG (valid), GP, PXN, POE
  return s;
}

}  // namespace

GF_NO_COVERAGE PteSem sem_decode(ArchId arch, pteval_t v) {
  return arch == ArchId::arm64 ? decode_arm64(v) : decode_x86(v);
}

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "%#llx", (unsigned long long)v);
  return b;
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
  add(user != o.user, "user");
  add(exec != o.exec, "exec");
  add(special != o.special, "special");
  add(devmap != o.devmap, "devmap");
  add(uffd_wp != o.uffd_wp, "uffd_wp");
  add(soft_dirty != o.soft_dirty, "soft_dirty");
  add(cont != o.cont, "cont");
  add(hw_rdonly != o.hw_rdonly, "rdonly");
  add(other != o.other, "other-bits");
  return d;
}

std::string PteSem::str() const {
  if (kind == none) return "none";
  if (kind == nonpresent) return "nonpresent";
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s pfn=%llu%s%s%s%s%s%s%s%s", kind == protnone ? "protnone" : "present",
                (unsigned long long)pfn, write ? " W" : " RO", user ? " U" : "", young ? " young" : " old",
                dirty ? " dirty" : " clean", special ? " special" : "", cont ? " cont" : "",
                uffd_wp ? " uffd-wp" : "", soft_dirty ? " sd" : "");
  return buf;
}

}  // namespace gf
