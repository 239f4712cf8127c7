// summarise_run (see run_summary.hpp): figures through results/summary.hpp's
// report view (group_reporting merged, fio's bw/iops arithmetic), so the index
// shows the numbers the run's own report printed.
#include "serve/run_summary.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "results/summary.hpp"

namespace fiokit::serve {

namespace {

// A job option as the job file spelled it, its fio alias, else the global one.
std::string option_of(const results::RunResult& run, const results::JobResult& j,
                      std::initializer_list<std::string_view> keys) {
  for (const auto& list : {&j.options, &run.global_options}) {
    for (const auto& [k, v] : *list) {
      for (auto key : keys) {
        if (k == key) return v;
      }
    }
  }
  return {};
}

// Values in first-seen order without repeats; the set keeps a run of
// thousands of jobs linear (a scan of the list per job was quadratic).
struct Distinct {
  std::vector<std::string> list;
  std::unordered_set<std::string> seen;
};
void add_distinct(Distinct& d, std::string v) {
  if (d.seen.insert(v).second) d.list.push_back(std::move(v));
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

}  // namespace

const char* run_status_name(RunStatus s) {
  switch (s) {
    case RunStatus::ok: return "ok";
    case RunStatus::failed: return "failed";
    case RunStatus::interrupted: return "interrupted";
    case RunStatus::incomplete: return "incomplete";
    case RunStatus::unreadable: return "unreadable";
    case RunStatus::no_results: return "no results";
    case RunStatus::sweep: return "sweep";
  }
  return "";
}

double RunSummary::iops() const {
  double s = 0;
  for (const auto& d : dirs) s += d.iops;
  return s;
}

uint64_t RunSummary::bw_bytes() const {
  uint64_t s = 0;
  for (const auto& d : dirs) s += d.bw_bytes;
  return s;
}

uint64_t RunSummary::p99_clat_ns() const {
  uint64_t s = 0;
  for (const auto& d : dirs) s = std::max(s, d.p99_clat_ns);
  return s;
}

RunSummary summarise_run(const results::RunResult& run) {
  RunSummary s;
  s.tool = run.tool;
  s.version = run.version;
  s.job_count = run.jobs.size();
  if (auto it = run.extras.find("host"); it != run.extras.end()) s.host = it->second;
  Distinct names, rw, bs, depth, numjobs, engine;
  bool failed = false, interrupted = run.interrupted;
  for (const auto& j : run.jobs) {
    add_distinct(names, j.name);
    std::string v = option_of(run, j, {"rw", "readwrite"});
    add_distinct(rw, v.empty() ? (j.rw.empty() ? "read" : j.rw) : v);
    v = option_of(run, j, {"bs", "blocksize"});
    if (v.empty()) v = option_of(run, j, {"bsrange", "blocksize_range", "bssplit"});
    add_distinct(bs, v.empty() ? "4k" : v);
    v = option_of(run, j, {"iodepth"});
    add_distinct(depth, v.empty() ? "1" : v);
    v = option_of(run, j, {"numjobs"});
    add_distinct(numjobs, v.empty() ? "1" : v);
    v = option_of(run, j, {"ioengine"});
    add_distinct(engine, v.empty() ? (j.ioengine.empty() ? "psync" : j.ioengine) : v);
    s.duration_ms = std::max(s.duration_ms, j.job_runtime_ms);
    interrupted = interrupted || j.interrupted;
    // continue_on_error lets errors pass without failing the job (fio exits 0).
    if (j.error != 0 && !j.error_ignored && !failed) {
      failed = true;
      s.status_detail = j.error_message.empty() ? "job '" + j.name + "': error " + std::to_string(j.error)
                                                : j.error_message;
    }
  }
  s.job_names = std::move(names.list);
  s.rw = joined(rw.list);
  s.bs = joined(bs.list);
  s.iodepth = joined(depth.list);
  s.numjobs = joined(numjobs.list);
  s.engine = joined(engine.list);
  for (const auto& rj : results::report_jobs(run)) {
    for (int d = 0; d < results::kDirs; ++d) {
      const auto& ds = rj.job.dirs[d];
      if (ds.total_ios == 0 && ds.io_bytes == 0) continue;
      auto& f = s.dirs[static_cast<size_t>(d)];
      f.present = true;
      f.iops += results::iops_of(ds);
      f.bw_bytes += results::bw_bytes_of(ds);
      if (ds.clat.count()) f.p99_clat_ns = std::max(f.p99_clat_ns, ds.clat.percentile(99.0));
    }
  }
  // A checkpoint is marked interrupted too (so a kill -9 leaves it so):
  // incomplete says more, and that the run may still be going.
  s.in_progress = run.incomplete;
  s.status = run.incomplete ? RunStatus::incomplete
             : failed       ? RunStatus::failed
             : interrupted  ? RunStatus::interrupted
                            : RunStatus::ok;
  return s;
}

}  // namespace fiokit::serve
