// Issue 15 "misc" in the engine: continue_on_error / ignore_error on a target
// that fails every write (/dev/full: ENOSPC, no root needed), and exitall
// with exit_what (which jobs one finishing job stops). The figures asserted
// are fio 3.33's on the same jobs (tests/fidelity/cases_misc.py compares
// them with the installed fio).
#include <cerrno>
#include <chrono>

#include "engine_test_util.hpp"

using namespace fiokit;
using jobs::RwMode;
using test::make_job;
using test::run_one;

namespace {

jobs::JobSpec dev_full_writer() {
  auto j = make_job("psync", RwMode::write, "", 64 * 1024);
  j.directories.clear();
  j.filenames = {"/dev/full"};
  return j;
}

bool have_dev_full() { return ::access("/dev/full", W_OK) == 0; }

}  // namespace

TEST_CASE("continue_on_error=write with ignore_error=,ENOSPC runs every write and counts each failure") {
  if (!have_dev_full()) {
    WARN("skipped: /dev/full is not writable here");
    return;
  }
  auto j = dev_full_writer();
  j.continue_on_error = 2;
  j.ignore_error[1] = {ENOSPC};
  const auto r = run_one(j);
  const auto& res = r.jobs.at(0);
  // fio 3.33: total_ios=16, io_bytes=0, total_err=16, first_error=28, error=28, exit 0.
  CHECK(res.dirs[1].total_ios == 16);
  CHECK(res.dirs[1].io_bytes == 0);
  CHECK(res.dirs[1].clat.count() == 0);
  CHECK(res.total_err == 16);
  CHECK(res.first_error == ENOSPC);
  CHECK(res.error == ENOSPC);
  CHECK(res.error_ignored);
  CHECK(res.continue_on_error);
}

TEST_CASE("without a list, continue_on_error lets only EIO and EILSEQ pass: ENOSPC stops the job") {
  if (!have_dev_full()) {
    WARN("skipped: /dev/full is not writable here");
    return;
  }
  auto j = dev_full_writer();
  j.continue_on_error = 7;
  const auto r = run_one(j);
  const auto& res = r.jobs.at(0);
  CHECK(res.error == ENOSPC);
  CHECK_FALSE(res.error_ignored);
  CHECK(res.total_err == 1);  // fio counts the fatal one too when the type's bit is set
  CHECK(res.first_error == ENOSPC);
  // A read list does not cover writes.
  j.ignore_error[0] = {ENOSPC};
  j.continue_on_error = 1;
  const auto r2 = run_one(j);
  CHECK(r2.jobs.at(0).total_err == 0);
  CHECK(r2.jobs.at(0).error == ENOSPC);
  CHECK_FALSE(r2.jobs.at(0).error_ignored);
}

TEST_CASE("exit_what: group stops the group, stonewall every running job, all also the later segments") {
  test::TempDir d;
  auto mk = [&](const char* name, int index, int group) {
    auto j = make_job("null", RwMode::read, d.path, 1 << 20);
    j.name = name;
    j.job_index = index;
    j.group_id = group;
    j.exitall = true;
    return j;
  };
  for (auto what : {jobs::ExitWhat::group, jobs::ExitWhat::stonewall, jobs::ExitWhat::all}) {
    auto shortj = mk("short", 0, 0);
    shortj.rate_iops = {{100, 100, 100}};
    shortj.number_ios = 20;
    shortj.exit_what = what;
    auto longj = mk("long", 1, 0);
    longj.time_based = true;
    longj.runtime_us = 1'000'000;
    longj.rate_iops = {{1000, 1000, 1000}};
    auto other = longj;
    other.name = "other";
    other.job_index = 2;
    other.group_id = 1;
    other.new_group = true;
    auto next = mk("next", 3, 2);
    next.stonewall = true;
    next.number_ios = 50;
    const auto r = engine::run_jobs({shortj, longj, other, next}, {});
    INFO("exit_what=" << static_cast<int>(what));
    CHECK(r.jobs[0].dirs[0].total_ios == 20);
    CHECK(r.jobs[1].dirs[0].total_ios < 500);  // stopped with short in every mode
    if (what == jobs::ExitWhat::group) CHECK(r.jobs[2].dirs[0].total_ios > 800);  // another group: runs its second
    else CHECK(r.jobs[2].dirs[0].total_ios < 500);
    CHECK(r.jobs[3].dirs[0].total_ios == (what == jobs::ExitWhat::all ? 0u : 50u));
  }
}
