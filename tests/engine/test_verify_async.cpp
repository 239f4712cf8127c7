// verify_async: the checker threads alone (VerifyPool finds the one bad
// block among good ones), then real jobs: a write+verify job checked on two
// threads counts what inline verify counts, and a changed block ends a read
// job as fio 3.33's does: after 6 reads with psync, one read later (7) with
// an engine that queues.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "engine/verify.hpp"
#include "engine/verify_pool.hpp"
#include "engine_test_util.hpp"

using namespace fiokit;

TEST_CASE("the verify_async threads report exactly the bad block") {
  jobs::JobSpec spec;
  spec.rw = jobs::RwMode::write;
  spec.bs = {{4096, 4096, 4096}};
  spec.verify = jobs::VerifyKind::sha256;
  engine::Verifier v;
  std::string why;
  REQUIRE(v.init(spec, &why));
  engine::VerifyPool pool;
  REQUIRE(pool.start(v, 3, {}).empty());
  std::vector<uint8_t> b(4096);
  for (uint64_t i = 0; i < 64; ++i) {
    v.make_block(b.data(), 4096, i * 4096, 1000 + i);
    if (i == 37) b[2000] ^= 1;
    pool.submit(b.data(), 4096, i * 4096, 0);
  }
  pool.wait_at_most(0);
  CHECK(pool.checked() == 64);
  const auto f = pool.take_failures();
  REQUIRE(f.size() == 1);
  CHECK(f[0].offset == 37 * 4096);
  CHECK(f[0].received.size() == 4096);
  CHECK_THAT(f[0].what, Catch::Contains("checksum mismatch"));
  CHECK_FALSE(pool.has_failures());
}

TEST_CASE("a verify_async job counts what inline verify counts; a bad block ends it where fio ends it") {
  test::TempDir d;
  auto w = test::make_job("psync", jobs::RwMode::randwrite, d.path, 256 * 1024, 4096);
  w.filenames = {"a.dat"};
  w.verify = jobs::VerifyKind::md5;
  w.verify_async = 2;
  w.verify_backlog = 8;
  const auto r = test::run_one(w);
  INFO(r.jobs.at(0).error_message);
  REQUIRE(r.jobs.at(0).error == 0);
  CHECK(r.jobs[0].dirs[0].total_ios == 64);
  CHECK(r.jobs[0].dirs[1].total_ios == 64);

  const std::string path = d.path + "/a.dat";
  const int fd = ::open(path.c_str(), O_WRONLY);
  REQUIRE(fd >= 0);
  const char junk = 0x5a;
  REQUIRE(::pwrite(fd, &junk, 1, 5 * 4096 + 3000) == 1);
  ::close(fd);
  auto rd = w;
  rd.rw = jobs::RwMode::read;
  rd.verify_backlog = 0;
  rd.verify_async = 1;
  const auto a = test::run_one(rd);
  CHECK(a.jobs.at(0).error == EILSEQ);
  CHECK(a.jobs[0].dirs[0].total_ios == 6);
  CHECK_THAT(a.jobs[0].error_message, Catch::Contains("20480"));
  if (test::engine_unavailable("libaio").empty()) {
    auto q = rd;
    q.ioengine = "libaio";
    const auto l = test::run_one(q);
    CHECK(l.jobs.at(0).error == EILSEQ);
    CHECK(l.jobs[0].dirs[0].total_ios == 7);
  }
  rd.verify_async = 0;
  const auto inl = test::run_one(rd);
  CHECK(inl.jobs.at(0).error == EILSEQ);
  CHECK(inl.jobs[0].dirs[0].total_ios == 6);
}
