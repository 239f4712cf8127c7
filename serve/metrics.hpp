// GET /metrics: the Prometheus text exposition format 0.0.4 for every run in
// progress and every cluster run (finished ones too, for kKeepFinishedMs
// after their cluster.json last changed, so a scrape after the end still
// sees how it ended):
//   fiokit_iops, fiokit_bandwidth_bytes   gauges {run, host, [member,] job, direction}:
//       rates over the interval between the two latest snapshots the server
//       saw (about a second while a page polls; the scrape interval
//       otherwise); a member's final results give its averages over the run.
//   fiokit_latency_seconds                histogram, same labels: completion
//       latency since the job started, cumulative buckets from the json+ bins
//       (a bin counts in every bucket whose bound is >= the bin's value, the
//       value fio reports percentiles at), +Inf, _sum and _count.
//   fiokit_cluster_members{run, state}    gauge: members per state.
//   fiokit_cluster_members_failed_total{run}  counter: members failed.
// `member` (the member's index) is there for cluster runs only: pods of one
// run may share a hostname (all members on one machine), and series must be
// unique. Which runs: from the run index (no directory scan per request);
// only runs in progress or changed within kKeepFinishedMs are looked at, and
// their files are parsed only when their mtime or size changed.
#pragma once
#include <cstdint>
#include <string>

#include "serve/live_source.hpp"
#include "serve/run_index.hpp"

namespace fiokit::serve {

inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";
inline constexpr int64_t kKeepFinishedMs = 3600'000;

// A label value escaped per the format: backslash, double quote and line feed.
std::string escape_label_value(std::string_view v);

// The whole /metrics body for the runs of `snap` at unix time now_ms.
std::string render_metrics(LiveSource& source, const IndexSnapshot& snap, int64_t now_ms);

}  // namespace fiokit::serve
