// Engine behaviour that must match fio 3.33, checked on real files and
// engines without fio itself (the differential checks against fio are in
// test_vs_fio.cpp): the page cache dropped at every pass start, the queue
// refilled after every reap (and the depth histogram that shows it), trimwrite
// counting its writes against size, and fsync=N timed into the sync block.
// The expected figures are the rules measured on fio (see the comments in
// io_loop.hpp and worker.cpp), not numbers copied from a run.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "engine_test_util.hpp"

using fiokit::jobs::RwMode;
using fiokit::test::make_job;
using fiokit::test::run_one;

namespace {

// A file with data on disk and nothing of it in the page cache: written,
// fsynced (dirty pages cannot be dropped) and then dropped.
void write_cold_file(const std::string& path, size_t size) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  std::vector<char> b(1 << 20);
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<char>(i * 7 + 3);
  for (size_t off = 0; off < size; off += b.size()) REQUIRE(::pwrite(fd, b.data(), std::min(b.size(), size - off), static_cast<off_t>(off)) > 0);
  REQUIRE(::fsync(fd) == 0);
  REQUIRE(::posix_fadvise(fd, 0, static_cast<off_t>(size), POSIX_FADV_DONTNEED) == 0);
  ::close(fd);
}

// Pages of the file now in the page cache (mincore on a mapping).
size_t resident_pages(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  struct stat st {};
  ::fstat(fd, &st);
  const auto len = static_cast<size_t>(st.st_size);
  void* p = ::mmap(nullptr, len, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  REQUIRE(p != MAP_FAILED);
  const long pg = ::sysconf(_SC_PAGESIZE);
  std::vector<unsigned char> v((len + static_cast<size_t>(pg) - 1) / static_cast<size_t>(pg));
  REQUIRE(::mincore(p, len, v.data()) == 0);
  ::munmap(p, len);
  return static_cast<size_t>(std::count_if(v.begin(), v.end(), [](unsigned char c) { return c & 1; }));
}

void warm(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> b(1 << 20);
  while (in.read(b.data(), static_cast<std::streamsize>(b.size())) || in.gcount()) {
  }
}

// Bytes this process made the block layer read (/proc/self/io read_bytes);
// -1 without task I/O accounting.
int64_t device_read_bytes() {
  std::ifstream in("/proc/self/io");
  std::string k;
  int64_t v;
  while (in >> k >> v)
    if (k == "read_bytes:") return v;
  return -1;
}

double pct(const std::array<uint64_t, 7>& a, size_t i) {
  const uint64_t t = std::accumulate(a.begin(), a.end(), uint64_t{0});
  return t ? 100.0 * static_cast<double>(a[i]) / static_cast<double>(t) : 0;
}

}  // namespace

TEST_CASE("buffered repeated passes read the device each pass, not the page cache") {
  if (device_read_bytes() < 0) {
    WARN("skipping: no /proc/self/io read_bytes (kernel without task I/O accounting)");
    return;
  }
  fiokit::test::TempDir d("engine");
  const size_t size = 2 << 20;
  const std::string path = d.path + "/cold";
  auto j = make_job("psync", RwMode::randread, d.path, size);
  j.filenames = {"cold"};
  j.loops = 3;

  write_cold_file(path, size);
  int64_t before = device_read_bytes();
  auto r = run_one(j);
  REQUIRE(r.jobs[0].error == 0);
  REQUIRE(r.jobs[0].dirs[0].io_bytes == 3 * size);
  const int64_t per_pass = device_read_bytes() - before;
  INFO("device bytes read over 3 loops of " << size << ": " << per_pass);
  CHECK(per_pass >= static_cast<int64_t>(size * 5 / 2));  // once per pass, not once per job

  // invalidate=0: only the first pass reaches the device.
  write_cold_file(path, size);
  j.invalidate = false;
  before = device_read_bytes();
  r = run_one(j);
  REQUIRE(r.jobs[0].error == 0);
  const int64_t once = device_read_bytes() - before;
  INFO("invalidate=0: " << once);
  CHECK(once <= static_cast<int64_t>(size * 3 / 2));

  // io_size three times the region, sequential and random: fio reopens the
  // file each time its offsets run out, dropping the cache.
  for (const RwMode rw : {RwMode::read, RwMode::randread}) {
    write_cold_file(path, size);
    auto k = j;
    k.invalidate = true;
    k.rw = rw;
    k.loops = 1;
    k.io_size = 3 * size;
    before = device_read_bytes();
    r = run_one(k);
    REQUIRE(r.jobs[0].error == 0);
    REQUIRE(r.jobs[0].dirs[0].io_bytes == 3 * size);
    const int64_t wrapped = device_read_bytes() - before;
    INFO("io_size=3*size, rw=" << static_cast<int>(rw) << ": " << wrapped);
    CHECK(wrapped >= static_cast<int64_t>(size * 5 / 2));
  }

  // time_based: every wrap drops the cache too, so the passes run at device
  // speed and each one reads the region again.
  write_cold_file(path, size);
  j.invalidate = true;
  j.loops = 1;
  j.time_based = true;
  j.runtime_us = 700'000;
  before = device_read_bytes();
  r = run_one(j);
  REQUIRE(r.jobs[0].error == 0);
  const int64_t tb = device_read_bytes() - before;
  const double passes = static_cast<double>(r.jobs[0].dirs[0].io_bytes) / static_cast<double>(size);
  INFO("time_based: " << passes << " passes, device bytes " << tb);
  CHECK(static_cast<double>(tb) >= 0.8 * (passes - 1) * static_cast<double>(size));
}

