// experimental_verify=1 through a real psync job (issue 16, part xverify):
// the verify phase replays the offset generator, so the reads follow the
// writes' order, verify_backlog does nothing, the replayed reads spend the
// loops' budget, and a block rewritten under norandommap fails fio's
// numberio check. The expected figures are fio 3.33's for the same jobs.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine_test_util.hpp"

using namespace fiokit;
using jobs::Dir;

namespace {
struct Run {
  results::RunResult r;
  std::vector<engine::TraceRecord> trace;
  std::string runs;  // "w16 r16"
};
Run run(jobs::JobSpec j) {
  std::vector<std::vector<engine::TraceRecord>> trace;
  Run out{test::run_one(j, &trace), trace.at(0), ""};
  char last = 0;
  int n = 0;
  for (const auto& t : out.trace) {
    const char d = t.ddir == static_cast<uint8_t>(Dir::read) ? 'r' : 'w';
    if (d != last && n) out.runs += std::string(out.runs.empty() ? "" : " ") + last + std::to_string(n), n = 0;
    last = d;
    ++n;
  }
  if (n) out.runs += std::string(out.runs.empty() ? "" : " ") + last + std::to_string(n);
  return out;
}
jobs::JobSpec job(const test::TempDir& d, jobs::RwMode rw) {
  auto j = test::make_job("psync", rw, d.path, 1 << 20, 64 * 1024);
  j.filenames = {"x.dat"};
  j.verify = jobs::VerifyKind::md5;
  j.experimental_verify = true;
  return j;
}
// The reads revisit the writes' offsets in the order written.
bool reads_follow_writes(const std::vector<engine::TraceRecord>& t) {
  std::vector<uint64_t> w, r;
  for (const auto& e : t) (e.ddir == static_cast<uint8_t>(Dir::read) ? r : w).push_back(e.offset);
  return !r.empty() && r.size() <= w.size() && std::equal(r.begin(), r.end(), w.begin());
}
}  // namespace

TEST_CASE("experimental_verify replays the writes' offsets; verify_backlog does nothing") {
  test::TempDir d;
  auto j = job(d, jobs::RwMode::randwrite);
  j.verify_backlog = 4;
  const Run x = run(j);
  INFO(x.r.jobs.at(0).error_message);
  REQUIRE(x.r.jobs.at(0).error == 0);
  CHECK(x.runs == "w16 r16");  // fio 3.33: no record of writes, no backlog reads
  CHECK(reads_follow_writes(x.trace));
  j.experimental_verify = false;
  CHECK(run(j).runs.substr(0, 6) == "w4 r4 ");  // without it the backlog interleaves
}

TEST_CASE("experimental_verify: the replay skips a mixed job's reads") {
  test::TempDir d;
  const Run x = run(job(d, jobs::RwMode::randrw));
  REQUIRE(x.r.jobs.at(0).error == 0);
  const uint64_t writes = x.r.jobs[0].dirs[1].total_ios;
  CHECK(writes > 0);
  CHECK(x.r.jobs[0].dirs[0].total_ios == 16);  // the job's 16 - writes reads, then its writes read back
  std::vector<uint64_t> w, tail;
  for (size_t i = 0; i < x.trace.size(); ++i)
    if (i < 16 && x.trace[i].ddir == static_cast<uint8_t>(Dir::write)) w.push_back(x.trace[i].offset);
    else if (i >= 16) tail.push_back(x.trace[i].offset);
  CHECK(tail == w);
}

TEST_CASE("experimental_verify: the replayed reads spend the loops' budget as fio's do") {
  test::TempDir d;
  auto j = job(d, jobs::RwMode::write);
  j.loops = 2;
  CHECK(run(j).runs == "w16 r16");  // fio 3.33: one loop
  j.loops = 4;
  CHECK(run(j).runs == "w16 r16 w32");  // three; the later loops read nothing back
  j.loops = 1;
  j.io_size = 3 << 20;
  CHECK(run(j).runs == "w16 r16 w16");
}

TEST_CASE("experimental_verify: a block rewritten under norandommap fails fio's numberio check") {
  test::TempDir d;
  auto j = job(d, jobs::RwMode::randwrite);
  j.norandommap = true;
  const Run x = run(j);
  const auto& r = x.r.jobs.at(0);
  CHECK(r.error == EILSEQ);
  CHECK_THAT(r.error_message, Catch::Contains("bad header numberio"));
  CHECK(r.dirs[1].total_ios == 16);
  CHECK(r.dirs[0].total_ios < 16);
  CHECK(reads_follow_writes(x.trace));
}

TEST_CASE("number_ios is a budget over all loops, a loop still ends at the region's end (fio 3.33)") {
  test::TempDir d;
  auto j = test::make_job("psync", jobs::RwMode::write, d.path, 512 * 1024, 64 * 1024);
  j.filenames = {"n.dat"};
  j.number_ios = 6;
  j.loops = 2;
  Run x = run(j);
  CHECK(x.runs == "w12");
  REQUIRE(x.trace.size() == 12);
  CHECK(x.trace[7].offset == 7 * 64 * 1024);  // the first loop covers the 8 blocks
  CHECK(x.trace[8].offset == 0);
  j.loops = 3;
  CHECK(run(j).runs == "w18");  // 8, 8, 2
}

TEST_CASE("verify with io_size beyond the region runs fio 3.33's passes") {
  test::TempDir d;
  auto j = job(d, jobs::RwMode::randwrite);
  j.experimental_verify = false;
  j.io_size = 2 << 20;
  CHECK(run(j).runs == "w16 r16");  // what moved (reads included) reaches io_size after one pass
  j.io_size = 3 << 20;
  const Run x = run(j);
  CHECK(x.runs == "w16 r16 w16 r16");
  CHECK(x.r.jobs.at(0).error == 0);
}
