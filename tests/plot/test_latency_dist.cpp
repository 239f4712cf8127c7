// Latency distributions (issue 17 item 2): fio's bin geometry, percentiles
// from json+ bins equal to the ones the same results.json reports (fiokit's
// writer here; fio 3.33's own json+ in the [fio] cases), hist logs decoded
// row by row (against fio's tools/hist/fiologparser_hist.py when it and pandas
// are present), totals from summed bins, and the graphs drawn by the real
// gnuplot: SVG parsed for the log-scale axis and the four percentile markers,
// PNG decoded for the markers' colours.
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/latency_fixture.hpp"
#include "common/proc_status.hpp"
#include "plot/latency_dist.hpp"
#include "plot/plot.hpp"
#include "plot_test_util.hpp"
#include "results/log_reader.hpp"

using namespace fiokit;
using namespace fiokit::plot;
using plottest::TempDir;
using results::LatencyDist;
using results::LatencyHistogram;

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

LatencyDist dist_of(const LatencyHistogram& h) {
  LatencyDist d = LatencyDist::empty(0);
  for (size_t i = 0; i < LatencyHistogram::kBins; ++i) d.counts[i] = h.bins()[i];
  return d;
}

// Every reported percentile equals the one computed from the bins.
void check_reported(const std::vector<results::DistTrack>& tracks) {
  REQUIRE(!tracks.empty());
  for (const auto& t : tracks) {
    INFO(t.job << " " << t.metric << " dir " << t.ddir);
    REQUIRE(!t.reported.empty());
    for (const auto& [p, v] : t.reported) {
      INFO("p" << p);
      CHECK(results::dist_percentile(t.dist, p) == v);
    }
  }
}

// Job directions with completed I/O in a fio JSON document: each has bins.
size_t directions_with_io(const std::string& text) {
  const auto doc = nlohmann::json::parse(text.substr(text.find('{')));
  size_t n = 0;
  for (const auto& job : doc["jobs"])
    for (const char* d : {"read", "write", "trim"})
      if (job.contains(d) && job[d].value("total_ios", uint64_t{0}) > 0) ++n;
  return n;
}

std::string fio_src_hist_tool() {
  for (const char* p : {"/usr/bin/fiologparser_hist.py", "/usr/share/fio/tools/hist/fiologparser_hist.py",
                        "/var/tmp/fiokit-fio-src/fio-3.33/tools/hist/fiologparser_hist.py"})
    if (std::filesystem::exists(p)) return p;
  return "";
}

}  // namespace

TEST_CASE("bins tile the latency axis and coarsening keeps every count", "[latency]") {
  for (int c = 0; c <= 6; ++c) {
    const size_t n = LatencyHistogram::kBins >> c;
    for (size_t i = 0; i + 1 < n; ++i) {
      INFO("c=" << c << " bin " << i);
      REQUIRE(results::dist_bin_low(i, c) < results::dist_bin_high(i, c));
      REQUIRE(results::dist_bin_high(i, c) == results::dist_bin_low(i + 1, c));
      const uint64_t v = results::dist_bin_value(i, c);
      REQUIRE((v >= results::dist_bin_low(i, c) && v < results::dist_bin_high(i, c)));
      REQUIRE(LatencyHistogram::index_of(results::dist_bin_low(i, c)) >> c == i);
    }
  }
  LatencyHistogram h;
  std::mt19937_64 rng(3);
  for (int i = 0; i < 20000; ++i) h.add(test::latency_sample(rng));
  const LatencyDist d = dist_of(h);
  for (int c = 1; c <= 6; ++c) CHECK(d.coarsened(c).total() == 20000);
  // Coarseness 0 is fio's own value: the same percentile as the histogram's.
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9, 99.99, 100.0}) CHECK(results::dist_percentile(d, p) == h.percentile(p));
  // A merged bin's percentile lies in the merged bin holding the fine one.
  const uint64_t fine = results::dist_percentile(d, 99);
  const LatencyDist c3 = d.coarsened(3);
  const uint64_t coarse = results::dist_percentile(c3, 99);
  const size_t bin = LatencyHistogram::index_of(fine) >> 3;
  CHECK((coarse >= results::dist_bin_low(bin, 3) && coarse < results::dist_bin_high(bin, 3)));
}

