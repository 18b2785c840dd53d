// SPDX-License-Identifier: GPL-2.0
//
// The scenario codec (core/scenario/scenario.h): total byte decoding, canonical
// encoding, the JSON form and its errors, bug lists.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/base/ids.h"
#include "core/scenario/scenario.h"

namespace {

using gf::Op;
using gf::OpKind;
using gf::Region;
using gf::Scenario;

std::vector<uint8_t> random_bytes(std::mt19937& rng, size_t max_len) {
  std::vector<uint8_t> b(rng() % (max_len + 1));
  for (auto& x : b) x = uint8_t(rng());
  return b;
}

// Every limit scenario.h promises for a decoded scenario; empty string if ok.
std::string limit_violation(const Scenario& s) {
  if (!gf::runs_on_machine(s.arch)) return "arch";
  if (s.recheck != gf::Recheck::norecency && s.recheck != gf::Recheck::mainline) return "recheck";
  if (s.regions.empty() || s.regions.size() > size_t(gf::MAX_REGIONS)) return "region count";
  for (const Region& r : s.regions) {
    if (r.va >= gf::NR_VPAGES) return "region va";
    if (r.pages < 1 || r.pages > 32) return "region pages";
    if ((r.flags & gf::RF_LARGE) && (r.va % gf::CONT_PTES || (r.pages != 16 && r.pages != 32)))
      return "large region shape";
  }
  if (s.cpus.empty() || s.cpus.size() > size_t(gf::MAX_CPUS)) return "cpu count";
  for (const auto& prog : s.cpus) {
    if (prog.size() > size_t(gf::MAX_OPS_PER_CPU)) return "ops per cpu";
    for (const Op& op : prog) {
      if (int(op.kind) >= gf::NR_OPS) return "op kind";
      if (op.va >= gf::NR_VPAGES) return "op va";
      if (!gf::op_uses_va(op.kind) && op.va != 0) return "op va not canonical";
      if (op.nr < 1 || op.nr > gf::op_max_nr(op.kind)) return "op nr";
      if (op.flags & ~gf::op_flag_mask(op.kind)) return "op flags";
    }
  }
  if (s.schedule.size() > size_t(gf::MAX_SCHEDULE)) return "schedule length";
  for (uint8_t c : s.schedule)
    if (c >= s.cpus.size()) return "schedule entry";
  if (!s.bugs.empty()) return "bugs from bytes";
  if (!s.note.empty()) return "note from bytes";
  return "";
}

// ------------------------------------------------------------------ bytes

TEST(Codec, DecodeIsTotalAndRespectsLimits) {
  std::mt19937 rng(2024);
  std::vector<int> ops_seen(gf::NR_OPS);
  int multi_cpu = 0, large = 0;
  for (int i = 0; i < 5000; i++) {
    const auto b = random_bytes(rng, 600);
    const Scenario s = gf::decode(b);
    ASSERT_EQ(limit_violation(s), "") << "input #" << i << " of " << b.size() << " bytes";
    for (const auto& prog : s.cpus)
      for (const Op& op : prog) ops_seen[int(op.kind)]++;
    multi_cpu += s.cpus.size() > 1;
    for (const Region& r : s.regions) large += bool(r.flags & gf::RF_LARGE);
  }
  for (int k = 0; k < gf::NR_OPS; k++) EXPECT_GT(ops_seen[k], 100) << gf::info(OpKind(k)).id;
  EXPECT_GT(multi_cpu, 1000);
  EXPECT_GT(large, 1000);
}

TEST(Codec, EmptyInputReadsAsZeros) {
  const Scenario s = gf::decode({});
  EXPECT_EQ(s.arch, gf::Arch::x86_64);
  EXPECT_EQ(s.recheck, gf::Recheck::norecency);
  ASSERT_EQ(s.regions.size(), 1u);
  EXPECT_EQ(s.regions[0], (Region{0, 1, 0}));
  ASSERT_EQ(s.cpus.size(), 1u);
  EXPECT_TRUE(s.cpus[0].empty());
  EXPECT_TRUE(s.schedule.empty());
  EXPECT_EQ(gf::decode(gf::encode(s)), s);
}

// The byte layout, worked by hand:
//   arch 1 (arm64), options 1 (mainline), nregions-1 = 1 (2 regions),
//   region {va 5, pages 3, ANON|LARGE} -> large: va 0, 3%32+1 = 4 pages -> 16,
//   region {va 130 -> 2, pages 40 -> 40%32+1 = 9, flags 0},
//   ncpus-1 = 1, cpu0: 2 ops: gup_fast(0) va 200 -> 72, nr 9 -> 9%8+1 = 2,
//   flags 0xff -> 7; unpin(1) (no arguments); cpu1: 1 op: fault(7) va 3,
//   flags 3 -> FOLL_WRITE; schedule 7 8 9 -> 1 0 1.
TEST(Codec, KnownLayout) {
  const std::vector<uint8_t> in = {1, 1, 1, 5, 3, gf::RF_ANON | gf::RF_LARGE, 130, 40, 0,
                                   1, 2, 0, 200, 9, 0xff, 1, 1, 7, 3, 3, 7, 8, 9};
  const Scenario s = gf::decode(in, gf::ScheduleForm::steps);
  EXPECT_EQ(s.arch, gf::Arch::arm64);
  EXPECT_EQ(s.recheck, gf::Recheck::mainline);
  ASSERT_EQ(s.regions.size(), 2u);
  EXPECT_EQ(s.regions[0], (Region{0, 16, gf::RF_ANON | gf::RF_LARGE}));
  EXPECT_EQ(s.regions[1], (Region{2, 9, 0}));
  ASSERT_EQ(s.cpus.size(), 2u);
  ASSERT_EQ(s.cpus[0].size(), 2u);
  EXPECT_EQ(s.cpus[0][0], (Op{OpKind::gup_fast, 72, 2, gf::FOLL_WRITE | gf::FOLL_PIN | gf::FOLL_LONGTERM}));
  EXPECT_EQ(s.cpus[0][1], (Op{OpKind::unpin, 0, 1, 0}));
  ASSERT_EQ(s.cpus[1].size(), 1u);
  EXPECT_EQ(s.cpus[1][0], (Op{OpKind::fault, 3, 1, gf::FOLL_WRITE}));
  EXPECT_EQ(s.schedule, (std::vector<uint8_t>{1, 0, 1}));

  const std::vector<uint8_t> canonical = {1, 1, 1, 0, 15, gf::RF_ANON | gf::RF_LARGE, 2, 8, 0,
                                          1, 2, 0, 72, 1, 7, 1, 1, 7, 3, 1, 1, 0, 1};
  EXPECT_EQ(gf::encode(s), canonical);
}

// The same bytes in the compact form (the default): the tail 7 8 9 is the
// pairs {gap 7, cpu 8 % 2 = 0} and {gap 9, cpu missing = 0}: points at steps 7
// and 16; a cpu byte with bit 7 set is a spacer; a gap over 255 encodes as
// spacers.
TEST(Codec, KnownLayoutOfThePreemptionPoints) {
  std::vector<uint8_t> in = {1, 1, 1, 5, 3, gf::RF_ANON | gf::RF_LARGE, 130, 40, 0,
                             1, 2, 0, 200, 9, 0xff, 1, 1, 7, 3, 3, 7, 8, 9};
  Scenario s = gf::decode(in);
  EXPECT_EQ(s.form, gf::ScheduleForm::preemptions);
  EXPECT_TRUE(s.schedule.empty());
  EXPECT_EQ(s.preempts, (std::vector<gf::Preempt>{{7, 0}, {16, 0}}));
  const size_t head = in.size() - 3;
  in.resize(head);
  for (uint8_t b : {3, 1, 200, 0x81, 100, 0xff, 10, 5})  // at 3 cpu 1; spacer to 203; spacer to 303; at 313 cpu 1
    in.push_back(b);
  s = gf::decode(in);
  EXPECT_EQ(s.preempts, (std::vector<gf::Preempt>{{3, 1}, {313, 1}}));
  const auto e = gf::encode(s);
  EXPECT_EQ(std::vector<uint8_t>(e.begin() + long(head), e.end()),
            (std::vector<uint8_t>{3, 1, 255, 0x80, 55, 1}));  // 3 + 255 + 55 = 313
  EXPECT_EQ(gf::decode(e), s);
}

TEST(Codec, ScheduleIsCappedAndReduced) {
  std::vector<uint8_t> b = {0, 0, 0, 0, 0, 0, 2 /* 3 cpus */, 0, 0, 0};
  b.resize(b.size() + gf::MAX_SCHEDULE_STEPS + 100, 250);  // 250 % 3 = 1
  const Scenario s = gf::decode(b, gf::ScheduleForm::steps);
  ASSERT_EQ(s.cpus.size(), 3u);
  EXPECT_EQ(s.schedule.size(), size_t(gf::MAX_SCHEDULE_STEPS));
  for (uint8_t c : s.schedule) ASSERT_EQ(c, 1);
  // The compact form: every byte pair a point (250 has bit 7 set: all spacers).
  const Scenario p = gf::decode(b);
  EXPECT_TRUE(p.preempts.empty());
  b.assign(b.size(), 7);
  const Scenario q = gf::decode(b);
  EXPECT_EQ(q.preempts.size(), size_t(gf::MAX_PREEMPTS));
  EXPECT_LT(q.preempts.back().at, gf::MAX_PREEMPT_AT);
}

TEST(Codec, DecodeOfEncodeIsIdentityInTheStepsForm) {
  std::mt19937 rng(98);
  for (int i = 0; i < 1000; i++) {
    const auto b = random_bytes(rng, 600);
    const Scenario s = gf::decode(b, gf::ScheduleForm::steps);
    const auto e = gf::encode(s);
    ASSERT_EQ(gf::decode(e, gf::ScheduleForm::steps), s) << "input #" << i;
    ASSERT_EQ(gf::encode(gf::decode(e, gf::ScheduleForm::steps)), e) << "input #" << i;
  }
}

TEST(Codec, DecodeOfEncodeIsIdentity) {
  std::mt19937 rng(99);
  for (int i = 0; i < 3000; i++) {
    const auto b = random_bytes(rng, 600);
    const Scenario s = gf::decode(b);
    const auto e = gf::encode(s);
    ASSERT_EQ(gf::decode(e), s) << "input #" << i;
    // encode(decode(b)) is canonical: it decodes to decode(b) and re-encodes to itself.
    ASSERT_EQ(gf::encode(gf::decode(e)), e) << "input #" << i;
  }
}

// ------------------------------------------------------------------ JSON

TEST(Codec, JsonRoundTripOfDecodedScenarios) {
  std::mt19937 rng(4242);
  for (int i = 0; i < 400; i++) {
    Scenario s = gf::decode(random_bytes(rng, 600));
    s.bugs.bits = uint64_t(rng()) & ((uint64_t(1) << gf::NR_BUGS) - 1);
    if (i % 3 == 0) s.note = "note #" + std::to_string(i) + ": \"quoted\"\nsecond line \xe2\x9c\x93";
    for (int indent : {2, -1}) {
      const std::string text = gf::scenario_to_json(s, indent);
      gf::ParseError err;
      const auto back = gf::scenario_from_json(text, err);
      ASSERT_TRUE(back.has_value()) << err.message << "\n" << text;
      ASSERT_EQ(*back, s) << text;
      ASSERT_EQ(back->note, s.note);
      ASSERT_EQ(back->bugs, s.bugs);
    }
  }
}

TEST(Codec, JsonDefaultsAndEveryBugName) {
  gf::ParseError err;
  std::string bugs;
  for (int b = 0; b < gf::NR_BUGS; b++) bugs += std::string(b ? "," : "") + "\"" + std::string(gf::info(gf::Bug(b)).id) + "\"";
  const auto s = gf::scenario_from_json(
      R"({"arch": "arm64", "regions": [{"va": 3}], "cpus": [[{"op": "gup_fast", "va": 3}]], "bugs": [)" + bugs + "]}",
      err);
  ASSERT_TRUE(s.has_value()) << err.message;
  EXPECT_EQ(s->arch, gf::Arch::arm64);
  EXPECT_EQ(s->recheck, gf::Recheck::norecency);
  EXPECT_EQ(s->regions, (std::vector<Region>{{3, 1, 0}}));
  EXPECT_EQ(s->cpus[0], (std::vector<Op>{{OpKind::gup_fast, 3, 1, 0}}));
  EXPECT_TRUE(s->schedule.empty());
  for (int b = 0; b < gf::NR_BUGS; b++) EXPECT_TRUE(s->bugs.has(gf::Bug(b))) << gf::info(gf::Bug(b)).id;
}

// A hand-written scenario in the committed form survives JSON -> bytes -> scenario.
TEST(Codec, HandWrittenJsonMatchesBytes) {
  const char* text = R"({
    "arch": "x86_64", "recheck": "mainline",
    "regions": [{"va": 16, "pages": 16, "anon": true, "write": true, "large": true, "dirty": true},
                {"va": 40, "pages": 2, "wp": true, "old": true, "protnone": true, "zero": true}],
    "cpus": [[{"op": "gup_fast", "va": 16, "nr": 8, "flags": ["FOLL_PIN", "FOLL_WRITE"]}, {"op": "unpin"}],
             [{"op": "hw_write", "va": 17}, {"op": "wrprotect", "va": 16, "nr": 64}, {"op": "age", "va": 16},
              {"op": "unmap", "va": 0, "nr": 32}, {"op": "fault", "va": 40, "flags": ["FOLL_WRITE"]},
              {"op": "hw_access", "va": 41}]],
    "schedule": [0, 1, 1, 0],
    "note": "hand-written"
  })";
  gf::ParseError err;
  const auto s = gf::scenario_from_json(text, err);
  ASSERT_TRUE(s.has_value()) << err.message;
  EXPECT_EQ(s->note, "hand-written");
  EXPECT_EQ(s->regions[1].flags, gf::RF_WP | gf::RF_OLD | gf::RF_PROTNONE | gf::RF_ZERO);
  EXPECT_EQ(s->cpus[0][0].flags, gf::FOLL_PIN | gf::FOLL_WRITE);
  EXPECT_EQ(s->cpus[1][1].nr, 64);
  EXPECT_EQ(gf::decode(gf::encode(*s), gf::ScheduleForm::steps), *s);
}

