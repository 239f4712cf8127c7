// Preflight checks (see preflight.hpp). Each check adds a Problem and goes on,
// so the user fixes the whole job file in one round. The checks only read,
// except the O_DIRECT probe, which uses a file of its own (device_info.cpp).
#include "volumes/preflight.hpp"

#include <fcntl.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "jobs/engine_traits.hpp"
#include "jobs/ini.hpp"
#include "util/fd.hpp"
#include "volumes/confine.hpp"
#include "volumes/device_info.hpp"
#include "volumes/layout.hpp"
#include "volumes/mounts.hpp"

namespace fiokit::volumes {
namespace {

std::string parent_dir(const std::string& p) {
  const size_t s = p.find_last_of('/');
  if (s == std::string::npos) return ".";
  return s == 0 ? "/" : p.substr(0, s);
}

uint64_t read_proc_u64(const char* path) {
  std::ifstream f(path);
  uint64_t v = 0;
  f >> v;
  return v;
}

unsigned count_open_fds() {
  unsigned n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') ++n;
    ::closedir(d);
  }
  return n > 0 ? n - 1 : 0;  // the directory stream's own descriptor
}

// fiokit marks its files with a user xattr; without xattr support every
// existing file looks like the user's.
bool no_xattrs(const std::string& path) {
  return ::getxattr(path.c_str(), "user.fiokit", nullptr, 0) < 0 && (errno == ENOTSUP || errno == EOPNOTSUPP);
}

// How much a file will grow on one filesystem: the largest end any job needs
// minus what the file already has.
struct Growth {
  uint64_t end = 0, have = 0;
  dev_t dev = 0;
  std::string dir, job, where;
};

class Checker {
 public:
  explicit Checker(const PreflightOptions& o) : opts_(o), mounts_(read_mounts()) {}

  void check_job(const jobs::JobSpec& j, const FilePlan& plan);
  void check_space();
  void check_limits(const std::vector<jobs::JobSpec>& jobs);
  std::vector<Problem> take() { return std::move(problems_); }

 private:
  void add(const jobs::JobSpec* j, const std::string& key, std::string what, std::string path, std::string hint);
  std::string where(const jobs::JobSpec& j, const std::string& key);
  std::string fs_name(const std::string& path);
  void check_device(const jobs::JobSpec& j, const FileTarget& t, bool writes);
  void check_file(const jobs::JobSpec& j, const FileTarget& t, bool writes, bool reads);
  void check_alignment(const jobs::JobSpec& j, const std::string& path, uint32_t lbs, const std::string& dev);

