// The latency-target options (issue 15, part latq) as the parser reads them:
// fio's defaults, times in microseconds when no unit is given (HOWTO "I/O
// latency"), the percentile as one number from 0 to 100, and the refusals
// (out of range, a list, junk) naming the option's file and line.
#include <catch2/catch.hpp>

#include "jobs/options.hpp"
#include "jobs/parse.hpp"
#include "test_expander.hpp"

using namespace fiokit::jobs;

using fiokit::test::parse_jobs;

TEST_CASE("latency target options: fio's defaults and units") {
  const JobSpec d = parse_jobs("[a]\n")[0];
  CHECK(d.latency_target_us == 0);
  CHECK(d.latency_window_us == 0);
  CHECK(d.latency_percentile == 100.0);
  CHECK_FALSE(d.latency_run);
  // A bare number is in microseconds, as in examples/latency-profile.fio
  // (500000 = 500 ms, 5000000 = 5 s).
  JobSpec j = parse_jobs("[a]\nlatency_target=500000\nlatency_window=5000000\nlatency_percentile=99.9\nlatency_run=1\n")[0];
  CHECK(j.latency_target_us == 500'000);
  CHECK(j.latency_window_us == 5'000'000);
  CHECK(j.latency_percentile == Approx(99.9));
  CHECK(j.latency_run);
  j = parse_jobs("[a]\nlatency_target=10ms\nlatency_window=2s\nlatency_percentile=0\n")[0];
  CHECK(j.latency_target_us == 10'000);
  CHECK(j.latency_window_us == 2'000'000);
  CHECK(j.latency_percentile == 0.0);
  // [global] reaches every job.
  const auto two = parse_jobs("[global]\nlatency_target=1ms\n[a]\n[b]\nlatency_target=2ms\n");
  CHECK(two[0].latency_target_us == 1000);
  CHECK(two[1].latency_target_us == 2000);
}

TEST_CASE("latency target options: refused input names the option and the line") {
  CHECK_THROWS_WITH(parse_jobs("[a]\nlatency_percentile=100.5\n"), Catch::Contains("0 to 100") && Catch::Contains("t.fio:2"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nlatency_percentile=-1\n"), Catch::Contains("0 to 100") && Catch::Contains("t.fio:2"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nlatency_percentile=99:98\n"), Catch::Contains("one percentile") && Catch::Contains("t.fio:2"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nlatency_percentile=high\n"), Catch::Contains("t.fio:2"));
  CHECK_THROWS_WITH(parse_jobs("[a]\n\nlatency_target=5furlongs\n"), Catch::Contains("latency_target") && Catch::Contains("t.fio:3"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nlatency_window=-5\n"), Catch::Contains("latency_window") && Catch::Contains("t.fio:2"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nlatency_run=yes\n"), Catch::Contains("latency_run") && Catch::Contains("t.fio:2"));
}

TEST_CASE("latency target options: --cmdhelp describes them from the table") {
  const std::string h = fiokit::test::catalog().cmdhelp("latency_percentile");
  CHECK_THAT(h, Catch::Contains("latency_percentile") && Catch::Contains("100"));
  CHECK_THAT(fiokit::test::catalog().cmdhelp("latency_target"), Catch::Contains("microseconds"));
  CHECK(find_option("latency_run")->support == Support::supported);
}
