// Aggregate of a cluster merge, per job name and direction (see
// cluster_aggregate.hpp and docs/cluster-protocol.md).
//
// Exact numerics, and why:
// - Counts, bytes and the reported IOPS / bandwidth are sums of what each
//   member reported, so "merged IOPS == sum of the members' IOPS" holds to the
//   last digit a reader sees.
// - Latency min/max are the extremes; the mean is weighted by each job's N;
//   the stddev is pooled from each job's N, mean and sample stddev (the sum of
//   squares each implies), so it is the stddev of all samples together up to
//   double rounding.
// - Percentiles are never averaged: a percentile of the union of several
//   hosts' samples is not any mean of their percentiles. Each job's json+
//   "bins" (key = the bin's value in ns, fio's plat_idx_to_val, the layout of
//   histogram.hpp) are summed bin by bin and the percentile is taken from the
//   sum with fio's rule (latency_dist.hpp's dist_percentile, the code fiokit's
//   own percentiles use). A fio bin value identifies its bin exactly, so the
//   result is what fio would print for one job holding every sample. When a
//   job with samples has no bins (plain json), no percentile is written and
//   "percentiles_exact" says false: the bins cannot be rebuilt from
//   percentiles without guessing.
#include "results/cluster_aggregate.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "results/histogram.hpp"
#include "results/latency_dist.hpp"
#include "results/run_result.hpp"
#include "results/summary.hpp"

