// The mount table as this process sees it (/proc/self/mountinfo) and the
// questions preflight and `fiokit volumes` ask of it: which mount holds a path,
// which mounts use a block device, and whether a mount is worth benchmarking
// (not a pseudo filesystem, not a container image's own root). Read-only: it
// never mounts or changes anything.
#pragma once
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace fiokit::volumes {

struct MountEntry {
  int id = 0, parent_id = 0;
  unsigned major = 0, minor = 0;   // st_dev of files on the mount
  std::string root;                // the part of the filesystem mounted ("/" or a bind's subdir)
  std::string mount_point;         // octal escapes (\040) decoded
  std::string mount_options;       // per-mount: rw/ro, nosuid, relatime...
  std::string fstype;              // "ext4", "tmpfs", "fuse.sshfs"
  std::string source;              // "/dev/vda", "tmpfs", "none"
  std::string super_options;       // per-filesystem: size=, discard...
  bool read_only() const;          // "ro" among the per-mount options
};

// Parses mountinfo text (the format of /proc/PID/mountinfo); bad lines are skipped.
std::vector<MountEntry> parse_mountinfo(const std::string& text);
// This process's mounts; empty when /proc is not mounted.
std::vector<MountEntry> read_mounts();

// The mount that holds `path` (which need not exist: its nearest existing
// ancestor is used): the longest mount point that is a prefix of the resolved
// path, the last one mounted when several share it.
std::optional<MountEntry> find_mount(const std::vector<MountEntry>& mounts, const std::string& path);

// Mounts whose filesystem lives on block device major:minor or on one of its
// partitions (so /dev/sda counts as mounted when /dev/sda1 is).
std::vector<MountEntry> mounts_on_device(const std::vector<MountEntry>& mounts, unsigned major, unsigned minor);

// Kernel-internal filesystems nobody benchmarks (proc, sysfs, cgroup, devpts...).
bool is_pseudo_fs(const std::string& fstype);
// A mount `fiokit volumes` lists: a real or tmpfs filesystem on a directory,
// not under /proc, /sys, /dev, /run or a container runtime's storage, and not
// an overlay (a container's image).
bool worth_benchmarking(const MountEntry& m);

// The nearest existing ancestor of `path` (the path itself when it exists),
// made absolute; "/" at worst.
std::string existing_ancestor(const std::string& path);

}  // namespace fiokit::volumes
