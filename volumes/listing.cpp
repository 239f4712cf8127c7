// See listing.hpp. The JSON is built with nlohmann (strings escaped by the
// library, every control character included) on top of to_json_object, so a
// listing row is exactly a VolumeInfo document plus the listing's own fields.
#include "volumes/listing.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "volumes/mounts.hpp"

namespace fiokit::volumes {

VolumeRow describe_row(const std::string& path) {
  VolumeRow r;
  r.info = describe(path);
  if (r.info.is_block_device) {
    r.suggestion = r.info.mount_point.empty() ? "filename=" + path : "";
    return r;
  }
  struct stat st {};
  const std::string dir = ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode) ? path : r.info.resolved;
  if (!r.info.read_only) r.direct = probe_o_direct(dir);
  r.suggestion = r.info.read_only ? "" : "directory=" + dir;
  return r;
}

std::vector<VolumeRow> list_mounted(bool all) {
  // One row per filesystem: bind mounts of an already listed one (same
  // device numbers) measure the same volume.
  std::vector<VolumeRow> rows;
  std::vector<std::pair<unsigned, unsigned>> listed;
  for (const auto& m : read_mounts()) {
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
