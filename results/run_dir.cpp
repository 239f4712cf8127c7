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
#include <fstream>
#include <system_error>

#include "results/json_writer.hpp"
#include "results/normal_writer.hpp"
#include "results/repeats.hpp"

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

std::vector<std::string> copy_job_files(const std::string& run_dir, const std::vector<std::string>& files) {
  std::vector<std::string> names;
  for (const auto& f : files) {
    if (f == "-") continue;  // stdin was consumed by the parser; the caller writes it
    std::string base = fs::path(f).filename().string();
    std::string name = base;
    for (int n = 2; std::find(names.begin(), names.end(), name) != names.end(); ++n) name = std::to_string(n) + "-" + base;
    std::error_code ec;
    fs::copy_file(f, fs::path(run_dir) / name, fs::copy_options::none, ec);
    if (ec) throw std::system_error(ec, "cannot copy job file " + f + " into " + run_dir);
    names.push_back(name);
  }
  return names;
}

void write_file_atomic(const std::string& run_dir, const std::string& name, const std::string& text) {
  fs::path final_path = fs::path(run_dir) / name;
  fs::path tmp = fs::path(run_dir) / ("." + name + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::system_error(errno, std::generic_category(), "cannot write " + tmp.string());
    out << text;
    out.flush();
    if (!out) throw std::system_error(errno, std::generic_category(), "cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, final_path, ec);
  if (ec) throw std::system_error(ec, "cannot rename " + tmp.string() + " to " + final_path.string());
}

std::vector<std::string> keep_files(const std::string& run_dir, const std::string& src_dir) {
  std::vector<std::string> failed;
  std::error_code ec;
  for (fs::directory_iterator it(src_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path to = fs::path(run_dir) / it->path().filename();
    std::error_code ec2;
    if (fs::exists(fs::symlink_status(to, ec2))) continue;
    fs::copy_file(it->path(), to, fs::copy_options::none, ec2);
    if (ec2) failed.push_back("could not keep " + it->path().filename().string() + " in the run dir: " + ec2.message());
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
  copy_job_files(w.path_, req.job_files);
  for (const auto& [name, text] : req.inline_jobs) write_file_atomic(w.path_, name, text);
  return w;
}

RunDirWriter RunDirWriter::create(const RunDirRequest& req) {
  const auto now = std::chrono::system_clock::now();
  return create(req, std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
}

std::string RunDirWriter::repeat_dir(int rep) const { return path_ + "/repeats/" + std::to_string(rep); }

std::string RunDirWriter::begin_repeat(int rep) const {
  if (repeats_ == 1) return path_;
  const std::string dir = repeat_dir(rep);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::system_error(ec, "cannot create " + dir);
  return rep == 1 ? path_ : dir;
}

void RunDirWriter::end_repeat(int rep, const RunResult& r) const {
  if (repeats_ > 1) write_file_atomic(repeat_dir(rep), "results.json", write_json(r, true));
}

void RunDirWriter::finish(const std::vector<RunResult>& runs, const std::string& pre_run_text) const {
  if (runs.empty()) return;
  write_file_atomic(path_, "results.json", write_json(runs.front(), true));
  std::string text = pre_run_text;
  for (const auto& r : runs) text += "\n" + write_normal(r);
  write_file_atomic(path_, "output.txt", text);
  if (repeats_ > 1) write_file_atomic(path_, "repeats.json", summarize_repeats(runs));
}

}  // namespace fiokit::results
