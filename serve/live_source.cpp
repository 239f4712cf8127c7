// See live_source.hpp.
#include "serve/live_source.hpp"

#include <sys/stat.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "results/json_reader.hpp"
#include "util/fd.hpp"
#include "util/wall_clock.hpp"

namespace fiokit::serve {

namespace {

constexpr size_t kMaxFileBytes = 64u << 20;  // a json+ snapshot of many jobs is a few MB

template <typename T>
T get_or(const nlohmann::json& o, const char* key, T fallback) {
  const auto it = o.find(key);
  if (it == o.end()) return fallback;
  if constexpr (std::is_same_v<T, std::string>) {
    return it->is_string() ? it->get<std::string>() : fallback;
  } else {
    // Integers only, and only in T's range: a float or a huge number in a
    // damaged file must not become an out-of-range conversion.
    if (!it->is_number_integer()) return fallback;
    if (it->is_number_unsigned()) {
      const auto u = it->get<uint64_t>();
      return u <= static_cast<uint64_t>(std::numeric_limits<T>::max()) ? static_cast<T>(u) : fallback;
    }
    const auto v = it->get<int64_t>();
    return v >= std::numeric_limits<T>::min() && v <= std::numeric_limits<T>::max() ? static_cast<T>(v) : fallback;
  }
}

// cluster.json as the coordinator writes it (docs/cluster-protocol.md, the
// same keys as GET /api/cluster/RUN); unknown keys are ignored, missing ones
// left at their defaults. Throws std::runtime_error when it is not an object.
ClusterInfo parse_cluster(const std::string& text) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) throw std::runtime_error("cluster.json is not a JSON object");
  ClusterInfo c;
  c.run = get_or<std::string>(j, "run", "");
  c.state = get_or<std::string>(j, "state", "");
  c.size = get_or<int>(j, "size", 0);
  c.start_unix_ns = get_or<int64_t>(j, "start_unix_ns", 0);
  if (const auto m = j.find("members"); m != j.end() && m->is_array()) {
    for (const auto& e : *m) {
      if (!e.is_object() || c.members.size() >= LiveSource::kMaxMembers) continue;
      ClusterMemberInfo mi;
      mi.index = get_or<int>(e, "index", -1);
      if (mi.index < 0 || mi.index >= static_cast<int>(LiveSource::kMaxMembers)) continue;
      mi.host = get_or<std::string>(e, "host", "");
      mi.state = get_or<std::string>(e, "state", "");
      mi.error = get_or<std::string>(e, "error", "");
      mi.exit_code = get_or<int>(e, "exit_code", 0);
      mi.started_unix_ns = get_or<int64_t>(e, "started_unix_ns", 0);
      c.members.push_back(std::move(mi));
    }
  }
  return c;
}

}  // namespace

uint64_t LiveSource::looks() const { return looks_.load(); }

uint64_t LiveSource::parses() const {
  std::lock_guard<std::mutex> lk(m_);
  return parses_;
}

bool LiveSource::load(const std::string& rel, bool is_cluster, Entry* out) {
  ++looks_;
  util::Fd fd(root_.open_beneath(rel));
  struct stat st;
  if (!fd || ::fstat(fd.get(), &st) != 0) return false;
  const int64_t mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  const auto size = static_cast<uint64_t>(st.st_size);
  auto fresh = [&](const Entry& e) { return e.mtime_ns == mtime_ns && e.size == size; };
  {
    std::lock_guard<std::mutex> lk(m_);
    if (auto it = entries_.find(rel); it != entries_.end() && fresh(it->second.first)) {
      lru_.splice(lru_.begin(), lru_, it->second.second);
      *out = it->second.first;
      return true;
    }
  }
  // Read and parse without the lock: a big snapshot never holds up the others.
  std::string text;
  if (read_fd(fd.release(), text, kMaxFileBytes) < 0) return false;
  std::shared_ptr<const HostSnapshot> snap;
  std::shared_ptr<const ClusterInfo> cluster;
  try {
    if (is_cluster) cluster = std::make_shared<const ClusterInfo>(parse_cluster(text));
    else snap = std::make_shared<const HostSnapshot>(snapshot_of(results::read_fio_json(text), mtime_ns / 1'000'000));
  } catch (const std::exception&) {
    return false;  // a file being replaced by a writer that does not rename, or not ours
  }
  std::lock_guard<std::mutex> lk(m_);
  ++parses_;
  auto it = entries_.find(rel);
  if (it == entries_.end()) {
    lru_.push_front(rel);
    it = entries_.emplace(rel, std::make_pair(Entry{}, lru_.begin())).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.second);
  }
  Entry& e = it->second.first;
  if (!fresh(e)) {  // another request may have stored this very version meanwhile
    e.mtime_ns = mtime_ns;
    e.size = size;
    e.cluster = cluster;
    if (snap) {
      // A newer snapshot moves the current one back; a rewrite of the same
      // moment (or an older one) only replaces it.
      if (e.cur && snap->t_ms > e.cur->t_ms) e.prev = e.cur;
      else if (e.cur && snap->t_ms < e.cur->t_ms) e.prev = nullptr;
      e.cur = snap;
    }
  }
  *out = e;
  while (entries_.size() > kMaxEntries) {
    entries_.erase(lru_.back());
    lru_.pop_back();
  }
  return true;
}

bool LiveSource::cluster_of(const RunInfo& run, ClusterInfo* out, int64_t* mtime_ms) {
  Entry e;
  if (!load(run.rel_path("cluster.json"), true, &e) || !e.cluster) return false;
  *out = *e.cluster;
  if (mtime_ms) *mtime_ms = e.mtime_ns / 1'000'000;
  return true;
}

LiveRun LiveSource::read(const RunInfo& run) {
  LiveRun lr;
  lr.id = run.id;
  if (cluster_of(run, &lr.info, &lr.changed_ms)) {
    lr.cluster = true;
    lr.state = lr.info.state == "done" || lr.info.state == "failed" ? "finished" : "running";
    if (plausible_ms(lr.info.start_unix_ns / 1'000'000)) lr.start_ms = lr.info.start_unix_ns / 1'000'000;
    for (const auto& m : lr.info.members) {
      LiveHost h;
      h.index = m.index;
      h.host = m.host;
      h.state = m.state;
      const std::string base = run.rel_path("hosts/" + std::to_string(m.index) + "/");
      Entry e;
      // The member's uploaded results once it finished; its latest status before.
      if (load(base + "results.json", false, &e) && e.cur && !e.cur->incomplete) {
        h.cur = e.cur;
        h.final = true;
      } else if (load(base + "status.json", false, &e)) {
        h.cur = e.cur;
        h.prev = e.prev;
      }
      if (h.host.empty() && h.cur) h.host = h.cur->hostname;
      lr.hosts.push_back(std::move(h));
    }
    return lr;
  }
  Entry e;
  if (run.results_file.empty() || !load(run.rel_path(run.results_file), false, &e) || !e.cur ||
      !e.cur->incomplete) {
    lr.state = "finished";
    return lr;
  }
  lr.changed_ms = e.mtime_ns / 1'000'000;
  lr.state = util::unix_ms_now() - lr.changed_ms > kStaleMs ? "stalled" : "running";
  lr.start_ms = e.cur->start_ms;
  LiveHost h;
  h.host = e.cur->hostname;
  h.state = lr.state;
  h.cur = e.cur;
  h.prev = e.prev;
  lr.hosts.push_back(std::move(h));
  return lr;
}

}  // namespace fiokit::serve
