// experimental_verify and create_serialize (issue 16, part xverify): the
// values fio 3.33 takes, no warning, and the experimental_verify jobs fiokit
// refuses with the option's file:line because it would not match fio.
#include <catch2/catch.hpp>

#include "test_expander.hpp"

using namespace fiokit;

TEST_CASE("experimental_verify and create_serialize parse, with fio's defaults") {
  const auto d = test::parse_job_text("[a]\nrw=write\n");
  CHECK_FALSE(d.jobs.at(0).experimental_verify);
  CHECK(d.jobs.at(0).create_serialize);
  const auto p = test::parse_job_text("[a]\nrw=write\nverify=md5\nexperimental_verify=1\ncreate_serialize=0\n");
  CHECK(p.warnings.empty());
  CHECK(p.jobs.at(0).experimental_verify);
  CHECK_FALSE(p.jobs.at(0).create_serialize);
}

TEST_CASE("experimental_verify refuses what fiokit would not replay as fio does") {
  const std::string base = "[a]\nverify=md5\nexperimental_verify=1\n";
  for (const char* extra : {"rw=randtrimwrite\n", "rw=write\nverify_only=1\n", "rw=write\nrandrepeat=0\n", "rw=write\nnumber_ios=8\n",
                            "rw=randwrite\nnorandommap=1\nioengine=libaio\niodepth=4\n"}) {
    INFO(extra);
    CHECK_THAT(test::parse_error_of(base + extra),
               Catch::StartsWith("unsupported by fiokit: experimental_verify=1 with") && Catch::Contains("t.fio:3"));
  }
  // Where it changes nothing it is never refused: no verify, or a read job.
  CHECK(test::parse_error_of("[a]\nrw=write\nexperimental_verify=1\nnumber_ios=8\n").empty());
  CHECK(test::parse_error_of("[a]\nrw=read\nverify=md5\nexperimental_verify=1\nrandrepeat=0\n").empty());
  // norandommap at depth 1, or sequential at any depth, replays as in fio.
  CHECK(test::parse_error_of(base + "rw=randwrite\nnorandommap=1\n").empty());
  CHECK(test::parse_error_of(base + "rw=write\nioengine=libaio\niodepth=4\n").empty());
}
