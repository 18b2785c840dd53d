// SPDX-License-Identifier: GPL-2.0
//
// gupfuzz: replay, trace and convert scenarios; list injected bugs and oracles.
// Each repro/*_commands.cc defines its commands (repro/cli.h: name, help,
// setup, run); main lists them in the order --help shows them, parses the
// command line and runs the one given.
// Exit codes mean one thing each: 0 clean, 1 an invariant was violated,
// 2 bad input or bad arguments.
#include <CLI/CLI.hpp>

#include <string>
#include <utility>
#include <vector>

#include "repro/cli.h"

namespace {

using namespace gf::repro::cli;

const Command* const kCommands[] = {
    &kReplayCommand,  &kTraceCommand,    &kDecodeCommand,  &kEncodeCommand, &kAuditCommand, &kPteCommand,
    &kPteCheckCommand, &kMinimizeCommand, &kTriageCommand,  &kStressCommand, &kExploreCommand,
    &kSpuriousCommand, &kArchsCommand,    &kBugsCommand,    &kOraclesCommand, &kOpsCommand, &kDictCommand,
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gupfuzz: replay, trace and convert GUP-fast race scenarios.\n"
               "Exit codes: 0 clean, 1 invariant violated, 2 bad input or arguments."};
  app.require_subcommand(1);
  std::vector<std::pair<CLI::App*, Run>> subs;
  for (const Command* c : kCommands) {
    CLI::App* sub = app.add_subcommand(c->name, c->help);
    subs.emplace_back(sub, c->setup(*sub));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string msg = e.what();
    for (char& c : msg)
      if (c == '\n') c = ' ';
    return bad(msg + " (see gupfuzz --help)");
  }
  for (auto& [sub, run] : subs)
    if (*sub) return run();
  return kBadInput;
}
