// SPDX-License-Identifier: GPL-2.0
//
// Interleaving feedback for the fuzzer: communication coverage, as the
// concurrency fuzzers count alias pairs.  Two schedules of the same
// operations mostly light the same edges, so libFuzzer keeps neither when
// one came closer to a race.  Here every access by CPU y to a cell another
// CPU x wrote last lights the pair (x's model line, y's model line, whether
// y writes): "the unmap cleared the PTE, then GUP-fast's recheck read it" is a
// different feature from "…then GUP-fast's first read read it".
//
// Bounded: the pairs are hashed into a fixed counter array (libFuzzer's extra
// counters in fuzz/, which bucket the hit counts as it does for edges); the
// last writer of each cell sits in a small direct-mapped table that a new
// execution invalidates by bumping an epoch (nothing to clear).  A line is
// its number and the cell's kind, so the features are the same in every
// process and every build of one source.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/mm/cell_kind.h"
#include "core/sched/cell.h"

namespace gf {

class CommFeedback {
 public:
  // `counters`: n bytes, n a power of two.
  CommFeedback(uint8_t* counters, size_t n) : counters_(counters), mask_(n - 1) {}
  void begin() { epoch_++; }
  void observed(int cpu, const Access& a) {
    const bool writes = a.kind != Acc::load && a.kind != Acc::plain && a.ok;
    const uint32_t site = uint32_t(a.line) << 6 | uint32_t(tag_kind(a.tag));
    Last& l = last_[(reinterpret_cast<uintptr_t>(a.addr) >> 3) % kCells];
    const bool known = l.epoch == epoch_ && l.addr == a.addr;
    if (known && l.cpu != cpu) {
      uint32_t h = (l.site * 0x9E3779B1u) ^ (site * 0x85EBCA77u) ^ (writes ? 0xC2B2AE3Du : 0);
      h ^= h >> 15;
      uint8_t& c = counters_[h & mask_];
      if (c != 255) c++;
    }
    if (writes) l = Last{a.addr, site, epoch_, int8_t(cpu)};
  }

 private:
  static constexpr size_t kCells = 509;  // prime: cells are 8-byte aligned, tables 32 apart
  struct Last {
    const void* addr = nullptr;
    uint32_t site = 0;
    uint32_t epoch = 0;
    int8_t cpu = -1;
  };
  std::array<Last, kCells> last_{};
  uint8_t* counters_;
  size_t mask_;
  uint32_t epoch_ = 0;
};

}  // namespace gf
