// `fiokit plot` argument handling, run as the shipped fiokit binary:
// fio2gnuplot's flags as fio-tools used them, the run-dir and
// --compare forms, and the exit codes for bad input (2) and gnuplot trouble (1).
#include <catch2/catch.hpp>

#include <filesystem>

#include "plot_test_util.hpp"

using plottest::run_plot;
using plottest::TempDir;
using plottest::write_file;

namespace {

void make_logs(const TempDir& dir) {
  write_file(dir / "My16k_bw.1.log", plottest::synthetic_log(300, 10, 200'000, 0, 16384));
  write_file(dir / "My16k_bw.2.log", plottest::synthetic_log(300, 10, 180'000, 0, 16384));
  write_file(dir / "My16k_iops.1.log", plottest::synthetic_log(300, 10, 12'000, 0, 16384));
}

// FAILs without gnuplot: CTest's plot-gnuplot entry skips (77) before.
bool have_gnuplot() {
  if (!plottest::have_program("gnuplot"))
    FAIL("gnuplot is not installed (Debian package gnuplot-nox): run this case through CTest's plot-gnuplot entry, "
         "which skips without it");
  return true;
}

}  // namespace

TEST_CASE("usage errors exit 2", "[cli]") {
  TempDir tmp;
  make_logs(tmp);
  struct Case {
    std::vector<std::string> args;
    const char* message;
  } cases[] = {
      {{}, "nothing to plot"},
      {{"--bogus"}, "unknown option --bogus"},
      {{"-x"}, "unknown option -x"},
      {{"-b", "-m", "abc"}, "option -m: 'abc' is not a number"},
      {{"-b", "-m", "5", "-M", "2"}, "-M/--max_time must be greater"},
      {{"-b", "-i"}, "-b and -i select different logs"},
      {{"-b", "--format", "jpg"}, "'jpg' is not png, svg or both"},
      {{"--compare", "."}, "at least two run directories"},
      {{".", "-p", "*"}, "either RUN_DIR or -b/-i/-p"},
      {{"-p"}, "option -p needs a value"},
      {{"-b", "-G", "avg"}, "not supported"},
      {{"-b", "--size", "10x10"}, "is not WIDTHxHEIGHT"},
  };
  for (const Case& c : cases) {
    std::string joined;
    for (auto& a : c.args) joined += a + " ";
    INFO("args: " << joined);
    const auto r = run_plot(c.args, tmp.path());
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(c.message) != std::string::npos);
  }
  const auto help = run_plot({"-h"}, tmp.path());
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("fiokit plot -b|-i|-p PATTERN") != std::string::npos);
}

TEST_CASE("bad input: no match, malformed row, nothing in range", "[cli]") {
  TempDir tmp;
  auto r = run_plot({"-b", "-g"}, tmp.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("no log file matches '*_bw.log' or '*_bw.*.log' in the current directory") != std::string::npos);
  r = run_plot({"-g", "-p", "*_nothing*"}, tmp.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("no log file matches '*_nothing*'") != std::string::npos);
  r = run_plot({tmp.path()}, tmp.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("no fio logs") != std::string::npos);

  write_file(tmp / "x_bw.log", "1, 100, 0, 4096, 0\n2, 100, 0, 4096, 0\n3, 1OO, 0, 4096, 0\n");
  r = run_plot({"-b", "-g"}, tmp.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("x_bw.log:3: field 2 (value) '1OO' is not an unsigned integer") != std::string::npos);
  CHECK_FALSE(plottest::file_exists(tmp / "result.png"));

  write_file(tmp / "x_bw.log", plottest::synthetic_log(100, 10, 1000));
  r = run_plot({"-b", "-g", "-m", "100"}, tmp.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("no log has samples in the selected time range") != std::string::npos);
  // A pattern that selects a file whose name says nothing needs -b or -i.
  write_file(tmp / "mystery.log", plottest::synthetic_log(10, 10, 1000));
  r = run_plot({"-g", "-p", "mystery*"}, tmp.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("say -b (bandwidth) or -i (IOPS)") != std::string::npos);
}

TEST_CASE("gnuplot missing or failing exits 1 without claiming an image", "[cli]") {
  TempDir tmp;
  make_logs(tmp);
  // No gnuplot in PATH: the message names the Debian package.
  auto r = run_plot({"-b", "-g"}, tmp.path(), "PATH=/nonexistent ");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("gnuplot-nox") != std::string::npos);
  r = run_plot({"-b", "-g", "--gnuplot-cmd", "/nonexistent/gnuplot"}, tmp.path());
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("gnuplot-nox") != std::string::npos);
  // gnuplot fails: its exit status is reported.
  r = run_plot({"-b", "-g", "--gnuplot-cmd", "cat >/dev/null; exit 3"}, tmp.path());
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("exited with status 3") != std::string::npos);
  CHECK(r.out.empty());
  // "gnuplot" exits 0 but writes nothing: not passed off as a graph.
  r = run_plot({"-b", "-g", "--gnuplot-cmd", "cat >/dev/null"}, tmp.path());
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("did not write") != std::string::npos);
  CHECK(r.out.empty());
}

