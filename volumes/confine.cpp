// See confine.hpp. The resolver walks the path one component at a time, as
// the kernel's path walk does, instead of std::filesystem::weakly_canonical:
// that one stops following at the first component that does not exist, so a
// dangling symlink "data/new -> /etc/new" would pass as "data/new" while
// open(O_CREAT) creates /etc/new.
#include "volumes/confine.hpp"

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <fcntl.h>
#include <climits>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <set>

#include "jobs/options.hpp"
#include "util/fd.hpp"

namespace fiokit::volumes {
namespace fs = std::filesystem;

namespace {

// The kernel's limit on symlinks in one lookup (MAXSYMLINKS).
constexpr int kMaxLinks = 40;

void push_front_components(std::deque<std::string>& todo, const std::string& path) {
  std::vector<std::string> parts;
  std::string cur;
  for (char ch : path) {
    if (ch == '/') {
      if (!cur.empty()) parts.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) parts.push_back(std::move(cur));
  todo.insert(todo.begin(), parts.begin(), parts.end());
}

std::string parent_of(const std::string& p) {
  const size_t slash = p.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : p.substr(0, slash);
}

std::string join(const std::string& dir, const std::string& name) { return dir == "/" ? "/" + name : dir + "/" + name; }

bool on_procfs(const std::string& p) {
  struct statfs sf {};
  return ::statfs(p.c_str(), &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

bool under(const std::string& root, const std::string& p) {
  if (root == "/") return true;
  return p == root || (p.size() > root.size() && p.compare(0, root.size(), root) == 0 && p[root.size()] == '/');
}

// worth_benchmarking answers "would anyone benchmark this mount?", which a
// host's separate /boot, /var or /home partitions pass; a job file from
// elsewhere must not write there. The root filesystem and these stay out;
// FIOKIT_REMOTE_ROOTS can still name a folder on any of them.
bool remote_target(const MountEntry& m) {
  static const char* kSystem[] = {"/", "/boot", "/efi", "/etc", "/usr", "/var", "/opt", "/root", "/home",
                                  "/srv", "/snap", "/nix", "/bin", "/sbin", "/lib", "/lib64"};
  for (const char* top : kSystem)
    if (std::string(top) == "/" ? m.mount_point == "/" : under(top, m.mount_point)) return false;
  return worth_benchmarking(m);
}

}  // namespace

ResolvedPath resolve_path(const std::string& path, const std::string& base_dir) {
  ResolvedPath r;
  std::deque<std::string> todo;
  push_front_components(todo, path);
  if (path.empty() || path[0] != '/') push_front_components(todo, base_dir.empty() ? fs::current_path().string() : base_dir);
  std::string cur = "/";
  int links = 0;
  while (!todo.empty()) {
    const std::string comp = std::move(todo.front());
    todo.pop_front();
    if (comp == ".") continue;
    if (comp == "..") {
      cur = parent_of(cur);  // cur has no symlink left in it, so its parent is real
      continue;
    }
    const std::string next = join(cur, comp);
    struct stat st {};
    if (::lstat(next.c_str(), &st) != 0) {
      cur = next;  // does not exist (yet): the rest is taken as written
      continue;
    }
    if (under("/proc", next) || on_procfs(S_ISLNK(st.st_mode) ? cur : next)) r.via_proc = true;
    if (!S_ISLNK(st.st_mode)) {
      cur = next;
      continue;
    }
    if (++links > kMaxLinks) {
      r.loops = true;
      cur = next;
      break;
    }
    // st_size is 0 for some links (procfs, some FUSE filesystems): grow until
    // the target fits, never resolve a truncated one.
    std::string target(static_cast<size_t>(st.st_size > 0 ? st.st_size : 0) + 256, '\0');
    ssize_t n = 0;
    while ((n = ::readlink(next.c_str(), target.data(), target.size())) >= 0 && static_cast<size_t>(n) == target.size() &&
           target.size() < (1u << 20))
      target.resize(target.size() * 2);
    if (n < 0 || static_cast<size_t>(n) == target.size()) {
      cur = next;
      r.loops = r.loops || n >= 0;  // a target longer than 1 MiB: refuse as unresolvable
      if (r.loops) break;
      continue;
    }
    target.resize(static_cast<size_t>(n));
    if (!target.empty() && target[0] == '/') cur = "/";
    push_front_components(todo, target);  // relative targets start from the link's folder: cur
  }
  for (const std::string& rest : todo) cur = join(cur, rest);  // after a loop: as written
  r.path = cur;
  return r;
}

Confinement Confinement::for_remote(const std::string& data_dir, const std::vector<std::string>& extra_roots, bool allow_device) {
  Confinement c;
  c.base_dir = resolve_path(data_dir, "/").path;
  c.roots.push_back(c.base_dir);
  c.excluded.push_back(resolve_path("runs", c.base_dir).path);
  for (const std::string& r : extra_roots) c.roots.push_back(resolve_path(r, "/").path);
  c.mounts = read_mounts();
  c.allow_device = allow_device;
  return c;
}

namespace {

// /dev/null and /dev/zero (char 1:3, 1:5) hold nobody's data, wherever the node is.
bool null_device(const struct stat& st) {
  return S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && (minor(st.st_rdev) == 3 || minor(st.st_rdev) == 5);
}

// A device node a job may not open without FIOKIT_ALLOW_DEVICE=1.
bool device_held_back(const Confinement& c, const struct stat& st) {
  return (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode)) && !null_device(st) && !c.allow_device;
}

std::string device_refusal(const struct stat* st) {
  return std::string("is ") + (!st ? "a device name under /dev" : S_ISBLK(st->st_mode) ? "a block device" : "a character device") +
         ": devices need FIOKIT_ALLOW_DEVICE=1 as well as an allowed place (the data dir, FIOKIT_REMOTE_ROOTS or a benchmark volume)";
}

// The place rules (runs/ excluded, then the roots, then benchmark volumes) for
// `real`, an absolute path with no symlink, '.' or '..' on its existing part.
std::optional<std::string> refuse_place(const Confinement& c, const std::string& real, const std::string& shown) {
  for (const std::string& x : c.excluded)
    if (under(x, real)) return shown + "is inside '" + x + "', where fiokit keeps the results of runs";
  // The same runs/ can have other names: when the data dir is a bind mount of
  // a folder on a benchmark volume, <volume>/<folder>/runs is it too, and the
  // volume is an allowed place. A folder is one (st_dev, st_ino) under any
  // name, so each existing ancestor of the path is compared with runs/.
  for (const std::string& x : c.excluded) {
    struct stat xs {};
    if (::stat(x.c_str(), &xs) != 0 || !S_ISDIR(xs.st_mode)) continue;
    for (std::string a = real;; a = parent_of(a)) {
      struct stat as {};
      if (::stat(a.c_str(), &as) == 0 && as.st_dev == xs.st_dev && as.st_ino == xs.st_ino)
        return shown + "is inside '" + x + "' (reached as '" + a + "' through another mount), where fiokit keeps the results of runs";
      if (a == "/") break;
    }
  }
  for (const std::string& root : c.roots)
    if (under(root, real)) return std::nullopt;
  // A benchmark target of `fiokit volumes`, judged by the mount that holds the
  // path (the innermost), and never the system's own filesystems.
  if (const auto m = find_mount(c.mounts, real); m && remote_target(*m)) return std::nullopt;
  return shown + "is outside the data dir '" + c.roots.front() +
         "', FIOKIT_REMOTE_ROOTS and the benchmark volumes `fiokit volumes` lists";
}

}  // namespace

std::optional<std::string> refuse_path(const Confinement& c, const std::string& path) {
  const ResolvedPath r = resolve_path(path, c.base_dir);
  if (r.loops) return "has more than 40 symlinks on its way (a loop)";
  if (r.via_proc)
    return "goes through /proc ('" + r.path + "'): its links (root, cwd, fd) point into other processes' views, which a "
           "remote job may not use";
  const std::string shown = r.path == path ? "" : "resolves to '" + r.path + "' and ";
  struct stat st {};
  const bool exists = ::stat(r.path.c_str(), &st) == 0;
  if (exists && null_device(st)) return std::nullopt;
  // A /dev name that does not exist yet may be a device by the time the run opens it.
  const bool device = exists ? S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode) : under("/dev", r.path);
  if (device && !c.allow_device) return shown + device_refusal(exists ? &st : nullptr);
  return refuse_place(c, r.path, shown);
}

namespace {

int refused_with(std::string* why, int err, const std::string& msg) {
  if (why) *why = msg;
  return -err;
}

// A remote job's file's folder, pinned: whatever happens to its name from
// here on, the file is opened (or removed) in the folder `dir` holds, and
// that folder's real place (the kernel's own answer) is what is judged. 0 with
// dir, leaf and shown ("is now 'REAL' and ") set, or -errno (*why set when
// the place is refused).
int pin_folder(const Confinement& c, const std::string& path, util::Fd& dir, std::string& leaf, std::string& shown,
               std::string* why) {
  const size_t slash = path.rfind('/');
  leaf = slash == std::string::npos ? path : path.substr(slash + 1);
  const std::string parent = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  if (leaf.empty() || leaf == "." || leaf == "..")
    return refused_with(why, EISDIR, "'" + path + "' does not name a file (a remote job's files are opened by their own name)");
  dir = util::Fd(::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return -errno;
  char buf[PATH_MAX + 1];
  const ssize_t n = ::readlink(("/proc/self/fd/" + std::to_string(dir.get())).c_str(), buf, PATH_MAX);
  if (n <= 0) return refused_with(why, EACCES, "its folder's real place cannot be read back from /proc/self/fd (is /proc mounted?)");
  const std::string real_dir(buf, static_cast<size_t>(n));
  struct statfs sf {};
  if (real_dir.empty() || real_dir[0] != '/' || (::fstatfs(dir.get(), &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC))
    return refused_with(why, EACCES, "its folder is '" + real_dir + "', not a folder a remote job may use");
  const std::string real = join(real_dir, leaf);
  shown = "is now '" + real + "' and ";
  if (auto no = refuse_place(c, real, shown)) return refused_with(why, EACCES, "changed since it was checked: it " + *no);
  return 0;
}

}  // namespace

int unlink_confined(const Confinement& c, const std::string& path, bool only_created, std::string* why) {
  util::Fd dir;
  std::string leaf, shown;
  if (const int rc = pin_folder(c, path, dir, leaf, shown, why); rc < 0) return rc;
  if (only_created) {
    // Opened only once known to be a regular file (opening a device can act
    // on it), and without following a last symlink.
    struct stat st {};
    if (::fstatat(dir.get(), leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return -errno;
    const util::Fd f(S_ISREG(st.st_mode) ? ::openat(dir.get(), leaf.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) : -1);
    if (!f || !created_by_fiokit(f.get()))
      return refused_with(why, EPERM, "'" + path + "' is not a file fiokit created: left in place");
  }
  return ::unlinkat(dir.get(), leaf.c_str(), 0) == 0 ? 0 : -errno;
}

int open_confined(const Confinement& c, const std::string& path, int flags, mode_t mode, std::string* why) {
  auto refused = [&](int err, const std::string& msg) { return refused_with(why, err, msg); };
  util::Fd dir;
  std::string leaf, shown;
  if (const int rc = pin_folder(c, path, dir, leaf, shown, why); rc < 0) return rc;
  // The device rule before opening (opening a device can act on it) and again
  // on what was opened.
  struct stat st {};
  if (::fstatat(dir.get(), leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && device_held_back(c, st))
    return refused(EACCES, "changed since it was checked: it " + shown + device_refusal(&st));
  if (S_ISLNK(st.st_mode))
    return refused(ELOOP, "changed since it was checked: it is now a symlink, and a remote job's files are opened without "
                          "following a last symlink");
  const int fd = ::openat(dir.get(), leaf.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    const int e = errno;
    if (e == ELOOP) return refused(ELOOP, "is a symlink, and a remote job's files are opened without following a last symlink");
    return -e;
  }
  if (::fstat(fd, &st) == 0 && device_held_back(c, st)) {
    ::close(fd);
    return refused(EACCES, "changed since it was checked: it " + shown + device_refusal(&st));
  }
  return fd;
}

std::string ConfineViolation::str() const {
  return "job '" + job + "' (" + loc.str() + "): " + what + " " + why;
}

std::vector<ConfineViolation> check_confined(const std::vector<jobs::JobSpec>& jobs, const Confinement& c,
                                             const std::function<bool(const jobs::JobSpec&)>& applies) {
  std::vector<ConfineViolation> out;
  std::set<std::string> seen;  // numjobs clones repeat their section's paths: one line each
  auto add = [&](const jobs::JobSpec& j, std::string what, std::string why) {
    ConfineViolation v{j.name, j.defined_at, std::move(what), std::move(why)};
    if (seen.insert(v.str()).second) out.push_back(std::move(v));
  };
  // Counted before anything is enumerated: 75 bytes of job file (numjobs=4096,
  // nrfiles=1048576) name 4.3e9 files, and one lstat each took ~17 hours.
  uint64_t total = 0;
  const jobs::JobSpec* first_over = nullptr;
  for (const jobs::JobSpec& j : jobs) {
    if (applies && !applies(j)) continue;
    total += j.directories.size() + (j.filenames.empty() ? std::max<uint64_t>(1, j.nrfiles) : j.filenames.size());
    if (total > kMaxRemoteFiles && !first_over) first_over = &j;
  }
  if (first_over) {
    const jobs::JobSpec& j = *first_over;
    add(j, "numjobs=" + std::to_string(j.numjobs) + " with nrfiles=" + std::to_string(j.nrfiles),
        "brings the files the job file names to " + std::to_string(total) + "; a remote job file may name at most " +
            std::to_string(kMaxRemoteFiles) + " in all");
    return out;
  }
  for (const jobs::JobSpec& j : jobs) {
    if (applies && !applies(j)) continue;
    for (const std::string& d : j.directories)
      if (auto why = refuse_path(c, d)) add(j, "directory '" + d + "'", *why);
    // file_paths, not plan_run: planning opens block devices to size them,
    // and a plan that fails (no size=) names no file although the run's own
    // plan, made later, may.
    for (const std::string& p : file_paths(j))
      if (auto why = refuse_path(c, p)) add(j, "file '" + p + "'", *why);
    // read_iolog: the log itself is read (and file_paths above gave the
    // files it names, or replay_redirect); write_iolog is a log like the
    // others below.
    if (!j.read_iolog.empty())
      for (const std::string& p : jobs::split_file_list(j.read_iolog))
        if (auto why = refuse_path(c, p)) add(j, "read_iolog '" + p + "'", *why);
    if (!j.write_iolog.empty()) {
      bool escapes = j.write_iolog[0] == '/';
      for (const auto& part : fs::path(j.write_iolog)) escapes = escapes || part == "..";
      if (escapes) add(j, "write_iolog '" + j.write_iolog + "'", "leaves the run directory (absolute or with '..')");
    }
    // Log prefixes are relative to the run directory (a new folder, no
    // symlinks in it): absolute or '..' is the only way out. A valueless
    // write_*_log uses the job name, which the job file chose too.
    const auto& l = j.log;
    const std::pair<const char*, const std::optional<std::string>*> logs[] = {
        {"write_bw_log", &l.bw}, {"write_iops_log", &l.iops}, {"write_lat_log", &l.lat}, {"write_hist_log", &l.hist}};
    for (const auto& [opt, prefix] : logs) {
      if (!*prefix) continue;
      const std::string p = (*prefix)->empty() ? j.name : **prefix;
      bool escapes = !p.empty() && p[0] == '/';
      for (const auto& part : fs::path(p)) escapes = escapes || part == "..";
      if (escapes) add(j, std::string(opt) + " '" + p + "'", "leaves the run directory (absolute or with '..'; a valueless log is named after the job)");
    }
  }
  return out;
}

}  // namespace fiokit::volumes
