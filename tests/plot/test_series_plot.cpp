// `fiokit plot RUN` on a run whose job file writes no fio logs (issue 17 item
// 1): it draws the per-second series fiokit keeps in RUN/series and says so;
// a run with its own logs is drawn from those and says that. Real runs of the
// shipped binary (null engine, about 3 s each) and the real gnuplot, the
// PNGs decoded and checked for the drawn line.
#include <catch2/catch.hpp>

#include <filesystem>

#include "plot_test_util.hpp"

using plottest::run_plot;
using plottest::TempDir;

namespace fs = std::filesystem;

namespace {

// Runs `job` with --data-dir data in `dir`; returns the run directory.
std::string make_run(const TempDir& dir, const std::string& job) {
  plottest::write_file(dir / "j.fio", job);
  const auto r = plottest::run_command(std::string(FIOKIT_BIN) + " run --data-dir data j.fio", dir.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> runs;
  for (const auto& e : fs::directory_iterator(dir / "data/runs")) runs.push_back(e.path().string());
  REQUIRE(runs.size() == 1);
  return runs[0];
}

const char* kJob = "[j]\nioengine=null\nrw=read\nbs=4k\nsize=1g\nrate_iops=1000\ntime_based\nruntime=3200ms\n";

}  // namespace

TEST_CASE("plot RUN without fio logs draws the per-second series", "[cli][gnuplot]") {
  if (!plottest::have_program("gnuplot"))
    FAIL("gnuplot is not installed (gnuplot-nox): run this case through CTest's plot-gnuplot entry, which skips without it");
  TempDir tmp;
  const std::string run = make_run(tmp, kJob);
  auto r = run_plot({run}, tmp.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("the job file writes no fio logs; graphs of fiokit's per-second series (series/)") != std::string::npos);
  for (const char* f : {"j_bw.1.png", "j_iops.1.png", "j_lat.1.png", "j_clat.1.png", "bw.png", "iops.png", "lat.png",
                        "clat.png", "bw-stats.png"}) {
    INFO(f);
    CHECK(plottest::file_exists(run + "/plots/" + f));
    CHECK(r.out.find(f) != std::string::npos);
  }
  // The graph of one series: its smoothed line drawn (not a blank frame).
  const plottest::Png img = plottest::decode_png(run + "/plots/j_bw.1.png");
  CHECK(img.width == 1280);
  CHECK(plottest::count_colour(img, 0x08519c, 30) > 300);
  // The job's own logs stay as the job file asked: none in the run dir.
  for (const auto& e : fs::directory_iterator(run))
    CHECK_FALSE(e.path().filename().string().ends_with(".log"));

  // --compare falls back the same way, per run (the second at half the rate,
  // so its line does not hide the first).
  TempDir other;
  std::string half = kJob;
  half.replace(half.find("rate_iops=1000"), 14, "rate_iops=500");
  const std::string run2 = make_run(other, half);
  r = run_plot({"--compare", run, run2, "-d", "cmp"}, tmp.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const plottest::Png cmp = plottest::decode_png(tmp / "cmp/compare-iops.png");
  CHECK(plottest::count_colour(cmp, 0x1f77b4, 30) > 200);
  CHECK(plottest::count_colour(cmp, 0xff7f0e, 30) > 200);
}

TEST_CASE("plot RUN with the job's own logs uses them and says so", "[cli][gnuplot]") {
  if (!plottest::have_program("gnuplot"))
    FAIL("gnuplot is not installed (gnuplot-nox): run this case through CTest's plot-gnuplot entry, which skips without it");
  TempDir tmp;
  const std::string run = make_run(tmp, std::string(kJob) + "write_bw_log=own\n");
  const auto r = run_plot({run}, tmp.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("graphs of the job's own fio logs") != std::string::npos);
  CHECK(plottest::file_exists(run + "/plots/own_bw.1.png"));
  CHECK_FALSE(plottest::file_exists(run + "/plots/j_bw.1.png"));  // the series is not drawn beside them
  CHECK_FALSE(plottest::file_exists(run + "/plots/j_lat.1.png"));
}

TEST_CASE("a run directory with neither logs nor series is refused with exit 2", "[cli]") {
  TempDir tmp;
  plottest::write_file(tmp / "results.json", "{}");
  const auto r = run_plot({tmp.path()}, tmp.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("no fio logs (NAME_{bw,iops,lat,clat,slat}[.N].log) and no per-second series (series/)") != std::string::npos);
}
