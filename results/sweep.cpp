// See sweep.hpp. sweep.json is written whole after every point (by the
// caller, through write_file_atomic), so its reader can trust each record it
// finds: a point is "ok" only once its sub-run's results.json is complete.
#include "results/sweep.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "results/summary.hpp"

namespace fiokit::results {

namespace {

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

}  // namespace

std::vector<std::string> split_sweep_values(const std::string& option, const std::string& text) {
  std::vector<std::string> out;
  if (trim(text).empty()) throw SweepError("--" + option + ": empty list of values");
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    const std::string v = trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (v.empty()) throw SweepError("--" + option + ": empty value in the list '" + text + "'");
    out.push_back(v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::vector<SweepPoint> expand_sweep(const std::vector<SweepDimension>& dims) {
  size_t total = 1;
  for (const auto& d : dims) {
    if (d.values.empty()) throw SweepError("--" + d.option + ": empty list of values");
    total *= d.values.size();
  }
  std::vector<SweepPoint> out;
  out.reserve(total);
  // Odometer: the last dimension turns fastest.
  std::vector<size_t> idx(dims.size(), 0);
  for (size_t n = 0; n < total; ++n) {
    SweepPoint p;
    for (size_t d = 0; d < dims.size(); ++d) p.emplace_back(dims[d].option, dims[d].values[idx[d]]);
    out.push_back(std::move(p));
    for (size_t d = dims.size(); d-- > 0;) {
      if (++idx[d] < dims[d].values.size()) break;
      idx[d] = 0;
    }
  }
  return out;
}

std::string point_key(const SweepPoint& p) {
  std::string s;
  for (const auto& [k, v] : p) s += (s.empty() ? "" : " ") + k + "=" + v;
  return s;
}

std::string point_label(const SweepPoint& p) {
  std::string s;
  for (const auto& [k, v] : p) s += (s.empty() ? "" : "-") + k + "_" + v;
  return s.empty() ? "point" : s;
}

PointFigures point_figures(const RunResult& run) {
  PointFigures f;
  LatencyHistogram lat, clat;
  for (const auto& rj : report_jobs(run)) {
    for (int d = 0; d < kDirs; ++d) {
      const DirStats& ds = rj.job.dirs[d];
      if (ds.total_ios == 0 && ds.io_bytes == 0) continue;
      f.iops += iops_of(ds);
      f.bw_bytes += static_cast<double>(bw_bytes_of(ds));
      f.total_ios += ds.total_ios;
      lat.merge(ds.lat);
      clat.merge(ds.clat);
    }
  }
  f.lat_mean_ns = lat.count() ? lat.mean() : clat.mean();
  f.clat_p99_ns = clat.count() ? static_cast<double>(clat.percentile(99.0)) : 0.0;
  return f;
}

std::string write_sweep_manifest(const SweepManifest& m) {
  using J = nlohmann::ordered_json;
  J j;
  j["tool"] = m.tool;
  j["version"] = m.version;
  j["job_files"] = m.job_files;
  J dims = J::array();
  for (const auto& d : m.dimensions) dims.push_back({{"option", d.option}, {"values", d.values}});
  j["dimensions"] = dims;
  j["started_ms"] = m.started_ms;
  j["finished_ms"] = m.finished_ms;
  j["interrupted"] = m.interrupted;
  J points = J::array();
  for (const auto& p : m.points) {
    J settings = J::object();
    for (const auto& [k, v] : p.settings) settings[k] = v;
    J jp = {{"settings", settings}, {"key", point_key(p.settings)}, {"status", p.status}, {"run", p.run},
            {"exit_code", p.exit_code}};
    if (!p.error.empty()) jp["error"] = p.error;
    if (p.figures) {
      jp["figures"] = {{"iops", p.figures->iops},
                       {"bw_bytes", p.figures->bw_bytes},
                       {"lat_mean_ns", p.figures->lat_mean_ns},
                       {"clat_p99_ns", p.figures->clat_p99_ns},
                       {"total_ios", p.figures->total_ios}};
    }
    points.push_back(std::move(jp));
  }
  j["points"] = points;
  return j.dump(2) + "\n";
}

SweepManifest read_sweep_manifest(std::string_view text) {
  SweepManifest m;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw SweepError(std::string("not JSON: ") + e.what());
  }
  auto need = [](const nlohmann::json& o, const char* key, const char* what) -> const nlohmann::json& {
    if (!o.is_object() || !o.contains(key)) throw SweepError(std::string("missing \"") + key + "\" in " + what);
    return o.at(key);
  };
  try {
    m.tool = j.value("tool", "");
    m.version = j.value("version", "");
    if (j.contains("job_files")) m.job_files = j.at("job_files").get<std::vector<std::string>>();
    for (const auto& d : need(j, "dimensions", "the manifest"))
      m.dimensions.push_back({need(d, "option", "a dimension").get<std::string>(),
                              need(d, "values", "a dimension").get<std::vector<std::string>>()});
    m.started_ms = j.value("started_ms", int64_t{0});
    m.finished_ms = j.value("finished_ms", int64_t{0});
    m.interrupted = j.value("interrupted", false);
    for (const auto& jp : need(j, "points", "the manifest")) {
      SweepPointRecord p;
      const auto& settings = need(jp, "settings", "a point");
      // In dimension order (the JSON object keeps insertion order only when
      // written by us; a reader must not depend on it).
      for (const auto& d : m.dimensions) {
        if (!settings.contains(d.option)) throw SweepError("a point has no value for dimension \"" + d.option + "\"");
        p.settings.emplace_back(d.option, settings.at(d.option).get<std::string>());
      }
      p.status = need(jp, "status", "a point").get<std::string>();
      p.run = jp.value("run", "");
      p.error = jp.value("error", "");
      p.exit_code = jp.value("exit_code", 0);
      if (jp.contains("figures")) {
        const auto& f = jp.at("figures");
        p.figures = PointFigures{f.value("iops", 0.0), f.value("bw_bytes", 0.0), f.value("lat_mean_ns", 0.0),
                                 f.value("clat_p99_ns", 0.0), f.value("total_ios", uint64_t{0})};
      }
      m.points.push_back(std::move(p));
    }
  } catch (const nlohmann::json::exception& e) {
    throw SweepError(std::string("malformed manifest: ") + e.what());
  }
  return m;
}

bool is_sweep_dir(const std::string& dir) {
  std::ifstream in(dir + "/" + kSweepManifest);
  return static_cast<bool>(in);
}

SweepManifest load_sweep(const std::string& dir) {
  const std::string path = dir + "/" + kSweepManifest;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SweepError("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  try {
    return read_sweep_manifest(ss.str());
  } catch (const SweepError& e) {
    throw SweepError(path + ": " + e.what());
  }
}

SweepAxes sweep_axes(const SweepManifest& m) {
  SweepAxes a;
  const auto& dims = m.dimensions;
  auto multi = [&](size_t i) { return dims[i].values.size() > 1; };
  for (size_t i = 0; i < dims.size(); ++i)
    if (dims[i].option == "iodepth" && multi(i)) a.x = static_cast<int>(i);
  for (size_t i = 0; a.x < 0 && i < dims.size(); ++i)
    if (multi(i)) a.x = static_cast<int>(i);
  for (size_t i = 0; i < dims.size(); ++i)
    if (dims[i].option == "numjobs" && multi(i) && static_cast<int>(i) != a.x) a.lines = static_cast<int>(i);
  for (size_t i = 0; a.lines < 0 && i < dims.size(); ++i)
    if (multi(i) && static_cast<int>(i) != a.x) a.lines = static_cast<int>(i);
  return a;
}

}  // namespace fiokit::results
