// See unified_rw.hpp. What fio 3.33 prints for the mixed direction, observed
// with rate-limited null jobs (read 1000 IOPS, write 3000 IOPS, 2 s):
//   - io_bytes, total/short/drop I/Os: the sums; runtime: the longest
//     direction's, so bw and iops are the directions' sums;
//   - slat/clat/lat: every I/O of every direction (histograms merged);
//   - bw and iops samples: one sample per window holding the directions'
//     sum (min 16007 = 4000 + 12007 KiB/s), but "samples" counts the
//     directions' samples (6 for 3 windows of 2 directions), as fio adds the
//     per-direction counts.
#include "results/unified_rw.hpp"

#include "results/prio_stats.hpp"

#include <algorithm>
#include <cmath>

namespace fiokit::results {
namespace {

// Sum per window of the directions' samples, reported with fio's count.
RateStat summed_rate(const JobResult& j, bool bw) {
  std::vector<double> sum;
  uint64_t count = 0;
  bool from_file = false;
  RateStat acc;
  double var = 0;
  for (const DirStats& d : j.dirs) {
    const auto& stat = bw ? d.bw_stat : d.iops_stat;
    if (stat) {
      // Read back from a JSON file: only the summaries exist; add them.
      from_file = true;
      acc.min += stat->min, acc.max += stat->max, acc.mean += stat->mean;
      var += stat->stddev * stat->stddev;
      count += stat->samples;
      continue;
    }
    const auto& v = bw ? d.bw_kib.values : d.iops.values;
    if (sum.size() < v.size()) sum.resize(v.size(), 0.0);
    for (size_t i = 0; i < v.size(); ++i) sum[i] += v[i];
    count += v.size();
  }
  if (from_file) {
    acc.stddev = std::sqrt(var);
    acc.samples = count;
    return acc;
  }
  RateStat s = summarize_rate(RateSamples{sum});
  s.samples = count;
  return s;
}

}  // namespace

DirStats mixed_dir(const JobResult& j) {
  DirStats m;
  for (const DirStats& d : j.dirs) add_counts(m, d);
  m.bw_stat = summed_rate(j, true);
  m.iops_stat = summed_rate(j, false);
  m.prios = mixed_prio_stats(j);
  return m;
}

std::vector<ReportJob> mixed_jobs(const std::vector<ReportJob>& jobs) {
  std::vector<ReportJob> out = jobs;
  for (ReportJob& r : out) {
    r.job.dirs[0] = mixed_dir(r.job);
    r.job.dirs[1] = DirStats{};
    r.job.dirs[2] = DirStats{};
  }
  return out;
}

}  // namespace fiokit::results