namespace fiokit::results::cluster_detail {
namespace {

using H = LatencyHistogram;

[[noreturn]] void bad(const std::string& where, const char* key, const char* why) {
  throw std::runtime_error(fmt::format("{}.{} {}", where, key, why));
}

constexpr const char* kMetrics[3] = {"slat_ns", "clat_ns", "lat_ns"};
constexpr const char* kAggDirs[4] = {"read", "write", "trim", "mixed"};

struct LatAcc {
  uint64_t n = 0, min = std::numeric_limits<uint64_t>::max(), max = 0;
  double sum = 0;  // sum of samples (mean * N per job)
  std::vector<std::array<double, 3>> parts;  // per job: N, mean, sum of squared deviations
  size_t with_samples = 0, with_bins = 0, with_pct = 0;
  std::set<int> bins_missing;
  std::map<double, std::string> pct_keys;  // p -> the key as the jobs spelt it
  LatencyDist dist = LatencyDist::empty(0);
};

struct DirAcc {
  bool present = false;
  uint64_t io_bytes = 0, bw_bytes = 0, bw = 0, total_ios = 0, short_ios = 0, drop_ios = 0, runtime = 0;
  double iops = 0;
  std::map<int, double> host_iops;
  LatAcc lat[3];
};

struct JobAcc {
  std::string name;
  std::vector<int> hosts;
  uint64_t jobs = 0;
  DirAcc dirs[4];
};

void add_bins(LatAcc& a, const ojson& bins, const std::string& where) {
  if (!bins.is_object()) bad(where, "bins", "is not an object");
  for (auto it = bins.begin(); it != bins.end(); ++it) {
    const std::string& key = it.key();
    uint64_t ns = 0;
    const auto r = std::from_chars(key.data(), key.data() + key.size(), ns);
    if (r.ec != std::errc() || r.ptr != key.data() + key.size() || key.empty())
      throw std::runtime_error(fmt::format("{}.bins: key \"{}\" is not a latency in ns", where, key));
    const size_t idx = H::index_of(ns);
    if (H::value_of(idx) != ns)
      throw std::runtime_error(fmt::format("{}.bins: {} ns is not the value of a bin of fio's layout "
                                           "(64 bins per power of two, 1856 bins)", where, key));
    a.dist.counts[idx] += u64_at(bins, key.c_str(), where + ".bins");
  }
}

void add_lat(LatAcc& a, const ojson& lat, int host, const std::string& where) {
  if (!lat.is_object()) throw std::runtime_error(where + " is not an object");
  const uint64_t n = u64_at(lat, "N", where);
  if (n == 0) return;
  const uint64_t mn = u64_at(lat, "min", where), mx = u64_at(lat, "max", where);
  const double mean = num_at(lat, "mean", where), sd = num_at(lat, "stddev", where);
  const double dn = static_cast<double>(n);
  a.n += n;
  a.min = std::min(a.min, mn);
  a.max = std::max(a.max, mx);
  a.sum += mean * dn;
  a.parts.push_back({dn, mean, sd * sd * (dn - 1)});
  ++a.with_samples;
  const auto pct = lat.find("percentile");
  if (pct != lat.end() && !pct->is_null()) {
    if (!pct->is_object()) bad(where, "percentile", "is not an object");
    ++a.with_pct;
    for (auto it = pct->begin(); it != pct->end(); ++it) {
      char* end = nullptr;
      const double p = std::strtod(it.key().c_str(), &end);
      if (end == it.key().c_str() || *end != '\0' || !(p > 0 && p <= 100))
        throw std::runtime_error(fmt::format("{}.percentile: \"{}\" is not a percentile in (0, 100]", where, it.key()));
      a.pct_keys.emplace(p, it.key());
    }
  }
  const auto bins = lat.find("bins");
  if (bins != lat.end() && !bins->is_null()) {
    add_bins(a, *bins, where);
    ++a.with_bins;
  } else {
    a.bins_missing.insert(host);
  }
}

void add_dir(DirAcc& d, const ojson& o, int host, const std::string& where) {
  if (!o.is_object()) throw std::runtime_error(where + " is not an object");
  d.present = true;
  d.io_bytes += u64_at(o, "io_bytes", where);
  d.bw_bytes += u64_at(o, "bw_bytes", where);
  d.bw += u64_at(o, "bw", where);
  d.total_ios += u64_at(o, "total_ios", where);
  d.short_ios += u64_at(o, "short_ios", where);
  d.drop_ios += u64_at(o, "drop_ios", where);
  d.runtime = std::max(d.runtime, u64_at(o, "runtime", where));
  const double iops = num_at(o, "iops", where);
  d.iops += iops;
  d.host_iops[host] += iops;
  for (int m = 0; m < 3; ++m)
    if (const auto it = o.find(kMetrics[m]); it != o.end() && !it->is_null())
      add_lat(d.lat[m], *it, host, where + "." + kMetrics[m]);
}

ojson lat_json(const LatAcc& a) {
  const double n = static_cast<double>(a.n);
  const double mean = a.n ? a.sum / n : 0.0;
  // Pooled (Chan et al.): each job's squared deviations about its own mean,
  // plus N_i (mean_i - mean)^2 for the distance of its mean from the total's.
  double m2 = 0;
  for (const auto& [pn, pmean, pm2] : a.parts) m2 += pm2 + pn * (pmean - mean) * (pmean - mean);
  const double var = a.n > 1 ? m2 / (n - 1) : 0.0;
  ojson o = ojson::object();  // fio's key order
  o["min"] = a.n ? a.min : 0;
  o["max"] = a.max;
  o["mean"] = mean;
  o["stddev"] = var > 0 ? std::sqrt(var) : 0.0;
  o["N"] = a.n;
  if (a.with_bins == 0 && a.with_pct == 0) return o;  // no job reported percentiles
  const bool exact = a.with_bins == a.with_samples;
  o["percentiles_exact"] = exact;
  if (!exact) {
    o["bins_missing"] = ojson(std::vector<int>(a.bins_missing.begin(), a.bins_missing.end()));
    return o;
  }
  std::map<double, std::string> keys = a.pct_keys;
  if (keys.empty())
    for (double p : percentiles_of(JobResult{})) keys.emplace(p, fmt::format("{:.6f}", p));
  ojson pct = ojson::object();
  for (const auto& [p, key] : keys) pct[key] = dist_percentile(a.dist, p);
  o["percentile"] = std::move(pct);
  ojson bins = ojson::object();
  for (size_t i = 0; i < a.dist.counts.size(); ++i)
    if (a.dist.counts[i]) bins[std::to_string(H::value_of(i))] = a.dist.counts[i];
  o["bins"] = std::move(bins);
  return o;
}

// Sample stddev (n - 1) of the hosts' IOPS, as fio reports its sample stddevs.
ojson spread_json(const DirAcc& d, const std::vector<int>& hosts) {
  std::vector<double> v;
  for (int h : hosts) {
    const auto it = d.host_iops.find(h);
    v.push_back(it == d.host_iops.end() ? 0.0 : it->second);
  }
  ojson o = ojson::object();
  if (v.empty()) return o;
  double sum = 0;
  for (double x : v) sum += x;
  const double mean = sum / static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  o["min"] = *std::min_element(v.begin(), v.end());
  o["max"] = *std::max_element(v.begin(), v.end());
  o["mean"] = mean;
  o["stddev"] = v.size() > 1 ? std::sqrt(ss / static_cast<double>(v.size() - 1)) : 0.0;
  return o;
}

ojson dir_json(const DirAcc& d, const std::vector<int>& hosts) {
  ojson o = ojson::object();
  o["io_bytes"] = d.io_bytes;
  o["io_kbytes"] = d.io_bytes / 1024;
  o["bw_bytes"] = d.bw_bytes;
  o["bw"] = d.bw;
  o["iops"] = d.iops;
  o["runtime"] = d.runtime;
  o["total_ios"] = d.total_ios;
  o["short_ios"] = d.short_ios;
  o["drop_ios"] = d.drop_ios;
  o["iops_spread"] = spread_json(d, hosts);
  for (int m = 0; m < 3; ++m) o[kMetrics[m]] = lat_json(d.lat[m]);
  return o;
}

}  // namespace

uint64_t u64_at(const ojson& obj, const char* key, const std::string& where) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return 0;
  const ojson& v = *it;
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer()) {
    const int64_t x = v.get<int64_t>();
    if (x < 0) bad(where, key, "is negative");
    return static_cast<uint64_t>(x);
  }
  if (v.is_number_float()) {
    const double x = v.get<double>();
    if (!(x > -1.0 && x < std::ldexp(1.0, 64))) bad(where, key, "is out of range");
    return static_cast<uint64_t>(x);
  }
  bad(where, key, "is not a number");
}

