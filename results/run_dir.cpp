// Run directory creation and listing; see run_dir.hpp.
#include "results/run_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <system_error>

#include "results/json_writer.hpp"
#include "results/normal_writer.hpp"
#include "results/repeats.hpp"
#include "util/fd.hpp"

namespace fiokit::results {
namespace fs = std::filesystem;

std::string make_run_id(int64_t unix_seconds, const std::string& label) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  std::string safe;
  for (char c : label) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                    c == '.';
    safe += ok ? c : '_';
    if (safe.size() >= 64) break;
  }
  while (!safe.empty() && safe.front() == '.') safe.front() = '_';  // no hidden or ".." names
  std::string id = buf;
  if (!safe.empty()) id += "-" + safe;
  return id;
}

std::string create_run_dir(const std::string& data_dir, const std::string& run_id) {
  fs::path runs = fs::path(data_dir) / "runs";
  std::error_code ec;
  fs::create_directories(runs, ec);
  if (ec) throw std::system_error(ec, "cannot create " + runs.string());
  for (int n = 1; n < 1000; ++n) {
    fs::path p = runs / (n == 1 ? run_id : run_id + "-" + std::to_string(n));
    // mkdir(2) fails with EEXIST rather than reusing: the check and the claim are one step.
    if (::mkdir(p.c_str(), 0755) == 0) return p.string();
    if (errno != EEXIST) throw std::system_error(errno, std::generic_category(), "cannot create " + p.string());
  }
  throw std::system_error(EEXIST, std::generic_category(), "too many runs named " + run_id);
}

namespace {

[[noreturn]] void throw_write_error(int err, const fs::path& final_path) {
  throw std::system_error(err, std::generic_category(), "cannot write " + final_path.string());
}

// Fills a new temporary file beside `final_path` by calling fill(fd) and
// renames it over final_path. Raw descriptors rather than a stream: a stream
// loses errno, and the user must be told ENOSPC, not "write failed". On any
// failure the temporary file is unlinked before throwing. No fsync: kill -9
// keeps the page cache, and a sync on every checkpoint would perturb the disk
// under test when the data dir shares it.
template <typename Fill>
void replace_file(const fs::path& final_path, Fill fill) {
  const fs::path tmp = final_path.parent_path() / ("." + final_path.filename().string() + ".tmp");
  util::Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) throw_write_error(errno, final_path);
  int err = fill(fd.get());
  if (const int c = fd.close(); !err && c < 0) err = -c;  // NFS reports a full disk at close
  if (!err && ::rename(tmp.c_str(), final_path.c_str()) != 0) err = errno;
  if (err) {
    ::unlink(tmp.c_str());
    throw_write_error(err, final_path);
  }
}

// 0 or the errno of the write(2) that failed.
int write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return errno;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return 0;
}

// Copies src to final_path whole or not at all (no half job file that looks
// like the one that ran).
void copy_file_atomic(const std::string& src, const fs::path& final_path) {
  util::Fd in(::open(src.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in) throw std::system_error(errno, std::generic_category(), "cannot read " + src);
  int read_err = 0;
  try {
    replace_file(final_path, [&](int out) {
      char buf[65536];
      for (;;) {
        const ssize_t r = ::read(in.get(), buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return read_err = errno;
        if (r == 0) return 0;
        if (const int e = write_all(out, buf, static_cast<size_t>(r))) return e;
      }
    });
  } catch (const std::system_error&) {
    if (read_err) throw std::system_error(read_err, std::generic_category(), "cannot read " + src);
    throw;
  }
}

// The names fiokit itself writes in a run dir. A job file by one of these
// names would be overwritten by the report (results.json, output.txt), or
// would block a folder (a file "repeats" makes repeats/2 impossible), so it is
// kept as "2-NAME" instead. ".NAME.tmp" is every atomic write's temporary file.
bool is_own_name(const std::string& name) {
  static const char* const own[] = {"results.json", "output.txt", "repeats.json", "repeats", "plots", "series", "stdin.fio", "quickstart.fio"};
  if (std::find(std::begin(own), std::end(own), name) != std::end(own)) return true;
  return name.size() > 4 && name.front() == '.' && name.ends_with(".tmp");
}

// The name a job file gets in the run dir: its base name, or "N-base" when an
// earlier one (in `used`: other job files, the inline jobs, the run's log
// files) or fiokit's own file took it.
std::string unique_name(const std::vector<std::string>& used, const std::string& path) {
  const std::string base = fs::path(path).filename().string();
  std::string name = base;
  for (int n = 2; is_own_name(name) || std::find(used.begin(), used.end(), name) != used.end(); ++n)
    name = std::to_string(n) + "-" + base;
  return name;
}

}  // namespace

std::vector<std::string> copy_job_files(const std::string& run_dir, const std::vector<std::string>& files) {
  std::vector<std::string> names;
  for (const auto& f : files) {
    if (f == "-") continue;  // stdin was consumed by the parser; the caller writes it
    names.push_back(unique_name(names, f));
    copy_file_atomic(f, fs::path(run_dir) / names.back());
  }
  return names;
}

void write_file_atomic(const std::string& run_dir, const std::string& name, const std::string& text) {
  replace_file(fs::path(run_dir) / name, [&](int fd) { return write_all(fd, text.data(), text.size()); });
}

std::vector<std::string> keep_files(const std::string& run_dir, const std::string& src_dir) {
  std::vector<std::string> failed;
  std::error_code ec;
  for (fs::directory_iterator it(src_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path to = fs::path(run_dir) / it->path().filename();
    std::error_code ec2;
    if (fs::exists(fs::symlink_status(to, ec2))) continue;
    try {
      copy_file_atomic(it->path().string(), to);
    } catch (const std::system_error& e) {
      failed.push_back("could not keep " + it->path().filename().string() + " in the run dir: " + e.code().message());
    }
  }
  return failed;
}

std::vector<std::string> list_runs(const std::string& data_dir) {
  std::vector<std::pair<fs::file_time_type, std::string>> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(data_dir) / "runs", ec)) {
    if (!e.is_directory()) continue;
    found.emplace_back(e.last_write_time(ec), e.path().string());
  }
  std::sort(found.begin(), found.end(), [](auto& a, auto& b) { return a.first != b.first ? a.first > b.first : a.second > b.second; });
  std::vector<std::string> out;
  for (auto& f : found) out.push_back(f.second);
  return out;
}

