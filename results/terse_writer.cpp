// Terse v3 writer. Field layout (121 fields, plus 9 per disk), as fio 3.33
// prints it and the HOWTO lists it:
//   3;fio version;jobname;groupid;error;
//   READ then WRITE (v3 has no TRIM block), 41 fields each:
//     io_kbytes;bw KiB/s;iops;runtime ms;
//     slat min;max;mean;stddev;  clat min;max;mean;stddev   (usec)
//     20 clat percentiles "P%=usec" (unused slots "0%=0");
//     lat min;max;mean;stddev (usec); bw min;max;agg%;mean;stddev (KiB/s)
//   usr%;sys%;ctx;majf;minf; 7 IO depth shares; 10 latency shares in us (the
//   first also holds every sub-microsecond I/O); 12 in ms;
//   per disk: name;read ios;write ios;read merges;write merges;read ticks;
//   write ticks;in_queue;util%.
// Latencies are integer usec (truncated) for min/max/percentiles and "%f" usec
// for mean/stddev, as fio prints them. Every number comes from summarize_run
// (summary.hpp); this file only lays the values out. Names go through
// printable() (normal_writer.hpp): no raw control byte reaches a terminal or a
// CI log. A ';' in a name is printed raw, as fio does (terse has no quoting).
#include "results/terse_writer.hpp"

#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "results/normal_writer.hpp"
#include "results/summary.hpp"

namespace fiokit::results {
namespace {

using Out = std::back_insert_iterator<std::string>;

void write_lat(Out out, const LatSummary& l) {
  fmt::format_to(out, ";{};{};{:f};{:f}", l.min / 1000, l.max / 1000, l.mean / 1000.0, l.stddev / 1000.0);
}

void write_dir(Out out, const JobSummary& j, const DirSummary& d) {
  fmt::format_to(out, ";{};{};{};{}", d.io_bytes / 1024, d.bw_kib, static_cast<uint64_t>(d.iops), d.runtime_ms);
  write_lat(out, d.slat);
  write_lat(out, d.clat);
  // The "clat" percentile slots hold total-latency percentiles when
  // lat_percentiles is on (fio 3.33 does the same).
  const auto& list = j.percentile_list;
  const LatSummary& ph = j.lat_percentiles ? d.lat : d.clat;
  const bool on = j.lat_percentiles || j.clat_percentiles;
  for (size_t i = 0; i < 20; ++i) {
    if (i < list.size() && on)
      fmt::format_to(out, ";{:f}%={}", list[i], ph.percentiles[i] / 1000);
    else
      fmt::format_to(out, ";0%=0");
  }
  write_lat(out, d.lat);
  fmt::format_to(out, ";{};{};{:f}%;{:f};{:f}", std::llround(d.bw.min), std::llround(d.bw.max), d.bw_agg_pct, d.bw.mean,
                 d.bw.stddev);
}

}  // namespace

std::string write_terse(const RunResult& run) {
  const RunSummary summary = summarize_run(run);
  std::string text;
  Out out(text);
  for (const JobSummary& j : summary.jobs) {
    fmt::format_to(out, "3;{};{};{};{}", printable(version_string(run)), printable(j.name), j.group_id, j.error);
    // unified_rw_reporting: "mixed" has one block (the sum) instead of READ
    // and WRITE (80 fields); "both" adds it after them (162), as fio 3.33.
    if (j.unified_rw_reporting != kUnifiedMixed)
      for (int d = 0; d < 2; ++d) write_dir(out, j, j.dirs[d]);
    if (j.unified_rw_reporting != kUnifiedNone) write_dir(out, j, j.mixed);
    fmt::format_to(out, ";{:f}%;{:f}%;{};{};{}", j.usr_cpu, j.sys_cpu, j.ctx, j.majf, j.minf);
    for (double p : j.depth_level) fmt::format_to(out, ";{:.1f}%", p);
    const LatBuckets& b = j.lat_buckets;
    double sub_us = 0;
    for (double p : b.ns) sub_us += p;
    for (size_t i = 0; i < b.us.size(); ++i) fmt::format_to(out, ";{:.2f}%", b.us[i] + (i == 0 ? sub_us : 0.0));
    for (double p : b.ms) fmt::format_to(out, ";{:.2f}%", p);
    for (const DiskUtil& d : run.disk_util)
      fmt::format_to(out, ";{};{};{};{};{};{};{};{};{:.2f}%", printable(d.name), d.read_ios, d.write_ios, d.read_merges,
                     d.write_merges, d.read_ticks, d.write_ticks, d.in_queue, d.util);
    if (j.continue_on_error) fmt::format_to(out, ";{};{}", j.total_err, j.first_error);  // fio: only with the option set
    if (!j.description.empty()) fmt::format_to(out, ";{}", printable(j.description));  // fio: last, only when set
    fmt::format_to(out, "\n");
  }
  return text;
}

}  // namespace fiokit::results
