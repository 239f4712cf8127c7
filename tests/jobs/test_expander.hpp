// A deterministic Expander for the jobs tests: fixed page size, memory and CPU
// count, and only the environment variables a test names, so results never
// depend on the machine or the caller's environment. And the option catalog the
// tests parse with: the one `fiokit run` uses, engine options included.
#pragma once
#include <map>
#include <optional>
#include <string>

#include "engine/io_engine.hpp"
#include "jobs/ini.hpp"
#include "jobs/options.hpp"
#include "jobs/parse.hpp"

namespace fiokit::test {

inline jobs::Expander test_expander(std::map<std::string, std::string> env = {}) {
  jobs::Expander ex;
  ex.getenv = [env = std::move(env)](const std::string& n) -> std::optional<std::string> {
    auto it = env.find(n);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  ex.pagesize = 4096;
  ex.mb_memory = 1000;
  ex.ncpus = 2;
  return ex;
}

inline const jobs::OptionCatalog& catalog() { return engine::option_catalog(); }

// One job file's text ("t.fio") parsed with the test expander and catalog.
inline jobs::ParseResult parse_job_text(const std::string& text) {
  jobs::ParseRequest req;
  req.sources.push_back({"t.fio", jobs::read_job_text(text, "t.fio", "/nonexistent", test_expander())});
  return jobs::build_jobs(req, catalog());
}

// The ParseError's message for that text, "" when it parses.
inline std::string parse_error_of(const std::string& text) {
  try {
    parse_job_text(text);
  } catch (const jobs::ParseError& e) {
    return e.what();
  }
  return "";
}

}  // namespace fiokit::test
