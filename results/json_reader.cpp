// fio JSON reader; see json_reader.hpp for what is kept and how histograms are
// rebuilt. Missing optional keys read as zero (older fio versions lack some);
// a missing "jobs" array or a value of the wrong type is an error.
#include "results/json_reader.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <nlohmann/json.hpp>

namespace fiokit::results {
namespace {

using ojson = nlohmann::ordered_json;

// A value as T, or JsonReadError naming the key. nlohmann's get<T>() throws
// its own type_error for a string where a number belongs, and converts a
// number outside T's range with a plain cast (undefined behaviour for a
// double such as 1e300; both found by fuzz/json_fuzzer), so every value the
// reader keeps goes through here. A double is truncated toward zero, as the
// cast did; a negative count is out of range, not a huge one.
template <class T>
T value_as(const ojson& v, std::string_view key) {
  const auto fail = [&](const char* why) -> T {
    throw JsonReadError("fio JSON: key \"" + std::string(key) + "\" " + why);
  };
  if constexpr (std::is_floating_point_v<T>) {
    if (!v.is_number()) return fail("is not a number");
    return static_cast<T>(v.get<double>());
  } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    if (v.is_number_unsigned()) {
      if (const auto x = v.get<uint64_t>(); std::in_range<T>(x)) return static_cast<T>(x);
    } else if (v.is_number_integer()) {
      if (const auto x = v.get<int64_t>(); std::in_range<T>(x)) return static_cast<T>(x);
    } else if (v.is_number_float()) {
      // T's range as doubles: [-2^digits, 2^digits) signed, (-1, 2^digits) unsigned.
      const double x = v.get<double>();
      const double top = std::ldexp(1.0, std::numeric_limits<T>::digits);
      const bool above_bottom = std::is_signed_v<T> ? x >= -top : x > -1.0;
      if (above_bottom && x < top) return static_cast<T>(x);
    } else {
      return fail("is not a number");
    }
    return fail("is out of range");
  } else {
    try {
      return v.get<T>();
    } catch (const nlohmann::json::exception&) {
      return fail("has an unexpected type");
    }
  }
}

template <class T>
T get_or(const ojson& obj, const char* key, T def) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return def;
  return value_as<T>(*it, key);
}

std::string as_string(const ojson& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::vector<std::pair<std::string, std::string>> read_options(const ojson& obj, const char* key) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto it = obj.find(key);
  if (it == obj.end() || !it->is_object()) return out;
  for (auto o = it->begin(); o != it->end(); ++o) out.emplace_back(o.key(), as_string(o.value()));
  return out;
}

// Rebuilds a histogram: bins when json+ has them, else counts at percentiles.
// Returns the percentile list found ("" if none).
std::vector<double> read_lat(const ojson& obj, LatencyHistogram& h) {
  std::vector<double> plist;
  if (!obj.is_object()) return plist;
  const uint64_t n = get_or<uint64_t>(obj, "N", 0);
  const uint64_t mn = get_or<uint64_t>(obj, "min", 0), mx = get_or<uint64_t>(obj, "max", 0);
  std::vector<std::pair<double, uint64_t>> pct;
  if (const auto it = obj.find("percentile"); it != obj.end() && it->is_object()) {
    for (auto p = it->begin(); p != it->end(); ++p) {
      const double key = std::strtod(p.key().c_str(), nullptr);
      // Placing counts at p% of N needs p in [0, 100] (a key such as "1e300"
      // made the count cast undefined).
      if (!(key >= 0 && key <= 100))
        throw JsonReadError("fio JSON: percentile \"" + p.key() + "\" is not within 0..100");
      pct.emplace_back(key, value_as<uint64_t>(p.value(), "percentile"));
      plist.push_back(key);
    }
    std::sort(pct.begin(), pct.end());
  }
  if (const auto it = obj.find("bins"); it != obj.end() && it->is_object()) {
    for (auto b = it->begin(); b != it->end(); ++b)
      h.add_to_bin(LatencyHistogram::index_of(std::strtoull(b.key().c_str(), nullptr, 10)), value_as<uint64_t>(b.value(), "bins"));
  } else if (n > 0) {
    uint64_t placed = 0;
    for (const auto& [p, v] : pct) {
      // N near 2^64 rounds up to 2^64 as a double: cap before the cast.
      const double w = std::ceil(p / 100.0 * static_cast<double>(n) - 1e-9);
      const uint64_t want = w >= static_cast<double>(n) ? n : static_cast<uint64_t>(std::max(w, 0.0));
      const uint64_t cum = std::min(n, std::max(placed, want));
      h.add_to_bin(LatencyHistogram::index_of(v), cum - placed);
      placed = cum;
    }
    if (placed < n) h.add_to_bin(LatencyHistogram::index_of(mx), n - placed);
  }
  h.restore_summary(n, mn, mx, get_or<double>(obj, "mean", 0), get_or<double>(obj, "stddev", 0));
  return plist;
}

