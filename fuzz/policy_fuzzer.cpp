// libFuzzer target for the remote-job policy (jobs::check_remote_job): the
// input is a set of job files a remote author controls, written for real into
// a fresh folder (the "fetch dir"), then checked the way `fiokit container`
// checks REMOTEFILES. The policy must answer with violations or ParseError and
// nothing else, never hang, and never read a file outside that folder: canary
// files sit next to it and in the folder above, and an inotify watch on their
// folders sees any open of them (an include that resolved outside and was
// opened anyway). Built only with -DFIOKIT_FUZZ=ON and clang (scripts/fuzz).
//
// Input format (plain text, so seeds and the dictionary stay readable):
//   everything up to the first marker is main.fio, the file checked;
//   "--- NAME" starts another file NAME inside the fetch dir (a/b.inc is fine;
//             absolute names and ".." are skipped, they are not the author's);
//   "--> NAME TARGET" makes NAME a symlink to TARGET (a data dir may hold them);
//   "@ROOT@" anywhere stands for the absolute path of the folder holding the
//             fetch dir ("jobs/") and the canaries ("secret.inc",
//             "outside/secret.inc", "outside/dir/secret.inc"), so absolute and
//             /proc/self/root paths to the canaries can be written.
#include <sys/inotify.h>
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
#include "jobs/remote_policy.hpp"

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
  fs::path root, jobs;
  int inotify = -1;

  Sandbox() {
    const char* tmp = std::getenv("TMPDIR");
    root = fs::path(tmp && *tmp ? tmp : "/tmp") / ("fiokit-policy-fuzzer." + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "outside" / "dir");
    jobs = root / "jobs";
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
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Sandbox& sb = Sandbox::get();
  static const Expander ex = fiokit::fuzz::fuzz_expander();
  lay_out(sb, text);
  (void)sb.drain();  // our own writing is not the policy's reading

  const bool input_has_mark = text.find(kCanaryMark) != std::string_view::npos;
  std::string answer;
  try {
    for (const RemoteViolation& v : check_remote_job((sb.jobs / "main.fio").string(), sb.jobs.string(), ex)) {
      if (!v.loc.file.empty() && !inside(sb.jobs, v.loc.file))
        finding("a violation is located in a file outside the fetch dir: " + v.str());
      answer += v.str() + "\n";
    }
  } catch (const ParseError& e) {
    answer = e.what();
  }
  // Any other exception escapes and libFuzzer reports it.
  for (const std::string& name : sb.drain())
    finding("the policy opened '" + name + "' outside the fetch dir; it said:\n" + answer);
  if (!input_has_mark && answer.find(kCanaryMark) != std::string::npos)
    finding("a canary's content reached the policy's answer:\n" + answer);
  return 0;
}