TEST_CASE("direct=1 and pre_read: the page cache is dropped, or kept, as fio does") {
  fiokit::test::TempDir d("engine");
  const size_t size = 1 << 20;
  const std::string path = d.path + "/f";
  write_cold_file(path, size);
  auto j = make_job("psync", RwMode::randread, d.path, size);
  j.filenames = {"f"};
  j.direct = true;
  // fio drops the cache when it opens a file even with direct=1.
  warm(path);
  REQUIRE(resident_pages(path) > 0);
  auto r = run_one(j);
  if (r.jobs[0].error == EINVAL) {
    WARN("skipping: O_DIRECT refused on " << d.path);
    return;
  }
  REQUIRE(r.jobs[0].error == 0);
  CHECK(resident_pages(path) == 0);
  // invalidate=0 leaves it alone.
  j.invalidate = false;
  warm(path);
  r = run_one(j);
  CHECK(resident_pages(path) > 0);
  // pre_read=1 reads the file in and never drops it, whatever invalidate says.
  write_cold_file(path, size);
  j.direct = false;
  j.invalidate = true;
  j.pre_read = true;
  j.loops = 2;
  r = run_one(j);
  REQUIRE(r.jobs[0].error == 0);
  CHECK(resident_pages(path) == size / static_cast<size_t>(::sysconf(_SC_PAGESIZE)));
}

TEST_CASE("the null engine keeps one batch out at a time, as fio's does") {
  fiokit::test::TempDir d("engine");
  auto j = make_job("null", RwMode::randread, d.path, 64 << 20);
  j.iodepth = 32;
  auto r = run_one(j);
  // Default iodepth_batch_submit=1: each I/O is committed alone and reaped
  // before the next is accepted, so fio reports IO depths 1=100%.
  CHECK(pct(r.jobs[0].depth.level, 0) == 100.0);
  CHECK(pct(r.jobs[0].depth.submit, 1) == 100.0);
  j.iodepth_batch_submit = 8;
  j.iodepth_batch_complete_min = 8;
  r = run_one(j);
  CHECK(pct(r.jobs[0].depth.level, 3) == 100.0);  // 8-15
  CHECK(pct(r.jobs[0].depth.complete, 2) == 100.0);  // 5-8 per reap
  j.iodepth_batch_submit = 32;
  j.iodepth_batch_complete_min = 1;
  r = run_one(j);
  CHECK(pct(r.jobs[0].depth.level, 5) == 100.0);  // 32-63
}

