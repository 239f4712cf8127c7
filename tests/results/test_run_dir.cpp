// The run directory as results/ lays it out (RunDirWriter): a new directory
// per run named by UTC time and label, the job files copied in (clashing
// names kept apart), inline jobs written, results.json / output.txt at the
// end, and with several repeats repeats/<i>/results.json and repeats.json.
#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "results/run_dir.hpp"

using namespace fiokit;
using namespace fiokit::results;
using fiokit::testing::make_run;
using fiokit::testing::read_text;
using fiokit::testing::TempDir;
using fiokit::testing::write_text;
namespace fs = std::filesystem;

namespace {
constexpr int64_t kTime = 1763632800;  // 2025-11-20T10:00:00Z
}

TEST_CASE("a run directory holds the job files, results.json and output.txt", "[run_dir]") {
  TempDir src("rundir-src"), data("rundir-data");
  fs::create_directories(src.path + "/a");
  fs::create_directories(src.path + "/b");
  write_text(src.path + "/a/job.fio", "[a]\nrw=read\n");
  write_text(src.path + "/b/job.fio", "[b]\nrw=write\n");
  RunDirRequest req{data.path, "my job", {src.path + "/a/job.fio", src.path + "/b/job.fio"}, {{"stdin.fio", "[c]\n"}}, 1};
  RunDirWriter w = RunDirWriter::create(req, kTime);
  CHECK(w.path() == data.path + "/runs/20251120T100000Z-my_job");
  CHECK(read_text(w.path() + "/job.fio") == "[a]\nrw=read\n");
  CHECK(read_text(w.path() + "/2-job.fio") == "[b]\nrw=write\n");
  CHECK(read_text(w.path() + "/stdin.fio") == "[c]\n");
  // A single run logs into the run directory itself; no repeats/ folder.
  CHECK(w.begin_repeat(1) == w.path());
  const RunResult r = make_run();
  w.end_repeat(1, r);
  CHECK_FALSE(fs::exists(w.path() + "/repeats"));
  CHECK_FALSE(fs::exists(w.path() + "/results.json"));  // only finish writes it
  w.finish({r}, "PRE-RUN LINES\n");
  const auto j = nlohmann::json::parse(read_text(w.path() + "/results.json"));
  CHECK(j["jobs"].size() == r.jobs.size());
  const std::string out = read_text(w.path() + "/output.txt");
  CHECK(out.rfind("PRE-RUN LINES\n\n", 0) == 0);
  CHECK(out.find(r.jobs[0].name + ": (groupid=") != std::string::npos);
  CHECK_FALSE(fs::exists(w.path() + "/repeats.json"));
  for (const auto& e : fs::directory_iterator(w.path())) CHECK(e.path().filename().string()[0] != '.');  // no temp files left

  // The same time and label again: a new directory, the first one untouched.
  RunDirWriter w2 = RunDirWriter::create(req, kTime);
  CHECK(w2.path() == w.path() + "-2");
  CHECK(read_text(w.path() + "/output.txt") == out);
}

TEST_CASE("with repeats, each repeat keeps its results.json and logs apart", "[run_dir]") {
  TempDir data("rundir-data");
  RunDirWriter w = RunDirWriter::create({data.path, "rep", {}, {}, 3}, kTime);
  // Repeat 1 logs where plot and serve look (the run dir); later ones under repeats/<i>/.
  CHECK(w.begin_repeat(1) == w.path());
  CHECK(w.begin_repeat(2) == w.path() + "/repeats/2");
  CHECK(w.begin_repeat(3) == w.path() + "/repeats/3");
  std::vector<RunResult> runs;
  for (int rep = 1; rep <= 3; ++rep) {
    runs.push_back(make_run(static_cast<uint64_t>(rep)));
    w.end_repeat(rep, runs.back());
    CHECK(fs::is_regular_file(w.path() + "/repeats/" + std::to_string(rep) + "/results.json"));
  }
  w.finish(runs, "");
  const auto rep2 = nlohmann::json::parse(read_text(w.path() + "/repeats/2/results.json"));
  const auto top = nlohmann::json::parse(read_text(w.path() + "/results.json"));
  CHECK(top == nlohmann::json::parse(read_text(w.path() + "/repeats/1/results.json")));  // results.json is repeat 1
  CHECK(rep2["jobs"][0]["read"]["total_ios"] == runs[1].jobs[0].dirs[0].total_ios);
  CHECK(nlohmann::json::parse(read_text(w.path() + "/repeats.json")).is_object());
  // output.txt has every repeat's normal report.
  const std::string out = read_text(w.path() + "/output.txt");
  size_t reports = 0;
  for (size_t p = out.find("Run status group 0"); p != std::string::npos; p = out.find("Run status group 0", p + 1)) ++reports;
  CHECK(reports == 3);
}

TEST_CASE("keep_files adds the other files of a folder and replaces nothing", "[run_dir]") {
  TempDir src("rundir-src"), data("rundir-data");
  RunDirWriter w = RunDirWriter::create({data.path, "keep", {}, {{"job.fio", "[mine]\n"}}, 1}, kTime);
  write_text(src.path + "/job.fio", "[theirs]\n");
  write_text(src.path + "/common.inc", "size=1m\n");
  CHECK(keep_files(w.path(), src.path).empty());
  CHECK(read_text(w.path() + "/job.fio") == "[mine]\n");  // already there: kept as it was
  CHECK(read_text(w.path() + "/common.inc") == "size=1m\n");
  CHECK(keep_files(w.path(), src.path + "/missing").empty());
}
