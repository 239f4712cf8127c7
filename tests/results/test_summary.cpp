// summarize_run: one JobSummary per reported job and one GroupSummary per
// group, the only source of the numbers json, json+, normal and terse print.
// Checked two ways: the summary holds fio's rules (group_reporting totals, the
// unified_rw_reporting sum, the group's aggregate), and every format prints
// the summary's values (parsed back out of each format's text), so the
// formats cannot disagree with each other.
#include <catch2/catch.hpp>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "fixtures.hpp"
#include "results/json_writer.hpp"
#include "results/normal_writer.hpp"
#include "results/summary.hpp"
#include "results/terse_writer.hpp"

using namespace fiokit::results;
using fiokit::testing::make_run;
using ojson = nlohmann::ordered_json;

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string part;
  while (std::getline(ss, part, sep)) out.push_back(part);
  return out;
}

// Lines of `text` that start with `prefix`, in order.
std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  for (const std::string& l : split(text, '\n'))
    if (l.rfind(prefix, 0) == 0) out.push_back(l);
  return out;
}

// What json, terse and normal print for one direction block, against `d`.
void check_dir_everywhere(const JobSummary& j, const DirSummary& d, const ojson& js,
                          const std::vector<std::string>& terse, size_t at, const std::string& normal_line) {
  // json
  CHECK(js["io_bytes"] == d.io_bytes);
  CHECK(js["bw"] == d.bw_kib);
  CHECK(js["bw_bytes"] == d.bw_bytes);
  CHECK(js["iops"].get<double>() == Approx(d.iops).margin(1e-6));
  CHECK(js["runtime"] == d.runtime_ms);
  CHECK(js["clat_ns"]["N"] == d.clat.count);
  CHECK(js["lat_ns"]["mean"].get<double>() == Approx(d.lat.mean).margin(1e-6));
  CHECK(js["bw_agg"].get<double>() == Approx(d.bw_agg_pct).margin(1e-6));
  CHECK(js["bw_samples"] == d.bw.samples);
  if (j.clat_percentiles && d.clat.count) {
    const ojson& pct = js["clat_ns"]["percentile"];
    REQUIRE(pct.size() == j.percentile_list.size());
    size_t k = 0;
    for (auto it = pct.begin(); it != pct.end(); ++it, ++k) CHECK(it.value() == d.clat.percentiles[k]);
  }
  // terse: the block of 41 fields starting at `at`
  REQUIRE(terse.size() >= at + 41);
  CHECK(terse[at] == std::to_string(d.io_bytes / 1024));
  CHECK(terse[at + 1] == std::to_string(d.bw_kib));
  CHECK(terse[at + 2] == std::to_string(static_cast<uint64_t>(d.iops)));
  CHECK(terse[at + 3] == std::to_string(d.runtime_ms));
  CHECK(terse[at + 8] == std::to_string(d.clat.min / 1000));
  CHECK(terse[at + 9] == std::to_string(d.clat.max / 1000));
  for (size_t k = 0; k < j.percentile_list.size() && k < 20; ++k) {
    const auto eq = terse[at + 12 + k].find('=');
    REQUIRE(eq != std::string::npos);
    CHECK(terse[at + 12 + k].substr(eq + 1) == std::to_string(d.clat.percentiles[k] / 1000));
  }
  CHECK(std::stod(terse[at + 38]) == Approx(d.bw_agg_pct).margin(1e-5));  // "12.345678%"
  CHECK(std::stod(terse[at + 39]) == Approx(d.bw.mean).margin(1e-5));
  // normal: the direction's first line
  INFO(normal_line);
  CHECK(normal_line.find("IOPS=" + format_fio_number(std::floor(d.iops), 4, 1000, "") + ",") != std::string::npos);
  CHECK(normal_line.find("(" + format_fio_number(static_cast<double>(d.io_bytes), 4, 1024, "B") + "/" +
                         std::to_string(d.runtime_ms) + "msec)") != std::string::npos);
}