TEST_CASE("json+ bins give the percentiles results.json reports; the total sums the bins", "[latency]") {
  const std::string text = test::latency_run_json_plus(3, 5000);
  const auto tracks = results::read_json_plus_dists("fio: a message first\n" + text);
  // clat only: lat/slat percentiles are off by default, so they carry no bins.
  REQUIRE(tracks.size() == 3);
  check_reported(tracks);
  for (int k = 0; k < 3; ++k) CHECK(tracks[static_cast<size_t>(k)].job_number == k + 1);
  const auto totals = results::sum_tracks(tracks);
  REQUIRE(totals.size() == 1);
  CHECK(totals[0].members == 3);
  CHECK(totals[0].dist.total() == 15000);
  // The total's percentile is the one of all I/Os together, not an average.
  LatencyHistogram all;
  const auto run = test::latency_run(3, 5000);
  for (const auto& j : run.jobs) all.merge(j.dirs[0].clat);
  for (double p : {50.0, 99.0, 99.9, 99.99}) CHECK(results::dist_percentile(totals[0].dist, p) == all.percentile(p));
  CHECK(results::track_label(tracks[1], true) == "rr (job 2)");
  CHECK(results::track_label(totals[0], true) == "total (3 jobs)");
  CHECK_THROWS(results::read_json_plus_dists("no json here"));
}

TEST_CASE("hist logs: names, rows, coarseness, windows and errors with file:line", "[latency]") {
  CHECK(results::parse_hist_log_name("d/job_clat_hist.3.log")->job_number == 3);
  CHECK(results::parse_hist_log_name("job_clat_hist.log")->prefix == "job");
  CHECK_FALSE(results::parse_hist_log_name("job_clat.1.log"));
  CHECK_FALSE(results::parse_log_name("job_clat_hist.1.log"));  // the time-series reader leaves them alone
  TempDir tmp;
  for (int c : {0, 2, 6}) {
    LatencyHistogram sum;
    const std::string path = tmp / ("h" + std::to_string(c) + "_clat_hist.1.log");
    plottest::write_file(path, test::hist_log_text(20, 100, 300, c, sum));
    results::HistAggregator agg;  // interval found from the rows: 100 ms
    const auto& f = agg.add_file(path);
    CHECK(agg.coarseness() == c);
    CHECK(agg.interval_ms() == 100);
    CHECK(f.rows == 20);
    REQUIRE(f.by_dir[0]);
    CHECK(f.by_dir[0]->total() == 6000);
    CHECK(f.by_dir[0]->counts == dist_of(sum).coarsened(c).counts);
    CHECK(agg.windows(0).size() == 20);
    CHECK(agg.windows(1).empty());
    // More windows than allowed: the interval doubles, nothing is lost.
    results::HistAggregator small(100, 8);
    small.add_file(path);
    CHECK(small.interval_ms() == 400);
    uint64_t total = 0;
    for (const auto& w : small.windows(0)) total += w.dist.total();
    CHECK(total == 6000);
    CHECK(small.windows(0).size() <= 8);
  }
  {
    // Rows written at the first completion after each 100 ms mark, on a
    // loaded machine: most are late by 30-55 ms, three on time. The median
    // single gap is 105 ms (110 after rounding); the rows' slope is 100.
    std::string text;
    const int late[] = {0, 30, 35, 40, 0, 45, 50, 0, 55};
    for (int k = 0; k < 9; ++k) {
      text += std::to_string(100 * (k + 1) + late[k]) + ", 0, 4096";
      for (size_t b = 0; b < LatencyHistogram::kBins; ++b) text += b == 100 ? ", 1" : ", 0";
      text += "\n";
    }
    plottest::write_file(tmp / "late_clat_hist.1.log", text);
    results::HistAggregator agg;
    agg.add_file(tmp / "late_clat_hist.1.log");
    CHECK(agg.interval_ms() == 100);
  }
  plottest::write_file(tmp / "bad_clat_hist.1.log", "100, 0, 4096, 1, 2, 3\n");
  try {
    results::scan_hist_log(tmp / "bad_clat_hist.1.log", [](const results::HistRow&) {});
    FAIL("a row of 3 bins was accepted");
  } catch (const results::LogParseError& e) {
    CHECK_THAT(e.what(), Catch::Contains("bad_clat_hist.1.log:1") && Catch::Contains("1856"));
  }
  LatencyHistogram sum;
  std::string text = test::hist_log_text(2, 100, 10, 0, sum);
  text += "300, 0, 4096, x\n";
  plottest::write_file(tmp / "junk_clat_hist.1.log", text);
  CHECK_THROWS_WITH(results::scan_hist_log(tmp / "junk_clat_hist.1.log", [](const results::HistRow&) {}),
                    Catch::Contains("junk_clat_hist.1.log:3"));
}

