// SPDX-License-Identifier: GPL-2.0
//
// The per-execution hot path (issue 8, part 5): a Machine reset for the next
// execution is the Machine a fresh one would be, so no state leaks from one
// execution to the next; and, once warm, an execution and the fuzz targets'
// decoding allocate nothing on the heap.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "core/check/pte_case.h"
#include "core/exec/run.h"
#include "core/scenario/scenario.h"
#include "core/study/gup_stats.h"
#include "tests/test_util.h"

namespace fs = std::filesystem;

// Every operator new of this test binary is counted, on the thread that asked
// for counting only (gtest's own allocations elsewhere do not matter).
namespace {
thread_local bool t_counting = false;
thread_local uint64_t t_news = 0;
}  // namespace

void* operator new(std::size_t n) {
  if (t_counting) t_news++;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

const fs::path kRoot = GUPFUZZ_SOURCE_DIR;

std::vector<fs::path> files(const fs::path& dir, const std::string& ext) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && (ext.empty() ? e.path().extension() != ".json" : e.path().extension() == ext))
      out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// Every scenario the project ships: benign seeds, regressions, and the
// witnesses with their bugs (they stop mid-execution, holding locks,
// references and freed tables: the dirtiest state a reset must undo).
struct Named {
  std::string name;
  gf::Scenario s;
};
std::vector<Named> all_scenarios(bool benign_only) {
  std::vector<Named> out;
  std::vector<fs::path> paths = files(kRoot / "corpus/scenarios", ".json");
  for (auto& p : files(kRoot / "corpus/regressions", ".json")) paths.push_back(p);
  if (!benign_only)
    for (auto& p : files(kRoot / "tests/witnesses", ".json")) paths.push_back(p);
  for (const fs::path& p : paths) {
    gf::ParseError err;
    if (gf::pte_case_from_json(gf::test::slurp(p), err)) continue;  // a helper bug's witness: no machine
    auto s = gf::scenario_from_json(gf::test::slurp(p), err);
    EXPECT_TRUE(s.has_value()) << p << ": " << err.message;
    if (s) out.push_back({p.parent_path().filename().string() + "/" + p.filename().string(), *s});
  }
  return out;
}

// What a traced execution shows: every access with its values, the verdict, the counts.
std::string fingerprint(const gf::CountedRun& cr) {
  const gf::RunResult& r = cr.r;
  std::string f = std::to_string(r.steps) + " " + std::to_string(r.verdict.violated) + " " +
                  std::to_string(int(r.verdict.oracle)) + " " + r.verdict.message + "\n";
  for (const gf::Event& e : r.events)
    f += std::to_string(e.step) + " " + std::to_string(e.cpu) + " " + std::to_string(e.acc.tag) + " " +
         std::to_string(e.acc.before) + " " + std::to_string(e.acc.after) + " " + e.note + "\n";
  f += std::to_string(cr.gup.attempts) + " " + std::to_string(cr.gup.recheck_bails) + " " + std::to_string(cr.gup.kept) + "\n";
  return f;
}

