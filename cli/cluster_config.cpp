// A cluster member's settings (cluster_member.hpp): flags and environment
// read and checked before anything runs, so a typo exits 2 naming the flag or
// variable instead of failing at the coordinator minutes later.
#include <openssl/evp.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include "cli/cluster_member.hpp"
#include "cli/usage_error.hpp"
#include "fetch/fetch.hpp"

namespace fiokit::cli::cluster {
namespace {

bool valid_run_name(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

// A whole decimal integer in [lo, hi]; UsageError naming `what` otherwise.
int64_t parse_int_in(const std::string& text, const std::string& what, int64_t lo, int64_t hi) {
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || !end || *end || errno || text[0] == ' ' || v < lo || v > hi)
    throw UsageError(fmt::format("{}: '{}' is not a whole number between {} and {}", what, text, lo, hi));
  return v;
}

std::string hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

// The settings every member needs, whichever way it was started.
void finish_config(MemberConfig& c, const GetEnv& env, const std::string& url_name) {
  try {
    const fetch::Url u = fetch::parse_url(c.coordinator, true);
    c.origin = u.origin();
    c.prefix = u.path;
    while (!c.prefix.empty() && c.prefix.back() == '/') c.prefix.pop_back();
    if (u.target != u.path) throw UsageError(fmt::format("{}: '{}' has a query; give the coordinator's base URL", url_name, c.coordinator));
  } catch (const fetch::FetchError& e) {
    throw UsageError(fmt::format("{}: {}", url_name, e.what()));
  }
  const auto token = env("FIOKIT_INGEST_TOKEN");
  if (!token || token->empty())
    throw UsageError("FIOKIT_INGEST_TOKEN is not set: a cluster member needs the coordinator's ingest token");
  c.token = *token;
  if (const auto t = env("FIOKIT_CLUSTER_TIMEOUT"); t && !t->empty())
    c.timeout = std::chrono::seconds(parse_int_in(*t, "FIOKIT_CLUSTER_TIMEOUT", 1, 86400 * 7));
  if (const auto ca = env("FIOKIT_CA_FILE"); ca && !ca->empty()) c.ca_file = *ca;
  c.host = hostname();
}

void check_run(const MemberConfig& c, const std::string& name) {
  if (!valid_run_name(c.run)) throw UsageError(fmt::format("{}: '{}' is not a run name ([A-Za-z0-9._-], 1 to 64 characters)", name, c.run));
}

}  // namespace

std::optional<MemberConfig> member_config(const MemberFlags& flags, const GetEnv& env) {
  auto pick = [&](const std::optional<std::string>& flag, const char* flag_name, const char* var) -> std::pair<std::string, std::string> {
    if (flag) return {*flag, flag_name};
    if (auto v = env(var); v && !v->empty()) return {*v, var};
    return {"", ""};
  };
  const auto [url, url_name] = pick(flags.coordinator, "--coordinator", "FIOKIT_COORDINATOR");
  if (url_name.empty()) {
    using Given = std::pair<const std::optional<std::string>*, const char*>;
    for (const Given& g : {Given{&flags.run, "--cluster-run"}, Given{&flags.size, "--cluster-size"}, Given{&flags.index, "--cluster-index"}})
      if (const auto& [given, name] = g; *given) throw UsageError(fmt::format("{} needs --coordinator URL (or FIOKIT_COORDINATOR)", name));
    return std::nullopt;
  }
  MemberConfig c;
  c.coordinator = url;
  const auto [run, run_name] = pick(flags.run, "--cluster-run", "FIOKIT_CLUSTER_RUN");
  const auto [size, size_name] = pick(flags.size, "--cluster-size", "FIOKIT_CLUSTER_SIZE");
  const auto [index, index_name] = pick(flags.index, "--cluster-index", "JOB_COMPLETION_INDEX");
  std::string missing;
  if (run_name.empty()) missing += ", --cluster-run NAME (or FIOKIT_CLUSTER_RUN)";
  if (size_name.empty()) missing += ", --cluster-size N (or FIOKIT_CLUSTER_SIZE)";
  if (index_name.empty()) missing += ", --cluster-index I (or JOB_COMPLETION_INDEX)";
  if (!missing.empty()) throw UsageError(fmt::format("{} {} needs {}", url_name, url, missing.substr(2)));
  c.run = run;
  check_run(c, run_name);
  c.size = static_cast<int>(parse_int_in(size, size_name, 1, 1024));
  c.index = static_cast<int>(parse_int_in(index, index_name, 0, c.size - 1));
  finish_config(c, env, url_name);
  return c;
}

std::optional<MemberConfig> container_member_config(const GetEnv& env) {
  const char* names[] = {"FIOKIT_COORDINATOR", "FIOKIT_CLUSTER_RUN", "FIOKIT_CLUSTER_SIZE", "JOB_COMPLETION_INDEX"};
  std::string values[4], missing;
  int set = 0;
  for (int i = 0; i < 4; ++i) {
    const auto v = env(names[i]);
    if (v && !v->empty()) values[i] = *v, ++set;
    else missing += std::string(missing.empty() ? "" : ", ") + names[i];
  }
  if (set == 0) return std::nullopt;
  if (set < 4)
    throw UsageError(fmt::format("a cluster run needs FIOKIT_COORDINATOR, FIOKIT_CLUSTER_RUN, FIOKIT_CLUSTER_SIZE and "
                                 "JOB_COMPLETION_INDEX together; missing: {}", missing));
  MemberConfig c;
  c.coordinator = values[0];
  c.run = values[1];
  check_run(c, "FIOKIT_CLUSTER_RUN");
  c.size = static_cast<int>(parse_int_in(values[2], "FIOKIT_CLUSTER_SIZE", 1, 1024));
  c.index = static_cast<int>(parse_int_in(values[3], "JOB_COMPLETION_INDEX", 0, c.size - 1));
  finish_config(c, env, "FIOKIT_COORDINATOR");
  return c;
}

std::string job_sha256(const std::vector<std::string>& words, const std::vector<std::string>& job_files,
                       const std::vector<std::pair<std::string, std::string>>& texts) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    throw std::runtime_error("sha256: cannot initialise OpenSSL's digest");
  }
  auto add = [&](const std::string& s) {
    EVP_DigestUpdate(ctx, s.data(), s.size());
    EVP_DigestUpdate(ctx, "\0", 1);  // "ab","c" and "a","bc" differ
  };
  for (const std::string& w : words) {
    if (std::find(job_files.begin(), job_files.end(), w) == job_files.end()) {
      add(w);
    } else if (w == "-") {
      for (const auto& [name, text] : texts)
        if (name == "stdin.fio") add(text);
    } else {
      std::ifstream in(w, std::ios::binary);
      std::ostringstream ss;
      ss << in.rdbuf();
      add(in ? ss.str() : w);  // unreadable: the parser has said so already
    }
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  std::string hex;
  for (unsigned i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

}  // namespace fiokit::cli::cluster
