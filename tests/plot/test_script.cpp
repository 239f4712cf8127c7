// Generated gnuplot scripts against golden files (tests/plot/golden/). The
// gnuplot command is swapped for "cat > FILE", so these run without gnuplot and
// pin down titles, legends (fio's per-job NAME_bw.N.log names), units, data
// directions, downsampling and both terminals. After an intended change,
// regenerate with FIOKIT_UPDATE_GOLDEN=1 and review the diff.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "plot/plot.hpp"
#include "plot_test_util.hpp"

using namespace fiokit::plot;
using plottest::TempDir;
using plottest::write_file;

namespace {

void check_golden(const std::string& name, const std::string& actual) {
  const std::string golden = std::string(PLOT_GOLDEN_DIR) + "/" + name;
  if (std::getenv("FIOKIT_UPDATE_GOLDEN")) {
    write_file(golden, actual);
    WARN("updated " << golden);
    return;
  }
  REQUIRE(plottest::file_exists(golden));
  const std::string expected = plottest::read_file(golden);
  if (expected != actual) {
    const std::string got = (std::filesystem::temp_directory_path() / ("actual-" + name)).string();
    write_file(got, actual);
    FAIL("script differs from " << golden << "; actual output in " << got << " (diff them)");
  }
}

// A run directory as fio leaves it: two jobs' bw logs (the second randrw, so
// read and write rows interleave), a per-I/O clat log, an empty slat log (fio
// writes one when slat is not measured) and results.json naming the job.
void make_run(const std::string& dir, uint64_t scale) {
  std::filesystem::create_directories(dir);
  write_file(dir + "/job_bw.1.log", plottest::synthetic_log(40, 100, 150'000 * scale, 0, 16384, 900'000 * scale));
  std::string rw;
  for (int i = 0; i < 20; ++i) {
    rw += std::to_string(i * 100 + 5) + ", " + std::to_string((60'000 + i * 500) * scale) + ", 0, 16384, 0\n";
    rw += std::to_string(i * 100 + 6) + ", " + std::to_string((30'000 + i * 250) * scale) + ", 1, 16384, 0\n";
  }
  write_file(dir + "/job_bw.2.log", rw);
  std::string clat;
  for (int i = 0; i < 60; ++i)
    clat += std::to_string(i * 50) + ", " + std::to_string((80'000 + (i * 7919) % 40'000) * scale) + ", 0, 16384, 0\n";
  write_file(dir + "/job_clat.1.log", clat);
  write_file(dir + "/job_slat.1.log", "");
  write_file(dir + "/results.json", R"({"fio version": "fio-3.33", "global options": {"bs": "16k", "iodepth": "8"},
    "jobs": [{"jobname": "job", "job options": {"rw": "randrw"}}, {"jobname": "job", "job options": {"rw": "randrw"}}]})");
}

PlotOptions capture_options(const std::string& script) {
  PlotOptions opt;
  opt.render.gnuplot_cmd = "cat > " + plottest::shell_quote(script);
  opt.render.check_outputs = false;
  return opt;
}

}  // namespace

TEST_CASE("run directory script matches golden", "[script]") {
  TempDir tmp;
  make_run(tmp / "gold-run", 1);
  PlotOptions opt = capture_options(tmp / "script.gp");
  opt.render.format = Format::both;
  opt.render.width = 800;
  opt.render.height = 600;
  opt.graph.columns = 800;
  const PlotSummary s = plot_run_dir(tmp / "gold-run", "", opt);
  CHECK(s.images.empty());  // capture only: nothing claimed as an image
  REQUIRE(s.notes.size() == 2);  // which logs were drawn, and the empty one
  CHECK(s.notes[0].find("graphs of the job's own fio logs") != std::string::npos);
  CHECK(s.notes[1].find("job_slat.1.log: empty log, skipped") != std::string::npos);
  CHECK(std::filesystem::is_directory(tmp / "gold-run/plots"));
  const std::string script = plottest::read_file(tmp / "script.gp");
  // Spot checks that say what the golden file is about.
  CHECK(script.find("set title 'gold-run (rw=randrw bs=16k iodepth=8) — job (job 1) bandwidth'") != std::string::npos);
  CHECK(script.find("title 'job (job 2) write'") != std::string::npos);
  CHECK(script.find("set output 'job_bw.2-write.svg'") != std::string::npos);
  CHECK(script.find("set ylabel 'completion latency (µs)'") != std::string::npos);
  CHECK(script.find("set output 'clat-percentiles.png'") != std::string::npos);
  CHECK(script.find("set output 'bw-stats.png'") != std::string::npos);
  CHECK(script.find("slat") == std::string::npos);
  check_golden("run_dir.gp", script);
}

TEST_CASE("compare-runs script matches golden", "[script]") {
  TempDir tmp;
  make_run(tmp / "gold", 1);
  make_run(tmp / "silver", 3);
  PlotOptions opt = capture_options(tmp / "script.gp");
  opt.graph.title = "gold vs silver";
  plot_compare({tmp / "gold", tmp / "silver"}, tmp / "out", opt);
  const std::string script = plottest::read_file(tmp / "script.gp");
  CHECK(script.find("title 'silver: job (job 2) read'") != std::string::npos);
  CHECK(script.find("set output 'compare-bw.png'") != std::string::npos);
  CHECK(script.find("set output 'compare-clat-stats.png'") != std::string::npos);
  check_golden("compare.gp", script);
}

TEST_CASE("fio2gnuplot-style CLI without -g writes the golden script", "[script][cli]") {
  TempDir tmp;
  make_run(tmp.path(), 2);
  const auto r = plottest::run_plot({"-t", "My16kAWSRandomReadTest", "-b", "-p", "*_bw*"}, tmp.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("_bw.gnuplot") != std::string::npos);
  const std::string script = plottest::read_file(tmp / "_bw.gnuplot");
  CHECK(script.find("set title 'My16kAWSRandomReadTest — all jobs, bandwidth'") != std::string::npos);
  CHECK(script.find("set output '_bw.png'") != std::string::npos);
  check_golden("fio2gnuplot.gp", script);
}

TEST_CASE("a 1,000,000-row log is downsampled before gnuplot sees it", "[script]") {
  TempDir tmp;
  write_file(tmp / "big_bw.log", plottest::synthetic_log(1'000'000, 1, 100'000, 0, 4096, 5'000'000));
  PlotOptions opt = capture_options(tmp / "script.gp");
  plot_logs({tmp / "big_bw.log"}, tmp.path(), "big", opt);
  const std::string script = plottest::read_file(tmp / "script.gp");
  size_t rows = 0;
  for (char c : script) rows += c == '\n';
  // Per-log series (raw 2/column + smoothed 1/column) and the bars: a few
  // thousand lines, not a million.
  CHECK(rows < 5 * 1280);
  // The single-sample spike (5,000,000 KiB/s = 4.768372 GiB/s) survives.
  CHECK(script.find(" 4.768372\n") != std::string::npos);
}