// Field by field, the state a reset machine and a fresh one must share.
void expect_same_state(const gf::Machine& a, const gf::Machine& b, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(a.exec.step, b.exec.step);
  EXPECT_EQ(a.exec.verdict.violated, b.exec.verdict.violated);
  EXPECT_EQ(a.exec.events.size(), b.exec.events.size());
  EXPECT_EQ(a.exec.running_cpu, b.exec.running_cpu);
  for (int p = 0; p < gf::NR_PMDS; p++) EXPECT_EQ(a.pmd[p].peek(), b.pmd[p].peek()) << "pmd " << p;
  for (int t = 0; t <= gf::MAX_TABLES; t++) {
    EXPECT_EQ(bool(a.table_live[t]), bool(b.table_live[t])) << "table " << t;
    EXPECT_EQ(bool(a.table_hooked[t]), bool(b.table_hooked[t])) << "table " << t;
  }
  EXPECT_EQ(a.next_serial, b.next_serial);
  for (int p = 0; p < gf::NR_PFNS; p++) {
    const gf::Folio &x = a.folio[p], &y = b.folio[p];
    SCOPED_TRACE("pfn " + std::to_string(p));
    EXPECT_EQ(x.refcount.peek(), y.refcount.peek());
    EXPECT_EQ(x.refcount.tag, y.refcount.tag);
    EXPECT_EQ(x.pincount.peek(), y.pincount.peek());
    EXPECT_EQ(x.dirty.peek(), y.dirty.peek());
    EXPECT_EQ(int32_t(x.mapcount), int32_t(y.mapcount));
    EXPECT_EQ(uint16_t(x.head), uint16_t(y.head));
    EXPECT_EQ(uint8_t(x.order), uint8_t(y.order));
    EXPECT_EQ(bool(x.allocated), bool(y.allocated));
    EXPECT_EQ(bool(x.anon), bool(y.anon));
    EXPECT_EQ(bool(x.exclusive), bool(y.exclusive));
    EXPECT_EQ(bool(x.truth.written), bool(y.truth.written));
    EXPECT_EQ(uint32_t(x.truth.data), uint32_t(y.truth.data));
    EXPECT_EQ(int32_t(x.child_refs), int32_t(y.child_refs));
    EXPECT_EQ(bool(x.lazyfree), bool(y.lazyfree));
  }
  EXPECT_EQ(a.nfree, b.nfree);
  EXPECT_EQ(a.next_pfn, b.next_pfn);
  for (int c = 0; c < gf::MAX_CPUS; c++) {
    const gf::CpuState &x = a.cpu[c], &y = b.cpu[c];
    SCOPED_TRACE("cpu " + std::to_string(c));
    EXPECT_EQ(x.irq.peek(), y.irq.peek());
    EXPECT_EQ(x.rcu.peek(), y.rcu.peek());
    EXPECT_EQ(x.walk.peek(), y.walk.peek());
    for (int h = 0; h < x.nheld; h++) {  // past nheld nothing is read
      const gf::Held hx = x.held[h], hy = y.held[h];
      EXPECT_TRUE(hx.va == hy.va && hx.pfn == hy.pfn && hx.head == hy.head && hx.flags == hy.flags && hx.gen == hy.gen)
          << "held " << h;
    }
    EXPECT_EQ(int(x.nheld), int(y.nheld));
    EXPECT_EQ(int(x.gup_from), int(y.gup_from));
    EXPECT_EQ(x.current_op, y.current_op);
    EXPECT_EQ(x.watch, y.watch);
    EXPECT_EQ(x.watch_hit, y.watch_hit);
    EXPECT_EQ(x.watch_writer, y.watch_writer);
  }
  EXPECT_EQ(a.pmd_ptl.peek(), b.pmd_ptl.peek());
  EXPECT_EQ(a.write_protect_seq.peek(), b.write_protect_seq.peek());
  EXPECT_EQ(a.mmap_lock.peek(), b.mmap_lock.peek());
  EXPECT_EQ(a.rmap_lock.peek(), b.rmap_lock.peek());
  for (int p = 0; p < gf::NR_PMDS; p++) EXPECT_EQ(uint32_t(a.deposit[p]), uint32_t(b.deposit[p]));
  for (int v = 0; v < gf::NR_VPAGES; v++) {
    SCOPED_TRACE("va " + std::to_string(v));
    EXPECT_EQ(a.vma[v].mapped, b.vma[v].mapped);
    EXPECT_EQ(a.vma[v].write, b.vma[v].write);
    EXPECT_EQ(a.vma[v].anon, b.vma[v].anon);
    EXPECT_EQ(int32_t(a.truth.expect[v]), int32_t(b.truth.expect[v]));
    EXPECT_EQ(uint8_t(a.truth.vma_gen[v]), uint8_t(b.truth.vma_gen[v]));
    EXPECT_EQ(a.truth.hist_n[v], b.truth.hist_n[v]);
  }
  EXPECT_EQ(bool(a.has_pinned), bool(b.has_pinned));
  EXPECT_EQ(uint32_t(a.truth.data_counter), uint32_t(b.truth.data_counter));
}