// Under AddressSanitizer (CI's second stage) the shadow memory and the
// quarantine of freed blocks count in the resident set, so the bounds below
// would measure ASan, not fiokit: they are reported there, not asserted (the
// plain build asserts them; CTest memory_limits is left out under ASan too).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kRssMeasurable = false;
#else
constexpr bool kRssMeasurable = true;
#endif

TEST_CASE("hist logs: a line past 1 MiB or past 1862 fields is refused with file:line, memory stays small",
          "[latency][memory]") {
  TempDir tmp;
  // 24 MB of "0," and no newline: used to be read whole and split into 12 M
  // fields (~6x the file at peak) before the column count was checked.
  const std::string huge = tmp / "huge_clat_hist.1.log";
  {
    std::ofstream out(huge, std::ios::binary);
    const std::string chunk(1 << 20, '0');
    std::string zeros;
    for (size_t i = 0; i < chunk.size() / 2; ++i) zeros += "0,";
    for (int i = 0; i < 24; ++i) out << zeros;
  }
  const long before = static_cast<long>(fiokit::test::peak_rss_kib());
  try {
    results::scan_hist_log(huge, [](const results::HistRow&) {});
    FAIL("a 24 MB line was accepted");
  } catch (const results::LogParseError& e) {
    CHECK_THAT(e.what(), Catch::Contains("huge_clat_hist.1.log:1") && Catch::Contains("longer than 1 MiB"));
  }
  INFO("peak RSS " << before << " KiB before, " << fiokit::test::peak_rss_kib() << " KiB after");
  if (kRssMeasurable) CHECK(static_cast<long>(fiokit::test::peak_rss_kib()) - before < 16 * 1024);
  // A short row with too many fields, after a good one: named at its line.
  LatencyHistogram sum;
  std::string text = test::hist_log_text(1, 100, 10, 0, sum);
  text += "200, 0, 4096";
  for (int i = 0; i < 3000; ++i) text += ", 0";
  text += "\n";
  plottest::write_file(tmp / "wide_clat_hist.1.log", text);
  CHECK_THROWS_WITH(results::scan_hist_log(tmp / "wide_clat_hist.1.log", [](const results::HistRow&) {}),
                    Catch::Contains("wide_clat_hist.1.log:2") && Catch::Contains("more than 1862 fields"));
}

