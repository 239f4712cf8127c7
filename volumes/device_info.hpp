// What a benchmark target is: filesystem, mount, and the block device under it
// (model, rotational, block sizes, scheduler, nr_requests from /sys/block),
// capacity and free space. Every run records this per target so results from
// different kinds of volume can be told apart. Also the probes preflight needs:
// O_DIRECT support of a directory, a device's logical block size, and the
// filesystem / partition-table signatures that mark a device as holding data.
#pragma once
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "jobs/jobspec.hpp"
#include "volumes/layout.hpp"

namespace fiokit::volumes {

struct VolumeInfo {
  std::string path;             // as asked
  std::string resolved;         // the nearest existing ancestor, absolute
  bool exists = false;          // `path` itself exists
  bool is_block_device = false; // `path` is a block device node
  std::string fstype, mount_point, mount_source, mount_options, super_options;
  bool read_only = false;
  // The block device behind the mount (or `path` itself when it is one).
  std::string device;           // kernel name: "vda", "nvme0n1p2", "loop3"; "" for tmpfs & co
  std::string disk;             // the whole disk ("nvme0n1" for a partition)
  std::string model;            // /sys/block/<disk>/device/model (may be empty: virtio, loop)
  std::string loop_backing_file;
  std::optional<bool> rotational;
  uint32_t logical_block_size = 0, physical_block_size = 0;  // 0: unknown
  std::string scheduler;        // the active one, "none" or "mq-deadline"
  uint32_t nr_requests = 0;
  uint64_t capacity_bytes = 0;  // filesystem size (statvfs), or device size
  uint64_t free_bytes = 0;      // available to this user (f_bavail)
};

// Describes the volume holding `path` (which need not exist). Never writes.
VolumeInfo describe(const std::string& path);

// The fields as flat "fiokit" extras of results.json: prefix + "fstype" and
// so on; empty and unknown fields are left out.
std::map<std::string, std::string> to_extras(const VolumeInfo& v, const std::string& prefix);
// The volumes the jobs use, one per mount (or device), as extras for the
// "fiokit" key of results.json: "volume.0.fstype", ..., and "volume.0.jobs"
// naming the jobs on it, from the files planned for them (plan_run, indexed
// like jobs). Diskless jobs (ioengine=null) use none. The second form plans.
std::map<std::string, std::string> volume_extras(const std::vector<jobs::JobSpec>& jobs, const RunPlan& plan);
std::map<std::string, std::string> volume_extras(const std::vector<jobs::JobSpec>& jobs);

// One JSON object with the same fields (for `fiokit volumes --json`): the
// document as text, and as a value a listing adds its own fields to.
std::string to_json(const VolumeInfo& v);
nlohmann::ordered_json to_json_object(const VolumeInfo& v);
// nlohmann's dump for text that came from the system: paths and labels are
// bytes, not always UTF-8, so an invalid sequence becomes U+FFFD instead of an
// exception (indent < 0: one line).
std::string dump_json(const nlohmann::ordered_json& j, int indent = -1);

// Whether files in `dir` can be opened with O_DIRECT: 1 yes, 0 no (EINVAL),
// -errno when it cannot tell (directory missing or not writable). Creates no
// visible file where the filesystem supports O_TMPFILE; otherwise a hidden
// probe file that is removed at once.
int probe_o_direct(const std::string& dir);

// Logical block size that O_DIRECT I/O on `path` must be aligned to: the
// device's (or the device behind path's mount), 512 when it cannot be known.
uint32_t logical_block_size_for(const std::string& path);

// The name of the filesystem or partition table whose magic bytes open the
// device or image at `path` ("ext2/3/4", "xfs", "btrfs", "swap", "LUKS", "GPT",
// "MBR"); "" when none is found; "unreadable: <why>" when it cannot be read.
std::string detect_signature(const std::string& path);

// "8.0MiB" style sizes for listings.
std::string format_bytes(uint64_t n);

}  // namespace fiokit::volumes