TEST(Codec, JsonTakesOneFormOfTheSchedule) {
  gf::ParseError err;
  const std::string head = R"({"arch": "x86_64", "regions": [{"va": 0}], "cpus": [[], []], )";
  auto s = gf::scenario_from_json(head + R"("preemptions": [{"at": 3, "cpu": 1}, {"at": 3, "cpu": 0}]})", err);
  ASSERT_TRUE(s.has_value()) << err.message;
  EXPECT_EQ(s->form, gf::ScheduleForm::preemptions);
  EXPECT_EQ(s->preempts, (std::vector<gf::Preempt>{{3, 1}, {3, 0}}));
  EXPECT_FALSE(gf::scenario_from_json(head + R"("schedule": [0], "preemptions": []})", err));
  EXPECT_NE(err.message.find("give one"), std::string::npos) << err.message;
  EXPECT_FALSE(gf::scenario_from_json(head + R"("preemptions": [{"at": 5, "cpu": 0}, {"at": 4, "cpu": 0}]})", err));
  EXPECT_FALSE(gf::scenario_from_json(head + R"("preemptions": [{"at": 5, "cpu": 2}]})", err));
  EXPECT_FALSE(gf::scenario_from_json(head + R"("preemptions": [{"at": 5}]})", err));
  EXPECT_FALSE(gf::scenario_from_json(head + R"("preemptions": [{"at": 5, "cpu": 0, "why": 1}]})", err));
  EXPECT_FALSE(gf::scenario_from_json(head + R"("preemptions": [[5, 0]]})", err));
}

