// libFuzzer target for the remote-job policy (jobs::check_remote_job) and the
// path checks behind it (volumes::refuse_path, resolve_path, check_confined):
// the input is a set of job files a remote author controls, written for real
// into a fresh folder (the "fetch dir"), then checked the way `fiokit
// container` checks REMOTEFILES: the text with refuse_path as the path rule,
// and, when that refuses nothing, the parsed jobs (build_jobs) with
// check_confined, all against a Confinement of the sandbox's data dir (no
// extra roots, a fixed mount table holding only "/", so the data dir is the
// one allowed place). The policy must answer with violations or ParseError and
// nothing else, never hang, never read a file outside the fetch dir (canary
// files sit next to it and in the folder above, and an inotify watch on their
// folders sees any open of them), and every path it accepts must really lie in
// the data dir: each is opened by the kernel (O_PATH, nothing created) as far
// as it exists and read back through /proc/self/fd; a dangling symlink on the
// way is followed by hand; the part that does not exist yet is appended as
// written. Built only with -DFIOKIT_FUZZ=ON and clang (scripts/fuzz).
//
// Input format (plain text, so seeds and the dictionary stay readable):
//   everything up to the first marker is main.fio, the file checked;
//   "--- NAME" starts another file NAME inside the fetch dir (a/b.inc is fine;
//             absolute names and ".." are skipped, they are not the author's);
//   "--> NAME TARGET" makes NAME a symlink to TARGET (a data dir may hold them);
//   "==> NAME TARGET" makes NAME a symlink to TARGET inside the data dir (what
//             someone with write access there could leave); "==> NAME" alone a folder;
//   "@ROOT@" anywhere stands for the absolute path of the folder holding the
//             fetch dir ("jobs/"), the data dir ("data/", with "data/sub/" and
//             "data/runs/" in it) and the canaries ("secret.inc",
//             "outside/secret.inc", "outside/dir/secret.inc"), so absolute and
//             /proc/self/root paths to the canaries can be written.
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_expander.hpp"
#include "jobs/error.hpp"
#include "jobs/options.hpp"
#include "jobs/parse.hpp"
#include "jobs/remote_policy.hpp"
#include "volumes/confine.hpp"
#include "volumes/layout.hpp"

namespace {
namespace fs = std::filesystem;
using namespace fiokit::jobs;

constexpr std::string_view kCanaryMark = "CANARYzq7K";
constexpr size_t kMaxFiles = 24;

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "policy_fuzzer: %s\n", what.c_str());
  std::abort();
}

struct Sandbox {
  fs::path root, jobs, data;
  std::string real_data;  // the data dir as the kernel names it (TMPDIR may hold a symlink)
  int inotify = -1;

  Sandbox() {
    const char* tmp = std::getenv("TMPDIR");
    root = fs::path(tmp && *tmp ? tmp : "/tmp") / ("fiokit-policy-fuzzer." + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "outside" / "dir");
    jobs = root / "jobs";
    data = root / "data";
    reset_data();
    real_data = fs::canonical(data).string();
    const std::string canary = "exec_prerun=echo " + std::string(kCanaryMark) + "\nbs=4k\n";
    for (const fs::path& p : {root / "secret.inc", root / "outside" / "secret.inc", root / "outside" / "dir" / "secret.inc"})
      std::ofstream(p) << canary;
    inotify = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (inotify < 0) finding("inotify_init1 failed");
    for (const fs::path& d : {root, root / "outside", root / "outside" / "dir"})
      if (::inotify_add_watch(inotify, d.c_str(), IN_OPEN | IN_ACCESS) < 0) finding("inotify_add_watch failed on " + d.string());
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(get().root, ec);
    });
  }

  // A fresh data dir with its fixed folders. Relative names mean the data dir
  // (`fiokit container` works in it); this process does not chdir there, as
  // libFuzzer reads its corpus by relative names.
  void reset_data() const {
    std::error_code ec;
    fs::remove_all(data, ec);
    fs::create_directories(data / "sub");
    fs::create_directories(data / "runs");
  }

  // Never destroyed, so the exit handler that removes the folders can read it.
  static Sandbox& get() {
    static Sandbox* const s = new Sandbox;
    return *s;
  }

  // Names of canary files opened or read since the last call (directories,
  // opened by our own cleanup, are not reads of anyone's data).
  std::vector<std::string> drain() const {
    std::vector<std::string> opened;
    alignas(inotify_event) char buf[4096];
    for (;;) {
      const ssize_t n = ::read(inotify, buf, sizeof buf);
      if (n <= 0) break;
      for (ssize_t off = 0; off < n;) {
        const auto* ev = reinterpret_cast<const inotify_event*>(buf + off);
        if (!(ev->mask & IN_ISDIR) && ev->len > 0) opened.emplace_back(ev->name);
        off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
      }
    }
    return opened;
  }
};

