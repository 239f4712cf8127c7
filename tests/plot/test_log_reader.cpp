// The fio-format log reader: fio 3.33's row layouts, fio's log file names
// (including per-job NAME_bw.N.log), and errors that name file and line.
#include <catch2/catch.hpp>

#include <algorithm>

#include "plot_test_util.hpp"
#include "results/log_reader.hpp"

using namespace fiokit::results;

TEST_CASE("log rows with 4, 5 and 6 columns", "[log_reader]") {
  std::vector<LogRow> rows;
  int cols = 0;
  parse_log_text("10, 100, 0, 4096\n", "a.log", rows, &cols);
  CHECK(cols == 4);
  parse_log_text("20, 200, 1, 8192, 1\n", "b.log", rows, &cols);  // fio 3.33: prio
  CHECK(cols == 5);
  parse_log_text("30, 300, 2, 512, 61440, 0\r\n\n  \n", "c.log", rows, &cols);  // log_offset=1, CRLF, blanks
  CHECK(cols == 6);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].time_ms == 10);
  CHECK(rows[0].value == 100);
  CHECK(rows[1].ddir == 1);
  CHECK(rows[1].bs == 8192);
  CHECK(rows[1].prio == 1);
  CHECK(rows[2].offset == 61440);
  CHECK(rows[2].ddir == 2);
}

TEST_CASE("malformed rows name file and line", "[log_reader]") {
  std::vector<LogRow> rows;
  auto error_of = [&](const std::string& text) -> std::string {
    try {
      parse_log_text(text, "x_bw.1.log", rows);
    } catch (const LogParseError& e) {
      return e.what();
    }
    return "";
  };
  CHECK(error_of("1, 2, 0, 4096\n2, abc, 0, 4096\n") ==
        "x_bw.1.log:2: field 2 (value) 'abc' is not an unsigned integer");
  CHECK(error_of("1, 2, 0, 4096\n\n5, 6\n") ==
        "x_bw.1.log:3: found 2 field(s), expected 4 to 6 (time, value, ddir, bs[, offset][, prio])");
  CHECK(error_of("1, 2, 7, 4096\n").find("x_bw.1.log:1: data direction 7") == 0);
  CHECK(error_of("1, 2, 0, 4096, 0, 0, 0\n").find("x_bw.1.log:1: more than 6") == 0);
  CHECK(error_of("1, -2, 0, 4096\n").find("x_bw.1.log:1: field 2") == 0);
  CHECK(error_of("1, 2.5, 0, 4096\n").find("x_bw.1.log:1: field 2 (value) '2.5'") == 0);
  CHECK(error_of("99999999999999999999, 2, 0, 4096\n").find("not within 64 bits") != std::string::npos);
}

TEST_CASE("read_log reads a file and its name", "[log_reader]") {
  plottest::TempDir dir;
  plottest::write_file(dir / "my_job_clat.2.log", "0, 9127, 0, 4096, 0\n1, 60, 1, 4096, 0\n");
  const LogFile log = read_log(dir / "my_job_clat.2.log");
  CHECK(log.name.prefix == "my_job");
  CHECK(log.name.kind == LogKind::clat);
  CHECK(log.name.job_number == 2);
  CHECK(log.rows.size() == 2);
  CHECK_FALSE(log.windowed());
  plottest::write_file(dir / "bad_bw.log", "0, 1, 0, 0, 0\nnonsense\n");
  try {
    read_log(dir / "bad_bw.log");
    FAIL("no error for a malformed row");
  } catch (const LogParseError& e) {
    CHECK(e.path() == dir / "bad_bw.log");
    CHECK(e.line() == 2);
  }
  CHECK_THROWS_AS(read_log(dir / "missing_bw.log"), std::system_error);
}

TEST_CASE("fio log file names", "[log_reader]") {
  auto n = parse_log_name("/runs/r1/t_bw.1.log");
  REQUIRE(n);
  CHECK(n->prefix == "t");
  CHECK(n->kind == LogKind::bw);
  CHECK(n->job_number == 1);
  n = parse_log_name("seq.read_iops.log");  // per_job_logs=0, dotted job name
  REQUIRE(n);
  CHECK(n->prefix == "seq.read");
  CHECK(n->kind == LogKind::iops);
  CHECK(n->job_number == 0);
  n = parse_log_name("a_b_slat.12.log");
  REQUIRE(n);
  CHECK(n->prefix == "a_b");
  CHECK(n->kind == LogKind::slat);
  CHECK(n->job_number == 12);
  CHECK(parse_log_name("x_lat.log")->kind == LogKind::lat);
  CHECK_FALSE(parse_log_name("h_clat_hist.1.log"));
  CHECK_FALSE(parse_log_name("results.json"));
  CHECK_FALSE(parse_log_name("bw.log"));
  CHECK_FALSE(parse_log_name("x_bw.1.log.gz"));
}

TEST_CASE("log_avg_msec logs are recognised as windowed", "[log_reader]") {
  std::vector<LogRow> rows;
  LogFile log;
  parse_log_text("149, 11602738, 0, 0, 0\n159, 12007200, 0, 0, 0\n", "t_bw.1.log", log.rows);
  CHECK(log.windowed());
}

// Logs written by fiokit before its fix (and possibly by other tools) end with
// the partial last window extrapolated into a rate and stamped with the previous
// row's time. Plotted, that one row is a spike 200x the real rate that also sets
// the y axis; the reader leaves it out, and only it.
TEST_CASE("a windowed log's last row that repeats the previous time is dropped", "[log_reader]") {
  plottest::TempDir dir;
  const std::string path = dir / "old_bw.1.log";
  plottest::write_file(path,
                       "1000, 124100, 0, 0, 0\n1000, 120000, 1, 0, 0\n2000, 124063, 0, 0, 0\n2000, 119000, 1, 0, 0\n"
                       "2000, 24117140, 0, 0, 0\n2000, 99000, 1, 0, 0\n");
  const LogFile log = read_log(path);
  CHECK(log.dropped_final_rows == 2);
  REQUIRE(log.rows.size() == 4);
  uint64_t max = 0;
  for (const LogRow& r : log.rows) max = std::max(max, r.value);
  CHECK(max == 124100);
  CHECK(log.rows.back().time_ms == 2000);
  CHECK(log.rows.back().value == 119000);

  // Per-I/O rows (bs > 0) share milliseconds legitimately: kept.
  std::vector<LogRow> per_io;
  parse_log_text("5, 100, 0, 4096, 0\n5, 900000, 0, 4096, 0\n", "p_bw.1.log", per_io);
  CHECK(drop_repeated_final_rows(per_io) == 0);
  CHECK(per_io.size() == 2);
  // A last row that advances, and a single row, are kept.
  std::vector<LogRow> fine;
  parse_log_text("500, 4000, 0, 0, 0\n1000, 4100, 0, 0, 0\n", "f_bw.1.log", fine);
  CHECK(drop_repeated_final_rows(fine) == 0);
  std::vector<LogRow> one;
  parse_log_text("500, 4000, 0, 0, 0\n", "o_bw.1.log", one);
  CHECK(drop_repeated_final_rows(one) == 0);
}
