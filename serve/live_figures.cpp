// See live_figures.hpp.
#include "serve/live_figures.hpp"

#include <algorithm>
#include <map>

namespace fiokit::serve {

using results::LatencyHistogram;

SparseBins sparse_bins(const LatencyHistogram& h) {
  SparseBins out;
  const auto& bins = h.bins();
  for (size_t i = 0; i < bins.size(); ++i)
    if (bins[i]) out.emplace_back(static_cast<uint32_t>(i), bins[i]);
  return out;
}

SparseBins add_bins(const SparseBins& a, const SparseBins& b) {
  SparseBins out;
  out.reserve(std::max(a.size(), b.size()));
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].first < b[j].first)) out.push_back(a[i++]);
    else if (i == a.size() || b[j].first < a[i].first) out.push_back(b[j++]);
    else out.emplace_back(a[i].first, a[i].second + b[j].second), ++i, ++j;
  }
  return out;
}

SparseBins sub_bins(const SparseBins& a, const SparseBins& b) {
  SparseBins out;
  size_t j = 0;
  for (const auto& [idx, n] : a) {
    while (j < b.size() && b[j].first < idx) ++j;
    const uint64_t minus = j < b.size() && b[j].first == idx ? b[j].second : 0;
    if (n > minus) out.emplace_back(idx, n - minus);
  }
  return out;
}

uint64_t bins_total(const SparseBins& b) {
  uint64_t s = 0;
  for (const auto& [idx, n] : b) s += n;
  return s;
}

uint64_t bins_percentile(const SparseBins& b, double p) {
  const uint64_t total = bins_total(b);
  if (!total) return 0;
  const double want = p / 100.0 * static_cast<double>(total);
  uint64_t seen = 0;
  for (const auto& [idx, n] : b) {
    seen += n;
    if (static_cast<double>(seen) >= want) return LatencyHistogram::value_of(idx);
  }
  return LatencyHistogram::value_of(b.back().first);
}

bool plausible_ms(int64_t unix_ms) { return unix_ms > 0 && unix_ms < kYear3000Ms; }

HostSnapshot snapshot_of(const results::RunResult& r, int64_t fallback_t_ms) {
  HostSnapshot s;
  // Times from a file are checked so that differences of them cannot overflow.
  s.t_ms = plausible_ms(r.snapshot_ms) ? r.snapshot_ms : fallback_t_ms;
  s.incomplete = r.incomplete;
  if (plausible_ms(r.timestamp_ms)) s.start_ms = r.timestamp_ms;
  else if (r.timestamp > 0 && r.timestamp < kYear3000Ms / 1000) s.start_ms = r.timestamp * 1000;
  if (auto it = r.extras.find("host"); it != r.extras.end()) s.hostname = it->second;
  std::map<std::pair<std::string, int>, LiveCounters> by_key;
  for (const auto& j : r.jobs) {
    s.runtime_ms = std::max(s.runtime_ms, j.job_runtime_ms);
    for (int d = 0; d < results::kDirs; ++d) {
      const auto& ds = j.dirs[static_cast<size_t>(d)];
      if (ds.total_ios == 0 && ds.io_bytes == 0) continue;
      // fio keeps completion latency unless the job asks for total latency
      // percentiles only; take whichever histogram has samples.
      const LatencyHistogram& h = ds.clat.count() ? ds.clat : ds.lat;
      auto& c = by_key[{j.name, d}];
      c.job = j.name;
      c.ddir = d;
      c.ios += ds.total_ios;
      c.bytes += ds.io_bytes;
      const SparseBins bins = sparse_bins(h);
      c.lat_count += bins.empty() ? h.count() : bins_total(bins);
      c.lat_sum_ns += h.sum();
      c.bins = add_bins(c.bins, bins);
    }
  }
  for (auto& [k, c] : by_key) s.counters.push_back(std::move(c));
  return s;
}

void LiveFigures::add(const LiveFigures& o) {
  iops += o.iops;
  bw_bytes += o.bw_bytes;
  win_lat_count += o.win_lat_count;
  win_lat_sum_ns += o.win_lat_sum_ns;
  win_bins = add_bins(win_bins, o.win_bins);
  total_ios += o.total_ios;
  total_bytes += o.total_bytes;
  total_lat_count += o.total_lat_count;
  total_lat_sum_ns += o.total_lat_sum_ns;
  total_bins = add_bins(total_bins, o.total_bins);
}

double LiveFigures::win_lat_mean_ns() const {
  return win_lat_count ? static_cast<double>(win_lat_sum_ns) / static_cast<double>(win_lat_count) : 0.0;
}

LiveFigures figures_of(const LiveCounters& cur, const LiveCounters* prev, double dt_ms) {
  // A counter below its previous value means a new run under the same name
  // (a member restarted by Kubernetes): count from zero, not a negative rate.
  if (prev && (cur.ios < prev->ios || cur.bytes < prev->bytes || cur.lat_count < prev->lat_count)) prev = nullptr;
  LiveFigures f;
  f.total_ios = cur.ios;
  f.total_bytes = cur.bytes;
  f.total_lat_count = cur.lat_count;
  f.total_lat_sum_ns = cur.lat_sum_ns;
  f.total_bins = cur.bins;
  const uint64_t dios = cur.ios - (prev ? prev->ios : 0);
  const uint64_t dbytes = cur.bytes - (prev ? prev->bytes : 0);
  if (dt_ms > 0) {
    f.iops = static_cast<double>(dios) * 1000.0 / dt_ms;
    f.bw_bytes = static_cast<double>(dbytes) * 1000.0 / dt_ms;
  }
  f.win_bins = prev ? sub_bins(cur.bins, prev->bins) : cur.bins;
  f.win_lat_count = cur.lat_count - (prev ? prev->lat_count : 0);
  const uint64_t psum = prev ? prev->lat_sum_ns : 0;
  f.win_lat_sum_ns = cur.lat_sum_ns > psum ? cur.lat_sum_ns - psum : 0;
  return f;
}

std::vector<JobFigures> host_figures(const HostSnapshot& cur, const HostSnapshot* prev, double* dt_ms) {
  double dt = static_cast<double>(cur.runtime_ms);
  if (prev) {
    dt = static_cast<double>(cur.t_ms - prev->t_ms);
    if (dt <= 0) prev = nullptr, dt = static_cast<double>(cur.runtime_ms);
  }
  if (dt_ms) *dt_ms = dt;
  std::vector<JobFigures> out;
  out.reserve(cur.counters.size());
  for (const auto& c : cur.counters) {
    const LiveCounters* p = nullptr;
    if (prev) {  // both sorted by (job, ddir)
      auto it = std::lower_bound(prev->counters.begin(), prev->counters.end(), c, [](const LiveCounters& a, const LiveCounters& b) {
        return a.job != b.job ? a.job < b.job : a.ddir < b.ddir;
      });
      if (it != prev->counters.end() && it->job == c.job && it->ddir == c.ddir) p = &*it;
    }
    // A job/direction absent before started within the interval: all of
    // its I/O happened in it.
    static const LiveCounters kZero;
    out.push_back({c.job, c.ddir, figures_of(c, prev ? (p ? p : &kZero) : nullptr, dt)});
  }
  return out;
}

}  // namespace fiokit::serve
