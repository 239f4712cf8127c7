// See remote_policy.hpp. The reader calls us for each include it resolves
// (before opening it) and each option it reads; options are compared by
// their canonical names from the option table, so an alias cannot slip past
// the lists. There is no include scan of our own: a second copy of the
// include rule is how a chain deeper than that scan's limit once escaped it.
#include "jobs/remote_policy.hpp"

#include <filesystem>
#include <set>

#include "jobs/options.hpp"

namespace fiokit::jobs {
namespace fs = std::filesystem;

namespace {

bool inside(const fs::path& dir, const fs::path& p) {
  const fs::path rel = p.lexically_relative(dir);
  return !rel.empty() && *rel.begin() != ".." && rel != ".";
}

fs::path canonical_or_self(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(p, ec);
  return ec ? p.lexically_normal() : c;
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

bool is_path_option(const std::string& name) {
  // filename/directory/filename_format/opendir: the files of the job; the
  // iolog options read or write a file of their own. opendir and the iologs are
  // refused by the parser as unsupported; checking them here as well keeps the
  // message about where they point, should they ever be supported.
  static const std::set<std::string> kPaths{"filename", "directory", "filename_format", "opendir",
                                            "write_iolog", "read_iolog", "merge_blktrace_file",
                                            "replay_redirect"};
  return kPaths.count(name) > 0;
}

namespace {

void check_option(const RawOption& o, const PathRule& path_rule, std::vector<RemoteViolation>& out) {
  static const std::set<std::string> kRunsCommands{"exec_prerun", "exec_postrun", "trigger", "trigger_cmd"};
  static const std::set<std::string> kWritesFiles{"write_bw_log", "write_iops_log", "write_lat_log", "write_hist_log",
                                                  "write_iolog", "read_iolog"};
  const OptionDef* def = find_option(o.key);
  const std::string name = def ? def->name : o.key;
  const std::string value = o.value.value_or("");
  if (kRunsCommands.count(name)) {
    out.push_back({o.key, value, o.loc, "runs a shell command"});
  } else if (name == "ioengine" && trim(value) == "exec") {
    out.push_back({o.key, value, o.loc, "runs a program (the exec engine)"});
  } else if (name == "program" || name == "arguments") {
    // The exec engine's own options: refused even without ioengine=exec in
    // this file (the engine may come from the command line or an include).
    out.push_back({o.key, value, o.loc, "names a program for the exec engine to run"});
  } else if (name == "verify_dump" && value != "0") {
    // On a verify failure the engine writes the block it read (and the one it
    // expected) into the run directory, which `fiokit serve` shows: a job that
    // names a file in an allowed root with verify_only would publish its bytes.
    out.push_back({o.key, value, o.loc, "copies file contents into the run directory"});
  } else if (name == "ioengine" && (value.rfind("external", 0) == 0 || value.find('/') != std::string::npos)) {
    out.push_back({o.key, value, o.loc, "loads an external engine (code from a shared library)"});
  } else if (kWritesFiles.count(name) && escapes(value)) {
    out.push_back({o.key, value, o.loc, "uses a log path outside the run directory (absolute or with '..')"});
  } else if (path_rule && is_path_option(name)) {
    // filename and directory are ':' lists (fio's split, with "\:"); the
    // others are one path each. The first refused entry is enough to report.
    const std::vector<std::string> parts = name == "filename" || name == "directory" ? split_file_list(value) : std::vector<std::string>{value};
    for (const std::string& part : parts) {
      if (part.empty()) continue;
      if (auto why = path_rule(name, part)) {
        out.push_back({o.key, value, o.loc, *why});
        break;
      }
    }
  } else if (!path_rule && names_raw_device(value)) {
    out.push_back({o.key, value, o.loc, "does I/O on a raw device"});
  }
}

}  // namespace

std::string RemoteViolation::str() const {
  const std::string shown = value.size() > 80 ? value.substr(0, 77) + "..." : value;
  return "'" + option + (option == "include" ? " " : "=") + shown + "' " + why + " (" + loc.str() + ")";
}

std::vector<RemoteViolation> check_remote_job(const std::string& path, const std::string& allowed_dir, const Expander& ex,
                                              const PathRule& path_rule) {
  std::vector<RemoteViolation> out;
  const fs::path allowed = canonical_or_self(allowed_dir);
  ReadObserver obs;
  obs.on_include = [&](const IncludeRef& inc) {
    if (inside(allowed, canonical_or_self(inc.canonical))) return true;
    out.push_back({"include", inc.written, inc.loc, "includes a file outside the run directory"});
    return false;  // never opened: its content is not ours to read
  };
  obs.on_option = [&](const RawOption& o) { check_option(o, path_rule, out); };
  read_job_file(path, ex, obs);
  return out;
}

}  // namespace fiokit::jobs
