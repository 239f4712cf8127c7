// Memory of a process as the kernel counts it, for the tests that bound peak
// RSS (issue 16: log ring, hist reader, serve at scale, series API): one
// reader of /proc/PID/status instead of a loop in each test file.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <fstream>
#include <string>

namespace fiokit::test {

// A "Key:   N kB" field of /proc/<pid>/status in KiB ("self": this process);
// 0 when the field or the file is absent.
inline uint64_t proc_status_kib(const std::string& pid, const std::string& key) {
  std::ifstream f("/proc/" + pid + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.compare(0, key.size() + 1, key + ":") == 0) return std::stoull(line.substr(key.size() + 1));
  return 0;
}
inline uint64_t proc_status_kib(pid_t pid, const std::string& key) { return proc_status_kib(std::to_string(pid), key); }

// Peak resident set (VmHWM) in KiB, of this process or of a child.
inline uint64_t peak_rss_kib() { return proc_status_kib("self", "VmHWM"); }
inline uint64_t peak_rss_kib(pid_t pid) { return proc_status_kib(pid, "VmHWM"); }

}  // namespace fiokit::test
