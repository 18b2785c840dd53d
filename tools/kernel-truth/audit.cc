// SPDX-License-Identifier: GPL-2.0
//
// The real-code norecency audit (audit.h).  Only k_* functions are called.
#include "tools/kernel-truth/audit.h"

#include <bit>
#include <cstring>

#include "tools/kernel-truth/diff.h"

namespace gf::kt {
namespace {

// The predicates GUP-fast consults on the entry it read (mm/gup.c,
// gup_fast_pte_range, and the RFC's recheck).
struct Pred {
  const char* name;
  uint64_t (*fn)(kt_pte);
};
const Pred kPreds[] = {
    {"pte_present", [](kt_pte v) -> uint64_t { return k_pte_present(v); }},
    {"pte_protnone", [](kt_pte v) -> uint64_t { return k_pte_protnone(v); }},
    {"pte_access_permitted(read)", [](kt_pte v) -> uint64_t { return k_pte_access_permitted(v, 0); }},
    {"pte_access_permitted(write)", [](kt_pte v) -> uint64_t { return k_pte_access_permitted(v, 1); }},
    {"pte_special", [](kt_pte v) -> uint64_t { return k_pte_special(v); }},
    {"pte_devmap", [](kt_pte v) -> uint64_t { return k_pte_devmap(v); }},
    {"pte_pfn", [](kt_pte v) -> uint64_t { return k_pte_pfn(v); }},
    {"pte_write", [](kt_pte v) -> uint64_t { return k_pte_write(v); }},
    {"pte_uffd_wp", [](kt_pte v) -> uint64_t { return k_pte_uffd_wp(v); }},
};
constexpr int kNrPreds = sizeof(kPreds) / sizeof(kPreds[0]);

kt_pte norm(kt_pte v) { return k_pte_present(v) ? k_pte_mkold(k_pte_mkclean(v)) : v; }

// Known differences, each with the reason it is harmless for GUP-fast (or
// that it is a finding).  A difference not listed here is UNTRIAGED.
struct Known {
  const char* arch;
  int shstk;  // -1: any
  const char* predicate;
  const char* verdict;
};
const Known kKnown[] = {
    {"x86_64", 1, "pte_write",
     "harmless: Write=0,Dirty=1 is a shadow-stack entry only on a CPU with user shadow stacks; "
     "pte_mkclean() turns it into a read-only one.  GUP-fast reads pte_write() only for "
     "gup_must_unshare() on a FOLL_PIN read of anon memory; a shadow-stack page stays "
     "refused for writes (pte_access_permitted needs RW) and a stale 'not writable' can "
     "only make GUP-fast fall back to the slow path, never pin more; and a 'writable' "
     "shadow-stack view implies an exclusive anon page, which pte_mkclean() does not change"},
    {"i386-pae", 1, "pte_write",
     "harmless, as on x86_64: pte_shstk() reads X86_FEATURE_SHSTK on 32-bit kernels too, "
     "but a 32-bit kernel never enables user shadow stacks, so no Write=0,Dirty=1 entry is "
     "ever created; and a stale view only weakens gup_must_unshare()'s shortcut"},
};

const char* triage(const char* arch, bool shstk, const char* pred) {
  for (const Known& k : kKnown)
    if (!std::strcmp(k.arch, arch) && (k.shstk < 0 || k.shstk == int(shstk)) && !std::strcmp(k.predicate, pred))
      return k.verdict;
  return nullptr;
}

}  // namespace

bool Audit::untriaged() const {
  for (const AuditRow& r : rows)
    if (r.verdict == "UNTRIAGED") return true;
  return norm_outside_recency != 0;
}

namespace {

// The bits audited: outside the PFN field (the bits whose flip changes
// pte_pfn() of a present entry while it stays present), plus its two lowest.
std::vector<int> audit_bits() {
  const kt_pte base = k_pfn_pte(1, KT_PROT_RW);
  uint64_t pfn_mask = 0;
  for (int b = 0; b < 64; b++) {
    const kt_pte v = base ^ (1ull << b);
    if (k_pte_present(v) && k_pte_pfn(v) != k_pte_pfn(base)) pfn_mask |= 1ull << b;
  }
  std::vector<int> bits;
  int low_pfn_bits = 0;
  for (int b = 0; b < 64; b++) {
    if (!(pfn_mask >> b & 1)) bits.push_back(b);
    else if (low_pfn_bits < 2) bits.push_back(b), low_pfn_bits++;
  }
  return bits;
}

// The recency bits: those whose flip leaves the normalised entry of some
// present entry unchanged.
uint64_t recency_bits(const std::vector<int>& bits, Rng& rng) {
  uint64_t audit_mask = 0, recency = 0;
  for (int b : bits) audit_mask |= 1ull << b;
  for (int i = 0; i < 1 << 14; i++) {
    const kt_pte v = rng.next() & audit_mask;
    if (!k_pte_present(v)) continue;
    for (int b : bits) {
      const kt_pte w = v ^ (1ull << b);
      if (k_pte_present(w) && norm(w) == norm(v)) recency |= 1ull << b;
    }
  }
  return recency;
}

uint64_t spread(uint64_t idx, const std::vector<int>& bits) {
  uint64_t v = 0;
  for (size_t i = 0; i < bits.size(); i++)
    if (idx >> i & 1) v |= 1ull << bits[i];
  return v;
}

struct Member {
  kt_pte v, key;
  uint64_t pred[kNrPreds];
};

// Keeps the pair with the fewest differing bits (then the smallest) as the row's example.
void keep_example(AuditRow& r, const Member& x, const Member& y, int p) {
  const kt_pte a = x.v, b = y.v;
  const int d = std::popcount(a ^ b), best = std::popcount(r.a ^ r.b);
  if (r.a == r.b || d < best || (d == best && a < r.a)) r.a = a, r.b = b, r.va = x.pred[p], r.vb = y.pred[p];
}

// Classes of one group: members with the same key (a handful, compared pairwise).
void audit_classes(Audit& au, const std::vector<Member>& group, size_t n, std::vector<bool>& used) {
  std::fill(used.begin(), used.end(), false);
  for (size_t i = 0; i < n; i++) {
    if (used[i]) continue;
    bool multi = false, differs[kNrPreds] = {};
    for (size_t j = i + 1; j < n; j++) {
      if (group[j].key != group[i].key) continue;
      used[j] = true;
      multi = true;
      for (int p = 0; p < kNrPreds; p++) {
        if (group[j].pred[p] == group[i].pred[p]) continue;
        differs[p] = true;
        keep_example(au.rows[p], group[i], group[j], p);
      }
    }
    if (!multi) continue;
    for (int p = 0; p < kNrPreds; p++) {
      au.rows[p].classes++;
      au.rows[p].differing += differs[p];
    }
  }
}

// One group: the outer bits fixed to `hi`, every value of the inner (recency) bits.
size_t fill_group(Audit& au, uint64_t hi, const std::vector<int>& inner_bits, std::vector<Member>& group) {
  size_t n = 0;
  for (uint64_t i = 0; i < (1ull << inner_bits.size()); i++) {
    const kt_pte v = hi | spread(i, inner_bits);
    au.entries++;
    if (!k_pte_present(v)) continue;  // compared raw: equal only to itself
    Member& m = group[n++];
    m.v = v;
    m.key = norm(v);
    if ((m.key ^ v) & ~au.recency_mask) au.norm_outside_recency++;
    for (int p = 0; p < kNrPreds; p++) m.pred[p] = kPreds[p].fn(v);
  }
  return n;
}

}  // namespace

Audit run_audit(const char* arch, bool shstk, int max_bits, uint64_t sample, uint64_t seed) {
  k_set_shstk(shstk);
  Audit au;
  au.config = std::string("shstk=") + (shstk ? "1" : "0");
  au.bits = audit_bits();
  Rng rng{seed};
  au.recency_mask = recency_bits(au.bits, rng);
  std::vector<int> outer_bits, inner_bits;
  for (int b : au.bits) ((au.recency_mask >> b & 1) ? inner_bits : outer_bits).push_back(b);
  const int n_outer = int(outer_bits.size()), n_inner = int(inner_bits.size());
  au.exhaustive = int(au.bits.size()) <= max_bits;
  const uint64_t outer_count = au.exhaustive ? 1ull << n_outer : sample >> n_inner;

  au.rows.resize(kNrPreds);
  for (int p = 0; p < kNrPreds; p++) au.rows[p].predicate = kPreds[p].name;
  std::vector<Member> group(size_t(1) << n_inner);
  std::vector<bool> used(group.size());
  for (uint64_t o = 0; o < outer_count; o++) {
    const size_t n = fill_group(au, spread(au.exhaustive ? o : rng.next(), outer_bits), inner_bits, group);
    audit_classes(au, group, n, used);
  }
  for (AuditRow& r : au.rows) {
    if (!r.differing) {
      r.verdict = "agree";
      continue;
    }
    const char* t = triage(arch, shstk, r.predicate.c_str());
    r.verdict = t ? t : "UNTRIAGED";
  }
  k_set_shstk(0);
  return au;
}

}  // namespace gf::kt
