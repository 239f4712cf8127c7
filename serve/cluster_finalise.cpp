// The merged results.json of a cluster run (cluster_finalise.hpp).
#include "serve/cluster_finalise.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdint>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "results/cluster_merge.hpp"
#include "serve/confine.hpp"

namespace fiokit::serve::cluster {

namespace {

constexpr size_t kMaxMemberFile = 256u << 20;  // a member's results.json or status.json read for the merge

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

std::string merge_run(const std::string& data_dir, const Run& r, bool incomplete,
                      std::vector<std::pair<int, std::string>>* dropped_members) {
  results::ClusterMeta meta{r.run, r.size, r.start_unix_ns, incomplete};
  std::vector<results::ClusterMember> members;
  for (const Member& m : r.members) {
    results::ClusterMember c{m.index, m.host, m.state, m.exit_code, m.error, m.started_unix_ns, {}};
    const std::string dir = fmt::format("{}/{}/hosts/{}", data_dir, r.run_dir, m.index);
    std::string why;
    if (m.state == "done" || m.state == "failed") c.results_json = read_member_file(dir, "results.json", &why);
    if (c.results_json.empty() && m.state != "missing") c.results_json = read_member_file(dir, "status.json", &why);
    if (!why.empty()) c.error += (c.error.empty() ? "" : "; ") + why;
    members.push_back(std::move(c));
  }
  try {
    return results::merge_cluster_results(meta, members);
  } catch (const std::exception& first) {
    // Which member's file the merge could not read: each is merged alone,
    // and the ones that fail are merged without their results.
    bool dropped = false;
    for (results::ClusterMember& c : members) {
      if (c.results_json.empty()) continue;
      try {
        (void)results::merge_cluster_results(meta, {c});
      } catch (const std::exception& e) {
        c.results_json.clear();
        if (c.state != "missing") c.state = "failed";  // in the merge: its figures are not summed
        const std::string why = fmt::format("results not readable: {}", e.what());
        c.error += (c.error.empty() ? "" : "; ") + why;
        if (dropped_members) dropped_members->emplace_back(c.index, why);
        dropped = true;
      }
    }
    if (!dropped) throw std::runtime_error(first.what());
    return results::merge_cluster_results(meta, members);
  }
}

}  // namespace fiokit::serve::cluster
