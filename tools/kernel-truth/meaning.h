// SPDX-License-Identifier: GPL-2.0
//
// The meaning check (core/check/meaning.h) on the kernel's own helpers: the
// decision GUP-fast composes (real pte_protnone(), pte_access_permitted(),
// pte_devmap(), pte_special(), in gup_fast_pte_range()'s order) against the
// project's decoder (core/decoder/semantic.cc) on entries the real
// constructors and helpers make and on every pattern of the audited bits.
// Finding classes are triaged by the same core/check/findings.def rows
// (GF_MEANING) as the models', under the kernel object's configuration.
#pragma once

#include <cstdint>

#include "core/check/meaning.h"

namespace gf::kt {

// Runs the check on the kernel object linked into this program; `arch` is
// k_arch(), shstk the x86 CPU capability pass.
gf::MeaningRow run_meaning(const char* arch, bool shstk, int max_bits, uint64_t sample, uint64_t seed);

// "meaning: ..." lines; returns whether a finding class is untriaged.
bool print_meaning(const char* arch, bool shstk, const gf::MeaningRow& r);

}  // namespace gf::kt
