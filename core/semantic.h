// SPDX-License-Identifier: GPL-2.0
//
// The oracles' own reading of a PTE: a semantic record decoded straight from
// the architecture's bit layout (kernel-facts.md), never through the model's
// pte_mkold()/pte_mkclean()/pte_same().  Two entries "differ only in recency"
// when their records are equal in every field but young and dirty.
#pragma once

#include <cstdint>
#include <string>

#include "core/pte.h"

namespace gf {

struct PteSem {
  enum Kind : uint8_t { none, present, protnone, nonpresent } kind = none;
  bool valid = false;    // the MMU may use it now
  uint64_t pfn = 0;
  bool write = false;    // Linux-writable (x86 RW; arm64 PTE_WRITE/DBM)
  bool user = false;
  bool exec = false;
  bool special = false;
  bool devmap = false;
  bool uffd_wp = false;
  bool soft_dirty = false;
  bool cont = false;
  bool hw_rdonly = false;  // arm64 RDONLY on an entry without DBM: a permission, not dirtiness
  uint64_t other = 0;      // every raw bit no field above accounts for
  bool young = false;
  bool dirty = false;

  bool same_but_recency(const PteSem& o) const {
    return kind == o.kind && valid == o.valid && pfn == o.pfn && write == o.write && user == o.user &&
           exec == o.exec && special == o.special && devmap == o.devmap && uffd_wp == o.uffd_wp &&
           soft_dirty == o.soft_dirty && cont == o.cont && hw_rdonly == o.hw_rdonly && other == o.other;
  }
  // The fields that differ besides young/dirty, for messages ("write pfn").
  std::string diff(const PteSem& o) const;
  std::string str() const;
};

PteSem sem_decode(ArchId arch, pteval_t v);

// A raw entry (or any value) as the kernel prints it: "0x8000000000000067".
std::string hex(uint64_t v);

}  // namespace gf
