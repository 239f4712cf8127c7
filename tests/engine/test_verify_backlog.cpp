// verify_backlog / verify_backlog_batch: the choice of the next block to read
// back, alone (VerifyBacklog), then through a real psync job whose I/O order
// is the one fio 3.33's write_iolog shows for the same job.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine/verify_backlog.hpp"
#include "engine_test_util.hpp"

using namespace fiokit;
using engine::VerifyBacklog;
using jobs::Dir;

namespace {
// Drives a VerifyBacklog as a depth-1 job does: before each I/O ask for a
// verify read, else write the next block; every I/O completes at once.
// Returns the order as "w0 w1 r0 ...".
std::string drive(VerifyBacklog& b, const std::vector<uint64_t>& offsets) {
  std::string out;
  size_t next = 0;
  for (;;) {
    VerifyBacklog::Entry e;
    if (b.next(&e)) {
      out += "r" + std::to_string(e.offset) + " ";
      b.completed(Dir::read);
      continue;
    }
    if (next == offsets.size()) break;
    const uint64_t off = offsets[next++];
    const uint64_t seq = b.log_write(0, off, 1);
    out += "w" + std::to_string(off) + " ";
    b.write_done(0, off, seq, true);
    b.completed(Dir::write);
  }
  for (const auto& e : b.take_all()) out += "r" + std::to_string(e.offset) + " ";
  return out;
}
std::vector<uint64_t> iota(uint64_t n) {
  std::vector<uint64_t> v;
  for (uint64_t i = 0; i < n; ++i) v.push_back(i);
  return v;
}
}  // namespace

TEST_CASE("verify_backlog reads back in fio 3.33's order") {
  SECTION("backlog=4: four writes, their four reads") {
    VerifyBacklog b;
    b.init(4, 0, true);
    CHECK(drive(b, iota(10)) == "w0 w1 w2 w3 r0 r1 r2 r3 w4 w5 w6 w7 r4 r5 r6 r7 w8 w9 r8 r9 ");
  }
  SECTION("a batch smaller than the backlog: then a batch after every batch of writes") {
    // fio 3.33, rw=write size=256k bs=4k verify_backlog=16 verify_backlog_batch=4:
    // w0-15 r0-3 w16-19 r4-7 ...
    VerifyBacklog b;
    b.init(6, 2, true);
    CHECK(drive(b, iota(10)) == "w0 w1 w2 w3 w4 w5 r0 r1 w6 w7 r2 r3 w8 w9 r4 r5 r6 r7 r8 r9 ");
  }
  SECTION("a batch larger than the backlog verifies each new write until it is used up") {
    // fio 3.33, randwrite verify_backlog=10 verify_backlog_batch=30: ten
    // writes, ten reads, then w r w r ... twenty times.
    VerifyBacklog b;
    b.init(2, 4, true);
    CHECK(drive(b, iota(7)) == "w0 w1 r0 r1 w2 r2 w3 r3 w4 w5 r4 r5 w6 r6 ");
  }
  SECTION("without a random map the lowest offset goes first and an overwrite replaces the old entry") {
    VerifyBacklog b;
    b.init(3, 0, false);
    CHECK(drive(b, {5, 2, 5, 9, 1, 7}) == "w5 w2 w5 w9 r2 r5 r9 w1 w7 r1 r7 ");
  }
  SECTION("after a completed read, no batch starts until the count comes round again") {
    VerifyBacklog b;
    b.init(2, 0, true);
    (void)b.log_write(0, 0, 1);
    b.write_done(0, 0, 1, true);
    b.completed(Dir::write);
    (void)b.log_write(0, 1, 1);
    b.write_done(0, 1, 2, true);
    b.completed(Dir::read);  // a normal read of rw=randrw completed last
    VerifyBacklog::Entry e;
    CHECK_FALSE(b.next(&e));
    CHECK(b.pending() == 2);
  }
  SECTION("a block whose write is in flight is not read; a failed write leaves the log") {
    VerifyBacklog b;
    b.init(2, 0, true);
    const uint64_t s1 = b.log_write(0, 0, 1);
    const uint64_t s2 = b.log_write(0, 1, 1);
    b.completed(Dir::write);
    VerifyBacklog::Entry e;
    CHECK_FALSE(b.next(&e));  // the batch starts, but the head is still in flight
    b.write_done(0, 0, s1, false);
    CHECK(b.pending() == 1);
    CHECK_FALSE(b.next(&e));  // the batch stays on; the remaining write is in flight
    b.write_done(0, 1, s2, true);
    REQUIRE(b.next(&e));
    CHECK(e.offset == 1);
  }
}

TEST_CASE("a verify_backlog job interleaves its reads as fio 3.33 does and counts them as reads") {
  test::TempDir d;
  auto j = test::make_job("psync", jobs::RwMode::write, d.path, 64 * 1024, 4096);
  j.filenames = {"b.dat"};
  j.verify = jobs::VerifyKind::crc32c;
  j.verify_backlog = 6;
  j.verify_backlog_batch = 2;
  std::vector<std::vector<engine::TraceRecord>> trace;
  const auto r = test::run_one(j, &trace);
  INFO(r.jobs.at(0).error_message);
  REQUIRE(r.jobs.at(0).error == 0);
  std::string seq;
  for (const auto& t : trace.at(0)) seq += (t.ddir == static_cast<uint8_t>(Dir::read) ? "r" : "w") + std::to_string(t.offset / 4096) + " ";
  // 16 writes: 6, then 2 reads after every 2 writes, the rest at the end.
  CHECK(seq == "w0 w1 w2 w3 w4 w5 r0 r1 w6 w7 r2 r3 w8 w9 r4 r5 w10 w11 r6 r7 w12 w13 r8 r9 w14 w15 r10 r11 r12 r13 r14 r15 ");
  CHECK(r.jobs[0].dirs[0].total_ios == 16);
  CHECK(r.jobs[0].dirs[1].total_ios == 16);
}

TEST_CASE("verify_backlog with number_ios counts its verify reads, as fio 3.33") {
  test::TempDir d;
  auto j = test::make_job("psync", jobs::RwMode::randwrite, d.path, 1 << 20, 4096);
  j.filenames = {"n.dat"};
  j.verify = jobs::VerifyKind::md5;
  j.verify_backlog = 8;
  j.number_ios = 100;
  const auto r = test::run_one(j);
  REQUIRE(r.jobs.at(0).error == 0);
  // fio: 6 rounds of 8 writes and 8 reads, 4 more writes (100 I/Os), then
  // the last 4 read back: 52 and 52.
  CHECK(r.jobs[0].dirs[1].total_ios == 52);
  CHECK(r.jobs[0].dirs[0].total_ios == 52);
}