std::optional<RateStat> read_rate(const ojson& d, const char* prefix, const char* dev_key) {
  const std::string p(prefix);
  if (!d.contains(p + "_samples")) return std::nullopt;
  RateStat r;
  r.min = get_or<double>(d, (p + "_min").c_str(), 0);
  r.max = get_or<double>(d, (p + "_max").c_str(), 0);
  r.mean = get_or<double>(d, (p + "_mean").c_str(), 0);
  r.stddev = get_or<double>(d, dev_key, 0);
  r.samples = get_or<uint64_t>(d, (p + "_samples").c_str(), 0);
  return r;
}

// fio's "steadystate" block: "ss" is "iops_slope:0.100000%" (criterion, limit,
// '%' for percent), "criterion" the float with a '%' when in percent.
SteadyStateResult read_steadystate(const ojson& o) {
  SteadyStateResult ss;
  const std::string spec = get_or<std::string>(o, "ss", "");
  const size_t colon = spec.find(':');
  const std::string head = spec.substr(0, colon);
  ss.iops = head.rfind("iops", 0) == 0;
  ss.slope = head.find("_slope") != std::string::npos;
  ss.pct = !spec.empty() && spec.back() == '%';
  if (colon != std::string::npos) ss.limit = std::strtod(spec.c_str() + colon + 1, nullptr);
  ss.dur_s = get_or<uint64_t>(o, "duration", 0);
  ss.attained = get_or<int64_t>(o, "attained", 0) != 0;
  ss.criterion = std::strtod(get_or<std::string>(o, "criterion", "0").c_str(), nullptr);
  ss.deviation = get_or<double>(o, "max_deviation", 0);
  ss.slope_value = get_or<double>(o, "slope", 0);
  if (o.contains("data") && o.at("data").is_object()) {
    const ojson& d = o.at("data");
    auto read_list = [&](const char* key, std::vector<uint64_t>& out) {
      if (!d.contains(key) || !d.at(key).is_array()) return;
      for (const auto& v : d.at(key))
        if (v.is_number_unsigned()) out.push_back(v.get<uint64_t>());
    };
    read_list("iops", ss.iops_data);
    read_list("bw", ss.bw);
  }
  return ss;
}

template <size_t N>
void read_depth(const ojson& j, const char* key, const char* const* labels, std::array<uint64_t, N>& out) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_object()) return;
  // Shares are kept as counts of 1e-9 percent so writers print them back.
  for (size_t i = 0; i < N; ++i)
    out[i] = static_cast<uint64_t>(std::llround(get_or<double>(*it, labels[i], 0) * 1e9));
}

