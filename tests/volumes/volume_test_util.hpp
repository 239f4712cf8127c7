// Helpers for the preflight and volume-info tests: temp directories, real
// small filesystems (tmpfs, ramfs, a loop-mounted ext4) mounted for one test
// and always unmounted by RAII even when the test fails, job files parsed the
// way `fiokit run` parses them (so problems carry file:line), and a sha256 of
// a user's file to prove a refused job left it alone.
#pragma once
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "jobs/ini.hpp"
#include "jobs/parse.hpp"
#include "volumes/preflight.hpp"
#include "common/temp_dir.hpp"

namespace fiokit::test {


// Runs a shell command; returns its stdout, and its exit status in *rc.
inline std::string sh(const std::string& cmd, int* rc = nullptr) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) {
    if (rc) *rc = -1;
    return out;
  }
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int st = ::pclose(p);
  if (rc) *rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

inline std::string sha256(const std::string& path) {
  std::string s = sh("sha256sum '" + path + "'");
  return s.substr(0, s.find(' '));
}

// "" when root tests can run, else why not.
inline std::string root_unavailable() { return ::geteuid() == 0 ? "" : "not running as root (mount/losetup need it)"; }

#define FIOKIT_REQUIRE_ROOT()                                                                 \
  if (auto why_ = fiokit::test::root_unavailable(); !why_.empty()) {                          \
    WARN("skipping: " << why_);                                                               \
    return;                                                                                   \
  }

// A filesystem mounted on a fresh directory for one test.
struct Mount {
  TempDir dir{"mnt"};
  std::string error;  // why mounting failed ("" = mounted)
  bool mounted = false;
  Mount(const char* fstype, const char* options) {
    if (::mount("none", dir.path.c_str(), fstype, 0, options) == 0)
      mounted = true;
    else
      error = std::string("mount -t ") + fstype + ": " + std::strerror(errno);
  }
  Mount(const Mount&) = delete;
  Mount& operator=(const Mount&) = delete;
  ~Mount() {
    if (mounted) (void)::umount2(dir.path.c_str(), MNT_DETACH);
  }
  bool remount_ro() { return ::mount(nullptr, dir.path.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr) == 0; }
  const std::string& path() const { return dir.path; }
};

#define FIOKIT_REQUIRE_MOUNTED(m)                 \
  if (!(m).mounted) {                            \
    WARN("skipping: " << (m).error);             \
    return;                                      \
  }

// A loop device over an image file (optionally with a 4096-byte sector size),
// optionally formatted ext4 and mounted. Detached and unmounted by RAII.
struct LoopDevice {
  TempDir img_dir{"img"};
  TempDir mnt{"loopmnt"};
  std::string image, dev, error;
  bool mounted = false;
  LoopDevice(uint64_t mib, uint32_t sector_size, bool mkfs, bool do_mount) {
    image = img_dir.path + "/disk.img";
    int rc = 0;
    sh("truncate -s " + std::to_string(mib) + "M '" + image + "'", &rc);
    if (rc != 0) {
      error = "truncate failed";
      return;
    }
    // ext4's block size must be at least the device's sector size.
    if (mkfs && (sh("mkfs.ext4 -q -F -b 4096 '" + image + "' 2>&1", &rc), rc != 0)) {
      error = "mkfs.ext4 failed (is e2fsprogs installed?)";
      return;
    }
    const std::string ss = sector_size ? " --sector-size " + std::to_string(sector_size) : "";
    dev = sh("losetup --find --show" + ss + " '" + image + "' 2>/dev/null", &rc);
    while (!dev.empty() && (dev.back() == '\n' || dev.back() == ' ')) dev.pop_back();
    if (rc != 0 || dev.empty()) {
      error = "losetup" + ss + " failed (no loop devices, or sector size not supported)";
      dev.clear();
      return;
    }
    if (do_mount) {
      if (::mount(dev.c_str(), mnt.path.c_str(), "ext4", 0, nullptr) == 0)
        mounted = true;
      else
        error = std::string("mount ext4 on ") + dev + ": " + std::strerror(errno);
    }
  }
  ~LoopDevice() {
    if (mounted) (void)::umount2(mnt.path.c_str(), MNT_DETACH);
    if (!dev.empty()) sh("losetup -d '" + dev + "' 2>/dev/null");
  }
  LoopDevice(const LoopDevice&) = delete;
  LoopDevice& operator=(const LoopDevice&) = delete;
  bool ok(bool want_mount) const { return !dev.empty() && (!want_mount || mounted); }
};

// Parses job text saved as `dir`/name, as `fiokit run FILE` would.
inline std::vector<jobs::JobSpec> parse_job_file(const std::string& dir, const std::string& text, const std::string& name = "t.fio") {
  const std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  jobs::ParseRequest req;
  req.sources.push_back({path, jobs::read_job_file(path, jobs::Expander::from_system())});
  return jobs::build_jobs(req, jobs::own_options()).jobs;  // no engine options in these jobs
}

inline std::string all_text(const std::vector<volumes::Problem>& ps) { return volumes::format_problems(ps); }

inline void write_file(const std::string& path, const std::string& content) { std::ofstream(path, std::ios::binary) << content; }

}  // namespace fiokit::test
