// Every error of a job file at once (issue 17 item 7): fio 3.33 reports each
// bad option of the first bad job ("Bad option <numjob=2>", "Bad option
// <iodepht=4>", "failed parsing rw=randreadd") and stops there; fiokit
// reports those of every job, each with its file:line, each once, at most 20. And
// did-you-mean for enum values (rw=randreadd), which fio 3.33 does not give
// (it lists the valid values).
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "test_expander.hpp"

using fiokit::test::option_error_of;
using fiokit::test::parse_error_of;

namespace {
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t end = std::min(text.find('\n', pos), text.size());
    out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}
}  // namespace

TEST_CASE("all unknown options of a section are reported, each with its line") {
  const std::string e = parse_error_of("[a]\nnumjob=2\niodepht=4\nsize=1m\n");
  const auto lines = lines_of(e);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "unknown option 'numjob' (t.fio:2); did you mean 'numjobs'?");
  CHECK(lines[1] == "unknown option 'iodepht' (t.fio:3); did you mean 'iodepth'?");
}

TEST_CASE("bad values and unknown options of several sections come together, in file order") {
  const std::string e = parse_error_of("[a]\nrw=randreadd\nbs=4kfoo\n[b]\nnumjob=2\n[c]\nsize=1m\n");
  const auto lines = lines_of(e);
  REQUIRE(lines.size() == 3);
  CHECK_THAT(lines[0], Catch::StartsWith("invalid value for 'rw'") && Catch::Contains("(t.fio:2)"));
  CHECK_THAT(lines[1], Catch::StartsWith("invalid value for 'bs'") && Catch::Contains("(t.fio:3)"));
  CHECK_THAT(lines[2], Catch::StartsWith("unknown option 'numjob' (t.fio:5)"));
}

TEST_CASE("an error in [global] is reported once, not once per job") {
  const std::string e = parse_error_of("[global]\niodepht=4\n[a]\n[b]\n[c]\n");
  CHECK(lines_of(e).size() == 1);
  CHECK_THAT(e, Catch::StartsWith("unknown option 'iodepht' (t.fio:2)"));
}

TEST_CASE("a section with a bad option skips the cross-option checks; a good section's checks still run") {
  // [a]'s bad option would also trip time_based without runtime: one error for it.
  const std::string e = parse_error_of("[a]\ntime_based\nnumjob=2\n[b]\ntime_based\n");
  const auto lines = lines_of(e);
  REQUIRE(lines.size() == 2);
  CHECK_THAT(lines[0], Catch::StartsWith("unknown option 'numjob' (t.fio:3)"));
  CHECK_THAT(lines[1], Catch::Contains("time_based needs a runtime") && Catch::Contains("(t.fio:5)"));
}

TEST_CASE("wait_for naming a job that failed to parse is not a second error") {
  const std::string e = parse_error_of("[a]\nnumjob=2\n[b]\nwait_for=a\n");
  CHECK(lines_of(e).size() == 1);
}

TEST_CASE("errors are capped at 20, saying so") {
  std::string text = "[a]\n";
  for (int i = 0; i < 500; ++i) text += "junk" + std::to_string(i) + "\n";
  const auto lines = lines_of(parse_error_of(text));
  REQUIRE(lines.size() == 21);
  CHECK_THAT(lines[0], Catch::StartsWith("unknown option 'junk0' (t.fio:2)"));
  CHECK_THAT(lines[19], Catch::StartsWith("unknown option 'junk19' (t.fio:21)"));
  CHECK(lines[20] == "stopped after 20 errors");
  // The cap holds across sections too.
  std::string many;
  for (int i = 0; i < 50; ++i) many += "[j" + std::to_string(i) + "]\nnumjob=1\n";
  CHECK(lines_of(parse_error_of(many)).size() == 21);
}

TEST_CASE("a job file without errors still parses") {
  CHECK(parse_error_of("[a]\nrw=randread\nnumjobs=2\n[b]\nwait_for=a\n").empty());
}

TEST_CASE("did-you-mean for enum values") {
  CHECK_THAT(option_error_of("rw=randreadd"),
             Catch::Contains("'randreadd' is not a valid value for rw; did you mean 'randread'?") &&
                 Catch::Contains("allowed: read, write"));
  CHECK_THAT(option_error_of("readwrite=wirte"), Catch::Contains("did you mean 'write'?"));
  CHECK_THAT(option_error_of("verify=md6"), Catch::Contains("did you mean 'md5'?"));
  // ":param" options are matched on the part before ':'.
  CHECK_THAT(option_error_of("random_distribution=zipff:1.2"), Catch::Contains("did you mean 'zipf'?"));
  CHECK_THAT(option_error_of("rw=RandReadd"), Catch::Contains("did you mean 'randread'?"));
  // Nothing close: no guess, only the list.
  CHECK_THAT(option_error_of("rw=xyzzyplugh"), !Catch::Contains("did you mean") && Catch::Contains("allowed: read"));
}
