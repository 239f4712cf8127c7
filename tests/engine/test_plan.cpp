// Files are planned once per run (issue 13 item 8): engine::plan_run makes the
// plan, preflight checks it, and run_jobs lays out and uses exactly that plan.
// Before, preflight, the volume report and the engine each planned again, so a
// file that appeared or grew between the checks and the run made the run use
// regions nobody had checked. These tests change the disk between planning and
// running and assert the run follows the plan; the control runs show the
// change would have mattered to a run that planned again.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "engine_test_util.hpp"
#include "volumes/device_info.hpp"
#include "volumes/preflight.hpp"

using namespace fiokit;
using jobs::RwMode;

namespace {

// A user's file of `len` bytes of non-zero data (no fiokit marker).
void write_user_file(const std::string& path, uint64_t len) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  const std::string block(4096, 'u');
  for (uint64_t done = 0; done < len; done += block.size()) f.write(block.data(), static_cast<std::streamsize>(block.size()));
  REQUIRE(f.good());
}

// A read job over a whole existing file: no size=, so its region is the
// file's length at planning time.
jobs::JobSpec whole_file_reader(const std::string& path) {
  jobs::JobSpec j;
  j.name = "reader";
  j.ioengine = "psync";
  j.rw = RwMode::read;
  j.size = 0;
  j.bs = {{4096, 4096, 4096}};
  j.filenames = {path};
  return j;
}

}  // namespace

TEST_CASE("run_jobs uses the planned region: a file that grows after preflight changes nothing") {
  test::TempDir d("plan");
  const std::string path = d.path + "/data";
  write_user_file(path, 64 * 1024);
  const std::vector<jobs::JobSpec> jobs{whole_file_reader(path)};

  const volumes::RunPlan plan = engine::plan_run(jobs);
  REQUIRE(plan.size() == 1);
  REQUIRE(plan[0].err == 0);
  REQUIRE(plan[0].targets.size() == 1);
  CHECK(plan[0].targets[0].size == 64 * 1024);
  CHECK(volumes::preflight(jobs, plan, {}).empty());

  write_user_file(path, 1024 * 1024);  // between preflight and the run

  const results::RunResult r = engine::run_jobs(jobs, plan, {});
  REQUIRE(r.jobs.size() == 1);
  CHECK(r.jobs[0].error == 0);
  CHECK(r.jobs[0].dirs[0].io_bytes == 64 * 1024);
  CHECK(r.jobs[0].dirs[0].total_ios == 16);

  // Control: a run that plans for itself now sees the grown file.
  const results::RunResult fresh = engine::run_jobs(jobs, {});
  CHECK(fresh.jobs[0].dirs[0].io_bytes == 1024 * 1024);
}

TEST_CASE("a plan that failed is the job's error at run time, not planned again") {
  test::TempDir d("plan");
  const std::string path = d.path + "/later";
  const std::vector<jobs::JobSpec> jobs{whole_file_reader(path)};

  // No file and no size=: the plan fails, and preflight says so.
  const volumes::RunPlan plan = engine::plan_run(jobs);
  REQUIRE(plan[0].err == EINVAL);
  CHECK_THAT(plan[0].error, Catch::Contains("no size"));
  const auto problems = volumes::preflight(jobs, plan, {});
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0].what, Catch::Contains("no size"));
  CHECK(volumes::volume_extras(jobs, plan).empty());

  write_user_file(path, 64 * 1024);  // appears after the plan was made

  const results::RunResult r = engine::run_jobs(jobs, plan, {});
  CHECK(r.jobs[0].error == EINVAL);
  CHECK_THAT(r.jobs[0].error_message, Catch::Contains("job 'reader'") && Catch::Contains("no size"));
  CHECK(r.jobs[0].dirs[0].total_ios == 0);

  // Control: planned now, the file is there and the job reads it.
  CHECK(engine::run_jobs(jobs, {}).jobs[0].dirs[0].io_bytes == 64 * 1024);
}

TEST_CASE("plan_run asks the engines which jobs are diskless; preflight and the reports skip those") {
  test::TempDir d("plan");
  jobs::JobSpec null_job = test::make_job("null", RwMode::write, d.path, 1 << 20);
  null_job.filenames = {"/nonexistent-dir/never-opened"};
  const std::vector<jobs::JobSpec> jobs{null_job};
  const volumes::RunPlan plan = engine::plan_run(jobs);
  REQUIRE(plan[0].diskless);
  REQUIRE(plan[0].err == 0);
  CHECK(plan[0].targets.size() == 1);  // regions, for the offsets
  CHECK(volumes::planned_files_or_none(plan[0]).empty());
  CHECK(volumes::preflight(jobs, plan, {}).empty());
  CHECK(volumes::volume_extras(jobs, plan).empty());
  const results::RunResult r = engine::run_jobs(jobs, plan, {});
  CHECK(r.jobs[0].error == 0);
  CHECK(r.jobs[0].dirs[1].io_bytes == 1 << 20);
}

