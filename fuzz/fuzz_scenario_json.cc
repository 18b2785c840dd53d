// SPDX-License-Identifier: GPL-2.0
//
// fuzz_scenario_json: the loaders under hostile input.  The same bytes go to
// the JSON loaders (scenario_from_json, pte_case_from_json) as text and to
// the byte decoders (decode, decode_pte_case).  Malformed, truncated, huge or
// deeply nested input must give a one-line error, never a crash or a hang;
// whatever loads must round-trip: to_json then from_json gives the same
// value, and encode then decode too.  Any failure aborts.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "core/check/pte_case.h"
#include "core/scenario/scenario.h"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "==gupfuzz== ERROR: fuzz_scenario_json: %s\n%s\nSUMMARY: gupfuzz: loader %s\n", what,
               detail.c_str(), what);
  std::abort();
}

void check_error(const gf::ParseError& err) {
  if (err.message.empty()) fail("rejected input without a message", "");
  if (err.message.find('\n') != std::string::npos) fail("error message is not one line", err.message);
}

// What loads from `text` must come back the same through to_json and
// from_json; what does not, with a one-line error.  Returns what loaded.
template <class From, class To>
auto json_round_trip(std::string_view text, From from_json, To to_json, const char* what) {
  gf::ParseError err;
  auto v = from_json(text, err);
  if (v) {
    const std::string j = to_json(*v);
    gf::ParseError err2;
    auto again = from_json(j, err2);
    if (!again || !(*again == *v)) fail(what, j + "\n" + err2.message);
  } else {
    check_error(err);
  }
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) { return 0; }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  json_round_trip(
      text, gf::scenario_from_json, [](const gf::Scenario& s) { return gf::scenario_to_json(s); },
      "scenario JSON does not round-trip");
  if (auto c = json_round_trip(
          text, gf::pte_case_from_json, [](const gf::PteCase& p) { return gf::pte_case_to_json(p); },
          "PTE case JSON does not round-trip")) {
    gf::PteCase back = gf::decode_pte_case(gf::encode(*c));
    back.bugs = c->bugs;
    if (!(back == *c)) fail("PTE case bytes do not round-trip", gf::pte_case_to_json(*c));
  }

  // The byte decoders are total; canonical bytes decode to the same value.
  const gf::Scenario s = gf::decode({data, size});
  if (!(gf::decode(gf::encode(s)) == s)) fail("scenario bytes do not round-trip", gf::scenario_to_json(s));
  const gf::Scenario t = gf::decode({data, size}, gf::ScheduleForm::steps);
  if (!(gf::decode(gf::encode(t), gf::ScheduleForm::steps) == t))
    fail("scenario bytes (steps form) do not round-trip", gf::scenario_to_json(t));
  const gf::PteCase c = gf::decode_pte_case({data, size});
  if (!(gf::decode_pte_case(gf::encode(c)) == c)) fail("PTE case bytes do not round-trip", gf::pte_case_to_json(c));
  return 0;
}
