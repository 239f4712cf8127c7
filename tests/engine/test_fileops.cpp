// The file-operation engines (filecreate, filestat, filedelete) run through
// the real worker on real files: what they count (fake I/Os as bytes and I/Os,
// one clat sample per operation, no lat/slat and no latency buckets, as fio
// 3.33's FIO_NOSTATS engines report), which files they touch, stat_type
// parsing, and that filedelete deletes exactly the job's own files.
#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "engine_test_util.hpp"
#include "jobs/ini.hpp"
#include "jobs/parse.hpp"

using namespace fiokit;
using jobs::RwMode;
namespace fs = std::filesystem;

namespace {

// A job parsed from text with the engines' option catalog, in `dir`.
jobs::JobSpec parse_job(const std::string& body, const std::string& dir) {
  jobs::ParseRequest req;
  req.sources.push_back(
      {"t.fio", jobs::read_job_text("[t]\ndirectory=" + dir + "\n" + body + "\n", "t.fio", "/nonexistent", jobs::Expander{})});
  return jobs::build_jobs(req, engine::option_catalog()).jobs.at(0);
}

size_t count_files(const std::string& dir, const std::string& prefix) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind(prefix, 0) == 0) ++n;
  return n;
}

}  // namespace

TEST_CASE("filecreate creates each file once per pass, mode 0600 and empty, timing only the create") {
  test::TempDir d;
  auto j = parse_job("ioengine=filecreate\nfilename_format=c.$filenum\nnrfiles=6\nfilesize=16k\nbs=8k\nopenfiles=1\ncreate_on_open=1\nloops=2",
                     d.path);
  auto r = test::run_one(j);
  const auto& job = r.jobs.at(0);
  REQUIRE(job.error == 0);
  const auto& rd = job.dirs[0];
  CHECK(rd.io_bytes == 2 * 6 * 16384);  // every pass does each file's filesize in fake I/Os
  CHECK(rd.total_ios == 2 * 6 * 2);
  CHECK(rd.clat.count() == 2 * 6);      // one timed create per file and pass
  CHECK(rd.lat.count() == 0);
  CHECK(rd.slat.count() == 0);
  REQUIRE(job.lat_buckets_pct);
  for (double v : *job.lat_buckets_pct) CHECK(v == 0);
  CHECK(count_files(d.path, "c.") == 6);
  for (int i = 0; i < 6; ++i) {
    struct stat st {};
    REQUIRE(::stat((d.path + "/c." + std::to_string(i)).c_str(), &st) == 0);
    CHECK(st.st_size == 0);
    CHECK((st.st_mode & 0777) == 0600);
  }
}

TEST_CASE("filecreate counts in the write direction when the job writes, and unlink=1 removes what it made") {
  test::TempDir d;
  auto j = parse_job("ioengine=filecreate\nrw=randwrite\nfilename_format=w.$filenum\nnrfiles=4\nfilesize=4k\nunlink=1", d.path);
  auto r = test::run_one(j);
  const auto& job = r.jobs.at(0);
  REQUIRE(job.error == 0);
  CHECK(job.dirs[0].total_ios == 0);
  CHECK(job.dirs[1].total_ios == 4);
  CHECK(job.dirs[1].clat.count() == 4);
  CHECK(count_files(d.path, "w.") == 0);
}

TEST_CASE("filestat stats the laid-out files with each stat_type and leaves them") {
  for (const char* type : {"stat", "lstat", "statx"}) {
    INFO(type);
    test::TempDir d;
    auto j = parse_job(std::string("ioengine=filestat\nstat_type=") + type + "\nfilename_format=s.$filenum\nnrfiles=5\nfilesize=8k\nbs=4k",
                       d.path);
    auto r = test::run_one(j);
    const auto& job = r.jobs.at(0);
    REQUIRE(job.error == 0);
    CHECK(job.dirs[0].io_bytes == 5 * 8192);
    CHECK(job.dirs[0].total_ios == 10);
    CHECK(job.dirs[0].clat.count() == 5);
    CHECK(job.dirs[0].lat.count() == 0);
    CHECK(count_files(d.path, "s.") == 5);
    CHECK(fs::file_size(d.path + "/s.0") == 8192);
  }
}

TEST_CASE("stat_type is filestat's option: values checked, refused with another engine") {
  test::TempDir d;
  CHECK_THROWS_WITH(parse_job("ioengine=filestat\nstat_type=fstat\nsize=4k", d.path), Catch::Contains("stat_type") && Catch::Contains("t.fio"));
  CHECK_THROWS_WITH(parse_job("ioengine=psync\nstat_type=lstat\nsize=4k", d.path), Catch::Contains("stat_type"));
  // The default is no entry at all (stat), so a job saying stat_type=stat equals one that does not.
  CHECK(parse_job("ioengine=filestat\nstat_type=stat\nsize=4k", d.path).engine_options.values.empty());
}

