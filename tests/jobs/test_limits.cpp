// Limits found by fuzz/parse_fuzzer: inputs that are small or look harmless but
// would hang or eat memory must fail fast with a clear message instead.
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "jobs/cmdline.hpp"
#include "jobs/ini.hpp"
#include "jobs/parse.hpp"
#include "jobs/report_limits.hpp"
#include "jobs/units.hpp"
#include "test_expander.hpp"

using namespace fiokit::jobs;
namespace fs = std::filesystem;

using fiokit::test::parse_job_text;

namespace {
Expander plain() { return fiokit::test::test_expander(); }
}  // namespace

TEST_CASE("numjobs clones are bounded in total") {
  std::string text;
  for (int i = 0; i < 3; ++i) text += "[j" + std::to_string(i) + "]\nnumjobs=2000\n";
  CHECK_THROWS_WITH(parse_job_text(text), Catch::Contains("more than 4096 jobs") && Catch::Contains("t.fio:5"));
  CHECK(parse_job_text("[a]\nnumjobs=4096\n").jobs.size() == 4096);
}

TEST_CASE("a run names at most 1048576 files, counted before any is named") {
  // numjobs=4096 x nrfiles=1048576: planning 4.3e9 files never finished (fio
  // 3.33 itself aborts at setup with 300000 files in one job).
  const auto build = parse_job_text;
  CHECK_THROWS_WITH(build("[a]\nsize=4k\nnrfiles=2\n[j]\nsize=4k\nnumjobs=4095\nnrfiles=1048576\n"),
                    Catch::Contains("t.fio:4") && Catch::Contains("numjobs=4095 with nrfiles=1048576") &&
                        Catch::Contains("4293918722 files") && Catch::Contains("at most 1048576"));
  CHECK_THROWS_WITH(build("[a]\nsize=4k\nnrfiles=1048576\n[b]\nsize=4k\nfilename=x:y\n"),
                    Catch::Contains("t.fio:4") && Catch::Contains("numjobs=1 with 2 files in filename=") &&
                        Catch::Contains("1048578 files"));
  CHECK(build("[j]\nsize=4k\nnumjobs=16\nnrfiles=65536\n").jobs.size() == 16);
}

TEST_CASE("include refuses devices and directories") {
  CHECK_THROWS_WITH(read_job_text("[a]\ninclude /dev/zero\n", "t.fio", ".", plain()),
                    Catch::Contains("is a device") && Catch::Contains("t.fio:2"));
  CHECK_THROWS_WITH(read_job_text("[a]\ninclude " + fs::temp_directory_path().string() + "\n", "t.fio", ".", plain()),
                    Catch::Contains("is a directory"));
  CHECK_THROWS_WITH(read_job_file("/dev/zero", plain()), Catch::Contains("is a device"));
}

TEST_CASE("a line longer than 1 MiB is refused") {
  std::string text = "[a]\ndescription=" + std::string((1 << 20) + 10, 'x') + "\n";
  CHECK_THROWS_WITH(read_job_text(text, "t.fio", ".", plain()), Catch::Contains("longer than 1 MiB") && Catch::Contains("t.fio:2"));
}

TEST_CASE("numbers too large for a double are a value error, not a crash") {
  const std::string huge(400, '9');
  for (const std::string& opt : {"bs=" + huge, "size=" + huge + ".5k", "size=(" + huge + ")", "iodepth=" + huge,
                                 "runtime=" + huge}) {
    INFO(opt);
    CHECK_THROWS_WITH(parse_job_text("[a]\n" + opt + "\n"), Catch::Contains("too large") && Catch::Contains("t.fio:2"));
  }
}

