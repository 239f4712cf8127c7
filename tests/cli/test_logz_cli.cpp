// Compressed logs through the fiokit binary (issue 15, part "logz"): a job with
// log_store_compressed=1 leaves NAME.log.fz (not NAME.log) beside the job, with
// every I/O in it; `fiokit --inflate-log` and `fiokit run --inflate-log` print
// it as the text log (fio's spelling, both places fio's suite calls it), and a
// missing, plain-text or truncated file exits 1 with the file named, stdout
// holding only the rows that precede the damage.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "subprocess.hpp"

using fiokit::test::make_temp_dir;
using fiokit::test::run_fiokit;
using fiokit::test::slurp;
namespace fs = std::filesystem;

namespace {
size_t lines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}
}  // namespace

TEST_CASE("log_store_compressed: the job's log is NAME.log.fz and inflates to every I/O") {
  const std::string dir = make_temp_dir("logz");
  auto o = run_fiokit({{"run", "--eta=never", "--output-format=json", "--name=z", "--ioengine=null", "--size=2m", "--bs=4k",
                        "--rw=write", "--write_bw_log=z", "--log_offset=1", "--log_compression=2k", "--log_store_compressed=1"},
                       "",
                       dir});
  REQUIRE(o.code == 0);
  CHECK(fs::exists(dir + "/z_bw.1.log.fz"));
  CHECK_FALSE(fs::exists(dir + "/z_bw.1.log"));
  auto a = run_fiokit({{"--inflate-log=z_bw.1.log.fz"}, "", dir});
  CHECK(a.code == 0);
  CHECK(a.err.empty());
  REQUIRE(lines(a.out) == 512);
  // Offsets in I/O order: row k is "time, bw, 1, 4096, k*4096, 0".
  std::istringstream in(a.out);
  std::string line;
  for (uint64_t k = 0; std::getline(in, line); ++k) {
    INFO(line);
    CHECK_THAT(line, Catch::EndsWith(", 1, 4096, " + std::to_string(k * 4096) + ", 0"));
  }
  auto b = run_fiokit({{"run", "--inflate-log", "z_bw.1.log.fz"}, "", dir});
  CHECK(b.code == 0);
  CHECK(b.out == a.out);

  // A killed run's last chunk: cut the file; the rows before it still print.
  const std::string fz = slurp(dir + "/z_bw.1.log.fz");
  std::ofstream(dir + "/cut.fz", std::ios::binary) << fz.substr(0, fz.size() - 10);
  auto c = run_fiokit({{"--inflate-log=cut.fz"}, "", dir});
  CHECK(c.code == 1);
  CHECK_THAT(c.err, Catch::Contains("cut.fz") && Catch::Contains("ends inside a compressed chunk"));
  CHECK(lines(c.out) > 400);
  CHECK(lines(c.out) < 512);
  fs::remove_all(dir);
}

TEST_CASE("--inflate-log refuses what is not a stored log") {
  const std::string dir = make_temp_dir("logz");
  std::ofstream(dir + "/t.log") << "0, 1, 0, 4096, 0\n";
  auto t = run_fiokit({{"--inflate-log=t.log"}, "", dir});
  CHECK(t.code == 1);
  CHECK(t.out.empty());
  CHECK_THAT(t.err, Catch::Contains("t.log") && Catch::Contains("not a compressed fio log"));
  auto m = run_fiokit({{"--inflate-log=missing.fz"}, "", dir});
  CHECK(m.code == 1);
  CHECK_THAT(m.err, Catch::Contains("missing.fz"));
  auto j = run_fiokit({{"run", "--inflate-log=t.log", "--name=x", "--ioengine=null", "--size=1m"}, "", dir});
  CHECK(j.code == 2);
  CHECK_THAT(j.err, Catch::Contains("--inflate-log"));
  fs::remove_all(dir);
}
