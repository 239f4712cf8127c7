// See listing.hpp. The JSON is built with nlohmann (strings escaped by the
// library, every control character included) on top of to_json_object, so a
// listing row is exactly a VolumeInfo document plus the listing's own fields.
#include "volumes/listing.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "volumes/mounts.hpp"

namespace fiokit::volumes {

namespace {
bool under(const std::string& path, const std::string& top) {
  return path == top || path.compare(0, top.size() + 1, top + "/") == 0;
}
}  // namespace

std::string suggest_directory(const std::string& dir, const std::string& fstype, std::string& why) {
  // Kernel interfaces, not storage: files there are not a benchmark's.
  if (is_pseudo_fs(fstype) || under(dir, "/proc") || under(dir, "/sys") || under(dir, "/dev/pts")) {
    why = "not a volume";
    return "";
  }
  if (dir != "/") return dir;
  // The root filesystem is a volume worth measuring, its top directory no
  // place for a job's files: a writable scratch directory on it is.
  struct stat root {};
  if (::stat("/", &root) != 0) {
    why = "name a directory";
    return "";
  }
  std::vector<std::string> candidates;
  for (const char* env : {"TMPDIR"})
    if (const char* v = std::getenv(env); v && *v == '/') candidates.emplace_back(v);
  candidates.insert(candidates.end(), {"/var/tmp", "/tmp"});
  if (const char* home = std::getenv("HOME"); home && *home == '/' && std::string(home) != "/") candidates.emplace_back(home);
  for (std::string c : candidates) {
    while (c.size() > 1 && c.back() == '/') c.pop_back();
    struct stat st {};
    if (c == "/" || ::stat(c.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_dev != root.st_dev) continue;
    if (::access(c.c_str(), W_OK | X_OK) == 0) return c;
  }
  why = "name a directory";
  return "";
}

std::vector<MountEntry> unique_mount_points(const std::vector<MountEntry>& mounts) {
  std::vector<MountEntry> out;
  for (const MountEntry& m : mounts) {
    const auto it = std::find_if(out.begin(), out.end(), [&](const MountEntry& o) { return o.mount_point == m.mount_point; });
    if (it != out.end()) out.erase(it);
    out.push_back(m);
  }
  return out;
}

VolumeRow describe_row(const std::string& path) {
  VolumeRow r;
  r.info = describe(path);
  if (r.info.is_block_device) {
    r.suggestion = r.info.mount_point.empty() ? "filename=" + path : "";
    if (!r.info.mount_point.empty()) r.why_none = "mounted at " + r.info.mount_point;
    return r;
  }
  struct stat st {};
  const std::string dir = ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode) ? path : r.info.resolved;
  if (r.info.read_only) {
    r.why_none = "read-only";
    return r;
  }
  const std::string use = suggest_directory(dir, r.info.fstype, r.why_none);
  if (use.empty()) return r;
  r.direct = probe_o_direct(use);
  r.suggestion = "directory=" + use;
  return r;
}

std::vector<VolumeRow> list_mounted(bool all) {
  // One row per filesystem: bind mounts of an already listed one (same
  // device numbers) measure the same volume.
  std::vector<VolumeRow> rows;
  std::vector<std::pair<unsigned, unsigned>> listed;
  for (const auto& m : all ? unique_mount_points(read_mounts()) : read_mounts()) {
    if (!all && !worth_benchmarking(m)) continue;
    const std::pair<unsigned, unsigned> dev{m.major, m.minor};
    if (!all && std::find(listed.begin(), listed.end(), dev) != listed.end()) continue;
    listed.push_back(dev);
    rows.push_back(describe_row(m.mount_point));
  }
  return rows;
}

std::string listing_json(const std::vector<VolumeRow>& rows) {
  // Every value is serialised by nlohmann; only the layout is ours: one volume
  // per line, as `fiokit volumes --json` has always printed it (grep-friendly).
  std::string out = "{\"volumes\": [";
  for (size_t i = 0; i < rows.size(); ++i) {
    const VolumeRow& r = rows[i];
    nlohmann::ordered_json o = to_json_object(r.info);
    o["o_direct"] = r.direct == 1 ? nlohmann::ordered_json(true) : r.direct == 0 ? nlohmann::ordered_json(false) : nullptr;
    o["suggested_job"] = r.suggestion;
    out += (i ? ",\n  " : "\n  ") + dump_json(o);
  }
  out += rows.empty() ? "]}\n" : "\n]}\n";
  return out;
}

}  // namespace fiokit::volumes
