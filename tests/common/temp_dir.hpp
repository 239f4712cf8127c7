// The temporary directory every stage's tests use: a fresh directory under
// /tmp named after the test area, removed with everything in it afterwards.
// Removal first detaches anything a failed test left mounted inside, so the
// recursive delete never crosses into another filesystem.
#pragma once
#include <stdlib.h>
#include <sys/mount.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace fiokit::test {

class TempDir {
 public:
  explicit TempDir(const std::string& tag = "test") {
    std::string t = "/tmp/fiokit-" + tag + "-XXXXXX";
    std::vector<char> buf(t.begin(), t.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed for " + t);
    path = buf.data();
  }
  ~TempDir() {
    (void)::umount2(path.c_str(), MNT_DETACH);
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string path;
};

}  // namespace fiokit::test
