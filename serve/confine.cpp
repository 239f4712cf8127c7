// Target vetting and root-confined opening (see confine.hpp for the why).
#include "serve/confine.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <system_error>

#include "util/fd.hpp"

namespace fiokit::serve {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A decoded path segment we are willing to map onto a file name.
bool is_safe_segment(std::string_view seg) {
  if (seg.empty() || seg.front() == '.') return false;  // "", ".", "..", hidden files
  for (unsigned char c : seg) {
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> decode_percent(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::string encode_path(std::string_view s, bool keep_slash) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/');
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

bool check_target(std::string_view target) {
  const size_t q = target.find_first_of("?#");
  const std::string_view path = target.substr(0, q);
  if (path.empty() || path.front() != '/') return false;
  if (path == "/") return true;
  // Split on the raw '/' only: a '/' that arrives encoded is refused below,
  // since it would otherwise join two segments after decoding.
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view raw = path.substr(start, end - start);
    const bool last = end == path.size();
    if (raw.empty()) {
      if (!last) return false;  // "//host", "/a//b"
    } else {
      auto seg = decode_percent(raw);
      if (!seg || !is_safe_segment(*seg)) return false;
    }
    start = end + 1;
  }
  return true;
}

Root::Root(const std::string& dir) {
  char buf[PATH_MAX];
  if (!::realpath(dir.c_str(), buf)) {
    throw std::system_error(errno, std::generic_category(), "cannot serve '" + dir + "'");
  }
  struct stat st;
  if (::stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
    throw std::system_error(ENOTDIR, std::generic_category(), "cannot serve '" + dir + "'");
  }
  real_ = buf;
}

bool Root::holds_fd(int fd) const {
  char link[64];
  char where[PATH_MAX];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t n = ::readlink(link, where, sizeof where - 1);
  if (n <= 0) return false;
  const std::string_view p(where, static_cast<size_t>(n));
  if (p == real_) return true;
  if (real_ == "/") return true;
  return p.size() > real_.size() && p.substr(0, real_.size()) == real_ && p[real_.size()] == '/';
}

int Root::open_beneath(std::string_view rel, bool want_dir) const {
  // Same segment rules as check_target, for callers that pass names they built.
  std::string path = real_;
  size_t start = 0;
  while (start < rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string_view::npos) end = rel.size();
    const std::string_view seg = rel.substr(start, end - start);
    if (!(seg.empty() && end == rel.size())) {
      if (!is_safe_segment(seg)) return -ENOENT;
      path += '/';
      path += seg;
    }
    start = end + 1;
  }
  // Resolve with O_PATH first: it follows symlinks to their target without
  // opening it for I/O, so a link to a device or FIFO outside the root
  // (/dev/watchdog, whose open alone has an effect) is never really opened.
  // Only once the descriptor is known to be inside the root and a regular
  // file or directory is it reopened for reading, through /proc/self/fd,
  // which reopens that very inode (no second path walk to race).
  util::Fd where(::open(path.c_str(), O_PATH | O_CLOEXEC | (want_dir ? O_DIRECTORY : 0)));
  if (!where) return errno == ENOTDIR && want_dir ? -ENOTDIR : -errno;
  struct stat st;
  if (::fstat(where.get(), &st) != 0) return -errno;
  if (!holds_fd(where.get())) return -EACCES;
  if (S_ISDIR(st.st_mode)) {
    if (!want_dir) return -EISDIR;
  } else if (!S_ISREG(st.st_mode)) {
    return -EACCES;
  }
  char again[64];
  std::snprintf(again, sizeof again, "/proc/self/fd/%d", where.get());
  // O_NONBLOCK kept as a second guard: the inode is a regular file or directory.
  const int fd = ::open(again, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (want_dir ? O_DIRECTORY : 0));
  if (fd < 0) return -errno;
  return fd;  // the caller owns it from here
}

int Root::list(std::string_view rel, std::vector<DirEntry>& out) const {
  const int raw = open_beneath(rel, true);
  if (raw < 0) return raw;
  util::Fd fd(raw);
  DIR* d = ::fdopendir(fd.get());
  if (!d) return -errno;
  fd.release();  // closedir closes it
  while (dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    if (!is_safe_segment(name)) continue;
    // O_PATH follows a symlink without reading or blocking on what it names.
    const util::Fd efd(::openat(::dirfd(d), e->d_name, O_PATH | O_CLOEXEC));
    if (!efd) continue;
    struct stat st;
    if (::fstat(efd.get(), &st) == 0 && holds_fd(efd.get()) && (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))) {
      out.push_back({std::string(name), S_ISDIR(st.st_mode), static_cast<uint64_t>(st.st_size),
                     static_cast<int64_t>(st.st_mtime),
                     static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec});
    }
  }
  ::closedir(d);
  std::sort(out.begin(), out.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return 0;
}

int read_fd(int fd, std::string& out, size_t max_bytes) {
  const util::Fd owned(fd);  // closed on every return
  struct stat st;
  int err = 0;
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    if (static_cast<uint64_t>(st.st_size) > max_bytes) err = -EFBIG;
    else out.reserve(static_cast<size_t>(st.st_size));
  }
  char buf[65536];
  while (!err) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = -errno;
      break;
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      err = -EFBIG;
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return err;
}

}  // namespace fiokit::serve
