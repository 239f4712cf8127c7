// The iolog reader (volumes/iolog.hpp) on logs written out in the test: fio
// 3.33's two versions, the replay_* options applied to the entries, and every
// kind of bad line refused with the log's path and line number.
#include <catch2/catch.hpp>

#include <fstream>

#include "common/temp_dir.hpp"
#include "volumes/iolog.hpp"
#include "volumes/layout.hpp"

using namespace fiokit;
using volumes::IoLogEntry;

namespace {

volumes::IoLog parse(const std::string& text, volumes::ReplayOptions o = {}) { return volumes::parse_iolog(text, "t.log", o); }

std::string error_of(const std::string& text, volumes::ReplayOptions o = {}) {
  try {
    parse(text, o);
  } catch (const volumes::IoLogError& e) {
    return e.what();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("iolog: version 2 lines become entries in log order", "[iolog]") {
  const auto log = parse(
      "fio version 2 iolog\n"
      "a add\nb add\na open\n"
      "a write 0 4096\nb read 8192 512\na trim 4096 4096\na sync 0 0\nb datasync 0 0\n"
      "a wait 250 0\n\na close\n");
  REQUIRE(log.version == 2);
  REQUIRE(log.files == std::vector<std::string>{"a", "b"});
  REQUIRE(log.entries.size() == 8);
  CHECK(log.entries[0].kind == IoLogEntry::open);
  CHECK(log.entries[1].kind == IoLogEntry::write);
  CHECK(log.entries[1].offset == 0);
  CHECK(log.entries[1].len == 4096);
  CHECK(log.entries[2].file == 1);
  CHECK(log.entries[2].offset == 8192);
  CHECK(log.entries[2].line == 6);
  CHECK(log.entries[3].kind == IoLogEntry::trim);
  CHECK(log.entries[4].kind == IoLogEntry::sync);
  CHECK(log.entries[5].kind == IoLogEntry::datasync);
  CHECK(log.entries[6].kind == IoLogEntry::wait);
  CHECK(log.entries[6].delay_us == 250);  // a wait keeps its milliseconds
  CHECK(log.ios[0] == 1);
  CHECK(log.ios[1] == 1);
  CHECK(log.ios[2] == 1);
  CHECK(log.extent == std::vector<uint64_t>{8192, 8704});
  CHECK(log.max_len == 4096);
}

TEST_CASE("iolog: version 3 delays are the gaps between times, scaled", "[iolog]") {
  const std::string text =
      "fio version 3 iolog\n"
      "10 f add\n40 f open\n100 f read 0 4096\n1100 f read 4096 4096\n900 f read 0 4096\n5900 f close\n";
  auto log = parse(text);
  REQUIRE(log.version == 3);
  REQUIRE(log.entries.size() == 5);
  // fio: the first timed line has no delay; each later one the gap to the
  // line before (the "add" line's 30 us count towards the open), none when
  // time goes backwards.
  CHECK(log.entries[0].delay_us == 30);
  CHECK(log.entries[1].delay_us == 60);
  CHECK(log.entries[2].delay_us == 1000);
  CHECK(log.entries[3].delay_us == 0);
  CHECK(log.entries[4].delay_us == 5000);
  volumes::ReplayOptions fast;
  fast.time_scale = 200;
  CHECK(parse(text, fast).entries[2].delay_us == 500);
  volumes::ReplayOptions slow;
  slow.time_scale = 50;
  CHECK(parse(text, slow).entries[4].delay_us == 10000);
  volumes::ReplayOptions nostall;
  nostall.no_stall = true;
  for (const auto& e : parse(text, nostall).entries) CHECK(e.delay_us == 0);
}

TEST_CASE("iolog: replay_scale, replay_align, replay_redirect, replay_skip and directory", "[iolog]") {
  const std::string text =
      "fio version 2 iolog\nx add\ny add\nx write 10000 4096\ny read 20000 512\nx trim 0 4096\nx sync 0 0\n";
  volumes::ReplayOptions o;
  o.scale = 2;
  o.align = 4096;
  auto log = parse(text, o);
  CHECK(log.entries[0].offset == 4096);  // 10000 / 2 = 5000, rounded down to 4096
  CHECK(log.entries[1].offset == 8192);  // 10000 -> 8192
  o = {};
  o.redirect = "/dev/target";
  o.directory = "d";
  log = parse(text, o);
  REQUIRE(log.files == std::vector<std::string>{"d//dev/target"});
  CHECK(log.entries[1].file == 0);
  o = {};
  o.skip = (1u << 1) | 8u;  // write, sync
  log = parse(text, o);
  REQUIRE(log.entries.size() == 2);
  CHECK(log.entries[0].kind == IoLogEntry::read);
  CHECK(log.entries[1].kind == IoLogEntry::trim);
  CHECK(log.ios[1] == 0);
}

TEST_CASE("iolog: a header repeated further down starts a new section", "[iolog]") {
  // numjobs clones appending to one write_iolog.
  const auto log = parse(
      "fio version 3 iolog\n5 a add\n9 a write 0 4096\n"
      "fio version 3 iolog\n3 b add\n7 b write 0 4096\n7 a write 4096 4096\n");
  REQUIRE(log.files.size() == 2);
  REQUIRE(log.entries.size() == 3);
  CHECK(log.entries[1].delay_us == 4);  // 3 -> 7 in the new section, not 9 -> 7
  CHECK(log.entries[2].file == 0);
}

TEST_CASE("iolog: bad lines are refused with the log's path and line", "[iolog]") {
  const std::string h2 = "fio version 2 iolog\nf add\n";
  CHECK_THAT(error_of(h2 + "f frob 0 4096\n"), Catch::StartsWith("t.log:3: unknown action 'frob'"));
  CHECK_THAT(error_of(h2 + "g read 0 4096\n"), Catch::StartsWith("t.log:3: file 'g' was not added"));
  CHECK_THAT(error_of(h2 + "f read 0\n"), Catch::StartsWith("t.log:3: truncated line"));
  CHECK_THAT(error_of(h2 + "f\n"), Catch::StartsWith("t.log:3: truncated line"));
  CHECK_THAT(error_of(h2 + "f read 12abc 4096\n"), Catch::StartsWith("t.log:3: offset '12abc' is not a non-negative integer"));
  CHECK_THAT(error_of(h2 + "f read 0 -1\n"), Catch::StartsWith("t.log:3: length '-1'"));
  CHECK_THAT(error_of(h2 + "f read 0 0\n"), Catch::StartsWith("t.log:3: a read of 0 bytes"));
  CHECK_THAT(error_of(h2 + "f read 0 4294967296\n"), Catch::StartsWith("t.log:3: a read of 4294967296 bytes"));
  CHECK_THAT(error_of(h2 + "f open 0 4096\n"), Catch::StartsWith("t.log:3: 'open' takes no offset"));
  CHECK_THAT(error_of(h2 + "f read 0 4096 9 9\n"), Catch::StartsWith("t.log:3: too many fields"));
  CHECK_THAT(error_of(h2 + "f read 18446744073709551615 4096\n"), Catch::StartsWith("t.log:3: offset 18446744073709551615 + length"));
  CHECK_THAT(error_of("fio version 3 iolog\n1 f add\n2 f wait 5 0\n"), Catch::StartsWith("t.log:3: 'wait' is a version 2 action"));
  CHECK_THAT(error_of("fio version 3 iolog\nf add\n"), Catch::StartsWith("t.log:2: time 'f'"));
  CHECK_THAT(error_of("fio version 1 iolog\n"), Catch::StartsWith("t.log:1: not a fio iolog"));
  CHECK_THAT(error_of(""), Catch::StartsWith("t.log:1: empty"));
  CHECK_THAT(error_of(h2 + "fio version 3 iolog\n"), Catch::StartsWith("t.log:3: a version 3 section in a version 2 log"));
  CHECK_THAT(error_of(h2 + std::string("f read 0 4096\0", 14) + "\n"), Catch::StartsWith("t.log:3: a NUL byte"));
  // Nothing of a bad line beyond the field is echoed (a remote job must not
  // read a file it may not through the error message).
  CHECK(error_of("root:x:0:0:root:/root:/bin/bash\n").find("root:") == std::string::npos);
}

TEST_CASE("iolog: the plan takes the log's files and refuses reads beyond their end", "[iolog]") {
  test::TempDir d("iolog");
  {
    std::ofstream(d.path + "/have", std::ios::binary) << std::string(8192, 'x');
  }
  auto job_with = [&](const std::string& text) {
    std::ofstream(d.path + "/t.log") << text;
    jobs::JobSpec j;
    j.name = "r";
    j.read_iolog = d.path + "/t.log";
    j.directories = {d.path};
    return j;
  };
  auto j = job_with("fio version 2 iolog\nhave add\nnew add\nhave read 4096 4096\nnew write 0 65536\nnew read 32768 4096\n");
  auto plan = volumes::plan_run({j});
  INFO(plan[0].error);
  REQUIRE(plan[0].err == 0);
  REQUIRE(plan[0].replay);
  REQUIRE(plan[0].targets.size() == 2);
  CHECK(plan[0].targets[0].path == d.path + "/have");
  CHECK(plan[0].targets[0].size == 8192);
  CHECK(plan[0].targets[1].size == 65536);
  CHECK_FALSE(plan[0].targets[1].exists);

  j = job_with("fio version 2 iolog\nhave add\nhave read 8192 4096\n");
  plan = volumes::plan_run({j});
  CHECK(plan[0].err == EINVAL);
  CHECK_THAT(plan[0].error, Catch::Contains("t.log:3: read of 4096 bytes at offset 8192 is beyond the end of"));
  // A read of what the log wrote before is fine; before the write it is not.
  j = job_with("fio version 2 iolog\nnew add\nnew read 0 4096\nnew write 0 4096\n");
  CHECK_THAT(volumes::plan_run({j})[0].error, Catch::Contains("t.log:3: read of 4096 bytes at offset 0"));
  // A clone takes its own name from a ':' list.
  j = job_with("fio version 2 iolog\nhave add\nhave read 0 4096\n");
  j.read_iolog = d.path + "/nope.log:" + d.path + "/t.log";
  j.clone_index = 1;
  CHECK(volumes::plan_run({j})[0].err == 0);
  j.clone_index = 0;
  CHECK_THAT(volumes::plan_run({j})[0].error, Catch::Contains("cannot open '" + d.path + "/nope.log'"));
  // A binary blktrace is refused with the reason.
  std::ofstream(d.path + "/bt", std::ios::binary) << std::string("\x07\x74\x61\x65", 4) << std::string(44, '\0');
  j.read_iolog = d.path + "/bt";
  CHECK_THAT(volumes::plan_run({j})[0].error, Catch::Contains("binary blktrace"));
}
