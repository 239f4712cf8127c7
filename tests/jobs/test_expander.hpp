// A deterministic Expander for the jobs tests: fixed page size, memory and CPU
// count, and only the environment variables a test names, so results never
// depend on the machine or the caller's environment. And the option catalog the
// tests parse with: the one `fiokit run` uses, engine options included.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/io_engine.hpp"
#include "jobs/cmdline.hpp"
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

// The jobs of that text.
inline std::vector<jobs::JobSpec> parse_jobs(const std::string& text) { return parse_job_text(text).jobs; }

// The one job "[a]" with these option lines: what most option tests need.
inline jobs::JobSpec one_job(const std::string& options) { return parse_job_text("[a]\n" + options + "\n").jobs.at(0); }

// The ParseError's message for job "[a]" with these option lines (its first
// option is on t.fio:2), "" when it parses.
inline std::string option_error_of(const std::string& options) { return parse_error_of("[a]\n" + options + "\n"); }

// The jobs of a fio command line (`--name=a --rw=read ...`), as `fiokit run` builds them.
inline std::vector<jobs::JobSpec> parse_command_line(const std::vector<std::string>& args) {
  auto cl = jobs::split_cmdline(args, test_expander(), catalog());
  return jobs::build_jobs(jobs::make_request(std::move(cl), test_expander(), {}), catalog()).jobs;
}

}  // namespace fiokit::test
