// SPDX-License-Identifier: GPL-2.0
//
// The oracles (core/base/oracles.def).  Each judges the model from what the
// machine recorded — the value history of every entry, the references CPUs
// hold, the ground-truth "written" mark on folios — and from the semantic
// decoder (core/decoder/semantic.h), never from the helpers it judges.
//
// They are the machine's Judge (core/mm/hooks.h): the operations report to
// it at the points the kernel decides a contract; the runner installs it.
// Stateless: everything they read lives in the Machine.
#pragma once

#include "core/mm/hooks.h"

namespace gf {

// The one Judge every runner installs (Machine::judge).
Judge& oracles();

}  // namespace gf