RunDirWriter RunDirWriter::create(const RunDirRequest& req, int64_t unix_seconds) {
  RunDirWriter w(create_run_dir(req.data_dir, make_run_id(unix_seconds, req.label)), std::max(1, req.repeats));
  // One file at a time, so a full disk costs only the files that do not fit.
  // The log files the run will write are taken before any job file, and the
  // inline jobs (stdin.fio: fiokit's own names) first of all, so a job file
  // called x/stdin.fio becomes 2-stdin.fio rather than replacing the job read
  // from stdin.
  std::vector<std::string> used = req.reserved_names;
  for (const auto& [name, text] : req.inline_jobs) {
    std::string own = name;
    while (std::find(used.begin(), used.end(), own) != used.end()) own = "2-" + own;
    used.push_back(own);
    w.write(w.path_, own, text);
  }
  for (const std::string& f : req.job_files) {
    if (f == "-") continue;  // stdin: the caller passes its text as an inline job
    used.push_back(unique_name(used, f));
    try {
      copy_file_atomic(f, fs::path(w.path_) / used.back());
    } catch (const std::system_error& e) {
      w.record(e.what());
    }
  }
  return w;
}

RunDirWriter RunDirWriter::create(const RunDirRequest& req) {
  const auto now = std::chrono::system_clock::now();
  return create(req, std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
}

std::string RunDirWriter::repeat_dir(int rep) const { return path_ + "/repeats/" + std::to_string(rep); }

void RunDirWriter::record(const std::string& message) {
  if (std::find(failures_.begin(), failures_.end(), message) == failures_.end()) failures_.push_back(message);
}

void RunDirWriter::write(const std::string& dir, const std::string& name, const std::string& text) {
  try {
    write_file_atomic(dir, name, text);
  } catch (const std::system_error& e) {
    record(e.what());
  }
}

std::string RunDirWriter::begin_repeat(int rep) {
  if (repeats_ == 1) return path_;
  const std::string dir = repeat_dir(rep);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) record("cannot create " + dir + ": " + ec.message());
  return rep == 1 ? path_ : dir;
}

void RunDirWriter::checkpoint(int rep, const RunResult& so_far, int64_t snapshot_ms) {
  RunResult r = so_far;
  r.incomplete = true;
  r.interrupted = true;  // as far as any reader of the file can tell
  r.snapshot_ms = snapshot_ms;
  const std::string json = write_json(r, true);
  // Repeat 1 of a series has both: repeats/1 (what compare reads) and the
  // run dir's own (what plot and serve read).
  if (rep > 1 || repeats_ > 1) write(repeat_dir(rep), "results.json", json);
  if (rep == 1) write(path_, "results.json", json);
}

void RunDirWriter::start(const RunResult& placeholder, int64_t snapshot_ms) {
  for (int rep = 1; rep <= repeats_; ++rep) {
    begin_repeat(rep);
    RunResult r = placeholder;
    if (repeats_ > 1) r.extras["repeat"] = std::to_string(rep) + "/" + std::to_string(repeats_);
    checkpoint(rep, r, snapshot_ms);
  }
}

void RunDirWriter::end_repeat(int rep, const RunResult& r) {
  if (repeats_ == 1) return;
  write(repeat_dir(rep), "results.json", write_json(r, true));
  // The run dir's results.json stands for the whole series, which is not
  // over: repeat 1's figures, still marked incomplete until finish(). So a
  // kill -9 during repeat 2 leaves no top-level file that looks like a whole run.
  if (rep == 1) {
    RunResult top = r;
    top.incomplete = top.interrupted = true;
    top.snapshot_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    write(path_, "results.json", write_json(top, true));
  }
}

void RunDirWriter::add_failure(const std::string& message) { record(message); }

void RunDirWriter::finish(const std::vector<RunResult>& runs, const std::string& pre_run_text) {
  if (runs.empty()) return;
  write(path_, "results.json", write_json(runs.front(), true));
  std::string text = pre_run_text;
  for (const auto& r : runs) text += "\n" + write_normal(r);
  write(path_, "output.txt", text);
  if (repeats_ > 1) write(path_, "repeats.json", summarize_repeats(runs));
}

}  // namespace fiokit::results
