// Checksums against the published test vectors, and the verify block format:
// a block round-trips, and each kind of damage is named. Then the verify
// phase of a write job, counted as reads the way fio 3.33 counts them.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/verify.hpp"
#include "results/json_reader.hpp"
#include "engine_test_util.hpp"

using namespace fiokit;

namespace {
std::string hex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) s += d[p[i] >> 4], s += d[p[i] & 15];
  return s;
}
const uint8_t* u8(const char* s) { return reinterpret_cast<const uint8_t*>(s); }
}  // namespace

TEST_CASE("checksums match their specifications' test vectors") {
  CHECK(engine::crc32c(u8("123456789"), 9) == 0xE3069283u);
  // RFC 3720 B.4: 32 zero bytes, 32 0xff bytes, bytes 0..31 (8-byte strides and tails).
  std::vector<uint8_t> v32(32, 0);
  CHECK(engine::crc32c(v32.data(), 32) == 0x8A9136AAu);
  std::fill(v32.begin(), v32.end(), 0xff);
  CHECK(engine::crc32c(v32.data(), 32) == 0x62A8AB43u);
  for (uint8_t i = 0; i < 32; ++i) v32[i] = i;
  CHECK(engine::crc32c(v32.data(), 32) == 0x46DD794Eu);
  // Chaining: a crc continued over a split buffer equals the crc of the whole.
  CHECK(engine::crc32c(v32.data() + 13, 19, engine::crc32c(v32.data(), 13)) == 0x46DD794Eu);
  CHECK(engine::xxhash64(u8(""), 0) == 0xEF46DB3751D8E999ull);
  CHECK(engine::xxhash64(u8("abc"), 3) == 0x44BC2CF5AD770999ull);
  uint8_t m[16], s[32];
  engine::md5(u8(""), 0, m);
  CHECK(hex(m, 16) == "d41d8cd98f00b204e9800998ecf8427e");
  engine::md5(u8("abc"), 3, m);
  CHECK(hex(m, 16) == "900150983cd24fb0d6963f7d28e17f72");
  engine::sha256(u8("abc"), 3, s);
  CHECK(hex(s, 32) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const char* longer = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  engine::sha256(u8(longer), std::strlen(longer), s);
  CHECK(hex(s, 32) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // 64 bytes and more exercise the 32-byte stripes of xxh64.
  std::string x(100, 'a');
  CHECK(engine::xxhash64(u8(x.c_str()), x.size()) != engine::xxhash64(u8(x.c_str()), x.size() - 1));
}

TEST_CASE("every verify digest matches its standard's test vector, reusing one context") {
  using K = jobs::VerifyKind;
  // FIPS 180-4 / FIPS 202 / RFC 1321 vectors for "abc"; xxHash64 with seed 0
  // from the xxHash specification, stored little-endian as fiokit stores it.
  const std::pair<K, const char*> vectors[] = {
      {K::md5, "900150983cd24fb0d6963f7d28e17f72"},
      {K::sha1, "a9993e364706816aba3e25717850c26c9cd0d89d"},
      {K::sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {K::sha512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                  "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
      {K::sha3_224, "e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf"},
      {K::sha3_256, "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"},
      {K::sha3_384, "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b298d88cea927ac7f539f1edf228376d25"},
      {K::sha3_512, "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e"
                    "10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0"},
      {K::xxhash, "990977adf52cbc44"},
      {K::crc32c, "b73f4b36"},
  };
  for (const auto& [kind, want_hex] : vectors) {
    const std::string want(want_hex);
    INFO("kind " << static_cast<int>(kind) << " want " << want);
    engine::Digest d(kind);
    REQUIRE(d.supported());
    REQUIRE(d.size() * 2 == want.size());
    uint8_t out[64];
    // Three times through the same context: the reused EVP context must
    // start from a clean state each block, and a different input in between
    // must not leak into the next digest.
    for (int round = 0; round < 3; ++round) {
      d.compute(u8("abc"), 3, out);
      CHECK(hex(out, d.size()) == want);
      d.compute(u8("abcd"), 4, out);
      CHECK(hex(out, d.size()) != want);
    }
    engine::Digest copy = d;  // a copy hashes with a context of its own
    copy.compute(u8("abc"), 3, out);
    CHECK(hex(out, copy.size()) == want);
  }
  CHECK_FALSE(engine::Digest(K::crc64).supported());
  CHECK(engine::Digest(K::pattern).size() == 0);
}

TEST_CASE("verify blocks keep their layout: 72-byte header, the payload's digest at byte 40") {
  // Blocks written before the digests moved to libraries must still verify,
  // and a block must carry the digest of its own payload, not of anything else.
  using K = jobs::VerifyKind;
  for (auto [kind, header] : {std::pair{K::md5, 72u}, {K::sha256, 72u}, {K::sha1, 72u}, {K::sha3_256, 72u}, {K::xxhash, 72u},
                              {K::sha3_384, 104u}, {K::sha512, 104u}, {K::sha3_512, 104u}}) {
    INFO("kind " << static_cast<int>(kind));
    jobs::JobSpec j;
    j.rw = jobs::RwMode::write;
    j.bs = {{4096, 4096, 4096}};
    j.verify = kind;
    engine::Verifier v;
    std::string why;
    REQUIRE(v.init(j, &why));
    std::vector<uint8_t> b(4096);
    v.make_block(b.data(), 4096, 0, 5);
    uint16_t hlen;
    std::memcpy(&hlen, b.data() + 6, 2);
    CHECK(hlen == header);
    engine::Digest d(kind);
    uint8_t want[64];
    d.compute(b.data() + header, 4096 - header, want);
    CHECK(hex(b.data() + 40, d.size()) == hex(want, d.size()));
    // The padding after a short digest stays zero, as it always was.
    CHECK(std::all_of(b.begin() + 40 + static_cast<long>(d.size()), b.begin() + header, [](uint8_t c) { return c == 0; }));
  }
}

TEST_CASE("verify blocks round-trip and name the damage, for every method") {
  using K = jobs::VerifyKind;
  // verify=pattern has no header (fio's strict pattern): test_verify_pattern.cpp.
  for (K k : {K::crc32c, K::crc32c_intel, K::md5, K::sha1, K::sha256, K::sha512, K::sha3_224, K::sha3_256, K::sha3_384, K::sha3_512,
              K::xxhash, K::meta}) {
    jobs::JobSpec j;
    j.rw = jobs::RwMode::write;
    j.bs = {{4096, 4096, 4096}};
    j.verify = k;
    engine::Verifier v;
    std::string why;
    REQUIRE(v.init(j, &why));
    std::vector<uint8_t> b(4096);
    v.make_block(b.data(), 4096, 8192, 77);
    std::string what;
    CHECK(v.check_block(b.data(), 4096, 8192, &what) == 0);
    CHECK(v.check_block(b.data(), 4096, 12288, &what) == EILSEQ);
    CHECK_THAT(what, Catch::Contains("misplaced"));
    auto flipped = b;
    flipped[3000] ^= 0x80;
    CHECK(v.check_block(flipped.data(), 4096, 8192, &what) == EILSEQ);
    std::vector<uint8_t> zero(4096, 0);
    CHECK(v.check_block(zero.data(), 4096, 8192, &what) == EILSEQ);
    CHECK_THAT(what, Catch::Contains("bad magic"));
  }
}

TEST_CASE("verify refuses methods it does not implement and tiny blocks") {
  jobs::JobSpec j;
  j.verify = jobs::VerifyKind::crc64;  // fio's crc kinds no library here computes
  engine::Verifier v;
  std::string why;
  CHECK_FALSE(v.init(j, &why));
  CHECK_THAT(why, Catch::Contains("not implemented"));
  j.verify = jobs::VerifyKind::crc32c;
  j.bs = {{64, 64, 64}};
  CHECK_FALSE(v.init(j, &why));
}

namespace {
using fiokit::test::make_job;
using fiokit::test::run_one;
}  // namespace

// "a write job's verify reads go through its engine ..." runs per engine in the
// conformance suite (test_conformance.cpp).

TEST_CASE("the verify phase neither thinks nor rate-limits, as fio's verify loop") {
  test::TempDir d;
  auto j = make_job("psync", jobs::RwMode::write, d.path, 16 * 4096, 4096);
  j.filenames = {"t.dat"};
  j.verify = jobs::VerifyKind::crc32c;
  j.thinktime_us = 300'000;  // after every 8 I/Os: 2 thinks in the write phase
  j.thinktime_blocks = 8;
  j.rate_iops = {{20, 0, 0}};  // a read rate the writes do not use: 16 reads would take 0.75 s
  const auto r = run_one(j);
  const auto& jr = r.jobs.at(0);
  INFO(jr.error_message);
  REQUIRE(jr.error == 0);
  CHECK(jr.dirs[0].total_ios == 16);
  CHECK(jr.dirs[1].runtime_ms >= 500);
  CHECK(jr.dirs[0].runtime_ms < 250);
}

TEST_CASE("norandommap writes are read back once per block, in offset order, as fio does") {
  test::TempDir d;
  auto j = make_job("psync", jobs::RwMode::randwrite, d.path, 1 << 20, 4096);
  j.filenames = {"n.dat"};
  j.norandommap = true;
  j.verify = jobs::VerifyKind::crc32c;
  std::vector<std::vector<engine::TraceRecord>> tr;
  const auto r = run_one(j, &tr);
  const auto& jr = r.jobs.at(0);
  INFO(jr.error_message);
  REQUIRE(jr.error == 0);
  std::vector<uint64_t> written, read;
  for (const auto& t : tr.at(0)) (t.ddir == 1 ? written : read).push_back(t.offset);
  REQUIRE(written.size() == 256);
  std::sort(written.begin(), written.end());
  written.erase(std::unique(written.begin(), written.end()), written.end());
  REQUIRE(written.size() < 256);  // some blocks were written twice
  CHECK(read == written);         // each once, ascending
  CHECK(jr.dirs[0].io_bytes == written.size() * 4096);
}

TEST_CASE("verify_only replays the job's writes as reads, counted as fio counts them") {
  test::TempDir d;
  auto j = make_job("psync", jobs::RwMode::randwrite, d.path, 256 * 1024, 4096);
  j.filenames = {"o.dat"};
  j.verify = jobs::VerifyKind::crc32c;
  std::vector<std::vector<engine::TraceRecord>> written, replayed;
  REQUIRE(run_one(j, &written).jobs.at(0).error == 0);
  j.verify_only = true;
  const auto r = run_one(j, &replayed);
  const auto& jr = r.jobs.at(0);
  INFO(jr.error_message);
  REQUIRE(jr.error == 0);
  CHECK(jr.dirs[0].io_bytes == 256 * 1024);
  CHECK(jr.dirs[0].total_ios == 64);
  CHECK(jr.dirs[1].io_bytes == 0);  // fio 3.33 counts its dry-run writes here; nothing was written
  // The same blocks in the order the writer wrote them (the same seed), as fio's dry run.
  std::vector<uint64_t> w, rd;
  for (const auto& t : written.at(0))
    if (t.ddir == 1) w.push_back(t.offset);
  for (const auto& t : replayed.at(0)) rd.push_back(t.offset);
  CHECK(rd == w);
  CHECK_FALSE(std::is_sorted(rd.begin(), rd.end()));
}

TEST_CASE("a read job with verify counts its reads once") {
  test::TempDir d;
  auto w = make_job("psync", jobs::RwMode::write, d.path, 128 * 1024, 4096);
  w.filenames = {"r.dat"};
  w.verify = jobs::VerifyKind::crc32c;
  w.do_verify = false;
  REQUIRE(run_one(w).jobs.at(0).error == 0);
  auto rd = w;
  rd.rw = jobs::RwMode::read;
  rd.do_verify = true;
  const auto r = run_one(rd);
  const auto& jr = r.jobs.at(0);
  INFO(jr.error_message);
  REQUIRE(jr.error == 0);
  CHECK(jr.dirs[0].io_bytes == 128 * 1024);
  CHECK(jr.dirs[1].io_bytes == 0);
  // The whole job is the read phase: runtime is job_runtime rounded up to
  // whole ms instead of down, as fio 3.33's.
  CHECK(jr.dirs[0].runtime_ms >= jr.job_runtime_ms);
  CHECK(jr.dirs[0].runtime_ms <= jr.job_runtime_ms + 1);
}

TEST_CASE("verify read figures match fio 3.33's for the same job", "[fio]") {
  if (!test::fio_available()) {
    FAIL("fio is not installed: run the [fio] cases through CTest's engine_fio entry, which skips without it");
  }
  test::TempDir d;
  for (auto rw : {jobs::RwMode::write, jobs::RwMode::randwrite}) {
    for (uint64_t backlog : {0u, 16u}) {
      const char* rw_name = rw == jobs::RwMode::write ? "write" : "randwrite";
      INFO("rw=" << rw_name << " verify_backlog=" << backlog);
      // In the temp dir: fio leaves a verify state file (local-v-0-verify.state) where it runs.
      const auto out = test::run_shell(fmt::format("cd {0} && fio --name=v --filename={0}/f.fio --size=1M --bs=4k --rw={1} --verify=md5 "
                                                   "--verify_backlog={2} --iodepth=4 --ioengine=libaio --output-format=json 2>/dev/null",
                                                   d.path, rw_name, backlog));
      REQUIRE(out);
      const auto fio = results::read_fio_json(*out);
      REQUIRE(fio.jobs.size() == 1);
      auto j = make_job("psync", rw, d.path, 1 << 20, 4096);
      j.filenames = {"f.fiokit"};
      j.verify = jobs::VerifyKind::md5;
      j.verify_backlog = backlog;
      j.iodepth = 4;
      if (test::engine_unavailable("libaio").empty()) j.ioengine = "libaio";
      const auto ours = run_one(j);
      INFO(ours.jobs.at(0).error_message);
      REQUIRE(ours.jobs.at(0).error == 0);
      for (int dir : {0, 1}) {
        INFO("dir " << dir);
        CHECK(ours.jobs[0].dirs[dir].io_bytes == fio.jobs[0].dirs[dir].io_bytes);
        CHECK(ours.jobs[0].dirs[dir].total_ios == fio.jobs[0].dirs[dir].total_ios);
        CHECK(ours.jobs[0].dirs[dir].clat.count() == fio.jobs[0].dirs[dir].clat.count());
      }
    }
  }
}

TEST_CASE("each digest kind verifies its own file and catches one changed byte on disk") {
  using K = jobs::VerifyKind;
  test::TempDir d;
  for (K kind : {K::md5, K::sha1, K::sha256, K::sha512, K::sha3_224, K::sha3_256, K::sha3_384, K::sha3_512, K::xxhash}) {
    INFO("kind " << static_cast<int>(kind));
    auto w = make_job("psync", jobs::RwMode::write, d.path, 64 * 1024, 4096);
    w.filenames = {"d.dat"};
    w.verify = kind;
    const auto written = run_one(w);
    INFO(written.jobs.at(0).error_message);
    REQUIRE(written.jobs.at(0).error == 0);
    CHECK(written.jobs[0].dirs[0].io_bytes == 64 * 1024);  // the verify phase read every block back
    // One byte deep in the payload of block 5, where only the digest covers it.
    const std::string path = d.path + "/d.dat";
    FILE* f = std::fopen(path.c_str(), "r+b");
    REQUIRE(f);
    REQUIRE(std::fseek(f, 5 * 4096 + 3000, SEEK_SET) == 0);
    const int old = std::fgetc(f);
    REQUIRE(std::fseek(f, 5 * 4096 + 3000, SEEK_SET) == 0);
    std::fputc(old ^ 0x01, f);
    std::fclose(f);
    auto rd = w;
    rd.rw = jobs::RwMode::read;
    const auto r = run_one(rd);
    CHECK(r.jobs.at(0).error == EILSEQ);
    CHECK_THAT(r.jobs.at(0).error_message, Catch::Contains("checksum mismatch") && Catch::Contains("20480"));
  }
}
