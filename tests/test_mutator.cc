// SPDX-License-Identifier: GPL-2.0
//
// fuzz_gup_interleave's structure-aware mutator (fuzz/scenario_mutator.h):
// deterministic in its seed, every mutation of fuzz/mutations.def reached and
// changing the scenario, output always within max_size and canonical, the
// shipped seeds kept valid, schedule-only edits a good share, crossover
// splicing from the second input.  Counts, never timings.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/base/rng.h"
#include "core/scenario/scenario.h"
#include "fuzz/scenario_mutator.h"

namespace {

namespace fs = std::filesystem;
using gf::Scenario;
using gf::ScheduleForm;
using gf::fuzz::Mutation;
using Bytes = std::vector<uint8_t>;

std::vector<std::pair<std::string, Bytes>> shipped_seeds() {
  std::vector<std::pair<std::string, Bytes>> out;
  for (const auto& e : fs::directory_iterator(fs::path(GUPFUZZ_SOURCE_DIR) / "corpus/fuzz_gup_interleave")) {
    std::ifstream in(e.path(), std::ios::binary);
    out.emplace_back(e.path().filename().string(),
                     Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A deterministic stand-in for LLVMFuzzerMutate: flips one byte (or adds one).
size_t fake_byte_mutator(uint8_t* data, size_t size, size_t max_size) {
  if (size == 0) {
    if (max_size == 0) return 0;
    data[0] = 1;
    return 1;
  }
  data[size / 2] ^= 0x5a;
  return size;
}

// Whether `b` is canonical bytes of a scenario: decode(encode(decode(b))) == decode(b).
bool canonical_stable(const Bytes& b, ScheduleForm form) {
  const Scenario s = gf::decode(b, form);
  return gf::decode(gf::encode(s), form) == s;
}

bool same_but_schedule(const Scenario& a, const Scenario& b) {
  return a.arch == b.arch && a.recheck == b.recheck && a.regions == b.regions && a.cpus == b.cpus &&
         (a.preempts != b.preempts || a.schedule != b.schedule);
}

TEST(Mutator, DeterministicForASeed) {
  for (const auto& [name, seed_bytes] : shipped_seeds()) {
    for (unsigned seed = 0; seed < 50; seed++) {
      Bytes a = seed_bytes, b = seed_bytes;
      a.resize(1024);
      b.resize(1024);
      gf::fuzz::MutateTrace ta, tb;
      const size_t na = gf::fuzz::mutate(a.data(), seed_bytes.size(), 1024, seed, ScheduleForm::preemptions,
                                         fake_byte_mutator, &ta);
      const size_t nb = gf::fuzz::mutate(b.data(), seed_bytes.size(), 1024, seed, ScheduleForm::preemptions,
                                         fake_byte_mutator, &tb);
      ASSERT_EQ(na, nb) << name << " seed " << seed;
      a.resize(na);
      b.resize(nb);
      ASSERT_EQ(a, b) << name << " seed " << seed;
      ASSERT_EQ(ta.n, tb.n);
      ASSERT_EQ(ta.bytes, tb.bytes);
    }
  }
}

// Each mutation, applied directly, changes some shipped seed and leaves it canonical.
TEST(Mutator, EveryKindChangesTheScenario) {
  const auto seeds = shipped_seeds();
  for (int k = 0; k < gf::fuzz::NR_MUTATIONS; k++) {
    const Mutation m = Mutation(k);
    int changed = 0;
    for (const auto& [name, bytes] : seeds) {
      for (uint64_t r = 0; r < 20; r++) {
        Scenario s = gf::decode(bytes, ScheduleForm::preemptions);
        const Scenario before = s;
        gf::Rng rng{r * 1000 + uint64_t(k)};
        if (!gf::fuzz::apply_mutation(s, m, rng)) {
          ASSERT_EQ(s, before) << info(m).id << " on " << name << ": false but changed";
          continue;
        }
        changed++;
        ASSERT_NE(s, before) << info(m).id << " on " << name;
        ASSERT_EQ(gf::decode(gf::encode(s), ScheduleForm::preemptions), s) << info(m).id << " on " << name;
      }
    }
    EXPECT_GT(changed, 0) << info(m).id << " never changed a shipped seed";
  }
}

// Through mutate(), over many seeds: every kind is picked, and the byte share
// is about kByteShare.
TEST(Mutator, MutateReachesEveryKind) {
  const auto seeds = shipped_seeds();
  std::array<int, gf::fuzz::NR_MUTATIONS> count{};
  int bytes_calls = 0, calls = 0;
  for (unsigned seed = 0; seed < 4000; seed++) {
    const Bytes& in = seeds[seed % seeds.size()].second;
    Bytes buf = in;
    buf.resize(2048);
    gf::fuzz::MutateTrace t;
    gf::fuzz::mutate(buf.data(), in.size(), 2048, seed, ScheduleForm::preemptions, fake_byte_mutator, &t);
    calls++;
    if (t.bytes) bytes_calls++;
    for (int i = 0; i < t.n; i++) count[size_t(t.kinds[i])]++;
  }
  for (int k = 0; k < gf::fuzz::NR_MUTATIONS; k++)
    EXPECT_GT(count[k], 0) << info(Mutation(k)).id << " never picked";
  EXPECT_GT(bytes_calls, calls * int(gf::fuzz::kByteShare) / 200);
  EXPECT_LT(bytes_calls, calls * int(gf::fuzz::kByteShare + 10) / 100);
}

// Any input, any max_size: the output fits, and decodes to a canonical scenario.
TEST(Mutator, OutputFitsAndDecodes) {
  gf::Rng rng{7};
  for (ScheduleForm form : {ScheduleForm::preemptions, ScheduleForm::steps}) {
    for (unsigned seed = 0; seed < 3000; seed++) {
      Bytes in(rng.below(300));
      for (auto& x : in) x = uint8_t(rng.next());
      const size_t max_size = rng.below(2) ? in.size() + rng.below(64) : rng.below(in.size() + 1);
      Bytes buf = in;
      buf.resize(std::max(max_size, in.size()) + 1, 0xee);
      const size_t n = gf::fuzz::mutate(buf.data(), in.size(), max_size, seed, form,
                                        seed % 3 ? fake_byte_mutator : nullptr);
      ASSERT_LE(n, std::max(max_size, in.size())) << "seed " << seed;
      if (max_size < in.size()) continue;  // only the byte mutator's contract then
      ASSERT_LE(n, max_size) << "seed " << seed;
      ASSERT_EQ(buf[std::max(max_size, in.size())], 0xee) << "wrote past max_size";
      buf.resize(n);
      ASSERT_TRUE(canonical_stable(buf, form)) << "seed " << seed;
    }
  }
}

// Without a byte mutator (no libFuzzer), a call that fits nothing returns 0.
TEST(Mutator, NothingFitsWithoutByteMutator) {
  uint8_t buf[4] = {};
  EXPECT_EQ(gf::fuzz::mutate(buf, 0, 4, 1, ScheduleForm::preemptions, nullptr), 0u);
  gf::fuzz::MutateTrace t;
  EXPECT_EQ(gf::fuzz::mutate(buf, 0, 4, 1, ScheduleForm::preemptions, fake_byte_mutator, &t), 1u);
  EXPECT_TRUE(t.bytes);
}

// From each shipped seed: the mutated scenario is canonical, and a good share
// of the structured mutations change the schedule alone.
TEST(Mutator, ShippedSeedsStayValidScheduleEditsCommon) {
  for (const auto& [name, bytes] : shipped_seeds()) {
    const Scenario orig = gf::decode(bytes, ScheduleForm::preemptions);
    int structured = 0, schedule_only = 0;
    for (unsigned seed = 0; seed < 300; seed++) {
      Bytes buf = bytes;
      buf.resize(4096);
      gf::fuzz::MutateTrace t;
      const size_t n = gf::fuzz::mutate(buf.data(), bytes.size(), 4096, seed, ScheduleForm::preemptions, nullptr, &t);
      ASSERT_GT(n, 0u) << name;
      buf.resize(n);
      const Scenario s = gf::decode(buf, ScheduleForm::preemptions);
      ASSERT_EQ(gf::encode(s), buf) << name << " seed " << seed << ": output not canonical";
      ASSERT_NE(s, orig) << name << " seed " << seed;
      structured++;
      if (same_but_schedule(s, orig)) schedule_only++;
    }
    if (orig.cpus.size() >= 2) {
      EXPECT_GT(schedule_only * 100, structured * 25) << name << ": " << schedule_only << "/" << structured;
    }
  }
}

// The steps form: no point edits; the schedule bytes ride along untouched by
// the edits that keep the CPUs.
TEST(Mutator, StepsFormLeavesTheScheduleToBytes) {
  const auto seeds = shipped_seeds();
  for (const auto& [name, bytes] : seeds) {
    Scenario s = gf::decode(bytes, ScheduleForm::preemptions);
    s.form = ScheduleForm::steps;
    s.preempts.clear();
    for (int i = 0; i < 40; i++) s.schedule.push_back(uint8_t(i % s.cpus.size()));
    gf::Rng rng{3};
    for (int i = 0; i < 200; i++) {
      const Mutation m = gf::fuzz::pick_mutation(s, rng);
      ASSERT_FALSE(info(m).schedule) << info(m).id << " picked in the steps form";
      Scenario t = s;
      if (gf::fuzz::apply_mutation(t, m, rng) && t.cpus.size() == s.cpus.size() && m != Mutation::cpu_swap) {
        ASSERT_EQ(t.schedule, s.schedule) << info(m).id;
      }
    }
  }
}

// Crossover splices a CPU's program of the second input into the first.
TEST(Mutator, CrossOverTakesAProgramFromTheSecond) {
  const auto seeds = shipped_seeds();
  int programs = 0, other = 0;
  for (unsigned seed = 0; seed < 400; seed++) {
    const Bytes& b1 = seeds[seed % seeds.size()].second;
    const Bytes& b2 = seeds[(seed / seeds.size() + 1 + seed) % seeds.size()].second;
    Bytes out(2048);
    gf::fuzz::Splice took;
    const size_t n = gf::fuzz::cross_over(b1.data(), b1.size(), b2.data(), b2.size(), out.data(), out.size(), seed,
                                          ScheduleForm::preemptions, &took);
    if (n == 0) continue;
    out.resize(n);
    ASSERT_TRUE(canonical_stable(out, ScheduleForm::preemptions));
    const Scenario a = gf::decode(b1, ScheduleForm::preemptions);
    const Scenario b = gf::decode(b2, ScheduleForm::preemptions);
    const Scenario s = gf::decode(out, ScheduleForm::preemptions);
    ASSERT_NE(s, a);
    if (took != gf::fuzz::Splice::program) {
      other++;
      continue;
    }
    programs++;
    // Some program of the result is one of the second's.
    const bool from_b = std::any_of(s.cpus.begin(), s.cpus.end(), [&](const auto& p) {
      return std::find(b.cpus.begin(), b.cpus.end(), p) != b.cpus.end();
    });
    ASSERT_TRUE(from_b) << "seed " << seed;
    ASSERT_EQ(s.regions, a.regions);
  }
  EXPECT_GT(programs, 100);
  EXPECT_GT(other, 50);
}

TEST(Mutator, CrossOverDeterministicAndFits) {
  const auto seeds = shipped_seeds();
  for (unsigned seed = 0; seed < 200; seed++) {
    const Bytes& b1 = seeds[seed % seeds.size()].second;
    const Bytes& b2 = seeds[(seed * 7 + 3) % seeds.size()].second;
    const size_t max_out = 16 + seed % 200;
    Bytes o1(max_out + 1, 0xee), o2(max_out + 1, 0xee);
    const size_t n1 = gf::fuzz::cross_over(b1.data(), b1.size(), b2.data(), b2.size(), o1.data(), max_out, seed,
                                           ScheduleForm::preemptions);
    const size_t n2 = gf::fuzz::cross_over(b1.data(), b1.size(), b2.data(), b2.size(), o2.data(), max_out, seed,
                                           ScheduleForm::preemptions);
    ASSERT_EQ(n1, n2);
    ASSERT_EQ(o1, o2);
    ASSERT_LE(n1, max_out);
    ASSERT_EQ(o1[max_out], 0xee);
  }
}

}  // namespace