JobResult read_job(const ojson& j, const RunResult& run, size_t index) {
  JobResult r;
  r.name = get_or<std::string>(j, "jobname", "");
  r.job_index = static_cast<int>(index);
  r.group_id = get_or<int>(j, "groupid", 0);
  r.error = get_or<int>(j, "error", 0);
  if (j.contains("total_err")) {
    r.continue_on_error = true;
    r.total_err = get_or<uint64_t>(j, "total_err", 0);
    r.first_error = get_or<int>(j, "first_error", 0);
  }
  r.elapsed_s = get_or<uint64_t>(j, "elapsed", 0);
  r.options = read_options(j, "job options");
  r.options_shown = j.contains("job options");
  r.description = get_or<std::string>(j, "desc", std::string());
  const auto option = [&](const std::string& key) -> std::string {
    for (const auto& [k, v] : r.options)
      if (k == key) return v;
    for (const auto& [k, v] : run.global_options)
      if (k == key) return v;
    return {};
  };
  r.rw = option("rw");
  r.ioengine = option("ioengine");
  r.group_reporting = false;  // already merged by whoever wrote the file
  bool clat_pct = false;
  // unified_rw_reporting: "mixed" alone (mode mixed) is read as the one
  // direction and written back as "mixed"; beside read/write (mode both) it is
  // recomputed from them by the writers.
  const bool has_mixed = j.contains("mixed") && j.at("mixed").is_object();
  if (has_mixed) r.unified_rw_reporting = j.contains("read") ? 2 : 1;
  for (int d = 0; d < kDirs; ++d) {
    const auto it = j.find(d == 0 && r.unified_rw_reporting == 1 ? "mixed" : kDirNames[d]);
    if (it == j.end() || !it->is_object()) continue;
    const ojson& o = *it;
    DirStats& s = r.dirs[d];
    s.io_bytes = get_or<uint64_t>(o, "io_bytes", 0);
    s.total_ios = get_or<uint64_t>(o, "total_ios", 0);
    s.short_ios = get_or<uint64_t>(o, "short_ios", 0);
    s.drop_ios = get_or<uint64_t>(o, "drop_ios", 0);
    s.runtime_ms = get_or<uint64_t>(o, "runtime", 0);
    const auto lat_of = [&](const char* key) { return o.contains(key) ? o.at(key) : ojson::object(); };
    auto pl = read_lat(lat_of("slat_ns"), s.slat);
    if (!pl.empty()) r.slat_percentiles = true, r.percentile_list = pl;
    pl = read_lat(lat_of("clat_ns"), s.clat);
    if (!pl.empty()) clat_pct = true, r.percentile_list = pl;
    pl = read_lat(lat_of("lat_ns"), s.lat);
    if (!pl.empty()) r.lat_percentiles = true, r.percentile_list = pl;
    s.bw_stat = read_rate(o, "bw", "bw_dev");
    s.iops_stat = read_rate(o, "iops", "iops_stddev");
  }
  // Percentiles absent only because nothing was measured say nothing about the option.
  if (clat_pct) r.clat_percentiles = true;
  if (const auto it = j.find("sync"); it != j.end() && it->is_object()) {
    r.sync_total_ios = get_or<uint64_t>(*it, "total_ios", 0);
    if (it->contains("lat_ns")) read_lat(it->at("lat_ns"), r.sync_lat);
  }
  r.job_runtime_ms = get_or<uint64_t>(j, "job_runtime", 0);
  r.usr_cpu = get_or<double>(j, "usr_cpu", 0);
  r.sys_cpu = get_or<double>(j, "sys_cpu", 0);
  r.ctx = get_or<uint64_t>(j, "ctx", 0);
  r.majf = get_or<uint64_t>(j, "majf", 0);
  r.minf = get_or<uint64_t>(j, "minf", 0);
  static const char* const level_labels[] = {"1", "2", "4", "8", "16", "32", ">=64"};
  static const char* const submit_labels[] = {"0", "4", "8", "16", "32", "64", ">=64"};
  read_depth(j, "iodepth_level", level_labels, r.depth.level);
  read_depth(j, "iodepth_submit", submit_labels, r.depth.submit);
  read_depth(j, "iodepth_complete", submit_labels, r.depth.complete);
  r.iodepth = get_or<uint32_t>(j, "latency_depth", 1);
  r.latency_target_ns = get_or<uint64_t>(j, "latency_target", 0);
  r.latency_window_us = get_or<uint64_t>(j, "latency_window", 0);
  r.latency_percentile = get_or<double>(j, "latency_percentile", 100.0);
  if (r.latency_target_ns) r.latency_depth = r.iodepth;
  if (j.contains("latency_ns") && j.contains("latency_us") && j.contains("latency_ms")) {
    static const char* const lat_labels[] = {"2", "4", "10", "20", "50", "100", "250", "500", "750", "1000"};
    static const char* const ms_labels[] = {"2", "4", "10", "20", "50", "100", "250", "500", "750", "1000", "2000", ">=2000"};
    std::array<double, 32> p{};
    for (size_t i = 0; i < 10; ++i) {
      p[i] = get_or<double>(j.at("latency_ns"), lat_labels[i], 0);
      p[10 + i] = get_or<double>(j.at("latency_us"), lat_labels[i], 0);
    }
    for (size_t i = 0; i < 12; ++i) p[20 + i] = get_or<double>(j.at("latency_ms"), ms_labels[i], 0);
    r.lat_buckets_pct = p;
  }
  if (j.contains("steadystate") && j.at("steadystate").is_object()) r.steadystate = read_steadystate(j.at("steadystate"));
  return r;
}

