// See container_env.hpp.
#include "cli/container_env.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace fiokit::cli::container {
namespace fs = std::filesystem;

namespace {

bool parse_bool(const std::string& name, const std::optional<std::string>& v) {
  if (!v) return false;
  std::string s = *v;
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s == "1" || s == "true" || s == "yes" || s == "on") return true;
  if (s.empty() || s == "0" || s == "false" || s == "no" || s == "off") return false;
  throw UsageError(name + "='" + *v + "' is not a boolean (use 1 or 0)");
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

}  // namespace

GetEnv system_env() {
  return [](const std::string& n) -> std::optional<std::string> {
    const char* v = std::getenv(n.c_str());
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
}

std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

Settings read_settings(const GetEnv& getenv) {
  Settings s;
  if (auto v = getenv("FIOKIT_DATA_DIR"); v && !v->empty()) s.data_dir = *v;
  if (auto v = getenv("JOBFILES")) s.jobfiles = split_words(*v);
  if (auto v = getenv("REMOTEFILES")) s.remotefiles = split_words(*v);
  if (auto v = getenv("PLOTNAME")) s.plotname = *v;
  if (auto v = getenv("FIOKIT_RUN")) s.run = *v;
  if (auto v = getenv("FIOKIT_BIND"); v && !v->empty()) s.bind = *v;
  if (auto v = getenv("FIOKIT_CA_FILE"); v && !v->empty()) {
    // Checked here, before anything is fetched: a typo in a mounted path
    // should read as such, not as "certificate is not trusted" later.
    const int fd = ::open(v->c_str(), O_RDONLY | O_CLOEXEC);
    const int err = errno;
    struct stat st {};
    const bool dir = fd >= 0 && ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
    if (fd >= 0) ::close(fd);
    if (fd < 0 || dir)
      throw UsageError("FIOKIT_CA_FILE='" + *v + "' cannot be read" + (dir ? " (it is a directory)" : ": " + std::string(std::strerror(err))) +
                       "; it must name a PEM file with the CA certificate(s) to trust");
    s.ca_file = *v;
  }
  s.allow_http = parse_bool("FIOKIT_ALLOW_HTTP", getenv("FIOKIT_ALLOW_HTTP"));
  s.trust_remote = parse_bool("FIOKIT_TRUST_REMOTE", getenv("FIOKIT_TRUST_REMOTE"));
  s.allow_device = parse_bool("FIOKIT_ALLOW_DEVICE", getenv("FIOKIT_ALLOW_DEVICE"));
  if (auto v = getenv("FIOKIT_REMOTE_ROOTS")) {
    // A relative root would mean whatever the working directory is when the
    // check runs; a missing one is a typo that would otherwise allow nothing
    // silently (or, created later, something unintended).
    std::string cur;
    for (size_t i = 0; i <= v->size(); ++i) {
      if (i < v->size() && (*v)[i] != ':') {
        cur += (*v)[i];
        continue;
      }
      if (!cur.empty()) {
        std::error_code ec;
        if (cur[0] != '/') throw UsageError("FIOKIT_REMOTE_ROOTS: '" + cur + "' is not an absolute path");
        if (!fs::exists(cur, ec)) throw UsageError("FIOKIT_REMOTE_ROOTS: '" + cur + "' does not exist");
        s.remote_roots.push_back(cur);
      }
      cur.clear();
    }
  }
  if (auto v = getenv("FIOKIT_PORT"); v && !v->empty()) {
    const bool digits = v->size() <= 5 && std::all_of(v->begin(), v->end(), [](char c) { return c >= '0' && c <= '9'; });
    const int p = digits ? std::atoi(v->c_str()) : -1;
    if (p < 0 || p > 65535) throw UsageError("FIOKIT_PORT='" + *v + "' is not a port number (0-65535)");
    s.port = p;
  }
  return s;
}

std::vector<std::string> list_job_files(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() == ".fio" && is_file(p)) out.push_back(p.filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<JobFile> resolve_job_files(const Settings& s, const std::string& fetched_dir) {
  auto present = [&] {
    std::string text;
    const auto local = list_job_files(s.data_dir);
    text += local.empty() ? "no .fio files in " + s.data_dir : ".fio files in " + s.data_dir + ": " + join(local);
    if (!fetched_dir.empty()) {
      const auto fetched = list_job_files(fetched_dir);
      text += fetched.empty() ? "; no .fio file came from REMOTEFILES" : "; fetched from REMOTEFILES: " + join(fetched);
    }
    return text;
  };
  if (s.jobfiles.empty())
    throw UsageError("JOBFILES is not set: name the job files to run, e.g. -e JOBFILES=job.fio (" + present() + ")");
  std::vector<JobFile> out;
  std::vector<std::string> missing;
  for (const std::string& name : s.jobfiles) {
    if (!fetched_dir.empty() && name.find('/') == std::string::npos && is_file(fs::path(fetched_dir) / name)) {
      out.push_back({name, (fs::path(fetched_dir) / name).string(), true});
      continue;
    }
    const fs::path p = fs::path(name).is_absolute() ? fs::path(name) : fs::path(s.data_dir) / name;
    if (is_file(p)) out.push_back({name, p.string(), false});
    else missing.push_back(name);
  }
  if (!missing.empty())
    throw UsageError("JOBFILES: " + join(missing) + (missing.size() == 1 ? " was" : " were") + " not found (" + present() + ")");
  return out;
}

}  // namespace fiokit::cli::container
