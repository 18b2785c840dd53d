// SPDX-License-Identifier: GPL-2.0
#include "core/check/pte_case.h"

#include <algorithm>
#include <array>

#include "core/base/json_get.h"

namespace gf {
namespace {

constexpr std::array<PteOpInfo, NR_PTE_OPS> kPteOps = {{
#define GF_PTE_OP(id, kernel, text) {#id, kernel, text},
#include "core/check/pte_ops.def"
#undef GF_PTE_OP
}};

// PFN byte 200..255: PFNs past a byte (the PFN field's upper bits).
constexpr std::array<uint64_t, 8> kBigPfns = {255, 256, 0x1000, 0x12345, 0xfffff, 0x100000, 0x7fffffff, MAX_CASE_PFN};

constexpr const char* kProtNames[NR_PROTS] = {"none", "ro", "rw", "ro_x", "rw_x"};

uint64_t pfn_of_byte(uint8_t b) { return b < 200 ? b : kBigPfns[(b - 200) % kBigPfns.size()]; }
// The byte for a PFN, if it has one.
std::optional<uint8_t> byte_of_pfn(uint64_t pfn) {
  if (pfn < 200) return uint8_t(pfn);
  for (size_t i = 0; i < kBigPfns.size(); i++)
    if (kBigPfns[i] == pfn) return uint8_t(200 + i);
  return std::nullopt;
}

}  // namespace

bool PteStart::operator==(const PteStart& o) const {
  if (kind != o.kind) return false;
  switch (kind) {
    case user: return pfn == o.pfn && uprot_bits(uprot) == uprot_bits(o.uprot);
    case pfn_pte: return pfn == o.pfn && prot == o.prot;
    case swap: return pfn == o.pfn && swp_type == o.swp_type;
    case none: return true;
  }
  return true;
}

const PteOpInfo& info(PteOpKind k) { return kPteOps[size_t(k)]; }
std::optional<PteOpKind> pte_op_from_name(std::string_view s) {
  for (int i = 0; i < NR_PTE_OPS; i++)
    if (kPteOps[i].id == s) return PteOpKind(i);
  return std::nullopt;
}

// ---------------------------------------------------------------- bytes

PteCase decode_pte_case(std::span<const uint8_t> bytes) {
  size_t pos = 0;
  auto next = [&]() -> uint8_t { return pos < bytes.size() ? bytes[pos++] : 0; };
  PteCase c;
  c.arch = Arch(next() % NR_ARCHES);
  c.start.kind = PteStart::Kind(next() % 4);
  const uint64_t pfn = pfn_of_byte(next());
  const uint8_t prot = next();
  switch (c.start.kind) {
    case PteStart::user: c.start.pfn = pfn, c.start.uprot = uprot_of(prot & 63); break;
    case PteStart::pfn_pte: c.start.pfn = pfn, c.start.prot = Prot(prot % NR_PROTS); break;
    case PteStart::swap: c.start.pfn = pfn, c.start.swp_type = prot % 32; break;
    case PteStart::none: c.start.pfn = 0; break;
  }
  for (auto& seq : c.seq) {
    const int n = next() % (MAX_PTE_OPS + 1);
    for (int i = 0; i < n; i++) {
      PteOp op;
      op.kind = PteOpKind(next() % NR_PTE_OPS);
      op.arg = next();
      seq.push_back(op);
    }
  }
  return c;
}

std::vector<uint8_t> encode(const PteCase& c) {
  std::vector<uint8_t> out;
  out.push_back(uint8_t(c.arch));
  out.push_back(uint8_t(c.start.kind));
  out.push_back(c.start.kind == PteStart::none ? 0 : byte_of_pfn(c.start.pfn).value_or(0));
  switch (c.start.kind) {
    case PteStart::user: out.push_back(uprot_bits(c.start.uprot)); break;
    case PteStart::pfn_pte: out.push_back(uint8_t(c.start.prot)); break;
    case PteStart::swap: out.push_back(c.start.swp_type); break;
    case PteStart::none: out.push_back(0); break;
  }
  for (const auto& seq : c.seq) {
    out.push_back(uint8_t(seq.size()));
    for (const PteOp& op : seq) {
      out.push_back(uint8_t(op.kind));
      out.push_back(op.arg);
    }
  }
  return out;
}

// ---------------------------------------------------------------- JSON

namespace {

using nlohmann::json;
using namespace jsonget;

uint64_t get_case_pfn(const json& j, const std::string& where) {
  const uint64_t pfn = get_u64(j, where, MAX_CASE_PFN);
  if (!byte_of_pfn(pfn))
    fail(where, std::to_string(pfn) + " has no byte encoding (0..199, 255, 256, 0x1000, 0x12345, 0xfffff, "
                                      "0x100000, 0x7fffffff, 0xffffffff)");
  return pfn;
}

PteStart start_from_json(const json& j) {
  PteStart s;
  if (j.is_string() && j.get<std::string>() == "none") {
    s.kind = PteStart::none;
    s.pfn = 0;
    return s;
  }
  if (!j.is_object() || j.size() != 1)
    fail("start", "expected \"none\" or an object with one of \"user\", \"pfn_pte\", \"swap\"");
  const std::string kind = j.begin().key();
  const json& o = j.begin().value();
  if (kind == "user") {
    only_keys(o, "start.user", {"pfn", "write", "exec", "young", "dirty", "special", "protnone"});
    s.kind = PteStart::user;
    if (!o.contains("pfn")) fail("start.user", "missing \"pfn\"");
    s.pfn = get_case_pfn(o["pfn"], "start.user.pfn");
    auto flag = [&](const char* k, bool dflt) { return o.contains(k) ? get_bool(o[k], std::string("start.user.") + k) : dflt; };
    s.uprot = UserProt{.write = flag("write", false), .exec = flag("exec", false), .young = flag("young", true),
                       .dirty = flag("dirty", false), .special = flag("special", false),
                       .protnone = flag("protnone", false)};
  } else if (kind == "pfn_pte") {
    only_keys(o, "start.pfn_pte", {"pfn", "prot"});
    s.kind = PteStart::pfn_pte;
    if (!o.contains("pfn") || !o.contains("prot")) fail("start.pfn_pte", "needs \"pfn\" and \"prot\"");
    s.pfn = get_case_pfn(o["pfn"], "start.pfn_pte.pfn");
    const std::string p = get_string(o["prot"], "start.pfn_pte.prot");
    const auto* it = std::find(std::begin(kProtNames), std::end(kProtNames), p);
    if (it == std::end(kProtNames)) fail("start.pfn_pte.prot", "unknown protection \"" + p + "\" (none, ro, rw, ro_x, rw_x)");
    s.prot = Prot(it - std::begin(kProtNames));
  } else if (kind == "swap") {
    only_keys(o, "start.swap", {"type", "offset"});
    s.kind = PteStart::swap;
    if (!o.contains("type") || !o.contains("offset")) fail("start.swap", "needs \"type\" and \"offset\"");
    s.swp_type = uint8_t(get_int(o["type"], "start.swap.type", 0, 31));
    s.pfn = get_case_pfn(o["offset"], "start.swap.offset");
  } else {
    fail("start", "unknown constructor \"" + kind + "\" (user, pfn_pte, swap, \"none\")");
  }
  return s;
}

std::vector<PteOp> seq_from_json(const json& j, const std::string& where) {
  std::vector<PteOp> seq;
  const json& a = get_array(j, where, 0, MAX_PTE_OPS);
  for (size_t i = 0; i < a.size(); i++) {
    const std::string w = where + "[" + std::to_string(i) + "]";
    only_keys(a[i], w, {"op", "arg"});
    if (!a[i].contains("op")) fail(w, "missing \"op\"");
    const std::string name = get_string(a[i]["op"], w + ".op");
    auto k = pte_op_from_name(name);
    if (!k) fail(w + ".op", "unknown transformation \"" + name + "\" (see core/check/pte_ops.def)");
    PteOp op{*k, 0};
    if (a[i].contains("arg")) op.arg = uint8_t(get_int(a[i]["arg"], w + ".arg", 0, 255));
    seq.push_back(op);
  }
  return seq;
}

}  // namespace

bool looks_like_pte_case(std::string_view text) {
  try {
    const json j = json::parse(text.begin(), text.end());
    return j.is_object() && j.contains("start");
  } catch (const json::exception&) {
    return false;
  }
}

std::optional<PteCase> pte_case_from_json(std::string_view text, ParseError& err) {
  return jsonget::parse_strict(text, err.message, [](const json& j) {
    only_keys(j, "case", {"arch", "start", "a", "b", "bugs", "note"});
    PteCase c;
    if (!j.contains("arch")) fail("case", "missing \"arch\"");
    const std::string a = get_string(j["arch"], "arch");
    auto arch = arch_from_name(a);
    if (!arch) {
      std::string names;
      for (int i = 0; i < NR_ARCHES; i++) names += (i ? ", " : "") + std::string(info(Arch(i)).name);
      fail("arch", "unknown architecture \"" + a + "\" (" + names + ")");
    }
    c.arch = *arch;
    if (!j.contains("start")) fail("case", "missing \"start\"");
    c.start = start_from_json(j["start"]);
    if (j.contains("a")) c.seq[0] = seq_from_json(j["a"], "a");
    if (j.contains("b")) c.seq[1] = seq_from_json(j["b"], "b");
    if (j.contains("bugs")) c.bugs = get_bugs(j["bugs"]);
    if (j.contains("note")) c.note = get_string(j["note"], "note");
    return c;
  });
}

std::string pte_case_to_json(const PteCase& c, int indent) {
  json j = json::object();
  if (!c.note.empty()) j["note"] = c.note;
  j["arch"] = std::string(info(c.arch).name);
  switch (c.start.kind) {
    case PteStart::user: {
      const UserProt& u = c.start.uprot;
      j["start"] = {{"user", {{"pfn", c.start.pfn}, {"write", u.write}, {"exec", u.exec}, {"young", u.young},
                              {"dirty", u.dirty}, {"special", u.special}, {"protnone", u.protnone}}}};
      break;
    }
    case PteStart::pfn_pte:
      j["start"] = {{"pfn_pte", {{"pfn", c.start.pfn}, {"prot", kProtNames[int(c.start.prot)]}}}};
      break;
    case PteStart::swap: j["start"] = {{"swap", {{"type", c.start.swp_type}, {"offset", c.start.pfn}}}}; break;
    case PteStart::none: j["start"] = "none"; break;
  }
  const char* names[2] = {"a", "b"};
  for (int s = 0; s < 2; s++) {
    json a = json::array();
    for (const PteOp& op : c.seq[s]) {
      json o = {{"op", std::string(info(op.kind).id)}};
      if (op.arg) o["arg"] = op.arg;
      a.push_back(o);
    }
    j[names[s]] = a;
  }
  if (!c.bugs.empty()) {
    json b = json::array();
    for (int i = 0; i < NR_BUGS; i++)
      if (c.bugs.has(Bug(i))) b.push_back(std::string(info(Bug(i)).id));
    j["bugs"] = b;
  }
  return j.dump(indent);
}

}  // namespace gf