struct BadJson {
  const char* name;
  std::string text;
  std::vector<std::string> must_mention;  // the field path, the offending name
};

std::string with(const std::string& regions, const std::string& cpus, const std::string& extra = "") {
  return R"({"arch": "x86_64", "regions": )" + regions + R"(, "cpus": )" + cpus + extra + "}";
}
const std::string R1 = R"([{"va": 0}])";
const std::string C1 = R"([[{"op": "gup_fast", "va": 0}]])";

TEST(Codec, JsonErrorsAreOneLineAndNameTheField) {
  const std::vector<BadJson> cases = {
      {"malformed", "{\"arch\": \"x86_64\",\n \"regions\": [", {"malformed JSON"}},
      {"empty", "", {"malformed JSON"}},
      {"trailing garbage", with(R1, C1) + " x", {"malformed JSON"}},
      {"not an object", "[1, 2]", {"scenario", "object"}},
      {"unknown top-level field", with(R1, C1, R"(, "frobs": 1)"), {"frobs"}},
      // A user-supplied name with a newline must not break the one-line shape.
      {"unknown field with a newline", with(R1, C1, R"(, "fr\nobs": 1)"), {"fr obs"}},
      {"unknown op with a newline", with(R1, R"([[{"op": "a\nb", "va": 0}]])"), {"cpus[0][0].op", "a b"}},
      {"unknown region field", with(R"([{"va": 0, "huge": true}])", C1), {"regions[0]", "huge"}},
      {"unknown op field", with(R1, R"([[{"op": "age", "va": 0, "pages": 1}]])"), {"cpus[0][0]", "pages"}},
      {"unknown op", with(R1, R"([[], [{"op": "frobnicate", "va": 0}]])"), {"cpus[1][0].op", "frobnicate"}},
      {"unpin with va", with(R1, R"([[{"op": "unpin", "va": 3}]])"), {"cpus[0][0]", "unpin", "va"}},
      {"age with nr", with(R1, R"([[{"op": "age", "va": 3, "nr": 2}]])"), {"cpus[0][0]", "nr"}},
      {"age with flags", with(R1, R"([[{"op": "age", "va": 3, "flags": []}]])"), {"cpus[0][0]", "flags"}},
      {"gup without va", with(R1, R"([[{"op": "gup_fast"}]])"), {"cpus[0][0]", "va"}},
      {"nr too big", with(R1, R"([[{"op": "gup_fast", "va": 0, "nr": 9}]])"), {"cpus[0][0].nr", "9"}},
      {"nr zero", with(R1, R"([[{"op": "unmap", "va": 0, "nr": 0}]])"), {"cpus[0][0].nr", "0"}},
      {"flag not of op", with(R1, R"([[{"op": "fault", "va": 0, "flags": ["FOLL_PIN"]}]])"),
       {"cpus[0][0].flags", "FOLL_PIN"}},
      {"unknown flag", with(R1, R"([[{"op": "gup_fast", "va": 0, "flags": ["FOLL_FORCE"]}]])"),
       {"cpus[0][0].flags", "FOLL_FORCE"}},
      {"FOLL_GET with FOLL_PIN", with(R1, R"([[{"op": "gup_fast", "va": 0, "flags": ["FOLL_GET", "FOLL_PIN"]}]])"),
       {"cpus[0][0].flags", "FOLL_GET"}},
      {"FOLL_GET on fault", with(R1, R"([[{"op": "fault", "va": 0, "flags": ["FOLL_GET"]}]])"),
       {"cpus[0][0].flags", "FOLL_GET"}},
      {"schedule entry >= cpus", with(R1, R"([[], []])", R"(, "schedule": [0, 1, 2])"), {"schedule[2]", "2"}},
      {"negative schedule entry", with(R1, C1, R"(, "schedule": [-1])"), {"schedule[0]"}},
      {"large not aligned", with(R"([{"va": 8, "pages": 16, "large": true}])", C1), {"regions[0]", "large"}},
      {"large wrong size", with(R"([{"va": 16, "pages": 8, "large": true}])", C1), {"regions[0]", "large"}},
      {"va out of range", with(R"([{"va": 128}])", C1), {"regions[0].va", "128"}},
      {"pages out of range", with(R"([{"va": 0, "pages": 33}])", C1), {"regions[0].pages", "33"}},
      {"op va out of range", with(R1, R"([[{"op": "age", "va": 300}]])"), {"cpus[0][0].va", "300"}},
      {"va is a string", with(R"([{"va": "0"}])", C1), {"regions[0].va", "integer"}},
      {"va is a float", with(R"([{"va": 1.5}])", C1), {"regions[0].va", "integer"}},
      {"flag is a number", with(R"([{"va": 0, "anon": 1}])", C1), {"regions[0].anon"}},
      {"regions not an array", with(R"({"va": 0})", C1), {"regions", "array"}},
      {"region not an object", with(R"([3])", C1), {"regions[0]", "object"}},
      {"cpus not an array", with(R1, R"({})"), {"cpus", "array"}},
      {"op not an object", with(R1, R"([["age"]])"), {"cpus[0][0]", "object"}},
      {"op name not a string", with(R1, R"([[{"op": 4, "va": 0}]])"), {"cpus[0][0].op", "string"}},
      {"flags not an array", with(R1, R"([[{"op": "gup_fast", "va": 0, "flags": "FOLL_PIN"}]])"),
       {"cpus[0][0].flags", "array"}},
      {"arch not a string", R"({"arch": 1, "regions": [{"va": 0}], "cpus": [[]]})", {"arch", "string"}},
      {"note not a string", with(R1, C1, R"(, "note": ["x"])"), {"note", "string"}},
      {"missing arch", R"({"regions": [{"va": 0}], "cpus": [[]]})", {"arch", "missing"}},
      {"unknown arch", R"({"arch": "riscv", "regions": [{"va": 0}], "cpus": [[]]})", {"arch", "riscv"}},
      {"missing regions", R"({"arch": "arm64", "cpus": [[]]})", {"regions", "missing"}},
      {"missing cpus", R"({"arch": "arm64", "regions": [{"va": 0}]})", {"cpus", "missing"}},
      {"missing region va", with(R"([{"pages": 2}])", C1), {"regions[0]", "va"}},
      {"no regions", with("[]", C1), {"regions"}},
      {"too many regions", with(R"([{"va":0},{"va":1},{"va":2},{"va":3},{"va":4}])", C1), {"regions"}},
      {"no cpus", with(R1, "[]"), {"cpus"}},
      {"too many cpus", with(R1, "[[],[],[],[],[]]"), {"cpus"}},
      {"too many ops", with(R1, "[[" + std::string(R"({"op":"unpin"},)") + R"({"op":"unpin"},{"op":"unpin"},)" +
                                    R"({"op":"unpin"},{"op":"unpin"},{"op":"unpin"},{"op":"unpin"},{"op":"unpin"},)" +
                                    R"({"op":"unpin"}]])"),
       {"cpus[0]"}},
      {"unknown recheck", with(R1, C1, R"(, "recheck": "sometimes")"), {"recheck", "sometimes"}},
      {"unknown bug", with(R1, C1, R"(, "bugs": ["no_pte_recheck", "made_up"])"), {"bugs", "made_up"}},
  };
  for (const BadJson& c : cases) {
    SCOPED_TRACE(c.name);
    gf::ParseError err;
    const auto s = gf::scenario_from_json(c.text, err);
    EXPECT_FALSE(s.has_value()) << c.text;
    EXPECT_FALSE(err.message.empty());
    EXPECT_EQ(err.message.find('\n'), std::string::npos) << err.message;
    for (const std::string& w : c.must_mention)
      EXPECT_NE(err.message.find(w), std::string::npos) << "message \"" << err.message << "\" lacks \"" << w << "\"";
  }
}