TEST_CASE("plot draws histogram, CDF and percentiles over time with the four markers", "[gnuplot][latency]") {
  if (!need("gnuplot", "gnuplot-nox")) return;
  TempDir run;
  plottest::write_file(run / "results.json", test::latency_run_json_plus(2, 20000));
  LatencyHistogram s1, s2;
  plottest::write_file(run / "rr_clat_hist.1.log", test::hist_log_text(30, 100, 200, 0, s1, 1));
  plottest::write_file(run / "rr_clat_hist.2.log", test::hist_log_text(30, 100, 200, 0, s2, 2));
  const auto r = plottest::run_plot({run.path(), "--format", "both"}, run.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  for (const char* name : {"clat-histogram", "clat-cdf", "clat-percentiles-time"})
    for (const char* ext : {".png", ".svg"}) CHECK(plottest::file_exists(run / ("plots/" + std::string(name) + ext)));

  // The markers are the total's percentiles (json+ bins of both jobs summed).
  const auto tracks = results::read_json_plus_dists(plottest::read_file(run / "results.json"));
  const auto total = results::sum_tracks(tracks).at(0).dist;
  const std::string svg = plottest::read_file(run / "plots/clat-cdf.svg");
  for (const char* p : {"p50", "p99", "p99.9", "p99.99"}) {
    const double pct = std::stod(std::string(p).substr(1));
    const double v = static_cast<double>(results::dist_percentile(total, pct));
    // The legend shows the value in the axis unit (µs for a ~100 µs median).
    const std::string label = std::string(p) + " = " + format_value(v / 1000.0) + " µs";
    INFO(label);
    CHECK(svg.find(label) != std::string::npos);
  }
  CHECK(svg.find("rr (job 1)") != std::string::npos);
  CHECK(svg.find("total (2 jobs)") != std::string::npos);
  CHECK(svg.find("log scale") != std::string::npos);
  // Log-scale x: decade tics 100, 1000, 10000 (µs) all on one axis.
  std::regex tic(R"(<text> ?(100|1000|10000)</text>)");
  std::set<std::string> tics;
  for (std::sregex_iterator it(svg.begin(), svg.end(), tic), end; it != end; ++it) tics.insert((*it)[1]);
  CHECK(tics.size() == 3);

  // The PNG: each marker colour drawn (dashed vertical lines + legend swatch).
  const auto png = plottest::decode_png(run / "plots/clat-histogram.png");
  for (uint32_t colour : {0x2ca02cu, 0xff7f0eu, 0xd62728u, 0x7b0099u}) {
    INFO(std::hex << colour);
    CHECK(plottest::count_colour(png, colour, 30) > 100);
  }
  const std::string time_svg = plottest::read_file(run / "plots/clat-percentiles-time.svg");
  CHECK(time_svg.find("p99.9") != std::string::npos);
  CHECK(time_svg.find("bins of 2 hist logs summed") != std::string::npos);

  // fio2gnuplot's form: -p on the hist logs alone.
  TempDir out;
  const auto g = plottest::run_plot({"-p", "*_clat_hist*", "-g", "-o", "H", "-d", out.path()}, run.path());
  INFO(g.err);
  REQUIRE(g.exit_code == 0);
  CHECK(plottest::file_exists(out / "H-clat-histogram.png"));
  CHECK(plottest::file_exists(out / "H-clat-percentiles-time.png"));
}

TEST_CASE("fio 3.33's json+ percentiles equal the ones from its bins; its hist log decodes", "[fio][latency]") {
  if (!need("fio", "fio")) return;
  TempDir tmp;
  const auto fio = plottest::run_command(
      "fio --name=rr --ioengine=psync --rw=randrw --bs=4k --size=8m --filename=" + (tmp / "f") +
          " --time_based --runtime=1 --numjobs=2 --write_hist_log=rr --log_hist_msec=100 "
          "--percentile_list=1:10:50:90:99:99.5:99.9:99.99 --output-format=json+ --output=results.json",
      tmp.path());
  INFO(fio.err);
  REQUIRE(fio.exit_code == 0);
  const std::string text = plottest::read_file(tmp / "results.json");
  const auto tracks = results::read_json_plus_dists(text);
  INFO(text.substr(0, 4000));
  // 2 jobs x read/write, less any that a busy machine left without I/O.
  REQUIRE(tracks.size() == directions_with_io(text));
  REQUIRE(tracks.size() >= 2);
  check_reported(tracks);
  // The hist logs: 1856 bins (fio 3.33; its HOWTO still says 1216), deltas per
  // row, so their sum is at most the job's clat N and close to it.
  const DistInputs in = load_hist_logs({tmp / "rr_clat_hist.1.log", tmp / "rr_clat_hist.2.log"}, 100);
  REQUIRE(in.hist);
  CHECK(in.hist->coarseness() == 0);
  for (const auto& t : in.tracks) {
    const auto& j = std::find_if(tracks.begin(), tracks.end(), [&](const results::DistTrack& u) {
      return u.job_number == t.job_number && u.ddir == t.ddir;
    });
    REQUIRE(j != tracks.end());
    // Read as cumulative counts, the rows would add up to several times N.
    CHECK(t.dist.total() <= j->dist.total());
    CHECK(t.dist.total() >= j->dist.total() / 2);  // the last window has no row
  }
  // fio's own parser, when it and pandas are here: the same samples per window.
  const std::string tool = fio_src_hist_tool();
  // Debian's python3 (python3-pandas installs there), not one earlier in PATH.
  const std::string python = std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  if (tool.empty() || plottest::run_command(python + " -c 'import pandas'", tmp.path()).exit_code != 0) {
    WARN("skipped the fiologparser_hist.py comparison: the tool or python3-pandas is missing");
    return;
  }
  const auto py = plottest::run_command(python + " " + tool + " --noweight -i 100 --directions r rr_clat_hist.1.log rr_clat_hist.2.log",
                                        tmp.path());
  INFO(py.err);
  REQUIRE(py.exit_code == 0);
  std::istringstream lines(py.out);
  std::string line;
  std::getline(lines, line);  // header
  const auto windows = in.hist->windows(0);
  size_t n = 0;
  while (std::getline(lines, line)) {
    uint64_t end_ms = 0, samples = 0;
    char dir = 0;
    double mn = 0, avg = 0, median = 0;
    if (std::sscanf(line.c_str(), "%lu, %c, %lu, %lf, %lf, %lf", &end_ms, &dir, &samples, &mn, &avg, &median) != 6) continue;
    INFO(line);
    auto w = std::find_if(windows.begin(), windows.end(), [&](const auto& x) { return x.end_ms == end_ms; });
    REQUIRE(w != windows.end());
    CHECK(w->dist.total() == samples);
    // Its median interpolates linearly between bin values (between the modes
    // of a bimodal mix that can be far from any bin), ours is fio's bin value:
    // a decoding error (another bin layout) would move it by a factor of 2 or
    // more, so it must lie between our p40 and p60, give or take a bin.
    const auto pct = [&](double p) { return static_cast<double>(results::dist_percentile(w->dist, p)); };
    CHECK(median >= pct(40) * 0.97);
    CHECK(median <= pct(60) * 1.03);
    ++n;
  }
  CHECK(n > 0);
  CHECK(n == windows.size());
}

TEST_CASE("fiokit run's json+ and hist logs: bins give its reported percentiles, the graphs follow", "[gnuplot][latency]") {
  if (!need("gnuplot", "gnuplot-nox")) return;
  TempDir tmp;
  const auto run = plottest::run_command(
      std::string(FIOKIT_BIN) + " run --name=rr --ioengine=psync --rw=randrw --bs=4k --size=4m --filename=" +
          (tmp / "f") + " --time_based --runtime=1 --numjobs=2 --write_hist_log=rr --log_hist_msec=100 "
          "--output-format=json+ --output=results.json",
      tmp.path());
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const std::string text = plottest::read_file(tmp / "results.json");
  const auto tracks = results::read_json_plus_dists(text);
  REQUIRE(tracks.size() == directions_with_io(text));
  REQUIRE(tracks.size() >= 2);
  check_reported(tracks);
  const DistInputs in = load_hist_logs({tmp / "rr_clat_hist.1.log", tmp / "rr_clat_hist.2.log"});
  REQUIRE(in.hist);
  // Found from the rows' times (the unit case above pins the estimate): a
  // real 1 s run on a loaded machine (CI's sanitizer build) can put its rows
  // late enough to read as the next 10 ms step.
  CHECK(in.hist->interval_ms() >= 100);
  CHECK(in.hist->interval_ms() <= 110);
  CHECK(in.tracks.size() == tracks.size());
  const auto r = plottest::run_plot({tmp.path(), "--format", "svg"}, tmp.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  for (const char* name : {"clat-histogram-read", "clat-histogram-write", "clat-cdf-read", "clat-cdf-write",
                           "clat-percentiles-time"})
    CHECK(plottest::file_exists(tmp / ("plots/" + std::string(name) + ".svg")));
  const std::string time_svg = plottest::read_file(tmp / "plots/clat-percentiles-time.svg");
  for (const char* line : {"read p50", "read p99.9", "write p99"}) CHECK(time_svg.find(line) != std::string::npos);
}

// Memory: a hist log is streamed, never held. 10,000 rows of 1856 bins is 55 MB
// of text and 148 MB as 64-bit counts; `fiokit plot` must stay under 64 MiB
// peak RSS (measured 28 MB on a 20,000-row log), gnuplot included (wait4's
// rusage covers the command and everything it waited for).
TEST_CASE("plot reads a long hist log in bounded memory", "[gnuplot][latency][memory]") {
  if (!need("gnuplot", "gnuplot-nox")) return;
  TempDir tmp;
  {
    std::ofstream f(tmp / "long_clat_hist.1.log");
    std::mt19937_64 rng(5);
    std::vector<uint64_t> row(LatencyHistogram::kBins);
    for (int r = 0; r < 10000; ++r) {
      std::fill(row.begin(), row.end(), 0);
      for (int k = 0; k < 40; ++k) ++row[LatencyHistogram::index_of(test::latency_sample(rng))];
      f << (r + 1) * 100 + 3 << ", 0, 4096";
      for (uint64_t c : row) f << ", " << c;
      f << '\n';
    }
    REQUIRE(f.good());
  }
  const std::string cmd = plottest::shell_quote(FIOKIT_BIN) + " plot -g -p '*_clat_hist*' -o long >/dev/null 2>&1";
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (::chdir(tmp.path().c_str()) != 0) ::_exit(126);
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  struct rusage ru {};
  REQUIRE(::wait4(pid, &status, 0, &ru) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  INFO("peak RSS " << ru.ru_maxrss << " KiB");
  if (kRssMeasurable) CHECK(ru.ru_maxrss < 64 * 1024);
  CHECK(plottest::file_exists(tmp / "long-clat-percentiles-time.png"));
  CHECK(plottest::file_exists(tmp / "long-clat-histogram.png"));
}
