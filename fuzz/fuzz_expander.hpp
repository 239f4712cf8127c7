// The Expander every fuzz target parses with: one defined variable (FUZZ=4k)
// and fixed pagesize/mb_memory/ncpus keywords, so a finding replays the same
// way on every machine whatever its environment, memory or CPU count.
#pragma once
#include <optional>
#include <string>

#include "jobs/ini.hpp"

namespace fiokit::fuzz {

inline jobs::Expander fuzz_expander() {
  jobs::Expander ex;
  ex.getenv = [](const std::string& name) -> std::optional<std::string> {
    if (name == "FUZZ") return std::string("4k");
    return std::nullopt;
  };
  ex.pagesize = 4096;
  ex.mb_memory = 1024;
  ex.ncpus = 4;
  return ex;
}

}  // namespace fiokit::fuzz
