// zonemode=strided on real runs (null engine, the worker's issue trace): the
// offsets and byte counts fio 3.33 gives for the same jobs, measured with
// log_offset=1 (the figures are in the comments; engine/worker_prep.cpp says
// how fio moves between zones).
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "engine_test_util.hpp"

using namespace fiokit;

namespace {
constexpr uint64_t KiB = 1024;

jobs::JobSpec strided(jobs::RwMode rw, uint64_t size, uint64_t zonerange, uint64_t zonesize, uint64_t zoneskip) {
  jobs::JobSpec j;  // make_job() inlined here trips GCC 12's false -Wrestrict
  j.name = std::string(1, 'z');
  j.ioengine = std::string("null");
  j.rw = rw;
  j.size = size;
  j.bs = {{4096, 4096, 4096}};
  j.zonemode = jobs::ZoneMode::strided;
  j.zonerange = zonerange;
  j.zonesize = zonesize;
  j.zoneskip = zoneskip;
  return j;
}

struct Ran {
  std::vector<uint64_t> offsets;  // in issue order
  uint64_t bytes = 0;             // read + write io_bytes
};

Ran run(const jobs::JobSpec& j) {
  std::vector<std::vector<engine::TraceRecord>> tr;
  const auto r = test::run_one(j, &tr);
  INFO(r.jobs.at(0).error_message);
  REQUIRE(r.jobs.at(0).error == 0);
  Ran out;
  for (const auto& t : tr.at(0)) out.offsets.push_back(t.offset);
  out.bytes = r.jobs.at(0).dirs[0].io_bytes + r.jobs.at(0).dirs[1].io_bytes;
  return out;
}
}  // namespace

TEST_CASE("strided zones: zonesize=256k zoneskip=256k reads eight zones twice, 4 MiB (fio 3.33)") {
  // fio: 1024 reads, 0-256k, 512k-768k, ..., 3584k-3840k, then again from 0;
  // highest offset 3928064, 14 holes (the differential case zonesize-zoneskip).
  const auto r = run(strided(jobs::RwMode::read, 4 << 20, 0, 256 * KiB, 256 * KiB));
  CHECK(r.bytes == 4u << 20);
  REQUIRE(r.offsets.size() == 1024);
  for (size_t i = 0; i < r.offsets.size(); ++i) {
    INFO("I/O " << i);
    CHECK(r.offsets[i] == (i / 64 % 8) * 512 * KiB + i % 64 * 4 * KiB);
  }
  CHECK(*std::max_element(r.offsets.begin(), r.offsets.end()) == 3928064);
}

TEST_CASE("strided zones: zonerange apart, plus zoneskip; zonesize < zonerange leaves the rest of each zone") {
  // fio: zonerange=512k zonesize=256k zoneskip=256k reads 0-256k, 768k-1024k, ...
  // 3840k-4096k, then wraps to 0 when the next zone would start past the end.
  const auto r = run(strided(jobs::RwMode::read, 4 << 20, 512 * KiB, 256 * KiB, 256 * KiB));
  CHECK(r.bytes == 4u << 20);
  REQUIRE(r.offsets.size() == 1024);
  for (size_t i = 0; i < r.offsets.size(); ++i) {
    INFO("I/O " << i);
    CHECK(r.offsets[i] == (i / 64 % 6) * 768 * KiB + i % 64 * 4 * KiB);
  }
}

TEST_CASE("strided zones: zonesize > zonerange goes round each zone again before moving on") {
  // fio: zonerange=128k zonesize=256k: 0-128k twice, 128k-256k twice, ...
  const auto r = run(strided(jobs::RwMode::read, 1 << 20, 128 * KiB, 256 * KiB, 0));
  CHECK(r.bytes == 1u << 20);
  REQUIRE(r.offsets.size() == 256);
  for (size_t i = 0; i < r.offsets.size(); ++i) {
    INFO("I/O " << i);
    CHECK(r.offsets[i] == (i / 64) * 128 * KiB + i % 32 * 4 * KiB);
  }
}

TEST_CASE("strided zones: a sequential zone that meets the file's end ends the job there") {
  // fio: size=1m zonerange=384k zonesize=256k zoneskip=64k reads 0-256k,
  // 448k-704k and 896k-1m: 640 KiB, not size.
  const auto r = run(strided(jobs::RwMode::read, 1 << 20, 384 * KiB, 256 * KiB, 64 * KiB));
  CHECK(r.bytes == 640 * KiB);
  REQUIRE(r.offsets.size() == 160);
  CHECK(r.offsets[0] == 0);
  CHECK(r.offsets[63] == 252 * KiB);
  CHECK(r.offsets[64] == 448 * KiB);
  CHECK(r.offsets[128] == 896 * KiB);
  CHECK(r.offsets[159] == 1020 * KiB);
}

TEST_CASE("strided zones: random I/O stays in the zone and visits each of its blocks once per zonerange") {
  // fio: randread size=1m zonerange=128k zonesize=128k zoneskip=128k: each
  // run of 32 reads is a permutation of one zone's 32 blocks, zones at 0,
  // 256k, 512k, 768k, then 0 again; with zonesize=256k and no skip each zone
  // is covered twice, as fio resets its random map every zonerange bytes.
  for (const uint64_t zonesize : {128 * KiB, 256 * KiB}) {
    const uint64_t skip = zonesize == 128 * KiB ? 128 * KiB : 0;
    const auto r = run(strided(jobs::RwMode::randread, 1 << 20, 128 * KiB, zonesize, skip));
    CHECK(r.bytes == 1u << 20);
    REQUIRE(r.offsets.size() == 256);
    for (size_t g = 0; g < 8; ++g) {
      const uint64_t zone = zonesize == 128 * KiB ? (g % 4) * 256 * KiB : (g / 2) * 128 * KiB;
      std::vector<uint64_t> v(r.offsets.begin() + static_cast<long>(g * 32), r.offsets.begin() + static_cast<long>(g * 32 + 32));
      std::sort(v.begin(), v.end());
      INFO("zonesize " << zonesize << " run " << g);
      for (size_t k = 0; k < 32; ++k) CHECK(v[k] == zone + k * 4 * KiB);
    }
    CHECK_FALSE(std::is_sorted(r.offsets.begin(), r.offsets.begin() + 32));  // random, not sequential
  }
}

TEST_CASE("strided zones: the zone position carries over into the next loop") {
  // fio: size=1m zonesize=128k zoneskip=128k io_size=768k loops=2: zones 0,
  // 256k, 512k, 768k, 0, 256k, then the second loop goes on at 512k.
  auto j = strided(jobs::RwMode::read, 1 << 20, 0, 128 * KiB, 128 * KiB);
  j.io_size = 768 * KiB;
  j.loops = 2;
  const auto r = run(j);
  CHECK(r.bytes == 1536 * KiB);
  REQUIRE(r.offsets.size() == 384);
  for (size_t i = 0; i < r.offsets.size(); ++i) {
    INFO("I/O " << i);
    CHECK(r.offsets[i] == (i / 32 % 4) * 256 * KiB + i % 32 * 4 * KiB);
  }
}
