// libFuzzer target for the job-file parser: arbitrary bytes go through the ini
// reader (read_job_text) and the option catalog `fiokit run` parses with
// (build_jobs with engine::option_catalog(), engine options included). ParseError and
// ValueError are the parser's documented answers to bad input; any other
// exception, a crash, a sanitizer report, a hang or a memory blow-up is a
// finding. Built only with -DFIOKIT_FUZZ=ON and clang (see scripts/fuzz).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/io_engine.hpp"
#include "fuzz/fuzz_expander.hpp"
#include "jobs/error.hpp"
#include "jobs/ini.hpp"
#include "jobs/parse.hpp"

namespace {
using namespace fiokit::jobs;

using fiokit::fuzz::fuzz_expander;

// "include /dev/zero" would make the fuzzer read a device forever: absolute
// includes are left out. Relative ones resolve under a directory that does not
// exist, so they fail cleanly with "cannot open included file".
bool has_absolute_include(std::string_view text) {
  size_t pos = 0;
  while ((pos = text.find("include", pos)) != std::string_view::npos) {
    size_t i = pos + 7;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i < text.size() && (text[i] == '/' || text[i] == '~')) return true;
    pos += 7;
  }
  return false;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (has_absolute_include(text)) return 0;
  static const Expander ex = fuzz_expander();
  try {
    ParseRequest req;
    req.sources.push_back({"fuzz.fio", read_job_text(text, "fuzz.fio", "/nonexistent-fiokit-fuzz", ex)});
    ParseResult r = build_jobs(req, fiokit::engine::option_catalog());
    // Exercise --showcmd too: it formats every parsed option.
    (void)showcmd(r.jobs);
  } catch (const ParseError&) {
  } catch (const ValueError&) {
  }
  return 0;
}
