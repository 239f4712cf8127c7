// verify_pattern as fio 3.33 parses it (issue 16, part vpat): decimals stored
// least significant byte first, %o (block offset) in verify_pattern only, and
// verify turned on by verify_pattern when no verify= came before it.
#include <catch2/catch.hpp>

#include "test_expander.hpp"

using namespace fiokit;

namespace {
jobs::JobSpec job_of(const std::string& body) { return test::parse_job_text("[a]\nrw=write\n" + body).jobs.at(0); }
}  // namespace

TEST_CASE("verify_pattern decimals are little-endian in as few bytes as hold them, as fio writes them") {
  CHECK(job_of("verify_pattern=305419896\n").verify_pattern == std::vector<uint8_t>{0x78, 0x56, 0x34, 0x12});
  CHECK(job_of("verify_pattern=258\n").verify_pattern == std::vector<uint8_t>{0x02, 0x01});
  CHECK(job_of("verify_pattern=-12\n").verify_pattern == std::vector<uint8_t>{0xf4, 0xff, 0xff, 0xff});
  CHECK(job_of("verify_pattern=0\n").verify_pattern == std::vector<uint8_t>{0});
  CHECK(job_of("buffer_pattern=65536\n").buffer_pattern == std::vector<uint8_t>{0, 0, 1});
  CHECK(job_of("verify_pattern=0x1234567\n").verify_pattern == std::vector<uint8_t>{0x01, 0x23, 0x45, 0x67});
  CHECK_THAT(test::parse_error_of("[a]\nverify_pattern=4294967295\n"), Catch::Contains("int range") && Catch::Contains("t.fio:2"));
}

TEST_CASE("verify_pattern takes %o, the block offset, in 8 bytes; buffer_pattern refuses it") {
  const auto s = job_of("verify=pattern\nverify_pattern=0x11%o\"z\"%o\n");
  CHECK(s.verify_pattern.size() == 18);
  CHECK(s.verify_pattern_offsets == std::vector<uint32_t>{1, 10});
  CHECK(s.verify_pattern[9] == 'z');
  CHECK_THAT(test::parse_error_of("[a]\nbuffer_pattern=%o\n"), Catch::Contains("unsupported by fiokit") && Catch::Contains("t.fio:2"));
  CHECK_THAT(test::parse_error_of("[a]\nverify_pattern=%x\n"), Catch::Contains("only %o"));
}

TEST_CASE("verify_pattern alone turns verify on with a header, as fio's verify_pattern does") {
  CHECK(job_of("verify_pattern=0x5a\n").verify == jobs::VerifyKind::meta);
  CHECK(job_of("verify_pattern=0x5a\nverify=pattern\n").verify == jobs::VerifyKind::pattern);
  CHECK(job_of("verify=pattern\nverify_pattern=0x5a\n").verify == jobs::VerifyKind::pattern);
  CHECK(job_of("verify=0\nverify_pattern=0x5a\n").verify == jobs::VerifyKind::none);  // fio: verify was set, kept
}