double num_at(const ojson& obj, const char* key, const std::string& where) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return 0;
  if (!it->is_number()) bad(where, key, "is not a number");
  const double x = it->get<double>();
  if (!std::isfinite(x)) bad(where, key, "is not finite");
  return x;
}

ojson aggregate_jobs(const std::vector<HostJob>& jobs) {
  std::vector<JobAcc> accs;
  std::map<std::string, size_t> by_name;
  for (const HostJob& hj : jobs) {
    const ojson& j = *hj.job;
    const std::string where = fmt::format("member {}: jobs[{}]", hj.host_index, hj.job_pos);
    const auto name_it = j.find("jobname");
    if (name_it != j.end() && !name_it->is_string()) throw std::runtime_error(where + ".jobname is not a string");
    const std::string name = name_it == j.end() ? std::string() : name_it->get<std::string>();
    auto [it, fresh] = by_name.emplace(name, accs.size());
    if (fresh) accs.push_back(JobAcc{name, {}, 0, {}});
    JobAcc& acc = accs[it->second];
    if (std::find(acc.hosts.begin(), acc.hosts.end(), hj.host_index) == acc.hosts.end())
      acc.hosts.push_back(hj.host_index);
    ++acc.jobs;
    for (int d = 0; d < 4; ++d)
      if (const auto o = j.find(kAggDirs[d]); o != j.end() && !o->is_null())
        add_dir(acc.dirs[d], *o, hj.host_index, where + "." + kAggDirs[d]);
  }
  ojson out = ojson::object();
  for (JobAcc& acc : accs) {
    std::sort(acc.hosts.begin(), acc.hosts.end());
    ojson a = ojson::object();
    a["hosts"] = acc.hosts;
    a["jobs"] = acc.jobs;
    for (int d = 0; d < 4; ++d)
      if (d < 3 || acc.dirs[d].present) a[kAggDirs[d]] = dir_json(acc.dirs[d], acc.hosts);
    out[acc.name] = std::move(a);
  }
  return out;
}

}  // namespace fiokit::results::cluster_detail
