// repeats.json writer; see repeats.hpp for its shape.
#include "results/repeats.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "results/run_source.hpp"

namespace fiokit::results {

double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2.0;
}

double stddev_of(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  double mean = 0;
  for (const double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  double ss = 0;
  for (const double x : v) ss += (x - mean) * (x - mean);
  return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

RepeatStatus repeat_status(const RunResult& run) {
  RepeatStatus s{"ok", ""};
  for (const JobResult& j : run.jobs) {
    if (!j.error) continue;
    s.status = "failed";
    const std::string msg = j.error_message.empty() ? "job '" + j.name + "': error " + std::to_string(j.error) : j.error_message;
    s.error += (s.error.empty() ? "" : "; ") + msg;
  }
  if (s.status == "ok" && run.interrupted) s.status = "interrupted";
  return s;
}

std::string summarize_repeats(const std::vector<RunResult>& runs) {
  using ojson = nlohmann::ordered_json;
  ojson doc = ojson::object();
  doc["repeats"] = runs.size();
  ojson statuses = ojson::array();
  size_t n_ok = 0;
  std::vector<bool> ok;
  for (size_t i = 0; i < runs.size(); ++i) {
    const RepeatStatus st = repeat_status(runs[i]);
    ojson e = ojson::object();
    e["repeat"] = i + 1;
    e["status"] = st.status;
    if (!st.error.empty()) e["error"] = st.error;
    statuses.push_back(std::move(e));
    ok.push_back(st.status == "ok");
    n_ok += st.status == "ok";
  }
  doc["ok"] = n_ok;  // the repeats in the statistics below
  doc["runs"] = std::move(statuses);
  // job -> dir -> metric -> values, keeping first-seen order of jobs.
  std::vector<std::string> order;
  std::map<std::string, std::array<std::map<std::string, std::vector<double>>, kDirs>> values;
  for (size_t i = 0; i < runs.size(); ++i) {
    if (!ok[i]) continue;
    const RunResult& run = runs[i];
    for (const JobSample& s : job_samples_of(run)) {
      if (!values.count(s.name)) order.push_back(s.name);
      auto& dirs = values[s.name];
      for (int d = 0; d < kDirs; ++d)
        for (const auto& [metric, v] : s.metrics[d]) dirs[d][metric].push_back(v);
    }
  }
  ojson jobs = ojson::array();
  for (const std::string& name : order) {
    ojson job = ojson::object();
    job["jobname"] = name;
    for (int d = 0; d < kDirs; ++d) {
      const auto& by_metric = values[name][d];
      if (by_metric.empty()) continue;
      ojson dir = ojson::object();
      // The gate's metric order, not the map's alphabetical one.
      for (const MetricInfo& m : gate_metrics()) {
        const auto it = by_metric.find(m.name);
        if (it == by_metric.end()) continue;
        const std::vector<double>& v = it->second;
        ojson e = ojson::object();
        e["values"] = v;
        e["median"] = median_of(v);
        e["min"] = *std::min_element(v.begin(), v.end());
        e["max"] = *std::max_element(v.begin(), v.end());
        e["stddev"] = stddev_of(v);
        e["unit"] = m.unit;
        dir[m.name] = std::move(e);
      }
      job[kDirNames[d]] = std::move(dir);
    }
    jobs.push_back(std::move(job));
  }
  doc["jobs"] = std::move(jobs);
  return doc.dump(2) + "\n";
}

}  // namespace fiokit::results
