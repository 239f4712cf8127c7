// What `fiokit volumes` reports: for each mounted volume worth benchmarking (or
// each path asked about), its VolumeInfo, whether O_DIRECT works there, and a
// job line to use; and the complete JSON document of such a listing. The CLI
// only chooses the rows and prints them.
#pragma once
#include <string>
#include <vector>

#include "volumes/device_info.hpp"
#include "volumes/mounts.hpp"

namespace fiokit::volumes {

struct VolumeRow {
  VolumeInfo info;
  int direct = -1;         // probe_o_direct: 1, 0, or < 0 unknown (read-only volumes are not probed)
  std::string suggestion;  // "directory=PATH", "filename=/dev/X", or "" (see why_none)
  std::string why_none;    // when suggestion is "": "read-only", "mounted", "not a volume", ...
};

// The directory a job should use on the volume mounted (or lying) at `dir`, or
// "" with `why` set. Never "/" (a benchmark's files at the top of the root
// filesystem), nor anything under /proc, /sys or /dev/pts, nor a pseudo
// filesystem: for "/" it is the first writable one of $TMPDIR, /var/tmp, /tmp
// and $HOME that lies on the same filesystem, else "" ("name a directory").
std::string suggest_directory(const std::string& dir, const std::string& fstype, std::string& why);

// `--all`'s mounts without repeats: one row per mount point, the last mounted
// (the one a path there reaches) when a mount point is mounted over again.
std::vector<MountEntry> unique_mount_points(const std::vector<MountEntry>& mounts);

// One row for `path` (a directory, a file's folder, or a block device).
VolumeRow describe_row(const std::string& path);

// One row per mounted filesystem worth benchmarking (worth_benchmarking), bind
// mounts of a listed one left out; `all` lists every mount.
std::vector<VolumeRow> list_mounted(bool all);

// {"volumes": [ {VolumeInfo fields..., "o_direct": true|false|null,
// "suggested_job": "..."}, ... ]} followed by a newline.
std::string listing_json(const std::vector<VolumeRow>& rows);

}  // namespace fiokit::volumes
