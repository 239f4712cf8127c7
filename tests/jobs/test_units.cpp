// Value syntax: sizes per kb_base, times per default unit, booleans, ranges,
// per-direction lists and arithmetic, including the cases fio 3.33 gets wrong.
#include <catch2/catch.hpp>

#include "jobs/error.hpp"
#include "jobs/units.hpp"

using namespace fiokit::jobs;

TEST_CASE("sizes follow kb_base as the HOWTO documents") {
  CHECK(parse_size("4096") == 4096);
  CHECK(parse_size("4k") == 4096);
  CHECK(parse_size("4K") == 4096);
  CHECK(parse_size("4kb") == 4096);
  CHECK(parse_size("4KiB", 1024) == 4000);  // kb_base=1024 inverts IEC, as fio
  CHECK(parse_size("1m") == 1048576);
  CHECK(parse_size("1g") == 1073741824ull);
  CHECK(parse_size("1t") == 1099511627776ull);
  CHECK(parse_size("1p") == 1125899906842624ull);
  CHECK(parse_size("1m", 1000) == 1000000);
  CHECK(parse_size("1mi", 1000) == 1048576);
  CHECK(parse_size("4ki", 1000) == 4096);
  CHECK(parse_size("1000mi", 1024) == 1000000000ull);
  CHECK(parse_size("0x10") == 16);
  CHECK(parse_size("512b") == 512);
  CHECK(parse_size(" 8k ") == 8192);
}

TEST_CASE("sizes reject what fio silently mangles") {
  CHECK_THROWS_AS(parse_size("1.5k"), ValueError);   // fio: 1 byte
  CHECK_THROWS_AS(parse_size("4kfoo"), ValueError);  // fio: trailing junk ignored
  CHECK_THROWS_AS(parse_size("-5"), ValueError);
  CHECK_THROWS_AS(parse_size(""), ValueError);
  CHECK_THROWS_AS(parse_size("k"), ValueError);
  CHECK_THROWS_AS(parse_size("0xZZ"), ValueError);
  CHECK_THROWS_WITH(parse_size("1.5k"), Catch::Contains("fraction"));
}

TEST_CASE("integers take suffixes but no junk") {
  CHECK(parse_int("8") == 8);
  CHECK(parse_int("1k") == 1024);
  CHECK_THROWS_AS(parse_int("8x"), ValueError);
  CHECK_THROWS_AS(parse_int("-1"), ValueError);
  CHECK(parse_int("-1", true) == -1);
  CHECK_THROWS_AS(parse_int("1.5"), ValueError);
}

TEST_CASE("times use each option's default unit") {
  CHECK(parse_time_us("10", TimeUnit::s) == 10'000'000);
  CHECK(parse_time_us("10", TimeUnit::us) == 10);
  CHECK(parse_time_us("10", TimeUnit::ms) == 10'000);
  CHECK(parse_time_us("10ms", TimeUnit::s) == 10'000);
  CHECK(parse_time_us("10msec", TimeUnit::s) == 10'000);
  CHECK(parse_time_us("5us", TimeUnit::s) == 5);
  CHECK(parse_time_us("2m", TimeUnit::s) == 120'000'000);
  CHECK(parse_time_us("1h", TimeUnit::s) == 3'600'000'000ull);
  CHECK(parse_time_us("1d", TimeUnit::s) == 86'400'000'000ull);
  CHECK(parse_time_us("3S", TimeUnit::us) == 3'000'000);
  CHECK_THROWS_AS(parse_time_us("-1", TimeUnit::s), ValueError);  // fio: runs forever
  CHECK_THROWS_AS(parse_time_us("10x", TimeUnit::s), ValueError);
  CHECK_THROWS_AS(parse_time_us("1.5", TimeUnit::s), ValueError);
}

TEST_CASE("arithmetic in parentheses") {
  CHECK(parse_size("(2*1024)") == 2048);
  CHECK(parse_size("(1+2)*0+(3)") == 3);  // whole value is one expression
  CHECK(parse_size("(2^10)") == 1024);
  CHECK(parse_size("(10%4)") == 2);
  CHECK(parse_size("(1k+1)") == 1025);
  CHECK(parse_size("((1+1)*(2+2))") == 8);
  CHECK(parse_size("(-2+3)") == 1);
  CHECK(parse_time_us("(1000*2)", TimeUnit::s) == 2000);  // us inside expressions, as documented
  CHECK(parse_int("(8/2)") == 4);
  CHECK_THROWS_AS(parse_size("(1/0)"), ValueError);
  CHECK_THROWS_AS(parse_size("(1-2)"), ValueError);
  CHECK_THROWS_AS(parse_size("(1+"), ValueError);
  CHECK_THROWS_AS(parse_size("(10/3)"), ValueError);
  CHECK_THROWS_AS(parse_size("(1))"), ValueError);
}

TEST_CASE("booleans are 0 or 1, as fio") {
  CHECK(parse_bool("1"));
  CHECK_FALSE(parse_bool("0"));
  CHECK_THROWS_AS(parse_bool("true"), ValueError);
  CHECK_THROWS_AS(parse_bool("2"), ValueError);
}

TEST_CASE("ranges and percentages") {
  CHECK(parse_size_range("4k-64k") == std::pair<uint64_t, uint64_t>{4096, 65536});
  CHECK(parse_size_range("64k:4k") == std::pair<uint64_t, uint64_t>{4096, 65536});
  CHECK(parse_size_range("8k") == std::pair<uint64_t, uint64_t>{8192, 8192});
  auto p = parse_size_or_percent("50%");
  CHECK(p.is_percent());
  CHECK(p.percent == 50);
  CHECK(parse_size_or_percent("1m").bytes == 1048576);
  CHECK_THROWS_AS(parse_size_or_percent("150%"), ValueError);
  CHECK_THROWS_AS(parse_size_or_percent("0%"), ValueError);
}

TEST_CASE("per-direction lists follow fio's comma rules") {
  using V = std::vector<std::optional<std::string>>;
  CHECK(split_per_direction("256k") == V{"256k", "256k", "256k"});
  CHECK(split_per_direction("8k,32k") == V{"8k", "32k", "32k"});
  CHECK(split_per_direction("8k,32k,") == V{"8k", "32k", std::nullopt});
  CHECK(split_per_direction(",8k") == V{std::nullopt, "8k", "8k"});
  CHECK(split_per_direction(",8k,") == V{std::nullopt, "8k", std::nullopt});
  CHECK_THROWS_AS(split_per_direction("1,2,3,4"), ValueError);
}