// The error cases above are errors because of the one thing they change.
TEST(Codec, JsonErrorBaseIsValid) {
  gf::ParseError err;
  EXPECT_TRUE(gf::scenario_from_json(with(R1, C1), err).has_value()) << err.message;
  EXPECT_TRUE(gf::scenario_from_json(with(R1, R"([[], []])", R"(, "schedule": [0, 1, 1])"), err).has_value())
      << err.message;
  EXPECT_TRUE(gf::scenario_from_json(with(R"([{"va": 112, "pages": 32, "large": true}])", C1), err).has_value())
      << err.message;
  EXPECT_TRUE(gf::scenario_from_json(with(R1, R"([[{"op": "gup_fast", "va": 0, "nr": 8}]])"), err).has_value())
      << err.message;
  EXPECT_TRUE(gf::scenario_from_json(with(R1, R"([[{"op": "unpin"}]])"), err).has_value()) << err.message;
}

// ops.def's GF_ARGS column is the rule: for every operation the JSON loader
// takes exactly the arguments it names, nr up to its max, and the byte
// encoding carries one byte for each.
TEST(Codec, OperationArgumentsFollowOpsDef) {
  for (int k = 0; k < gf::NR_OPS; k++) {
    const OpKind kind = OpKind(k);
    const std::string name(gf::info(kind).id);
    SCOPED_TRACE(name);
    const bool va = gf::op_uses_va(kind);
    const int max_nr = gf::op_max_nr(kind);
    const uint8_t flags = gf::op_flag_mask(kind);
    std::string op = R"({"op": ")" + name + "\"";
    if (va) op += R"(, "va": 5)";
    gf::ParseError err;
    const std::string nr = max_nr > 1 ? R"(, "nr": )" + std::to_string(max_nr) : "";
    const auto ok = gf::scenario_from_json(with(R1, "[[" + op + nr + "}]]"), err);
    ASSERT_TRUE(ok.has_value()) << err.message;
    EXPECT_EQ(ok->cpus[0][0].nr, max_nr);
    EXPECT_FALSE(gf::scenario_from_json(with(R1, "[[" + op + R"(, "nr": )" + std::to_string(max_nr + 1) + "}]]"), err));
    if (!va) {
      EXPECT_FALSE(gf::scenario_from_json(with(R1, "[[" + op + R"(, "va": 0}]])"), err));
    }
    if (!flags) {
      EXPECT_FALSE(gf::scenario_from_json(with(R1, "[[" + op + R"(, "flags": []}]])"), err));
    }
    const auto bytes = gf::encode(*ok);
    const size_t op_bytes = 1 + va + (max_nr > 1) + (flags != 0);
    // arch, recheck, nregions-1, one region, ncpus-1, nops, then the op.
    EXPECT_EQ(bytes.size(), 3 + 3 + 1 + 1 + op_bytes);
    const std::string args(gf::op_args_text(kind));
    EXPECT_EQ(args.find("va") != std::string::npos, va);
    EXPECT_EQ(args.find("nr") != std::string::npos, max_nr > 1);
    EXPECT_EQ(args.find("flags") != std::string::npos, flags != 0);
  }
  EXPECT_EQ(gf::op_max_nr(OpKind::gup_fast), gf::MAX_GUP_PAGES);
  EXPECT_EQ(gf::op_max_nr(OpKind::unmap), gf::MAX_RANGE_PAGES);
  EXPECT_EQ(gf::op_max_nr(OpKind::mprotect), gf::MAX_RANGE_PAGES);
}