TEST_CASE("fio-tools genplots command line renders", "[cli][gnuplot]") {
  if (!have_gnuplot()) return;
  TempDir tmp;
  make_logs(tmp);
  auto r = run_plot({"-t", "My16kAWSRandomReadTest", "-b", "-g", "-p", "*_bw*"}, tmp.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  for (const char* f : {"My16k_bw.1.png", "My16k_bw.2.png", "_bw.png", "_bw-stats.png"}) {
    INFO(f);
    CHECK(plottest::file_exists(tmp / f));
    CHECK(r.out.find(f) != std::string::npos);
  }
  CHECK_FALSE(plottest::file_exists(tmp / "My16k_iops.1.png"));
  // Grouped flags, -o, -d and a time window.
  r = run_plot({"-bg", "-o", "mine", "-d", "out", "-m", "1", "-M", "2", "-tT"}, tmp.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(plottest::file_exists(tmp / "out/mine.png"));
  CHECK(plottest::file_exists(tmp / "out/mine-stats.png"));
  // -i selects IOPS logs only.
  r = run_plot({"-i", "-g", "--format", "svg"}, tmp.path());
  REQUIRE(r.exit_code == 0);
  CHECK(plottest::file_exists(tmp / "My16k_iops.1.svg"));
  CHECK(plottest::file_exists(tmp / "result-stats.svg"));
}

TEST_CASE("run directory and --compare forms render", "[cli][gnuplot]") {
  if (!have_gnuplot()) return;
  TempDir tmp;
  for (const char* run : {"gold", "silver"}) {
    std::filesystem::create_directories(tmp / run);
    write_file(tmp / run + "/seq_bw.1.log", plottest::synthetic_log(200, 10, run[0] == 'g' ? 300'000 : 90'000));
    write_file(tmp / run + "/seq_lat.1.log", plottest::synthetic_log(3000, 1, run[0] == 'g' ? 90'000 : 400'000));
  }
  auto r = run_plot({"gold"}, tmp.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  for (const char* f : {"seq_bw.1.png", "bw.png", "bw-stats.png", "seq_lat.1.png", "lat.png", "lat-percentiles.png"}) {
    INFO(f);
    CHECK(plottest::file_exists(tmp / "gold/plots/" + f));
  }
  r = run_plot({"--compare", "gold", "silver", "-d", "cmp"}, tmp.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(plottest::file_exists(tmp / "cmp/compare-bw.png"));
  CHECK(plottest::file_exists(tmp / "cmp/compare-lat-stats.png"));
  const plottest::Png img = plottest::decode_png(tmp / "cmp/compare-bw.png");
  CHECK(plottest::count_colour(img, 0x1f77b4, 30) > 300);  // gold's line
  CHECK(plottest::count_colour(img, 0xff7f0e, 30) > 300);  // silver's line
}

// `plot --compare` on two runs with json+ bins (real `fiokit run`s): one graph
// holds each run's total latency CDF with its p99 marked, both runs labelled
// (fio keeps bins of completion latency, so the CDF is of clat).
TEST_CASE("--compare draws each run's latency CDF with its p99 on one graph", "[cli][gnuplot]") {
  if (!have_gnuplot()) return;
  TempDir tmp;
  for (const char* run : {"gold", "silver"}) {
    const auto r = plottest::run_command(
        std::string(FIOKIT_BIN) + " run --data-dir " + run + "-data --name=rr --ioengine=null --rw=randread --bs=4k "
        "--size=64m --time_based --runtime=300ms --numjobs=2 --output-format=json+ >/dev/null",
        tmp.path());
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto made = std::filesystem::directory_iterator(tmp / (std::string(run) + "-data/runs"))->path();
    std::filesystem::rename(made, tmp / run);
  }
  auto r = run_plot({"--compare", "gold", "silver", "-d", "cmp", "--format", "svg"}, tmp.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  REQUIRE(plottest::file_exists(tmp / "cmp/compare-clat-cdf.svg"));
  const std::string svg = plottest::read_file(tmp / "cmp/compare-clat-cdf.svg");
  CHECK(svg.find("completion latency CDF per run") != std::string::npos);
  for (const char* run : {"gold", "silver"}) {
    INFO(run);
    CHECK(svg.find(std::string(">") + run + "</text>") != std::string::npos);
    CHECK(svg.find(std::string(">") + run + " p99 = ") != std::string::npos);
  }
  // Both lines drawn in their colours (the first two of the palette).
  CHECK(svg.find("stroke='rgb( 31, 119, 180)'") != std::string::npos);
  CHECK(svg.find("stroke='rgb(255, 127,  14)'") != std::string::npos);
}
