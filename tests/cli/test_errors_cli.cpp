// Job-file errors as a user sees them (issue 17 item 7), through the binary:
// every error of a file at once, each on its own "fiokit: " line with its
// file:line, exit 2 and nothing on stdout; did-you-mean for a misspelt value
// on the command line; beside fio 3.33 ([fio]), which also names both
// misspelt options of a section; and the quickstart without "empty log,
// skipped" notes.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "subprocess.hpp"

using namespace fiokit::test;

namespace {

// stdout of a shell command; its exit status in *rc.
std::string sh(const std::string& cmd, int* rc) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int st = ::pclose(p);
  *rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::string write_job(const std::string& dir, const std::string& text) {
  const std::string path = dir + "/bad.fio";
  std::ofstream(path) << text;
  return path;
}

const char* kBadJob = "[global]\nioengine=null\nsize=1m\n[a]\nnumjob=2\niodepht=4\nrw=randreadd\n[b]\nbs=4kfoo\n";

}  // namespace

TEST_CASE("run reports every error of a job file, one per line, exit 2") {
  const std::string dir = make_temp_dir("errors-cli");
  const std::string job = write_job(dir, kBadJob);
  for (const bool parse_only : {true, false}) {
    RunSpec spec;
    spec.args = parse_only ? std::vector<std::string>{"run", "--parse-only", job}
                           : std::vector<std::string>{"run", "--output-format=json", job};
    const Outcome o = run_fiokit(spec);
    INFO(o.err);
    CHECK(o.code == 2);
    CHECK(o.out.empty());  // JSON output stays pure: nothing ran, nothing printed there
    const auto lines = lines_of(o.err);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0] == "fiokit: unknown option 'numjob' (" + job + ":5); did you mean 'numjobs'?");
    CHECK(lines[1] == "fiokit: unknown option 'iodepht' (" + job + ":6); did you mean 'iodepth'?");
    CHECK_THAT(lines[2], Catch::StartsWith("fiokit: invalid value for 'rw': 'randreadd' is not a valid value for rw; "
                                           "did you mean 'randread'?") &&
                             Catch::EndsWith("(" + job + ":7)"));
    CHECK_THAT(lines[3], Catch::StartsWith("fiokit: invalid value for 'bs'") && Catch::EndsWith("(" + job + ":9)"));
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("a misspelt value on the command line gets a suggestion") {
  RunSpec spec;
  spec.args = {"run", "--parse-only", "--name=x", "--ioengine=null", "--size=1m", "--rw=randreadd"};
  const Outcome o = run_fiokit(spec);
  CHECK(o.code == 2);
  CHECK_THAT(o.err, Catch::Contains("did you mean 'randread'?") && Catch::Contains("(command line: --rw=randreadd)"));
}

TEST_CASE("a file of junk stops after 20 errors") {
  const std::string dir = make_temp_dir("errors-cli");
  std::string text = "[a]\n";
  for (int i = 0; i < 100000; ++i) text += "junk" + std::to_string(i) + "\n";
  const std::string job = write_job(dir, text);
  RunSpec spec;
  spec.args = {"run", "--parse-only", job};
  const Outcome o = run_fiokit(spec);
  CHECK(o.code == 2);
  const auto lines = lines_of(o.err);
  REQUIRE(lines.size() == 21);
  CHECK_THAT(lines[19], Catch::StartsWith("fiokit: unknown option 'junk19' (" + job + ":21)"));
  CHECK(lines[20] == "fiokit: stopped after 20 errors");
  std::filesystem::remove_all(dir);
}

TEST_CASE("fio 3.33 and fiokit both name every misspelt option of a section", "[fio]") {
  const std::string dir = make_temp_dir("errors-cli");
  const std::string job = write_job(dir, "[a]\nioengine=null\nsize=1m\nnumjob=2\niodepht=4\n");
  int rc = 0;
  const std::string fio = sh("fio --parse-only '" + job + "' 2>&1", &rc);
  INFO(fio);
  CHECK(rc != 0);
  CHECK_THAT(fio, Catch::Contains("Bad option <numjob=2>") && Catch::Contains("Bad option <iodepht=4>"));
  RunSpec spec;
  spec.args = {"run", "--parse-only", job};
  const Outcome o = run_fiokit(spec);
  CHECK(o.code == 2);
  CHECK_THAT(o.err, Catch::Contains("unknown option 'numjob'") && Catch::Contains("unknown option 'iodepht'"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("the quickstart prints no empty-log notes", "[quickstart]") {
  // TMPDIR: the quickstart makes its directory there; removed with it.
  const std::string dir = make_temp_dir("errors-quick");
  int rc = -1;
  const std::string err = sh("TMPDIR='" + dir + "' '" + fiokit_path() + "' run --quickstart 2>&1 >/dev/null", &rc);
  INFO(err);
  CHECK(rc == 0);
  CHECK(err.find("empty log") == std::string::npos);
  CHECK(err.find("fiokit: quickstart done") != std::string::npos);
  std::filesystem::remove_all(dir);
}
