// File layout: paths from filename/directory/nrfiles/filename_format, regions
// from size/filesize/offset/offset_increment, and the rule that a user's file
// is never extended, truncated or deleted while fiokit's own files may be.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <string>

#include "common/temp_dir.hpp"
#include "volumes/layout.hpp"

using namespace fiokit;

namespace {

using test::TempDir;

uint64_t file_size(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

}  // namespace

TEST_CASE("filename_format, directory and nrfiles give one path per file") {
  jobs::JobSpec j;
  j.name = "job";
  j.clone_index = 2;
  j.nrfiles = 3;
  j.size = 3 << 20;
  j.directories = {"/d1", "/d2"};
  auto t = volumes::plan_files(j, true);
  REQUIRE(t.size() == 3);
  CHECK(t[0].path == "/d1/job.2.0");
  CHECK(t[1].path == "/d2/job.2.1");
  CHECK(t[2].path == "/d1/job.2.2");
  for (const auto& f : t) CHECK(f.size == (1u << 20));
}

TEST_CASE("offset and offset_increment place each clone's region") {
  jobs::JobSpec j;
  j.name = "j";
  j.size = 1 << 20;
  j.offset = 4096;
  j.offset_increment = 1 << 20;
  j.clone_index = 3;
  auto t = volumes::plan_files(j, true);
  REQUIRE(t.size() == 1);
  CHECK(t[0].offset == 4096 + 3 * (1u << 20));
  CHECK(t[0].size == (1u << 20));
}

TEST_CASE("filesize= is the file's length: the region runs from offset to it, whatever size says") {
  jobs::JobSpec j;
  j.name = "j";
  j.filesize = {64 * 1024, 64 * 1024};
  j.offset = 16 * 1024;
  auto t = volumes::plan_files(j, true);
  REQUIRE(t.size() == 1);
  CHECK(t[0].offset == 16 * 1024);
  CHECK(t[0].size == 48 * 1024);  // fio 3.33: 16k-64k
  // size= is the job's byte budget (engine::JobPlan), not the region: fio
  // 3.33 lays out filesize=4m size=2m as 4 MiB and spreads a randread's
  // offsets over all of it.
  j.size = 16 * 1024;
  t = volumes::plan_files(j, true);
  CHECK(t[0].size == 48 * 1024);
  j.offset = 0;
  j.nrfiles = 2;
  j.filesize = {4 << 20, 4 << 20};
  j.size = 2 << 20;
  t = volumes::plan_files(j, true);
  REQUIRE(t.size() == 2);
  for (const auto& f : t) CHECK(f.offset + f.size == (4u << 20));
  j.nrfiles = 1;
  j.filesize = {64 * 1024, 64 * 1024};
  j.size = 0;
  j.offset = 64 * 1024;  // nothing left inside the file
  CHECK_THROWS_WITH(volumes::plan_files(j, true), Catch::Contains("leaves no bytes"));
}

TEST_CASE("filesize=lo-hi: each file's length is drawn in the range, block-aligned; a file already in range is kept") {
  TempDir d;
  jobs::JobSpec j;
  j.name = "r";
  j.nrfiles = 8;
  j.directories = {d.path};
  j.filesize = {1 << 20, 2 << 20};
  j.bs = {8192, 8192, 8192};
  auto t = volumes::plan_files(j, false);
  REQUIRE(t.size() == 8);
  bool differ = false;
  for (const auto& f : t) {
    CHECK(f.size >= (1u << 20));
    CHECK(f.size <= (2u << 20));
    CHECK(f.size % 8192 == 0);  // fio rounds the draw down to the smallest block size
    differ = differ || f.size != t[0].size;
  }
  CHECK(differ);
  // fio 3.33 keeps an existing file whose length lies in the range (its own
  // earlier draw, or the user's file) and does not draw again.
  const std::string p = t[0].path;
  std::ofstream(p) << std::string(1500000, 'x');
  auto again = volumes::plan_files(j, false);
  CHECK(again[0].size == 1500000);
  CHECK(again[0].exists);
  // Outside the range it is sized by the draw (a longer file is not truncated).
  std::ofstream(p) << std::string(3 << 20, 'x');
  again = volumes::plan_files(j, false);
  CHECK(again[0].size == t[0].size);
}

TEST_CASE("no size and no existing file is an error naming the job") {
  jobs::JobSpec j;
  j.name = "nosize";
  j.filenames = {"/tmp/fiokit-does-not-exist-xyz"};
  CHECK_THROWS_WITH(volumes::plan_files(j, false), Catch::Contains("nosize") && Catch::Contains("size="));
}

TEST_CASE("an existing file gives the size when size= is not set") {
  TempDir d;
  const std::string p = d.path + "/user";
  std::ofstream(p) << std::string(10000, 'x');
  jobs::JobSpec j;
  j.name = "j";
  j.filenames = {p};
  auto t = volumes::plan_files(j, false);
  REQUIRE(t.size() == 1);
  CHECK(t[0].size == 10000);
  CHECK(t[0].exists);
}

TEST_CASE("lay_out_file creates, marks and fills a new file") {
  TempDir d;
  volumes::FileTarget t{d.path + "/new", 0, 64 * 1024};
  volumes::LayoutOptions o;
  o.need_data = true;
  o.fill = [](uint8_t* b, size_t n, uint64_t off) {
    for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>((off + i) * 7);
  };
  CHECK(volumes::lay_out_file(t, o));
  CHECK(file_size(t.path) == 64 * 1024);
  CHECK(volumes::created_by_fiokit(t.path));
  std::ifstream in(t.path, std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), {});
  REQUIRE(s.size() == 64 * 1024);
  CHECK(static_cast<uint8_t>(s[1000]) == static_cast<uint8_t>(1000 * 7));
  // Ours and too small for a bigger job: extended, not recreated.
  volumes::FileTarget bigger{t.path, 0, 128 * 1024};
  CHECK(volumes::lay_out_file(bigger, o));
  CHECK(file_size(t.path) == 128 * 1024);
  CHECK(volumes::remove_created_file(t.path));
  CHECK(::access(t.path.c_str(), F_OK) != 0);
}

TEST_CASE("a user's file too small for a read job is refused and left untouched") {
  TempDir d;
  const std::string p = d.path + "/user";
  std::ofstream(p) << std::string(4096, 'u');
  volumes::FileTarget t{p, 0, 1 << 20};
  volumes::LayoutOptions o;
  o.need_data = true;
  CHECK_THROWS_AS(volumes::lay_out_file(t, o), volumes::LayoutError);
  CHECK(file_size(p) == 4096);
  // A write job does not extend it at layout time either.
  o.need_data = false;
  CHECK_FALSE(volumes::lay_out_file(t, o));
  CHECK(file_size(p) == 4096);
  // And unlink= never deletes it.
  CHECK_FALSE(volumes::created_by_fiokit(p));
  CHECK_FALSE(volumes::remove_created_file(p));
  CHECK(file_size(p) == 4096);
}

TEST_CASE("a user's file large enough is used as is") {
  TempDir d;
  const std::string p = d.path + "/user";
  std::ofstream(p) << std::string(8192, 'u');
  volumes::FileTarget t{p, 0, 8192};
  volumes::LayoutOptions o;
  o.need_data = true;
  CHECK_FALSE(volumes::lay_out_file(t, o));
  std::ifstream in(p);
  std::string s((std::istreambuf_iterator<char>(in)), {});
  CHECK(s == std::string(8192, 'u'));
}