TEST_CASE("arithmetic nests at most 64 deep, with or without parentheses") {
  // "1^1^...": power() called itself per '^' uncounted and 200000 of them
  // overflowed the stack (SIGSEGV); the same for a run of signs.
  std::string pow_chain = "(";
  for (int i = 0; i < 200000; ++i) pow_chain += "1^";
  pow_chain += "1)";
  const std::string signs = "(" + std::string(200000, '-') + "1)";
  const std::string plus = "(" + std::string(200000, '+') + "1)";
  const std::string parens = std::string(200000, '(') + "1" + std::string(200000, ')');
  for (const std::string& e : {pow_chain, signs, plus, parens}) {
    CHECK_THROWS_WITH(eval_expression(e, 1024, false), Catch::Contains("nested too deeply"));
    CHECK_THROWS_WITH(parse_job_text("[a]\nsize=" + e + "\n"), Catch::Contains("nested too deeply") && Catch::Contains("t.fio:2"));
  }
  // Below the limit the values are unchanged: '^' is right-associative.
  CHECK(eval_expression("(2^3^2)", 1024, false) == 512);
  CHECK(eval_expression("(--4)", 1024, false) == 4);
  CHECK(eval_expression("(-+-4)", 1024, false) == 4);
  CHECK(eval_expression(std::string(60, '(') + "1k" + std::string(60, ')'), 1024, false) == 1024);
  std::string chain60 = "(";
  for (int i = 0; i < 60; ++i) chain60 += "1^";
  CHECK(eval_expression(chain60 + "2)", 1024, false) == 1);
}

