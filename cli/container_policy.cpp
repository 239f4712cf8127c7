// See container_policy.hpp. Includes are found by a scan of the raw lines (the
// same rule as jobs/ini.cpp: "include FILE" after comments are stripped), so a
// file outside the allowed folder is refused before jobs/ ever opens it. Options
// are then read through jobs/ and compared by their canonical names, so an
// alias cannot slip past the list.
#include "cli/container_policy.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>

#include "jobs/options.hpp"

namespace fiokit::cli::container {
namespace fs = std::filesystem;

namespace {

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

bool inside(const fs::path& dir, const fs::path& p) {
  const fs::path rel = p.lexically_relative(dir);
  return !rel.empty() && *rel.begin() != ".." && rel != ".";
}

fs::path canonical_or_self(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(p, ec);
  return ec ? p.lexically_normal() : c;
}

void scan_includes(const fs::path& file, const fs::path& allowed, int depth, std::set<std::string>& seen,
                   std::vector<Violation>& out) {
  if (depth > 16 || !seen.insert(canonical_or_self(file).string()).second) return;  // jobs/ reports the cycle
  std::ifstream in(file);
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    std::string t = trim(line);
    if (t.empty() || t[0] == ';' || t[0] == '#') continue;
    const size_t c = t.find_first_of(";#");
    if (c != std::string::npos) t = trim(t.substr(0, c));
    if (t.rfind("include", 0) != 0 || t.size() <= 7 || !std::isspace(static_cast<unsigned char>(t[7]))) continue;
    const std::string name = trim(t.substr(8));
    const fs::path target = fs::path(name).is_absolute() ? fs::path(name) : file.parent_path() / name;
    const fs::path canon = canonical_or_self(target);
    if (!inside(allowed, canon)) {
      out.push_back({"include", name, {file.string(), lineno}, "includes a file outside the run directory"});
      continue;
    }
    std::error_code ec;
    if (fs::is_regular_file(canon, ec)) scan_includes(canon, allowed, depth + 1, seen, out);
  }
}

// Splits fio's ':'-separated file lists ("a:b", with "\:" for a literal colon).
std::vector<std::string> split_file_list(const std::string& v) {
  std::vector<std::string> out(1);
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size() && v[i + 1] == ':') {
      out.back() += ':';
      ++i;
    } else if (v[i] == ':') {
      out.emplace_back();
    } else {
      out.back() += v[i];
    }
  }
  return out;
}

// Device nodes that hold no one's data.
bool harmless_dev(const std::string& p) {
  return p == "/dev/null" || p == "/dev/zero" || p.rfind("/dev/shm/", 0) == 0;
}

bool names_raw_device(const std::string& value) {
  for (const std::string& part : split_file_list(value)) {
    const std::string n = fs::path(part).lexically_normal().string();
    if ((n == "/dev" || n.rfind("/dev/", 0) == 0) && !harmless_dev(n)) return true;
  }
  return false;
}

bool escapes(const std::string& value) {
  if (!value.empty() && value[0] == '/') return true;
  for (const auto& part : fs::path(value))
    if (part == "..") return true;
  return false;
}

}  // namespace

std::string Violation::str() const {
  const std::string shown = value.size() > 80 ? value.substr(0, 77) + "..." : value;
  return "'" + option + (option == "include" ? " " : "=") + shown + "' " + why + " (" + loc.str() + ")";
}

std::vector<Violation> check_remote_job(const std::string& path, const std::string& allowed_dir, const jobs::Expander& ex) {
  std::vector<Violation> out;
  const fs::path allowed = canonical_or_self(allowed_dir);
  std::set<std::string> seen;
  scan_includes(fs::path(path), allowed, 0, seen, out);
  if (!out.empty()) return out;  // do not let jobs/ read what lies outside

  static const std::set<std::string> kRunsCommands{"exec_prerun", "exec_postrun", "trigger", "trigger_cmd"};
  static const std::set<std::string> kWritesFiles{"write_bw_log", "write_iops_log", "write_lat_log", "write_hist_log",
                                                  "write_iolog", "read_iolog"};
  for (const jobs::RawSection& s : jobs::read_job_file(path, ex)) {
    for (const jobs::RawOption& o : s.options) {
      const jobs::OptionDef* def = jobs::find_option(o.key);
      const std::string name = def ? def->name : o.key;
      const std::string value = o.value.value_or("");
      if (kRunsCommands.count(name)) {
        out.push_back({o.key, value, o.loc, "runs a shell command"});
      } else if (name == "ioengine" && (value.rfind("external", 0) == 0 || value.find('/') != std::string::npos)) {
        out.push_back({o.key, value, o.loc, "loads an external engine (code from a shared library)"});
      } else if (kWritesFiles.count(name) && escapes(value)) {
        out.push_back({o.key, value, o.loc, "uses a log path outside the run directory (absolute or with '..')"});
      } else if (names_raw_device(value)) {
        out.push_back({o.key, value, o.loc, "does I/O on a raw device"});
      }
    }
  }
  return out;
}

}  // namespace fiokit::cli::container
