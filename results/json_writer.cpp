// fio-schema JSON writer. fio prints its JSON with its own printer ("key" : value,
// two-space indent, doubles as %f), and scripts diff or grep that text, so this
// file emits text directly instead of going through nlohmann::json (which would
// reorder nothing but print doubles in shortest form and indent differently).
// Structure, observed from fio 3.33 --output-format=json/json+:
//   top: "fio version", "timestamp", "timestamp_ms", "time", ["global options"],
//        "jobs", ["disk_util"]  (optional objects are left out when empty)
//   per direction: io_bytes .. drop_ios, slat_ns/clat_ns/lat_ns {min,max,mean,
//        stddev,N[,percentile][,bins]}, bw_min .. iops_samples
// "percentile" appears when that latency has samples and its *_percentiles
// option is on; json+ adds "bins" (bin midpoint in ns -> count, non-zero only)
// next to each "percentile". Every number comes from summarize_run
// (summary.hpp): this file only lays the values out.
#include "results/json_writer.hpp"

#include <cmath>
#include <ctime>
#include <vector>

#include <fmt/format.h>

#include "results/summary.hpp"

namespace fiokit::results {
namespace {

class Emitter {
 public:
  std::string out;

  void open_object(const char* key = nullptr) { open(key, '{'); }
  void open_array(const char* key) { open(key, '['); }
  void close_object() { close('}'); }
  void close_array() { close(']'); }

  void kv(std::string_view key, std::string_view v) { item(key), quote(v); }
  void kv(std::string_view key, const char* v) { kv(key, std::string_view(v)); }
  void kv(std::string_view key, const std::string& v) { kv(key, std::string_view(v)); }
  void kv(std::string_view key, uint64_t v) { item(key), fmt::format_to(std::back_inserter(out), "{}", v); }
  void kv(std::string_view key, int64_t v) { item(key), fmt::format_to(std::back_inserter(out), "{}", v); }
  void kv(std::string_view key, int v) { kv(key, static_cast<int64_t>(v)); }
  void kv(std::string_view key, bool v) { item(key), out += v ? "true" : "false"; }
  // `json` is a whole JSON value (RunResult::extras_json), written as it is.
  void kv_raw(std::string_view key, std::string_view json) { item(key), out += json; }
  void value(uint64_t v) { item({}), fmt::format_to(std::back_inserter(out), "{}", v); }  // an array element
  void kvf(std::string_view key, double v) {
    item(key);
    if (!std::isfinite(v)) v = 0;
    fmt::format_to(std::back_inserter(out), "{:.6f}", v);
  }

 private:
  std::vector<bool> first_{};

  void indent() { out.append(2 * first_.size(), ' '); }
  void item(std::string_view key) {
    if (!first_.empty()) {
      out += first_.back() ? "\n" : ",\n";
      first_.back() = false;
    }
    indent();
    if (!key.empty()) {
      quote(key);
      out += " : ";
    }
  }
  void open(const char* key, char c) {
    item(key ? std::string_view(key) : std::string_view());
    out += c;
    first_.push_back(true);
  }
  void close(char c) {
    first_.pop_back();
    out += '\n';
    indent();
    out += c;
  }
  // fio 3.33 escapes only '"' and '\\', so a job name with a control
  // character or bytes that are not UTF-8 makes its JSON unreadable. fiokit
  // always writes valid JSON: control characters as \\u00XX, and each byte
  // that does not start a well-formed UTF-8 sequence as U+FFFD, the
  // replacement character (as Python's errors="replace" does).
  void quote(std::string_view s) {
    out += '"';
    for (size_t i = 0; i < s.size();) {
      const char ch = s[i];
      const auto u = static_cast<unsigned char>(ch);
      if (ch == '"' || ch == '\\') {
        out += '\\';
        out += ch;
        ++i;
      } else if (u < 0x20 || u == 0x7f) {
        fmt::format_to(std::back_inserter(out), "\\u{:04x}", u);
        ++i;
      } else if (u < 0x80) {
        out += ch;
        ++i;
      } else if (const size_t n = utf8_length(s.substr(i)); n) {
        out.append(s.substr(i, n));
        i += n;
      } else {
        out += "\\ufffd";
        ++i;
      }
    }
    out += '"';
  }

