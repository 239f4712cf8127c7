// fio ini dialect reader; see ini.hpp. Stricter than fio 3.33 where fio is lax:
// an option before any section, an unterminated "[section", a duplicate job
// section name and ${UNDEFINED} are errors with file:line here.
#include "jobs/ini.hpp"

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "jobs/report_limits.hpp"
#include "jobs/units.hpp"

namespace fiokit::jobs {
namespace fs = std::filesystem;

Expander Expander::from_system() {
  Expander ex;
  ex.getenv = [](const std::string& n) -> std::optional<std::string> {
    const char* v = std::getenv(n.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
  ex.pagesize = sysconf(_SC_PAGESIZE);
  ex.mb_memory = static_cast<long>(static_cast<long long>(sysconf(_SC_PHYS_PAGES)) * ex.pagesize / (1024 * 1024));
  ex.ncpus = sysconf(_SC_NPROCESSORS_ONLN);
  return ex;
}

Expander Expander::without_environment(std::string hint) {
  Expander ex = from_system();
  ex.getenv = nullptr;
  ex.no_environment_hint = std::move(hint);
  return ex;
}

std::string Expander::expand(std::string_view value, const SourceLoc& loc) const {
  std::string out;
  bool used_keyword = false;
  for (size_t i = 0; i < value.size();) {
    if (value[i] != '$') {
      out += value[i++];
      continue;
    }
    if (i + 1 < value.size() && value[i + 1] == '{') {
      size_t close = value.find('}', i + 2);
      if (close == std::string_view::npos) fail_at(loc, "unterminated '${' in '" + std::string(value) + "'");
      std::string name(value.substr(i + 2, close - i - 2));
      if (name.empty()) fail_at(loc, "empty variable name '${}'");
      if (!getenv && !no_environment_hint.empty())
        fail_at(loc, "'${" + name + "}': environment variable '" + name + "' is not available: " + no_environment_hint);
      auto v = getenv ? getenv(name) : std::nullopt;
      if (!v) fail_at(loc, "environment variable '" + name + "' is not set (fio would substitute an empty string)");
      out += *v;
      i = close + 1;
      continue;
    }
    size_t j = i + 1;
    while (j < value.size() && (std::isalnum(static_cast<unsigned char>(value[j])) || value[j] == '_')) ++j;
    std::string word(value.substr(i + 1, j - i - 1));
    long kw = 0;
    if (word == "pagesize") kw = pagesize;
    else if (word == "mb_memory") kw = mb_memory;
    else if (word == "ncpus") kw = ncpus;
    else {
      // Not a keyword: kept as written ($jobname in filename_format is the option's own syntax).
      out += value.substr(i, j - i);
      i = j;
      continue;
    }
    out += std::to_string(kw);
    used_keyword = true;
    i = j;
  }
  if (used_keyword && out.find_first_of("+-*/%^") != std::string::npos && out.front() != '(')
    out = "(" + out + ")";
  return out;
}

namespace {

// Limits that keep a hostile or mistaken job file from eating memory: a line
// longer than 1 MiB or a file longer than 64 MiB is not a job file (found by
// fuzz/parse_fuzzer with "include /dev/zero").
constexpr size_t kMaxLine = 1 << 20;
constexpr size_t kMaxFile = 64 << 20;

// std::getline with a length cap; false at end of input.
// `budget` counts the bytes of the whole read (the job file and every include):
// when it runs out, over_budget() reports the include that went past it.
bool read_line(std::istream& in, std::string& line, const std::string& name, int lineno, size_t& total, size_t& budget,
               const std::function<void()>& over_budget) {
  line.clear();
  std::streambuf* sb = in.rdbuf();
  for (;;) {
    const int c = sb->sbumpc();
    if (c == std::char_traits<char>::eof()) return !line.empty();
    if (++total > kMaxFile) fail_at({name, lineno}, "job file is larger than 64 MiB");
    if (++budget > kMaxReadBytes) over_budget();
    if (c == '\n') return true;
    line.push_back(static_cast<char>(c));
    if (line.size() > kMaxLine) fail_at({name, lineno}, "line is longer than 1 MiB");
  }
}

// Job files and includes must be regular files or pipes: a directory reads as
// nothing and a device such as /dev/zero never ends.
void check_readable_kind(const std::string& path, const SourceLoc* where) {
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec) return;  // the open that follows reports a missing file
  std::string why;
  if (fs::is_directory(st)) why = "is a directory";
  else if (fs::is_character_file(st) || fs::is_block_file(st)) why = "is a device, not a job file";
  if (why.empty()) return;
  if (where) fail_at(*where, "included file '" + path + "' " + why);
  throw ParseError("job file '" + path + "' " + why);
}

struct Reader {
  const Expander& ex;
  const ReadObserver& obs;
  std::vector<RawSection> sections;
  std::set<std::string> job_names;
  std::vector<std::string> include_stack;  // canonical paths being read
  int depth = 0;                           // includes open around the line being read
  std::string top_file;
  // The budget across all includes (see kMaxReadBytes in ini.hpp): bytes read
  // and includes opened so far, and the include lines open around the line
  // being read, innermost last, for the error.
  size_t bytes_read = 0;
  int includes_read = 0;
  std::vector<std::pair<std::string, SourceLoc>> include_lines;
  size_t job_lines = 0;  // options and section headers kept (kMaxJobLines)
  size_t unknown_kept = 0;  // unknown options of the current section kept (is_known)

  [[noreturn]] void over_bytes(const std::string& name, int lineno) const {
    const std::string limit = "more than " + std::to_string(kMaxReadBytes >> 20) + " MiB in all";
    if (include_lines.empty())
      fail_at({name, lineno}, "the job file and its includes read " + limit + " (the limit across all includes)");
    fail_at(include_lines.back().second, "include of '" + include_lines.back().first + "' reads past the limit of " +
                                             std::to_string(kMaxReadBytes >> 20) + " MiB for a job file and all its includes");
  }

  void count_job_line(const SourceLoc& loc) {
    if (++job_lines > kMaxJobLines)
      fail_at(loc, "more than " + std::to_string(kMaxJobLines) +
                       " options and section headers in the job file and its includes (the limit across all includes)");
  }
  void read_stream(std::istream& in, const std::string& name, const std::string& base_dir, bool is_include) {
    std::string line;
    int lineno = 0;
    size_t total = 0;
    const std::function<void()> over = [&] { over_bytes(name, lineno + 1); };
    while (read_line(in, line, name, lineno + 1, total, bytes_read, over)) {
      ++lineno;
      SourceLoc loc{name, lineno};
      if (!line.empty() && line.back() == '\r') line.pop_back();
      std::string t = trim(line);
      if (t.empty() || t[0] == ';' || t[0] == '#') continue;
      // Trailing comments, as fio strips them: "bs=4k ; why".
      size_t c = t.find_first_of(";#");
      if (c != std::string::npos) t = trim(t.substr(0, c));
      if (t.empty()) continue;
      if (t[0] == '[') {
        if (is_include) fail_at(loc, "an included file may not contain [sections]");
        size_t close = t.find(']');
        if (close == std::string::npos) fail_at(loc, "unterminated section header '" + t + "' (missing ']')");
        if (close + 1 != t.size()) fail_at(loc, "unexpected text after section header '" + t + "'");
        std::string sname = trim(t.substr(1, close - 1));
        if (sname.empty()) fail_at(loc, "empty section name '[]'");
        count_job_line(loc);
        if (sname != "global") {
          if (!job_names.insert(sname).second)
            fail_at(loc, "duplicate job section '[" + sname + "]' (fio 3.33 silently runs both under one name)");
        }
        sections.push_back({sname, loc, {}, top_file});
        unknown_kept = 0;
        continue;
      }
      if (t.rfind("include", 0) == 0 && t.size() > 7 && std::isspace(static_cast<unsigned char>(t[7]))) {
        std::string file = trim(t.substr(8));
        if (sections.empty()) fail_at(loc, "'include' before any [section]");
        include(file, base_dir, loc);
        continue;
      }
      size_t eq = t.find('=');
      RawOption opt;
      opt.loc = loc;
      if (eq == std::string::npos) {
        opt.key = t;
      } else {
        opt.key = trim(t.substr(0, eq));
        opt.value = ex.expand(trim(t.substr(eq + 1)), loc);
      }
      if (opt.key.empty()) fail_at(loc, "option name missing before '='");
      if (sections.empty())
        fail_at(loc, "option '" + opt.key + "' appears before any [section]; put it under [global] or a job");
      if (obs.is_known && !obs.is_known(opt.key)) {
        // Beyond what the parse reports (ReadObserver::is_known).
        if (unknown_kept >= kMaxReportedErrors) continue;
        ++unknown_kept;
      }
      count_job_line(loc);
      if (obs.on_option) obs.on_option(opt);
      sections.back().options.push_back(std::move(opt));
    }
  }

  void include(const std::string& file, const std::string& base_dir, const SourceLoc& loc) {
    if (file.empty()) fail_at(loc, "'include' needs a file name");
    // Before resolving or asking the observer: the file one level too deep is
    // never looked at.
    if (depth >= kMaxIncludeDepth)
      fail_at(loc, "include of '" + file + "' nests deeper than " + std::to_string(kMaxIncludeDepth) + " files");
    fs::path p = fs::path(file).is_absolute() ? fs::path(file) : fs::path(base_dir) / file;
    std::error_code ec;
    fs::path canon = fs::weakly_canonical(p, ec);
    if (ec) canon = p;
    if (obs.on_include && !obs.on_include(IncludeRef{file, p.string(), canon.string(), loc})) return;
    for (const auto& s : include_stack)
      if (s == canon.string()) fail_at(loc, "include cycle: '" + file + "' is already being read");
    // Counted before the open: a tree of small includes (1000 x 1000 x "bs=4k")
    // costs a million opens however few bytes each file has.
    if (++includes_read > kMaxIncludes)
      fail_at(loc, "include of '" + file + "' is one more than the " + std::to_string(kMaxIncludes) +
                       " includes a job file may read in all");
    check_readable_kind(p.string(), &loc);
    std::ifstream in(p);
    if (!in) fail_at(loc, "cannot open included file '" + p.string() + "'");
    include_stack.push_back(canon.string());
    include_lines.emplace_back(file, loc);
    ++depth;
    read_stream(in, p.string(), p.parent_path().string(), true);
    --depth;
    include_lines.pop_back();
    include_stack.pop_back();
  }
};

}  // namespace

std::vector<RawSection> read_job_text(std::string_view text, const std::string& name, const std::string& base_dir,
                                      const Expander& ex, const ReadObserver& obs) {
  Reader r{ex, obs, {}, {}, {}, 0, name, 0, 0, {}, 0, false};
  std::istringstream in{std::string(text)};
  r.read_stream(in, name, base_dir, false);
  return std::move(r.sections);
}

std::vector<RawSection> read_job_file(const std::string& path, const Expander& ex, const ReadObserver& obs) {
  if (path == "-") {
    // Read in place (not slurped first) so the line and size limits hold for stdin too.
    Reader r{ex, obs, {}, {}, {}, 0, "<stdin>", 0, 0, {}, 0, false};
    r.read_stream(std::cin, "<stdin>", fs::current_path().string(), false);
    return std::move(r.sections);
  }
  check_readable_kind(path, nullptr);
  std::ifstream in(path);
  if (!in) throw ParseError("cannot open job file '" + path + "'");
  Reader r{ex, obs, {}, {}, {}, 0, path, 0, 0, {}, 0, false};
  std::error_code ec2;
  r.include_stack.push_back(fs::weakly_canonical(path, ec2).string());
  fs::path parent = fs::path(path).parent_path();
  r.read_stream(in, path, parent.empty() ? "." : parent.string(), false);
  return std::move(r.sections);
}

}  // namespace fiokit::jobs
