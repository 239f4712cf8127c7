// Normal (human) output. Layout and unit rules observed from fio 3.33:
// - latency lines ("clat (usec): min=.., max=.., avg=%5.02f, stdev=%5.02f") are
//   in usec when min > 2000 ns, max > 99999 ns and stddev > 1000 ns, in msec
//   when the same holds a thousand times over, else in nsec; min/max are
//   truncated and shortened to 6 characters ("max=12602k" nsec);
// - the percentile table picks its unit from its smallest and largest values
//   by the same min/max thresholds, rounding values up (24192 ns shows as 25
//   usec); columns as wide as the largest value (at least 5), as many a line
//   as fit in 80 columns, with as many decimals as the list needs;
// - latency buckets: five non-empty buckets a line, per unit;
// - sizes and rates go through format_fio_number (4 significant characters);
//   IOPS is truncated to an integer first (1984 I/Os in 215 ms print 9227);
// - bw samples are KiB/s, or MiB/s once their mean passes 1 GiB/s.
// Every number comes from summarize_run (summary.hpp); this file chooses units
// and lays the values out. Strings from the job file or a results file go
// through printable(): fio prints names raw, so "[x<ESC>[2J]" cleared the
// terminal of whoever ran a job file they were sent.
#include "results/normal_writer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <optional>

#include <fmt/format.h>

#include "results/summary.hpp"

