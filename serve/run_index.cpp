// Finding and summarising runs, and noticing changes cheaply (see
// run_index.hpp). Every file is read through Root, so a symlink in a run
// directory that points outside the served tree is neither listed nor read.
#include "serve/run_index.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <thread>

#include "results/json_reader.hpp"
#include "results/series_sink.hpp"
#include "results/sweep.hpp"
#include "serve/api.hpp"
#include "serve/sweep_index.hpp"
#include "util/fd.hpp"

namespace fiokit::serve {

namespace {

constexpr uint64_t kMaxResultsBytes = 256u << 20;  // a json+ of many jobs is a few MB
constexpr size_t kMaxRepeatsBytes = 4u << 20;
// Parsed results kept for pages: a run page fetches its run once per chart
// (series API), compare a handful; 64 MiB of results files bounds the memory.
constexpr size_t kKeptResults = 16;
constexpr uint64_t kKeptResultBytes = 64u << 20;
// An mtime this close to the clock may hide a second change within the same
// timestamp tick (coarse clocks, 1-2 s on some filesystems): look again.
constexpr int64_t kRacyNs = 1'000'000'000;
constexpr size_t kScanThreads = 4;

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

int64_t mtime_ns_of(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

// mtime (and size) of root/rel, through the confinement check; -errno on failure.
int stat_beneath(const Root& root, const std::string& rel, bool want_dir, int64_t* mtime_ns, uint64_t* size) {
  const util::Fd fd(root.open_beneath(rel, want_dir));
  if (!fd) return fd.get();
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return -errno;
  *mtime_ns = mtime_ns_of(st);
  if (size) *size = static_cast<uint64_t>(st.st_size);
  return 0;
}

bool is_racy(int64_t mtime_ns) {
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  return mtime_ns > now - kRacyNs && mtime_ns < now + kRacyNs;
}

void fill_headline(RunInfo& run) {
  run.iops = run.summary.iops();
  run.bw_bytes = run.summary.bw_bytes();
  run.p99_clat_ns = run.summary.p99_clat_ns();
  run.job_count = run.summary.job_count;
}

}  // namespace

std::shared_ptr<const results::RunResult> ResultCache::load(const std::string& rel, std::string* error,
                                                            int64_t* mtime_ns, uint64_t* size) {
  util::Fd fd(root_.open_beneath(rel));
  struct stat st;
  if (!fd || ::fstat(fd.get(), &st) != 0) {
    *error = "cannot read " + rel + ": " + std::strerror(fd ? errno : -fd.get());
    return nullptr;
  }
  *mtime_ns = mtime_ns_of(st);
  *size = static_cast<uint64_t>(st.st_size);
  {
    std::lock_guard<std::mutex> lk(m_);
    for (auto it = lru_.begin(); it != lru_.end(); ++it) {
      if (it->rel != rel) continue;
      if (it->mtime_ns == *mtime_ns && it->size == *size) {
        lru_.splice(lru_.begin(), lru_, it);
        return lru_.front().result;
      }
      lru_.erase(it);
      break;
    }
  }
  std::string text;
  const int err = read_fd(fd.release(), text, kMaxResultsBytes);
  if (err < 0) {
    *error = "cannot read " + rel + ": " + std::strerror(-err);
    return nullptr;
  }
  std::shared_ptr<const results::RunResult> result;
  try {
    result = std::make_shared<const results::RunResult>(results::read_fio_json(text));
  } catch (const std::exception& ex) {
    *error = rel + ": " + ex.what();
    return nullptr;
  }
  ++parses_;
  std::lock_guard<std::mutex> lk(m_);
  lru_.push_front({rel, *mtime_ns, *size, result});
  uint64_t bytes = 0;
  size_t n = 0;
  for (auto it = lru_.begin(); it != lru_.end();) {
    bytes += it->size;
    ++n;
    const bool keep = n == 1 || (n <= max_entries_ && bytes <= max_bytes_);
    it = keep ? std::next(it) : lru_.erase(it);
  }
  return result;
}

std::shared_ptr<const RunInfo> IndexSnapshot::summary(const std::string& id) const {
  auto it = by_id.find(id);
  return it == by_id.end() ? nullptr : it->second;
}

std::shared_ptr<const RunInfo> IndexSnapshot::find(const std::string& id) const {
  auto r = summary(id);
  if (!r && index) return index->find_nested(id);
  return r && index ? index->load(*r) : r;
}

std::shared_ptr<const RunInfo> RunIndex::find_nested(const std::string& id) {
  // A sweep's sub-run (serve/sweep_index.hpp): read when asked for, never
  // kept in the index, so it neither counts as a run nor costs a rescan.
  const std::string rel = nested_run_dir(root_, id);
  if (rel.empty()) return nullptr;
  auto st = read_dir(rel, id, true, nullptr);
  if (!st || st->runs.empty()) return nullptr;
  auto run = std::make_shared<RunInfo>(*st->runs.front());
  run->id = id;
  return load(*run);
}

const std::string& IndexSnapshot::runs_json() const {
  std::call_once(json_once_, [this] { runs_json_ = render_runs_json(runs); });
  return runs_json_;
}

RunIndex::RunIndex(const Root& root, std::chrono::milliseconds refresh_interval)
    : root_(root), interval_(refresh_interval), results_(root, kKeptResults, kKeptResultBytes) {}

RunIndex::~RunIndex() {
  stopping_ = true;  // a first scan still going gives up at its next directory
  if (warm_up_.joinable()) warm_up_.join();
}

void RunIndex::warm_up() {
  if (!warm_up_.joinable()) warm_up_ = std::thread([this] { snapshot(); });
}

RunIndex::Stats RunIndex::stats() const {
  return {checks_.load(), top_lists_.load(), dir_scans_.load(), parses_.load(), results_.parses()};
}

std::shared_ptr<const IndexSnapshot> RunIndex::snapshot() {
  std::shared_ptr<const IndexSnapshot> cur;
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lk(snap_mutex_);
    cur = snap_;
    if (cur && now - last_check_ < interval_) return cur;
  }
  std::unique_lock<std::mutex> build(build_mutex_, std::try_to_lock);
  if (!build.owns_lock()) {
    if (cur) return cur;  // someone is checking; the previous view is good enough
    build.lock();         // first request: wait for the first snapshot
    std::lock_guard<std::mutex> lk(snap_mutex_);
    if (snap_) return snap_;
  }
  auto fresh = check();
  std::lock_guard<std::mutex> lk(snap_mutex_);
  snap_ = fresh;
  last_check_ = std::chrono::steady_clock::now();
  return fresh;
}

std::shared_ptr<const RunInfo> RunIndex::load(const RunInfo& r) {
  auto full = std::make_shared<RunInfo>(r);
  bool stale = false;
  if (!r.results_file.empty()) {
    std::string error;
    int64_t mtime = 0;
    uint64_t size = 0;
    full->result = results_.load(r.rel_path(r.results_file), &error, &mtime, &size);
    full->error = full->result ? "" : error;
    stale = mtime != r.results_mtime_ns || size != r.results_size || full->error != r.error;
  }
  if (r.has_repeats) {
    const int fd = root_.open_beneath(r.rel_path("repeats.json"));
    if (fd < 0 || read_fd(fd, full->repeats_json, kMaxRepeatsBytes) < 0) full->repeats_json.clear();
  }
  // Files added since the index read the directory (`fiokit plot RUN` adds
  // plots/): this page shows what the index knew; the next check rescans.
  int64_t mtime = 0;
  if (stat_beneath(root_, r.rel_dir, true, &mtime, nullptr) == 0 && mtime != r.dir_mtime_ns) stale = true;
  if (stat_beneath(root_, join_rel(r.rel_dir, "plots"), true, &mtime, nullptr) != 0) mtime = 0;
  if (mtime != r.plots_mtime_ns) stale = true;
  if (stale) {
    std::lock_guard<std::mutex> lk(dirty_mutex_);
    dirty_.insert(r.rel_dir);
  }
  return full;
}

std::shared_ptr<const IndexSnapshot> RunIndex::check() {
  ++checks_;
  scanned_now_.clear();
  int64_t mtime = 0;
  const bool data_layout = stat_beneath(root_, "runs", true, &mtime, nullptr) == 0;
  bool changed = false;
  if (layout_ != (data_layout ? 1 : 0)) {
    dirs_.clear();
    layout_ = data_layout ? 1 : 0;
    top_mtime_ns_ = -1;
    changed = true;
  }
  changed = check_top(data_layout ? "runs" : "", data_layout) || changed;
  changed = check_watched() || changed;
  if (!changed) {
    std::lock_guard<std::mutex> lk(snap_mutex_);
    if (snap_) return snap_;
  }
  return make_snapshot();
}

bool RunIndex::check_top(const std::string& top, bool data_layout) {
  int64_t mtime = 0;
  if (stat_beneath(root_, top, true, &mtime, nullptr) != 0) mtime = -1;
  if (mtime == top_mtime_ns_ && !top_racy_) return false;
  ++top_lists_;
  // The stat comes before the listing: a change made while listing leaves a
  // newer mtime than the one kept, so the next check lists again.
  top_mtime_ns_ = mtime;
  top_racy_ = is_racy(mtime);
  std::vector<DirEntry> entries;
  if (root_.list(top, entries) < 0) entries.clear();
  std::set<std::string> present;
  std::vector<ScanJob> jobs;
  if (!data_layout) {
    present.insert("");
    jobs.push_back({"", ""});  // the folder's own fio outputs
  }
  for (const auto& e : entries) {
    if (!e.is_dir) continue;
    const std::string rel = join_rel(top, e.name);
    present.insert(rel);
    auto it = dirs_.find(rel);
    if (it != dirs_.end() && it->second.mtime_ns == e.mtime_ns && !it->second.racy) continue;
    jobs.push_back({rel, e.name});
  }
  scan_dirs(jobs, data_layout);
  for (auto it = dirs_.begin(); it != dirs_.end();) it = present.count(it->first) ? std::next(it) : dirs_.erase(it);
  return true;
}

bool RunIndex::check_watched() {
  std::set<std::string> dirty;
  {
    std::lock_guard<std::mutex> lk(dirty_mutex_);
    dirty.swap(dirty_);
  }
  std::vector<ScanJob> rescan;
  for (const auto& [rel, st] : dirs_) {
    const size_t slash = rel.rfind('/');
    const ScanJob job{rel, slash == std::string::npos ? rel : rel.substr(slash + 1)};
    if (dirty.count(rel)) {
      rescan.push_back(job);
      continue;
    }
    // Just read by check_top: a directory within its mtime tick is worth
    // reading again at a later check, not now.
    if ((!st.watch_dir && st.watched.empty()) || scanned_now_.count(rel)) continue;
    int64_t mtime = 0;
    uint64_t size = 0;
    if (st.racy || stat_beneath(root_, rel, true, &mtime, nullptr) != 0 || mtime != st.mtime_ns) {
      rescan.push_back(job);
      continue;
    }
    for (const auto& w : st.watched) {
      if (stat_beneath(root_, w.rel, false, &mtime, &size) != 0 || mtime != w.mtime_ns || size != w.size) {
        rescan.push_back(job);
        break;
      }
    }
  }
  scan_dirs(rescan, layout_ == 1);
  return !rescan.empty();
}

void RunIndex::scan_dirs(const std::vector<ScanJob>& jobs, bool data_layout) {
  // Reading is parsing JSON (5,000 runs: seconds of CPU), so the directories
  // are read on up to kScanThreads threads, and dirs_ is only read meanwhile;
  // the results go in afterwards, in one thread.
  std::vector<std::optional<DirState>> out(jobs.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next++) < jobs.size() && !stopping_;) {
      auto it = dirs_.find(jobs[i].rel);
      out[i] = read_dir(jobs[i].rel, jobs[i].id_hint, data_layout, it == dirs_.end() ? nullptr : &it->second);
    }
  };
  const size_t threads =
      jobs.size() < 32 ? 1 : std::clamp<size_t>(std::thread::hardware_concurrency(), 1, kScanThreads);
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
  work();
  for (auto& t : helpers) t.join();
  if (stopping_) return;
  for (size_t i = 0; i < jobs.size(); ++i) {
    scanned_now_.insert(jobs[i].rel);
    if (out[i]) dirs_[jobs[i].rel] = std::move(*out[i]);
    else dirs_.erase(jobs[i].rel);  // gone (or no longer ours) since the listing
  }
}

