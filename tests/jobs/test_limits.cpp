// Limits found by fuzz/parse_fuzzer: inputs that are small or look harmless but
// would hang or eat memory must fail fast with a clear message instead.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "jobs/ini.hpp"
#include "jobs/parse.hpp"
#include "test_expander.hpp"

using namespace fiokit::jobs;
namespace fs = std::filesystem;

namespace {
Expander plain() { return fiokit::test::test_expander(); }
}  // namespace

TEST_CASE("numjobs clones are bounded in total") {
  std::string text;
  for (int i = 0; i < 3; ++i) text += "[j" + std::to_string(i) + "]\nnumjobs=2000\n";
  ParseRequest req;
  req.sources.push_back({"t.fio", read_job_text(text, "t.fio", ".", plain())});
  CHECK_THROWS_WITH(build_jobs(req, fiokit::test::catalog()), Catch::Contains("more than 4096 jobs") && Catch::Contains("t.fio:5"));
  text = "[a]\nnumjobs=4096\n";
  ParseRequest ok;
  ok.sources.push_back({"t.fio", read_job_text(text, "t.fio", ".", plain())});
  CHECK(build_jobs(ok, fiokit::test::catalog()).jobs.size() == 4096);
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
    ParseRequest req;
    req.sources.push_back({"t.fio", read_job_text("[a]\n" + opt + "\n", "t.fio", ".", plain())});
    CHECK_THROWS_WITH(build_jobs(req, fiokit::test::catalog()), Catch::Contains("too large") && Catch::Contains("t.fio:2"));
  }
}
