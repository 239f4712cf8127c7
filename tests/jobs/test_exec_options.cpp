// Issue 15, part "exec", in the option table and the engine traits table:
// exec_prerun / exec_postrun parse into the job (a ';' starts a comment as in
// fio 3.33, so "a; b" keeps "a"), and the traits every stage reads say which
// engines move no bytes, hold no descriptor, fake their I/O or may offload.
#include <catch2/catch.hpp>

#include "jobs/engine_traits.hpp"
#include "jobs/parse.hpp"
#include "test_expander.hpp"

using namespace fiokit::jobs;

using fiokit::test::parse_error_of;
using fiokit::test::parse_job_text;

TEST_CASE("exec_prerun and exec_postrun are job options, per job, as written") {
  auto r = parse_job_text("[global]\nsize=1m\nexec_postrun=echo done\n[a]\nexec_prerun=sh -c 'echo pre >&2'\n[b]\nexec_prerun=echo x; echo y\n");
  REQUIRE(r.jobs.size() == 2);
  CHECK(r.jobs[0].exec_prerun == "sh -c 'echo pre >&2'");
  CHECK(r.jobs[0].exec_postrun == "echo done");
  CHECK(r.jobs[1].exec_prerun == "echo x");  // fio 3.33: `;` starts a comment (measured: its JSON shows "echo x")
  CHECK(r.warnings.empty());
  CHECK(parse_job_text("[a]\nsize=1m\n").jobs[0].exec_prerun.empty());
}

TEST_CASE("the engine traits table: one row per engine fiokit runs") {
  CHECK(engine_traits("cpuio").no_bytes);
  CHECK(engine_traits("exec").no_bytes);
  CHECK_FALSE(engine_traits("null").no_bytes);
  CHECK(engine_traits("null").fakes_io);
  CHECK_FALSE(engine_traits("psync").fakes_io);
  for (const char* e : {"null", "filecreate", "filestat", "filedelete", "cpuio", "exec"}) {
    INFO(e);
    CHECK_FALSE(engine_traits(e).needs_fds);
  }
  for (const char* e : {"psync", "sync", "pvsync", "libaio", "io_uring", "posixaio", "ftruncate", "falloc"}) {
    INFO(e);
    CHECK(engine_traits(e).needs_fds);
    CHECK_FALSE(engine_traits(e).diskless);
  }
  for (const char* e : {"filecreate", "filestat", "filedelete"}) CHECK(engine_traits(e).file_ops);
  for (const char* e : {"io_uring", "filecreate", "cpuio", "exec"}) CHECK_FALSE(engine_traits(e).offload);
  CHECK(engine_traits("libaio").offload);
  // An engine fiokit only parses (or does not know) gets a plain file engine's.
  CHECK(engine_traits("rdma").needs_fds);
  CHECK_FALSE(engine_traits("no-such-engine").diskless);
}

TEST_CASE("engines that move no bytes need runtime= or number_ios=") {
  CHECK_THAT(parse_error_of("[a]\nioengine=cpuio\n"), Catch::Contains("ioengine=cpuio needs runtime= or number_ios="));
  CHECK_THAT(parse_error_of("[a]\nioengine=exec\n"), Catch::Contains("ioengine=exec needs runtime= or number_ios=") && Catch::Contains("t.fio:2"));
}
