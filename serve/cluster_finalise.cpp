// The merged results.json of a cluster run (cluster_finalise.hpp).
#include "serve/cluster_finalise.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "serve/confine.hpp"

namespace fiokit::serve::cluster {

namespace {

constexpr size_t kMaxMemberFile = 256u << 20;  // a member's results.json or status.json read for the merge

// ---- Until h18-merge lands: the merge library's interface
// (results/cluster_merge.hpp) and a minimal merge of its own: every host's
// jobs and the "cluster" members, no aggregate. Deleted with the merge.
struct ClusterMember {
  int index = 0;
  std::string host;
  std::string state;
  int exit_code = 0;
  std::string error;
  int64_t started_unix_ns = 0;
  std::string results_json;
};
struct ClusterMeta {
  std::string run;
  int size = 0;
  int64_t start_unix_ns = 0;
  bool incomplete = false;
};
std::string merge_minimal_until_h18_merge(const ClusterMeta& meta, const std::vector<ClusterMember>& members) {
  using nlohmann::ordered_json;
  ordered_json out = {{"fio version", "fiokit"}, {"timestamp", 0}, {"timestamp_ms", 0}, {"time", ""}};
  ordered_json jobs = ordered_json::array(), list = ordered_json::array(), failed = ordered_json::array();
  int64_t min_start = 0, max_start = 0;
  for (const ClusterMember& m : members) {
    if (!m.results_json.empty()) {
      ordered_json doc;
      try {
        doc = ordered_json::parse(m.results_json);
      } catch (const std::exception& e) {
        throw std::runtime_error(fmt::format("member {}: {}", m.index, e.what()));
      }
      if (!doc.is_object() || !doc.contains("jobs") || !doc["jobs"].is_array())
        throw std::runtime_error(fmt::format("member {}: no \"jobs\"", m.index));
      const int64_t ts = doc.value("timestamp", int64_t{0});
      if (ts != 0 && (out["timestamp"] == 0 || ts < out["timestamp"].get<int64_t>())) {
        out["timestamp"] = ts;
        out["timestamp_ms"] = doc.value("timestamp_ms", int64_t{0});
        out["time"] = doc.value("time", std::string());
      }
      if (out["fio version"] == "fiokit" && doc.contains("fio version")) out["fio version"] = doc["fio version"];
      for (auto& j : doc["jobs"]) {
        j["hostname"] = m.host;
        j["fiokit"]["host_index"] = m.index;
        jobs.push_back(std::move(j));
      }
    }
    if (m.started_unix_ns != 0) {
      min_start = min_start == 0 ? m.started_unix_ns : std::min(min_start, m.started_unix_ns);
      max_start = std::max(max_start, m.started_unix_ns);
    }
    list.push_back({{"index", m.index}, {"host", m.host}, {"state", m.state}, {"exit_code", m.exit_code},
                    {"error", m.error}, {"started_unix_ns", m.started_unix_ns}});
    if (m.state == "failed" || m.state == "missing")
      failed.push_back({{"index", m.index}, {"host", m.host}, {"state", m.state}, {"error", m.error}});
  }
  out["jobs"] = std::move(jobs);
  out["cluster"] = {{"run", meta.run},
                    {"size", meta.size},
                    {"start_unix_ns", meta.start_unix_ns},
                    {"start_skew_ms", min_start == 0 ? ordered_json() : ordered_json((max_start - min_start) / 1e6)},
                    {"members", list},
                    {"failed", failed}};
  if (meta.incomplete) out["fiokit"] = {{"incomplete", true}};
  return out.dump(2) + "\n";
}
// ---- end of the part deleted with the merge library.

// A member file's text, or "" with *why set.
std::string read_member_file(const std::string& host_dir, const char* name, std::string* why) {
  try {
    const Root root(host_dir);
    const int fd = root.open_beneath(name);
    std::string text;
    const int err = fd < 0 ? fd : read_fd(fd, text, kMaxMemberFile);
    if (err == -ENOENT) return {};
    if (err < 0) {
      *why = fmt::format("cannot read {}: {}", name, std::strerror(-err));
      return {};
    }
    return text;
  } catch (const std::system_error&) {
    return {};  // no hosts/I yet: nothing sent
  }
}

}  // namespace

std::string merge_run(const std::string& data_dir, const Run& r, bool incomplete) {
  ClusterMeta meta{r.run, r.size, r.start_unix_ns, incomplete};
  std::vector<ClusterMember> members;
  for (const Member& m : r.members) {
    ClusterMember c{m.index, m.host, m.state, m.exit_code, m.error, m.started_unix_ns, {}};
    const std::string dir = fmt::format("{}/{}/hosts/{}", data_dir, r.run_dir, m.index);
    std::string why;
    if (m.state == "done" || m.state == "failed") c.results_json = read_member_file(dir, "results.json", &why);
    if (c.results_json.empty() && m.state != "missing") c.results_json = read_member_file(dir, "status.json", &why);
    if (!why.empty()) c.error += (c.error.empty() ? "" : "; ") + why;
    members.push_back(std::move(c));
  }
  try {
    return merge_minimal_until_h18_merge(meta, members);
  } catch (const std::exception& first) {
    // Which member's file the merge could not read: each is merged alone,
    // and the ones that fail are merged without their results.
    bool dropped = false;
    for (ClusterMember& c : members) {
      if (c.results_json.empty()) continue;
      try {
        (void)merge_minimal_until_h18_merge(meta, {c});
      } catch (const std::exception& e) {
        c.results_json.clear();
        if (c.state != "missing") c.state = "failed";  // in the merge: its figures are not summed
        c.error += (c.error.empty() ? "" : "; ") + fmt::format("results not readable: {}", e.what());
        dropped = true;
      }
    }
    if (!dropped) throw std::runtime_error(first.what());
    return merge_minimal_until_h18_merge(meta, members);
  }
}

}  // namespace fiokit::serve::cluster