std::optional<RunIndex::DirState> RunIndex::read_dir(const std::string& rel_dir, const std::string& id_hint,
                                                     bool data_layout, const DirState* previous) {
  ++dir_scans_;
  DirState st;
  if (stat_beneath(root_, rel_dir, true, &st.mtime_ns, nullptr) != 0) return std::nullopt;
  st.racy = is_racy(st.mtime_ns);
  // Summaries made before, reused for results files that did not change.
  std::map<std::string, std::shared_ptr<const RunInfo>> before;
  if (previous) {
    for (const auto& r : previous->runs) before[r->results_file] = r;
  }
  std::vector<DirEntry> entries;
  if (root_.list(rel_dir, entries) < 0) return std::nullopt;
  std::vector<const DirEntry*> jsons;
  for (const auto& e : entries) {
    if (!e.is_dir && ends_with(e.name, ".json")) jsons.push_back(&e);
  }
  // fiokit's run dir has one results.json; other JSON files there are not runs.
  if (data_layout) {
    auto it = std::find_if(jsons.begin(), jsons.end(), [](const DirEntry* e) { return e->name == "results.json"; });
    if (it != jsons.end()) jsons = {*it};
  }

  // What the directory holds besides results, shared by its runs.
  RunInfo common;
  common.rel_dir = rel_dir;
  common.dir_mtime_ns = st.mtime_ns;
  int64_t newest_mtime = 0;
  for (const auto& e : entries) {
    newest_mtime = std::max(newest_mtime, e.mtime);
    if (e.is_dir) {
      if (e.name == "plots") common.plots_mtime_ns = e.mtime_ns;
      continue;
    }
    if (auto ln = results::parse_log_name(e.name)) {
      common.logs.push_back({e.name, *ln, e.size});
    } else if (ends_with(e.name, ".png") || ends_with(e.name, ".svg")) {
      common.plots.push_back(e.name);
    } else if (ends_with(e.name, ".fio") || ends_with(e.name, ".job") || ends_with(e.name, ".ini")) {
      common.job_files.push_back(e.name);
    } else if (ends_with(e.name, ".txt") || ends_with(e.name, ".out")) {
      common.outputs.push_back(e.name);
    } else if (e.name == "repeats.json" && data_layout) {
      common.has_repeats = true;
    }
  }
  // No fio logs: the per-second series fiokit keeps for every job
  // (RUN/series, results/series_sink.hpp), so the run page still has graphs.
  // Listed only when the directory has a series folder: no extra call else.
  bool series_dir = false;
  for (const auto& e : entries) series_dir = series_dir || (e.is_dir && e.name == results::kSeriesDir);
  if (common.logs.empty() && series_dir) {
    std::vector<DirEntry> series_entries;
    if (root_.list(join_rel(rel_dir, results::kSeriesDir), series_entries) == 0)
      for (const auto& e : series_entries)
        if (!e.is_dir)
          if (auto ln = results::parse_log_name(e.name))
            common.logs.push_back({std::string(results::kSeriesDir) + "/" + e.name, *ln, e.size});
  }
  std::vector<DirEntry> plot_entries;
  if (common.plots_mtime_ns && root_.list(join_rel(rel_dir, "plots"), plot_entries) == 0) {
    for (const auto& e : plot_entries) {
      if (!e.is_dir && (ends_with(e.name, ".png") || ends_with(e.name, ".svg"))) common.plots.push_back("plots/" + e.name);
    }
  }

  // A `fiokit sweep` directory: sweep.json and sub-runs, no results.json of
  // its own. One row (serve/sweep_index.hpp), never a run without results.
  const bool has_results = std::any_of(jsons.begin(), jsons.end(), [](const DirEntry* e) { return e->name == "results.json"; });
  const auto manifest = std::find_if(entries.begin(), entries.end(),
                                     [](const DirEntry& e) { return !e.is_dir && e.name == results::kSweepManifest; });
  if (data_layout && !has_results && manifest != entries.end()) {
    auto run = std::make_shared<RunInfo>(common);
    SweepRow row = summarise_sweep(root_, rel_dir);
    run->id = id_hint;
    run->summary = std::move(row.summary);
    run->timestamp = row.timestamp ? row.timestamp : newest_mtime;
    // Not RunInfo::error: that marks a run whose results could not be read.
    // A running sweep rewrites sweep.json as each point ends: watch it.
    if (row.running) st.watched.push_back({join_rel(rel_dir, manifest->name), manifest->mtime_ns, manifest->size});
    st.runs.push_back(std::move(run));
    st.watch_dir = st.racy || !st.watched.empty();
    return st;
  }
  if (jsons.empty() && data_layout) {
    auto run = std::make_shared<RunInfo>(common);
    run->id = id_hint;
    run->error = "no results.json in this run directory";
    run->summary.status = RunStatus::no_results;
    run->timestamp = newest_mtime;
    st.runs.push_back(std::move(run));
    st.watch_dir = true;  // a run directory whose results are still to come
  }
  for (const DirEntry* j : jsons) {
    const std::string rel_file = join_rel(rel_dir, j->name);
    auto run = std::make_shared<RunInfo>(common);
    run->results_file = j->name;
    run->results_mtime_ns = j->mtime_ns;
    run->results_size = j->size;
    std::shared_ptr<const results::RunResult> result;
    auto prev = before.find(j->name);
    if (prev != before.end() && prev->second->results_mtime_ns == j->mtime_ns && prev->second->results_size == j->size) {
      run->error = prev->second->error;
      run->summary = prev->second->summary;
      run->timestamp = prev->second->timestamp;
    } else {
      ++parses_;
      std::string text;
      const int fd = root_.open_beneath(rel_file);
      const int err = fd < 0 ? fd : read_fd(fd, text, kMaxResultsBytes);
      if (err < 0) {
        run->error = "cannot read " + rel_file + ": " + std::strerror(-err);
      } else {
        try {
          result = std::make_shared<const results::RunResult>(results::read_fio_json(text));
        } catch (const std::exception& ex) {
          run->error = rel_file + ": " + ex.what();
        }
      }
      if (result) run->summary = summarise_run(*result);
      else run->summary.status = RunStatus::unreadable;
      run->timestamp = result && result->timestamp ? result->timestamp : j->mtime;
    }
    // Results still being written (a checkpoint; fio's --output file before
    // fio fills it at the end) are looked at again at every check.
    if (run->summary.in_progress || !run->error.empty()) st.watched.push_back({rel_file, j->mtime_ns, j->size});
    // In a folder of fio outputs, a JSON that is not fio's is just a file.
    if (!data_layout && !run->error.empty()) continue;
    std::string stem = stem_of(j->name);
    if (rel_dir.empty() && stem == "results") {
      // Serving one run directory itself: name the run after the directory.
      const size_t slash = root_.path().rfind('/');
      if (slash != std::string::npos && slash + 1 < root_.path().size()) stem = root_.path().substr(slash + 1);
    }
    if (jsons.size() == 1 || data_layout) {
      run->id = id_hint.empty() ? stem : id_hint;
    } else {
      run->id = id_hint.empty() ? stem : id_hint + "-" + stem;
    }
    if (jsons.size() > 1) {
      // Several fio outputs share a folder: give each the logs named after its
      // jobs (fio's default log prefix is the job name); all when none match.
      const auto& names = run->summary.job_names;
      std::vector<LogInfo> mine;
      for (const auto& l : run->logs) {
        if (std::find(names.begin(), names.end(), l.name.prefix) != names.end()) mine.push_back(l);
      }
      if (!mine.empty()) run->logs = std::move(mine);
    }
    fill_headline(*run);
    st.runs.push_back(std::move(run));
  }
  st.watch_dir = st.watch_dir || st.racy || !st.watched.empty();
  return st;
}

std::shared_ptr<const IndexSnapshot> RunIndex::make_snapshot() {
  std::vector<std::shared_ptr<const RunInfo>> found;
  for (const auto& [rel, st] : dirs_) found.insert(found.end(), st.runs.begin(), st.runs.end());
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return a->timestamp != b->timestamp ? a->timestamp > b->timestamp : a->id > b->id;
  });
  auto snap = std::make_shared<IndexSnapshot>();
  snap->index = this;
  snap->runs.reserve(found.size());
  for (auto& r : found) {
    // Ids must be unique in URLs; a clash (a.json beside a/) gets a suffix.
    std::string id = r->id.empty() ? "run" : r->id;
    for (int n = 2; snap->by_id.count(id); ++n) id = r->id + "~" + std::to_string(n);
    if (id != r->id) {
      auto copy = std::make_shared<RunInfo>(*r);
      copy->id = id;
      r = std::move(copy);
    }
    snap->by_id[id] = r;
    snap->runs.push_back(r);
  }
  snap->built = std::chrono::steady_clock::now();
  return snap;
}

}  // namespace fiokit::serve
