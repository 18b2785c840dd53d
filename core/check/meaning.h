// SPDX-License-Identifier: GPL-2.0
//
// The meaning check (issue 20, part 2).  The audit (core/check/audit.h) asks
// whether each predicate GUP-fast consults decides the same on a stale view:
// consistency.  This asks whether the decision GUP-fast composes from them
// is what the entry means:
//
//   GUP-fast (mm/gup.c gup_fast_pte_range(), 6.12), per entry, in order:
//     1. pte_protnone(pte)                       -> bail (slow GUP)
//     2. !pte_access_permitted(pte, FOLL_WRITE?) -> bail
//     3. pte_devmap(pte)                         -> pin (a ZONE_DEVICE page;
//                                                   FOLL_LONGTERM bails, not modelled here)
//        else pte_special(pte)                   -> bail
//     4. take the reference, recheck, then gup_fast_folio_allowed() and,
//        for a read FOLL_PIN, !pte_write(pte) && gup_must_unshare().
//   Step 4 is not a question about the entry: the recheck compares two
//   reads, gup_fast_folio_allowed() looks at the folio's mapping
//   (secretmem, file-backed FOLL_LONGTERM writes), gup_must_unshare() at the
//   anon folio's exclusivity.  The decision here ends after 3; the machine's
//   oracles judge step 4 (pin_not_in_history, pin_on_shared_anon).
//
//   The meaning (core/decoder/semantic.cc, from the bit layout, never the
//   helpers): user space may read through the entry if it is present (not
//   none, swap/migration/..., or PROT_NONE), valid (the MMU may use it,
//   recency aside), user, not special (a special entry has no page GUP may
//   take a reference on; a devmap one does), and readable (riscv, s390,
//   ppc64 have a read bit); it may write if present, valid, user, not
//   special, Linux-writable, and not uffd-wp (a write must reach
//   userfaultfd first).  A write pin does not need the read bit: slow GUP's
//   check_vma_flags() asks VM_WRITE only.
//
// A pin the meaning does not allow is a finding; its class is (access,
// why the meaning refuses, origin: "made" by the kernel's constructors and
// helpers, or "raw" among all bit patterns of the bits the helpers read).
// Each finding class is triaged in core/check/findings.def (GF_MEANING) with
// its kernel relevance, or is untriaged (`gupfuzz audit` exits 1).  A
// refusal where the meaning allows the access is informational: GUP-fast
// falls back to slow GUP, which decides with the VMA.
//
// Header-only but for the report (meaning.cc): tools/kernel-truth composes
// the same decision from the kernel's real helpers.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/arch/arches.h"
#include "core/base/types.h"
#include "core/decoder/semantic.h"

