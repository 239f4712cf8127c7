// Terminal / CI-log injection (issue 14 follow-up): strings someone else wrote
// (section names, error messages with paths, disk names read back from a
// results file) reach normal and terse output through printable(), so no raw
// control byte (C0, DEL, C1, or a stray byte a non-UTF-8 terminal could read as
// C1) gets to a terminal; every ordinary name prints exactly as fio prints it.
#include <catch2/catch.hpp>

#include <string>

#include "fixtures.hpp"
#include "results/normal_writer.hpp"
#include "results/terse_writer.hpp"

using namespace fiokit::results;

namespace {

// The offset of the first byte no terminal should see raw (anything below
// 0x20 but \n, DEL, a UTF-8-encoded C1 control, a byte outside valid UTF-8),
// or npos. Kept independent of printable(): a plain scan of the bytes.
size_t first_unsafe(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\n') || c == 0x7f) return i;
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9f) return i;
    if (c >= 0x80 && c < 0xc2) return i;  // a continuation byte out of place, or an overlong lead
    if (c >= 0xc2) {
      const size_t len = c <= 0xdf ? 2 : c <= 0xef ? 3 : 4;
      for (size_t k = 1; k < len; ++k)
        if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return i;
      i += len - 1;
    }
  }
  return std::string::npos;
}

const std::string kHostile = "::error title=x::pwned\x1b[31mRED\x01\t\x7f\xc2\x9b" "2J\x9b" "end";

}  // namespace

TEST_CASE("printable escapes C0, DEL, C1 and invalid UTF-8, and nothing else") {
  CHECK(printable("job1") == "job1");
  CHECK(printable("::error title=x::y") == "::error title=x::y");  // fio's line format: the name comes first
  CHECK(printable("r\xc3\xa9sum\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x92\xbe") == "r\xc3\xa9sum\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x92\xbe");
  CHECK(printable("a\x1b[2Jb") == "a\\x1b[2Jb");
  CHECK(printable(std::string("n\0l", 3)) == "n\\x00l");
  CHECK(printable("t\tn\nr\r") == "t\\x09n\\x0ar\\x0d");
  CHECK(printable("del\x7f") == "del\\x7f");
  CHECK(printable("csi\xc2\x9b" "31m") == "csi\\u009b31m");  // U+009B, the 8-bit CSI
  CHECK(printable("nbsp\xc2\xa0") == "nbsp\xc2\xa0");          // U+00A0 is printable
  CHECK(printable("raw\x9b") == "raw\\x9b");                   // not UTF-8: a VT220 reads it as CSI
  CHECK(printable("over\xc0\x9b") == "over\\xc0\\x9b");         // overlong, not a hiding place
  CHECK(printable("sur\xed\xa0\x80") == "sur\\xed\\xa0\\x80");  // UTF-16 surrogate
  CHECK(printable("cut\xe6\x97") == "cut\\xe6\\x97");           // truncated sequence
  CHECK(first_unsafe(printable(kHostile)) == std::string::npos);
}

TEST_CASE("normal and terse output print no raw control byte from names, errors or disk names") {
  RunResult run = fiokit::testing::make_run();
  run.jobs[0].name = kHostile;
  run.jobs[1].name = "plain";
  run.jobs[1].error = 5;
  run.jobs[1].error_message = "read /data/f\x1b]0;title\x07: Input/output error";
  DiskUtil d;
  d.name = "vd\x1b[1mb";
  run.disk_util.push_back(d);
  run.extras["volume.0.path"] = "/data/\x1b[5m";
  run.extras["volume.0.fstype"] = "ext4";
  run.extras["volume.0.jobs"] = kHostile;

  const std::string normal = write_normal(run);
  INFO(normal);
  CHECK(first_unsafe(normal) == std::string::npos);
  CHECK(normal.find("::error title=x::pwned\\x1b[31mRED\\x01\\x09\\x7f\\u009b2J\\x9bend: (groupid=0, jobs=1)") == 0);
  CHECK(normal.find("err= 5 (read /data/f\\x1b]0;title\\x07: Input/output error)") != std::string::npos);
  CHECK(normal.find("  vd\\x1b[1mb: ios=") != std::string::npos);
  CHECK(normal.find("  /data/\\x1b[5m: ext4") != std::string::npos);

  const std::string terse = write_terse(run);
  INFO(terse);
  CHECK(first_unsafe(terse) == std::string::npos);
  CHECK(terse.find(";::error title=x::pwned\\x1b[31mRED\\x01\\x09\\x7f\\u009b2J\\x9bend;0;") != std::string::npos);
  CHECK(terse.find(";vd\\x1b[1mb;") != std::string::npos);

  JobHeader h;
  h.name = kHostile;
  h.rw = "read";
  h.ioengine = "null";
  const std::string start = format_run_start({h}, "fiokit-\x1b[0m");
  CHECK(first_unsafe(start) == std::string::npos);
  CHECK(start.find("::error title=x::pwned\\x1b[31mRED") == 0);
  CHECK(first_unsafe(format_job_header(run.jobs[0])) == std::string::npos);
}
