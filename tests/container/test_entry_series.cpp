// The images' graphs for a job file without log options (issue 17 item 1):
// `fiokit container tool` leaves the run's per-second series (RUN/series) and
// no fio log, and `plots`, bare or with fio-tools' genplots flags
// (-t NAME -b -g -p '*_bw*'), draws them into RUN/plots. Run as a process
// with a temporary data dir, as test_entry.cpp does; gnuplot renders for real.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "subprocess.hpp"

namespace fs = std::filesystem;
using fiokit::test::Outcome;
using fiokit::test::RunSpec;

namespace {

Outcome run_container(std::vector<std::string> args, const std::string& data) {
  for (const char* v : {"JOBFILES", "REMOTEFILES", "PLOTNAME", "FIOKIT_RUN", "FIOKIT_BIND", "FIOKIT_PORT"}) unsetenv(v);
  setenv("FIOKIT_DATA_DIR", data.c_str(), 1);
  setenv("JOBFILES", "series.fio", 1);
  RunSpec spec;
  args.insert(args.begin(), "container");
  spec.args = args;
  spec.timeout = std::chrono::milliseconds(60000);
  Outcome o = fiokit::test::run_fiokit(spec);
  unsetenv("FIOKIT_DATA_DIR");
  unsetenv("JOBFILES");
  return o;
}

std::vector<std::string> pngs(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".png" && e.file_size() > 1000) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("plots draws the series of a run whose job file writes no logs", "[entry]") {
  if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) {
    WARN("skipped: gnuplot not installed (Debian package gnuplot-nox)");
    return;
  }
  const std::string data = fiokit::test::make_temp_dir("container-series");
  std::ofstream(data + "/series.fio") << "[s]\nioengine=null\nrw=read\nbs=4k\nsize=1g\nrate_iops=500\ntime_based\nruntime=2300ms\n";
  Outcome o = run_container({"tool"}, data);
  INFO(o.err);
  REQUIRE(o.code == 0);
  std::vector<fs::path> runs;
  for (const auto& e : fs::directory_iterator(fs::path(data) / "runs")) runs.push_back(e.path());
  REQUIRE(runs.size() == 1);
  const fs::path run = runs[0];
  for (const auto& e : fs::directory_iterator(run)) CHECK(e.path().extension() != ".log");
  CHECK(fs::exists(run / "series/s_bw.1.log"));

  // fio-tools' genplots line: the glob finds the series' bw log.
  o = run_container({"plots", "-t", "NAME", "-b", "-g", "-p", "*_bw*"}, data);
  INFO(o.err);
  REQUIRE(o.code == 0);
  // (fio2gnuplot names the combined graphs after the pattern: "_bw".)
  CHECK(pngs(run / "plots") == std::vector<std::string>{"_bw-stats.png", "s_bw.1.png"});
  CHECK_FALSE(fs::exists(run / "series/plots"));  // nothing written into the series folder
  fs::remove_all(run / "plots");

  // Bare `plots`: every kind of the series, and stderr says where they came from.
  o = run_container({"plots"}, data);
  INFO(o.err);
  REQUIRE(o.code == 0);
  CHECK_THAT(o.err, Catch::Contains("per-second series"));
  const auto all = pngs(run / "plots");
  for (const char* f : {"s_bw.1.png", "s_iops.1.png", "s_lat.1.png", "s_clat.1.png"}) {
    INFO(f);
    CHECK(std::find(all.begin(), all.end(), f) != all.end());
  }
  fs::remove_all(data);
}
