// SPDX-License-Identifier: GPL-2.0
#include "core/base/text.h"

#include <cstdio>
#include <string_view>

namespace gf {

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "%#llx", (unsigned long long)v);
  return b;
}

std::string model_line(const char* file, uint32_t line) {
  std::string_view f(file ? file : "");
  if (size_t at = f.rfind("core/"); at != std::string_view::npos) f.remove_prefix(at);
  return std::string(f) + ":" + std::to_string(line);
}

}  // namespace gf
