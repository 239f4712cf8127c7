// --showcmd must print a command line that parses back to the same JobSpecs.
// Checked on every example job file and every corpus file that parses, so each
// option the table supports goes through the round trip at least once.
#include <catch2/catch.hpp>

#include <filesystem>

#include "jobs/cmdline.hpp"
#include "jobs/parse.hpp"
#include "test_expander.hpp"

using namespace fiokit::jobs;
namespace fs = std::filesystem;

namespace {
Expander fixed() { return fiokit::test::test_expander({{"FIOKIT_DIR", "/tmp"}, {"FIOKIT_CORPUS_BS", "8k"}}); }

// Splits the printed command as a POSIX shell would for the quoting showcmd uses.
std::vector<std::string> shell_split(const std::string& cmd) {
  std::vector<std::string> words;
  std::string cur;
  bool quoted = false, any = false;
  for (size_t i = 0; i < cmd.size(); ++i) {
    const char c = cmd[i];
    if (c == '\'') { quoted = !quoted; any = true; continue; }
    if (c == '\\' && !quoted && i + 1 < cmd.size()) { cur += cmd[++i]; continue; }
    if (c == ' ' && !quoted) {
      if (any || !cur.empty()) words.push_back(cur);
      cur.clear();
      any = false;
      continue;
    }
    cur += c;
  }
  if (any || !cur.empty()) words.push_back(cur);
  return words;
}

void check_roundtrip(const fs::path& file) {
  INFO(file.string());
  ParseRequest req;
  std::vector<JobSpec> jobs;
  try {
    req.sources.push_back({file.string(), read_job_file(file.string(), fixed())});
    jobs = build_jobs(req, fiokit::test::catalog()).jobs;
  } catch (const ParseError&) {
    return;  // error cases of the corpus
  }
  std::vector<std::string> words = shell_split(showcmd(jobs));
  REQUIRE(words.size() >= 2);
  words.erase(words.begin(), words.begin() + 2);  // "fiokit run"
  auto cl = split_cmdline(words, fixed(), fiokit::test::catalog());
  auto back = build_jobs(make_request(std::move(cl), fixed(), {}), fiokit::test::catalog()).jobs;
  REQUIRE(back.size() == jobs.size());
  for (size_t i = 0; i < jobs.size(); ++i) {
    JobSpec a = jobs[i], b = back[i];
    a.defined_at = b.defined_at = {};
    a.ioengine_at = b.ioengine_at = {};  // locations: a file line there, the command line here
    for (JobSpec* j : {&a, &b}) j->zonemode_zbd_at = j->zonemode_zbd_at.file.empty() ? SourceLoc{} : SourceLoc{"-", 0};
    a.job_file = b.job_file = "";
    b.given = a.given;  // the text differs (global options repeated per job); the values must not
    b.job_options = a.job_options;
    b.job_options_shown = a.job_options_shown;
    CHECK(a == b);
  }
}
}  // namespace

TEST_CASE("showcmd round trip over the examples and the corpus") {
  int n = 0;
  for (const char* dir : {"/examples", "/tests/corpus"}) {
    for (const auto& e : fs::directory_iterator(std::string(FIOKIT_SOURCE_DIR) + dir)) {
      if (e.path().extension() != ".fio") continue;
      check_roundtrip(e.path());
      ++n;
    }
  }
  CHECK(n >= 40);
}
