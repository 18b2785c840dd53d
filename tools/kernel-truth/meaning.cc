// SPDX-License-Identifier: GPL-2.0
//
// The real-code meaning check (meaning.h).  The decision is taken by k_*
// functions only; the meaning by the project's decoder.
#include "tools/kernel-truth/meaning.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "core/decoder/semantic.h"
#include "tools/kernel-truth/diff.h"

namespace gf::kt {
namespace {

// The helpers gup_fast_pte_range() consults, the kernel's own.
struct KernelHelpers {
  static bool pte_protnone(pteval_t v) { return k_pte_protnone(K(v)); }
  static bool pte_access_permitted(pteval_t v, bool write) { return k_pte_access_permitted(K(v), write); }
  static bool pte_devmap(pteval_t v) { return k_pte_devmap(K(v)); }
  static bool pte_special(pteval_t v) { return k_pte_special(K(v)); }
};

// The decoder row for the object: k_arch() names an arches.def row; x86
// with the shadow-stack capability is its own row.
gf::Arch decoder_arch(const char* arch, bool shstk) {
  const auto a = gf::arch_from_name(arch);
  if (!a) {
    std::fprintf(stderr, "ktruth: meaning: no decoder for \"%s\"\n", arch);
    std::exit(2);
  }
  return (*a == gf::Arch::x86_64 && shstk) ? gf::Arch::x86_64_shstk : *a;
}

// Entries the kernel's constructors and helpers make: pfn_pte() of every
// protection at three frames, chains of up to two real helpers, swap entries.
std::vector<pteval_t> made_entries() {
  using F = kt_pte (*)(kt_pte);
  static const F helpers[] = {
      k_pte_mkold, k_pte_mkyoung, k_pte_mkclean, k_pte_mkdirty, k_pte_wrprotect, k_pte_mkspecial, k_pte_mkuffd_wp,
      k_pte_mksoft_dirty,
      [](kt_pte v) { return k_pte_modify(v, KT_PROT_NONE); },
      [](kt_pte v) { return k_pte_modify(v, KT_PROT_RO); },
      [](kt_pte v) { return k_pte_modify(v, KT_PROT_RW); },
      [](kt_pte v) { return k_pte_modify(v, KT_PROT_RO_X); },
      [](kt_pte v) { return k_pte_modify(v, KT_PROT_RW_X); },
  };
  std::vector<pteval_t> level;
  for (unsigned long long pfn : {1ull, 5ull, 0x12345ull})
    for (int p = 0; p < KT_NR_PROTS; p++) level.push_back(k_pfn_pte(pfn, p));
  std::vector<pteval_t> all = level;
  for (int depth = 0; depth < 2; depth++) {
    std::sort(level.begin(), level.end());
    level.erase(std::unique(level.begin(), level.end()), level.end());
    std::vector<pteval_t> next;
    for (pteval_t v : level)
      for (F f : helpers) next.push_back(f(K(v)));
    all.insert(all.end(), next.begin(), next.end());
    level = std::move(next);
  }
  for (unsigned t = 0; t < 32; t++)
    for (unsigned long long off : {1ull, 2ull, 3ull}) all.push_back(k_swp_entry_pte(t, off));
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

// The bits the real-code audit enumerates: outside the page frame, plus its
// two lowest bits (audit.cc).
std::vector<int> raw_bits() {
  const kt_pte base = k_pfn_pte(1, KT_PROT_RW);
  uint64_t pfn_mask = 0;
  for (int b = 0; b < 64; b++) {
    const kt_pte v = base ^ (1ull << b);
    if (k_pte_present(v) && k_pte_pfn(v) != k_pte_pfn(base)) pfn_mask |= 1ull << b;
  }
  std::vector<int> bits;
  int low = 0;
  for (int b = 0; b < 64; b++)
    if (!(pfn_mask >> b & 1)) bits.push_back(b);
    else if (low < 2) bits.push_back(b), low++;
  return bits;
}

void check_entry(gf::MeaningRow& r, gf::Arch a, pteval_t v, bool is_made) {
  const gf::PteSem s = gf::sem_decode(a, v);
  if (!is_made && s.maps() && !gf::sem_well_formed(a, v)) {
    r.ill_formed++;
    return;
  }
  (is_made ? r.made : r.raw)++;
  for (bool write : {false, true}) r.check(v, s, gf::gup_fast_decide<KernelHelpers>(v, write), write, is_made);
}

}  // namespace

gf::MeaningRow run_meaning(const char* arch, bool shstk, int max_bits, uint64_t sample, uint64_t seed) {
  k_set_shstk(shstk);
  gf::MeaningRow r;
  r.arch = decoder_arch(arch, shstk);
  const unsigned c = k_config();
  const gf::MeaningCfg* cfg = gf::meaning_cfg_for(r.arch, c & KT_CFG_NUMA_BALANCING, c & KT_CFG_SOFT_DIRTY,
                                                  c & KT_CFG_UFFD_WP);
  r.cfg = cfg ? std::string(cfg->name) : "unlisted";  // no GF_MEANING row names it: every finding untriaged
  const std::vector<pteval_t> made = made_entries();
  for (pteval_t v : made) check_entry(r, r.arch, v, true);
  const std::vector<int> bits = raw_bits();
  r.raw_bits = int(bits.size());
  r.exhaustive = r.raw_bits <= max_bits;
  Rng rng{seed};
  const uint64_t n = r.exhaustive ? 1ull << bits.size() : sample;
  for (uint64_t i = 0; i < n; i++) {
    const uint64_t idx = r.exhaustive ? i : rng.next();
    pteval_t v = 0;
    for (size_t b = 0; b < bits.size(); b++)
      if (idx >> b & 1) v |= 1ull << bits[b];
    if (std::binary_search(made.begin(), made.end(), v)) continue;
    check_entry(r, r.arch, v, false);
  }
  r.finish();
  k_set_shstk(0);
  return r;
}

bool print_meaning(const char* arch, bool shstk, const gf::MeaningRow& r) {
  std::printf("meaning: %s shstk=%d config %s: %llu made + %llu raw entries (%d bits, %s), read pins %llu, write "
              "pins %llu, refusals %llu/%llu, finding classes %d known, %d untriaged\n",
              arch, int(shstk), r.cfg.c_str(), (unsigned long long)r.made, (unsigned long long)r.raw, r.raw_bits,
              r.exhaustive ? "exhaustive" : "sampled", (unsigned long long)r.pins[0], (unsigned long long)r.pins[1],
              (unsigned long long)r.refusals[0], (unsigned long long)r.refusals[1], r.known_classes(),
              r.untriaged_classes());
  for (const gf::MeaningClass& c : r.classes) {
    if (!c.finding) continue;
    std::printf("meaning:   %-9s %s pin, meaning %s (%s, %llu entries), e.g. %s (%s)\n",
                c.known ? "known" : "UNTRIAGED", c.write ? "write" : "read", c.cls.c_str(), c.origin.c_str(),
                (unsigned long long)c.count, hex(c.x).c_str(), gf::sem_decode(r.arch, c.x).str().c_str());
  }
  return !r.clean();
}

}  // namespace gf::kt
