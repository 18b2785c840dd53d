// SPDX-License-Identifier: GPL-2.0
//
// Text every layer prints: a value in hex, and the model line an access came
// from (relative to the project, whatever the build directory).
#pragma once

#include <cstdint>
#include <string>

namespace gf {

// "0x8000000000000867" ("0" for zero).
std::string hex(uint64_t v);
// "core/mm/gup.h:50" for a __builtin_FILE() path ("<file>:<line>" when the path has no core/).
std::string model_line(const char* file, uint32_t line);

}  // namespace gf