// ------------------------------------------------------------------ bug lists

TEST(Codec, ParseBugList) {
  gf::ParseError err;
  auto two = gf::parse_bug_list("no_pte_recheck,no_grace_period", err);
  ASSERT_TRUE(two.has_value()) << err.message;
  EXPECT_TRUE(two->has(gf::Bug::no_pte_recheck));
  EXPECT_TRUE(two->has(gf::Bug::no_grace_period));
  EXPECT_FALSE(two->has(gf::Bug::norecency_ignores_write));

  auto none = gf::parse_bug_list("", err);
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());

  auto sloppy = gf::parse_bug_list("access_check_ignores_write,,", err);
  ASSERT_TRUE(sloppy.has_value()) << err.message;
  EXPECT_EQ(sloppy->bits, 1u << unsigned(gf::Bug::access_check_ignores_write));

  std::string all;
  for (int b = 0; b < gf::NR_BUGS; b++) all += std::string(b ? "," : "") + std::string(gf::info(gf::Bug(b)).id);
  auto every = gf::parse_bug_list(all, err);
  ASSERT_TRUE(every.has_value()) << err.message;
  static_assert(gf::NR_BUGS < 64, "BugSet is 64 bits");
  EXPECT_EQ(every->bits, (uint64_t(1) << gf::NR_BUGS) - 1);

  err.message.clear();
  EXPECT_FALSE(gf::parse_bug_list("no_pte_recheck,made_up_bug", err).has_value());
  EXPECT_NE(err.message.find("made_up_bug"), std::string::npos) << err.message;
  EXPECT_EQ(err.message.find('\n'), std::string::npos);
  EXPECT_FALSE(gf::parse_bug_list("No_Pte_Recheck", err).has_value());
  EXPECT_FALSE(gf::parse_bug_list(" no_pte_recheck", err).has_value());
}

