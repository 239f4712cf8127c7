// LogSink: fio's file names and row format (byte-identical to what fio 3.33
// wrote for the same rows), rows reaching the disk while the sink is still open
// (what lets a SIGKILLed run keep its logs), and fio's plotting scripts reading
// the files.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/proc_status.hpp"
#include "fixtures.hpp"
#include "results/log_sink.hpp"

using namespace fiokit::results;
using fiokit::testing::read_text;
using fiokit::testing::TempDir;
namespace fs = std::filesystem;

namespace {

std::vector<LogRow> parse_fio_rows(const std::string& text, bool with_offset) {
  std::vector<LogRow> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    LogRow r{};
    char c;
    std::istringstream ls(line);
    ls >> r.time_ms >> c >> r.value >> c >> r.ddir >> c >> r.bs >> c;
    if (with_offset) ls >> r.offset >> c;
    ls >> r.prio;
    rows.push_back(r);
  }
  return rows;
}

}  // namespace

TEST_CASE("log sink: fio file names and row format") {
  TempDir dir;
  LogConfig cfg;
  cfg.dir = dir.path;
  cfg.bw_prefix = "j";
  cfg.iops_prefix = "j";
  cfg.lat_prefix = "j";
  cfg.job_number = 3;
  auto sink = LogSink::open(cfg);
  sink->append(LogKind::bw, {500, 91928, 0, 4096, 8192, 0});
  sink->append(LogKind::clat, {501, 30714, 1, 4096, 12288, 0x2000});  // realtime class, level 0
  sink->append(LogKind::clat, {502, 30715, 1, 4096, 16384, 0x4007});  // idle class: not realtime
  sink->append(LogKind::iops, {502, 7, 2, 512, 0, 0});
  sink->close();
  for (const char* k : {"bw", "iops", "lat", "clat", "slat"})
    CHECK(fs::exists(dir.path + "/j_" + std::string(k) + ".3.log"));
  CHECK(read_text(dir.path + "/j_bw.3.log") == "500, 91928, 0, 4096, 0\n");
  CHECK(read_text(dir.path + "/j_clat.3.log") == "501, 30714, 1, 4096, 1\n502, 30715, 1, 4096, 0\n");
  CHECK(read_text(dir.path + "/j_iops.3.log") == "502, 7, 2, 512, 0\n");
  CHECK(read_text(dir.path + "/j_slat.3.log").empty());

  TempDir dir2;
  cfg.dir = dir2.path;
  cfg.per_job = false;
  cfg.with_offset = true;
  cfg.iops_prefix.clear();
  cfg.with_prio = true;  // log_prio=1: the raw value, as fio's "0x%04x"
  sink = LogSink::open(cfg);
  sink->append(LogKind::lat, {1, 26120, 1, 4096, 61440, 0});
  sink->append(LogKind::lat, {2, 26121, 1, 4096, 65536, 0x2003});
  sink.reset();  // the destructor flushes too
  CHECK(read_text(dir2.path + "/j_lat.log") == "1, 26120, 1, 4096, 61440, 0x0000\n2, 26121, 1, 4096, 65536, 0x2003\n");
  CHECK(fs::exists(dir2.path + "/j_bw.log"));
  CHECK_FALSE(fs::exists(dir2.path + "/j_iops.log"));
}

TEST_CASE("log sink: an absolute prefix is used as written, not inside the run directory") {
  TempDir run, elsewhere;
  LogConfig cfg;
  cfg.dir = run.path;
  cfg.bw_prefix = elsewhere.path + "/abs";
  cfg.iops_prefix = "rel";
  auto sink = LogSink::open(cfg);
  sink->append(LogKind::bw, {1, 2, 0, 4096, 0, 0});
  sink->close();
  CHECK(read_text(elsewhere.path + "/abs_bw.1.log") == "1, 2, 0, 4096, 0\n");
  CHECK(fs::exists(run.path + "/rel_iops.1.log"));
}

TEST_CASE("log sink: an unwritable directory is an error naming the path") {
  LogConfig cfg;
  cfg.dir = "/nonexistent-fiokit-dir";
  cfg.bw_prefix = "x";
  try {
    LogSink::open(cfg);
    FAIL("open succeeded");
  } catch (const std::system_error& e) {
    CHECK(std::string(e.what()).find("/nonexistent-fiokit-dir/x_bw.1.log") != std::string::npos);
  }
}

