// Derived numbers shared by every writer; see summary.hpp for the rules.
#include "results/summary.hpp"

#include "results/prio_stats.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "results/unified_rw.hpp"

namespace fiokit::results {

namespace {

// group_reporting: fio 3.33 does not pool the jobs' bw/iops samples, nor sum
// them per window. It adds the jobs' sample *summaries* term by term (stat.c
// sum_stat with pure_sum): min = sum of the jobs' minima, max = sum of their
// maxima, mean = sum of their means, samples = sum of their counts, and the sum
// of squared deviations (S) summed too, so stdev = sqrt((S1+S2+..)/(N-1)) with
// N the summed count. min/max/mean then describe the group's aggregate rate
// (two jobs at 4000 and 12000 KiB/s show avg=16000, per=100%), while stdev is
// per-job spread. Verified against fio 3.33 (null engine, rate_iops=1000/3000,
// 500 ms windows, bw logs of both jobs): the group's min/max/mean/samples equal
// these sums exactly and stdev to the printed digits. A job without samples
// adds nothing. S is recovered from each stdev as stdev^2*(n-1), exact to
// double rounding (relative error ~1e-16).
RateStat sum_rate_stats(const RateStat& a, const RateStat& b) {
  if (b.samples == 0) return a;
  if (a.samples == 0) return b;
  const auto sq_dev = [](const RateStat& r) { return r.stddev * r.stddev * static_cast<double>(r.samples - 1); };
  RateStat s;
  s.min = a.min + b.min;
  s.max = a.max + b.max;
  s.mean = a.mean + b.mean;
  s.samples = a.samples + b.samples;
  s.stddev = std::sqrt((sq_dev(a) + sq_dev(b)) / static_cast<double>(s.samples - 1));
  return s;
}

void merge_dir(DirStats& into, const DirStats& d) {
  add_counts(into, d);
  // The merged entry carries summed summaries, not samples (see sum_rate_stats).
  into.bw_stat = sum_rate_stats(bw_stat_of(into), bw_stat_of(d));
  into.iops_stat = sum_rate_stats(iops_stat_of(into), iops_stat_of(d));
  into.bw_kib.values.clear();
  into.iops.values.clear();
}

void merge_job(JobResult& into, const JobResult& j, int members_before) {
  // Shares read from a file cannot be pooled; the merged histograms can.
  into.lat_buckets_pct.reset();
  for (int d = 0; d < kDirs; ++d) merge_dir(into.dirs[d], j.dirs[d]);
  for (size_t i = 0; i < 7; ++i) {
    into.depth.level[i] += j.depth.level[i];
    into.depth.submit[i] += j.depth.submit[i];
    into.depth.complete[i] += j.depth.complete[i];
  }
  into.depth.submit_calls += j.depth.submit_calls;
  into.depth.complete_calls += j.depth.complete_calls;
  // fio sums the jobs' runtimes and reports CPU time over that sum, i.e. the
  // CPU shares weighted by runtime (a plain mean when no runtime is known).
  const double ta = static_cast<double>(into.job_runtime_ms), tb = static_cast<double>(j.job_runtime_ms);
  const double n = members_before;
  if (ta + tb > 0) {
    into.usr_cpu = (into.usr_cpu * ta + j.usr_cpu * tb) / (ta + tb);
    into.sys_cpu = (into.sys_cpu * ta + j.sys_cpu * tb) / (ta + tb);
  } else {
    into.usr_cpu = (into.usr_cpu * n + j.usr_cpu) / (n + 1);
    into.sys_cpu = (into.sys_cpu * n + j.sys_cpu) / (n + 1);
  }
  into.job_runtime_ms += j.job_runtime_ms;
  into.elapsed_s = std::max(into.elapsed_s, j.elapsed_s);
  into.ctx += j.ctx;
  into.majf += j.majf;
  into.minf += j.minf;
  if (into.error == 0 && j.error != 0) {
    into.error = j.error;
    into.error_message = j.error_message;
    into.error_ignored = j.error_ignored;
  }
  // fio 3.33 sums total_err over the group and keeps the last job's first_error.
  into.continue_on_error = j.continue_on_error;
  into.total_err += j.total_err;
  into.first_error = j.first_error;
  into.interrupted = into.interrupted || j.interrupted;
  into.sync_total_ios += j.sync_total_ios;
  into.sync_lat.merge(j.sync_lat);
  // fio 3.33 prints the options of the group's last job with the first job's name.
  into.options = j.options;
  into.options_shown = j.options_shown;
  for (const auto& [k, v] : j.extras) into.extras.emplace(k, v);
  // fio keeps the steady-state window in the group's last job and reports that one.
  if (j.steadystate) into.steadystate = j.steadystate;
}

}  // namespace

void add_counts(DirStats& into, const DirStats& d) {
  into.io_bytes += d.io_bytes;
  into.total_ios += d.total_ios;
  into.short_ios += d.short_ios;
  into.drop_ios += d.drop_ios;
  into.slat.merge(d.slat);
  into.clat.merge(d.clat);
  into.lat.merge(d.lat);
  into.runtime_ms = std::max(into.runtime_ms, d.runtime_ms);
}

std::vector<ReportJob> report_jobs(const RunResult& run) {
  std::vector<ReportJob> out;
  std::vector<std::vector<const JobResult*>> members;  // per entry, for the per-priority stats
  std::map<int, size_t> group_entry;  // group id -> index in out
  for (const JobResult& j : run.jobs) {
    if (j.group_reporting) {
      auto it = group_entry.find(j.group_id);
      if (it != group_entry.end()) {
        ReportJob& r = out[it->second];
        merge_job(r.job, j, r.members);
        ++r.members;
        members[it->second].push_back(&j);
        continue;
      }
      group_entry[j.group_id] = out.size();
    }
    out.push_back(ReportJob{j, 1});
    members.push_back({&j});
  }
  for (size_t i = 0; i < out.size(); ++i) pool_prio_stats(out[i].job, members[i]);
  return out;
}

uint64_t bw_bytes_of(const DirStats& d) {
  if (d.runtime_ms == 0) return 0;
  return static_cast<uint64_t>(static_cast<u128>(d.io_bytes) * 1000 / d.runtime_ms);
}
uint64_t bw_kib_of(const DirStats& d) { return bw_bytes_of(d) / 1024; }
double iops_of(const DirStats& d) {
  if (d.runtime_ms == 0) return 0;
  return static_cast<double>(d.total_ios) * 1000.0 / static_cast<double>(d.runtime_ms);
}

RateStat summarize_rate(const RateSamples& s) {
  RateStat r;
  r.samples = s.values.size();
  if (s.values.empty()) return r;
  r.min = *std::min_element(s.values.begin(), s.values.end());
  r.max = *std::max_element(s.values.begin(), s.values.end());
  // Welford's update: no cancellation for long runs with large rates.
  double mean = 0, m2 = 0;
  uint64_t n = 0;
  for (double v : s.values) {
    ++n;
    const double delta = v - mean;
    mean += delta / static_cast<double>(n);
    m2 += delta * (v - mean);
  }
  r.mean = mean;
  r.stddev = n > 1 ? std::sqrt(m2 / static_cast<double>(n - 1)) : 0.0;
  return r;
}
RateStat bw_stat_of(const DirStats& d) { return d.bw_stat ? *d.bw_stat : summarize_rate(d.bw_kib); }
RateStat iops_stat_of(const DirStats& d) { return d.iops_stat ? *d.iops_stat : summarize_rate(d.iops); }

LatBuckets lat_buckets_of(const JobResult& j) {
  LatBuckets b;
  if (j.lat_buckets_pct) {
    const auto& p = *j.lat_buckets_pct;
    std::copy(p.begin(), p.begin() + 10, b.ns.begin());
    std::copy(p.begin() + 10, p.begin() + 20, b.us.begin());
    std::copy(p.begin() + 20, p.end(), b.ms.begin());
    return b;
  }
  std::array<uint64_t, 10> ns{}, us{};
  std::array<uint64_t, 12> ms{};
  uint64_t total = 0;
  for (const DirStats& d : j.dirs) {
    // Completion latency, as fio's buckets; a result that only has total
    // latency (e.g. read back from a file without clat) falls back to it.
    const LatencyHistogram& h = d.clat.count() ? d.clat : d.lat;
    const auto& bins = h.bins();
    for (size_t i = 0; i < bins.size(); ++i) {
      if (!bins[i]) continue;
      const uint64_t v = LatencyHistogram::value_of(i);
      total += bins[i];
      if (v < 1000) {
        size_t k = 0;
        while (k + 1 < kLatLimits.size() && v >= static_cast<uint64_t>(kLatLimits[k])) ++k;
        ns[k] += bins[i];
      } else if (v < 1000000) {
        const uint64_t u = v / 1000;
        size_t k = 0;
        while (k + 1 < kLatLimits.size() && u >= static_cast<uint64_t>(kLatLimits[k])) ++k;
        us[k] += bins[i];
      } else {
        const uint64_t m = v / 1000000;
        size_t k = 0;
        while (k + 1 < kLatLimitsMs.size() && m >= static_cast<uint64_t>(kLatLimitsMs[k])) ++k;
        ms[k] += bins[i];
      }
    }
  }
  if (total == 0) return b;
  // fio shows a bucket that holds any I/O as at least 0.01%, so rare outliers
  // stay visible in every format (the shares may then add up to a bit over 100).
  const double t = static_cast<double>(total);
  const auto pct = [t](uint64_t c) { return c ? std::max(0.01, 100.0 * static_cast<double>(c) / t) : 0.0; };
  for (size_t k = 0; k < 10; ++k) {
    b.ns[k] = pct(ns[k]);
    b.us[k] = pct(us[k]);
  }
  for (size_t k = 0; k < 12; ++k) b.ms[k] = pct(ms[k]);
  return b;
}

std::array<double, 7> depth_pct(const std::array<uint64_t, 7>& counts) {
  std::array<double, 7> p{};
  uint64_t total = 0;
  for (uint64_t c : counts) total += c;
  if (total == 0) return p;
  for (size_t i = 0; i < 7; ++i) p[i] = 100.0 * static_cast<double>(counts[i]) / static_cast<double>(total);
  return p;
}

GroupStats group_stats_of(const std::vector<ReportJob>& jobs) {
  GroupStats g;
  for (const ReportJob& r : jobs) {
    auto& dirs = g[r.job.group_id];
    for (int d = 0; d < kDirs; ++d) {
      const DirStats& s = r.job.dirs[d];
      if (s.total_ios == 0 && s.io_bytes == 0) continue;
      GroupDir& gd = dirs[d];
      const uint64_t bw = bw_bytes_of(s);
      if (!gd.any) {
        gd.min_run = gd.max_run = s.runtime_ms;
        gd.min_bw = gd.max_bw = bw;
        gd.any = true;
      } else {
        gd.min_run = std::min(gd.min_run, s.runtime_ms);
        gd.max_run = std::max(gd.max_run, s.runtime_ms);
        gd.min_bw = std::min(gd.min_bw, bw);
        gd.max_bw = std::max(gd.max_bw, bw);
      }
      gd.io_bytes += s.io_bytes;
    }
  }
  for (auto& [id, dirs] : g)
    for (GroupDir& gd : dirs)
      if (gd.any && gd.max_run)
        gd.agg_bw = static_cast<uint64_t>(static_cast<u128>(gd.io_bytes) * 1000 / gd.max_run);
  return g;
}

double bw_agg_pct(const DirStats& d, const GroupDir& g) {
  const RateStat s = bw_stat_of(d);
  if (s.samples == 0 || g.agg_bw == 0) return 0.0;
  const double agg_kib = static_cast<double>(g.agg_bw) / 1024.0;
  return std::min(100.0, 100.0 * s.mean / agg_kib);
}

uint64_t elapsed_of(const JobResult& j) {
  if (j.elapsed_s) return j.elapsed_s;
  return std::max<uint64_t>(1, (j.job_runtime_ms + 999) / 1000);
}

const std::vector<double>& percentiles_of(const JobResult& j) {
  static const std::vector<double> kDefault = {1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99};
  return j.percentile_list.empty() ? kDefault : j.percentile_list;
}

LatSummary summarize_lat(const LatencyHistogram& h, const std::vector<double>& percentile_list) {
  LatSummary s;
  s.count = h.count();
  s.min = h.min();
  s.max = h.max();
  s.mean = h.mean();
  s.stddev = h.stddev();
  s.percentiles.reserve(percentile_list.size());
  for (double p : percentile_list) s.percentiles.push_back(h.percentile(p));
  if (s.count) {
    const auto& bins = h.bins();
    for (size_t i = 0; i < bins.size(); ++i)
      if (bins[i]) s.bins.emplace_back(LatencyHistogram::value_of(i), bins[i]);
  }
  return s;
}

namespace {

DirSummary summarize_dir(const DirStats& d, const GroupDir& g, const std::vector<double>& plist) {
  DirSummary s;
  s.active = d.total_ios != 0 || d.io_bytes != 0;
  s.io_bytes = d.io_bytes;
  s.total_ios = d.total_ios;
  s.short_ios = d.short_ios;
  s.drop_ios = d.drop_ios;
  s.runtime_ms = d.runtime_ms;
  s.bw_bytes = bw_bytes_of(d);
  s.bw_kib = bw_kib_of(d);
  s.iops = iops_of(d);
  s.slat = summarize_lat(d.slat, plist);
  s.clat = summarize_lat(d.clat, plist);
  s.lat = summarize_lat(d.lat, plist);
  s.bw = bw_stat_of(d);
  s.iops_stat = iops_stat_of(d);
  s.bw_agg_pct = bw_agg_pct(d, g);
  for (const PrioStat* p : shown_prios(d.prios))
    s.prios.push_back(PrioSummary{p->ioprio >> 13, p->ioprio & 7, summarize_lat(p->hist, plist)});
  return s;
}

}  // namespace

RunSummary summarize_run(const RunResult& run) {
  const std::vector<ReportJob> jobs = report_jobs(run);
  const GroupStats groups = group_stats_of(jobs);
  // The unified_rw_reporting sum of every entry, and the groups of those sums
  // (the "MIXED" line and the mixed direction's bw_agg).
  const std::vector<ReportJob> mixed = mixed_jobs(jobs);
  const GroupStats mgroups = group_stats_of(mixed);
  RunSummary out;
  for (const auto& [id, dirs] : groups) {
    GroupSummary g;
    g.id = id;
    g.dirs = dirs;
    if (const auto it = mgroups.find(id); it != mgroups.end()) g.mixed = it->second[0];
    out.groups.push_back(g);
  }
  const auto group_of = [&](int id) -> GroupSummary& {
    return *std::find_if(out.groups.begin(), out.groups.end(), [id](const GroupSummary& g) { return g.id == id; });
  };
  std::set<int> seen;  // a group shows its first entry's unified_rw_reporting
  for (size_t i = 0; i < jobs.size(); ++i) {
    const JobResult& j = jobs[i].job;
    GroupSummary& g = group_of(j.group_id);
    if (seen.insert(j.group_id).second) g.unified_rw_reporting = j.unified_rw_reporting;
    JobSummary s;
    s.name = j.name;
    s.group_id = j.group_id;
    s.members = jobs[i].members;
    s.error = j.error;
    s.error_message = j.error_message;
    s.continue_on_error = j.continue_on_error;
    s.total_err = j.total_err;
    s.first_error = j.first_error;
    s.pid = j.pid;
    s.elapsed_s = elapsed_of(j);
    s.options = j.options;
    s.options_shown = j.options_shown;
    s.description = j.description;
    s.unified_rw_reporting = j.unified_rw_reporting;
    s.percentile_list = percentiles_of(j);
    s.clat_percentiles = j.clat_percentiles;
    s.lat_percentiles = j.lat_percentiles;
    s.slat_percentiles = j.slat_percentiles;
    for (int d = 0; d < kDirs; ++d) s.dirs[d] = summarize_dir(j.dirs[d], g.dirs[d], s.percentile_list);
    s.mixed = summarize_dir(mixed[i].job.dirs[0], g.mixed, s.percentile_list);
    s.sync_total_ios = j.sync_total_ios;
    s.sync_lat = summarize_lat(j.sync_lat, s.percentile_list);
    s.job_runtime_ms = j.job_runtime_ms;
    s.usr_cpu = j.usr_cpu;
    s.sys_cpu = j.sys_cpu;
    s.ctx = j.ctx;
    s.majf = j.majf;
    s.minf = j.minf;
    s.depth_level = depth_pct(j.depth.level);
    s.depth_submit = depth_pct(j.depth.submit);
    s.depth_complete = depth_pct(j.depth.complete);
    s.lat_buckets = lat_buckets_of(j);
    s.iodepth = j.iodepth;
    s.steadystate = j.steadystate;
    s.latency_target_ns = j.latency_target_ns;
    s.latency_window_us = j.latency_window_us;
    s.latency_percentile = j.latency_percentile;
    s.latency_depth = j.latency_depth ? *j.latency_depth : j.iodepth;
    out.jobs.push_back(std::move(s));
  }
  return out;
}

std::string version_string(const RunResult& run) {
  return run.version.empty() ? run.tool : run.tool + "-" + run.version;
}

}  // namespace fiokit::results
