// `fiokit volumes [--json] [--all] [PATH...]`: which mounted volumes are worth
// benchmarking (filesystem, size, free space, O_DIRECT support, a job line to
// use), or a description of the volumes holding PATHs. Only argument handling
// and printing live here; the rows and the JSON document come from volumes/.
#include <algorithm>
#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/flags.hpp"
#include "volumes/listing.hpp"

namespace fiokit::cli {
namespace {

const char* direct_word(int d) { return d == 1 ? "yes" : d == 0 ? "no" : "?"; }

// Columns as wide as their widest cell, so a long mount point (a container's
// /mnt/...) shifts the table instead of breaking it; a mount point longer than
// kMountWidth stands on a line of its own, its row below it (as df does), so
// one deep path does not push every row off the screen.
void print_table(const std::vector<volumes::VolumeRow>& rows) {
  std::vector<std::array<std::string, 7>> cells;
  cells.push_back({"MOUNT", "FSTYPE", "SIZE", "FREE", "DIRECT", "DEVICE", "SUGGESTED"});
  for (const auto& r : rows) {
    const auto& v = r.info;
    std::string dev = v.device.empty() ? v.mount_source : v.device;
    if (v.rotational) dev += *v.rotational ? " (hdd)" : "";
    cells.push_back({v.mount_point.empty() ? v.path : v.mount_point, v.fstype, volumes::format_bytes(v.capacity_bytes),
                     volumes::format_bytes(v.free_bytes), direct_word(r.direct), dev,
                     r.suggestion.empty() ? "(" + (r.why_none.empty() ? std::string("none") : r.why_none) + ")"
                                          : r.suggestion});
  }
  constexpr size_t kMountWidth = 40;
  std::array<size_t, 7> width{};
  for (const auto& c : cells)
    for (size_t i = 0; i < c.size(); ++i)
      if (i > 0 || c[i].size() <= kMountWidth) width[i] = std::max(width[i], c[i].size());
  for (const auto& c : cells) {
    std::string line;
    if (c[0].size() > width[0]) fmt::print("{}\n", c[0]);
    for (size_t i = 0; i < c.size(); ++i) {
      if (i == 0 && c[0].size() > width[0]) {
        line += std::string(width[0], ' ') + "  ";
        continue;
      }
      const bool right = i == 2 || i == 3;  // sizes line up on their units
      if (i + 1 == c.size()) line += c[i];
      else line += (right ? fmt::format("{:>{}}", c[i], width[i]) : fmt::format("{:<{}}", c[i], width[i])) + "  ";
    }
    fmt::print("{}\n", line);
  }
}

void print_details(const volumes::VolumeRow& r) {
  const auto& v = r.info;
  fmt::print("{}\n", v.path);
  auto line = [](const char* k, const std::string& val) {
    if (!val.empty()) fmt::print("  {:<20} {}\n", k, val);
  };
  line("exists", v.exists ? "yes" : "no (described by " + v.resolved + ")");
  line("filesystem", v.fstype);
  line("mount point", v.mount_point);
  line("mount source", v.mount_source);
  line("mount options", v.mount_options + (v.super_options.empty() ? "" : " / " + v.super_options));
  line("device", v.device + (v.disk != v.device && !v.disk.empty() ? " (disk " + v.disk + ")" : ""));
  line("model", v.model);
  line("loop backing file", v.loop_backing_file);
  if (v.rotational) line("rotational", *v.rotational ? "yes" : "no");
  if (v.logical_block_size) line("block size", fmt::format("logical {}, physical {}", v.logical_block_size, v.physical_block_size));
  line("scheduler", v.scheduler);
  if (v.nr_requests) line("nr_requests", std::to_string(v.nr_requests));
  if (v.capacity_bytes) line("size", fmt::format("{} ({} bytes)", volumes::format_bytes(v.capacity_bytes), v.capacity_bytes));
  if (v.capacity_bytes && !v.is_block_device) line("free", fmt::format("{} ({} bytes)", volumes::format_bytes(v.free_bytes), v.free_bytes));
  line("read-only", v.read_only ? "yes" : "");
  if (!v.is_block_device) line("O_DIRECT", direct_word(r.direct));
  line("suggested job", r.suggestion.empty() && !r.why_none.empty() ? "(" + r.why_none + ")" : r.suggestion);
}

const po::options_description& volumes_flags() {
  static const po::options_description desc = [] {
    po::options_description d("options");
    d.add_options()
        ("json", po::bool_switch(), "print one JSON document")
        ("all", po::bool_switch(), "list every mount, pseudo filesystems and bind mounts included")
        ("help,h", po::bool_switch(), "this help");
    return d;
  }();
  return desc;
}

}  // namespace

int cmd_volumes(const std::vector<std::string>& args) {
  bool json = false, all = false;
  std::vector<std::string> paths;
  try {
    ParsedFlags pf = parse_flags(args, volumes_flags(), FlagStyle::getopt, false, "fiokit volumes --help");
    for (const po::option& o : pf.flags) {
      if (o.string_key == "json") json = true;
      else if (o.string_key == "all") all = true;
      else if (o.string_key == "help") {
        fmt::print(
            "usage: fiokit volumes [--json] [--all] [PATH...]\n\n"
            "Without PATH: lists the mounted volumes worth benchmarking (pseudo filesystems\n"
            "and a container image's own root left out; --all shows every mount) with\n"
            "filesystem, size, free space, O_DIRECT support and a job line to use.\n"
            "With PATHs: describes the volume holding each (mount, device, block sizes,\n"
            "scheduler).\n\n{}",
            describe_flags(volumes_flags()));
        return kExitOk;
      }
    }
    paths = std::move(pf.rest);
  } catch (const UsageError& e) {
    return report_usage_error("volumes", e);
  }
  std::vector<volumes::VolumeRow> rows;
  if (paths.empty()) rows = volumes::list_mounted(all);
  for (const auto& p : paths) rows.push_back(volumes::describe_row(p));
  if (json) {
    fmt::print("{}", volumes::listing_json(rows));
    return kExitOk;
  }
  if (paths.empty()) {
    if (rows.empty()) {
      std::fprintf(stderr, "fiokit volumes: no mounted volume besides pseudo filesystems and the image root; mount one (docker run -v HOST:/data) or name a PATH\n");
      return kExitOk;
    }
    print_table(rows);
  } else {
    for (const auto& r : rows) print_details(r);
  }
  return kExitOk;
}

}  // namespace fiokit::cli
