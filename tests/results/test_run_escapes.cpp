// The fiokit binary end to end with a job file someone else wrote: a section
// name and a description holding ESC sequences, other C0 controls and DEL
// (a GitHub Actions "::error" line with colours, a terminal-clearing
// description). stdout in normal and terse formats carries no raw control byte
// but \n and \t; JSON escapes them and gives the name back byte for byte.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "fixtures.hpp"

namespace {

bool only_safe_controls(const std::string& s) {
  for (unsigned char c : s)
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) return false;
  return true;
}

}  // namespace

TEST_CASE("control characters in job names and descriptions never reach stdout raw") {
  const std::string name = "::error title=x::pwned\x1b[31mRED\x01\x7f";
  const std::string desc = "clear\x1b[2J\x1b]0:title\x07here\x02";  // no ";": it starts a comment
  fiokit::testing::TempDir dir;
  fiokit::testing::write_text(dir.path + "/j.fio", "[" + name + "]\ndescription=" + desc +
                                                        "\nioengine=null\nrw=read\nbs=4k\nsize=1m\nfilename=f\n");
  const std::string prog = "cd " + dir.path + " && " + std::string(FIOKIT_BIN) + " run --output-format=";
  for (const char* format : {"normal", "terse", "json", "json+"}) {
    INFO("output format " << format);
    const auto out = fiokit::testing::run_capture(prog + format + " j.fio 2>/dev/null");
    REQUIRE(out);
    CHECK(only_safe_controls(*out));
    if (std::string(format) == "normal") CHECK(out->find("::error title=x::pwned\\x1b[31mRED\\x01\\x7f: (groupid=0") != std::string::npos);
    if (std::string(format) == "terse") CHECK(out->find(";::error title=x::pwned\\x1b[31mRED\\x01\\x7f;0;") != std::string::npos);
    if (std::string(format).rfind("json", 0) == 0) {
      const auto j = nlohmann::json::parse(*out);
      CHECK(j["jobs"][0]["jobname"] == name);
      CHECK(j["jobs"][0]["job options"]["description"] == desc);
    }
  }
}