void replace_all(std::string& s, std::string_view from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
}

// A file name inside the fetch dir, or "" when it is not one.
std::string safe_name(std::string_view name) {
  while (!name.empty() && (name.back() == ' ' || name.back() == '\r')) name.remove_suffix(1);
  if (name.empty() || name.size() > 64 || name.front() == '/') return "";
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '/')) return "";
  for (const auto& part : fs::path(name))
    if (part == ".." || part == ".") return "";
  return std::string(name);
}

// Writes the input's files (and links) into a fresh fetch dir.
void lay_out(const Sandbox& sb, std::string_view text) {
  std::error_code ec;
  fs::remove_all(sb.jobs, ec);
  fs::create_directories(sb.jobs);
  sb.reset_data();
  const std::string root = sb.root.string();
  std::string name = "main.fio", body;
  size_t files = 0;
  auto flush = [&] {
    if (name.empty() || files >= kMaxFiles) return;
    replace_all(body, "@ROOT@", root);
    const fs::path p = sb.jobs / name;
    std::error_code e;
    fs::create_directories(p.parent_path(), e);
    if (fs::exists(fs::symlink_status(p, e))) return;  // the first file of a name wins
    std::ofstream(p, std::ios::binary) << body;
    ++files;
  };
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    const std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.rfind("--- ", 0) == 0) {
      flush();
      name = safe_name(line.substr(4));
      body.clear();
    } else if (line.rfind("==> ", 0) == 0) {
      const std::string_view rest = line.substr(4);
      const size_t sp = rest.find(' ');
      const std::string link = safe_name(rest.substr(0, sp));
      if (link.empty() || ++files > kMaxFiles) continue;
      std::error_code e;
      fs::create_directories((sb.data / link).parent_path(), e);
      if (sp == std::string_view::npos) {
        fs::create_directories(sb.data / link, e);
        continue;
      }
      std::string target(rest.substr(sp + 1));
      replace_all(target, "@ROOT@", root);
      if (!target.empty()) fs::create_symlink(target, sb.data / link, e);
    } else if (line.rfind("--> ", 0) == 0) {
      const std::string_view rest = line.substr(4);
      const size_t sp = rest.find(' ');
      if (sp == std::string_view::npos) continue;
      const std::string link = safe_name(rest.substr(0, sp));
      std::string target(rest.substr(sp + 1));
      replace_all(target, "@ROOT@", root);
      if (link.empty() || target.empty() || ++files > kMaxFiles) continue;
      std::error_code e;
      fs::create_directories((sb.jobs / link).parent_path(), e);
      fs::create_symlink(target, sb.jobs / link, e);
    } else {
      body.append(line).push_back('\n');
    }
  }
  flush();
}

bool inside(const fs::path& dir, const std::string& file) {
  const fs::path rel = fs::path(file).lexically_normal().lexically_relative(dir);
  return !rel.empty() && *rel.begin() != "..";
}

bool under(const std::string& root, const std::string& p) {
  return p == root || (p.size() > root.size() && p.compare(0, root.size(), root) == 0 && p[root.size()] == '/');
}

std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> out;
  for (const auto& part : fs::path(path))
    if (!part.empty() && part != "/") out.push_back(part.string());
  return out;
}

// Where the kernel takes `path` (relative to `base`, the data dir), found
// independently of volumes::resolve_path: the longest prefix that opens
// (O_PATH: nothing created, symlinks followed by the kernel) read back through
// /proc/self/fd; a dangling symlink right after it followed by hand (O_CREAT
// would create its target); the rest, which does not exist, appended as
// written. nullopt past 40 links (the kernel answers ELOOP: nothing is opened).
// *null_dev: the whole path is /dev/null or /dev/zero, which refuse_path allows.
std::optional<std::string> kernel_location(const std::string& path, const std::string& base, bool* null_dev, int depth = 0) {
  if (depth > 40) return std::nullopt;
  const std::vector<std::string> comps = components(path);
  const bool absolute = !path.empty() && path[0] == '/';
  auto prefix = [&](size_t n) {
    std::string p = absolute ? "/" : base;
    for (size_t i = 0; i < n; ++i) p += (p == "/" ? "" : "/") + comps[i];
    return p;
  };
  for (size_t n = comps.size() + 1; n-- > 0;) {
    const int fd = ::open(prefix(n).c_str(), O_PATH | O_CLOEXEC);
    if (fd < 0) continue;
    char buf[4096];
    const ssize_t len = ::readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), buf, sizeof buf - 1);
    struct stat st {};
    const bool st_ok = ::fstat(fd, &st) == 0;
    ::close(fd);
    if (len <= 0) finding("cannot read back /proc/self/fd for '" + prefix(n) + "'");
    std::string real(buf, static_cast<size_t>(len));
    if (n == comps.size()) {
      *null_dev = st_ok && S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && (minor(st.st_rdev) == 3 || minor(st.st_rdev) == 5);
      return real;
    }
    std::string rest;
    for (size_t i = n + 1; i < comps.size(); ++i) rest += "/" + comps[i];
    const std::string next = (real == "/" ? "" : real) + "/" + comps[n];
    struct stat lst {};
    if (::lstat(next.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode)) {
      const ssize_t tl = ::readlink(next.c_str(), buf, sizeof buf - 1);
      if (tl <= 0) return std::nullopt;
      const std::string target(buf, static_cast<size_t>(tl));
      return kernel_location((target[0] == '/' ? target : real + "/" + target) + rest, base, null_dev, depth + 1);
    }
    return (fs::path(next + rest).lexically_normal()).string();
  }
  finding("not even '" + prefix(0) + "' opens");
}

