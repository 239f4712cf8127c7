// Confinement of every file the server reads to the served directory. Debian's
// cpp-httplib 0.11.4 predates upstream's symlink-confinement fix and decodes
// %2f and %00 into req.path, so the server never trusts req.path for files:
// the raw request target is vetted first (check_target), and a file is opened
// with O_PATH and checked by where that descriptor really is (/proc/self/fd)
// before it is reopened for reading (only regular files and directories),
// which cannot be raced by swapping a symlink between a check and the open.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fiokit::serve {

// Decodes %XX escapes; nullopt when an escape is malformed.
std::optional<std::string> decode_percent(std::string_view s);

// Percent-encodes everything but unreserved characters and '/' (when keep_slash).
std::string encode_path(std::string_view s, bool keep_slash = true);

// Vets the raw request target (path part, before '?'): false when the path,
// raw or decoded, holds "..", "." or empty segments, segments starting with '.',
// backslashes, NUL or control bytes, or an encoded '/' or '\\'.
bool check_target(std::string_view target);

struct DirEntry {
  std::string name;
  bool is_dir = false;
  uint64_t size = 0;
  int64_t mtime = 0;     // seconds since the epoch
  int64_t mtime_ns = 0;  // full resolution, to notice a rewrite within a second
};

// A served directory, held by its real path.
class Root {
 public:
  // Throws std::system_error naming the path when it is not a readable directory.
  explicit Root(const std::string& dir);
  const std::string& path() const { return real_; }

  // Opens DIR/rel read-only; rel is '/'-separated, relative. Returns a
  // descriptor, or -errno: -EACCES when the file resolves outside the root
  // (symlink escape), -ENOENT, -EISDIR for directories when want_dir is false,
  // -ENOTDIR when want_dir is true and it is a file; non-regular files -> -EACCES.
  int open_beneath(std::string_view rel, bool want_dir = false) const;

  // Lists DIR/rel: entries that resolve outside the root (symlink escapes),
  // hidden names and non-regular, non-directory files are left out, so a
  // listing never links to something open_beneath refuses. Sorted by name.
  // Returns 0 or -errno.
  int list(std::string_view rel, std::vector<struct DirEntry>& out) const;

  // Whether the descriptor's real location is the root or inside it.
  bool holds_fd(int fd) const;

 private:
  std::string real_;
};

// Reads a whole file by descriptor (up to max_bytes; more -> -EFBIG), closing it.
// Returns 0 or -errno.
int read_fd(int fd, std::string& out, size_t max_bytes);


}  // namespace fiokit::serve
