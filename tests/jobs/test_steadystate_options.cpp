// The steady-state options (issue 15, part ss) as the parser reads them: the
// criterion and its limit (absolute IOPS, bytes/s with units, or percent),
// fio's default criterion when only ss_dur is given, ss_dur in whole seconds,
// the errors for what fio would silently bend, and fio's rule that the jobs
// of one group agree on their steady-state settings.
#include <catch2/catch.hpp>

#include "jobs/options.hpp"
#include "jobs/parse.hpp"
#include "test_expander.hpp"

using namespace fiokit::jobs;

using fiokit::test::parse_jobs;

TEST_CASE("steadystate: criterion and limit, in the forms fio's suite writes them") {
  auto j = parse_jobs("[a]\nss=iops:10\nss_dur=10s\nss_ramp=5\n")[0].ss;
  CHECK((j.iops && !j.slope && !j.pct && j.limit == 10.0));
  CHECK(j.dur_s == 10);
  CHECK(j.ramp_us == 5'000'000);
  j = parse_jobs("[a]\nsteadystate=iops_slope:.1%\nsteadystate_duration=2\n")[0].ss;
  CHECK((j.iops && j.slope && j.pct && j.limit == Approx(0.1)));
  j = parse_jobs("[a]\nss=bw:12\nss_dur=1m\n")[0].ss;
  CHECK((!j.iops && !j.slope && !j.pct && j.limit == 12.0));
  CHECK(j.dur_s == 60);
  // A bandwidth limit is a size per second: 10m is 10 MiB/s with kb_base=1024.
  j = parse_jobs("[a]\nss=bw_slope:10m\nss_dur=5\n")[0].ss;
  CHECK((!j.iops && j.slope && j.limit == 10.0 * 1024 * 1024));
  // Only ss_dur: fio's default criterion, iops_slope:0.01%.
  j = parse_jobs("[a]\nss_dur=3\n")[0].ss;
  CHECK((j.iops && j.slope && j.pct && j.limit == Approx(0.01) && j.enabled()));
  CHECK_FALSE(parse_jobs("[a]\nss=iops:5%\n")[0].ss.enabled());  // no ss_dur: off, as fio
}

TEST_CASE("steadystate: refused input names the option and the line") {
  CHECK_THROWS_WITH(parse_jobs("[a]\nss=iops\nss_dur=2\n"), Catch::Contains("no limit") && Catch::Contains("t.fio:2"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nss=iops_mean:5%\n"), Catch::Contains("iops_slope") && Catch::Contains("t.fio:2"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nss=iops:5x%\n"), Catch::Contains("t.fio:2"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nss=iops:-1\n"), Catch::Contains(">= 0"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nss_dur=1500ms\n"), Catch::Contains("whole number of seconds") && Catch::Contains("t.fio:2"));
}

TEST_CASE("steadystate: the jobs of one group must agree (fio rejects the job otherwise)") {
  CHECK_THROWS_WITH(parse_jobs("[a]\nss=iops:5%\nss_dur=2\n[b]\n"),
                    Catch::Contains("job 'b'") && Catch::Contains("job 'a'") && Catch::Contains("t.fio:4"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nss=iops:5%\nss_dur=2\n[b]\nss=iops:6%\nss_dur=2\n"), Catch::Contains("same group"));
  // Clones agree; a new group may differ.
  CHECK(parse_jobs("[a]\nss=iops:5%\nss_dur=2\nnumjobs=3\n[b]\nnew_group\n").size() == 4);
  CHECK(parse_jobs("[global]\nss=iops:5%\nss_dur=2\n[a]\n[b]\n").size() == 2);
}

// fio's t/steadystate_tests.py runs --stonewall --numjobs=3 --group_reporting:
// fio 3.33 clears stonewall on the clones, so the three run together and are
// judged as one group; fiokit ran them one after another (3 x runtime).
TEST_CASE("stonewall with numjobs: only the first clone carries it, so the clones run together") {
  auto jobs = parse_jobs("[a]\nstonewall\nnumjobs=3\n[b]\nstonewall\n");
  REQUIRE(jobs.size() == 4);
  CHECK(jobs[0].stonewall);
  CHECK_FALSE(jobs[1].stonewall);
  CHECK_FALSE(jobs[2].stonewall);
  CHECK(jobs[3].stonewall);
  CHECK(jobs[2].group_id == jobs[0].group_id);
}
