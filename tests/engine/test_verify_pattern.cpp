// verify=pattern (issue 16, part vpat): fio 3.33's "strict pattern" blocks are
// verify_pattern alone, no header, the pattern restarting at each I/O and %o
// pieces carrying the I/O's offset; a read of a file of the pattern passes,
// and a changed byte ends the job with EILSEQ after the reads before it.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/verify.hpp"
#include "engine_test_util.hpp"

using namespace fiokit;

namespace {
jobs::JobSpec pattern_job(std::vector<uint8_t> pat, std::vector<uint32_t> offs = {}, uint64_t bs = 4096) {
  jobs::JobSpec j;
  j.rw = jobs::RwMode::write;
  j.bs = {{bs, bs, bs}};
  j.verify = jobs::VerifyKind::pattern;
  j.verify_pattern = std::move(pat);
  j.verify_pattern_offsets = std::move(offs);
  return j;
}
}  // namespace

TEST_CASE("verify=pattern blocks hold the pattern only, restarting at each block as fio writes them") {
  auto j = pattern_job({'a', 'b', 'c'});
  j.verify_interval = 1024;  // does not restart the pattern inside a block (fio fills the whole buffer)
  engine::Verifier v;
  std::string why;
  REQUIRE(v.init(j, &why));
  std::vector<uint8_t> b(4096);
  v.make_block(b.data(), 4096, 4096, 99);
  for (size_t i = 0; i < b.size(); ++i) REQUIRE(b[i] == "abc"[i % 3]);
  std::string what;
  CHECK(v.check_block(b.data(), 4096, 4096, &what) == 0);
  CHECK(v.check_block(b.data(), 4096, 81920, &what) == 0);  // no header: any offset holds the same bytes
  b[2048 + 100] = 'x';
  REQUIRE(v.check_block(b.data(), 4096, 4096, &what) == EILSEQ);
  CHECK_THAT(what, Catch::Contains("got pattern '78', wanted '") && Catch::Contains("bad pattern block offset 100") &&
                       Catch::Contains("verify failed at offset 6144, length 1024"));
}

TEST_CASE("verify=pattern puts the block's offset where %o stands, little-endian") {
  // verify_pattern=0x11%o: 9 bytes, the 8 after 0x11 the I/O's offset.
  auto j = pattern_job({0x11, 0, 0, 0, 0, 0, 0, 0, 0}, {1});
  engine::Verifier v;
  std::string why;
  REQUIRE(v.init(j, &why));
  std::vector<uint8_t> b(4096);
  v.make_block(b.data(), 4096, 0x1234000, 0);
  const std::vector<uint8_t> want = {0x11, 0x00, 0x40, 0x23, 0x01, 0, 0, 0, 0, 0x11, 0x00, 0x40};
  CHECK(std::vector<uint8_t>(b.begin(), b.begin() + 12) == want);
  CHECK(b[4095] == want[4095 % 9]);
  std::string what;
  CHECK(v.check_block(b.data(), 4096, 0x1234000, &what) == 0);
  CHECK(v.check_block(b.data(), 4096, 0x1235000, &what) == EILSEQ);  // a misplaced block shows with %o
  // A %o cut short by the pattern's end keeps only its first bytes.
  auto k = pattern_job({0x22, 0, 0}, {1});
  REQUIRE(v.init(k, &why));
  v.make_block(b.data(), 8, 0x0605, 0);
  CHECK(std::vector<uint8_t>(b.begin(), b.begin() + 8) == std::vector<uint8_t>{0x22, 0x05, 0x06, 0x22, 0x05, 0x06, 0x22, 0x05});
}

