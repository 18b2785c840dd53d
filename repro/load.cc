// SPDX-License-Identifier: GPL-2.0
#include "repro/load.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace gf::repro {
namespace fs = std::filesystem;

namespace {

// The whole file, refusing folders and anything over MAX_INPUT_BYTES.
bool read_input(const std::string& path, std::string& data, std::string& err) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    err = path + ": is a folder, expected a scenario file";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    data.append(buf, size_t(in.gcount()));
    if (data.size() > MAX_INPUT_BYTES) {
      err = path + ": larger than " + std::to_string(MAX_INPUT_BYTES) + " bytes, not a scenario";
      return false;
    }
  }
  if (in.bad()) {
    err = path + ": read error";
    return false;
  }
  return true;
}

bool is_json(const std::string& path, const std::string& data) {
  // JSON: a .json name, or text (no control bytes but whitespace) opening with
  // '{'.  libFuzzer artifacts are bytes and may well start with '{' too.
  const auto first = std::find_if(data.begin(), data.end(), [](char c) { return !std::isspace((unsigned char)c); });
  const bool text = std::none_of(data.begin(), data.end(), [](char c) {
    const unsigned char u = (unsigned char)c;
    return u < 0x20 && u != '\n' && u != '\r' && u != '\t';
  });
  const bool named_json = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
  return named_json || (text && first != data.end() && *first == '{');
}

}  // namespace

std::optional<Loaded> load_scenario(const std::string& path, const BugSet& bytes_bugs, std::string& err) {
  std::string data;
  if (!read_input(path, data, err)) return std::nullopt;
  Loaded l;
  if (is_json(path, data)) {
    ParseError pe;
    auto s = scenario_from_json(data, pe);
    if (!s) {
      err = path + ": " + pe.message;
      return std::nullopt;
    }
    l.scenario = std::move(*s);
    l.json = true;
  } else {
    // Bytes in the form the fuzz target that wrote them used ($GUPFUZZ_SCHEDULE).
    const char* env = std::getenv("GUPFUZZ_SCHEDULE");
    const auto form = schedule_form_from_name(env ? env : "");
    if (!form) {
      err = std::string("GUPFUZZ_SCHEDULE: \"") + env + "\" is not \"preemptions\" or \"steps\"";
      return std::nullopt;
    }
    l.scenario = decode({reinterpret_cast<const uint8_t*>(data.data()), data.size()}, *form);
    l.scenario.bugs = bytes_bugs;
  }
  return l;
}

std::optional<PteCase> load_pte_case(const std::string& path, const BugSet& bytes_bugs, std::string& err) {
  std::string data;
  if (!read_input(path, data, err)) return std::nullopt;
  if (!is_json(path, data)) {
    PteCase c = decode_pte_case({reinterpret_cast<const uint8_t*>(data.data()), data.size()});
    c.bugs = bytes_bugs;
    return c;
  }
  ParseError pe;
  auto c = pte_case_from_json(data, pe);
  if (!c) err = path + ": " + pe.message;
  return c;
}

bool expand_paths(const std::vector<std::string>& args, std::vector<std::string>& files, std::string& err) {
  for (const auto& a : args) {
    std::error_code ec;
    if (fs::is_directory(a, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(a, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec))
        if (it->is_regular_file()) found.push_back(it->path().string());
      if (ec) {
        err = a + ": " + ec.message();
        return false;
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(a, ec)) {
      files.push_back(a);
    } else {
      err = a + ": no such file or folder";
      return false;
    }
  }
  return true;
}

bool write_atomically(const std::string& path, const std::string& data, std::string& err) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      err = path + ": cannot write: " + std::strerror(errno);
      return false;
    }
    out.write(data.data(), std::streamsize(data.size()));
    out.flush();
    if (!out) {
      err = path + ": write failed";
      std::remove(tmp.c_str());
      return false;
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    err = path + ": cannot rename into place: " + ec.message();
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace gf::repro
