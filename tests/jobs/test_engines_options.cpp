// Issue 15, part "engines", in the option table: fill_device (alias fill_fs)
// parses as fio 3.33 reads it, and the jobs fio cannot run sensibly without
// size= are refused with the option's file:line.
#include <catch2/catch.hpp>

#include "jobs/parse.hpp"
#include "test_expander.hpp"

using namespace fiokit::jobs;

using fiokit::test::parse_error_of;
using fiokit::test::parse_job_text;

TEST_CASE("fill_device and its alias fill_fs") {
  auto r = parse_job_text("[global]\nbs=4k\n[a]\nrw=write\nfill_device=1\n[b]\nrw=read\nfill_fs=1\n[c]\nrw=write\nsize=1m\n");
  REQUIRE(r.jobs.size() == 3);
  CHECK(r.jobs[0].fill_device);
  CHECK(r.jobs[1].fill_device);
  CHECK_FALSE(r.jobs[2].fill_device);  // fio's default
  CHECK(r.warnings.empty());
  CHECK_THAT(parse_error_of("[a]\nfill_device=2\n"), Catch::Contains("fill_device") && Catch::Contains("t.fio:2"));
}

TEST_CASE("fill_device without size= only for a sequential writer or a reader") {
  CHECK_THAT(parse_error_of("[a]\nrw=randwrite\nfill_device=1\n"), Catch::Contains("random writes needs size=") && Catch::Contains("t.fio:3"));
  CHECK_THAT(parse_error_of("[a]\nfill_device=1\nrw=rw\n"), Catch::Contains("write or a read job only") && Catch::Contains("t.fio:2"));
  CHECK_THAT(parse_error_of("[a]\nrw=randtrim\nfill_fs=1\n"), Catch::Contains("t.fio:3"));
  CHECK_THAT(parse_error_of("[a]\nrw=trimwrite\nfill_fs=1\n"), Catch::Contains("size="));
  // A size, a filesize or a percentage bounds the region: fine.
  CHECK(parse_error_of("[a]\nrw=randwrite\nfill_device=1\nsize=4m\n").empty());
  CHECK(parse_error_of("[a]\nrw=randrw\nfill_device=1\nfilesize=4m\n").empty());
  CHECK(parse_error_of("[a]\nrw=randread\nfill_device=1\n").empty());
  CHECK(parse_error_of("[a]\nrw=write\nfill_device=1\n").empty());
}
