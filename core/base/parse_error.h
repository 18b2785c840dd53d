// SPDX-License-Identifier: GPL-2.0
//
// What every reader of user input (scenario and PTE-case JSON, bug lists)
// returns on bad input: one line, for the command to print before exit 2.
#pragma once

#include <string>

namespace gf {

struct ParseError {
  std::string message;
};

}  // namespace gf
