// SPDX-License-Identifier: GPL-2.0
//
// Strict JSON field readers shared by the scenario and PTE-case codecs: every
// problem throws Bad{"<where>: <what>"}, one line, which the codec's entry
// point turns into its ParseError.  Unknown fields, wrong types and
// out-of-range values are errors, never silently fixed.
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>
#include <initializer_list>
#include <string>

#include "core/base/ids.h"

namespace gf {

// A whole string as a 64-bit number, decimal or 0x-hex ("0x8000000000000067");
// nullopt for anything else (empty, signs, trailing text, overflow).
inline std::optional<uint64_t> parse_u64(const std::string& s) {
  size_t used = 0;
  uint64_t v = 0;
  try {
    v = std::stoull(s, &used, 0);
  } catch (...) {
    return std::nullopt;
  }
  if (s.empty() || used != s.size() || s[0] == '-') return std::nullopt;
  return v;
}

}  // namespace gf

namespace gf::jsonget {

using nlohmann::json;

struct Bad {
  std::string msg;
};

[[noreturn]] inline void fail(const std::string& where, const std::string& what) { throw Bad{where + ": " + what}; }

inline void only_keys(const json& j, const std::string& where, std::initializer_list<const char*> keys) {
  if (!j.is_object()) fail(where, "expected an object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool known = false;
    for (const char* k : keys) known |= it.key() == k;
    if (!known) fail(where, "unknown field \"" + it.key() + "\"");
  }
}

inline int get_int(const json& j, const std::string& where, int lo, int hi) {
  if (!j.is_number_integer()) fail(where, "expected an integer");
  const auto v = j.get<long long>();
  if (v < lo || v > hi) fail(where, std::to_string(v) + " is out of range " + std::to_string(lo) + ".." + std::to_string(hi));
  return int(v);
}

inline bool get_bool(const json& j, const std::string& where) {
  if (!j.is_boolean()) fail(where, "expected true or false");
  return j.get<bool>();
}

inline const json& get_array(const json& j, const std::string& where, size_t lo, size_t hi) {
  if (!j.is_array()) fail(where, "expected an array");
  if (j.size() < lo || j.size() > hi)
    fail(where, "has " + std::to_string(j.size()) + " entries, expected " + std::to_string(lo) + ".." + std::to_string(hi));
  return j;
}

inline std::string get_string(const json& j, const std::string& where) {
  if (!j.is_string()) fail(where, "expected a string");
  return j.get<std::string>();
}

// Parses `text` and hands it to from_json(json) -> T; any Bad or JSON error
// becomes nullopt and a one-line `message`.
template <class F>
auto parse_strict(std::string_view text, std::string& message, F&& from_json)
    -> std::optional<decltype(from_json(json()))> {
  try {
    return from_json(json::parse(text.begin(), text.end()));
  } catch (const Bad& b) {
    message = b.msg;
  } catch (const json::exception& e) {
    message = std::string("malformed JSON: ") + e.what();
  }
  std::replace(message.begin(), message.end(), '\n', ' ');
  return std::nullopt;
}

// A non-negative integer up to hi (hex strings "0x..." accepted too, for raw entries).
inline uint64_t get_u64(const json& j, const std::string& where, uint64_t hi = ~0ull) {
  uint64_t v = 0;
  if (j.is_number_unsigned() || (j.is_number_integer() && j.get<long long>() >= 0)) {
    v = j.get<uint64_t>();
  } else if (j.is_string()) {
    const std::string s = j.get<std::string>();
    const auto n = parse_u64(s);
    if (!n) fail(where, "\"" + s + "\" is not a number");
    v = *n;
  } else {
    fail(where, "expected a non-negative integer or a \"0x...\" string");
  }
  if (v > hi) fail(where, std::to_string(v) + " is out of range 0.." + std::to_string(hi));
  return v;
}

// "bugs": ["name", ...], names from core/base/bugs.def.
inline BugSet get_bugs(const json& j) {
  BugSet set;
  const json& bugs = get_array(j, "bugs", 0, NR_BUGS);
  for (size_t k = 0; k < bugs.size(); k++) {
    const std::string b = get_string(bugs[k], "bugs[" + std::to_string(k) + "]");
    auto id = bug_from_name(b);
    if (!id) fail("bugs", "unknown injected bug \"" + b + "\" (see `gupfuzz bugs`)");
    set.add(*id);
  }
  return set;
}

}  // namespace gf::jsonget
