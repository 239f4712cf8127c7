// The run directory as results/ lays it out (RunDirWriter): a new directory
// per run named by UTC time and label, the job files copied in (clashing
// names kept apart, also from fiokit's own names and the run's logs), inline
// jobs written, start()'s empty checkpoints, results.json / output.txt at the
// end, and with several repeats repeats/<i>/results.json and repeats.json;
// checkpoints marked incomplete; a file that cannot be written recorded with
// its path and errno, leaving no temp file.
#include <catch2/catch.hpp>
#include <sys/resource.h>

#include <csignal>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "results/json_reader.hpp"
#include "results/repeats.hpp"
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

TEST_CASE("a file that cannot be written leaves no temp, keeps the old file and names path and errno", "[run_dir]") {
  TempDir data("rundir-data");
  RunDirWriter w = RunDirWriter::create({data.path, "efbig", {}, {}, 1}, kTime);
  write_file_atomic(w.path(), "results.json", "{\"old\": 1}\n");
  // RLIMIT_FSIZE makes write(2) fail (EFBIG) without root or a full disk;
  // SIGXFSZ is ignored so the failure comes back as an errno.
  struct rlimit old {};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 4096;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  std::string what;
  try {
    write_file_atomic(w.path(), "results.json", std::string(8192, 'x'));
  } catch (const std::system_error& e) {
    what = e.what();
  }
  // The writer goes on past a failure: it records it, once per file.
  const RunResult r = make_run();
  w.checkpoint(1, r, kTime * 1000);
  w.checkpoint(1, r, kTime * 1000 + 2000);
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  CHECK(what == "cannot write " + w.path() + "/results.json: File too large");
  CHECK(read_text(w.path() + "/results.json") == "{\"old\": 1}\n");
  REQUIRE(w.failures().size() == 1);
  CHECK(w.failures()[0] == "cannot write " + w.path() + "/results.json: File too large");
  for (const auto& e : fs::directory_iterator(w.path())) CHECK(e.path().filename().string()[0] != '.');
}

TEST_CASE("a checkpoint is results.json marked incomplete until the repeat ends", "[run_dir]") {
  TempDir data("rundir-data");
  RunDirWriter w = RunDirWriter::create({data.path, "ckpt", {}, {}, 2}, kTime);
  const RunResult r1 = make_run(1), r2 = make_run(2);
  w.begin_repeat(1);
  w.checkpoint(1, r1, kTime * 1000 + 2250);
  auto j = nlohmann::json::parse(read_text(w.path() + "/results.json"));
  CHECK(j["fiokit"]["incomplete"] == true);
  CHECK(j["fiokit"]["interrupted"] == true);
  CHECK(j["fiokit"]["snapshot_time"] == "2025-11-20T10:00:02.250Z");
  CHECK(j["fiokit"]["snapshot_timestamp_ms"] == kTime * 1000 + 2250);
  // The reader gives it back as an incomplete run.
  const RunResult back = read_fio_json(read_text(w.path() + "/results.json"));
  CHECK(back.incomplete);
  CHECK(back.snapshot_ms == kTime * 1000 + 2250);
  CHECK(back.extras.count("incomplete") == 0);
  // Repeat 1's end makes repeats/1/results.json whole; the run dir's own
  // stands for the series and stays incomplete while repeat 2 runs (a kill
  // -9 now must not leave a top-level file that looks like a whole run).
  w.end_repeat(1, r1);
  CHECK_FALSE(nlohmann::json::parse(read_text(w.path() + "/repeats/1/results.json"))["fiokit"].contains("incomplete"));
  CHECK(nlohmann::json::parse(read_text(w.path() + "/results.json"))["fiokit"]["incomplete"] == true);
  w.begin_repeat(2);
  w.checkpoint(2, r2, kTime * 1000 + 4000);
  CHECK(nlohmann::json::parse(read_text(w.path() + "/repeats/2/results.json"))["fiokit"]["incomplete"] == true);
  CHECK(nlohmann::json::parse(read_text(w.path() + "/results.json"))["fiokit"]["incomplete"] == true);
  w.end_repeat(2, r2);
  CHECK_FALSE(nlohmann::json::parse(read_text(w.path() + "/repeats/2/results.json"))["fiokit"].contains("incomplete"));
  w.finish({r1, r2}, "");
  CHECK_FALSE(nlohmann::json::parse(read_text(w.path() + "/results.json"))["fiokit"].contains("incomplete"));
  CHECK(w.failures().empty());
}

