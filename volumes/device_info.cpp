// Volume description and device probes (see device_info.hpp): mountinfo for
// the mount, statvfs for space, /sys/dev/block/M:m for the device, magic bytes
// for signatures. Everything here only reads, except probe_o_direct, which
// opens an unnamed (or at once removed) file of its own.
#include "volumes/device_info.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/fd.hpp"
#include "volumes/layout.hpp"
#include "volumes/mounts.hpp"

namespace fiokit::volumes {
namespace {

std::string read_line(const std::string& path) {
  std::ifstream f(path);
  std::string line;
  std::getline(f, line);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\n' || line.back() == '\t')) line.pop_back();
  return line;
}

uint64_t read_u64(const std::string& path) {
  const std::string s = read_line(path);
  return s.empty() ? 0 : std::strtoull(s.c_str(), nullptr, 10);
}

std::string base_name(const std::string& p) {
  const size_t s = p.find_last_of('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}

std::string dir_name(const std::string& p) {
  const size_t s = p.find_last_of('/');
  return s == std::string::npos || s == 0 ? "/" : p.substr(0, s);
}

// Fills the device fields from /sys/dev/block/M:m; false when there is no such
// block device (tmpfs, btrfs's anonymous device numbers, NFS).
bool fill_device(VolumeInfo& v, unsigned ma, unsigned mi) {
  char buf[PATH_MAX];
  const std::string link = fmt::format("/sys/dev/block/{}:{}", ma, mi);
  if (!::realpath(link.c_str(), buf)) return false;
  const std::string sysdir = buf;
  v.device = base_name(sysdir);
  struct stat st {};
  // A partition keeps its queue/ and device/ in the whole disk's directory.
  const std::string diskdir = ::stat((sysdir + "/partition").c_str(), &st) == 0 ? dir_name(sysdir) : sysdir;
  v.disk = base_name(diskdir);
  v.model = read_line(diskdir + "/device/model");
  v.loop_backing_file = read_line(diskdir + "/loop/backing_file");
  const std::string rot = read_line(diskdir + "/queue/rotational");
  if (!rot.empty()) v.rotational = rot == "1";
  v.logical_block_size = static_cast<uint32_t>(read_u64(diskdir + "/queue/logical_block_size"));
  v.physical_block_size = static_cast<uint32_t>(read_u64(diskdir + "/queue/physical_block_size"));
  v.nr_requests = static_cast<uint32_t>(read_u64(diskdir + "/queue/nr_requests"));
  // "none [mq-deadline] kyber": the bracketed one is active; a single word is too.
  const std::string sched = read_line(diskdir + "/queue/scheduler");
  const size_t lb = sched.find('['), rb = sched.find(']');
  v.scheduler = lb != std::string::npos && rb > lb ? sched.substr(lb + 1, rb - lb - 1) : sched;
  if (v.is_block_device) v.capacity_bytes = read_u64(sysdir + "/size") * 512;
  return true;
}

}  // namespace

VolumeInfo describe(const std::string& path) {
  VolumeInfo v;
  v.path = path;
  v.resolved = existing_ancestor(path);
  struct stat st {};
  v.exists = ::stat(path.c_str(), &st) == 0;
  const auto mounts = read_mounts();
  if (v.exists && S_ISBLK(st.st_mode)) {
    v.is_block_device = true;
    fill_device(v, major(st.st_rdev), minor(st.st_rdev));
    if (auto used = mounts_on_device(mounts, major(st.st_rdev), minor(st.st_rdev)); !used.empty()) {
      v.fstype = used[0].fstype;
      v.mount_point = used[0].mount_point;
      v.mount_source = used[0].source;
      v.mount_options = used[0].mount_options;
      v.super_options = used[0].super_options;
      v.read_only = used[0].read_only();
    } else {
      const std::string sig = detect_signature(path);
      if (sig.rfind("unreadable", 0) != 0) v.fstype = sig;
    }
    return v;
  }
  if (auto m = find_mount(mounts, v.resolved)) {
    v.fstype = m->fstype;
    v.mount_point = m->mount_point;
    v.mount_source = m->source;
    v.mount_options = m->mount_options;
    v.super_options = m->super_options;
    v.read_only = m->read_only();
    if (!fill_device(v, m->major, m->minor)) {
      // btrfs and others report an anonymous st_dev; the source names the device.
      struct stat dst {};
      if (m->source.rfind("/dev/", 0) == 0 && ::stat(m->source.c_str(), &dst) == 0 && S_ISBLK(dst.st_mode))
        fill_device(v, major(dst.st_rdev), minor(dst.st_rdev));
    }
  }
  struct statvfs sv {};
  if (::statvfs(v.resolved.c_str(), &sv) == 0) {
    v.capacity_bytes = static_cast<uint64_t>(sv.f_blocks) * sv.f_frsize;
    v.free_bytes = static_cast<uint64_t>(sv.f_bavail) * sv.f_frsize;
    if (sv.f_flag & ST_RDONLY) v.read_only = true;
  }
  return v;
}

std::map<std::string, std::string> to_extras(const VolumeInfo& v, const std::string& prefix) {
  std::map<std::string, std::string> m;
  auto put = [&](const char* k, const std::string& val) {
    if (!val.empty()) m[prefix + k] = val;
  };
  auto num = [&](const char* k, uint64_t val) {
    if (val) m[prefix + k] = std::to_string(val);
  };
  put("path", v.path);
  put("fstype", v.fstype);
  put("mount_point", v.mount_point);
  put("mount_source", v.mount_source);
  put("mount_options", v.mount_options);
  put("device", v.device);
  if (v.disk != v.device) put("disk", v.disk);
  put("model", v.model);
  put("loop_backing_file", v.loop_backing_file);
  if (v.rotational) m[prefix + "rotational"] = *v.rotational ? "1" : "0";
  num("logical_block_size", v.logical_block_size);
  num("physical_block_size", v.physical_block_size);
  put("scheduler", v.scheduler);
  num("nr_requests", v.nr_requests);
  num("capacity", v.capacity_bytes);
  if (v.capacity_bytes) m[prefix + "free"] = std::to_string(v.free_bytes);
  if (v.read_only) m[prefix + "read_only"] = "1";
  return m;
}

std::map<std::string, std::string> volume_extras(const std::vector<jobs::JobSpec>& jobs, const RunPlan& plan) {
  struct Seen {
    VolumeInfo info;
    std::vector<std::string> jobs;
  };
  std::vector<Seen> vols;
  for (size_t n = 0; n < jobs.size() && n < plan.size(); ++n) {
    const jobs::JobSpec& j = jobs[n];
    // A failed plan: preflight or the run reports it.
    const std::vector<FileTarget>& targets = planned_files_or_none(plan[n]);
    std::string last_dir;  // nrfiles= puts many files in one directory: describe it once
    for (const auto& t : targets) {
      const std::string where = t.is_device ? t.path : dir_name(t.path);
      if (where == last_dir) continue;
      last_dir = where;
      VolumeInfo v = describe(where);
      const std::string id = v.is_block_device ? v.path : v.mount_point + "\n" + v.mount_source;
      auto it = std::find_if(vols.begin(), vols.end(), [&](const Seen& s) {
        return (s.info.is_block_device ? s.info.path : s.info.mount_point + "\n" + s.info.mount_source) == id;
      });
      if (it == vols.end()) it = vols.insert(vols.end(), Seen{std::move(v), {}});
      if (std::find(it->jobs.begin(), it->jobs.end(), j.name) == it->jobs.end()) it->jobs.push_back(j.name);
    }
  }
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < vols.size(); ++i) {
    const std::string prefix = fmt::format("volume.{}.", i);
    out.merge(to_extras(vols[i].info, prefix));
    std::string names;
    for (const auto& n : vols[i].jobs) names += (names.empty() ? "" : ", ") + n;
    out[prefix + "jobs"] = names;
  }
  return out;
}

std::map<std::string, std::string> volume_extras(const std::vector<jobs::JobSpec>& jobs) {
  return volume_extras(jobs, plan_run(jobs));
}

nlohmann::ordered_json to_json_object(const VolumeInfo& v) {
  nlohmann::ordered_json o;
  o["path"] = v.path;
  o["exists"] = v.exists;
  o["fstype"] = v.fstype;
  o["mount_point"] = v.mount_point;
  o["mount_source"] = v.mount_source;
  o["mount_options"] = v.mount_options;
  o["super_options"] = v.super_options;
  o["read_only"] = v.read_only;
  o["device"] = v.device;
  o["disk"] = v.disk;
  o["model"] = v.model;
  if (!v.loop_backing_file.empty()) o["loop_backing_file"] = v.loop_backing_file;
  o["rotational"] = v.rotational ? nlohmann::ordered_json(*v.rotational) : nlohmann::ordered_json(nullptr);
  o["logical_block_size"] = v.logical_block_size;
  o["physical_block_size"] = v.physical_block_size;
  o["scheduler"] = v.scheduler;
  o["nr_requests"] = v.nr_requests;
  o["capacity"] = v.capacity_bytes;
  o["free"] = v.free_bytes;
  return o;
}

std::string to_json(const VolumeInfo& v) { return dump_json(to_json_object(v)); }

std::string dump_json(const nlohmann::ordered_json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

int probe_o_direct(const std::string& dir) {
  // O_TMPFILE leaves no name behind even if the process dies here.
  if (util::Fd fd(::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_DIRECT | O_CLOEXEC, 0600)); fd) return 1;
  int e = errno;
  if (e == EINVAL) {
    // EINVAL from the O_DIRECT check, unless O_TMPFILE itself is the problem.
    if (util::Fd fd(::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600)); fd) return 0;
    e = errno;
  }
  if (e != EOPNOTSUPP && e != EISDIR && e != EINVAL) return -e;
  static std::atomic<unsigned> counter{0};
  const std::string probe = fmt::format("{}/.fiokit-direct-probe.{}.{}", dir, ::getpid(), counter.fetch_add(1));
  util::Fd fd(::open(probe.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_DIRECT | O_CLOEXEC, 0600));
  e = errno;
  if (fd) {
    fd.reset();
    ::unlink(probe.c_str());
    return 1;
  }
  // The kernel creates the inode before it refuses O_DIRECT; O_EXCL on a
  // name of our own makes removing it safe.
  if (e == EINVAL) {
    ::unlink(probe.c_str());
    return 0;
  }
  return -e;
}

uint32_t logical_block_size_for(const std::string& path) {
  VolumeInfo v = describe(path);
  return v.logical_block_size ? v.logical_block_size : 512;
}

std::string detect_signature(const std::string& path) {
  const util::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return fmt::format("unreadable: {}", std::strerror(errno));
  std::vector<unsigned char> b(65608, 0);
  size_t got = 0;
  while (got < b.size()) {
    const ssize_t n = ::pread(fd.get(), b.data() + got, b.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  auto at = [&](size_t off, const char* magic, size_t len) {
    return off + len <= got && std::memcmp(b.data() + off, magic, len) == 0;
  };
  // Specific filesystems first; the MBR's 0x55AA also ends FAT boot sectors.
  if (at(0, "LUKS\xba\xbe", 6)) return "LUKS";
  if (at(0, "XFSB", 4)) return "xfs";
  if (at(65600, "_BHRfS_M", 8)) return "btrfs";
  if (at(1080, "\x53\xef", 2)) return "ext2/3/4";
  if (at(4086, "SWAPSPACE2", 10) || at(4086, "SWAP-SPACE", 10)) return "swap";
  if (at(512, "EFI PART", 8)) return "GPT";
  if (at(510, "\x55\xaa", 2)) return "MBR";
  return "";
}

std::string format_bytes(uint64_t n) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{}B", n) : fmt::format("{:.1f}{}", v, kUnits[u]);
}

}  // namespace fiokit::volumes