TEST_CASE("filedelete unlinks exactly the job's files, and a second pass fails on the missing file") {
  test::TempDir d;
  std::ofstream(d.path + "/keep.me") << "user data";
  auto j = parse_job("ioengine=filedelete\nfilename_format=d.$filenum\nnrfiles=7\nfilesize=4k", d.path);
  auto r = test::run_one(j);
  const auto& job = r.jobs.at(0);
  REQUIRE(job.error == 0);
  CHECK(job.dirs[0].total_ios == 7);
  CHECK(job.dirs[0].clat.count() == 7);
  CHECK(count_files(d.path, "d.") == 0);
  CHECK(fs::exists(d.path + "/keep.me"));

  // fio 3.33 fails the same way: the files are gone when loop 2 unlinks them.
  auto j2 = parse_job("ioengine=filedelete\nfilename_format=e.$filenum\nnrfiles=2\nfilesize=4k\nloops=2", d.path);
  auto r2 = test::run_one(j2);
  CHECK(r2.jobs.at(0).error == ENOENT);
  CHECK_THAT(r2.jobs.at(0).error_message, Catch::Contains("filedelete: unlink failed") && Catch::Contains("/e."));
  CHECK(fs::exists(d.path + "/keep.me"));
}

TEST_CASE("ftruncate: each write truncates the file to its offset; a read is EINVAL") {
  test::TempDir d;
  auto j = parse_job("ioengine=ftruncate\nfilename=f\nsize=64k\nbs=4k\nrw=write", d.path);
  auto r = test::run_one(j);
  REQUIRE(r.jobs.at(0).error == 0);
  CHECK(r.jobs.at(0).dirs[1].total_ios == 16);
  CHECK(r.jobs.at(0).dirs[1].clat.count() == 16);  // timed as a sync engine: clat = lat
  CHECK(r.jobs.at(0).dirs[1].lat.count() == 16);
  CHECK(fs::file_size(d.path + "/f") == 60 * 1024);  // the last write truncated to its offset, 60k

  auto rd = parse_job("ioengine=ftruncate\nfilename=g\nsize=16k\nbs=4k\nrw=read", d.path);
  auto rr = test::run_one(rd);
  CHECK(rr.jobs.at(0).error == EINVAL);
  CHECK_THAT(rr.jobs.at(0).error_message, Catch::Contains("only writes are truncations"));
  CHECK(fs::file_size(d.path + "/g") == 16 * 1024);
}

TEST_CASE("falloc: writes allocate, trims punch holes, reads allocate without growing the file") {
  auto allocated = [](const std::string& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return static_cast<uint64_t>(st.st_blocks) * 512;
  };
  test::TempDir d;
  auto trim = parse_job("ioengine=falloc\nfilename=f\nsize=64k\nbs=4k\nrw=randtrim", d.path);
  auto r = test::run_one(trim);
  REQUIRE(r.jobs.at(0).error == 0);
  CHECK(r.jobs.at(0).dirs[2].total_ios == 16);
  CHECK(fs::file_size(d.path + "/f") == 64 * 1024);
  CHECK(allocated(d.path + "/f") == 0);  // every block punched out
  // A read job on the now hollow file allocates its range again, KEEP_SIZE.
  auto rd = parse_job("ioengine=falloc\nfilename=f\nsize=32k\nbs=4k\nrw=read", d.path);
  auto rr = test::run_one(rd);
  REQUIRE(rr.jobs.at(0).error == 0);
  CHECK(rr.jobs.at(0).dirs[0].total_ios == 8);
  CHECK(fs::file_size(d.path + "/f") == 64 * 1024);
  CHECK(allocated(d.path + "/f") >= 32 * 1024);
}

TEST_CASE("posixaio keeps iodepth I/Os in flight and times slat + clat = lat (fio's t0017)") {
  test::TempDir d;
  auto j = parse_job("ioengine=posixaio\nfilename=f\nsize=1m\nbs=4k\nrw=randwrite\niodepth=16", d.path);
  auto r = test::run_one(j);
  const auto& job = r.jobs.at(0);
  REQUIRE(job.error == 0);
  const auto& w = job.dirs[1];
  CHECK(w.io_bytes == 1 << 20);
  CHECK(w.slat.count() == 256);
  CHECK(w.clat.count() == 256);
  const double sum = w.slat.mean() + w.clat.mean();
  CHECK(std::abs(sum - w.lat.mean()) <= 1e-6 * w.lat.mean() + 1);
  // Asynchronous: more than one I/O was in flight at a time.
  uint64_t deeper = 0;
  for (size_t i = 1; i < job.depth.level.size(); ++i) deeper += job.depth.level[i];
  CHECK(deeper > 0);
}

TEST_CASE("fio 3.34's directory engines stay refused with the reason") {
  test::TempDir d;
  for (const char* e : {"dircreate", "dirstat", "dirdelete"}) {
    INFO(e);
    CHECK_THROWS_WITH(parse_job(std::string("ioengine=") + e + "\nsize=4k", d.path),
                      Catch::Contains(std::string("unsupported by fiokit: ioengine=") + e) && Catch::Contains("fio 3.34") &&
                          Catch::Contains("t.fio:3"));
  }
}
