// Finding and summarising runs (see run_index.hpp). Every file is read through
// Root, so a symlink in a run directory that points outside the served tree is
// neither listed nor read.
#include "serve/run_index.hpp"

#include <algorithm>
#include <cstring>
#include <set>

#include "results/json_reader.hpp"
#include "results/series_sink.hpp"
#include "results/summary.hpp"
#include "serve/api.hpp"

namespace fiokit::serve {

namespace {

constexpr size_t kMaxResultsBytes = 256u << 20;  // a json+ of many jobs is a few MB

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string stem_of(const std::string& name) {
  const size_t dot = name.rfind('.');
  return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

std::string join_rel(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

void summarise(RunInfo& run) {
  const auto jobs = results::report_jobs(*run.result);
  run.job_count = run.result->jobs.size();
  for (const auto& rj : jobs) {
    for (int d = 0; d < results::kDirs; ++d) {
      const auto& ds = rj.job.dirs[d];
      if (ds.total_ios == 0 && ds.io_bytes == 0) continue;
      run.iops += results::iops_of(ds);
      run.bw_bytes += results::bw_bytes_of(ds);
      if (ds.clat.count()) run.p99_clat_ns = std::max(run.p99_clat_ns, ds.clat.percentile(99.0));
    }
  }
}

}  // namespace

std::shared_ptr<const RunInfo> IndexSnapshot::find(const std::string& id) const {
  auto it = by_id.find(id);
  return it == by_id.end() ? nullptr : it->second;
}

RunIndex::RunIndex(const Root& root, std::chrono::milliseconds refresh_interval)
    : root_(root), interval_(refresh_interval) {}

std::shared_ptr<const IndexSnapshot> RunIndex::snapshot() {
  std::shared_ptr<const IndexSnapshot> cur;
  {
    std::lock_guard<std::mutex> lk(snap_mutex_);
    cur = snap_;
  }
  const auto now = std::chrono::steady_clock::now();
  if (cur && now - cur->built < interval_) return cur;
  std::unique_lock<std::mutex> build(build_mutex_, std::try_to_lock);
  if (!build.owns_lock()) {
    if (cur) return cur;  // someone is rebuilding; the previous view is good enough
    build.lock();         // first request: wait for the first snapshot
    std::lock_guard<std::mutex> lk(snap_mutex_);
    if (snap_) return snap_;
  }
  auto fresh = rebuild();
  std::lock_guard<std::mutex> lk(snap_mutex_);
  snap_ = fresh;
  return fresh;
}

const RunIndex::Parsed& RunIndex::parse_cached(const std::string& rel_file, const DirEntry& e) {
  seen_.insert(rel_file);
  auto& p = parsed_[rel_file];
  if ((p.result || !p.error.empty()) && p.mtime_ns == e.mtime_ns && p.size == e.size) return p;
  p = Parsed{e.mtime_ns, e.size, nullptr, ""};
  std::string text;
  const int fd = root_.open_beneath(rel_file);
  const int err = fd < 0 ? fd : read_fd(fd, text, kMaxResultsBytes);
  if (err < 0) {
    p.error = "cannot read " + rel_file + ": " + std::strerror(-err);
    return p;
  }
  try {
    p.result = std::make_shared<const results::RunResult>(results::read_fio_json(text));
  } catch (const std::exception& ex) {
    p.error = rel_file + ": " + ex.what();
  }
  return p;
}

void RunIndex::add_run_dir(const std::string& rel_dir, const std::string& id_hint, bool data_dir_layout,
                           std::vector<std::shared_ptr<RunInfo>>& out) {
  std::vector<DirEntry> entries;
  if (root_.list(rel_dir, entries) < 0) return;
  std::vector<const DirEntry*> jsons;
  for (const auto& e : entries) {
    if (!e.is_dir && ends_with(e.name, ".json")) jsons.push_back(&e);
  }
  // fiokit's run dir has one results.json; other JSON files there are not runs.
  if (data_dir_layout) {
    auto it = std::find_if(jsons.begin(), jsons.end(), [](const DirEntry* e) { return e->name == "results.json"; });
    if (it != jsons.end()) jsons = {*it};
  }

  // What the directory holds besides results, shared by its runs.
  std::vector<LogInfo> logs;
  std::vector<std::string> plots, job_files, outputs;
  int64_t newest_mtime = 0;
  for (const auto& e : entries) {
    newest_mtime = std::max(newest_mtime, e.mtime);
    if (e.is_dir) continue;
    if (auto ln = results::parse_log_name(e.name)) {
      logs.push_back({e.name, *ln, e.size});
    } else if (ends_with(e.name, ".png") || ends_with(e.name, ".svg")) {
      plots.push_back(e.name);
    } else if (ends_with(e.name, ".fio") || ends_with(e.name, ".job") || ends_with(e.name, ".ini")) {
      job_files.push_back(e.name);
    } else if (ends_with(e.name, ".txt") || ends_with(e.name, ".out")) {
      outputs.push_back(e.name);
    }
  }
  // No fio logs: the per-second series fiokit keeps for every job
  // (RUN/series, results/series_sink.hpp), so the run page still has graphs.
  // Listed only when the directory has a series folder: no extra call else.
  bool series_dir = false;
  for (const auto& e : entries) series_dir = series_dir || (e.is_dir && e.name == results::kSeriesDir);
  if (logs.empty() && series_dir) {
    std::vector<DirEntry> series_entries;
    if (root_.list(join_rel(rel_dir, results::kSeriesDir), series_entries) == 0)
      for (const auto& e : series_entries)
        if (!e.is_dir)
          if (auto ln = results::parse_log_name(e.name)) logs.push_back({std::string(results::kSeriesDir) + "/" + e.name, *ln, e.size});
  }
  std::vector<DirEntry> plot_entries;
  if (root_.list(join_rel(rel_dir, "plots"), plot_entries) == 0) {
    for (const auto& e : plot_entries) {
      if (!e.is_dir && (ends_with(e.name, ".png") || ends_with(e.name, ".svg"))) plots.push_back("plots/" + e.name);
    }
  }

  if (jsons.empty()) {
    if (!data_dir_layout) return;  // a plain folder, not a run
    auto run = std::make_shared<RunInfo>();
    run->id = id_hint;
    run->rel_dir = rel_dir;
    run->error = "no results.json in this run directory";
    run->timestamp = newest_mtime;
    run->logs = logs;
    run->plots = plots;
    run->job_files = job_files;
    run->outputs = outputs;
    out.push_back(run);
    return;
  }
  for (const DirEntry* j : jsons) {
    const Parsed& p = parse_cached(join_rel(rel_dir, j->name), *j);
    // In a folder of fio outputs, a JSON that is not fio's is just a file.
    if (!data_dir_layout && !p.result) continue;
    auto run = std::make_shared<RunInfo>();
    std::string stem = stem_of(j->name);
    if (rel_dir.empty() && stem == "results") {
      // Serving one run directory itself: name the run after the directory.
      const size_t slash = root_.path().rfind('/');
      if (slash != std::string::npos && slash + 1 < root_.path().size()) stem = root_.path().substr(slash + 1);
    }
    if (jsons.size() == 1 || data_dir_layout) {
      run->id = id_hint.empty() ? stem : id_hint;
    } else {
      run->id = id_hint.empty() ? stem : id_hint + "-" + stem;
    }
    run->rel_dir = rel_dir;
    run->results_file = j->name;
    run->error = p.error;
    run->result = p.result;
    run->timestamp = p.result && p.result->timestamp ? p.result->timestamp : j->mtime;
    run->plots = plots;
    run->job_files = job_files;
    run->outputs = outputs;
    run->logs = logs;
    if (p.result && jsons.size() > 1) {
      // Several fio outputs share a folder: give each the logs named after its
      // jobs (fio's default log prefix is the job name); all when none match.
      std::set<std::string> names;
      for (const auto& job : p.result->jobs) names.insert(job.name);
      std::vector<LogInfo> mine;
      for (const auto& l : logs) {
        if (names.count(l.name.prefix)) mine.push_back(l);
      }
      if (!mine.empty()) run->logs = std::move(mine);
    }
    if (p.result) summarise(*run);
    out.push_back(run);
  }
}

std::shared_ptr<const IndexSnapshot> RunIndex::rebuild() {
  seen_.clear();
  std::vector<std::shared_ptr<RunInfo>> found;
  std::vector<DirEntry> top;
  std::vector<DirEntry> runs_dir;
  if (root_.list("runs", runs_dir) == 0) {
    for (const auto& e : runs_dir) {
      if (e.is_dir) add_run_dir("runs/" + e.name, e.name, true, found);
    }
  } else {
    // A folder of fio outputs: its own JSON files, and those one level down.
    add_run_dir("", "", false, found);
    if (root_.list("", top) == 0) {
      for (const auto& e : top) {
        if (e.is_dir) add_run_dir(e.name, e.name, false, found);
      }
    }
  }
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return a->timestamp != b->timestamp ? a->timestamp > b->timestamp : a->id > b->id;
  });
  auto snap = std::make_shared<IndexSnapshot>();
  for (auto& r : found) {
    // Ids must be unique in URLs; a clash (a.json beside a/) gets a suffix.
    std::string id = r->id.empty() ? "run" : r->id;
    for (int n = 2; snap->by_id.count(id); ++n) id = r->id + "~" + std::to_string(n);
    r->id = id;
    snap->by_id[id] = r;
    snap->runs.push_back(r);
  }
  // Forget parsed files that are gone, so the cache cannot grow without bound.
  for (auto it = parsed_.begin(); it != parsed_.end();) {
    it = seen_.count(it->first) ? std::next(it) : parsed_.erase(it);
  }
  seen_.clear();
  snap->runs_json = render_runs_json(snap->runs);
  snap->built = std::chrono::steady_clock::now();
  return snap;
}

}  // namespace fiokit::serve