TEST_CASE("async engines refill the queue after every reap: a full queue stays at iodepth") {
  fiokit::test::TempDir d("engine");
  const std::string eng = GENERATE(as<std::string>{}, "libaio", "io_uring");
  if (auto why = fiokit::test::engine_unavailable(eng); !why.empty()) {
    WARN("skipping ioengine=" << eng << ": " << why);
    return;
  }
  INFO("ioengine=" << eng);
  write_cold_file(d.path + "/f", 32 << 20);
  auto j = make_job(eng, RwMode::randread, d.path, 32 << 20);
  j.filenames = {"f"};
  j.direct = true;
  j.iodepth = 16;
  j.time_based = true;
  j.runtime_us = 400'000;
  auto r = run_one(j);
  if (r.jobs[0].error == EINVAL) {
    WARN("skipping: O_DIRECT refused on " << d.path);
    return;
  }
  REQUIRE(r.jobs[0].error == 0);
  const auto& dp = r.jobs[0].depth;
  CHECK(pct(dp.level, 4) > 97.0);     // 16-31: every commit at depth 16
  CHECK(pct(dp.complete, 1) > 97.0);  // one completion per reap
  // iodepth_batch_complete_min=4 (max follows it): 4 reaped, 4 refilled one
  // by one at depths 13, 14, 15, 16.
  j.iodepth_batch_complete_min = 4;
  r = run_one(j);
  CHECK(pct(r.jobs[0].depth.level, 3) == Approx(75.0).margin(3.0));
  CHECK(pct(r.jobs[0].depth.level, 4) == Approx(25.0).margin(3.0));
  // iodepth_low=4: a full queue is reaped one by one down to 4, then refilled
  // at depths 5..16.
  j.iodepth_batch_complete_min = 1;
  j.iodepth_low = 4;
  r = run_one(j);
  CHECK(pct(r.jobs[0].depth.level, 2) == Approx(25.0).margin(3.0));
  CHECK(pct(r.jobs[0].depth.level, 3) == Approx(66.7).margin(3.0));
  CHECK(pct(r.jobs[0].depth.level, 4) == Approx(8.3).margin(3.0));
  // iodepth_batch_complete_min = max = 0 is fio's polling mode: it waits for a
  // completion after every I/O, so the depth never passes 1.
  j.iodepth_low = 0;
  j.iodepth_batch_complete_min = 0;
  j.iodepth_batch_complete_max = 0;
  r = run_one(j);
  CHECK(pct(r.jobs[0].depth.level, 0) > 99.0);
}

TEST_CASE("trimwrite writes the whole size and trims each block before writing it") {
  fiokit::test::TempDir d("engine");
  const RwMode rw = GENERATE(RwMode::trimwrite, RwMode::randtrimwrite);
  const std::string eng = GENERATE(as<std::string>{}, "null", "psync", "io_uring");
  if (auto why = fiokit::test::engine_unavailable(eng); !why.empty()) {
    WARN("skipping ioengine=" << eng << ": " << why);
    return;
  }
  INFO("ioengine=" << eng << " rw=" << static_cast<int>(rw));
  auto j = make_job(eng, rw, d.path, 1 << 20);
  j.iodepth = 4;
  auto r = run_one(j);
  REQUIRE(r.jobs[0].error == 0);
  CHECK(r.jobs[0].dirs[1].io_bytes == 1 << 20);
  CHECK(r.jobs[0].dirs[1].total_ios == 256);
  CHECK(r.jobs[0].dirs[2].io_bytes == 1 << 20);
  CHECK(r.jobs[0].dirs[2].total_ios == 256);
  j.number_ios = 10;  // counts writes too (fio doubles it for trimwrite)
  r = run_one(j);
  CHECK(r.jobs[0].dirs[1].total_ios == 10);
  CHECK(r.jobs[0].dirs[2].total_ios == 10);
}

TEST_CASE("fsync=N and fdatasync=N are timed into the sync block; end_fsync is not") {
  fiokit::test::TempDir d("engine");
  const std::string eng = GENERATE(as<std::string>{}, "psync", "sync", "libaio", "io_uring");
  if (auto why = fiokit::test::engine_unavailable(eng); !why.empty()) {
    WARN("skipping ioengine=" << eng << ": " << why);
    return;
  }
  INFO("ioengine=" << eng);
  auto j = make_job(eng, RwMode::write, d.path, 1 << 20);
  j.fsync = 4;
  auto r = run_one(j);
  REQUIRE(r.jobs[0].error == 0);
  REQUIRE(r.jobs[0].dirs[1].total_ios == 256);
  // A sync takes the place of the next I/O, so none follows the last write.
  CHECK(r.jobs[0].sync_total_ios == 63);
  CHECK(r.jobs[0].sync_lat.count() == 63);
  CHECK(r.jobs[0].sync_lat.min() > 0);
  // fdatasync: timed in lat_ns, but fio's total_ios counts fsyncs only.
  j.fsync = 0;
  j.fdatasync = 4;
  r = run_one(j);
  CHECK(r.jobs[0].sync_total_ios == 0);
  CHECK(r.jobs[0].sync_lat.count() == 63);
  j.fdatasync = 0;
  j.end_fsync = true;
  j.fsync_on_close = true;
  r = run_one(j);
  CHECK(r.jobs[0].sync_total_ios == 0);
  CHECK(r.jobs[0].sync_lat.count() == 0);
}
