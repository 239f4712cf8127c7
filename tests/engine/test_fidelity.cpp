// Engine behaviour that must match fio 3.33, checked on real files and
// engines without fio itself (the differential checks against fio are in
// test_vs_fio.cpp): the page cache dropped at every pass start and the null
// engine's batches; the per-engine rules (queue refilled after every reap,
// trimwrite, fsync=N) are in test_conformance_fidelity.cpp.
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
using fiokit::test::pct;
using fiokit::test::write_cold_file;

namespace {

// Pages of the file now in the page cache (mincore on a mapping).
size_t resident_pages(const std::string& path) {
  void* p = nullptr;
  size_t len = 0;
  {
    const fiokit::util::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    REQUIRE(fd.valid());
    struct stat st {};
    ::fstat(fd.get(), &st);
    len = static_cast<size_t>(st.st_size);
    p = ::mmap(nullptr, len, PROT_READ, MAP_SHARED, fd.get(), 0);
  }
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

// The async-queue, trimwrite and fsync=N rules run per engine in the
// conformance suite (test_conformance_fidelity.cpp), where an engine this
// process may not use is a skipped test, not a pass.
