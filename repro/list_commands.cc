// SPDX-License-Identifier: GPL-2.0
//
// gupfuzz bugs, oracles, ops and dict: the tables of core/base/*.def, listed.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>
#include <utility>

#include "core/base/ids.h"
#include "core/scenario/scenario.h"
#include "repro/cli.h"

namespace gf::repro::cli {
namespace {

int cmd_bugs() {
  std::printf("%-34s %-28s %-9s %s\n", "injected bug", "caught by", "in", "what goes wrong  [kernel reference]");
  for (int i = 0; i < gf::NR_BUGS; i++) {
    const auto& b = gf::info(gf::Bug(i));
    const std::string where = b.where.empty() ? "machine" : b.where == "*" ? "every arch" : std::string(b.where);
    std::printf("%-34.*s %-28.*s %-9s %.*s  [%.*s]\n", int(b.id.size()), b.id.data(),
                int(gf::info(b.oracle).id.size()), gf::info(b.oracle).id.data(), where.c_str(), int(b.text.size()),
                b.text.data(), int(b.kernel_ref.size()), b.kernel_ref.data());
  }
  return kClean;
}

int cmd_oracles() {
  return print_rows(26, gf::NR_ORACLES, [](int i) {
    const auto& o = gf::info(gf::Oracle(i));
    return std::pair{o.id, o.statement};
  });
}

int cmd_ops() {
  for (int i = 0; i < gf::NR_OPS; i++) {
    const auto& o = gf::info(gf::OpKind(i));
    std::printf("%-12.*s %-12.*s %.*s  [%.*s]\n", int(o.id.size()), o.id.data(), int(gf::op_args_text(gf::OpKind(i)).size()), gf::op_args_text(gf::OpKind(i)).data(),
                int(o.text.size()), o.text.data(), int(o.kernel.size()), o.kernel.data());
  }
  return kClean;
}

int cmd_dict() {
  std::fputs(gf::fuzz_dictionary().c_str(), stdout);
  return kClean;
}

Run setup_bugs(CLI::App&) { return cmd_bugs; }
Run setup_oracles(CLI::App&) { return cmd_oracles; }
Run setup_ops(CLI::App&) { return cmd_ops; }
Run setup_dict(CLI::App&) { return cmd_dict; }

}  // namespace

const Command kBugsCommand{"bugs", "list the injected bugs", setup_bugs};
const Command kOraclesCommand{"oracles", "list the invariants", setup_oracles};
const Command kOpsCommand{"ops", "list the operations", setup_ops};
const Command kDictCommand{"dict", "print the fuzz dictionary of fuzz_gup_interleave (corpus/fuzz_gup_interleave.dict)",
                           setup_dict};

}  // namespace gf::repro::cli
