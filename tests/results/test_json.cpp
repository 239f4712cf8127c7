// JSON / json+ writer: the invariants fio's users rely on (bw = io_kbytes /
// runtime, iops = total_ios / runtime, json+ bins summing to total_ios, lat =
// slat + clat in the means) and a golden structure test against the installed
// fio 3.33 run on the same job file: the set and order of key paths must match.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "results/json_reader.hpp"
#include "results/json_writer.hpp"

using namespace fiokit;
using namespace fiokit::results;
using fiokit::testing::make_run;
using ojson = nlohmann::ordered_json;

namespace {

// "a/b/c" paths in document order; the contents of "bins" (latency values) and
// of the option maps (what the user wrote) are data, not structure.
void collect_paths(const ojson& j, const std::string& prefix, std::vector<std::string>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string p = prefix + "/" + it.key();
      out.push_back(p);
      if (it.key() == "bins") continue;
      collect_paths(it.value(), p, out);
    }
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) collect_paths(j[i], prefix + "/" + std::to_string(i), out);
  }
}

std::vector<std::string> paths_of(const ojson& j) {
  std::vector<std::string> out;
  collect_paths(j, "", out);
  return out;
}

// Our run for the job file below: same options, synthetic numbers.
RunResult run_like_fio_job(bool lat_pct) {
  RunResult run = make_run();
  run.jobs.resize(1);
  run.global_options = {{"ioengine", "null"}, {"size", "16m"}, {"bs", "4k"}};
  run.jobs[0].options = {{"rw", "randrw"}};
  if (lat_pct) {
    run.global_options.push_back({"lat_percentiles", "1"});
    run.global_options.push_back({"percentile_list", "50:99.5"});
    run.jobs[0].lat_percentiles = true;
    run.jobs[0].percentile_list = {50, 99.5};
  }
  // fio's null engine has no submission latency.
  for (auto& d : run.jobs[0].dirs) d.slat = LatencyHistogram{};
  return run;
}

}  // namespace

TEST_CASE("json: bw, iops and kbytes are derived from bytes and runtime") {
  const RunResult run = make_run();
  const auto j = nlohmann::json::parse(write_json(run, false));
  REQUIRE(j["jobs"].size() == 2);
  for (size_t ji = 0; ji < 2; ++ji) {
    for (const char* dir : {"read", "write"}) {
      const auto& d = j["jobs"][ji][dir];
      const auto& src = run.jobs[ji].dirs[std::string(dir) == "read" ? 0 : 1];
      CHECK(d["io_bytes"].get<uint64_t>() == src.io_bytes);
      CHECK(d["io_kbytes"].get<uint64_t>() == src.io_bytes / 1024);
      CHECK(d["total_ios"].get<uint64_t>() == src.total_ios);
      const uint64_t rt = d["runtime"].get<uint64_t>();
      if (rt == 0) {
        CHECK(d["bw"].get<uint64_t>() == 0);
        continue;
      }
      // bw (KiB/s) = io_kbytes / runtime, bw_bytes = io_bytes / runtime.
      CHECK(d["bw_bytes"].get<uint64_t>() == src.io_bytes * 1000 / rt);
      CHECK(std::abs(d["bw"].get<double>() - static_cast<double>(src.io_bytes) / 1024.0 * 1000.0 / rt) <= 1.0);
      CHECK(d["iops"].get<double>() == Approx(static_cast<double>(src.total_ios) * 1000.0 / rt));
    }
  }
}

TEST_CASE("json: mean(slat) + mean(clat) = mean(lat) for consistent data") {
  const auto j = nlohmann::json::parse(write_json(make_run(), false));
  const auto& r = j["jobs"][0]["read"];
  CHECK(std::abs(r["slat_ns"]["mean"].get<double>() + r["clat_ns"]["mean"].get<double>() -
                 r["lat_ns"]["mean"].get<double>()) < 1.0);
  CHECK(r["lat_ns"]["N"].get<uint64_t>() == r["total_ios"].get<uint64_t>());
}

