// group_reporting's bw/iops sample statistics. fio 3.33 adds the jobs' sample
// summaries term by term (min to min, max to max, mean to mean, counts and
// squared deviations summed), so a group's "avg" is its aggregate rate and
// "per=" its share of the group's bandwidth. Checked two ways: against the rule
// on known samples, and against fio itself, whose per-job bw/iops logs
// (log_avg_msec = the sample window, so one row per sample) give the very
// samples behind its group line.
#include <catch2/catch.hpp>

#include <cmath>
#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "results/json_writer.hpp"
#include "results/log_reader.hpp"
#include "results/normal_writer.hpp"
#include "results/summary.hpp"
#include "results/terse_writer.hpp"

using namespace fiokit::results;
using fiokit::testing::TempDir;

namespace {

JobResult rate_job(const std::string& name, int index, const std::vector<double>& bw, const std::vector<double>& iops,
                   uint64_t ios) {
  JobResult j;
  j.name = name;
  j.job_index = index;
  j.rw = "read";
  j.ioengine = "null";
  j.group_reporting = true;
  j.dirs[0].bw_kib.values = bw;
  j.dirs[0].iops.values = iops;
  j.dirs[0].total_ios = ios;
  j.dirs[0].io_bytes = ios * 4096;
  j.dirs[0].runtime_ms = 3000;
  j.job_runtime_ms = 3000;
  return j;
}

// One direction's summary as the json writer prints it.
struct Printed {
  double bw_min, bw_max, bw_mean, bw_dev, bw_agg;
  uint64_t bw_samples;
  double iops_min, iops_max, iops_mean, iops_dev;
  uint64_t iops_samples;
};

Printed printed(const nlohmann::json& r) {
  return {r["bw_min"].get<double>(),  r["bw_max"].get<double>(),    r["bw_mean"].get<double>(),
          r["bw_dev"].get<double>(),  r["bw_agg"].get<double>(),    r["bw_samples"].get<uint64_t>(),
          r["iops_min"].get<double>(), r["iops_max"].get<double>(), r["iops_mean"].get<double>(),
          r["iops_stddev"].get<double>(), r["iops_samples"].get<uint64_t>()};
}

}  // namespace

TEST_CASE("group_reporting adds the jobs' sample summaries, as fio does", "[group]") {
  // Two jobs at about 4000 and 12000 KiB/s (rate_iops=1000 and 3000, bs=4k).
  const std::vector<double> bw_a = {4007, 4000, 4007, 4000, 4000}, bw_b = {11848, 12190, 12007, 12000, 12000};
  const std::vector<double> io_a = {1001, 1000, 1001, 1000, 1000}, io_b = {2962, 3047, 3000, 3000, 3000};
  RunResult run;
  run.jobs = {rate_job("a", 0, bw_a, io_a, 3000), rate_job("b", 1, bw_b, io_b, 9000)};
  const RateStat sa = summarize_rate(run.jobs[0].dirs[0].bw_kib), sb = summarize_rate(run.jobs[1].dirs[0].bw_kib);

  const auto jobs = report_jobs(run);
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0].members == 2);
  const RateStat bw = bw_stat_of(jobs[0].job.dirs[0]);
  CHECK(bw.min == sa.min + sb.min);  // 15848, not the slower job's 4000
  CHECK(bw.max == sa.max + sb.max);  // 16197
  CHECK(bw.mean == Approx(sa.mean + sb.mean).epsilon(1e-12));  // 16011.8: the group's rate
  CHECK(bw.samples == 10);
  const double sq = sa.stddev * sa.stddev * 4 + sb.stddev * sb.stddev * 4;
  CHECK(bw.stddev == Approx(std::sqrt(sq / 9)).epsilon(1e-12));  // 80.90 (fio 3.33 printed 80.902410)
  const RateStat io = iops_stat_of(jobs[0].job.dirs[0]);
  CHECK(io.min == 1000 + 2962);
  CHECK(io.max == 1001 + 3047);
  CHECK(io.mean == Approx(1000.4 + 3001.8).epsilon(1e-12));
  CHECK(io.samples == 10);

  // Every format shows the group's numbers, and per= is the share of the
  // group's bandwidth (the sum of means vs the aggregate: 100%, not 50%).
  const auto j = nlohmann::json::parse(write_json(run, false));
  const Printed p = printed(j["jobs"][0]["read"]);
  CHECK(p.bw_min == 15848);
  CHECK(p.bw_max == 16197);
  CHECK(p.bw_mean == Approx(16011.8));
  CHECK(p.bw_samples == 10);
  CHECK(p.bw_agg == Approx(100.0));
  CHECK(p.iops_min == 3962);
  CHECK(p.iops_samples == 10);
  const std::string normal = write_normal(run);
  CHECK(normal.find("min=15848, max=16197, per=100.00%, avg=16011.80") != std::string::npos);
  CHECK(normal.find("iops        : min= 3962, max= 4048, avg=4002.20") != std::string::npos);
  CHECK(write_terse(run).find(";15848;16197;100.000000%;16011.800000;") != std::string::npos);

  // Without group_reporting each job keeps its own samples, and per= is its
  // share of the group's bandwidth.
  for (auto& job : run.jobs) job.group_reporting = false;
  const auto k = nlohmann::json::parse(write_json(run, false));
  const Printed a = printed(k["jobs"][0]["read"]), b = printed(k["jobs"][1]["read"]);
  CHECK(a.bw_min == 4000);
  CHECK(a.bw_max == 4007);
  CHECK(a.bw_samples == 5);
  CHECK(b.bw_min == 11848);
  CHECK(b.iops_max == 3047);
  CHECK(a.bw_agg + b.bw_agg == Approx(100.0 * (sa.mean + sb.mean) / (12000.0 * 4096 * 1000 / 3000 / 1024)));
}