TEST_CASE("repeats.json flags failed and interrupted repeats and keeps them out of the statistics", "[run_dir]") {
  std::vector<RunResult> runs = {make_run(1), make_run(2), make_run(3), make_run(4)};
  runs[1].jobs[0].error = 5;
  runs[1].jobs[0].error_message = "job 'x': I/O error at offset 0";
  runs[3].interrupted = true;
  CHECK(repeat_status(runs[0]).status == "ok");
  CHECK(repeat_status(runs[1]).status == "failed");
  CHECK(repeat_status(runs[1]).error == "job 'x': I/O error at offset 0");
  CHECK(repeat_status(runs[3]).status == "interrupted");
  const auto doc = nlohmann::json::parse(summarize_repeats(runs));
  CHECK(doc["repeats"] == 4);
  CHECK(doc["ok"] == 2);
  REQUIRE(doc["runs"].size() == 4);
  CHECK(doc["runs"][1]["status"] == "failed");
  CHECK(doc["runs"][1]["error"] == "job 'x': I/O error at offset 0");
  CHECK(doc["runs"][3]["status"] == "interrupted");
  CHECK_FALSE(doc["runs"][3].contains("error"));
  // Only repeats 1 and 3 are in the values.
  const auto& iops = doc["jobs"][0]["read"]["iops"]["values"];
  REQUIRE(iops.size() == 2);
  const auto only = nlohmann::json::parse(summarize_repeats({runs[0], runs[2]}));
  CHECK(iops == only["jobs"][0]["read"]["iops"]["values"]);
}

TEST_CASE("a job file named like fiokit's own files or the run's logs is kept under another name", "[run_dir]") {
  TempDir src("rundir-own"), data("rundir-data");
  fs::create_directories(src.path + "/x");
  const char* names[] = {"stdin.fio", "results.json", "output.txt", "repeats.json", "repeats", ".results.json.tmp", "w_lat.1.log"};
  std::vector<std::string> files;
  for (const char* n : names) {
    write_text(src.path + "/x/" + n, std::string("[") + n + "]\n");
    files.push_back(src.path + "/x/" + n);
  }
  RunDirRequest req{data.path, "own", files, {{"stdin.fio", "[piped]\n"}}, 2, {"w_lat.1.log"}};
  RunDirWriter w = RunDirWriter::create(req, kTime);
  // The job read from stdin keeps its name; the job file of that name does not replace it.
  CHECK(read_text(w.path() + "/stdin.fio") == "[piped]\n");
  for (const char* n : names) {
    INFO(n);
    CHECK(read_text(w.path() + "/2-" + n) == std::string("[") + n + "]\n");
  }
  CHECK_FALSE(fs::exists(w.path() + "/w_lat.1.log"));  // left to the job's log
  // A job file called "repeats" does not block the repeats' folders, and the
  // run's own files do not replace any job file.
  const RunResult r = make_run();
  w.begin_repeat(1);
  w.end_repeat(1, r);
  CHECK(fs::is_directory(w.path() + "/repeats/2") == false);
  w.begin_repeat(2);
  w.end_repeat(2, r);
  w.finish({r, r}, "");
  CHECK(w.failures().empty());
  CHECK(fs::is_directory(w.path() + "/repeats/2"));
  CHECK(nlohmann::json::parse(read_text(w.path() + "/results.json"))["jobs"].size() == r.jobs.size());
  CHECK(read_text(w.path() + "/2-results.json") == "[results.json]\n");
  CHECK(read_text(w.path() + "/2-output.txt") == "[output.txt]\n");
}

TEST_CASE("start() writes every repeat's results.json as an empty checkpoint", "[run_dir]") {
  TempDir data("rundir-data");
  RunDirWriter w = RunDirWriter::create({data.path, "start", {}, {}, 3}, kTime);
  RunResult placeholder = make_run();
  for (auto& j : placeholder.jobs) j.dirs = {};
  w.start(placeholder, kTime * 1000 + 10);
  for (const std::string f : {"/results.json", "/repeats/1/results.json", "/repeats/2/results.json", "/repeats/3/results.json"}) {
    INFO(f);
    const auto j = nlohmann::json::parse(read_text(w.path() + f));
    CHECK(j["fiokit"]["incomplete"] == true);
    CHECK(j["fiokit"]["interrupted"] == true);
    CHECK(j["fiokit"]["snapshot_timestamp_ms"] == kTime * 1000 + 10);
  }
  CHECK(nlohmann::json::parse(read_text(w.path() + "/repeats/3/results.json"))["fiokit"]["repeat"] == "3/3");
  CHECK(w.failures().empty());
}