  PreflightOptions opts_;
  std::vector<MountEntry> mounts_;
  std::vector<Problem> problems_;
  std::set<std::string> seen_;
  std::map<std::string, int> direct_probe_;      // dir -> probe_o_direct result
  std::map<std::string, uint32_t> lbs_;          // dir -> logical block size
  std::map<std::string, Growth> growth_;         // path -> growth
  std::map<std::string, std::string> where_cache_;
};

void Checker::add(const jobs::JobSpec* j, const std::string& key, std::string what, std::string path, std::string hint) {
  Problem p{std::move(what), std::move(path), j ? j->name : "", j ? where(*j, key) : "", std::move(hint)};
  // numjobs clones of one section report the same problem once.
  if (!seen_.insert(p.job + "\n" + p.path + "\n" + p.what).second) return;
  problems_.push_back(std::move(p));
}

std::string Checker::where(const jobs::JobSpec& j, const std::string& key) {
  const std::string k = j.job_file + "\n" + j.name + "\n" + key;
  if (auto it = where_cache_.find(k); it != where_cache_.end()) return it->second;
  return where_cache_[k] = locate_option(j, key);
}

std::string Checker::fs_name(const std::string& path) {
  auto m = find_mount(mounts_, path);
  if (!m) return "the filesystem";
  return fmt::format("{} at {}", m->fstype, m->mount_point);
}

void Checker::check_job(const jobs::JobSpec& j, const FilePlan& plan) {
  if (plan.diskless) return;  // no file is opened
  // A replay does what its log says, whatever rw= says.
  // A replay does what its log says, whatever rw= says. ioengine=filedelete
  // unlinks the job's files: to a user's file it is the most destructive
  // write of all, and is refused alike.
  const bool writes = plan.replay ? plan.replay->does(jobs::Dir::write) || plan.replay->does(jobs::Dir::trim)
                                  : !j.verify_only && (j.does(jobs::Dir::write) || j.does(jobs::Dir::trim) ||
                                                       j.ioengine == "filedelete");
  const bool reads = plan.replay ? plan.replay->does(jobs::Dir::read) || plan.replay->does(jobs::Dir::trim)
                                 : j.does(jobs::Dir::read) || j.verify_only || j.does(jobs::Dir::trim);
  if (plan.err) {
    std::string what = plan.error;
    const std::string prefix = fmt::format("job '{}': ", j.name);
    if (what.rfind(prefix, 0) == 0) what.erase(0, prefix.size());
    if (!j.read_iolog.empty())
      add(&j, "read_iolog", what, "", "fix the log, or the job's read_iolog=, replay_redirect= or directory=");
    else
      add(&j, j.filenames.empty() ? "size" : "filename", what, "", "fix the job's size=, filename= or directory=");
    return;
  }
  for (const auto& t : plan.targets) {
    if (t.is_device) {
      check_device(j, t, writes);
    } else {
      check_file(j, t, writes, reads);
    }
  }
}

void Checker::check_device(const jobs::JobSpec& j, const FileTarget& t, bool writes) {
  struct stat st {};
  if (::stat(t.path.c_str(), &st) != 0) return;  // plan_files saw it; raced away: the run reports it
  const bool block = S_ISBLK(st.st_mode);
  if (writes && block && !opts_.allow_device_write) {
    const auto used = mounts_on_device(mounts_, major(st.st_rdev), minor(st.st_rdev));
    if (!used.empty()) {
      add(&j, "filename",
          fmt::format("write job on block device {}, which is mounted ({} {} at {}): writing would corrupt that filesystem", t.path,
                      used[0].fstype, used[0].source, used[0].mount_point),
          t.path, "unmount it first, or point the job at a file on the mounted filesystem; --allow-device-write overrides this check");
    } else {
      const std::string sig = detect_signature(t.path);
      if (sig.rfind("unreadable", 0) == 0)
        add(&j, "filename", fmt::format("cannot read block device {} to check it for data ({})", t.path, sig.substr(12)), t.path,
            "run with permission to read the device, or --allow-device-write if it holds nothing you need");
      else if (!sig.empty())
        add(&j, "filename", fmt::format("write job on block device {}, which holds a {} signature: the job would destroy its data", t.path, sig),
            t.path, "wipe it deliberately first (wipefs) or pass --allow-device-write if its contents may be destroyed");
    }
  }
  if (j.direct && block) check_alignment(j, t.path, logical_block_size_for(t.path), t.path);
}

void Checker::check_file(const jobs::JobSpec& j, const FileTarget& t, bool writes, bool reads) {
  const std::string file_key = j.filenames.empty() ? "directory" : "filename";
  const std::string dir = parent_dir(t.path);
  struct stat dst {};
  if (::stat(dir.c_str(), &dst) != 0) {
    const int e = errno;
    if (e == ENOENT || e == ENOTDIR)
      add(&j, file_key, fmt::format("directory {} does not exist (nearest existing: {})", dir, existing_ancestor(dir)), dir,
          fmt::format("create it (mkdir -p {}) or fix {}=; fiokit does not create directories", dir, file_key));
    else
      add(&j, file_key, fmt::format("cannot use directory {}: {}", dir, std::strerror(e)), dir, "check the permissions of its parents");
    return;
  }
  if (!S_ISDIR(dst.st_mode)) {
    add(&j, file_key, fmt::format("{} is not a directory", dir), dir, fmt::format("fix {}=", file_key));
    return;
  }
  struct stat fst {};
  const bool exists = ::stat(t.path.c_str(), &fst) == 0;
  if (exists && !S_ISREG(fst.st_mode)) {
    add(&j, file_key, fmt::format("{} exists and is not a regular file or block device", t.path), t.path, "use another filename");
    return;
  }
  const bool creates = !exists;
  if (creates && !j.allow_file_create) {
    add(&j, "allow_file_create", fmt::format("{} does not exist and allow_file_create=0 forbids creating it", t.path), t.path,
        "create the file beforehand, or drop allow_file_create=0");
    return;
  }
  struct statvfs sv {};
  const bool have_sv = ::statvfs(dir.c_str(), &sv) == 0;
  if (have_sv && (sv.f_flag & ST_RDONLY) && (writes || creates)) {
    auto m = find_mount(mounts_, dir);
    const std::string mnt = m ? fmt::format("{} ({} {})", m->mount_point, m->fstype, m->source) : dir;
    add(&j, writes ? "rw" : file_key,
        writes ? fmt::format("write job on {}, which is mounted read-only ({})", t.path, mnt)
               : fmt::format("{} does not exist and cannot be laid out: {} is mounted read-only", t.path, mnt),
        t.path, writes ? "use rw=read/randread, or a directory on a writable mount" : "create the file beforehand or use a writable directory");
  } else if (creates && ::access(dir.c_str(), W_OK | X_OK) != 0) {
    add(&j, file_key, fmt::format("cannot create {}: directory {} is not writable ({})", t.path, dir, std::strerror(errno)), dir,
        "use a directory you can write to, or fix its permissions");
  } else if (exists && ::access(t.path.c_str(), writes ? R_OK | W_OK : R_OK) != 0) {
    add(&j, file_key, fmt::format("cannot {} {}: {}", writes ? "write" : "read", t.path, std::strerror(errno)), t.path,
        "fix the file's permissions or use another filename");
  }

  // Never clobber: a file the user made is data, not scratch space.
  const uint64_t end = t.offset + t.size;
  const bool users_file = exists && !created_by_fiokit(t.path);
  if (users_file && writes && !opts_.allow_clobber)
    add(&j, file_key,
        fmt::format("{} exists and was not created by fiokit: this {} job would {}{}", t.path,
                    j.ioengine == "filedelete" ? "filedelete" : j.does(jobs::Dir::trim) ? "trim" : "write",
                    j.ioengine == "filedelete" ? "delete it" : "overwrite its data",
                    static_cast<uint64_t>(fst.st_size) < end ? fmt::format(" and extend it from {} to {} bytes", fst.st_size, end) : ""),
        t.path,
        std::string("pass --allow-clobber if its contents may be destroyed, or use another filename or directory") +
            (no_xattrs(t.path) ? "; this filesystem has no user xattrs, so fiokit cannot mark (and later recognise) files it created" : ""));
  if (users_file && reads && !writes && static_cast<uint64_t>(fst.st_size) < end)
    add(&j, "size",
        fmt::format("{} is {} bytes but the job reads up to byte {}; fiokit does not extend, re-lay or delete a file it did not create",
                    t.path, fst.st_size, end),
        t.path, fmt::format("use size={} or less (offset= included), a larger file, or another filename", fst.st_size));

  // Free space: only what new or fiokit-owned files still need counts. A
  // fill_device job means to fill it: running out is how it ends.
  if ((!users_file || opts_.allow_clobber) && !j.fill_device) {
    Growth& g = growth_[t.path];
    if (g.dir.empty()) {
      g.dir = dir;
      g.dev = dst.st_dev;
      g.have = exists ? static_cast<uint64_t>(fst.st_size) : 0;
      g.job = j.name;
      g.where = where(j, "size");
    }
    g.end = std::max(g.end, end);
  }

  if (j.direct) {
    int ok = 0;
    if (exists) {
      int got;
      if (opts_.confine && (!opts_.confine_applies || opts_.confine_applies(j))) {
        std::string why;
        got = open_confined(*opts_.confine, t.path, O_RDONLY | O_DIRECT | O_CLOEXEC, 0, &why);
      } else {
        got = ::open(t.path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC);
        if (got < 0) got = -errno;
      }
      const util::Fd fd(got < 0 ? -1 : got);
      ok = fd ? 1 : (got == -EINVAL ? 0 : got);
    } else {
      auto it = direct_probe_.find(dir);
      ok = it != direct_probe_.end() ? it->second : (direct_probe_[dir] = probe_o_direct(dir));
    }
    if (ok == 0) {
      add(&j, "direct", fmt::format("direct=1 but {} does not support O_DIRECT (opening {} with O_DIRECT fails with EINVAL)", fs_name(dir), exists ? t.path : "a file in " + dir), t.path,
          "set direct=0 (I/O then goes through the page cache), or use a directory on a filesystem with O_DIRECT such as ext4, xfs or tmpfs");
    } else if (ok == 1) {
      auto it = lbs_.find(dir);
      const uint32_t lbs = it != lbs_.end() ? it->second : (lbs_[dir] = logical_block_size_for(dir));
      check_alignment(j, t.path, lbs, fs_name(dir));
    }
  }
}

void Checker::check_alignment(const jobs::JobSpec& j, const std::string& path, uint32_t lbs, const std::string& dev) {
  if (lbs <= 1) return;
  auto check = [&](const char* key, uint64_t v) {
    if (v == 0 || v % lbs == 0) return;
    add(&j, key,
        fmt::format("{}={} is not a multiple of the logical block size {} of {}; direct=1 I/O must be aligned to it", key, v, lbs, dev),
        path, fmt::format("use a multiple of {} (e.g. {}={}), or direct=0", lbs, key, (v + lbs - 1) / lbs * lbs));
  };
  for (auto d : {jobs::Dir::read, jobs::Dir::write, jobs::Dir::trim}) {
    if (!j.does(d)) continue;
    if (!j.bssplit[d].empty()) {
      for (const auto& e : j.bssplit[d]) check("bssplit", e.bs);
    } else if (j.bsrange[d].first || j.bsrange[d].second) {
      check("bsrange", j.bsrange[d].first);
      check("bsrange", j.bsrange[d].second);
    } else {
      check("bs", j.bs[d]);
    }
  }
  check("offset", j.offset);
}

void Checker::check_space() {
  struct Need {
    uint64_t bytes = 0;
    std::string dir, job, where;
    std::vector<std::string> jobs;
  };
  std::map<dev_t, Need> per_fs;
  for (const auto& [path, g] : growth_) {
    if (g.end <= g.have) continue;
    Need& n = per_fs[g.dev];
    if (n.dir.empty()) {
      n.dir = g.dir;
      n.job = g.job;
      n.where = g.where;
    }
    n.bytes += g.end - g.have;
    if (std::find(n.jobs.begin(), n.jobs.end(), g.job) == n.jobs.end()) n.jobs.push_back(g.job);
  }
  for (const auto& [dev, n] : per_fs) {
    struct statvfs sv {};
    // ramfs and some network filesystems report no size at all: no limit to check.
    if (::statvfs(n.dir.c_str(), &sv) != 0 || sv.f_blocks == 0) continue;
    const uint64_t avail = static_cast<uint64_t>(sv.f_bavail) * sv.f_frsize;
    if (n.bytes <= avail) continue;
    std::string names;
    for (const auto& s : n.jobs) names += (names.empty() ? "'" : ", '") + s + "'";
    Problem p{fmt::format("the jobs ({}) need {} ({} bytes) of new files on {} but only {} ({} bytes) is free", names,
                          format_bytes(n.bytes), n.bytes, fs_name(n.dir), format_bytes(avail), avail),
              n.dir, n.job, n.where, "lower size=/nrfiles=/numjobs=, free space, or use a larger volume (fiokit volumes lists them)"};
    if (seen_.insert(p.job + "\n" + p.path + "\n" + p.what).second) problems_.push_back(std::move(p));
  }
}

void Checker::check_limits(const std::vector<jobs::JobSpec>& jobs) {
  // Jobs between stonewalls run at the same time; the busiest stretch counts.
  uint64_t files = 0, max_files = 0, aio = 0, max_aio = 0;
  const jobs::JobSpec* files_job = nullptr;
  const jobs::JobSpec* aio_job = nullptr;
  const jobs::JobSpec* seg_files_job = nullptr;
  const jobs::JobSpec* seg_aio_job = nullptr;
  // CPU lists naming CPUs this machine does not have: fio 3.33 refuses them
  // ("CPU 2 too large (max=1)", exit 1); the kernel would pin to the rest
  // without a word, so the job would run on fewer CPUs than it asked for.
  const long ncpus = ::sysconf(_SC_NPROCESSORS_CONF);
  for (const auto& j : jobs) {
    const std::pair<const char*, const std::vector<int>*> lists[] = {
        {"cpus_allowed", &j.cpus_allowed}, {"verify_async_cpus", &j.verify_async_cpus}, {"log_compression_cpus", &j.log.compression_cpus}};
    for (const auto& [key, cpus] : lists) {
      if (ncpus <= 0 || cpus->empty() || cpus->back() < ncpus) continue;
      add(&j, key, fmt::format("{} lists CPU {}, but this machine has CPUs 0-{}", key, cpus->back(), ncpus - 1), "",
          fmt::format("list only CPUs 0-{} (nproc: {})", ncpus - 1, ncpus));
    }
  }
  for (const auto& j : jobs) {
    if (j.stonewall && j.clone_index == 0) {
      files = aio = 0;
      seg_files_job = seg_aio_job = nullptr;
    }
    // null, the file-operation engines, cpuio and exec hold no descriptor open.
    const bool holds_fds = jobs::engine_traits(j.ioengine).needs_fds;
    if (holds_fds) {
      files += j.filenames.empty() ? std::max<uint32_t>(1, j.nrfiles) : j.filenames.size();
      if (!seg_files_job) seg_files_job = &j;
    }
    if (j.ioengine == "libaio") {
      aio += j.iodepth;
      if (!seg_aio_job) seg_aio_job = &j;
    }
    if (files > max_files) {
      max_files = files;
      files_job = seg_files_job;
    }
    if (aio > max_aio) {
      max_aio = aio;
      aio_job = seg_aio_job;
    }
  }
  struct rlimit rl {};
  if (files_job && ::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
    const uint64_t in_use = count_open_fds();
    if (in_use + max_files > rl.rlim_cur)
      add(files_job, "numjobs",
          fmt::format("jobs running together open {} files (numjobs x files) but the open-file limit is {} with {} already open", max_files,
                      rl.rlim_cur, in_use),
          "", fmt::format("raise the limit (ulimit -n {}; hard limit {}) or lower numjobs=/nrfiles=", in_use + max_files + 64,
                          rl.rlim_max == RLIM_INFINITY ? std::string("unlimited") : std::to_string(rl.rlim_max)));
  }
  if (aio_job) {
    const uint64_t max_nr = read_proc_u64("/proc/sys/fs/aio-max-nr");
    const uint64_t nr = read_proc_u64("/proc/sys/fs/aio-nr");
    const uint64_t avail = max_nr > nr ? max_nr - nr : 0;
    if (max_nr > 0 && max_aio > avail)
      add(aio_job, "iodepth",
          fmt::format("libaio jobs running together need {} AIO events (iodepth x jobs) but only {} are free (fs.aio-max-nr = {}, fs.aio-nr = {})",
                      max_aio, avail, max_nr, nr),
          "", fmt::format("raise it (sysctl -w fs.aio-max-nr={}), lower iodepth=/numjobs=, or use ioengine=io_uring", nr + max_aio));
  }
}

}  // namespace