void check_formats_agree(const RunResult& run) {
  const RunSummary s = summarize_run(run);
  const ojson doc = ojson::parse(write_json(run, true));
  const std::vector<std::string> terse = split(write_terse(run), '\n');
  const std::string normal = write_normal(run);
  REQUIRE(doc["jobs"].size() == s.jobs.size());
  REQUIRE(terse.size() == s.jobs.size());
  const auto heads = lines_starting(normal, "  read: ");
  const auto writes = lines_starting(normal, "  write: ");
  const auto mixes = lines_starting(normal, "  mixed: ");
  size_t nr = 0, nw = 0, nm = 0;
  for (size_t i = 0; i < s.jobs.size(); ++i) {
    const JobSummary& j = s.jobs[i];
    INFO("entry " << i << " (" << j.name << "), unified_rw_reporting " << j.unified_rw_reporting);
    const std::vector<std::string> t = split(terse[i], ';');
    const ojson& js = doc["jobs"][i];
    CHECK(js["jobname"] == j.name);
    CHECK(t[2] == j.name);
    if (j.unified_rw_reporting == kUnifiedMixed) {
      REQUIRE(nm < mixes.size());
      check_dir_everywhere(j, j.mixed, js["mixed"], t, 5, mixes[nm++]);
      continue;
    }
    for (int d = 0; d < 2; ++d) {
      if (!j.dirs[d].active) continue;
      const auto& lines = d == 0 ? heads : writes;
      size_t& n = d == 0 ? nr : nw;
      REQUIRE(n < lines.size());
      check_dir_everywhere(j, j.dirs[d], js[kDirNames[d]], t, 5 + 41 * static_cast<size_t>(d), lines[n++]);
    }
    if (j.unified_rw_reporting == kUnifiedBoth) {
      REQUIRE(nm < mixes.size());
      check_dir_everywhere(j, j.mixed, js["mixed"], t, 5 + 82, mixes[nm++]);
    }
    CHECK(js["usr_cpu"].get<double>() == Approx(j.usr_cpu).margin(1e-6));
    CHECK(js["latency_us"]["100"].get<double>() == Approx(j.lat_buckets.us[5]).margin(1e-6));
  }
}

}  // namespace

TEST_CASE("summary: group_reporting makes one entry holding the group's totals") {
  RunResult run = make_run();
  for (auto& j : run.jobs) j.group_reporting = true;
  const JobResult &a = run.jobs[0], &b = run.jobs[1];
  const RunSummary s = summarize_run(run);
  REQUIRE(s.jobs.size() == 1);
  REQUIRE(s.groups.size() == 1);
  const JobSummary& e = s.jobs[0];
  CHECK(e.members == 2);
  CHECK(e.name == a.name);
  CHECK(e.dirs[1].io_bytes == a.dirs[1].io_bytes + b.dirs[1].io_bytes);
  CHECK(e.dirs[1].total_ios == a.dirs[1].total_ios + b.dirs[1].total_ios);
  CHECK(e.dirs[1].clat.count == a.dirs[1].clat.count() + b.dirs[1].clat.count());
  // fio adds the jobs' bw sample summaries term by term (see summary.cpp).
  CHECK(e.dirs[1].bw.mean == Approx(summarize_rate(a.dirs[1].bw_kib).mean + summarize_rate(b.dirs[1].bw_kib).mean));
  const GroupDir& g = s.groups[0].dirs[1];
  CHECK(g.io_bytes == e.dirs[1].io_bytes);
  CHECK(g.agg_bw == e.dirs[1].io_bytes * 1000 / g.max_run);
  CHECK(e.dirs[1].bw_agg_pct > 0);
  CHECK(e.dirs[1].bw_agg_pct <= 100.0);
  CHECK(e.job_runtime_ms == a.job_runtime_ms + b.job_runtime_ms);
}

TEST_CASE("summary: the unified_rw_reporting sum and its group line") {
  RunResult run = make_run();
  run.jobs[0].unified_rw_reporting = kUnifiedBoth;
  const RunSummary s = summarize_run(run);
  REQUIRE(s.jobs.size() == 2);
  const JobSummary& j = s.jobs[0];
  CHECK(j.mixed.io_bytes == j.dirs[0].io_bytes + j.dirs[1].io_bytes);
  CHECK(j.mixed.total_ios == j.dirs[0].total_ios + j.dirs[1].total_ios);
  CHECK(j.mixed.clat.count == j.dirs[0].clat.count + j.dirs[1].clat.count);
  CHECK(j.mixed.runtime_ms == std::max(j.dirs[0].runtime_ms, j.dirs[1].runtime_ms));
  // The group's MIXED line covers every job of the group, and takes the
  // unified_rw_reporting of the group's first job.
  CHECK(s.groups[0].unified_rw_reporting == kUnifiedBoth);
  CHECK(s.groups[0].mixed.io_bytes == j.mixed.io_bytes + s.jobs[1].mixed.io_bytes);
}

TEST_CASE("summary: json, json+, terse and normal print the same numbers") {
  SECTION("two jobs") { check_formats_agree(make_run()); }
  SECTION("group_reporting") {
    RunResult run = make_run();
    for (auto& j : run.jobs) j.group_reporting = true;
    check_formats_agree(run);
  }
  SECTION("unified_rw_reporting mixed, custom percentiles") {
    RunResult run = make_run(7);
    for (auto& j : run.jobs) j.unified_rw_reporting = kUnifiedMixed, j.percentile_list = {1, 50, 99.5};
    check_formats_agree(run);
  }
  SECTION("unified_rw_reporting both, two groups") {
    RunResult run = make_run(9);
    run.jobs[0].unified_rw_reporting = kUnifiedBoth;
    run.jobs[1].group_id = 1;
    check_formats_agree(run);
  }
}
