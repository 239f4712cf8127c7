// The verify options of issue 15, part "verify", as the parser reads them:
// verify_async (a count of threads, fio's default 0) and verify_async_cpus
// (cpus_allowed's list syntax), with errors that name the file and line.
#include <catch2/catch.hpp>

#include "jobs/options.hpp"
#include "jobs/parse.hpp"
#include "test_expander.hpp"

using namespace fiokit::jobs;

using fiokit::test::parse_jobs;

TEST_CASE("verify_async and verify_async_cpus") {
  auto j = parse_jobs("[a]\nverify=md5\n")[0];
  CHECK(j.verify_async == 0);
  CHECK(j.verify_async_cpus.empty());
  j = parse_jobs("[a]\nverify=md5\nverify_async=4\nverify_async_cpus=0,2-3\n")[0];
  CHECK(j.verify_async == 4);
  CHECK(j.verify_async_cpus == std::vector<int>{0, 2, 3});
  CHECK_THROWS_WITH(parse_jobs("[a]\nverify_async=-1\n"), Catch::Contains("verify_async") && Catch::Contains("t.fio:2"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nverify_async_cpus=3-1\n"), Catch::Contains("verify_async_cpus") && Catch::Contains("t.fio:2"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nverify_async_cpus=0,,1\n"), Catch::Contains("t.fio:2"));
}
