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

#include <fstream>
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

TEST_CASE("a plan that is not the jobs' is refused") {
  test::TempDir d("plan");
  const std::vector<jobs::JobSpec> jobs{test::make_job("null", RwMode::read, d.path)};
  const volumes::RunPlan empty;
  CHECK_THROWS_AS(engine::run_jobs(jobs, empty, {}), std::invalid_argument);
  CHECK_THROWS_AS(volumes::preflight(jobs, empty, {}), std::invalid_argument);
}
