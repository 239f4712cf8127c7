// The coordinator's state machine (cluster_state.hpp).
#include "serve/cluster_state.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "results/run_dir.hpp"
#include "serve/cluster_files.hpp"
#include "serve/cluster_finalise.hpp"
#include "util/exception_text.hpp"

namespace fiokit::serve::cluster {

namespace {

using nlohmann::ordered_json;

std::string seconds_text(std::chrono::milliseconds d) { return fmt::format("{:g} s", d.count() / 1000.0); }

std::string member_name(const Member& m) {
  return m.host.empty() ? fmt::format("member {}", m.index) : fmt::format("member {} (host {})", m.index, m.host);
}

// A failed member's error from its done: "exit code N[: its error]".
std::string exit_error(const DoneRequest& req) {
  return req.error.empty() ? fmt::format("exit code {}", req.exit_code)
                           : fmt::format("exit code {}: {}", req.exit_code, req.error);
}

bool all_terminal(const Run& r) {
  return std::all_of(r.members.begin(), r.members.end(),
                     [](const Member& m) { return m.state == "done" || m.state == "failed"; });
}

std::string join_indices(const std::vector<int>& v) {
  std::string s;
  for (const int i : v) s += (s.empty() ? "" : ", ") + std::to_string(i);
  return s;
}

Reply json_reply(int status, const ordered_json& j) { return {status, j.dump()}; }

}  // namespace

Reply error_reply(int status, const std::string& message) { return json_reply(status, {{"error", message}}); }

Coordinator::Coordinator(std::string data_dir, ClusterOptions opt) : data_dir_(std::move(data_dir)), opt_(std::move(opt)) {
  const int64_t now_ms = unix_ms_now();
  for (Run& r : load_runs(data_dir_)) {
    auto prev = current_.find(r.run);
    if (prev != current_.end()) {
      if (!runs_.at(prev->second).finalised && !r.finalised) {
        fmt::print(stderr, "fiokit serve: cluster run {}: {} is not finished but {} is newer; only the newer goes on\n",
                   r.run, prev->second, r.run_dir);
      }
      runs_.erase(prev->second);
      live_.erase(prev->second);
    }
    // The coordinator was away: no member is blamed for that time.
    for (Member& m : r.members) {
      if (m.last_seen_ms != 0 && !r.finalised) m.last_seen_ms = now_ms;
    }
    if (!r.finalised) live_[r.run_dir] = Live{};
    current_[r.run] = r.run_dir;
    runs_[r.run_dir] = std::move(r);
  }
  ticker_ = std::thread([this] { tick(); });
}

Coordinator::~Coordinator() { stop(); }

void Coordinator::stop() {
  {
    std::lock_guard<std::mutex> lk(m_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

std::string Coordinator::host_dir(const Run& r, int index) const {
  return fmt::format("{}/{}/hosts/{}", data_dir_, r.run_dir, index);
}

Run* Coordinator::current(const std::string& run) {
  const auto it = current_.find(run);
  return it == current_.end() ? nullptr : &runs_.at(it->second);
}

Reply Coordinator::save_locked(Run& r, Reply ok) {
  try {
    save_run(data_dir_, r);
  } catch (const std::exception& e) {
    return error_reply(500, e.what());
  }
  return ok;
}

void Coordinator::mark_dirty_locked(const Run& r) {
  if (auto it = live_.find(r.run_dir); it != live_.end()) it->second.dirty = true;
}

Reply Coordinator::join(const std::string& name, const JoinRequest& req) {
  std::lock_guard<std::mutex> lk(m_);
  const int64_t now = unix_ns_now();
  Run* r = current(name);
  // A run that failed before it started still answers 410 to its late and
  // polling members for one timeout; after that, and after any run that
  // ended, the name starts a new run.
  if (r && r->finalised) {
    const bool recent_join_failure =
        r->state == "failed" && r->start_unix_ns == 0 &&
        now - r->ended_unix_ns < std::chrono::duration_cast<std::chrono::nanoseconds>(opt_.timeout).count();
    if (recent_join_failure) return error_reply(410, r->error);
    r = nullptr;
  }
  if (!r) {
    if (req.index >= req.size)
      return error_reply(409, fmt::format("index {} is out of range for size {}", req.index, req.size));
    Run fresh;
    fresh.run = name;
    fresh.size = req.size;
    fresh.job_sha256 = req.job_sha256;
    fresh.created_unix_ns = now;
    for (int i = 0; i < req.size; ++i) fresh.members.push_back(Member{i});
    try {
      const std::string dir = results::create_run_dir(data_dir_, results::make_run_id(now / 1000000000, name));
      fresh.run_dir = "runs/" + dir.substr(dir.rfind('/') + 1);
    } catch (const std::exception& e) {
      return error_reply(500, e.what());
    }
    current_[name] = fresh.run_dir;
    live_[fresh.run_dir] = Live{};
    r = &(runs_[fresh.run_dir] = std::move(fresh));
  }
  if (req.size != r->size)
    return error_reply(409, fmt::format("size {} differs from cluster run {}'s size {}", req.size, name, r->size));
  if (req.index >= r->size)
    return error_reply(409, fmt::format("index {} is out of range for size {}", req.index, r->size));
  if (r->state == "failed") return error_reply(410, r->error);
  if (req.job_sha256 != r->job_sha256) {
    return error_reply(409, fmt::format("job_sha256 {} differs from the job of cluster run {}'s first member ({})",
                                        req.job_sha256, name, r->job_sha256));
  }
  Member& m = r->members[static_cast<size_t>(req.index)];
  if (m.state == "failed") return error_reply(410, fmt::format("{} was marked failed: {}", member_name(m), m.error));
  bool changed = false;
  if (m.state == "missing") {
    try {
      make_host_dir(host_dir(*r, req.index));
    } catch (const std::exception& e) {
      return error_reply(500, e.what());
    }
    m.state = "joined";
    changed = true;
  }
  if (m.host != req.host) {
    m.host = req.host;  // a pod restarted on another node
    changed = true;
  }
  const bool first_seen = m.last_seen_ms == 0;
  m.last_seen_ms = now / 1000000;
  if (r->state == "joining" &&
      std::all_of(r->members.begin(), r->members.end(), [](const Member& x) { return x.state != "missing"; })) {
    r->start_unix_ns = now + std::chrono::duration_cast<std::chrono::nanoseconds>(opt_.start_delay).count();
    r->state = "running";
    for (Member& x : r->members) x.state = "running";
    changed = true;
  }
  Reply ok;
  if (r->state == "running") {
    ok = json_reply(200, {{"state", "start"}, {"start_unix_ns", r->start_unix_ns}, {"run_dir", r->run_dir}});
  } else {
    ordered_json joined = ordered_json::array(), missing = ordered_json::array();
    for (const Member& x : r->members) (x.state == "missing" ? missing : joined).push_back(x.index);
    ok = json_reply(202, {{"state", "waiting"}, {"joined", joined}, {"missing", missing}, {"retry_ms", 250}});
  }
  if (!changed && !first_seen) return ok;
  mark_dirty_locked(*r);
  return save_locked(*r, ok);
}

Reply Coordinator::state(const std::string& name) {
  std::lock_guard<std::mutex> lk(m_);
  const Run* r = current(name);
  if (!r) return error_reply(404, fmt::format("no cluster run named {}", name));
  return {200, run_to_json(*r)};
}

// Under m_: the member may send data (its run started and has not ended, it
// has not failed); r is set to the run when there is one.
std::optional<Reply> Coordinator::admit_locked(Run*& r, const std::string& name, int index) {
  r = current(name);
  if (!r) return error_reply(404, fmt::format("no cluster run named {}", name));
  if (index >= r->size)
    return error_reply(409, fmt::format("index {} is out of range for size {}", index, r->size));
  if (r->state == "joining") return error_reply(409, fmt::format("cluster run {} has not started yet", name));
  if (r->finalised) {
    return error_reply(410, r->error.empty() ? fmt::format("cluster run {} is over ({})", name, r->state) : r->error);
  }
  if (r->state == "failed") return error_reply(410, r->error);
  const Member& m = r->members[static_cast<size_t>(index)];
  if (m.state == "failed") return error_reply(410, fmt::format("{} was marked failed: {}", member_name(m), m.error));
  return std::nullopt;
}

std::optional<Reply> Coordinator::admit(const std::string& name, int index, Admission& out) {
  std::lock_guard<std::mutex> lk(m_);
  Run* r = nullptr;
  if (auto refused = admit_locked(r, name, index)) return refused;
  // A member that posted done sends nothing more: its files were checked
  // against done's list and the final merge may be reading them.
  if (const Member& m = r->members[static_cast<size_t>(index)]; m.state == "done")
    return error_reply(410, fmt::format("{} is done: its files are final", member_name(m)));
  r->members[static_cast<size_t>(index)].last_seen_ms = unix_ms_now();
  out.host_dir = host_dir(*r, index);
  out.run_dir = r->run_dir;
  return std::nullopt;
}

void Coordinator::heard(const std::string& name, int index, int64_t started_unix_ns) {
  std::lock_guard<std::mutex> lk(m_);
  Run* r = current(name);
  if (!r || r->finalised || index >= r->size) return;
  Member& m = r->members[static_cast<size_t>(index)];
  m.last_seen_ms = unix_ms_now();
  mark_dirty_locked(*r);
  if (started_unix_ns != 0 && m.started_unix_ns != started_unix_ns) {
    m.started_unix_ns = started_unix_ns;
    (void)save_locked(*r, {});  // not a change of state: a failed write is caught by the next one
  }
}

Reply Coordinator::done(const std::string& name, int index, const DoneRequest& req) {
  std::unique_lock<std::mutex> lk(m_);
  // A member that ends with an error before the start (a signal at the
  // barrier: its pod deleted; a setup failure) fails the run now, naming it:
  // the barrier cannot open without it, and the others' joins get 410 at
  // once rather than after the join timeout.
  if (Run* j = current(name); j && !j->finalised && j->state == "joining" && index < j->size && req.exit_code != 0) {
    Member& m = j->members[static_cast<size_t>(index)];
    m.state = "failed";
    m.exit_code = req.exit_code;
    m.error = exit_error(req);
    j->state = "failed";
    j->ended_unix_ns = unix_ns_now();
    j->error = fmt::format("cluster run {} failed: {} ended before the start: {}", j->run, member_name(m), m.error);
    mark_dirty_locked(*j);
    Reply reply = save_locked(*j, json_reply(200, ordered_json{{"run_dir", j->run_dir}}));
    wake_ = true;
    cv_.notify_all();
    return reply;
  }
  Run* r = nullptr;
  if (auto refused = admit_locked(r, name, index)) return *refused;
  const std::string dir = host_dir(*r, index);
  for (const DoneFile& f : req.files) {
    const int64_t size = member_file_size(dir, f.path);
    if (size < 0) {
      return error_reply(409, fmt::format("file {} of member {} is not on the coordinator ({})", f.path, index,
                                          std::strerror(static_cast<int>(-size))));
    }
    if (static_cast<uint64_t>(size) != f.size) {
      return error_reply(409, fmt::format("file {} of member {} has {} bytes on the coordinator, not {}", f.path,
                                          index, size, f.size));
    }
  }
  Member& m = r->members[static_cast<size_t>(index)];
  const ordered_json ok = {{"run_dir", r->run_dir}};
  m.last_seen_ms = unix_ms_now();
  if (m.state == "done") return json_reply(200, ok);  // a retry whose answer was lost
  m.exit_code = req.exit_code;
  if (req.started_unix_ns != 0) m.started_unix_ns = req.started_unix_ns;
  if (req.exit_code == 0) {
    m.state = "done";
  } else {
    m.state = "failed";
    m.error = exit_error(req);
  }
  mark_dirty_locked(*r);
  Reply reply = save_locked(*r, json_reply(200, ok));
  if (all_terminal(*r)) {
    wake_ = true;
    cv_.notify_all();
  }
  return reply;
}

bool Coordinator::claim_upload(const std::string& key) {
  std::lock_guard<std::mutex> lk(m_);
  return uploads_.insert(key).second;
}

void Coordinator::release_upload(const std::string& key) {
  std::lock_guard<std::mutex> lk(m_);
  uploads_.erase(key);
}

void Coordinator::check_timeouts_locked(int64_t now_ns) {
  const int64_t timeout_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(opt_.timeout).count();
  for (auto& [dir, r] : runs_) {
    if (r.finalised || r.state == "failed") continue;
    bool changed = false;
    if (r.state == "joining" && now_ns - r.created_unix_ns >= timeout_ns) {
      std::vector<int> missing;
      for (const Member& m : r.members)
        if (m.state == "missing") missing.push_back(m.index);
      r.state = "failed";
      r.ended_unix_ns = now_ns;
      r.error = fmt::format("cluster run {} failed: member{} {} did not join within {}", r.run,
                            missing.size() == 1 ? "" : "s", join_indices(missing), seconds_text(opt_.timeout));
      changed = true;
    } else if (r.state == "running") {
      const int64_t start_ms = r.start_unix_ns / 1000000;
      for (Member& m : r.members) {
        if (m.state != "running") continue;
        const int64_t since = std::max(m.last_seen_ms, start_ms);
        if (now_ns / 1000000 - since < opt_.timeout.count()) continue;
        m.state = "failed";
        m.error = fmt::format("{}: no status for {}", member_name(m), seconds_text(opt_.timeout));
        changed = true;
      }
    }
    if (changed) {
      mark_dirty_locked(r);
      const Reply saved = save_locked(r, {});
      if (saved.status != 200) fmt::print(stderr, "fiokit serve: cluster run {}: {}\n", r.run, saved.body);
    }
  }
}

void Coordinator::tick() {
  std::unique_lock<std::mutex> lk(m_);
  while (!stopping_) {
    cv_.wait_for(lk, opt_.tick, [this] { return stopping_ || wake_; });
    wake_ = false;
    if (stopping_) break;
    check_timeouts_locked(unix_ns_now());
    // Runs to finish (every member ended, or failed before starting) and
    // runs in progress whose results.json is due.
    std::vector<std::pair<std::string, bool>> work;
    const auto now = std::chrono::steady_clock::now();
    for (auto& [dir, r] : runs_) {
      if (r.finalised) continue;
      if (r.state == "failed" || (r.state == "running" && all_terminal(r))) {
        Live& l = live_[dir];
        if (l.failed && now - l.written < opt_.live_refresh) continue;  // a failed write is not retried at once
        l.written = now;
        work.emplace_back(dir, true);
      } else if (Live& l = live_[dir]; l.dirty && now - l.written >= opt_.live_refresh) {
        l.dirty = false;
        l.written = now;
        work.emplace_back(dir, false);
      }
    }
    for (const auto& [dir, final] : work) {
      lk.unlock();
      write_results(dir, final);
      lk.lock();
      if (stopping_) break;
    }
  }
}

// On the ticker thread only; takes m_ for the snapshot and the end.
void Coordinator::write_results(const std::string& run_dir, bool final) {
  Run snap;
  {
    std::lock_guard<std::mutex> lk(m_);
    snap = runs_.at(run_dir);
  }
  std::vector<std::pair<int, std::string>> dropped;
  try {
    std::string text = merge_run(data_dir_, snap, !final, &dropped);
    results::write_file_atomic(data_dir_ + "/" + run_dir, "results.json", text);
    std::lock_guard<std::mutex> lk(m_);
    if (auto it = live_.find(run_dir); it != live_.end()) it->second.failed = false;
  } catch (const std::exception& e) {
    fmt::print(stderr, "fiokit serve: cluster run {}: cannot write results.json: {}\n", snap.run, e.what());
    std::lock_guard<std::mutex> lk(m_);
    if (auto it = live_.find(run_dir); it != live_.end()) {
      it->second.dirty = true;  // tried again after live_refresh
      it->second.failed = true;
    }
    return;
  }
  if (!final) return;
  // A member whose results could not be read is failed in the merge: it is
  // failed in cluster.json (and so in /metrics and the run's error) too.
  for (const auto& [index, why] : dropped) {
    Member& m = snap.members[static_cast<size_t>(index)];
    if (m.state == "missing") continue;
    m.state = "failed";
    m.error += (m.error.empty() ? "" : "; ") + why;
  }
  if (snap.state != "failed") {
    std::vector<std::string> failed;
    for (const Member& m : snap.members)
      if (m.state == "failed") failed.push_back(m.error.find(member_name(m)) == 0 ? m.error : member_name(m) + ": " + m.error);
    snap.state = failed.empty() ? "done" : "failed";
    if (!failed.empty()) {
      snap.error = fmt::format("cluster run {} failed: ", snap.run);
      for (size_t i = 0; i < failed.size(); ++i) snap.error += (i ? "; " : "") + failed[i];
    }
    snap.ended_unix_ns = unix_ns_now();
  }
  std::lock_guard<std::mutex> lk(m_);
  Run& r = runs_.at(run_dir);
  for (const auto& [index, why] : dropped) r.members[static_cast<size_t>(index)] = snap.members[static_cast<size_t>(index)];
  r.state = snap.state;
  r.error = snap.error;
  if (r.ended_unix_ns == 0) r.ended_unix_ns = snap.ended_unix_ns;
  r.finalised = true;
  live_.erase(run_dir);
  const Reply saved = save_locked(r, {});
  if (saved.status != 200) fmt::print(stderr, "fiokit serve: cluster run {}: {}\n", r.run, saved.body);
}

}  // namespace fiokit::serve::cluster
