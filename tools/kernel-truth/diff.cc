// SPDX-License-Identifier: GPL-2.0
#include "tools/kernel-truth/diff.h"

namespace gf::kt {

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return b;
}

std::string format_mismatch(const char* arch, const Mismatch& m) {
  return std::string("MISMATCH ") + arch + " " + m.helper + "(" + m.args + "): model " + hex(m.model) +
         ", kernel " + hex(m.kernel);
}

}  // namespace gf::kt
