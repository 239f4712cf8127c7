// The I/O-log options (jobs/option_table_iolog.cpp): their values as fio 3.33
// takes them, fio's defaults, and the refusals fiokit adds (write_iolog with
// read_iolog, a log on stdin, replay_align not a power of 2, an unknown
// replay_skip kind), each naming the option and the job file's line.
#include <catch2/catch.hpp>

#include "jobs/options.hpp"
#include "jobs/parse.hpp"
#include "test_expander.hpp"

using namespace fiokit::jobs;

using fiokit::test::one_job;
using fiokit::test::option_error_of;

TEST_CASE("iolog options: values and fio's defaults", "[iolog]") {
  const JobSpec d = one_job("size=1m");
  CHECK(d.write_iolog.empty());
  CHECK(d.read_iolog.empty());
  CHECK(d.replay_time_scale == 100);
  CHECK(d.replay_scale == 1);
  CHECK(d.replay_align == 0);
  CHECK(d.replay_skip == 0);
  CHECK_FALSE(d.replay_no_stall);
  const JobSpec r = one_job("read_iolog=a.log:b.log\nreplay_no_stall=1\nreplay_time_scale=250\nreplay_redirect=/dev/null\n"
                        "replay_align=4k\nreplay_scale=8\nreplay_skip=write,sync\nread_iolog_chunked=0");
  CHECK(r.read_iolog == "a.log:b.log");
  CHECK(r.replay_no_stall);
  CHECK(r.replay_time_scale == 250);
  CHECK(r.replay_redirect == "/dev/null");
  CHECK(r.replay_align == 4096);
  CHECK(r.replay_scale == 8);
  CHECK(r.replay_skip == ((1u << 1) | 8u));
  CHECK(one_job("size=1m\nwrite_iolog=rec.log").write_iolog == "rec.log");
}

TEST_CASE("iolog options: bad values are refused with the line", "[iolog]") {
  CHECK_THAT(option_error_of("size=1m\nwrite_iolog=w.log\nread_iolog=r.log"),
             Catch::Contains("write_iolog cannot be used with read_iolog") && Catch::Contains("t.fio:3"));
  CHECK_THAT(option_error_of("read_iolog=-"), Catch::Contains("unsupported by fiokit: read_iolog=-") && Catch::Contains("t.fio:2"));
  CHECK_THAT(option_error_of("read_iolog=a::b"), Catch::Contains("empty name"));
  CHECK_THAT(option_error_of("read_iolog=a\nreplay_align=3000"), Catch::Contains("not a power of 2") && Catch::Contains("t.fio:3"));
  CHECK_THAT(option_error_of("read_iolog=a\nreplay_skip=read,flush"), Catch::Contains("'flush' is not an I/O kind"));
  CHECK_THAT(option_error_of("read_iolog=a\nreplay_time_scale=0"), Catch::Contains("below the minimum 1"));
  CHECK_THAT(option_error_of("size=1m\nwrite_iolog="), Catch::Contains("needs a file name"));
}