namespace fiokit::results {
namespace {

using Out = std::back_insert_iterator<std::string>;

constexpr const char* kUnitNames[] = {"nsec", "usec", "msec"};

// Decimals the percentile list needs ("1.00", "99.5", "99.999"), at most 6.
int percentile_precision(const std::vector<double>& list) {
  int prec = 0;
  for (double p : list) {
    int d = 0;
    double scale = 1;
    while (d < 6 && std::fabs(p * scale - std::round(p * scale)) > 1e-6 * scale) ++d, scale *= 10;
    prec = std::max(prec, d);
  }
  return prec;
}

void write_lat_line(Out out, const char* label, const LatSummary& l) {
  if (l.count == 0) return;
  const uint64_t mn = l.min, mx = l.max;
  const double dev = l.stddev;
  int unit = 0;
  if (mn > 2000000 && mx > 99999999 && dev > 1000000.0) unit = 2;
  else if (mn > 2000 && mx > 99999 && dev > 1000.0) unit = 1;
  const uint64_t div = unit == 2 ? 1000000 : unit == 1 ? 1000 : 1;
  const double d = static_cast<double>(div);
  fmt::format_to(out, "    {} ({}): min={}, max={}, avg={:5.2f}, stdev={:5.2f}\n", label, kUnitNames[unit],
                 format_fio_number(static_cast<double>(mn / div), 6, 1000, ""),
                 format_fio_number(static_cast<double>(mx / div), 6, 1000, ""), l.mean / d, dev / d);
}

void write_percentiles(Out out, const char* label, const LatSummary& l, const std::vector<double>& list) {
  if (l.count == 0 || list.empty()) return;
  const std::vector<uint64_t>& vals = l.percentiles;
  const uint64_t maxv = *std::max_element(vals.begin(), vals.end());
  const uint64_t minv = *std::min_element(vals.begin(), vals.end());
  int unit = 0;
  if (minv > 2000000 && maxv > 99999999) unit = 2;
  else if (minv > 2000 && maxv > 99999) unit = 1;
  const uint64_t div = unit == 2 ? 1000000 : unit == 1 ? 1000 : 1;
  const int prec = percentile_precision(list);
  // Columns as wide as the largest value (at least 5), as many entries a line
  // as fit in 80 columns.
  std::vector<uint64_t> shown;
  for (uint64_t v : vals) shown.push_back((v + div - 1) / div);
  const uint64_t widest = *std::max_element(shown.begin(), shown.end());
  const int width = std::max(5, static_cast<int>(fmt::formatted_size("{}", widest)));
  const size_t per_line = static_cast<size_t>(std::max(1, (80 - 7) / (prec + 10 + width)));
  fmt::format_to(out, "    {} percentiles ({}):\n", label, kUnitNames[unit]);
  for (size_t i = 0; i < list.size(); ++i) {
    if (i % per_line == 0) fmt::format_to(out, "     |");
    fmt::format_to(out, " {:{}.{}f}th=[{:{}}]", list[i], prec + 3, prec, shown[i], width);
    if (i + 1 < list.size()) fmt::format_to(out, ",");
    if (i % per_line == per_line - 1 || i + 1 == list.size()) fmt::format_to(out, "\n");
  }
}

void write_rates(Out out, const DirSummary& d) {
  const RateStat& bw = d.bw;
  if (bw.samples) {
    // Past 1 GiB/s on average fio shows the samples in MiB/s.
    const bool mib = bw.mean > 1024.0 * 1024.0;
    const double div = mib ? 1024.0 : 1.0;
    fmt::format_to(out, "   bw (  {}/s): min={:5}, max={:5}, per={:3.2f}%, avg={:5.2f}, stdev={:5.2f}, samples={}\n",
                   mib ? "MiB" : "KiB", static_cast<uint64_t>(bw.min / div), static_cast<uint64_t>(bw.max / div),
                   d.bw_agg_pct, bw.mean / div, bw.stddev / div, bw.samples);
  }
  const RateStat& io = d.iops_stat;
  if (io.samples)
    fmt::format_to(out, "   iops        : min={:5}, max={:5}, avg={:5.2f}, stdev={:5.2f}, samples={}\n",
                   std::llround(io.min), std::llround(io.max), io.mean, io.stddev, io.samples);
}

void write_dir(Out out, const char* label, const DirSummary& d, const JobSummary& j, bool zones) {
  if (!d.active) return;
  const uint64_t bw = d.bw_bytes;
  fmt::format_to(out, "  {}: IOPS={}, BW={}/s ({}/s)({}/{}msec){}\n", label,
                 format_fio_number(std::floor(d.iops), 4, 1000, ""), format_fio_number(static_cast<double>(bw), 4, 1024, "B"),
                 format_fio_number(static_cast<double>(bw), 4, 1000, "B"),
                 format_fio_number(static_cast<double>(d.io_bytes), 4, 1024, "B"), d.runtime_ms,
                 zones ? "; 0 zone resets" : "");
  write_lat_line(out, "slat", d.slat);
  write_lat_line(out, "clat", d.clat);
  write_lat_line(out, " lat", d.lat);
  // Per priority (cmdprio_*, or group members with different prio): fio 3.33
  // prints "clat prio C/L" (or "lat prio" with lat_percentiles) after the
  // totals, and their percentile tables after the totals' tables.
  const char* prio_kind = j.lat_percentiles ? "lat" : "clat";
  for (const PrioSummary& p : d.prios)
    write_lat_line(out, fmt::format("{} prio {}/{}", prio_kind, p.prioclass, p.prio).c_str(), p.lat);
  const auto& list = j.percentile_list;
  if (j.slat_percentiles) write_percentiles(out, "slat", d.slat, list);
  if (j.clat_percentiles) write_percentiles(out, "clat", d.clat, list);
  if (j.lat_percentiles) write_percentiles(out, "lat", d.lat, list);
  if (j.clat_percentiles || j.lat_percentiles) {
    const uint64_t all = j.lat_percentiles ? d.lat.count : d.clat.count;
    for (const PrioSummary& p : d.prios)
      write_percentiles(out,
                        fmt::format("{} prio {}/{} ({:.2f}% of IOs)", prio_kind, p.prioclass, p.prio,
                                    100.0 * static_cast<double>(p.lat.count) / static_cast<double>(all ? all : 1))
                            .c_str(),
                        p.lat, list);
  }
  write_rates(out, d);
}

template <size_t N>
void write_buckets(Out out, const char* unit, const std::array<double, N>& pct, const char* const* labels) {
  int on_line = 0;
  for (size_t i = 0; i < N; ++i) {
    if (pct[i] <= 0) continue;
    if (on_line == 5) {
      fmt::format_to(out, "\n");
      on_line = 0;
    }
    fmt::format_to(out, "{}{}={:.2f}%", on_line ? ", " : fmt::format("  lat ({})   : ", unit), labels[i], pct[i]);
    ++on_line;
  }
  if (on_line) fmt::format_to(out, "\n");
}

void write_depths(Out out, const char* label, const std::array<double, 7>& pct, const char* const* labels) {
  fmt::format_to(out, "{}: ", label);
  for (size_t i = 0; i < 7; ++i) fmt::format_to(out, "{}{}={:.1f}%", i ? ", " : "", labels[i], pct[i]);
  fmt::format_to(out, "\n");
}

// unified_rw_reporting (see unified_rw.hpp): fio 3.33 prints the "both"
// mode's mixed line as "IOPS=0, BW=0 (0)(0B/..)" while its JSON has the sums;
// fiokit prints the sums in both places.
// fio 3.33's steady-state line: the window's mean bandwidth in KiB/s printed
// with binary prefixes and then, as fio does, the same KiB figure again with
// decimal ones ("4001KiB/s (4001kB/s)"), the mean IOPS, and the criterion.
void write_steadystate(Out out, const SteadyStateResult& ss) {
  const double kib = static_cast<double>(ss.bw_mean() / 1024);
  fmt::format_to(out, "  steadystate  : attained={}, bw={} ({}), iops={}, {}{}={:.3f}{}\n", ss.attained ? "yes" : "no",
                 format_fio_number(kib * 1024, 4, 1024, "B/s"), format_fio_number(kib * 1000, 4, 1000, "B/s"),
                 format_fio_number(static_cast<double>(ss.iops_mean()), 4, 1000, ""), ss.iops ? "iops" : "bw",
                 ss.slope ? " slope" : " mean dev", ss.criterion, ss.pct ? "%" : "");
}

void write_job(Out out, const RunResult& run, const JobSummary& j) {
  // fio: "err=28 (file:io_u.c:1876, func=io_u error, error=No space left on device): pid=..".
  const std::string why = j.error && !j.error_message.empty() ? " (" + j.error_message + ")" : "";
  fmt::format_to(out, "{}: (groupid={}, jobs={}): err={:2}{}: pid={}: {}\n", printable(j.name), j.group_id, j.members, j.error,
                 printable(why), j.pid, printable(run.time));
  if (!j.description.empty()) fmt::format_to(out, "  Description  : [{}]\n", printable(j.description));
  if (j.unified_rw_reporting != kUnifiedMixed)
    for (int d = 0; d < kDirs; ++d) write_dir(out, kDirNames[d], j.dirs[d], j, d == 1);
  if (j.unified_rw_reporting != kUnifiedNone) write_dir(out, "mixed", j.mixed, j, false);
  static const char* const lat_labels[] = {"2", "4", "10", "20", "50", "100", "250", "500", "750", "1000"};
  static const char* const ms_labels[] = {"2", "4", "10", "20", "50", "100", "250", "500", "750", "1000", "2000", ">=2000"};
  const LatBuckets& b = j.lat_buckets;
  write_buckets(out, "nsec", b.ns, lat_labels);
  write_buckets(out, "usec", b.us, lat_labels);
  write_buckets(out, "msec", b.ms, ms_labels);
  fmt::format_to(out, "  cpu          : usr={:.2f}%, sys={:.2f}%, ctx={}, majf={}, minf={}\n", j.usr_cpu, j.sys_cpu,
                 j.ctx, j.majf, j.minf);
  static const char* const level_labels[] = {"1", "2", "4", "8", "16", "32", ">=64"};
  static const char* const submit_labels[] = {"0", "4", "8", "16", "32", "64", ">=64"};
  write_depths(out, "  IO depths    ", j.depth_level, level_labels);
  write_depths(out, "     submit    ", j.depth_submit, submit_labels);
  write_depths(out, "     complete  ", j.depth_complete, submit_labels);
  fmt::format_to(out, "     issued rwts: total={},{},{},0 short={},{},{},0 dropped={},{},{},0\n", j.dirs[0].total_ios,
                 j.dirs[1].total_ios, j.dirs[2].total_ios, j.dirs[0].short_ios, j.dirs[1].short_ios,
                 j.dirs[2].short_ios, j.dirs[0].drop_ios, j.dirs[1].drop_ios, j.dirs[2].drop_ios);
  if (j.continue_on_error)
    fmt::format_to(out, "     errors    : total={}, first_error={}/<{}>\n", j.total_err, j.first_error, std::strerror(j.first_error));
  fmt::format_to(out, "     latency   : target={}, window={}, percentile={:.2f}%, depth={}\n", j.latency_target_ns,
                 j.latency_window_us, j.latency_percentile, j.latency_depth);
  if (j.steadystate) write_steadystate(out, *j.steadystate);
}

void write_group(Out out, const GroupSummary& group) {
  static const char* const labels[] = {"   READ", "  WRITE", "   TRIM", "  MIXED"};
  const int unified = group.unified_rw_reporting;
  fmt::format_to(out, "\nRun status group {} (all jobs):\n", group.id);
  for (int d = 0; d <= kDirs; ++d) {
    if ((d < kDirs && unified == kUnifiedMixed) || (d == kDirs && unified == kUnifiedNone)) continue;
    const GroupDir& g = d < kDirs ? group.dirs[d] : group.mixed;
    if (!g.any) continue;
    const auto b2 = [](uint64_t v) { return format_fio_number(static_cast<double>(v), 4, 1024, "B"); };
    const auto b10 = [](uint64_t v) { return format_fio_number(static_cast<double>(v), 4, 1000, "B"); };
    fmt::format_to(out, "{}: bw={}/s ({}/s), {}/s-{}/s ({}/s-{}/s), io={} ({}), run={}-{}msec\n", labels[d],
                   b2(g.agg_bw), b10(g.agg_bw), b2(g.min_bw), b2(g.max_bw), b10(g.min_bw), b10(g.max_bw),
                   b2(g.io_bytes), b10(g.io_bytes), g.min_run, g.max_run);
  }
}

}  // namespace

std::string format_fio_number(double value, int maxlen, int base, const char* unit) {
  static const char* const p2[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  static const char* const p10[] = {"", "k", "M", "G", "T", "P", "E"};
  const char* const* prefixes = base == 1024 ? p2 : p10;
  if (!std::isfinite(value) || value < 0) value = 0;
  const double limit = std::pow(10.0, maxlen);
  size_t idx = 0;
  while (idx < 6 && std::round(value) >= limit) value /= base, ++idx;
  if (idx == 0) return fmt::format("{}{}{}", std::llround(value), prefixes[0], unit);
  for (;;) {
    const int digits = value < 1 ? 1 : static_cast<int>(std::floor(std::log10(value))) + 1;
    const int decimals = std::max(0, maxlen - digits - 1);
    std::string s = fmt::format("{:.{}f}", value, decimals);
    // Rounding can add a digit (9999.7 -> "10000"): go one unit up then.
    const size_t int_len = s.find('.') == std::string::npos ? s.size() : s.find('.');
    if (static_cast<int>(int_len) > maxlen && idx < 6) {
      value /= base, ++idx;
      continue;
    }
    return s + prefixes[idx] + unit;
  }
}

std::string format_job_header(const JobResult& j) {
  return fmt::format("{}: (g={}): rw={}, bs=(R) {}B-{}B, (W) {}B-{}B, (T) {}B-{}B, ioengine={}, iodepth={}", printable(j.name),
                     j.group_id, printable(j.rw), j.bs[0], j.bs[0], j.bs[1], j.bs[1], j.bs[2], j.bs[2], printable(j.ioengine), j.iodepth);
}

std::string format_job_header(const JobHeader& j) {
  // fio prints each range with its 4-significant-character number format
  // ("4096B", "64.0KiB", "1024KiB"), always base 1024 (kb_base does not apply).
  const auto b = [](uint64_t v) { return format_fio_number(static_cast<double>(v), 4, 1024, "B"); };
  return fmt::format("{}: (g={}): rw={}, bs=(R) {}-{}, (W) {}-{}, (T) {}-{}, ioengine={}, iodepth={}", printable(j.name), j.group_id,
                     printable(j.rw), b(j.bs_min[0]), b(j.bs_max[0]), b(j.bs_min[1]), b(j.bs_max[1]), b(j.bs_min[2]),
                     b(j.bs_max[2]), printable(j.ioengine), j.iodepth);
}

std::string format_run_start(const std::vector<JobHeader>& jobs, const std::string& version_line) {
  std::string text;
  Out out(text);
  size_t threads = 0, processes = 0;
  for (size_t i = 0; i < jobs.size(); ++i) {
    const JobHeader& j = jobs[i];
    (j.thread ? threads : processes) += 1;
    if (j.clone_index == 0) fmt::format_to(out, "{}\n", format_job_header(j));
    else if (jobs[i - 1].clone_index == 0) fmt::format_to(out, "...\n");
  }
  fmt::format_to(out, "{}\n", printable(version_line));
  const auto plural = [](size_t n, const char* what) { return fmt::format("{} {}{}", n, what, n == 1 ? "" : "es"); };
  const std::string t = fmt::format("{} thread{}", threads, threads == 1 ? "" : "s");
  if (threads && processes) fmt::format_to(out, "Starting {} and {}\n", t, plural(processes, "process"));
  else if (threads) fmt::format_to(out, "Starting {}\n", t);
  else fmt::format_to(out, "Starting {}\n", plural(processes, "process"));
  return text;
}

namespace {
// fiokit's addition after fio's blocks: what each volume under test was
// (recorded as volume.N.* extras), so a pasted report says what it measured.
// Runs read from fio's own JSON have none, and print exactly as fio.
void write_volumes(Out& out, const RunResult& run) {
  bool header = false;
  for (int n = 0;; ++n) {
    const std::string p = "volume." + std::to_string(n) + ".";
    auto get = [&](const char* k) {
      auto it = run.extras.find(p + k);
      return it == run.extras.end() ? std::string() : it->second;
    };
    if (get("fstype").empty() && get("path").empty()) break;
    if (!header) fmt::format_to(out, "\nVolumes (fiokit):\n");
    header = true;
    std::string line = fmt::format("  {}: {}", get("mount_point").empty() ? get("path") : get("mount_point"), get("fstype"));
    const std::string dev = get("disk").empty() ? get("device") : get("disk");
    if (!dev.empty()) line += " on " + dev;
    if (!get("model").empty()) line += " (" + get("model") + ")";
    if (!get("rotational").empty()) line += get("rotational") == "1" ? ", rotational" : ", non-rotational";
    if (!get("logical_block_size").empty()) line += ", logical block " + get("logical_block_size");
    // The sizes come from results.json extras, which anyone may have edited:
    // one that is not a number is left out instead of std::stod throwing
    // invalid_argument out of a writer (found by fuzz/json_fuzzer).
    const auto number = [&](const char* k) -> std::optional<double> {
      const std::string v = get(k);
      char* end = nullptr;
      const double d = std::strtod(v.c_str(), &end);
      if (v.empty() || end != v.c_str() + v.size()) return std::nullopt;
      return d;
    };
    if (const auto cap = number("capacity"), free = number("free"); cap && free)
      line += fmt::format(", {:.1f} GiB free of {:.1f} GiB", *free / 1073741824.0, *cap / 1073741824.0);
    if (!get("jobs").empty()) line += ", jobs: " + get("jobs");
    fmt::format_to(out, "{}\n", printable(line));
  }
}
}  // namespace

std::string printable(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  const auto hex = [&out](bool u, unsigned v) { out += u ? fmt::format("\\u{:04x}", v) : fmt::format("\\x{:02x}", v); };
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) {
      hex(false, c), ++i;
      continue;
    }
    if (c < 0x80) {
      out += s[i++];
      continue;
    }
    // A UTF-8 sequence: its length from the lead byte, then continuation
    // bytes, no overlong forms, no surrogates, nothing past U+10FFFF.
    const size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    bool ok = len && i + len <= s.size();
    uint32_t cp = len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
    for (size_t k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      ok = (cc & 0xc0) == 0x80;
      cp = cp << 6 | (cc & 0x3f);
    }
    ok = ok && !(len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) && !(len == 4 && (cp < 0x10000 || cp > 0x10ffff));
    if (!ok) {
      hex(false, c), ++i;
    } else if (cp <= 0x9f) {
      hex(true, cp), i += len;  // C1 control
    } else {
      out.append(s, i, len), i += len;
    }
  }
  return out;
}

std::string write_normal(const RunResult& run) {
  const RunSummary summary = summarize_run(run);
  std::string text;
  Out out(text);
  for (const JobSummary& j : summary.jobs) write_job(out, run, j);
  for (const GroupSummary& g : summary.groups) write_group(out, g);
  if (!run.disk_util.empty()) {
    fmt::format_to(out, "\nDisk stats (read/write):\n");
    for (const DiskUtil& d : run.disk_util)
      fmt::format_to(out, "  {}: ios={}/{}, merge={}/{}, ticks={}/{}, in_queue={}, util={:.2f}%\n", printable(d.name), d.read_ios,
                     d.write_ios, d.read_merges, d.write_merges, d.read_ticks, d.write_ticks, d.in_queue, d.util);
  }
  write_volumes(out, run);
  return text;
}

}  // namespace fiokit::results
