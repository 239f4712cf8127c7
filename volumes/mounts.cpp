// Mount table (see mounts.hpp): mountinfo parsing, path -> mount, device ->
// mounts through sysfs partitions and holders (LVM, dm-crypt, md).
#include "volumes/mounts.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <climits>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

namespace fiokit::volumes {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3') {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string read_first_line(const std::string& path) {
  std::ifstream f(path);
  std::string line;
  std::getline(f, line);
  return line;
}

bool parse_dev(const std::string& s, unsigned* ma, unsigned* mi) {
  const size_t c = s.find(':');
  if (c == std::string::npos) return false;
  char* end = nullptr;
  *ma = static_cast<unsigned>(std::strtoul(s.c_str(), &end, 10));
  *mi = static_cast<unsigned>(std::strtoul(s.c_str() + c + 1, &end, 10));
  return true;
}

using DevSet = std::set<std::pair<unsigned, unsigned>>;

// The device, its partitions and everything stacked on them (holders), by
// walking /sys/dev/block/M:m/{<part>/,}holders/.
void collect_users(const std::string& sysdir, DevSet& out, int depth) {
  if (depth > 8) return;
  unsigned ma = 0, mi = 0;
  if (!parse_dev(read_first_line(sysdir + "/dev"), &ma, &mi)) return;
  if (!out.insert({ma, mi}).second) return;
  if (DIR* d = ::opendir((sysdir + "/holders").c_str())) {
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') names.push_back(e->d_name);
    ::closedir(d);
    for (const auto& n : names) collect_users("/sys/class/block/" + n, out, depth + 1);
  }
  if (DIR* d = ::opendir(sysdir.c_str())) {
    std::vector<std::string> parts;
    while (dirent* e = ::readdir(d)) {
      const std::string n = e->d_name;
      if (n[0] == '.') continue;
      struct stat st {};
      if (::stat((sysdir + "/" + n + "/partition").c_str(), &st) == 0) parts.push_back(n);
    }
    ::closedir(d);
    for (const auto& p : parts) collect_users(sysdir + "/" + p, out, depth + 1);
  }
}

}  // namespace

bool MountEntry::read_only() const {
  std::stringstream ss(mount_options);
  std::string o;
  while (std::getline(ss, o, ','))
    if (o == "ro") return true;
  return false;
}

std::vector<MountEntry> parse_mountinfo(const std::string& text) {
  std::vector<MountEntry> out;
  std::stringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    // id parent major:minor root mount_point options [optional fields...] - fstype source super_options
    std::stringstream ss(line);
    std::vector<std::string> f;
    std::string w;
    while (ss >> w) f.push_back(w);
    size_t dash = 0;
    for (size_t i = 6; i < f.size(); ++i)
      if (f[i] == "-") {
        dash = i;
        break;
      }
    if (dash == 0 || f.size() < dash + 3) continue;
    MountEntry m;
    m.id = std::atoi(f[0].c_str());
    m.parent_id = std::atoi(f[1].c_str());
    if (!parse_dev(f[2], &m.major, &m.minor)) continue;
    m.root = unescape(f[3]);
    m.mount_point = unescape(f[4]);
    m.mount_options = f[5];
    m.fstype = f[dash + 1];
    m.source = unescape(f[dash + 2]);
    if (dash + 3 < f.size()) m.super_options = f[dash + 3];
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<MountEntry> read_mounts() {
  std::ifstream f("/proc/self/mountinfo");
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_mountinfo(ss.str());
}

std::string existing_ancestor(const std::string& path) {
  std::string p = path.empty() ? "." : path;
  for (;;) {
    char buf[PATH_MAX];
    if (::realpath(p.c_str(), buf)) return buf;
    const size_t slash = p.find_last_of('/');
    if (slash == std::string::npos) {
      p = ".";
    } else if (slash == 0) {
      return "/";
    } else {
      p.resize(slash);
    }
    if (p == ".") {
      if (::realpath(".", buf)) return buf;
      return "/";
    }
  }
}

std::optional<MountEntry> find_mount(const std::vector<MountEntry>& mounts, const std::string& path) {
  const std::string real = existing_ancestor(path);
  const MountEntry* best = nullptr;
  for (const auto& m : mounts) {
    const std::string& mp = m.mount_point;
    const bool prefix = mp == "/" || real == mp || (real.size() > mp.size() && real.compare(0, mp.size(), mp) == 0 && real[mp.size()] == '/');
    if (!prefix) continue;
    // Later entries were mounted later and hide earlier ones at the same point.
    if (!best || mp.size() >= best->mount_point.size()) best = &m;
  }
  if (!best) return std::nullopt;
  return *best;
}

std::vector<MountEntry> mounts_on_device(const std::vector<MountEntry>& mounts, unsigned major, unsigned minor) {
  DevSet users;
  users.insert({major, minor});
  collect_users("/sys/dev/block/" + std::to_string(major) + ":" + std::to_string(minor), users, 0);
  std::vector<MountEntry> out;
  for (const auto& m : mounts)
    if (users.count({m.major, m.minor})) out.push_back(m);
  return out;
}

bool is_pseudo_fs(const std::string& t) {
  static const std::set<std::string> kPseudo{
      "proc",     "sysfs",      "devtmpfs", "devpts",  "cgroup",  "cgroup2",   "mqueue",     "securityfs", "debugfs",
      "tracefs",  "pstore",     "bpf",      "configfs", "fusectl", "hugetlbfs", "autofs",     "binfmt_misc", "nsfs",
      "rpc_pipefs", "efivarfs", "selinuxfs", "fuse.lxcfs", "nfsd"};
  return kPseudo.count(t) > 0;
}

bool worth_benchmarking(const MountEntry& m) {
  if (is_pseudo_fs(m.fstype)) return false;
  // Container runtimes keep other containers' roots and /dev/shm there.
  for (const char* top : {"/proc", "/sys", "/dev", "/run", "/var/lib/containers", "/var/lib/docker"}) {
    const std::string t = top;
    if (m.mount_point == t || m.mount_point.compare(0, t.size() + 1, t + "/") == 0) return false;
  }
  // Overlays are container image roots (ours at "/", other containers' under
  // /var/lib/docker or /var/lib/containers): layers, not volumes.
  if (m.fstype == "overlay" || m.fstype == "aufs" || m.fstype == "fuse-overlayfs") return false;
  // Bind-mounted files (/etc/hosts, /etc/resolv.conf in containers) hold no jobs.
  struct stat st {};
  if (::stat(m.mount_point.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return false;
  // A read-only tmpfs has nothing to read and no room to write.
  if (m.fstype == "tmpfs" && m.read_only()) return false;
  return true;
}

}  // namespace fiokit::volumes
