// Real gnuplot renders: PNG (pngcairo) and SVG of the requested size, checked
// to contain the drawn lines (PNG decoded, pixels of each series' colour
// counted; SVG paths with many points), and logs written by real fio 3.33,
// including log_avg_msec logs and per-job NAME_bw.N.log names. Each test prints
// a skip when gnuplot or fio is missing.
#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>

#include "plot/plot.hpp"
#include "plot_test_util.hpp"

using namespace fiokit::plot;
using plottest::TempDir;

namespace {

// The program a case needs; FAILs without it. CTest's plot-gnuplot and
// plot_fio entries check for the programs first and skip (77) with the
// reason, so a case never passes without having drawn or read anything.
bool need(const char* prog, const char* package) {
  if (!plottest::have_program(prog))
    FAIL(prog << " is not installed (Debian package " << package
              << "): run this case through CTest's plot-gnuplot or plot_fio entry, which skips without it");
  return true;
}

size_t count_svg_points(const std::string& svg) {
  // gnuplot's SVG lines are <path ... d='M x,y L x,y x,y ...'>: count the
  // coordinate pairs inside path data.
  size_t points = 0;
  for (size_t pos = 0; (pos = svg.find(" d='", pos)) != std::string::npos;) {
    const size_t end = svg.find('\'', pos + 4);
    for (size_t i = pos + 4; i < end; ++i) points += svg[i] == ',';
    pos = end;
  }
  return points;
}

}  // namespace

TEST_CASE("gnuplot renders non-blank PNG and SVG of the requested size", "[gnuplot]") {
  if (!need("gnuplot", "gnuplot-nox")) return;
  TempDir tmp;
  // 20,000 samples with a spike and a step half way, so the trend line stays
  // clear of the average line: raw (light blue), smoothed (dark blue) and
  // average (red) must all be visible.
  std::string log = plottest::synthetic_log(10'000, 1, 300'000, 0, 4096, 2'000'000);
  for (int i = 10'000; i < 20'000; ++i)
    log += std::to_string(i + 3) + ", " + std::to_string(600'000 + (i * 37) % 17 * 6000) + ", 0, 4096, 0\n";
  plottest::write_file(tmp / "disk_bw.1.log", log);
  PlotOptions opt;
  opt.render.format = Format::both;
  opt.render.width = 1000;
  opt.render.height = 500;
  opt.graph.columns = 1000;
  opt.graph.title = "render test";
  const PlotSummary s = plot_logs({tmp / "disk_bw.1.log"}, tmp / "out", "disk", opt);
  REQUIRE(s.images.size() == 4);  // series + bars, png + svg
  const std::string png = tmp / "out/disk_bw.1.png";
  const std::string svg = tmp / "out/disk_bw.1.svg";
  REQUIRE(plottest::file_exists(png));
  REQUIRE(plottest::file_exists(svg));
  uint32_t w = 0, h = 0;
  REQUIRE(plottest::read_png_size(png, w, h));
  CHECK(w == 1000);
  CHECK(h == 500);
  const plottest::Png img = plottest::decode_png(png);
  REQUIRE(img.width == 1000);
  const size_t raw = plottest::count_colour(img, 0x9ecae1, 30);
  const size_t smooth = plottest::count_colour(img, 0x08519c, 30);
  const size_t avg = plottest::count_colour(img, 0xd62728, 30);
  INFO("raw " << raw << " smooth " << smooth << " avg " << avg);
  CHECK(raw > 2000);
  CHECK(smooth > 1000);
  CHECK(avg > 300);
  const std::string text = plottest::read_file(svg);
  CHECK(text.find("<svg") != std::string::npos);
  CHECK(text.find("width=\"1000\"") != std::string::npos);
  CHECK(count_svg_points(text) > 1000);
  // The bars image is a real picture too.
  const plottest::Png bars = plottest::decode_png(tmp / "out/disk-stats.png");
  CHECK(plottest::count_colour(bars, 0x3182bd, 20) > 500);  // the avg bar
}

TEST_CASE("logs written by fio 3.33 render, log_avg_msec included", "[gnuplot][fio]") {
  if (!need("gnuplot", "gnuplot-nox") || !need("fio", "fio")) return;
  TempDir tmp;
  const std::string run = tmp / "fio-run";
  std::filesystem::create_directories(run);
  const auto fio = plottest::run_command(
      "fio --name=t --ioengine=null --size=64m --rw=randread --write_bw_log=t --write_lat_log=t "
      "--log_avg_msec=10 --time_based --runtime=2 --output-format=json --output=results.json",
      run);
  INFO(fio.err);
  REQUIRE(fio.exit_code == 0);
  const auto log = fiokit::results::read_log(run + "/t_bw.1.log");
  CHECK(log.windowed());
  CHECK(log.rows.size() > 50);
  CHECK(log.name.job_number == 1);

  const auto r = plottest::run_plot({run, "--format", "both"}, tmp.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  for (const char* f : {"t_bw.1.png", "t_bw.1.svg", "t_lat.1.png", "t_clat.1.png", "bw.png", "bw-stats.png",
                        "lat.png", "clat-stats.png"}) {
    INFO(f);
    CHECK(plottest::file_exists(run + "/plots/" + f));
  }
  // Windowed latency logs have no percentile graph; the empty slat log is skipped.
  CHECK_FALSE(plottest::file_exists(run + "/plots/lat-percentiles.png"));
  CHECK(r.err.find("t_slat.1.log: empty log, skipped") != std::string::npos);
  CHECK(r.out.find("/plots/t_bw.1.png") != std::string::npos);
  const plottest::Png img = plottest::decode_png(run + "/plots/t_bw.1.png");
  CHECK(img.width == 1280);
  CHECK(plottest::count_colour(img, 0x08519c, 30) > 500);
}

TEST_CASE("fio per-job logs (numjobs=2) get one legend entry per job", "[fio]") {
  if (!need("fio", "fio")) return;
  TempDir tmp;
  const auto fio = plottest::run_command(
      "fio --name=j --ioengine=null --size=4m --rw=randrw --numjobs=2 --write_bw_log=j --write_lat_log=j "
      "--number_ios=3000 --output=/dev/null",
      tmp.path());
  REQUIRE(fio.exit_code == 0);
  PlotOptions opt;
  opt.render.gnuplot_cmd = "cat > " + plottest::shell_quote(tmp / "s.gp");
  opt.render.check_outputs = false;
  plot_run_dir(tmp.path(), tmp / "plots", opt);
  const std::string script = plottest::read_file(tmp / "s.gp");
  for (const char* legend : {"title 'j (job 1) read'", "title 'j (job 1) write'", "title 'j (job 2) read'",
                             "title 'j (job 2) write'"}) {
    INFO(legend);
    CHECK(script.find(legend) != std::string::npos);
  }
  // Per-I/O latency logs (bs != 0) get percentile graphs.
  CHECK(script.find("set output 'clat-percentiles.png'") != std::string::npos);
  CHECK(script.find("title 'write p99.9'") != std::string::npos);
}