void read_fiokit(const ojson& f, RunResult& run) {
  for (auto it = f.begin(); it != f.end(); ++it) {
    const std::string& k = it.key();
    if (k == "version") continue;
    if (k == "interrupted") run.interrupted = it->is_boolean() && it->get<bool>();
    else if (k == "signal") run.signal = it->is_number() ? value_as<int>(*it, "signal") : 0;
    else if (k == "incomplete") run.incomplete = it->is_boolean() && it->get<bool>();  // a checkpoint (run_dir.hpp)
    else if (k == "snapshot_timestamp_ms") run.snapshot_ms = it->is_number_integer() ? value_as<int64_t>(*it, "snapshot_timestamp_ms") : 0;
    else if (k == "snapshot_time") continue;  // written again from snapshot_ms
    else if (k != "jobs" && it->is_structured()) run.extras_json[k] = it->dump();  // written back as read
    else if (k != "jobs") run.extras[k] = as_string(*it);
  }
  const auto jobs = f.find("jobs");
  if (jobs == f.end() || !jobs->is_array()) return;
  for (size_t i = 0; i < jobs->size(); ++i) {
    const ojson& fj = (*jobs)[i];
    const std::string name = get_or<std::string>(fj, "jobname", "");
    // With group_reporting the main list is shorter; match by name then.
    JobResult* target = i < run.jobs.size() && run.jobs[i].name == name ? &run.jobs[i] : nullptr;
    for (size_t k = 0; !target && k < run.jobs.size(); ++k)
      if (run.jobs[k].name == name) target = &run.jobs[k];
    if (!target) continue;
    for (auto it = fj.begin(); it != fj.end(); ++it) {
      const std::string& k = it.key();
      if (k == "jobname" || k == "groupid") continue;
      if (k == "interrupted") target->interrupted = target->interrupted || (it->is_boolean() && it->get<bool>());
      else if (k == "error_message") target->error_message = as_string(*it);
      else target->extras[k] = as_string(*it);
    }
  }
}

}  // namespace

RunResult read_fio_json(std::string_view text) {
  const size_t start = text.find('{');
  if (start == std::string_view::npos) throw JsonReadError("fio JSON: no '{' in input");
  ojson doc;
  try {
    // Trailing text after the document is allowed: fio may print messages there.
    doc = ojson::parse(text.substr(start), nullptr, true, false);
  } catch (const nlohmann::json::parse_error&) {
    // Retry on the longest prefix ending in '}' so a trailing message is ignored.
    const size_t end = text.rfind('}');
    try {
      doc = ojson::parse(text.substr(start, end == std::string_view::npos ? 0 : end - start + 1));
    } catch (const nlohmann::json::exception& e) {
      throw JsonReadError(std::string("fio JSON: ") + e.what());
    }
  } catch (const nlohmann::json::exception& e) {
    // A number beyond a double (1e400) is out_of_range, not parse_error
    // (found by fuzz/json_fuzzer); no shorter prefix reads better.
    throw JsonReadError(std::string("fio JSON: ") + e.what());
  }
  if (!doc.is_object()) throw JsonReadError("fio JSON: top level is not an object");
  RunResult run;
  const std::string ver = get_or<std::string>(doc, "fio version", "");
  const size_t dash = ver.find('-');
  run.tool = dash == std::string::npos ? ver : ver.substr(0, dash);
  run.version = dash == std::string::npos ? "" : ver.substr(dash + 1);
  run.timestamp = get_or<int64_t>(doc, "timestamp", 0);
  run.timestamp_ms = get_or<int64_t>(doc, "timestamp_ms", 0);
  run.time = get_or<std::string>(doc, "time", "");
  run.global_options = read_options(doc, "global options");
  const auto jobs = doc.find("jobs");
  if (jobs == doc.end() || !jobs->is_array()) throw JsonReadError("fio JSON: no \"jobs\" array");
  for (size_t i = 0; i < jobs->size(); ++i) {
    if (!(*jobs)[i].is_object()) throw JsonReadError("fio JSON: jobs[" + std::to_string(i) + "] is not an object");
    run.jobs.push_back(read_job((*jobs)[i], run, i));
  }
  if (const auto du = doc.find("disk_util"); du != doc.end() && du->is_array()) {
    for (const ojson& d : *du) {
      DiskUtil u;
      u.name = get_or<std::string>(d, "name", "");
      u.read_ios = get_or<uint64_t>(d, "read_ios", 0);
      u.write_ios = get_or<uint64_t>(d, "write_ios", 0);
      u.read_merges = get_or<uint64_t>(d, "read_merges", 0);
      u.write_merges = get_or<uint64_t>(d, "write_merges", 0);
      u.read_ticks = get_or<uint64_t>(d, "read_ticks", 0);
      u.write_ticks = get_or<uint64_t>(d, "write_ticks", 0);
      u.in_queue = get_or<uint64_t>(d, "in_queue", 0);
      u.util = get_or<double>(d, "util", 0);
      run.disk_util.push_back(u);
    }
  }
  if (const auto f = doc.find("fiokit"); f != doc.end() && f->is_object()) read_fiokit(*f, run);
  return run;
}

}  // namespace fiokit::results
