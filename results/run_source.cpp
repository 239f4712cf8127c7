// Reading runs for the compare gate, and the baseline store; see run_source.hpp.
#include "results/run_source.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "results/json_reader.hpp"
#include "results/run_dir.hpp"
#include "results/summary.hpp"

namespace fiokit::results {
namespace fs = std::filesystem;
namespace {

const std::vector<MetricInfo> kMetrics = {
    {"iops", "IOPS", true, false},     {"bw", "B/s", true, false},
    {"lat_mean", "ns", false, false},  {"clat_mean", "ns", false, false},
    {"clat_p50", "ns", false, false},  {"clat_p99", "ns", false, false},
    {"clat_p99.9", "ns", false, false}, {"lat_p50", "ns", false, true},
    {"lat_p99", "ns", false, true},    {"lat_p99.9", "ns", false, true},
};

struct Pct {
  const char* metric;
  const char* hist;  // "clat" or "lat"
  double p;
};
constexpr Pct kPercentiles[] = {{"clat_p50", "clat", 50.0}, {"clat_p99", "clat", 99.0}, {"clat_p99.9", "clat", 99.9},
                                {"lat_p50", "lat", 50.0},   {"lat_p99", "lat", 99.0},   {"lat_p99.9", "lat", 99.9}};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw RunLoadError("cannot read " + path + ": " + std::error_code(errno, std::generic_category()).message());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Does fio's JSON answer percentile p of "<hist>_ns" exactly for every entry
// named `job` in direction `dir`? Yes with json+ bins, or p in the list.
bool percentile_in_file(const nlohmann::json& doc, const std::string& job, const char* dir, const char* hist,
                        double p) {
  const auto jobs = doc.find("jobs");
  if (jobs == doc.end() || !jobs->is_array()) return false;
  bool any = false;
  for (const auto& j : *jobs) {
    if (!j.is_object() || j.value("jobname", std::string()) != job) continue;
    const auto d = j.find(dir);
    if (d == j.end() || !d->is_object()) return false;
    const auto h = d->find(std::string(hist) + "_ns");
    if (h == d->end() || !h->is_object()) return false;
    if (h->contains("bins")) {
      any = true;
      continue;
    }
    const auto list = h->find("percentile");
    if (list == h->end() || !list->is_object()) return false;
    bool found = false;
    for (auto it = list->begin(); it != list->end(); ++it)
      if (std::fabs(std::strtod(it.key().c_str(), nullptr) - p) < 1e-6) found = true;
    if (!found) return false;
    any = true;
  }
  return any;
}

}  // namespace

void add_repeat_text(LoadedRun& out, const std::string& file, const std::string& text) {
  RunResult run;
  try {
    run = read_fio_json(text);
  } catch (const JsonReadError& e) {
    throw RunLoadError(file + ": " + e.what());
  }
  std::vector<JobSample> samples = job_samples_of(run);
  // The reader estimates unlisted percentiles; the gate must not compare those.
  nlohmann::json doc = nlohmann::json::parse(text.substr(text.find('{')), nullptr, false, false);
  if (doc.is_discarded()) doc = nlohmann::json::object();
  for (JobSample& s : samples)
    for (int d = 0; d < kDirs; ++d)
      for (const Pct& pc : kPercentiles)
        if (s.metrics[d].count(pc.metric) && !percentile_in_file(doc, s.name, kDirNames[d], pc.hist, pc.p))
          s.metrics[d].erase(pc.metric);
  if (out.runs.empty()) {
    out.timestamp = run.timestamp;
    const auto h = run.extras.find("host");
    out.host = h == run.extras.end() ? "" : h->second;
  }
  out.files.push_back(file);
  out.runs.push_back(std::move(run));
  out.samples.push_back(std::move(samples));
}

namespace {

void load_one(LoadedRun& out, const std::string& file) { add_repeat_text(out, file, read_text(file)); }

// repeats/<N>/results.json in numeric order of N.
std::vector<std::string> repeat_files(const fs::path& dir) {
  std::vector<std::pair<long, std::string>> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir / "repeats", ec)) {
    const std::string name = e.path().filename().string();
    if (!e.is_directory() || name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    found.emplace_back(std::stol(name), (e.path() / "results.json").string());
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

std::string option_of(const JobSample& s, const std::string& key) {
  // fio accepts aliases; compare the spelling runs normally use.
  static const std::map<std::string, std::string> aliases = {
      {"readwrite", "rw"}, {"blocksize", "bs"}, {"io_limit", "io_size"}};
  for (const auto& [k, v] : s.options) {
    const auto a = aliases.find(k);
    if (k == key || (a != aliases.end() && a->second == key)) return v;
  }
  return "";
}

}  // namespace

const std::vector<MetricInfo>& gate_metrics() { return kMetrics; }

const MetricInfo* find_metric(std::string_view name) {
  for (const MetricInfo& m : kMetrics)
    if (name == m.name) return &m;
  return nullptr;
}

std::vector<JobSample> job_samples_of(const RunResult& run) {
  struct Acc {
    JobSample s;
    std::array<double, kDirs> iops{}, bw{};
    std::array<LatencyHistogram, kDirs> clat, lat;
    bool lat_pct = false;
  };
  std::vector<Acc> acc;
  for (const JobResult& j : run.jobs) {
    auto it = std::find_if(acc.begin(), acc.end(), [&](const Acc& a) { return a.s.name == j.name; });
    if (it == acc.end()) {
      acc.emplace_back();
      it = std::prev(acc.end());
      it->s.name = j.name;
      for (const auto& [k, v] : run.global_options) it->s.options[k] = v;
      for (const auto& [k, v] : j.options) it->s.options[k] = v;
    }
    Acc& a = *it;
    if (j.error && !a.s.error) {
      a.s.error = j.error;
      a.s.error_message = j.error_message;
    }
    a.s.interrupted = a.s.interrupted || j.interrupted;
    a.lat_pct = a.lat_pct || j.lat_percentiles;
    for (int d = 0; d < kDirs; ++d) {
      const DirStats& ds = j.dirs[d];
      if (ds.total_ios == 0 && ds.io_bytes == 0) continue;
      a.s.active[d] = true;
      a.iops[d] += iops_of(ds);
      a.bw[d] += static_cast<double>(bw_bytes_of(ds));
      a.clat[d].merge(ds.clat);
      a.lat[d].merge(ds.lat);
    }
  }
  std::vector<JobSample> out;
  for (Acc& a : acc) {
    for (int d = 0; d < kDirs; ++d) {
      if (!a.s.active[d]) continue;
      auto& m = a.s.metrics[d];
      m["iops"] = a.iops[d];
      m["bw"] = a.bw[d];
      if (a.lat[d].count()) m["lat_mean"] = a.lat[d].mean();
      if (a.clat[d].count()) {
        m["clat_mean"] = a.clat[d].mean();
        m["clat_p50"] = static_cast<double>(a.clat[d].percentile(50.0));
        m["clat_p99"] = static_cast<double>(a.clat[d].percentile(99.0));
        m["clat_p99.9"] = static_cast<double>(a.clat[d].percentile(99.9));
      }
      if (a.lat_pct && a.lat[d].count()) {
        m["lat_p50"] = static_cast<double>(a.lat[d].percentile(50.0));
        m["lat_p99"] = static_cast<double>(a.lat[d].percentile(99.0));
        m["lat_p99.9"] = static_cast<double>(a.lat[d].percentile(99.9));
      }
    }
    out.push_back(std::move(a.s));
  }
  return out;
}

LoadedRun load_run(const std::string& path) {
  LoadedRun out;
  out.path = path;
  std::error_code ec;
  const fs::path p(path);
  if (fs::is_directory(p, ec)) {
    out.run_dir = path;
    std::vector<std::string> files = repeat_files(p);
    if (files.empty()) files.push_back((p / "results.json").string());
    for (const std::string& f : files) load_one(out, f);
  } else if (fs::exists(p, ec)) {
    load_one(out, path);
  } else {
    throw RunLoadError(path + ": no such file or directory");
  }
  return out;
}

std::vector<std::string> incomparable_reasons(const LoadedRun& baseline, const LoadedRun& current,
                                              const std::vector<std::string>& keys) {
  std::vector<std::string> why;
  if (baseline.samples.empty() || current.samples.empty()) {
    why.push_back("no results to compare");
    return why;
  }
  const auto& b = baseline.samples.front();
  const auto& c = current.samples.front();
  const auto find = [](const std::vector<JobSample>& v, const std::string& n) -> const JobSample* {
    for (const JobSample& s : v)
      if (s.name == n) return &s;
    return nullptr;
  };
  for (const JobSample& s : b)
    if (!find(c, s.name)) why.push_back("job '" + s.name + "' is in the baseline but not in the current run");
  for (const JobSample& s : c)
    if (!find(b, s.name)) why.push_back("job '" + s.name + "' is in the current run but not in the baseline");
  for (const JobSample& s : b) {
    const JobSample* o = find(c, s.name);
    if (!o) continue;
    for (const std::string& k : keys) {
      const std::string bv = option_of(s, k), cv = option_of(*o, k);
      if (bv != cv)
        why.push_back("job '" + s.name + "': option " + k + " differs: baseline '" + bv + "', current '" + cv + "'");
    }
  }
  return why;
}

std::vector<std::string> list_stored_runs(const std::string& dir) {
  std::error_code ec;
  fs::path root(dir);
  if (fs::is_directory(root / "runs", ec)) root /= "runs";
  std::vector<std::pair<int64_t, std::string>> runs;
  for (const auto& e : fs::directory_iterator(root, ec)) {
    if (!e.is_directory() || !fs::exists(e.path() / "results.json", ec)) continue;
    int64_t ts = 0;
    try {
      const std::string text = read_text((e.path() / "results.json").string());
      const auto doc = nlohmann::json::parse(text.substr(std::min(text.find('{'), text.size())), nullptr, false, false);
      if (doc.is_object() && doc.contains("timestamp") && doc["timestamp"].is_number()) ts = doc["timestamp"].get<int64_t>();
    } catch (const std::exception&) {
      // An unreadable run sorts last; find_baseline then skips it.
    }
    runs.emplace_back(ts, e.path().string());
  }
  std::sort(runs.begin(), runs.end(), [](const auto& x, const auto& y) { return x > y; });
  std::vector<std::string> out;
  for (auto& r : runs) out.push_back(std::move(r.second));
  return out;
}

std::optional<std::string> find_baseline(const std::string& dir, const LoadedRun& current,
                                         const std::vector<std::string>& keys) {
  const fs::path cur_dir = current.run_dir.empty() ? fs::path() : fs::weakly_canonical(current.run_dir);
  for (const std::string& cand : list_stored_runs(dir)) {
    if (!cur_dir.empty() && fs::weakly_canonical(cand) == cur_dir) continue;  // never itself
    try {
      // Repeats share jobs and options, so the first results.json decides;
      // a large store is then scanned without parsing every repeat.
      if (incomparable_reasons(load_run((fs::path(cand) / "results.json").string()), current, keys).empty())
        return cand;
    } catch (const RunLoadError&) {
      continue;
    }
  }
  return std::nullopt;
}

std::string store_baseline(const std::string& dir, const LoadedRun& current) {
  std::string name;
  if (!current.run_dir.empty()) {
    name = fs::path(current.run_dir).lexically_normal().filename().string();
    if (name.empty()) name = fs::path(current.run_dir).lexically_normal().parent_path().filename().string();
  }
  if (name.empty() || name == "." || name == "..") name = make_run_id(current.timestamp, "baseline");
  const std::string dest = create_run_dir(dir, name);
  std::error_code ec;
  if (!current.run_dir.empty()) {
    fs::copy(current.run_dir, dest, fs::copy_options::recursive, ec);
  } else {
    fs::copy_file(current.path, fs::path(dest) / "results.json", ec);
  }
  if (ec) throw RunLoadError("cannot copy " + current.path + " into " + dest + ": " + ec.message());
  return dest;
}

}  // namespace fiokit::results
