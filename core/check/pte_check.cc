// SPDX-License-Identifier: GPL-2.0
#include "core/check/pte_check.h"

#include <array>
#include <cstring>

#include "core/arch/norecency.h"
#include "core/check/pte_check_model.h"
#include "core/decoder/semantic.h"

namespace gf {
namespace {

constexpr std::array<PredInfo, NR_PREDS> kPreds = {{
#define GF_PRED(id, title, call, use) {#id, title, call, use},
#include "core/check/predicates.def"
#undef GF_PRED
}};

struct Known {
  Arch arch;
  Oracle oracle;
  std::string_view what, fields, why;
};
constexpr Known kKnown[] = {
#define GF_KNOWN(arch, oracle, what, fields, why) {Arch::arch, Oracle::oracle, what, fields, why},
#define GF_KNOWN_DECODE(arch, pred, kind, why)
#define GF_MEANING(arch, cfg, access, cls, origin, why)
#include "core/check/findings.def"
#undef GF_MEANING
#undef GF_KNOWN_DECODE
#undef GF_KNOWN
};

struct KnownDecode {
  Arch arch;
  std::string_view pred, kind, why;
};
constexpr KnownDecode kKnownDecode[] = {
#define GF_KNOWN(arch, oracle, what, fields, why)
#define GF_KNOWN_DECODE(arch, pred, kind, why) {Arch::arch, #pred, kind, why},
#define GF_MEANING(arch, cfg, access, cls, origin, why)
#include "core/check/findings.def"
#undef GF_MEANING
#undef GF_KNOWN_DECODE
#undef GF_KNOWN
};

// Is every space-separated word of `fields` one of `allowed`'s?
bool fields_within(std::string_view fields, std::string_view allowed) {
  while (!fields.empty()) {
    const size_t sp = fields.find(' ');
    const std::string_view f = fields.substr(0, sp);
    bool found = false;
    for (std::string_view a = allowed; !a.empty() && !found;) {
      const size_t sa = a.find(' ');
      found = a.substr(0, sa) == f;
      a = sa == std::string_view::npos ? std::string_view() : a.substr(sa + 1);
    }
    if (!found) return false;
    fields = sp == std::string_view::npos ? std::string_view() : fields.substr(sp + 1);
  }
  return true;
}

std::string seq_str(const std::vector<PteOp>& seq) {
  std::string s;
  for (const PteOp& op : seq) {
    if (!s.empty()) s += ", ";
    s += info(op.kind).id;
    if (op.arg) s += "(" + std::to_string(op.arg) + ")";
  }
  return "[" + s + "]";
}

}  // namespace

const PredInfo& info(Pred p) { return kPreds[size_t(p)]; }
std::optional<Pred> pred_from_name(std::string_view s) {
  for (int i = 0; i < NR_PREDS; i++)
    if (kPreds[i].id == s) return Pred(i);
  return std::nullopt;
}

const char* known_finding(Arch a, Oracle o, std::string_view what, std::string_view fields) {
  for (const Known& k : kKnown)
    if (k.arch == a && k.oracle == o && k.what == what && fields_within(fields, k.fields)) return k.why.data();
  return nullptr;
}

const char* known_decode_finding(Arch a, std::string_view pred, std::string_view kind) {
  for (const KnownDecode& k : kKnownDecode)
    if (k.arch == a && k.pred == pred && k.kind == kind) return k.why.data();
  return nullptr;
}

std::string PteFinding::signature() const {
  static const char* kinds[] = {"violation", "known", "spurious"};
  return std::string(kinds[kind]) + " " + std::string(info(oracle).id) + " " + what;
}

std::string PteFinding::message() const {
  if (kind == spurious)
    return "spurious: " + x_name + " = " + hex(x) + " and " + y_name + " = " + hex(y) +
           " differ only in young/dirty, but pte_same_norecency() says they differ (a GUP-fast recheck would fail)";
  if (oracle == Oracle::stale_view_changes_decision)
    return what + " is " + hex(px) + " on " + x_name + " = " + hex(x) + " but " + hex(py) + " on " + y_name + " = " +
           hex(y) +
           (y_name == "b" ? ", which pte_same_norecency() calls the same entry" : ", a view differing only in young/dirty");
  return "pte_same_norecency(" + x_name + " = " + hex(x) + ", " + y_name + " = " + hex(y) +
         ") is true, but they differ in: " + what;
}

pteval_t pte_case_entry(const PteCase& c, int s) {
  return with_pte_arch(c.arch, c.bugs, [&]<class A>() { return pte_case_entry_on<A>(c, s); });
}

PteVerdict check_pte_case(const PteCase& c) {
  return with_pte_arch(c.arch, c.bugs, [&]<class A>() { return check_pte_case_on<A>(c); });
}

std::string explain_pte(Arch a, pteval_t v, BugSet bugs) {
  std::string out = std::string(info(a).name) + " " + hex(v) + "\n  bits:      ";
  for (const std::string& n : bit_names(a, v)) out += " " + n;
  out += "\n  record:     " + sem_decode(a, v).str() + "\n  predicates:";
  with_pte_arch(a, bugs, [&]<class A>() {
    for (int p = 0; p < NR_PREDS; p++) {
      const uint64_t r = pred_eval<A>(Pred(p), v);
      out += " " + std::string(kPreds[p].id) + "=" + (Pred(p) == Pred::pte_pfn ? hex(r) : std::to_string(r));
    }
    out += "\n  recency:    pte_young=" + std::to_string(A::pte_young(v)) +
           " pte_dirty=" + std::to_string(A::pte_dirty(v)) + ", norecency form " + hex(pte_norecency<A>(v));
    return 0;
  });
  return out + "\n";
}

std::string pte_violation_details(const PteCase& c, const PteFinding& f) {
  std::string out = "  " + f.message() + "\n";
  out += "  invariant: " + std::string(info(f.oracle).statement) + "\n";
  out += "  case: a = " + seq_str(c.seq[0]) + ", b = " + seq_str(c.seq[1]) + "\n";
  for (auto [name, val] : {std::pair{f.x_name, f.x}, std::pair{f.y_name, f.y}}) {
    out += "  " + name + ":\n";
    const std::string d = explain_pte(c.arch, val, c.bugs);
    size_t from = 0;
    for (size_t nl; (nl = d.find('\n', from)) != std::string::npos; from = nl + 1)
      out += "    " + d.substr(from, nl - from) + "\n";
  }
  return out;
}

}  // namespace gf
