// The flow part of issue 15 in the option table: flow_id, flow, flow_sleep,
// flow_watermark and serialize_overlap parse as fio 3.33 reads them, and
// what fiokit refuses (negative or too large weights) is refused with the
// option and the line.
#include <catch2/catch.hpp>

#include "jobs/parse.hpp"
#include "test_expander.hpp"

using namespace fiokit::jobs;

using fiokit::test::parse_error_of;
using fiokit::test::parse_job_text;

TEST_CASE("flow options parse per job, from [global] and from the job") {
  auto r = parse_job_text("[global]\nflow_id=3\nflow_sleep=1000\n[a]\nflow=1\n[b]\nflow=8\nflow_sleep=0\n[c]\n");
  REQUIRE(r.jobs.size() == 3);
  CHECK(r.jobs[0].flow_id == 3);
  CHECK(r.jobs[0].flow == 1);
  CHECK(r.jobs[0].flow_sleep_us == 1000);
  CHECK(r.jobs[1].flow == 8);
  CHECK(r.jobs[1].flow_sleep_us == 0);
  CHECK(r.jobs[2].flow == 0);  // fio's default: not flow controlled
  CHECK(r.warnings.empty());
}

TEST_CASE("flow weights outside 0..1000 are refused with the line") {
  // fio 3.33 reads flow=-8 as 4294967288 (its old signed semantics are gone)
  // and then starves every other job of the flow; fiokit says so instead.
  CHECK_THAT(parse_error_of("[a]\nflow_id=1\nflow=-8\n"), Catch::Contains("flow") && Catch::Contains("t.fio:3") && Catch::Contains("negative"));
  CHECK_THAT(parse_error_of("[a]\nflow=1001\n"), Catch::Contains("flow") && Catch::Contains("1000"));
  CHECK(parse_error_of("[a]\nflow=1000\n").empty());
}

TEST_CASE("flow_watermark is accepted with a warning, as fio's deprecation notice") {
  auto r = parse_job_text("[a]\nflow_watermark=1024\n");
  REQUIRE(r.warnings.size() == 1);
  CHECK_THAT(r.warnings[0], Catch::Contains("flow_watermark") && Catch::Contains("deprecated"));
  CHECK_THAT(parse_error_of("[a]\nflow_watermark=lots\n"), Catch::Contains("flow_watermark"));
}

TEST_CASE("serialize_overlap is a boolean option") {
  CHECK(parse_job_text("[a]\nserialize_overlap=1\n").jobs[0].serialize_overlap);
  CHECK_FALSE(parse_job_text("[a]\nserialize_overlap=0\n").jobs[0].serialize_overlap);
  CHECK_THAT(parse_error_of("[a]\nserialize_overlap=maybe\n"), Catch::Contains("serialize_overlap"));
}