TEST_CASE("log sink: rows reach the file within 1.5 s while the sink is open") {
  TempDir dir;
  LogConfig cfg;
  cfg.dir = dir.path;
  cfg.lat_prefix = "live";
  auto sink = LogSink::open(cfg);
  const std::string path = dir.path + "/live_clat.1.log";
  // Rows that do not fill a chunk: only the periodic pass can write them.
  for (uint64_t i = 0; i < 10; ++i) sink->append(LogKind::clat, {i, 1000 + i, 0, 4096, 0, 0});
  const auto start = std::chrono::steady_clock::now();
  size_t lines = 0;
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1500)) {
    const std::string text = read_text(path);
    lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
    if (lines == 10) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(lines == 10);
  // And later rows too, after the first pass.
  sink->append(LogKind::clat, {20, 5, 0, 4096, 0, 0});
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  CHECK(read_text(path).find("20, 5, 0, 4096, 0\n") != std::string::npos);
  sink->close();
}

TEST_CASE("log sink: a SIGKILLed writer keeps its rows up to its last second") {
  TempDir dir;
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // Child: a job logging one row every 2 ms, never closing its sink.
    LogConfig cfg;
    cfg.dir = dir.path;
    cfg.lat_prefix = "killed";
    auto sink = LogSink::open(cfg);
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
      sink->append(LogKind::clat, {static_cast<uint64_t>(ms.count()), 1000, 0, 4096, 0, 0});
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFSIGNALED(status));
  const auto rows = parse_fio_rows(read_text(dir.path + "/killed_clat.1.log"), false);
  // ~750 rows fit in one chunk, so only the periodic flush can have written
  // them; allow the flush interval plus scheduling slack on a busy machine.
  REQUIRE(!rows.empty());
  CHECK(rows.back().time_ms >= 500);
  bool ordered = true;
  for (size_t i = 1; i < rows.size(); ++i) ordered = ordered && rows[i].time_ms >= rows[i - 1].time_ms;
  CHECK(ordered);
}

TEST_CASE("log sink: many chunks keep order and lose nothing") {
  TempDir dir;
  LogConfig cfg;
  cfg.dir = dir.path;
  cfg.iops_prefix = "many";
  auto sink = LogSink::open(cfg);
  constexpr uint64_t kRows = 100000;
  for (uint64_t i = 0; i < kRows; ++i) sink->append(LogKind::iops, {i / 100, i, 1, 4096, 0, 0});
  sink->close();
  const auto rows = parse_fio_rows(read_text(dir.path + "/many_iops.1.log"), false);
  REQUIRE(rows.size() == kRows);
  bool ordered = true;
  for (uint64_t i = 0; i < kRows; ++i) ordered = ordered && rows[i].value == i && rows[i].time_ms == i / 100;
  CHECK(ordered);
}

TEST_CASE("log sink: rows appended faster than they are written stay in a bounded ring (issue 16)") {
  // Writing "5" to clear_refs resets VmHWM to the current RSS (Linux >= 4.0),
  // so the peak measured is this test's, not an earlier one's.
  {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
  }
  const uint64_t before = fiokit::test::peak_rss_kib();
  REQUIRE(before > 0);
  TempDir dir;
  LogConfig cfg;
  cfg.dir = dir.path;
  cfg.lat_prefix = "ring";
  auto sink = LogSink::open(cfg);
  // Appending is one copy; formatting a row takes the writer ~20x longer, so
  // an unbounded queue would hold most of the 2M rows (56 bytes each: 107 MiB)
  // when the loop ends. The ring holds 16 chunks (3.5 MiB).
  constexpr uint64_t kRows = 2000000;
  for (uint64_t i = 0; i < kRows; ++i) sink->append(LogKind::clat, {i / 1000, i, 0, 4096, 0, 0});
  sink->close();
  const uint64_t grown_kib = fiokit::test::peak_rss_kib() - before;
  CHECK(grown_kib < 16 * 1024);
  // Nothing lost, in order: every row's value is its line number.
  std::ifstream in(dir.path + "/ring_clat.1.log");
  std::string line;
  uint64_t n = 0;
  bool ordered = true;
  while (std::getline(in, line)) {
    const size_t comma = line.find(", ");
    ordered = ordered && comma != std::string::npos && line.substr(comma + 2, line.find(',', comma + 2) - comma - 2) == std::to_string(n);
    ++n;
  }
  CHECK(n == kRows);
  CHECK(ordered);
}

