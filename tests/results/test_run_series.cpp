// The per-second series of every run directory (issue 17 item 1), from real
// `fiokit run --data-dir` runs (null engine, rate_iops, so the figures are
// reproducible): a job file without log options gets RUN/series/ with
// fio-format bw/iops/lat/clat logs in log_avg_msec=1000's windows and no log
// anywhere else; their means agree with results.json; with the job's own
// log_avg_msec=1000 logs beside them the rows are the same row for row (one
// clock, one windowing); a kill -9 leaves whole lines.
#include <algorithm>
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "fixtures.hpp"
#include "results/log_reader.hpp"

using fiokit::results::LogRow;
using fiokit::results::read_log;
using fiokit::testing::TempDir;
namespace fs = std::filesystem;

namespace {

// The one run directory under data/runs.
std::string only_run(const std::string& data) {
  std::vector<std::string> runs;
  for (const auto& e : fs::directory_iterator(data + "/runs")) runs.push_back(e.path().string());
  REQUIRE(runs.size() == 1);
  return runs[0];
}

std::string run_fiokit(const std::string& dir, const std::string& job) {
  fiokit::testing::write_text(dir + "/j.fio", job);
  const auto out = fiokit::testing::run_capture("cd " + dir + " && " + std::string(FIOKIT_BIN) +
                                                " run --output-format=json --data-dir data j.fio 2>/dev/null");
  REQUIRE(out);
  return only_run(dir + "/data");
}

std::vector<LogRow> dir_rows(const std::vector<LogRow>& rows, int ddir) {
  std::vector<LogRow> out;
  for (const auto& r : rows)
    if (r.ddir == ddir) out.push_back(r);
  return out;
}

// The run's mean latency from windowed means: each window weighted by its
// I/Os (the iops rows of the full windows; the partial last window holds the
// rest of total_ios). Equal weights would let the half-second last window, or
// one window with a scheduler stall on a loaded machine, pull the mean away.
double weighted_lat_mean(const std::vector<LogRow>& lat, const std::vector<LogRow>& iops, double total_ios) {
  double s = 0, n = 0;
  for (size_t i = 0; i < lat.size(); ++i) {
    const double w = i < iops.size() ? static_cast<double>(iops[i].value) : std::max(0.0, total_ios - n);
    s += w * static_cast<double>(lat[i].value);
    n += w;
  }
  return n > 0 ? s / n : 0;
}

double mean_value(const std::vector<LogRow>& rows) {
  double s = 0;
  for (const auto& r : rows) s += static_cast<double>(r.value);
  return rows.empty() ? 0 : s / static_cast<double>(rows.size());
}

std::vector<uint64_t> times(const std::vector<LogRow>& rows) {
  std::vector<uint64_t> t;
  for (const auto& r : rows) t.push_back(r.time_ms);
  return t;
}

}  // namespace

TEST_CASE("a job file without logs gets a per-second series in RUN/series, and no other log", "[run]") {
  TempDir dir;
  const std::string run = run_fiokit(dir.path, "[j]\nioengine=null\nrw=randrw\nbs=4k\nsize=1g\nrate_iops=2000\n"
                                               "time_based\nruntime=3500ms\n");
  // The job's own logs stay exactly as the job file asks: none.
  for (const auto& e : fs::directory_iterator(run)) {
    INFO(e.path());
    CHECK_FALSE(fiokit::results::parse_log_name(e.path().filename().string()));
  }
  for (const char* kind : {"bw", "iops", "lat", "clat"}) {
    INFO(kind);
    CHECK(fs::is_regular_file(run + "/series/j_" + std::string(kind) + ".1.log"));
  }
  // The null engine completes inside queue(): no slat, so no (empty) slat file.
  CHECK_FALSE(fs::exists(run + "/series/j_slat.1.log"));

  const auto doc = nlohmann::json::parse(fiokit::testing::read_text(run + "/results.json"));
  const auto& job = doc["jobs"][0];
  const auto bw = read_log(run + "/series/j_bw.1.log"), iops = read_log(run + "/series/j_iops.1.log");
  const auto lat = read_log(run + "/series/j_lat.1.log"), clat = read_log(run + "/series/j_clat.1.log");
  CHECK(bw.windowed());
  CHECK(bw.columns == 5);
  for (int d = 0; d < 2; ++d) {
    const char* name = d == 0 ? "read" : "write";
    INFO(name);
    const auto& r = job[name];
    // fio 3.33's log_avg_msec=1000 windows for runtime=3500ms: rates for the
    // three full windows, latencies for those and the partial last one.
    CHECK(times(dir_rows(bw.rows, d)) == std::vector<uint64_t>{1000, 2000, 3000});
    CHECK(times(dir_rows(iops.rows, d)) == std::vector<uint64_t>{1000, 2000, 3000});
    const auto lat_t = times(dir_rows(lat.rows, d));
    REQUIRE(lat_t.size() == 4);
    CHECK(lat_t[2] == 3000);
    CHECK(lat_t[3] >= 3500);
    CHECK(lat_t[3] < 3600);
    CHECK(times(dir_rows(clat.rows, d)) == lat_t);
    // The series' means are the run's figures: rates within 2% (each window's
    // rate is over whole ms; rate_iops paces 2000/s); latency means, weighted
    // by each window's I/Os, within 5% plus 1 ns (fio's log values are whole
    // ns, truncated: null-engine latencies are ~50 ns).
    const double want_bw = r["bw"].get<double>(), want_iops = r["iops"].get<double>();
    CHECK(mean_value(dir_rows(bw.rows, d)) == Approx(want_bw).epsilon(0.02));
    CHECK(mean_value(dir_rows(iops.rows, d)) == Approx(want_iops).epsilon(0.02));
    const auto io_rows = dir_rows(iops.rows, d);
    const double ios = r["total_ios"].get<double>();
    CHECK(weighted_lat_mean(dir_rows(lat.rows, d), io_rows, ios) ==
          Approx(r["lat_ns"]["mean"].get<double>()).epsilon(0.05).margin(1.0));
    CHECK(weighted_lat_mean(dir_rows(clat.rows, d), io_rows, ios) ==
          Approx(r["clat_ns"]["mean"].get<double>()).epsilon(0.05).margin(1.0));
  }
}