namespace gf {

// ------------------------------------------------------------ configurations

struct MeaningCfg {
  Arch arch;
  std::string_view name;
  bool numa_balancing, soft_dirty, uffd_wp;
  std::string_view what;
};
inline constexpr MeaningCfg kMeaningCfgs[] = {
#define GF_MEANING_CFG(arch, name, numa, sd, uffd, what) {Arch::arch, name, numa, sd, uffd, what},
#include "core/check/meaning_cfgs.def"
#undef GF_MEANING_CFG
};
inline constexpr int NR_MEANING_CFGS = int(sizeof kMeaningCfgs / sizeof kMeaningCfgs[0]);

// The configuration of `arch` with these switches (tools/kernel-truth reads
// them from the kernel object), or nullptr.  A switch no row of the
// architecture flips is not one its Kconfig has (arm64 soft-dirty, riscv
// soft-dirty and uffd-wp, ...): it is not compared.
inline const MeaningCfg* meaning_cfg_for(Arch arch, bool numa, bool sd, bool uffd) {
  const MeaningCfg* first = nullptr;
  bool varies[3] = {};
  for (const MeaningCfg& c : kMeaningCfgs) {
    if (c.arch != arch) continue;
    if (!first) first = &c;
    varies[0] |= c.numa_balancing != first->numa_balancing;
    varies[1] |= c.soft_dirty != first->soft_dirty;
    varies[2] |= c.uffd_wp != first->uffd_wp;
  }
  for (const MeaningCfg& c : kMeaningCfgs)
    if (c.arch == arch && (!varies[0] || c.numa_balancing == numa) && (!varies[1] || c.soft_dirty == sd) &&
        (!varies[2] || c.uffd_wp == uffd))
      return &c;
  return nullptr;
}

// ------------------------------------------------------------ the decision

enum class GupDecision : uint8_t { bail_protnone, bail_access, bail_special, pin, pin_devmap };

constexpr const char* decision_name(GupDecision d) {
  switch (d) {
    case GupDecision::bail_protnone: return "pte_protnone";
    case GupDecision::bail_access: return "!pte_access_permitted";
    case GupDecision::bail_special: return "pte_special";
    case GupDecision::pin: return "pin";
    case GupDecision::pin_devmap: return "pin (devmap)";
  }
  return "?";
}
constexpr bool gup_pins(GupDecision d) { return d == GupDecision::pin || d == GupDecision::pin_devmap; }

// Steps 1-3 above on the helpers of H: a model, or tools/kernel-truth's
// wrapper of the real ones (static pte_protnone, pte_access_permitted,
// pte_devmap, pte_special).
template <class H>
constexpr GupDecision gup_fast_decide(pteval_t v, bool write) {
  if (H::pte_protnone(v)) return GupDecision::bail_protnone;
  if (!H::pte_access_permitted(v, write)) return GupDecision::bail_access;
  if (H::pte_devmap(v)) return GupDecision::pin_devmap;
  if (H::pte_special(v)) return GupDecision::bail_special;
  return GupDecision::pin;
}

// ------------------------------------------------------------ the meaning

// Why the decoder's record refuses a user access of this kind through the
// entry, or nullptr when it allows it (core/decoder/semantic.h).
inline const char* meaning_refuses(const PteSem& s, bool write) { return sem_refuses_user(s, write); }

// ------------------------------------------------------------ triage

struct MeaningKnown {
  Arch arch;
  std::string_view cfg, access, cls, origin, why;
};
inline constexpr MeaningKnown kMeaningKnown[] = {
#define GF_KNOWN(arch, oracle, what, fields, why)
#define GF_KNOWN_DECODE(arch, pred, kind, why)
#define GF_MEANING(arch, cfg, access, cls, origin, why) {Arch::arch, cfg, access, cls, origin, why},
#include "core/check/findings.def"
#undef GF_MEANING
#undef GF_KNOWN_DECODE
#undef GF_KNOWN
};

// The GF_MEANING row that explains a finding class, or nullptr.  "*" in a
// row's cfg, access or origin matches anything.
inline const MeaningKnown* known_meaning(Arch arch, std::string_view cfg, bool write, std::string_view cls,
                                         std::string_view origin) {
  auto match = [](std::string_view row, std::string_view v) { return row == "*" || row == v; };
  for (const MeaningKnown& k : kMeaningKnown)
    if (k.arch == arch && match(k.cfg, cfg) && match(k.access, write ? "write" : "read") && k.cls == cls &&
        match(k.origin, origin))
      return &k;
  return nullptr;
}

// ------------------------------------------------------------ one run

struct MeaningClass {
  bool finding = true;  // a pin the meaning refuses; else a refusal the meaning allows
  bool write = false;
  std::string cls;      // finding: why the meaning refuses; refusal: the step that bailed
  std::string origin;   // "made" or "raw"
  uint64_t count = 0;
  pteval_t x = 0;       // the example: fewest bits set, then the smallest value
  GupDecision decision{};
  const MeaningKnown* known = nullptr;  // the triage (findings only)
};

struct MeaningRow {
  Arch arch{};
  std::string cfg;        // a kMeaningCfgs name (or the kernel object's)
  int bug = -1;           // the helper bug applied, or -1
  uint64_t made = 0;      // entries made by constructors and helpers
  uint64_t raw = 0;       // further bit patterns (well-formed ones)
  uint64_t ill_formed = 0;
  int raw_bits = 0;       // bits the raw patterns range over
  bool exhaustive = true;
  uint64_t pins[2] = {};      // [read, write]: entries GUP-fast pins
  uint64_t findings[2] = {};  // of which the meaning refuses
  uint64_t refusals[2] = {};  // entries the meaning allows and GUP-fast refuses
  uint64_t known = 0, untriaged = 0;  // findings (entries x access) triaged or not
  std::vector<MeaningClass> classes;