  // Length of the well-formed UTF-8 sequence at the start of s (RFC 3629:
  // no overlong forms, no surrogates, nothing above U+10FFFF), or 0.
  static size_t utf8_length(std::string_view s) {
    const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = b(0);
    size_t n = 0;
    unsigned char lo = 0x80, hi = 0xbf;  // allowed range of the second byte
    if (c >= 0xc2 && c <= 0xdf) n = 2;
    else if (c >= 0xe0 && c <= 0xef) n = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
    else if (c >= 0xf0 && c <= 0xf4) n = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
    if (n == 0 || s.size() < n) return 0;
    if (b(1) < lo || b(1) > hi) return 0;
    for (size_t k = 2; k < n; ++k)
      if (b(k) < 0x80 || b(k) > 0xbf) return 0;
    return n;
  }
};

void write_options(Emitter& e, const char* key, const std::vector<std::pair<std::string, std::string>>& opts,
                   bool shown_empty = false) {
  if (opts.empty() && !shown_empty) return;
  e.open_object(key);
  for (const auto& [k, v] : opts) e.kv(k, v);
  e.close_object();
}

void write_lat(Emitter& e, const char* key, const LatSummary& l, const std::vector<double>& plist, bool pct, bool plus) {
  e.open_object(key);
  e.kv("min", l.min);
  e.kv("max", l.max);
  e.kvf("mean", l.mean);
  e.kvf("stddev", l.stddev);
  e.kv("N", l.count);
  if (pct && l.count > 0) {
    e.open_object("percentile");
    for (size_t i = 0; i < plist.size(); ++i) e.kv(fmt::format("{:.6f}", plist[i]), l.percentiles[i]);
    e.close_object();
    if (plus) {
      e.open_object("bins");
      for (const auto& [value, n] : l.bins) e.kv(fmt::format("{}", value), n);
      e.close_object();
    }
  }
  e.close_object();
}

void write_dir(Emitter& e, const char* key, const JobSummary& j, const DirSummary& d, bool plus) {
  e.open_object(key);
  e.kv("io_bytes", d.io_bytes);
  e.kv("io_kbytes", d.io_bytes / 1024);
  e.kv("bw_bytes", d.bw_bytes);
  e.kv("bw", d.bw_kib);
  e.kvf("iops", d.iops);
  e.kv("runtime", d.runtime_ms);
  e.kv("total_ios", d.total_ios);
  e.kv("short_ios", d.short_ios);
  e.kv("drop_ios", d.drop_ios);
  write_lat(e, "slat_ns", d.slat, j.percentile_list, j.slat_percentiles, plus);
  write_lat(e, "clat_ns", d.clat, j.percentile_list, j.clat_percentiles, plus);
  write_lat(e, "lat_ns", d.lat, j.percentile_list, j.lat_percentiles, plus);
  // fio 3.33: "prios" for read, write and mixed (never trim) when two or more
  // priorities have samples; each holds clat, or lat with lat_percentiles.
  if (!d.prios.empty() && std::string_view(key) != "trim") {
    e.open_array("prios");
    for (const PrioSummary& p : d.prios) {
      e.open_object();
      e.kv("prioclass", static_cast<uint64_t>(p.prioclass));
      e.kv("prio", static_cast<uint64_t>(p.prio));
      write_lat(e, j.lat_percentiles ? "lat_ns" : "clat_ns", p.lat, j.percentile_list,
                j.clat_percentiles || j.lat_percentiles, plus);
      e.close_object();
    }
    e.close_array();
  }
  e.kv("bw_min", static_cast<uint64_t>(std::llround(d.bw.min)));
  e.kv("bw_max", static_cast<uint64_t>(std::llround(d.bw.max)));
  e.kvf("bw_agg", d.bw_agg_pct);
  e.kvf("bw_mean", d.bw.mean);
  e.kvf("bw_dev", d.bw.stddev);
  e.kv("bw_samples", d.bw.samples);
  e.kv("iops_min", static_cast<uint64_t>(std::llround(d.iops_stat.min)));
  e.kv("iops_max", static_cast<uint64_t>(std::llround(d.iops_stat.max)));
  e.kvf("iops_mean", d.iops_stat.mean);
  e.kvf("iops_stddev", d.iops_stat.stddev);
  e.kv("iops_samples", d.iops_stat.samples);
  e.close_object();
}

template <size_t N>
void write_pct_map(Emitter& e, const char* key, const std::array<double, N>& v, const char* const* labels) {
  e.open_object(key);
  for (size_t i = 0; i < N; ++i) e.kvf(labels[i], v[i]);
  e.close_object();
}

// fio 3.33's "steadystate" block (stat.c, json output), keys in its order:
// "ss" and "criterion" are strings of the float-rounded values with six
// decimals and a '%' for percent limits; the data arrays are oldest first.
void write_steadystate(Emitter& e, const SteadyStateResult& ss) {
  const char* pct = ss.pct ? "%" : "";
  e.open_object("steadystate");
  e.kv("ss", fmt::format("{}{}:{:.6f}{}", ss.iops ? "iops" : "bw", ss.slope ? "_slope" : "", static_cast<float>(ss.limit), pct));
  e.kv("duration", ss.dur_s);
  e.kv("attained", static_cast<int>(ss.attained));
  e.kv("criterion", fmt::format("{:.6f}{}", static_cast<float>(ss.criterion), pct));
  e.kvf("max_deviation", ss.deviation);
  e.kvf("slope", ss.slope_value);
  e.open_object("data");
  e.kv("bw_mean", ss.bw_mean());
  e.kv("iops_mean", ss.iops_mean());
  e.open_array("iops");
  for (uint64_t v : ss.iops_data) e.value(v);
  e.close_array();
  e.open_array("bw");
  for (uint64_t v : ss.bw) e.value(v);
  e.close_array();
  e.close_object();
  e.close_object();
}

// unified_rw_reporting (see unified_rw.hpp): fio 3.33 writes the sum as
// "mixed" in place of read/write/trim (mixed) or after "sync" (both).
void write_job(Emitter& e, const JobSummary& j, bool plus) {
  e.open_object();
  e.kv("jobname", j.name);
  e.kv("groupid", j.group_id);
  e.kv("error", j.error);
  // fio prints 0 for jobs that ran to completion; it has no better estimate.
  e.kv("eta", 0);
  e.kv("elapsed", j.elapsed_s);
  write_options(e, "job options", j.options, j.options_shown);
  if (j.unified_rw_reporting == kUnifiedMixed) {
    write_dir(e, "mixed", j, j.mixed, plus);
  } else {
    for (int d = 0; d < kDirs; ++d) write_dir(e, kDirNames[d], j, j.dirs[d], plus);
  }
  if (j.unified_rw_reporting != kUnifiedMixed) {  // fio 3.33 has no "sync" in mixed mode
    e.open_object("sync");
    e.kv("total_ios", j.sync_total_ios);
    // fio 3.33: percentiles (and json+ bins) when clat or lat percentiles are on.
    write_lat(e, "lat_ns", j.sync_lat, j.percentile_list, j.clat_percentiles || j.lat_percentiles, plus);
    e.close_object();
  }
  if (j.unified_rw_reporting == kUnifiedBoth) write_dir(e, "mixed", j, j.mixed, plus);
  e.kv("job_runtime", j.job_runtime_ms);
  e.kvf("usr_cpu", j.usr_cpu);
  e.kvf("sys_cpu", j.sys_cpu);
  e.kv("ctx", j.ctx);
  e.kv("majf", j.majf);
  e.kv("minf", j.minf);
  static const char* const level_labels[] = {"1", "2", "4", "8", "16", "32", ">=64"};
  static const char* const submit_labels[] = {"0", "4", "8", "16", "32", "64", ">=64"};
  write_pct_map(e, "iodepth_level", j.depth_level, level_labels);
  write_pct_map(e, "iodepth_submit", j.depth_submit, submit_labels);
  write_pct_map(e, "iodepth_complete", j.depth_complete, submit_labels);
  const LatBuckets& b = j.lat_buckets;
  static const char* const lat_labels[] = {"2", "4", "10", "20", "50", "100", "250", "500", "750", "1000"};
  static const char* const ms_labels[] = {"2", "4", "10", "20", "50", "100", "250", "500", "750", "1000", "2000", ">=2000"};
  write_pct_map(e, "latency_ns", b.ns, lat_labels);
  write_pct_map(e, "latency_us", b.us, lat_labels);
  write_pct_map(e, "latency_ms", b.ms, ms_labels);
  if (j.continue_on_error) {  // fio writes these only with continue_on_error set
    e.kv("total_err", j.total_err);
    e.kv("first_error", j.first_error);
  }
  e.kv("latency_depth", static_cast<uint64_t>(j.latency_depth));
  e.kv("latency_target", j.latency_target_ns);
  e.kvf("latency_percentile", j.latency_percentile);
  e.kv("latency_window", j.latency_window_us);
  if (!j.description.empty()) e.kv("desc", j.description);  // fio: after the latency keys, only when set
  if (j.steadystate) write_steadystate(e, *j.steadystate);
  e.close_object();
}

// "2026-11-26T09:10:02.250Z": when a checkpoint's snapshot was taken.
std::string iso_utc_ms(int64_t unix_ms) {
  const time_t t = static_cast<time_t>(unix_ms / 1000);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03d}Z", buf, static_cast<int>(unix_ms % 1000));
}

void write_extras(Emitter& e, const std::map<std::string, std::string>& extras) {
  for (const auto& [k, v] : extras) e.kv(k, v);
}

void write_fiokit(Emitter& e, const RunResult& run) {
  e.open_object("fiokit");
  e.kv("version", run.tool == "fiokit" ? run.version : std::string());
  e.kv("interrupted", run.interrupted);
  e.kv("signal", run.signal);
  if (run.incomplete) {
    e.kv("incomplete", true);
    e.kv("snapshot_time", iso_utc_ms(run.snapshot_ms));
    e.kv("snapshot_timestamp_ms", run.snapshot_ms);
  }
  write_extras(e, run.extras);
  for (const auto& [k, v] : run.extras_json) e.kv_raw(k, v);
  e.open_array("jobs");
  for (const JobResult& j : run.jobs) {
    e.open_object();
    e.kv("jobname", j.name);
    e.kv("groupid", j.group_id);
    e.kv("interrupted", j.interrupted);
    e.kv("error_message", j.error_message);
    write_extras(e, j.extras);
    e.close_object();
  }
  e.close_array();
  e.close_object();
}

}  // namespace

std::string write_json(const RunResult& run, bool plus) {
  const RunSummary summary = summarize_run(run);
  Emitter e;
  e.open_object();
  e.kv("fio version", version_string(run));
  e.kv("timestamp", run.timestamp);
  e.kv("timestamp_ms", run.timestamp_ms);
  e.kv("time", run.time);
  write_options(e, "global options", run.global_options);
  e.open_array("jobs");
  for (const JobSummary& j : summary.jobs) write_job(e, j, plus);
  e.close_array();
  if (!run.disk_util.empty()) {
    e.open_array("disk_util");
    for (const DiskUtil& d : run.disk_util) {
      e.open_object();
      e.kv("name", d.name);
      e.kv("read_ios", d.read_ios);
      e.kv("write_ios", d.write_ios);
      e.kv("read_merges", d.read_merges);
      e.kv("write_merges", d.write_merges);
      e.kv("read_ticks", d.read_ticks);
      e.kv("write_ticks", d.write_ticks);
      e.kv("in_queue", d.in_queue);
      e.kvf("util", d.util);
      e.close_object();
    }
    e.close_array();
  }
  write_fiokit(e, run);
  e.close_object();
  e.out += '\n';
  return e.out;
}

}  // namespace fiokit::results
