// Command-line job options against the job file (issue 17 item 6): fio 3.33
// applies `--runtime=1` as a default under the job files, so a job file's
// runtime= wins wherever it is written and whatever the order of the command
// line; fiokit runs the same and says so on stderr, naming the option, the
// file and the line, while the JSON report on stdout stays one document. The
// [fio] case runs the same command under fio 3.33 and compares the runtimes.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "subprocess.hpp"

using fiokit::test::make_temp_dir;
using fiokit::test::Outcome;
using fiokit::test::run_fiokit;
namespace fs = std::filesystem;

namespace {

// Job 'a' sets its own runtime (500 ms) and 'b' does not, so a --runtime=2 on
// the command line is overridden for 'a' only; 'c' uses the alias timeout=.
std::string write_job(const std::string& dir) {
  const std::string path = dir + "/over.fio";
  std::ofstream(path) << "[global]\n"          // 1
                         "ioengine=null\n"     // 2
                         "size=1g\n"           // 3
                         "time_based\n"        // 4
                         "[a]\n"               // 5
                         "rw=read\n"           // 6
                         "runtime=500ms\n"     // 7
                         "[b]\n"               // 8
                         "rw=read\n"           // 9
                         "[c]\n"               // 10
                         "rw=read\n"           // 11
                         "timeout=500ms\n";    // 12
  return path;
}

std::map<std::string, int64_t> runtimes(const std::string& json) {
  std::map<std::string, int64_t> r;
  const auto doc = nlohmann::json::parse(json);  // kept: a range-for over a temporary's member dangles
  for (const auto& j : doc.at("jobs")) r[j.at("jobname").get<std::string>()] = j.at("job_runtime").get<int64_t>();
  return r;
}

}  // namespace

TEST_CASE("a command-line option the job file overrides is named on stderr with its file and line") {
  const std::string dir = make_temp_dir("override");
  const std::string job = write_job(dir);
  // The option after the file, as in the container README's `--runtime=30`:
  // the position does not matter (fio's getopt reads every option first).
  Outcome o = run_fiokit({{"run", "--output-format=json", job, "--runtime=2"}, "", dir});
  INFO("stderr: " << o.err);
  REQUIRE(o.code == 0);
  const auto rt = runtimes(o.out);  // stdout is one JSON document, nothing else
  CHECK(rt.at("a") >= 400);
  CHECK(rt.at("a") < 1500);  // the file's 500 ms, not the command line's 2 s
  CHECK(rt.at("b") >= 1900);  // no runtime= in the file: the command line's
  CHECK(rt.at("c") < 1500);
  CHECK(o.err.find("command-line option --runtime=2 is overridden by runtime=500ms (" + job + ":7) for job 'a'") !=
        std::string::npos);
  CHECK(o.err.find("--runtime=2 is overridden by timeout=500ms (" + job + ":12) for job 'c'") != std::string::npos);
  CHECK(o.err.find("job 'b'") == std::string::npos);

  SECTION("a [global] line names every job it overrides the option for; a job's own line hides it") {
    std::ofstream(job) << "[global]\nioengine=null\nsize=1m\nbs=8k\n[x]\nrw=read\n[y]\nrw=read\nbs=16k\n[z]\nrw=read\n";
    Outcome p = run_fiokit({{"run", "--bs=4k", "--parse-only", job}, "", dir});
    INFO("stderr: " << p.err);
    CHECK(p.code == 0);
    CHECK(p.err.find("--bs=4k is overridden by bs=8k (" + job + ":4) for jobs 'x', 'z'") != std::string::npos);
    CHECK(p.err.find("--bs=4k is overridden by bs=16k (" + job + ":9) for job 'y'") != std::string::npos);
  }
  SECTION("the same value, or an option the file leaves alone, says nothing") {
    Outcome p = run_fiokit({{"run", "--runtime=500ms", "--iodepth=4", "--parse-only", job}, "", dir});
    CHECK(p.code == 0);
    CHECK(p.err.find("overridden") == std::string::npos);
  }
  SECTION("--name jobs are not job files: their options are given on purpose") {
    Outcome p = run_fiokit({{"run", "--bs=4k", "--name=n", "--ioengine=null", "--size=1m", "--bs=8k", "--parse-only"}, "", dir});
    CHECK(p.code == 0);
    CHECK(p.err.find("overridden") == std::string::npos);
  }
  SECTION("--section: a job the run leaves out is not named") {
    Outcome p = run_fiokit({{"run", "--runtime=2", "--section=b", "--parse-only", job}, "", dir});
    CHECK(p.code == 0);
    CHECK(p.err.find("overridden") == std::string::npos);
  }
  SECTION("not a fatal warning: the precedence is fio's, well defined") {
    Outcome p = run_fiokit({{"run", "--runtime=2", "--warnings-fatal", "--parse-only", job}, "", dir});
    CHECK(p.code == 0);
    CHECK(p.err.find("overridden") != std::string::npos);
  }
  fs::remove_all(dir);
}

TEST_CASE("fio 3.33 gives the job file's runtime= the same precedence over --runtime", "[fio]") {
  if (std::system("command -v fio >/dev/null 2>&1") != 0) fiokit::test::skip("fio is not installed");
  const std::string dir = make_temp_dir("override-fio");
  const std::string job = write_job(dir);
  const std::string out = dir + "/fio.json";
  const std::string cmd = "cd '" + dir + "' && fio --output-format=json --output='" + out + "' '" + job + "' --runtime=2";
  REQUIRE(std::system(cmd.c_str()) == 0);
  const auto fio_rt = runtimes(fiokit::test::slurp(out));
  Outcome o = run_fiokit({{"run", "--output-format=json", job, "--runtime=2"}, "", dir});
  REQUIRE(o.code == 0);
  const auto mine = runtimes(o.out);
  for (const char* name : {"a", "b", "c"}) {
    INFO("job " << name << ": fio " << fio_rt.at(name) << " ms, fiokit " << mine.at(name) << " ms");
    CHECK(std::llabs(fio_rt.at(name) - mine.at(name)) < 400);
  }
  fs::remove_all(dir);
}
