// See metrics.hpp. Each metric family is written as one block (HELP, TYPE,
// then every sample of it), as the format requires.
#include "serve/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace fiokit::serve {

namespace {

// Bucket bounds of fiokit_latency_seconds, in ns: 1-2.5-5 steps from 1 us to
// 10 s (22 buckets and +Inf), the range storage latencies live in.
constexpr std::array<uint64_t, 22> kBucketsNs = {
    1'000,       2'500,       5'000,         10'000,        25'000,        50'000,        100'000,       250'000,
    500'000,     1'000'000,   2'500'000,     5'000'000,     10'000'000,    25'000'000,    50'000'000,    100'000'000,
    250'000'000, 500'000'000, 1'000'000'000, 2'500'000'000, 5'000'000'000, 10'000'000'000};

// One series' labels and figures.
struct Series {
  std::string labels;  // run="..",host="..",... without braces
  LiveFigures f;
};

struct ClusterRow {
  std::string run;
  const ClusterInfo* info;
};

std::string number(double v) { return fmt::format("{}", v); }

void family(std::string& out, const char* name, const char* type, const char* help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string render_metrics(LiveSource& source, const IndexSnapshot& snap, int64_t now_ms) {
  std::vector<LiveRun> runs;
  for (const auto& r : snap.runs) {
    // Only runs that may be live or changed lately: everything else is known
    // finished from the index alone, with no file touched.
    const int64_t changed_ms = std::max(r->results_mtime_ns, r->dir_mtime_ns) / 1'000'000;
    if (!r->summary.in_progress && r->summary.status != RunStatus::no_results && changed_ms < now_ms - kKeepFinishedMs)
      continue;
    // A finished run is only listed as a cluster run: look for cluster.json
    // first. One in progress is read at once (read() looks for it too).
    ClusterInfo info;
    if (!r->summary.in_progress && !source.cluster_of(*r, &info, nullptr)) continue;
    LiveRun lr = source.read(*r);
    const bool keep = lr.state == "running" || (lr.cluster && lr.changed_ms >= now_ms - kKeepFinishedMs);
    if (keep) runs.push_back(std::move(lr));
  }

  std::vector<Series> series;
  std::vector<ClusterRow> clusters;
  for (const auto& lr : runs) {
    const std::string run = escape_label_value(lr.id);
    if (lr.cluster) clusters.push_back({run, &lr.info});
    for (const auto& h : lr.hosts) {
      if (!h.cur) continue;
      std::string host = "run=\"" + run + "\",host=\"" + escape_label_value(h.host) + "\"";
      if (lr.cluster) host += ",member=\"" + std::to_string(h.index) + "\"";
      for (auto& jf : host_figures(*h.cur, h.final ? nullptr : h.prev.get(), nullptr)) {
        series.push_back({host + ",job=\"" + escape_label_value(jf.job) + "\",direction=\"" +
                              results::kDirNames[jf.ddir] + "\"",
                          std::move(jf.f)});
      }
    }
  }

  std::string out;
  family(out, "fiokit_iops", "gauge",
         "I/O operations per second of a job and direction over the interval between the two latest snapshots "
         "(a finished member: its average over the run).");
  for (const auto& s : series) out += fmt::format("fiokit_iops{{{}}} {}\n", s.labels, number(s.f.iops));
  family(out, "fiokit_bandwidth_bytes", "gauge",
         "Bytes per second of a job and direction over the interval between the two latest snapshots "
         "(a finished member: its average over the run).");
  for (const auto& s : series) out += fmt::format("fiokit_bandwidth_bytes{{{}}} {}\n", s.labels, number(s.f.bw_bytes));
  family(out, "fiokit_latency_seconds", "histogram",
         "Completion latency of a job and direction since it started, from the json+ histogram bins.");
  for (const auto& s : series) {
    uint64_t below = 0;
    size_t i = 0;
    for (uint64_t bound : kBucketsNs) {
      for (; i < s.f.total_bins.size() && results::LatencyHistogram::value_of(s.f.total_bins[i].first) <= bound; ++i)
        below += s.f.total_bins[i].second;
      out += fmt::format("fiokit_latency_seconds_bucket{{{},le=\"{}\"}} {}\n", s.labels,
                         number(static_cast<double>(bound) / 1e9), below);
    }
    const uint64_t count = bins_total(s.f.total_bins);
    out += fmt::format("fiokit_latency_seconds_bucket{{{},le=\"+Inf\"}} {}\n", s.labels, count);
    out += fmt::format("fiokit_latency_seconds_sum{{{}}} {}\n", s.labels,
                       number(static_cast<double>(s.f.total_lat_sum_ns) / 1e9));
    out += fmt::format("fiokit_latency_seconds_count{{{}}} {}\n", s.labels, count);
  }
  family(out, "fiokit_cluster_members", "gauge", "Members of a cluster run in each state.");
  for (const auto& c : clusters) {
    for (const char* state : {"joined", "running", "done", "failed", "missing"}) {
      const auto n = std::count_if(c.info->members.begin(), c.info->members.end(),
                                   [&](const ClusterMemberInfo& m) { return m.state == state; });
      out += fmt::format("fiokit_cluster_members{{run=\"{}\",state=\"{}\"}} {}\n", c.run, state, n);
    }
  }
  family(out, "fiokit_cluster_members_failed_total", "counter", "Members of a cluster run marked failed.");
  for (const auto& c : clusters) {
    const auto n = std::count_if(c.info->members.begin(), c.info->members.end(),
                                 [](const ClusterMemberInfo& m) { return m.state == "failed"; });
    out += fmt::format("fiokit_cluster_members_failed_total{{run=\"{}\"}} {}\n", c.run, n);
  }
  return out;
}

}  // namespace fiokit::serve