// Every path the checks let through must be in the data dir, out of its runs/.
void assert_confined(const Sandbox& sb, const std::string& what, const std::string& path) {
  bool null_dev = false;
  const std::optional<std::string> where = kernel_location(path, sb.real_data, &null_dev);
  if (!where || null_dev) return;
  std::string real = *where;
  while (real.size() > 1 && real.back() == '/') real.pop_back();
  if (!under(sb.real_data, real) || under(sb.real_data + "/runs", real))
    finding(what + " '" + path + "' was accepted, but the kernel takes it to '" + real + "', not inside the data dir '" +
            sb.real_data + "' (or inside its runs/)");
}

fiokit::volumes::Confinement make_confinement(const Sandbox& sb) {
  auto c = fiokit::volumes::Confinement::for_remote(sb.data.string(), {}, false);
  // A fixed mount table: only "/", which remote jobs never get, so the
  // machine's own mounts (a tmpfs /tmp...) cannot make a path allowed.
  fiokit::volumes::MountEntry root;
  root.id = 1;
  root.root = root.mount_point = "/";
  root.fstype = "ext4";
  root.source = "/dev/vda";
  root.mount_options = "rw";
  c.mounts = {root};
  return c;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Sandbox& sb = Sandbox::get();
  static const Expander ex = fiokit::fuzz::fuzz_expander();
  lay_out(sb, text);
  static const fiokit::volumes::Confinement conf = make_confinement(sb);
  (void)sb.drain();  // our own writing is not the policy's reading

  const bool input_has_mark = text.find(kCanaryMark) != std::string_view::npos;
  const std::string main_fio = (sb.jobs / "main.fio").string();
  std::vector<std::pair<std::string, std::string>> accepted;  // (what, path)
  const PathRule rule = [&](const std::string& option, const std::string& path) {
    auto why = fiokit::volumes::refuse_path(conf, path);
    if (!why) accepted.emplace_back(option, path);
    return why;
  };
  std::string answer;
  try {
    for (const RemoteViolation& v : check_remote_job(main_fio, sb.jobs.string(), ex, rule)) {
      if (!v.loc.file.empty() && !inside(sb.jobs, v.loc.file))
        finding("a violation is located in a file outside the fetch dir: " + v.str());
      answer += v.str() + "\n";
    }
    if (answer.empty()) {
      // As cli/container does after the text passed: the parsed jobs' own
      // files (directory= joined, $jobname, numjobs clones) through check_confined.
      ParseRequest req;
      req.sources.push_back({main_fio, read_job_file(main_fio, ex)});
      const ParseResult parsed = build_jobs(req, own_options());
      const auto violations = fiokit::volumes::check_confined(parsed.jobs, conf, {});
      for (const auto& v : violations) answer += v.str() + "\n";
      if (violations.empty())
        for (const JobSpec& j : parsed.jobs) {
          for (const std::string& d : j.directories) accepted.emplace_back("directory", d);
          for (const std::string& p : fiokit::volumes::file_paths(j)) accepted.emplace_back("file", p);
        }
    }
  } catch (const ParseError& e) {
    answer = e.what();
  } catch (const ValueError& e) {
    answer = e.what();
  }
  // Any other exception escapes and libFuzzer reports it.
  for (const std::string& name : sb.drain())
    finding("the policy opened '" + name + "' outside the fetch dir; it said:\n" + answer);
  if (!input_has_mark && answer.find(kCanaryMark) != std::string::npos)
    finding("a canary's content reached the policy's answer:\n" + answer);
  for (const auto& [what, path] : accepted) assert_confined(sb, what, path);
  return 0;
}
