// SeriesSink: fio's windowed row format and file names in RUN/series, a file
// only for a kind that got rows, times that only advance, job names that
// cannot leave the folder, rows on disk within a second while the sink is
// open (kill -9 keeps them), and a write failure reported by close() with the
// file's name.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <system_error>
#include <thread>

#include "fixtures.hpp"
#include "results/log_reader.hpp"
#include "results/series_sink.hpp"

using namespace fiokit::results;
using fiokit::testing::read_text;
using fiokit::testing::TempDir;
namespace fs = std::filesystem;

TEST_CASE("series rows are fio's windowed rows, one file per job and kind that has rows", "[series]") {
  TempDir dir;
  const std::string sd = dir.path + "/series";
  auto sink = SeriesSink::open(sd);
  const int a = sink->add_job("seq", 1), b = sink->add_job("../up/odd", 2);
  const SeriesRow rows_a[] = {{LogKind::bw, 1000, 409600, 0}, {LogKind::iops, 1000, 102400, 0}, {LogKind::lat, 1000, 2345, 0},
                              {LogKind::clat, 1000, 2000, 0}, {LogKind::bw, 1000, 1024, 1}};
  sink->append(a, rows_a);
  const SeriesRow rows_b[] = {{LogKind::bw, 1000, 7, 1}};
  sink->append(b, rows_b);
  // Times only advance per file and direction: a row at a time already
  // written (statistics restarted by latency_target) is left out.
  sink->append(a, std::span<const SeriesRow>(rows_a, 1));
  const SeriesRow later[] = {{LogKind::bw, 2000, 400000, 0}};
  sink->append(a, later);
  sink->close();
  CHECK(read_text(sd + "/seq_bw.1.log") == "1000, 409600, 0, 0, 0\n1000, 1024, 1, 0, 0\n2000, 400000, 0, 0, 0\n");
  CHECK(read_text(sd + "/seq_lat.1.log") == "1000, 2345, 0, 0, 0\n");
  CHECK_FALSE(fs::exists(sd + "/seq_slat.1.log"));  // no rows, no file
  // '/' cannot take the file out of the folder; a leading '.' would hide it.
  CHECK(SeriesSink::file_name("../up/odd", 2, LogKind::bw) == "_._up_odd_bw.2.log");
  CHECK(read_text(sd + "/_._up_odd_bw.2.log") == "1000, 7, 1, 0, 0\n");
  // Every reader of fio logs reads them: names and rows.
  const LogFile f = read_log(sd + "/seq_bw.1.log");
  CHECK(f.name.prefix == "seq");
  CHECK(f.name.job_number == 1);
  CHECK(f.windowed());
  int n = 0;
  for (const auto& e : fs::directory_iterator(sd)) n += e.is_regular_file();
  CHECK(n == 5);
}

TEST_CASE("series rows reach the disk within a second while the sink is open", "[series]") {
  TempDir dir;
  auto sink = SeriesSink::open(dir.path + "/series");
  const int j = sink->add_job("live", 1);
  const SeriesRow row[] = {{LogKind::iops, 1000, 5, 0}};
  sink->append(j, row);
  std::string text;
  for (int i = 0; i < 30 && text.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::error_code ec;
    if (fs::exists(dir.path + "/series/live_iops.1.log", ec)) text = read_text(dir.path + "/series/live_iops.1.log");
  }
  CHECK(text == "1000, 5, 0, 0, 0\n");
  sink->close();
}

TEST_CASE("a series file that cannot be written is named by close()", "[series]") {
  TempDir dir;
  auto sink = SeriesSink::open(dir.path + "/series");
  const int j = sink->add_job("x", 1);
  // A directory where the file should be: open(2) fails with EISDIR.
  fs::create_directories(dir.path + "/series/x_bw.1.log");
  const SeriesRow row[] = {{LogKind::bw, 1000, 5, 0}};
  sink->append(j, row);
  try {
    sink->close();
    FAIL("close() did not report the failed file");
  } catch (const std::system_error& e) {
    CHECK(std::string(e.what()).find("cannot write series file " + dir.path + "/series/x_bw.1.log") != std::string::npos);
  }
  CHECK_THROWS_AS(SeriesSink::open(dir.path + "/no/such/parent/series"), std::system_error);
}
