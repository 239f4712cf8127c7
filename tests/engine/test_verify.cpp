// Checksums against the published test vectors, and the verify block format:
// a block round-trips, and each kind of damage is named.
#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "engine/verify.hpp"

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

TEST_CASE("verify blocks round-trip and name the damage, for every method") {
  using K = jobs::VerifyKind;
  for (K k : {K::crc32c, K::crc32c_intel, K::md5, K::sha256, K::xxhash, K::pattern, K::meta}) {
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
  j.verify = jobs::VerifyKind::sha3_512;
  engine::Verifier v;
  std::string why;
  CHECK_FALSE(v.init(j, &why));
  CHECK_THAT(why, Catch::Contains("not implemented"));
  j.verify = jobs::VerifyKind::crc32c;
  j.bs = {{64, 64, 64}};
  CHECK_FALSE(v.init(j, &why));
}