namespace {

// [w1] rw=write size=1m, then after a stonewall [w2] rw=write size=256k
// offset=50% on the same (new) file.
std::vector<jobs::JobSpec> write_then_offset_percent(const std::string& path) {
  jobs::JobSpec w1 = whole_file_reader(path);
  w1.name = "w1";
  w1.rw = RwMode::write;
  w1.size = 1024 * 1024;
  jobs::JobSpec w2 = w1;
  w2.name = "w2";
  w2.job_index = 1;
  w2.group_id = 1;
  w2.stonewall = true;
  w2.size = 256 * 1024;
  w2.offset_percent = 50;
  return {w1, w2};
}

}  // namespace

TEST_CASE("a job is planned on its files as the earlier jobs lay them out, as fio sizes them") {
  test::TempDir d("plan");
  const std::string path = d.path + "/shared";
  const auto jobs = write_then_offset_percent(path);
  const volumes::RunPlan plan = engine::plan_run(jobs);
  REQUIRE(plan[1].err == 0);
  // The file does not exist yet; w1 will lay it out at 1 MiB, so 50% is 512 KiB.
  CHECK(plan[1].targets[0].offset == 512 * 1024);
  CHECK(plan[1].targets[0].size == 256 * 1024);
  CHECK(volumes::preflight(jobs, plan, {}).empty());
  std::vector<std::vector<engine::TraceRecord>> trace;
  engine::RunOptions o;
  o.trace = &trace;
  const results::RunResult r = engine::run_jobs(jobs, plan, o);
  REQUIRE(trace.size() == 2);
  REQUIRE(trace[1].size() == 64);
  for (const auto& t : trace[1]) CHECK((t.offset >= 512 * 1024 && t.offset < 768 * 1024));

  // A reader with no size= after a writer of a new file reads what the writer
  // laid out (fio runs this job file; preflight used to call it sizeless).
  jobs::JobSpec reader = whole_file_reader(d.path + "/later");
  reader.job_index = 1;
  reader.stonewall = true;
  jobs::JobSpec writer = reader;
  writer.name = "writer";
  writer.job_index = 0;
  writer.stonewall = false;
  writer.rw = RwMode::write;
  writer.size = 128 * 1024;
  const std::vector<jobs::JobSpec> wr{writer, reader};
  const volumes::RunPlan wr_plan = engine::plan_run(wr);
  REQUIRE(wr_plan[1].err == 0);
  CHECK(wr_plan[1].targets[0].size == 128 * 1024);
  CHECK(volumes::preflight(wr, wr_plan, {}).empty());
  const results::RunResult wr_run = engine::run_jobs(wr, wr_plan, {});
  CHECK(wr_run.jobs[1].error == 0);
  CHECK(wr_run.jobs[1].dirs[0].io_bytes == 128 * 1024);
}

TEST_CASE("offset=50% behind a stonewalled writer: the region fio 3.33 writes", "[fio]") {
  if (!test::fio_available()) {
    FAIL("fio is not installed: run the [fio] cases through CTest's engine_fio entry, which skips without it");
  }
  test::TempDir d("plan");
  const std::string path = d.path + "/fio-file";
  const std::string job = d.path + "/job.fio";
  std::ofstream(job) << "[global]\nfilename=" << path << "\nbs=4k\nioengine=psync\n[w1]\nrw=write\nsize=1m\n"
                     << "[w2]\nstonewall\nrw=write\nsize=256k\noffset=50%\nbuffer_pattern=0xAA\n";
  REQUIRE(test::run_shell("fio --output=/dev/null " + job + " 2>&1"));
  // The blocks fio's w2 wrote are the ones filled with its pattern.
  std::ifstream in(path, std::ios::binary);
  const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(data.size() == 1024 * 1024);
  uint64_t first = UINT64_MAX, last = 0;
  for (uint64_t off = 0; off < data.size(); off += 4096)
    if (data.compare(off, 4096, std::string(4096, '\xaa')) == 0) first = std::min(first, off), last = off + 4096;
  const volumes::RunPlan plan = engine::plan_run(write_then_offset_percent(d.path + "/fiokit-file"));
  REQUIRE(plan[1].err == 0);
  CHECK(first == plan[1].targets[0].offset);
  CHECK(last == plan[1].targets[0].offset + plan[1].targets[0].size);
}

TEST_CASE("a plan that is not the jobs' is refused") {
  test::TempDir d("plan");
  const std::vector<jobs::JobSpec> jobs{test::make_job("null", RwMode::read, d.path)};
  const volumes::RunPlan empty;
  CHECK_THROWS_AS(engine::run_jobs(jobs, empty, {}), std::invalid_argument);
  CHECK_THROWS_AS(volumes::preflight(jobs, empty, {}), std::invalid_argument);
}