// The tables (core/*.def) and their name lookups agree.
TEST(Codec, IdTablesRoundTrip) {
  for (int k = 0; k < gf::NR_OPS; k++) EXPECT_EQ(gf::op_from_name(gf::info(OpKind(k)).id), OpKind(k));
  for (int b = 0; b < gf::NR_BUGS; b++) {
    EXPECT_EQ(gf::bug_from_name(gf::info(gf::Bug(b)).id), gf::Bug(b));
    EXPECT_LT(int(gf::info(gf::Bug(b)).oracle), gf::NR_ORACLES);
  }
  for (int o = 0; o < gf::NR_ORACLES; o++) EXPECT_EQ(gf::oracle_from_name(gf::info(gf::Oracle(o)).id), gf::Oracle(o));
  EXPECT_FALSE(gf::op_from_name("").has_value());
  EXPECT_FALSE(gf::bug_from_name("no_pte_rechec").has_value());
  EXPECT_EQ(gf::arch_from_name("arm64"), gf::Arch::arm64);
  EXPECT_EQ(gf::arch_from_name(gf::arch_name(gf::Arch::x86_64)), gf::Arch::x86_64);
  EXPECT_FALSE(gf::arch_from_name("x86-64").has_value());
  EXPECT_LE(gf::NR_BUGS, 64);  // BugSet is 64 bits
}