TEST_CASE("json+: bins sum to total_ios and percentiles are bin values") {
  const RunResult run = make_run();
  const auto j = nlohmann::json::parse(write_json(run, true));
  for (const auto& job : j["jobs"]) {
    for (const char* dir : {"read", "write"}) {
      const auto& d = job[dir];
      if (d["total_ios"].get<uint64_t>() == 0) {
        CHECK_FALSE(d["clat_ns"].contains("bins"));
        continue;
      }
      uint64_t sum = 0;
      for (auto& [k, v] : d["clat_ns"]["bins"].items()) {
        const uint64_t ns = std::stoull(k);
        // Keys are bin midpoints: mapping back lands in the same bin.
        CHECK(LatencyHistogram::value_of(LatencyHistogram::index_of(ns)) == ns);
        CHECK(v.get<uint64_t>() > 0);
        sum += v.get<uint64_t>();
      }
      CHECK(sum == d["total_ios"].get<uint64_t>());
      for (auto& [k, v] : d["clat_ns"]["percentile"].items()) {
        const uint64_t ns = v.get<uint64_t>();
        CHECK(d["clat_ns"]["bins"].contains(std::to_string(ns)));
      }
    }
  }
  // Plain json has no bins.
  CHECK(write_json(run, false).find("\"bins\"") == std::string::npos);
}

TEST_CASE("json: fio's number formatting and fiokit extras under one key") {
  const std::string text = write_json(make_run(), false);
  CHECK(text.rfind("{\n  \"fio version\" : \"fiokit-0.1.0\",\n  \"timestamp\" : 1795317198,\n", 0) == 0);
  CHECK(text.find("\"usr_cpu\" : 12.500000,") != std::string::npos);
  CHECK(text.find("\"1.000000\" : ") != std::string::npos);
  const auto j = ojson::parse(text);
  CHECK(j["fiokit"]["host"] == "testhost");
  CHECK(j["fiokit"]["jobs"][0]["volume"] == "/tmp");
  CHECK(j["fiokit"]["interrupted"] == false);
  for (const auto& job : j["jobs"]) CHECK_FALSE(job.contains("volume"));
}

TEST_CASE("json: group_reporting merges a group into one entry") {
  RunResult run = make_run();
  for (auto& jr : run.jobs) jr.group_reporting = true;
  const auto j = nlohmann::json::parse(write_json(run, false));
  REQUIRE(j["jobs"].size() == 1);
  CHECK(j["jobs"][0]["jobname"] == "job1");
  const uint64_t writes = run.jobs[0].dirs[1].total_ios + run.jobs[1].dirs[1].total_ios;
  CHECK(j["jobs"][0]["write"]["total_ios"].get<uint64_t>() == writes);
  CHECK(j["jobs"][0]["write"]["clat_ns"]["N"].get<uint64_t>() == writes);
  CHECK(j["jobs"][0]["write"]["runtime"].get<uint64_t>() == 3000);
  // As fio: job_runtime summed, CPU weighted by it, options of the last job.
  CHECK(j["jobs"][0]["job_runtime"].get<uint64_t>() == 5000);
  CHECK(j["jobs"][0]["usr_cpu"].get<double>() == Approx((12.5 * 3000 + 2.5 * 2000) / 5000.0));
  CHECK(j["jobs"][0]["job options"]["rw"] == "write");
}

TEST_CASE("json/json+: key structure matches fio 3.33 for the same job", "[fio]") {
  if (!fiokit::testing::have_program("fio")) {
    WARN("fio not installed: structure comparison skipped");
    return;
  }
  for (bool lat_pct : {false, true}) {
    for (bool plus : {false, true}) {
      std::string cmd =
          "fio --name=job1 --ioengine=null --size=16m --bs=4k --rw=randrw --output-format=" +
          std::string(plus ? "json+" : "json");
      // --name options land in "job options"; put the same ones in a job file
      // so fio prints "global options" as ours does.
      fiokit::testing::TempDir dir;
      std::string jobfile = "[global]\nioengine=null\nsize=16m\nbs=4k\n";
      if (lat_pct) jobfile += "lat_percentiles=1\npercentile_list=50:99.5\n";
      jobfile += "[job1]\nrw=randrw\n";
      fiokit::testing::write_text(dir.path + "/j.fio", jobfile);
      const auto fio_out = fiokit::testing::run_capture("cd " + dir.path + " && fio --output-format=" +
                                                       (plus ? "json+" : "json") + " j.fio");
      REQUIRE(fio_out);
      ojson theirs = ojson::parse(*fio_out);
      ojson ours = ojson::parse(write_json(run_like_fio_job(lat_pct), plus));
      CHECK(ours.contains("fiokit"));
      ours.erase("fiokit");
      INFO("lat_percentiles=" << lat_pct << " plus=" << plus);
      CHECK(paths_of(ours) == paths_of(theirs));
    }
  }
}