TEST_CASE("verify=pattern takes blocks below a header's size; header kinds keep the header with a pattern") {
  engine::Verifier v;
  std::string why;
  REQUIRE(v.init(pattern_job({0x5a}, {}, 64), &why));
  std::vector<uint8_t> b(64);
  v.make_block(b.data(), 64, 0, 0);
  CHECK(std::all_of(b.begin(), b.end(), [](uint8_t c) { return c == 0x5a; }));
  auto m = pattern_job({0x5a});
  m.verify = jobs::VerifyKind::md5;
  REQUIRE(v.init(m, &why));
  std::vector<uint8_t> h(4096);
  v.make_block(h.data(), 4096, 0, 0);
  CHECK(h[0] != 0x5a);  // fiokit's header first, as fio keeps its own header for md5
  CHECK(h[4095] == 0x5a);
}

namespace {
void write_file(const std::string& path, const std::vector<uint8_t>& data) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()));
  ::close(fd);
}
}  // namespace

TEST_CASE("a read job with verify=pattern passes on a file of the pattern and stops at a changed block") {
  test::TempDir d;
  std::vector<uint8_t> data(64 * 1024, 0x5a);
  write_file(d.path + "/p.dat", data);
  auto j = test::make_job("psync", jobs::RwMode::read, d.path, 64 * 1024, 4096);
  j.filenames = {"p.dat"};
  j.verify = jobs::VerifyKind::pattern;
  j.verify_pattern = {0x5a};
  auto r = test::run_one(j);
  INFO(r.jobs.at(0).error_message);
  CHECK(r.jobs.at(0).error == 0);
  CHECK(r.jobs.at(0).dirs[0].total_ios == 16);
  // fio 3.33 on the same file with byte 100 of block 5 changed: error 84 after 6 reads.
  data[5 * 4096 + 100] = 0x5b;
  write_file(d.path + "/p.dat", data);
  r = test::run_one(j);
  CHECK(r.jobs.at(0).error == EILSEQ);
  CHECK(r.jobs.at(0).dirs[0].total_ios == 6);
  CHECK_THAT(r.jobs.at(0).error_message, Catch::Contains("got pattern '5b', wanted '5a'") && Catch::Contains("offset 20480"));
}

TEST_CASE("a write job with verify=pattern leaves a file of the pattern and reads it all back") {
  test::TempDir d;
  auto j = test::make_job("psync", jobs::RwMode::randwrite, d.path, 64 * 1024, 4096);
  j.filenames = {"w.dat"};
  j.verify = jobs::VerifyKind::pattern;
  j.verify_pattern = {'a', 'b', 'c'};
  const auto r = test::run_one(j);
  INFO(r.jobs.at(0).error_message);
  REQUIRE(r.jobs.at(0).error == 0);
  CHECK(r.jobs.at(0).dirs[0].total_ios == 16);
  CHECK(r.jobs.at(0).dirs[1].total_ios == 16);
  std::vector<uint8_t> got(64 * 1024);
  const int fd = ::open((d.path + "/w.dat").c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  REQUIRE(::read(fd, got.data(), got.size()) == static_cast<ssize_t>(got.size()));
  ::close(fd);
  for (size_t i = 0; i < got.size(); ++i) REQUIRE(got[i] == "abc"[(i % 4096) % 3]);
}

TEST_CASE("experimental_verify with verify=pattern has no numberio to fail a rewritten block, as in fio") {
  test::TempDir d;
  auto j = test::make_job("psync", jobs::RwMode::randwrite, d.path, 64 * 1024, 4096);
  j.filenames = {"x.dat"};
  j.verify = jobs::VerifyKind::pattern;
  j.verify_pattern = {0x5a};
  j.experimental_verify = true;
  j.norandommap = true;  // rewrites blocks: with a header kind the replay fails with EILSEQ
  const auto r = test::run_one(j);
  INFO(r.jobs.at(0).error_message);
  CHECK(r.jobs.at(0).error == 0);
  CHECK(r.jobs.at(0).dirs[0].total_ios == 16);
  j.verify = jobs::VerifyKind::meta;  // the same job with a header: the numberio check still applies
  CHECK(test::run_one(j).jobs.at(0).error == EILSEQ);
}