// After any execution — a violating witness included — reset() gives the
// state a fresh Machine has.
TEST(MachineReset, ResetAfterEveryScenarioEqualsFresh) {
  const std::vector<Named> all = all_scenarios(false);
  ASSERT_GT(all.size(), 20u);
  const gf::Scenario& next = all.front().s;
  for (const Named& n : all) {
    gf::Machine m(n.s, {});
    gf::run_on(m, n.s);
    EXPECT_GT(m.exec.step, 0u) << n.name;
    m.reset(next, {});
    const gf::Machine fresh(next, {});
    expect_same_state(m, fresh, n.name);
  }
}

// The same input gives the same execution, access by access, whatever the
// thread's machine ran before: on a new thread (a fresh machine) and after
// every other scenario on this one.
TEST(MachineReset, RunDoesNotDependOnThePreviousExecution) {
  const std::vector<Named> all = all_scenarios(false);
  gf::RunOptions traced;
  traced.machine.trace = true;
  std::vector<std::string> alone(all.size());
  for (size_t i = 0; i < all.size(); i++)
    std::thread([&] { alone[i] = fingerprint(gf::run_counted(all[i].s, traced)); }).join();
  for (size_t round = 0; round < 2; round++)
    for (size_t k = 0; k < all.size(); k++) {
      // Forwards, then backwards: each scenario follows a different one.
      const size_t i = round == 0 ? k : all.size() - 1 - k;
      EXPECT_EQ(fingerprint(gf::run_counted(all[i].s, traced)), alone[i]) << all[i].name << ", round " << round;
      gf::run(all[(i + 1) % all.size()].s);  // untraced, in between
    }
}

// Once the pools are warm, one execution of a benign seed allocates nothing.
TEST(NoHeapAllocation, ExecutionOnceWarm) {
  const std::vector<Named> seeds = all_scenarios(true);
  for (int warm = 0; warm < 2; warm++)
    for (const Named& n : seeds) gf::run(n.s);
  for (const Named& n : seeds) {
    t_news = 0;
    t_counting = true;
    const gf::RunResult r = gf::run(n.s);
    t_counting = false;
    EXPECT_FALSE(r.verdict.violated) << n.name;
    EXPECT_EQ(t_news, 0u) << n.name << ": heap allocations in one execution";
  }
}

// The counter is live: a run on a new machine does allocate (its tables, its frames' pool).
TEST(NoHeapAllocation, CounterSeesAllocations) {
  const std::vector<Named> seeds = all_scenarios(true);
  ASSERT_FALSE(seeds.empty());
  uint64_t seen = 0;
  std::thread([&] {
    t_counting = true;
    gf::run(seeds.front().s);
    t_counting = false;
    seen = t_news;
  }).join();
  EXPECT_GT(seen, 0u);
}

// The fuzz targets' decoding into a reused scenario allocates nothing once
// it has seen inputs as large (the seed bytes, in an order that shrinks and
// grows the number of CPUs).
TEST(NoHeapAllocation, DecodeIntoReusedScenario) {
  std::vector<std::string> inputs;
  for (const fs::path& p : files(kRoot / "corpus/fuzz_gup_interleave", "")) inputs.push_back(gf::test::slurp(p));
  ASSERT_GT(inputs.size(), 5u);
  gf::Scenario s;
  auto bytes = [](const std::string& t) {
    return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(t.data()), t.size());
  };
  for (const std::string& in : inputs) gf::decode(bytes(in), s);
  size_t distinct_cpus = 0;
  int last = -1;
  for (int round = 0; round < 2; round++)
    for (size_t k = 0; k < inputs.size(); k++) {
      const std::string& in = inputs[round == 0 ? k : inputs.size() - 1 - k];
      t_news = 0;
      t_counting = true;
      gf::decode(bytes(in), s);
      t_counting = false;
      EXPECT_EQ(t_news, 0u) << "input " << k;
      EXPECT_EQ(s, gf::decode(bytes(in)));
      if (int(s.cpus.size()) != last) distinct_cpus++;
      last = int(s.cpus.size());
    }
  EXPECT_GT(distinct_cpus, 2u);  // the number of CPUs did change from input to input
}

}  // namespace