TEST_CASE("json: any job name gives valid JSON (control characters, bytes that are not UTF-8)") {
  // fio 3.33 escapes only '"' and '\\': these names would make its JSON unreadable.
  RunResult run = make_run();
  run.jobs[0].name = std::string("a\xff" "b\x01" "c\"\\") + "\xc3\xa9" + "\xe2\x82" + "\xed\xa0\x80";
  const std::string text = write_json(run, true);
  ojson doc;
  REQUIRE_NOTHROW(doc = ojson::parse(text));
  // Invalid bytes become U+FFFD each; valid UTF-8 (U+00E9) passes unchanged;
  // a truncated sequence and an encoded surrogate are invalid too.
  CHECK(doc["jobs"][0]["jobname"].get<std::string>() ==
        "a\xef\xbf\xbd" "b\x01" "c\"\\\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  CHECK(text.find("\\u0001") != std::string::npos);
}

TEST_CASE("json: unified_rw_reporting writes fio's mixed direction") {
  RunResult run = make_run();
  JobResult& j = run.jobs[0];  // reads and writes
  const uint64_t ios = j.dirs[0].total_ios + j.dirs[1].total_ios;
  const uint64_t bytes = j.dirs[0].io_bytes + j.dirs[1].io_bytes;
  j.unified_rw_reporting = 1;
  ojson doc = ojson::parse(write_json(run, false));
  const ojson& m = doc["jobs"][0];
  CHECK(!m.contains("read"));
  CHECK(!m.contains("write"));
  CHECK(!m.contains("trim"));
  REQUIRE(m.contains("mixed"));
  CHECK(m["mixed"]["total_ios"] == ios);
  CHECK(m["mixed"]["io_bytes"] == bytes);
  CHECK(m["mixed"]["clat_ns"]["N"] == ios);
  // Samples: per window the directions' sum, counted per direction (fio 3.33).
  CHECK(m["mixed"]["bw_samples"] == j.dirs[0].bw_kib.values.size() + j.dirs[1].bw_kib.values.size());
  const auto& rv = j.dirs[0].bw_kib.values;
  REQUIRE(!rv.empty());
  CHECK(m["mixed"]["bw_min"].get<double>() >= std::floor(*std::min_element(rv.begin(), rv.end())));
  j.unified_rw_reporting = 2;
  doc = ojson::parse(write_json(run, false));
  std::vector<std::string> keys;
  for (auto it = doc["jobs"][0].begin(); it != doc["jobs"][0].end(); ++it) keys.push_back(it.key());
  const auto at = [&](const char* k) { return std::find(keys.begin(), keys.end(), k) - keys.begin(); };
  CHECK(at("read") < at("sync"));
  CHECK(at("sync") + 1 == at("mixed"));  // fio writes it right after "sync"
  CHECK(doc["jobs"][0]["mixed"]["total_ios"] == ios);
  CHECK(doc["jobs"][0]["read"]["total_ios"] == j.dirs[0].total_ios);
}

TEST_CASE("json: a unified_rw_reporting file reads back and writes out the same mixed block") {
  RunResult run = make_run();
  run.jobs[0].unified_rw_reporting = 1;
  const ojson first = ojson::parse(write_json(run, true));
  const RunResult back = read_fio_json(write_json(run, true));
  REQUIRE(!back.jobs.empty());
  CHECK(back.jobs[0].unified_rw_reporting == 1);
  const ojson again = ojson::parse(write_json(back, true));
  CHECK(again["jobs"][0]["mixed"]["total_ios"] == first["jobs"][0]["mixed"]["total_ios"]);
  CHECK(again["jobs"][0]["mixed"]["clat_ns"]["N"] == first["jobs"][0]["mixed"]["clat_ns"]["N"]);
  CHECK(!again["jobs"][0].contains("read"));
}
