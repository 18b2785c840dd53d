// SPDX-License-Identifier: GPL-2.0
//
// fuzz_kernel_diff: the x86-64 model (core/arch/x86_64.h) against the
// kernel's real helpers (tools/kernel-truth, Debian's amd64 configuration),
// on every input.  Traps on the first mismatch, printing the helper, its
// arguments and the two values.
//
// Input: byte 0 picks the shadow-stack capability (bit 0); then records of
// 9 bytes, an operation byte and a little-endian 64-bit value:
//   op % 6 == 0  every one-entry helper on the value
//   op % 6 == 1  pte_same / pte_same_norecency of the value and the previous one
//   op % 6 == 2  pfn_pte(value >> 8, op / 6 % 5), then the entry's helpers
//   op % 6 == 3  a swap entry (type op / 6 % 32, offset = value)
//   op % 6 == 4  a real transformation (op / 6 % 12) of the previous entry
//   op % 6 == 5  the previous entry with the value's set bits flipped
// A short tail is ignored.
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "core/arch/x86_64.h"
#include "tools/kernel-truth/diff.h"

namespace {

using gf::pteval_t;
using namespace gf::kt;

kt_pte step(int s, kt_pte v) {
  switch (s) {
    case 0: return k_pte_mkold(v);
    case 1: return k_pte_mkyoung(v);
    case 2: return k_pte_mkclean(v);
    case 3: return k_pte_mkdirty(v);
    case 4: return k_pte_wrprotect(v);
    case 5: return k_pte_mkwrite(v);
    case 6: return k_pte_mkspecial(v);
    case 7: return k_pte_mkuffd_wp(v);
    case 8: return k_pte_mksoft_dirty(v);
    case 9: return k_pte_modify(v, KT_PROT_NONE);
    case 10: return k_pte_modify(v, KT_PROT_RO);
    default: return k_pte_modify(v, KT_PROT_RW);
  }
}

template <class A>
void run(const uint8_t* data, size_t size, Stats& st) {
  Differ<A> d{st};
  pteval_t prev = 0;
  for (size_t i = 1; i + 9 <= size; i += 9) {
    const uint8_t op = data[i];
    uint64_t v;
    std::memcpy(&v, data + i + 1, 8);
    switch (op % 6) {
      case 0: d.value(v); prev = v; break;
      case 1: d.pair(prev, v); prev = v; break;
      case 2:
        d.ctor(v >> 8, op / 6 % KT_NR_PROTS);
        prev = k_pfn_pte(v >> 8, op / 6 % KT_NR_PROTS);
        d.value(prev);
        break;
      case 3:
        d.swp(op / 6 % 32, v);
        prev = k_swp_entry_pte(op / 6 % 32, v);
        d.value(prev);
        break;
      case 4: {
        const pteval_t w = step(op / 6 % 12, prev);
        d.pair(prev, w);
        d.value(w);
        prev = w;
        break;
      }
      default: prev ^= v; d.value(prev); break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) { return 0; }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool shstk = (data[0] & 1) && (k_config() & KT_CFG_SHSTK_POSSIBLE);
  if (k_set_shstk(shstk) != int(shstk)) __builtin_trap();
  Stats st;
  st.on_mismatch = [](const Mismatch& m) {
    std::fprintf(stderr, "==gupfuzz== %s\n", format_mismatch("x86_64", m).c_str());
    __builtin_trap();
  };
  with_model<gf::arch::X86_64T>(kernel_cfg(shstk), [&]<class A>() { run<A>(data, size, st); });
  k_set_shstk(0);
  return 0;
}
