// JSON reader: fiokit's output read back gives the same RunResult (and the same
// text when written again); fio 3.33's own output read and re-written by fiokit
// reproduces fio's numbers key by key; fio_jsonplus_clat2csv accepts fiokit's
// json+; malformed input fails with a message naming what is wrong.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "results/json_reader.hpp"
#include "results/json_writer.hpp"

using namespace fiokit::results;
using fiokit::testing::make_run;
using fiokit::testing::TempDir;
using ojson = nlohmann::ordered_json;

namespace {

void check_lat_equal(const LatencyHistogram& a, const LatencyHistogram& b) {
  CHECK(a.count() == b.count());
  CHECK(a.min() == b.min());
  CHECK(a.max() == b.max());
  CHECK(a.mean() == Approx(b.mean()).epsilon(1e-9));
  CHECK(a.stddev() == Approx(b.stddev()).epsilon(1e-6));
}

// Every leaf of `theirs` must exist in `ours` with the same value (doubles to
// the 6 decimals fio prints, relative 1e-6 for large ones).
void compare_leaves(const ojson& ours, const ojson& theirs, const std::string& path, size_t& compared) {
  if (theirs.is_object()) {
    for (auto it = theirs.begin(); it != theirs.end(); ++it) {
      if (it.key() == "eta") continue;  // fio's own estimate, not a measurement
      INFO(path + "/" + it.key());
      REQUIRE(ours.contains(it.key()));
      compare_leaves(ours.at(it.key()), it.value(), path + "/" + it.key(), compared);
    }
  } else if (theirs.is_array()) {
    REQUIRE(ours.size() == theirs.size());
    for (size_t i = 0; i < theirs.size(); ++i) compare_leaves(ours[i], theirs[i], path + "/" + std::to_string(i), compared);
  } else if (theirs.is_number_float()) {
    INFO(path);
    CHECK(ours.get<double>() == Approx(theirs.get<double>()).margin(1e-6).epsilon(1e-6));
    ++compared;
  } else {
    INFO(path);
    CHECK(ours == theirs);
    ++compared;
  }
}

}  // namespace

TEST_CASE("reader: fiokit json+ round trip keeps every field") {
  RunResult run = make_run();
  run.jobs[0].error = 5;
  run.jobs[0].error_message = "read /tmp/x: Input/output error";
  run.jobs[1].interrupted = true;
  run.interrupted = true;
  run.signal = 2;
  run.disk_util.push_back(DiskUtil{"vda", 1, 2, 3, 4, 5, 6, 7, 70.5});
  const std::string text = write_json(run, true);
  const RunResult back = read_fio_json(text);
  CHECK(back.tool == "fiokit");
  CHECK(back.version == "0.1.0");
  CHECK(back.timestamp == run.timestamp);
  CHECK(back.time == run.time);
  CHECK(back.global_options == run.global_options);
  CHECK(back.interrupted);
  CHECK(back.signal == 2);
  CHECK(back.extras == run.extras);
  REQUIRE(back.jobs.size() == run.jobs.size());
  for (size_t i = 0; i < run.jobs.size(); ++i) {
    const JobResult &a = run.jobs[i], &b = back.jobs[i];
    CHECK(a.name == b.name);
    CHECK(a.group_id == b.group_id);
    CHECK(a.options == b.options);
    CHECK(a.error == b.error);
    CHECK(a.error_message == b.error_message);
    CHECK(a.interrupted == b.interrupted);
    CHECK(a.extras == b.extras);
    CHECK(a.usr_cpu == Approx(b.usr_cpu));
    CHECK(a.ctx == b.ctx);
    for (int d = 0; d < kDirs; ++d) {
      CHECK(a.dirs[d].io_bytes == b.dirs[d].io_bytes);
      CHECK(a.dirs[d].total_ios == b.dirs[d].total_ios);
      CHECK(a.dirs[d].runtime_ms == b.dirs[d].runtime_ms);
      check_lat_equal(a.dirs[d].slat, b.dirs[d].slat);
      check_lat_equal(a.dirs[d].clat, b.dirs[d].clat);
      check_lat_equal(a.dirs[d].lat, b.dirs[d].lat);
      // json+ carries the clat bins: the histogram comes back exactly.
      CHECK(a.dirs[d].clat.bins() == b.dirs[d].clat.bins());
    }
  }
  // Written again, the text is the same document.
  compare_leaves(ojson::parse(write_json(back, true)), ojson::parse(text), "", *std::make_unique<size_t>(0));
}