std::string Problem::str() const {
  std::string s;
  if (!job.empty()) s += fmt::format("job '{}'", job);
  if (!where.empty()) s += fmt::format("{}({})", s.empty() ? "" : " ", where);
  s += s.empty() ? what : ": " + what;
  if (!hint.empty()) s += "\n    hint: " + hint;
  return s;
}

std::string format_problems(const std::vector<Problem>& problems) {
  std::string s = fmt::format("fiokit: preflight found {} problem{}; nothing was run:\n", problems.size(), problems.size() == 1 ? "" : "s");
  for (const auto& p : problems) s += "  " + p.str() + "\n";
  return s;
}

std::string locate_option(const jobs::JobSpec& job, const std::string& key) {
  if (job.job_file.empty()) return job.defined_at.line > 0 ? job.defined_at.str() : "";
  // Standard input ("-") was read once already; reading it again would block.
  struct stat st {};
  if (::stat(job.job_file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return job.defined_at.str();
  std::vector<jobs::RawSection> secs;
  try {
    secs = jobs::read_job_file(job.job_file, jobs::Expander::from_system());
  } catch (const std::exception&) {
    return job.defined_at.str();
  }
  size_t self = secs.size();
  for (size_t i = 0; i < secs.size(); ++i)
    if (secs[i].name == job.name) self = i;
  if (self == secs.size()) return job.defined_at.str();
  auto last_in = [&](const jobs::RawSection& s) -> std::string {
    for (auto it = s.options.rbegin(); it != s.options.rend(); ++it)
      if (it->key == key) return it->loc.str();
    return "";
  };
  if (auto w = last_in(secs[self]); !w.empty()) return w;
  for (size_t i = self; i-- > 0;)
    if (secs[i].name == "global")
      if (auto w = last_in(secs[i]); !w.empty()) return w;
  return job.defined_at.str();
}

std::vector<Problem> preflight(const std::vector<jobs::JobSpec>& jobs, const RunPlan& plan, const PreflightOptions& opts) {
  if (plan.size() != jobs.size())
    throw std::invalid_argument(fmt::format("preflight: a plan of {} jobs for {} jobs", plan.size(), jobs.size()));
  Checker c(opts);
  for (size_t i = 0; i < jobs.size(); ++i) c.check_job(jobs[i], plan[i]);
  c.check_space();
  c.check_limits(jobs);
  return c.take();
}

std::vector<Problem> preflight(const std::vector<jobs::JobSpec>& jobs, const PreflightOptions& opts) {
  return preflight(jobs, plan_run(jobs), opts);
}

}  // namespace fiokit::volumes