// A scenario's arch byte picks a machine architecture (the arches.def rows
// with a machine number n >= 1, as byte n - 1: x86_64 and arm64 stay 0 and 1
// as architectures join) and encode() writes it back; scenario JSON knows the
// machine architectures only.
TEST(Codec, ArchByteAndNamePickAMachineArchitecture) {
  ASSERT_GE(gf::NR_MACHINE_ARCHES, 2);
  EXPECT_EQ(gf::kMachineArches[0], gf::Arch::x86_64);
  EXPECT_EQ(gf::kMachineArches[1], gf::Arch::arm64);
  for (int i = 0; i < gf::NR_MACHINE_ARCHES; i++) {
    EXPECT_EQ(gf::info(gf::kMachineArches[i]).machine, i + 1);
    EXPECT_EQ(gf::machine_index(gf::kMachineArches[i]), i);
  }
  for (int b = 0; b < 256; b++) {
    const uint8_t byte = uint8_t(b);
    const Scenario s = gf::decode(std::span<const uint8_t>(&byte, 1));
    EXPECT_EQ(s.arch, gf::kMachineArches[b % gf::NR_MACHINE_ARCHES]) << b;
    EXPECT_EQ(gf::encode(s)[0], b % gf::NR_MACHINE_ARCHES) << b;
  }
  for (int a = 0; a < gf::NR_ARCHES; a++) {
    const gf::Arch arch = gf::Arch(a);
    EXPECT_EQ(gf::machine_arch_from_name(gf::arch_name(arch)).has_value(), gf::runs_on_machine(arch));
    if (gf::runs_on_machine(arch)) continue;
    gf::ParseError err;
    const std::string name = gf::arch_name(arch);
    EXPECT_FALSE(gf::scenario_from_json(R"({"arch": ")" + name + R"(", "regions": [{"va": 0}], "cpus": [[]]})", err));
    std::string known;  // "x86_64, arm64" today
    for (gf::Arch m : gf::kMachineArches) known += (known.empty() ? "" : ", ") + std::string(gf::arch_name(m));
    EXPECT_EQ(err.message, "arch: unknown architecture \"" + name + "\" (" + known + ")");
  }
}

}  // namespace