TEST_CASE("reader: a JSON-valued extra (a cluster member's \"cluster\") is written as JSON and read back as it was") {
  RunResult run = make_run();
  run.extras_json["cluster"] = R"({"run":"t","index":1,"started_unix_ns":1764201600123456789,"skew_ms":0.25})";
  const std::string text = write_json(run, true);
  const ojson doc = ojson::parse(text);
  const ojson& c = doc.at("fiokit").at("cluster");
  CHECK(c.at("index") == 1);
  CHECK(c.at("started_unix_ns").get<int64_t>() == 1764201600123456789);  // a number, exact, not a string
  CHECK(c.at("skew_ms").get<double>() == 0.25);
  const RunResult back = read_fio_json(text);
  CHECK(back.extras_json == run.extras_json);
  CHECK(back.extras.count("cluster") == 0);
  CHECK(ojson::parse(write_json(back, true)).at("fiokit").at("cluster") == c);
}

TEST_CASE("reader: plain json keeps percentiles through rebuilt histograms") {
  const RunResult run = make_run();
  const RunResult back = read_fio_json(write_json(run, false));
  for (size_t i = 0; i < run.jobs.size(); ++i)
    for (int d = 0; d < kDirs; ++d)
      for (double p : back.jobs[i].percentile_list)
        CHECK(back.jobs[i].dirs[d].clat.percentile(p) == run.jobs[i].dirs[d].clat.percentile(p));
  size_t compared = 0;
  const std::string text = write_json(run, false);
  compare_leaves(ojson::parse(write_json(back, false)), ojson::parse(text), "", compared);
  CHECK(compared > 300);
}

TEST_CASE("reader: a value of the wrong type or out of range is a JsonReadError naming the key") {
  // Found by fuzz/json_fuzzer: a string in "bins" or "percentile" escaped as
  // nlohmann's type_error (compare and serve expect JsonReadError), and a
  // number beyond the field's type was an undefined cast.
  const auto job = [](const std::string& read) {
    return std::string(R"({"jobs":[{"jobname":"a","read":)") + read + "}]}";
  };
  CHECK_THROWS_WITH(read_fio_json(job(R"({"clat_ns":{"N":3,"bins":{"1000":"x"}}})")),
                    Catch::Contains("\"bins\" is not a number"));
  CHECK_THROWS_WITH(read_fio_json(job(R"({"clat_ns":{"N":3,"percentile":{"50.000000":"x"}}})")),
                    Catch::Contains("\"percentile\" is not a number"));
  CHECK_THROWS_WITH(read_fio_json(job(R"({"clat_ns":{"N":3,"percentile":{"1e300":5}}})")),
                    Catch::Contains("not within 0..100"));
  CHECK_THROWS_WITH(read_fio_json(job(R"({"io_bytes":1e300})")), Catch::Contains("\"io_bytes\" is out of range"));
  CHECK_THROWS_WITH(read_fio_json(job(R"({"io_bytes":-1})")), Catch::Contains("\"io_bytes\" is out of range"));
  CHECK_THROWS_WITH(read_fio_json(R"({"jobs":[{"jobname":"a","groupid":4294967296}]})"),
                    Catch::Contains("\"groupid\" is out of range"));
  CHECK_THROWS_WITH(read_fio_json(R"({"jobs":[],"fiokit":{"signal":1e20}})"),
                    Catch::Contains("\"signal\" is out of range"));
  // Beyond a double the JSON parser itself refuses the number (out_of_range,
  // which once escaped as nlohmann's own exception).
  CHECK_THROWS_AS(read_fio_json(R"({"jobs":[],"x":1e400})"), JsonReadError);
  CHECK_THROWS_AS(read_fio_json(R"({"jobs":[],"x":1e400} trailing)"), JsonReadError);
  // A double where a count belongs is truncated, as fio's own numbers are whole.
  CHECK(read_fio_json(job(R"({"io_bytes":4096.0,"total_ios":1})")).jobs.at(0).dirs[0].io_bytes == 4096);
  // N = 2^64-1 with a 100th percentile: the count placed there is N itself.
  const RunResult big =
      read_fio_json(job(R"({"clat_ns":{"N":18446744073709551615,"min":1,"max":5,"percentile":{"100.000000":5}}})"));
  CHECK(big.jobs.at(0).dirs[0].clat.count() == UINT64_MAX);
}