TEST_CASE("log sink: byte-identical to fio 3.33's logs for the same rows", "[fio]") {
  if (!fiokit::testing::have_program("fio")) {
    WARN("fio not installed: comparison skipped");
    return;
  }
  for (bool with_offset : {false, true}) {
    TempDir fio_dir;
    const std::string cmd = "cd " + fio_dir.path +
                            " && fio --name=f --ioengine=null --size=256k --rw=randrw --write_lat_log=f "
                            "--write_bw_log=f --log_offset=" +
                            (with_offset ? "1" : "0") + " >/dev/null";
    REQUIRE(fiokit::testing::run_capture(cmd));
    TempDir ours;
    LogConfig cfg;
    cfg.dir = ours.path;
    cfg.bw_prefix = "f";
    cfg.lat_prefix = "f";
    cfg.with_offset = with_offset;
    auto sink = LogSink::open(cfg);
    const std::pair<LogKind, const char*> kinds[] = {{LogKind::bw, "bw"}, {LogKind::clat, "clat"}, {LogKind::lat, "lat"}};
    for (auto [kind, name] : kinds)
      for (const LogRow& r : parse_fio_rows(read_text(fio_dir.path + "/f_" + name + ".1.log"), with_offset))
        sink->append(kind, r);
    sink->close();
    for (auto [kind, name] : kinds) {
      INFO(name << " log_offset=" << with_offset);
      const std::string theirs = read_text(fio_dir.path + "/f_" + name + ".1.log");
      CHECK_FALSE(theirs.empty());
      CHECK(read_text(ours.path + "/f_" + name + ".1.log") == theirs);
    }
  }
}

TEST_CASE("log sink: fio2gnuplot and fio_generate_plots render fiokit's logs", "[fio]") {
  if (!fiokit::testing::have_program("fio2gnuplot") || !fiokit::testing::have_program("gnuplot")) {
    WARN("fio2gnuplot or gnuplot not installed: skipped");
    return;
  }
  TempDir dir;
  LogConfig cfg;
  cfg.dir = dir.path;
  cfg.bw_prefix = "plot";
  cfg.iops_prefix = "plot";
  cfg.lat_prefix = "plot";
  cfg.per_job = false;
  auto sink = LogSink::open(cfg);
  for (uint64_t t = 500; t <= 10000; t += 500) {
    sink->append(LogKind::bw, {t, 90000 + t, 0, 4096, 0, 0});
    sink->append(LogKind::iops, {t, 22000 + t / 10, 0, 4096, 0, 0});
    sink->append(LogKind::lat, {t, 30000 + t, 0, 4096, 0, 0});
    sink->append(LogKind::clat, {t, 29000 + t, 0, 4096, 0, 0});
    sink->append(LogKind::slat, {t, 1000, 0, 4096, 0, 0});
  }
  sink->close();
  REQUIRE(fiokit::testing::run_capture("cd " + dir.path + " && fio2gnuplot -p 'plot_bw.log' -g >/dev/null 2>&1"));
  CHECK(fs::exists(dir.path + "/plot_bw-2Draw.png"));
  CHECK(fs::file_size(dir.path + "/plot_bw-2Draw.png") > 1000);
  if (fiokit::testing::have_program("fio_generate_plots")) {
    REQUIRE(fiokit::testing::run_capture("cd " + dir.path + " && fio_generate_plots fiokit >/dev/null 2>&1"));
    size_t svgs = 0;
    for (const auto& e : fs::directory_iterator(dir.path))
      if (e.path().extension() == ".svg" && fs::file_size(e.path()) > 1000) ++svgs;
    CHECK(svgs >= 4);
  }
}

TEST_CASE("log sink: clat histogram log byte-identical to fio 3.33's", "[fio]") {
  if (!fiokit::testing::have_program("fio")) {
    WARN("fio not installed: comparison skipped");
    return;
  }
  for (int coarse : {0, 2}) {
    TempDir fio_dir;
    const std::string cmd = "cd " + fio_dir.path +
                            " && fio --name=h --ioengine=null --size=64m --rw=randrw --rate_iops=20000 "
                            "--write_hist_log=h --log_hist_msec=100 --log_hist_coarseness=" +
                            std::to_string(coarse) + " >/dev/null";
    REQUIRE(fiokit::testing::run_capture(cmd));
    const std::string theirs = read_text(fio_dir.path + "/h_clat_hist.1.log");
    REQUIRE_FALSE(theirs.empty());
    TempDir ours;
    LogConfig cfg;
    cfg.dir = ours.path;
    cfg.hist_prefix = "h";
    cfg.hist_coarseness = coarse;
    auto sink = LogSink::open(cfg);
    // Rebuild each direction's running histogram from fio's window counts; a
    // coarse column's count goes to the first bin of its group.
    LatencyHistogram running[3];
    std::istringstream in(theirs);
    std::string line;
    size_t columns = 0;
    while (std::getline(in, line)) {
      std::istringstream ls(line);
      uint64_t t, bs, v;
      int ddir;
      char c;
      ls >> t >> c >> ddir >> c >> bs;
      size_t col = 0;
      while (ls >> c >> v) running[ddir].add_to_bin(col++ << coarse, v);
      columns = col;
      sink->append_hist(t, ddir, bs, running[ddir]);
    }
    sink->close();
    CHECK(columns == LatencyHistogram::kBins >> coarse);
    INFO("log_hist_coarseness=" << coarse);
    CHECK(read_text(ours.path + "/h_clat_hist.1.log") == theirs);
  }
}

