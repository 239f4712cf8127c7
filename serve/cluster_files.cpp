// Member files streamed to hosts/<index>/ (cluster_files.hpp).
#include "serve/cluster_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>
#include <system_error>

#include "serve/confine.hpp"

namespace fiokit::serve::cluster {

namespace {

constexpr size_t kBuffer = 1u << 20;

[[noreturn]] void fail(int err, const std::string& what) {
  throw std::system_error(err, std::generic_category(), what);
}

// Opens (making it when missing) the directory `name` inside dirfd, never
// through a symlink.
int open_subdir(int dirfd, const std::string& name) {
  if (::mkdirat(dirfd, name.c_str(), 0755) != 0 && errno != EEXIST) return -errno;
  const int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

}  // namespace

IncomingFile::IncomingFile(const std::string& host_dir, const std::string& rel) : rel_(rel) {
  dir_.reset(::open(host_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_) fail(errno, "cannot open the member's directory for " + rel);
  const Root root(host_dir);
  size_t pos = 0;
  for (size_t slash; (slash = rel.find('/', pos)) != std::string::npos; pos = slash + 1) {
    const int fd = open_subdir(dir_.get(), rel.substr(pos, slash - pos));
    if (fd < 0) fail(-fd, "cannot make the directories of " + rel);
    dir_.reset(fd);
  }
  name_ = rel.substr(pos);
  part_name_ = name_ + ".part";
  fd_.reset(::openat(dir_.get(), part_name_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd_) fail(errno, "cannot create " + rel + ".part");
  if (!root.holds_fd(fd_.get())) {
    ::unlinkat(dir_.get(), part_name_.c_str(), 0);
    fail(EACCES, rel + " resolves outside the member's directory");
  }
  part_path_ = host_dir + "/" + rel + ".part";
  buf_.reserve(kBuffer);
}

IncomingFile::~IncomingFile() {
  if (!committed_ && dir_) ::unlinkat(dir_.get(), part_name_.c_str(), 0);
}

void IncomingFile::write(const char* data, size_t n) {
  buf_.append(data, n);
  size_ += n;
  if (buf_.size() >= kBuffer) flush();
}

void IncomingFile::flush() {
  const char* p = buf_.data();
  for (size_t n = buf_.size(); n > 0;) {
    const ssize_t k = ::write(fd_.get(), p, n);
    if (k < 0) {
      if (errno == EINTR) continue;
      fail(errno, "cannot write " + rel_);
    }
    p += k;
    n -= static_cast<size_t>(k);
  }
  buf_.clear();
}

void IncomingFile::commit() {
  flush();
  if (const int err = fd_.close(); err < 0) fail(-err, "cannot write " + rel_);
  if (::renameat(dir_.get(), part_name_.c_str(), dir_.get(), name_.c_str()) != 0) fail(errno, "cannot rename " + rel_);
  committed_ = true;
}

int64_t member_file_size(const std::string& host_dir, const std::string& rel) {
  try {
    const Root root(host_dir);
    util::Fd fd(root.open_beneath(rel));
    if (fd.get() < 0) return fd.release();
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return -errno;
    return st.st_size;
  } catch (const std::system_error& e) {
    return -e.code().value();
  }
}

namespace {

// SAX events of a whole document, keeping only the path of keys to the
// current value, so a snapshot of any size costs a few strings.
class StartScan final : public nlohmann::json_sax<nlohmann::json> {
 public:
  int64_t started = 0;
  std::string error;
  bool root_object = false;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t v) override { return value(v); }
  bool number_unsigned(number_unsigned_t v) override {
    return value(v > static_cast<number_unsigned_t>(INT64_MAX) ? 0 : static_cast<int64_t>(v));
  }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return open(false); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(true); }
  bool end_array() override { return close(); }
  bool key(string_t& k) override {
    frames_.back().key = k;
    return true;
  }
  bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception& ex) override {
    error = fmt_error(pos, ex.what());
    return false;
  }

 private:
  struct Frame {
    bool array;
    std::string key;
  };
  static std::string fmt_error(std::size_t pos, const char* what) {
    return "not JSON at byte " + std::to_string(pos) + ": " + what;
  }
  // fio's json+ nests 6 deep; a body of 1 GiB of `[[[[` must not cost a
  // frame per byte.
  static constexpr size_t kMaxDepth = 64;
  bool open(bool array) {
    if (frames_.size() >= kMaxDepth) {
      error = "JSON nested deeper than " + std::to_string(kMaxDepth) + " levels";
      return false;
    }
    if (frames_.empty()) root_object = !array;
    frames_.push_back({array, {}});
    return true;
  }
  bool close() {
    frames_.pop_back();
    return true;
  }
  bool value(int64_t v) {
    if (frames_.size() == 3 && !frames_[0].array && !frames_[1].array && !frames_[2].array &&
        frames_[0].key == "fiokit" && frames_[1].key == "cluster" && frames_[2].key == "started_unix_ns")
      started = v;
    return true;
  }
  std::vector<Frame> frames_;
};

}  // namespace

bool scan_status(const std::string& path, int64_t* started_unix_ns, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read the status";
    return false;
  }
  StartScan scan;
  const bool ok = nlohmann::json::sax_parse(in, &scan);
  if (!ok || !scan.root_object) {
    *error = scan.error.empty() ? "not a JSON object" : scan.error;
    return false;
  }
  *started_unix_ns = scan.started;
  return true;
}

void make_host_dir(const std::string& host_dir) {
  std::error_code ec;
  std::filesystem::create_directories(host_dir, ec);
  if (ec) throw std::system_error(ec, "cannot make " + host_dir);
}

}  // namespace fiokit::serve::cluster