TEST_CASE("the series equals the job's own log_avg_msec=1000 logs row for row", "[run]") {
  TempDir dir;
  const std::string run = run_fiokit(dir.path, "[j]\nioengine=null\nrw=randrw\nbs=4k\nsize=1g\nrate_iops=1500\n"
                                               "time_based\nruntime=2700ms\nwrite_bw_log=j\nwrite_iops_log=j\n"
                                               "write_lat_log=j\nlog_avg_msec=1000\nnumjobs=2\n");
  for (const char* n : {"1", "2"})
    for (const char* kind : {"bw", "iops", "lat", "clat"}) {
      const std::string file = "j_" + std::string(kind) + "." + n + ".log";
      INFO(file);
      const auto own = read_log(run + "/" + file), series = read_log(run + "/series/" + file);
      REQUIRE(own.rows.size() >= 4);
      REQUIRE(series.rows.size() == own.rows.size());
      for (size_t i = 0; i < own.rows.size(); ++i) {
        INFO("row " << i);
        CHECK(series.rows[i].time_ms == own.rows[i].time_ms);
        CHECK(series.rows[i].value == own.rows[i].value);
        CHECK(series.rows[i].ddir == own.rows[i].ddir);
      }
    }
}

TEST_CASE("ramp_time: the series starts after the ramp and has no rate for the partial last window", "[run]") {
  TempDir dir;
  // 2.3 s of stats after a 1 s ramp: rates for the windows ending at 1000
  // and 2000 ms, none for the partial last one; latencies for all three.
  const std::string run = run_fiokit(dir.path, "[r]\nioengine=null\nrw=read\nbs=4k\nsize=1g\nrate_iops=1000\n"
                                               "ramp_time=1\ntime_based\nruntime=2300ms\n");
  const auto bw = read_log(run + "/series/r_bw.1.log");
  CHECK(times(bw.rows) == std::vector<uint64_t>{1000, 2000});
  for (const auto& r : bw.rows) CHECK(r.value == Approx(4000).epsilon(0.02));
  const auto lat = read_log(run + "/series/r_lat.1.log");
  REQUIRE(lat.rows.size() == 3);
  CHECK(lat.rows.back().time_ms >= 2300);
}

TEST_CASE("kill -9 leaves the series with whole lines up to the last second", "[run]") {
  TempDir dir;
  fiokit::testing::write_text(dir.path + "/k.fio", "[k]\nioengine=null\nrw=read\nbs=4k\nsize=1g\nrate_iops=500\n"
                                                   "time_based\nruntime=30\n");
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (chdir(dir.path.c_str()) != 0) _exit(126);
    const int null_fd = ::open("/dev/null", O_WRONLY);
    dup2(null_fd, 1), dup2(null_fd, 2);
    execl(FIOKIT_BIN, FIOKIT_BIN, "run", "--data-dir", "data", "k.fio", static_cast<char*>(nullptr));
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(3700));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  const std::string run = only_run(dir.path + "/data");
  const std::string text = fiokit::testing::read_text(run + "/series/k_iops.1.log");
  REQUIRE(!text.empty());
  CHECK(text.back() == '\n');
  const auto iops = read_log(run + "/series/k_iops.1.log");  // throws on a torn row
  CHECK(iops.rows.size() >= 2);
  for (const auto& r : iops.rows) CHECK(r.value == Approx(500).epsilon(0.02));
}

TEST_CASE("a job shorter than a window has its latency row at its end, no rate row", "[run]") {
  TempDir dir;
  // fio 3.33 with log_avg_msec=1000 on this job: "0, 3504, 1, 0, 0" in the
  // clat and lat logs, nothing in bw and iops.
  const std::string run = run_fiokit(dir.path, "[s]\nioengine=psync\nrw=write\nbs=4k\nsize=256k\nfilename=" + dir.path +
                                                   "/data.bin\n");
  const auto clat = read_log(run + "/series/s_clat.1.log");
  REQUIRE(clat.rows.size() == 1);
  CHECK(clat.rows[0].ddir == 1);
  CHECK(clat.rows[0].value > 0);
  CHECK(read_log(run + "/series/s_lat.1.log").rows.size() == 1);
  CHECK_FALSE(fs::exists(run + "/series/s_bw.1.log"));
  CHECK_FALSE(fs::exists(run + "/series/s_iops.1.log"));
}