TEST_CASE("a job without samples adds nothing to its group's summary", "[group]") {
  RunResult run;
  run.jobs = {rate_job("short", 0, {}, {}, 10), rate_job("long", 1, {100, 300}, {25, 75}, 100)};
  const auto jobs = report_jobs(run);
  REQUIRE(jobs.size() == 1);
  const RateStat bw = bw_stat_of(jobs[0].job.dirs[0]);
  CHECK(bw.min == 100);
  CHECK(bw.max == 300);
  CHECK(bw.mean == 200);
  CHECK(bw.samples == 2);
  CHECK(bw.stddev == Approx(std::sqrt(20000.0)));
}

// fio's own group line against fiokit's summary of the same per-job samples:
// two rate-limited jobs of different speed, and four jobs.
TEST_CASE("group sample statistics equal fio 3.33's for the samples fio logged", "[fio]") {
  if (!fiokit::testing::have_program("fio")) {
    WARN("skipped: fio not installed");
    return;
  }
  struct Case {
    const char* jobs;
    int n;
  } cases[] = {
      {"[a]\nrate_iops=1000\n[b]\nrate_iops=3000\n", 2},
      {"[a]\nrate_iops=500\nnumjobs=4\n", 4},
  };
  for (const Case& c : cases) {
    INFO(c.jobs);
    TempDir dir;
    fiokit::testing::write_text(dir.path + "/g.fio",
                                std::string("[global]\nioengine=null\nrw=read\nbs=4k\nsize=1g\nruntime=2\ntime_based\n"
                                            "group_reporting\nwrite_bw_log=g\nwrite_iops_log=g\nlog_avg_msec=500\n") +
                                    c.jobs);
    const auto out = fiokit::testing::run_capture("cd " + dir.path + " && fio --output-format=json g.fio 2>/dev/null");
    REQUIRE(out);
    const auto fio = nlohmann::json::parse(*out);
    REQUIRE(fio["jobs"].size() == 1);
    const Printed f = printed(fio["jobs"][0]["read"]);

    RunResult run;
    for (int i = 0; i < c.n; ++i) {
      std::vector<double> bw, iops;
      for (const LogRow& r : read_log(dir.path + "/g_bw." + std::to_string(i + 1) + ".log").rows)
        bw.push_back(static_cast<double>(r.value));
      for (const LogRow& r : read_log(dir.path + "/g_iops." + std::to_string(i + 1) + ".log").rows)
        iops.push_back(static_cast<double>(r.value));
      run.jobs.push_back(rate_job("j" + std::to_string(i), i, bw, iops, 1000));
    }
    const RateStat bw = bw_stat_of(report_jobs(run)[0].job.dirs[0]);
    const RateStat io = iops_stat_of(report_jobs(run)[0].job.dirs[0]);
    CHECK(bw.min == f.bw_min);
    CHECK(bw.max == f.bw_max);
    CHECK(bw.mean == Approx(f.bw_mean).margin(1e-5));
    CHECK(bw.stddev == Approx(f.bw_dev).margin(1e-5));
    CHECK(bw.samples == f.bw_samples);
    CHECK(io.min == f.iops_min);
    CHECK(io.max == f.iops_max);
    CHECK(io.mean == Approx(f.iops_mean).margin(1e-5));
    CHECK(io.stddev == Approx(f.iops_dev).margin(1e-5));
    CHECK(io.samples == f.iops_samples);
  }
}
