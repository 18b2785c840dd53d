// SPDX-License-Identifier: GPL-2.0
//
// splitmix64: the only randomness gupfuzz's own tools use (the audit's
// sampling, tools/kernel-truth's random values), always from an explicit seed.
#pragma once

#include <cstdint>

namespace gf {

struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return next() % n; }
};

}  // namespace gf