  uint64_t entries() const { return made + raw; }
  bool clean() const { return untriaged == 0; }
  int known_classes() const { return count_classes(true); }
  int untriaged_classes() const { return count_classes(false); }

  // One entry, one access: GUP-fast decided d, the decoder reads s.
  void check(pteval_t v, const PteSem& s, GupDecision d, bool write, bool is_made) {
    const char* no = meaning_refuses(s, write);
    const bool p = gup_pins(d);
    pins[write] += p;
    if (p && no) {
      findings[write]++;
      note(true, write, no, is_made, v, d);
    } else if (!p && !no) {
      refusals[write]++;
      note(false, write, decision_name(d), is_made, v, d);
    }
  }

  // Triage every finding class and order the classes (findings first).
  void finish() {
    known = untriaged = 0;
    for (MeaningClass& c : classes) {
      if (!c.finding) continue;
      c.known = known_meaning(arch, cfg, c.write, c.cls, c.origin);
      (c.known ? known : untriaged) += c.count;
    }
    // (finding, write, origin, cls) is each class's key (note()), so the
    // order is total and std::sort suffices.  (std::stable_sort's temporary
    // buffer trips AddressSanitizer's new/free check with libstdc++ 12.)
    std::sort(classes.begin(), classes.end(), [](const MeaningClass& a, const MeaningClass& b) {
      if (a.finding != b.finding) return a.finding;
      if (a.write != b.write) return !a.write;
      if (a.origin != b.origin) return a.origin < b.origin;
      return a.cls < b.cls;
    });
  }

 private:
  int count_classes(bool triaged) const {
    int n = 0;
    for (const MeaningClass& c : classes) n += c.finding && bool(c.known) == triaged;
    return n;
  }
  void note(bool finding, bool write, const char* cls, bool is_made, pteval_t v, GupDecision d) {
    const char* origin = is_made ? "made" : "raw";
    for (MeaningClass& c : classes) {
      if (c.finding != finding || c.write != write || c.cls != cls || c.origin != origin) continue;
      c.count++;
      const int pv = std::popcount(v), pc = std::popcount(c.x);
      if (pv < pc || (pv == pc && v < c.x)) c.x = v, c.decision = d;
      return;
    }
    classes.push_back(MeaningClass{finding, write, cls, origin, 1, v, d, nullptr});
  }
};

struct MeaningOptions {
  int max_bits = 22;             // raw patterns: exhaustive up to 2^max_bits, else sampled
  uint64_t samples = 1ull << 20;
  uint64_t seed = 1;
};

// Every configuration of kMeaningCfgs for `a` (the first with the helper
// bug of `bugs` that applies to a, the others correct), or only the first.
std::vector<MeaningRow> run_meaning(Arch a, BugSet bugs, const MeaningOptions& o = {}, bool all_cfgs = true);

// The table `gupfuzz audit` prints after the audit's: one line per model x
// configuration, then each finding class with its example and triage.
std::string meaning_text(const std::vector<MeaningRow>& rows);
std::string meaning_markdown(const std::vector<MeaningRow>& rows);
// The "meaning" member of `gupfuzz audit --json` (schema gupfuzz-audit/1).
std::string meaning_json(const std::vector<MeaningRow>& rows, int indent = 2);

}  // namespace gf
