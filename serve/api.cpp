// JSON API bodies and the downsampling behind the charts (see api.hpp).
#include "serve/api.hpp"

#include <algorithm>
#include <array>
#include <ctime>
#include <nlohmann/json.hpp>

#include "results/log_reader.hpp"
#include "results/summary.hpp"

namespace fiokit::serve {

using nlohmann::json;

std::string format_time(int64_t unix_seconds) {
  if (unix_seconds <= 0) return "";
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::vector<Series> downsample_log(const std::vector<results::LogRow>& rows, size_t max_points,
                                   std::optional<uint64_t> from, std::optional<uint64_t> to) {
  max_points = std::max<size_t>(max_points, 2);
  // A windowed log's last row that repeats the previous time is the partial
  // last window extrapolated into a rate by an older writer, not a
  // measurement; charted it is a spike that also sets the y axis (see
  // results::drop_repeated_final_rows). The cached rows are shared, so skip it.
  const std::array<size_t, 3> stale = results::repeated_final_rows(rows);
  std::vector<Series> out;
  for (int d = 0; d < results::kDirs; ++d) {
    // Rows of this direction in range, in file order (fio writes them in time order).
    std::vector<const results::LogRow*> sel;
    for (size_t i = 0; i < rows.size(); ++i) {
      const results::LogRow& r = rows[i];
      if (r.ddir != d || i == stale[static_cast<size_t>(d)]) continue;
      if ((from && r.time_ms < *from) || (to && r.time_ms > *to)) continue;
      sel.push_back(&r);
    }
    if (sel.empty()) continue;
    Series s;
    s.ddir = d;
    s.rows = sel.size();
    ValueSum sum;
    s.min = UINT64_MAX;
    for (const auto* r : sel) {
      sum.add(r->value);
      s.min = std::min(s.min, r->value);
      s.max = std::max(s.max, r->value);
    }
    s.mean = sum.mean();
    if (sel.size() <= max_points) {
      for (const auto* r : sel) {
        s.t.push_back(r->time_ms);
        s.v.push_back(r->value);
      }
      out.push_back(std::move(s));
      continue;
    }
    uint64_t t0 = UINT64_MAX, t1 = 0;
    for (const auto* r : sel) {
      t0 = std::min(t0, r->time_ms);
      t1 = std::max(t1, r->time_ms);
    }
    const size_t buckets = max_points / 2;
    // t1 - t0 + 1 wraps to 0 for a log spanning 0..2^64-1 (found by
    // fuzz/log_fuzzer: a zero width, then an undefined cast of inf); in double it cannot.
    const double width = (static_cast<double>(t1 - t0) + 1.0) / static_cast<double>(buckets);
    // Bucket b keeps the index of its smallest and largest value (first seen wins
    // ties), then both are emitted in the order they occurred.
    std::vector<size_t> lo(buckets, SIZE_MAX), hi(buckets, SIZE_MAX);
    for (size_t i = 0; i < sel.size(); ++i) {
      size_t b = static_cast<size_t>(static_cast<double>(sel[i]->time_ms - t0) / width);
      b = std::min(b, buckets - 1);
      if (lo[b] == SIZE_MAX || sel[i]->value < sel[lo[b]]->value) lo[b] = i;
      if (hi[b] == SIZE_MAX || sel[i]->value > sel[hi[b]]->value) hi[b] = i;
    }
    for (size_t b = 0; b < buckets; ++b) {
      if (lo[b] == SIZE_MAX) continue;
      const size_t first = std::min(lo[b], hi[b]), second = std::max(lo[b], hi[b]);
      s.t.push_back(sel[first]->time_ms);
      s.v.push_back(sel[first]->value);
      if (second != first) {
        s.t.push_back(sel[second]->time_ms);
        s.v.push_back(sel[second]->value);
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<DirRow> summary_rows(const results::RunResult& run) {
  std::vector<DirRow> rows;
  for (const auto& rj : results::report_jobs(run)) {
    const auto& j = rj.job;
    for (int d = 0; d < results::kDirs; ++d) {
      const auto& ds = j.dirs[d];
      if (ds.total_ios == 0 && ds.io_bytes == 0) continue;
      DirRow r;
      r.job = j.name;
      r.group = j.group_id;
      r.members = rj.members;
      r.ddir = d;
      r.iops = results::iops_of(ds);
      r.bw_bytes = results::bw_bytes_of(ds);
      r.io_bytes = ds.io_bytes;
      r.runtime_ms = ds.runtime_ms;
      r.total_ios = ds.total_ios;
      r.clat_mean = ds.clat.mean();
      r.lat_mean = ds.lat.mean();
      r.slat_mean = ds.slat.mean();
      r.clat_min = ds.clat.min();
      r.clat_max = ds.clat.max();
      if (ds.clat.count()) {
        r.clat_p50 = ds.clat.percentile(50);
        r.clat_p90 = ds.clat.percentile(90);
        r.clat_p99 = ds.clat.percentile(99);
        r.clat_p999 = ds.clat.percentile(99.9);
      }
      r.error = j.error;
      r.error_message = j.error_message;
      rows.push_back(std::move(r));
    }
  }
  return rows;
}

namespace {

json run_head(const RunInfo& r) {
  const RunSummary& s = r.summary;
  json o;
  o["id"] = r.id;
  o["dir"] = r.rel_dir;
  o["results_file"] = r.results_file;
  o["timestamp"] = r.timestamp;
  o["time"] = format_time(r.timestamp);
  o["jobs"] = r.job_count;
  o["iops"] = r.iops;
  o["bw_bytes"] = r.bw_bytes;
  o["p99_clat_ns"] = r.p99_clat_ns;
  if (!s.tool.empty()) {
    o["tool"] = s.tool;
    o["version"] = s.version;
  }
  // The index's columns (serve/run_summary.hpp): status before figures, so a
  // failed run is never read as a run that measured 0.
  o["status"] = run_status_name(s.status);
  if (!s.status_detail.empty()) o["status_detail"] = s.status_detail;
  o["job_names"] = s.job_names;
  o["rw"] = s.rw;
  o["bs"] = s.bs;
  o["iodepth"] = s.iodepth;
  o["numjobs"] = s.numjobs;
  o["ioengine"] = s.engine;
  o["duration_ms"] = s.duration_ms;
  for (int d = 0; d < results::kDirs; ++d) {
    const DirFigures& f = s.dirs[static_cast<size_t>(d)];
    if (!f.present) continue;
    o[results::kDirNames[d]] = {{"iops", f.iops}, {"bw_bytes", f.bw_bytes}, {"p99_clat_ns", f.p99_clat_ns}};
  }
  if (!s.host.empty()) o["host"] = s.host;
  if (s.status == RunStatus::sweep)  // serve/sweep_index.hpp
    o["sweep"] = {{"points", s.sweep_points}, {"ok", s.sweep_ok}, {"url", "/sweeps/" + encode_path(r.id, false)}};
  o["repeats"] = r.has_repeats;
  if (!r.error.empty()) o["error"] = r.error;
  return o;
}

}  // namespace

std::string render_runs_json(const std::vector<std::shared_ptr<const RunInfo>>& runs, const RunsPageInfo* page) {
  json arr = json::array();
  for (const auto& r : runs) arr.push_back(run_head(*r));
  json o;
  if (page) {
    o["total"] = page->total;
    o["matched"] = page->matched;
    o["offset"] = page->offset;
    o["count"] = runs.size();
    o["sort"] = page->sort;
    o["order"] = page->descending ? "desc" : "asc";
    if (!page->filter.empty()) o["q"] = page->filter;
    if (page->next_offset) o["next_offset"] = *page->next_offset;
  }
  o["runs"] = std::move(arr);
  return o.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string render_run_json(const RunInfo& r) {
  json o = run_head(r);
  json jobs = json::array();
  if (r.result) {
    for (const auto& row : summary_rows(*r.result)) {
      jobs.push_back({{"job", row.job},
                      {"group", row.group},
                      {"members", row.members},
                      {"dir", results::kDirNames[row.ddir]},
                      {"iops", row.iops},
                      {"bw_bytes", row.bw_bytes},
                      {"io_bytes", row.io_bytes},
                      {"total_ios", row.total_ios},
                      {"runtime_ms", row.runtime_ms},
                      {"clat_ns",
                       {{"mean", row.clat_mean},
                        {"min", row.clat_min},
                        {"max", row.clat_max},
                        {"p50", row.clat_p50},
                        {"p90", row.clat_p90},
                        {"p99", row.clat_p99},
                        {"p99.9", row.clat_p999}}},
                      {"lat_mean_ns", row.lat_mean},
                      {"slat_mean_ns", row.slat_mean},
                      {"error", row.error},
                      {"error_message", row.error_message}});
    }
    json extras = json::object();
    for (const auto& [k, v] : r.result->extras) extras[k] = v;
    o["fiokit"] = std::move(extras);
  }
  o["summary"] = std::move(jobs);
  json logs = json::array();
  for (const auto& l : r.logs) {
    logs.push_back({{"file", l.file},
                    {"kind", results::log_kind_name(l.name.kind)},
                    {"unit", results::log_value_unit(l.name.kind)},
                    {"prefix", l.name.prefix},
                    {"job_number", l.name.job_number},
                    {"size", l.size}});
  }
  o["logs"] = std::move(logs);
  o["plots"] = r.plots;
  o["job_files"] = r.job_files;
  o["outputs"] = r.outputs;
  return o.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string render_series_json(const LogInfo& log, const std::vector<Series>& series, size_t total_rows) {
  json arr = json::array();
  for (const auto& s : series) {
    arr.push_back({{"ddir", s.ddir}, {"dir", results::kDirNames[s.ddir]}, {"rows", s.rows},
                   {"points", s.t.size()}, {"min", s.min}, {"max", s.max}, {"mean", s.mean},
                   {"t", s.t}, {"v", s.v}});
  }
  json o;
  o["log"] = log.file;
  o["kind"] = results::log_kind_name(log.name.kind);
  o["unit"] = results::log_value_unit(log.name.kind);
  o["prefix"] = log.name.prefix;
  o["total_rows"] = total_rows;
  o["series"] = std::move(arr);
  return o.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace fiokit::serve
