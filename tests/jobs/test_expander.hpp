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

}  // namespace fiokit::test