namespace {
struct TempDir {
  fs::path dir = fs::temp_directory_path() / ("fiokit-limits-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(dir); }
  ~TempDir() { fs::remove_all(dir); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(dir / name) << text; }
};
}  // namespace

TEST_CASE("includes share one budget of files and bytes") {
  TempDir t;
  SECTION("a tree of small includes: at most 4096 includes in all") {
    // 70 x 70 = 4900 includes, three levels deep: the depth limit does not see it.
    std::string mid, top = "[a]\n";
    for (int i = 0; i < 70; ++i) mid += "include leaf.inc\n", top += "include mid.inc\n";
    t.write("leaf.inc", "bs=4k\n");
    t.write("mid.inc", mid);
    t.write("top.fio", top);
    CHECK_THROWS_WITH(read_job_file((t.dir / "top.fio").string(), plain()),
                      Catch::Contains("4096 includes") && Catch::Contains("mid.inc:49") && Catch::Contains("'leaf.inc'"));
    // 58 x 70 + 58 = 4118 is over; 57 x 71 = 4047 reads.
    std::string ok = "[a]\n";
    for (int i = 0; i < 57; ++i) ok += "include mid.inc\n";
    CHECK(read_job_text(ok, (t.dir / "ok.fio").string(), t.dir.string(), plain())[0].options.size() == 57 * 70);
  }
  SECTION("one large include many times: at most 64 MiB read in all") {
    t.write("big.inc", "description=" + std::string(1000000, 'A') + "\n");  // 1000013 bytes
    std::string top = "[a]\n";
    for (int i = 0; i < 100; ++i) top += "include big.inc\n";
    // "[a]\n" and each include line (16 bytes) count too: the 68th include
    // (line 69) goes past 64 MiB.
    CHECK_THROWS_WITH(read_job_text(top, "t.fio", t.dir.string(), plain()),
                      Catch::Contains("64 MiB") && Catch::Contains("t.fio:69") && Catch::Contains("'big.inc'"));
  }
}

TEST_CASE("a long bad expression is quoted by its start only") {
  std::string e = "(";
  for (int i = 0; i < 50000; ++i) e += "1+";
  e += ")";
  try {
    eval_expression(e, 1024, false);
    FAIL("no error");
  } catch (const std::exception& x) {
    const std::string msg = x.what();
    CHECK(msg.size() < 300);
    CHECK_THAT(msg, Catch::Contains("1+1...(100002 chars)") && Catch::Contains("unexpected ')'"));
  }
}

namespace {
// A temporary folder for job files that make_request reads from disk.
struct JobDir {
  std::string path;
  JobDir() {
    std::string tmpl = (fs::temp_directory_path() / "fiokit-limits-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~JobDir() { fs::remove_all(path); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path + "/" + name) << text;
    return path + "/" + name;
  }
};
std::string repeat_lines(const std::string& line, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += line + "\n";
  return s;
}
}  // namespace

TEST_CASE("options and section headers kept are bounded across includes (issue 16)") {
  // 64 MiB of "bs=4k" lines were 11 million stored options (1.8 GB) before
  // the first job was built.
  const std::string ok = "[a]\n" + repeat_lines("bs=4k", static_cast<int>(kMaxJobLines) - 1);
  CHECK(read_job_text(ok, "t.fio", ".", plain()).front().options.size() == kMaxJobLines - 1);
  CHECK_THROWS_WITH(read_job_text(ok + "bs=8k\n", "t.fio", ".", plain()),
                    Catch::Contains("more than 200000 options and section headers") && Catch::Contains("(t.fio:200001)"));
  // The count goes on through includes: [a] + 100000 + 100000 lines is one
  // too many, at the last line of the second include.
  JobDir dir;
  dir.write("inc.fio", repeat_lines("iodepth=2", 100000));
  const std::string top = dir.write("top.fio", "[a]\ninclude inc.fio\ninclude inc.fio\n");
  CHECK_THROWS_WITH(read_job_file(top, plain()), Catch::Contains("more than 200000") && Catch::Contains("inc.fio:100000)"));
}

TEST_CASE("make_request with check_keys keeps 20 unknown options per section; the errors stay the same (issue 16)") {
  JobDir dir;
  // 100000 junk lines after a bad value: the value (line 2) is still the first
  // error, and the junk is not stored beyond the 20 lines the parse can report
  // (issue 17: every error of a file at once, at most kMaxReportedErrors).
  const std::string f = dir.write("j.fio", "[a]\nbs=foo\nbogus\n" + repeat_lines("junk", 100000) + "[b]\nmore_junk\nx\n");
  CmdlineJobs cl;
  cl.job_files.push_back(f);
  const ParseRequest kept = make_request(cl, plain(), {}, &fiokit::test::catalog());
  REQUIRE(kept.sources.size() == 1);
  REQUIRE(kept.sources[0].sections.size() == 2);
  CHECK(kept.sources[0].sections[0].options.size() == 1 + kMaxReportedErrors);  // bs, bogus, 19 junk
  CHECK(kept.sources[0].sections[1].options.size() == 2);  // more_junk, x
  CHECK(make_request(cl, plain(), {}).sources[0].sections[0].options.size() == 100002);
  auto first_error = [](const ParseRequest& req) {
    try {
      build_jobs(req, fiokit::test::catalog());
    } catch (const ParseError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK_THAT(first_error(kept), Catch::StartsWith("invalid value for 'bs'") && Catch::Contains(f + ":2)"));
  CHECK(first_error(kept) == first_error(make_request(cl, plain(), {})));
  // --section=b: the kept unknown options of [b] are the errors, as without check_keys.
  const ParseRequest only_b = make_request(cl, plain(), {"b"}, &fiokit::test::catalog());
  CHECK_THAT(first_error(only_b), Catch::StartsWith("unknown option 'more_junk' (" + f + ":100005)\nunknown option 'x' (" +
                                                    f + ":100006)"));
  CHECK(first_error(only_b) == first_error(make_request(cl, plain(), {"b"})));
  // The dropped lines do not count towards kMaxJobLines: 300000 junk lines
  // read to the end.
  const std::string g = dir.write("g.fio", "[a]\n" + repeat_lines("junk", 300000));
  CmdlineJobs cg;
  cg.job_files.push_back(g);
  CHECK(make_request(cg, plain(), {}, &fiokit::test::catalog()).sources[0].sections[0].options.size() == kMaxReportedErrors);
}