TEST_CASE("reader: malformed input is an error naming the problem") {
  CHECK_THROWS_WITH(read_fio_json("no json here"), Catch::Contains("no '{'"));
  CHECK_THROWS_WITH(read_fio_json("{\"fio version\" : \"fio-3.33\"}"), Catch::Contains("\"jobs\""));
  CHECK_THROWS_AS(read_fio_json("{\"jobs\" : [ {\"jobname\" : 5} ]}"), JsonReadError);
  CHECK_THROWS_AS(read_fio_json("{\"jobs\" : [ "), JsonReadError);
  // fio prints messages into its JSON stream; the document is still read.
  const RunResult r = read_fio_json("fio: terminating on signal 2\n" + write_json(make_run(), false) + "fio: done\n");
  CHECK(r.jobs.size() == 2);
}

TEST_CASE("reader: fio 3.33 output read and re-written reproduces fio's numbers", "[fio]") {
  if (!fiokit::testing::have_program("fio")) {
    WARN("fio not installed: skipped");
    return;
  }
  TempDir dir;
  fiokit::testing::write_text(dir.path + "/j.fio",
                              "[global]\nioengine=psync\nfilename=data.bin\nsize=2m\nbs=4k\n"
                              "[rw]\nrw=randrw\nloops=4\n[rd]\nrw=read\nbs=8k\nlat_percentiles=1\n");
  fiokit::testing::write_text(dir.path + "/q.fio",
                              "[global]\nioengine=libaio\nfilename=data.bin\nsize=2m\nbs=4k\niodepth=16\n"
                              "slat_percentiles=1\ngroup_reporting\n[q]\nrw=randrw\nnumjobs=2\n");
  for (const char* fmt : {"json", "json+"}) {
    const auto out =
        fiokit::testing::run_capture("cd " + dir.path + " && fio --output-format=" + std::string(fmt) + " j.fio");
    REQUIRE(out);
    const RunResult run = read_fio_json(*out);
    CHECK(run.tool == "fio");
    CHECK(run.version == "3.33");
    REQUIRE(run.jobs.size() == 2);
    CHECK(run.jobs[0].name == "rw");
    CHECK(run.jobs[0].rw == "randrw");
    CHECK(run.jobs[0].ioengine == "psync");
    CHECK(run.jobs[1].lat_percentiles);
    CHECK(run.jobs[0].dirs[0].io_bytes + run.jobs[0].dirs[1].io_bytes == 4 * 2 * 1024 * 1024);
    size_t compared = 0;
    INFO(fmt);
    compare_leaves(ojson::parse(write_json(run, std::string(fmt) == "json+")), ojson::parse(*out), "", compared);
    CHECK(compared > 400);

    const auto q = fiokit::testing::run_capture("cd " + dir.path + " && fio --output-format=" + std::string(fmt) + " q.fio");
    REQUIRE(q);
    const RunResult qrun = read_fio_json(*q);
    REQUIRE(qrun.jobs.size() == 1);
    CHECK(qrun.jobs[0].slat_percentiles);
    CHECK(qrun.jobs[0].iodepth == 16);
    compared = 0;
    compare_leaves(ojson::parse(write_json(qrun, std::string(fmt) == "json+")), ojson::parse(*q), "", compared);
    CHECK(compared > 200);
  }
}

TEST_CASE("fio_jsonplus_clat2csv converts fiokit's json+", "[fio]") {
  if (!fiokit::testing::have_program("fio_jsonplus_clat2csv")) {
    WARN("fio_jsonplus_clat2csv not installed: skipped");
    return;
  }
  TempDir dir;
  fiokit::testing::write_text(dir.path + "/run.json", write_json(make_run(), true));
  // Convert, then let the script check its CSV against the JSON bins.
  REQUIRE(fiokit::testing::run_capture("cd " + dir.path + " && fio_jsonplus_clat2csv run.json out.csv >/dev/null 2>&1"));
  REQUIRE(fiokit::testing::run_capture("cd " + dir.path +
                                       " && fio_jsonplus_clat2csv --validate run.json out.csv >/dev/null 2>&1"));
  for (const char* f : {"/out_job0.csv", "/out_job1.csv"}) {
    INFO(f);
    REQUIRE(std::filesystem::exists(dir.path + f));
    const std::string csv = fiokit::testing::read_text(dir.path + f);
    CHECK(csv.rfind("nsec, read_slat_ns_count", 0) == 0);
    CHECK(std::count(csv.begin(), csv.end(), '\n') > 50);
  }
}