TEST_CASE("log sink: shared (per_job_logs=0) files are appended to; truncate_shared empties them") {
  TempDir dir;
  LogConfig cfg;
  cfg.dir = dir.path;
  cfg.bw_prefix = "s";
  cfg.per_job = false;
  const std::string path = dir.path + "/s_bw.log";
  for (int job = 1; job <= 2; ++job) {
    cfg.job_number = job;
    auto sink = LogSink::open(cfg);
    sink->append(LogKind::bw, {static_cast<uint64_t>(job), 100, 0, 4096, 0, 0});
    sink->close();
  }
  CHECK(read_text(path) == "1, 100, 0, 4096, 0\n2, 100, 0, 4096, 0\n");
  LogSink::truncate_shared(cfg);
  CHECK(fs::exists(path));
  CHECK(read_text(path).empty());
  // Per-job files are left alone: each open truncates its own.
  cfg.per_job = true;
  auto sink = LogSink::open(cfg);
  sink->append(LogKind::bw, {3, 100, 0, 4096, 0, 0});
  sink->close();
  LogSink::truncate_shared(cfg);
  CHECK(read_text(dir.path + "/s_bw.2.log") == "3, 100, 0, 4096, 0\n");
}

TEST_CASE("log sink: one entry per I/O (append_io) writes each log's rows as fio formats them") {
  // Values across every digit count (put_u64's two-digits-at-a-time path),
  // rows sharing a time and rows a millisecond apart, every option that
  // changes the row's text; expected text built independently with
  // std::to_string, row by row.
  const uint64_t values[] = {0, 7, 10, 99, 100, 999, 1000, 65535, 123456789, 4294967296ull, 18446744073709551615ull};
  for (const bool with_offset : {false, true}) {
    for (const bool with_prio : {false, true}) {
      INFO("log_offset=" << with_offset << " log_prio=" << with_prio);
      TempDir dir;
      LogConfig cfg;
      cfg.dir = dir.path;
      cfg.bw_prefix = cfg.iops_prefix = cfg.lat_prefix = "j";
      cfg.with_offset = with_offset;
      cfg.with_prio = with_prio;
      auto sink = LogSink::open(cfg);
      std::string want[5];
      const char* names[5] = {"bw", "iops", "lat", "clat", "slat"};
      for (size_t i = 0; i < 20000; ++i) {
        const uint64_t t = i / 7;  // several I/Os per millisecond
        const int ddir = static_cast<int>(i % 3);
        const uint64_t bs = i % 2 ? 4096 : 131072;
        const uint64_t off = values[i % 11];
        const uint32_t prio = i % 5 == 0 ? 0x2003 : static_cast<uint32_t>(i % 8);
        uint64_t v[5];
        unsigned kinds = 0;
        for (unsigned k = 0; k < 5; ++k) {
          v[k] = values[(i + k * 3) % 11];
          if (k != 4 || i % 4 == 0) kinds |= 1u << k;  // slat on some I/Os only
        }
        sink->append_io(t, ddir, bs, off, prio, kinds, v);
        for (unsigned k = 0; k < 5; ++k) {
          if (!(kinds & (1u << k))) continue;
          std::string row = std::to_string(t) + ", " + std::to_string(v[k]) + ", " + std::to_string(ddir) + ", " +
                            std::to_string(bs) + ", ";
          if (with_offset) row += std::to_string(off) + ", ";
          if (with_prio) {
            char hex[16];
            std::snprintf(hex, sizeof hex, "0x%04x", prio);
            row += hex;
          } else {
            row += (prio >> 13) == 1 ? "1" : "0";
          }
          want[k] += row + "\n";
        }
      }
      // A single-row append between them lands in its own log, in order.
      sink->append(LogKind::iops, {9999, 1, 0, 4096, 0, 0});
      want[1] += with_offset ? (with_prio ? "9999, 1, 0, 4096, 0, 0x0000\n" : "9999, 1, 0, 4096, 0, 0\n")
                             : (with_prio ? "9999, 1, 0, 4096, 0x0000\n" : "9999, 1, 0, 4096, 0\n");
      sink->close();
      for (int k = 0; k < 5; ++k) {
        INFO(names[k]);
        CHECK(read_text(dir.path + "/j_" + names[k] + ".1.log") == want[k]);
      }
    }
  }
}
