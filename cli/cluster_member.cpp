// See cluster_member.hpp. One httplib client per request (a member makes a
// few hundred at most: joins, one status a second, one PUT per file), each
// with the bearer token; the retry policy is in one place, call().
#include "cli/cluster_member.hpp"
#include "util/no_sigpipe.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

namespace fiokit::cli::cluster {
namespace fs = std::filesystem;
using json = nlohmann::json;
using ms = std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

// A coordinator that hung up mid-request must not end the member with
// SIGPIPE (141): each request runs under util::NoSigpipe, as fetch's do.
using util::NoSigpipe;

struct Reply {
  int status = 0;           // 0: no HTTP answer (connection error, timeout)
  std::string body, error;  // error: httplib's, when status is 0
  bool stopped = false;     // a stop request ended the retries
};

using Send = std::function<httplib::Result(httplib::Client&, const httplib::Headers&)>;

Reply send_once(const MemberConfig& c, const Send& send, ms read_timeout) {
  const NoSigpipe no_sigpipe;
  Reply r;
  httplib::Client cli(c.origin);
  if (!cli.is_valid()) {
    r.error = "invalid coordinator URL";
    return r;
  }
  cli.set_connection_timeout(std::min<ms>(read_timeout, ms(5000)));
  cli.set_read_timeout(read_timeout);
  cli.set_write_timeout(read_timeout);
  cli.set_keep_alive(false);
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
  cli.enable_server_certificate_verification(true);
  if (!c.ca_file.empty()) cli.set_ca_cert_path(c.ca_file);
#endif
  const httplib::Headers headers{{"Authorization", "Bearer " + c.token}, {"User-Agent", "fiokit-member"}};
  auto res = send(cli, headers);
  if (!res) {
    r.error = httplib::to_string(res.error());
    return r;
  }
  r.status = res->status;
  r.body = res->body;
  return r;
}

// The coordinator's {"error": "..."}, else the start of its body.
std::string reason(const Reply& r) {
  if (r.status == 0) return "no answer (" + r.error + ")";
  try {
    const json j = json::parse(r.body);
    if (j.is_object() && j.contains("error") && j["error"].is_string()) return j["error"].get<std::string>();
  } catch (const json::exception&) {
  }
  std::string b = r.body.substr(0, 200);
  std::replace(b.begin(), b.end(), '\n', ' ');
  return b.empty() ? "(no message)" : b;
}

// Sleeps d, waking every 50 ms for *stop; false when stopped.
bool nap(ms d, const std::atomic<bool>* stop) {
  const auto until = Clock::now() + d;
  while (Clock::now() < until) {
    if (stop && stop->load()) return false;
    std::this_thread::sleep_for(std::min<Clock::duration>(ms(50), until - Clock::now()));
  }
  return !(stop && stop->load());
}

bool transient(int status) { return status == 0 || status >= 500 || status == 408 || status == 429; }

// One request, retried while the failure is transient (no answer, 5xx, 408,
// 429) with backoff: min_backoff doubling to max_backoff, each wait jittered
// to 80..120 % so members that failed together do not retry together, until
// `budget` has passed since the first attempt. A 2xx answer is returned; any
// other status throws ClusterError: 409 with exit code `conflict_exit`, the
// rest with 1. `what` names the request in messages.
Reply call(const MemberConfig& c, const std::string& what, const Send& send, const std::atomic<bool>* stop, ms budget,
           int conflict_exit, ms read_timeout = ms(30000), bool conflict_transient = false) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  const auto deadline = Clock::now() + budget;
  ms delay = c.min_backoff;
  int attempts = 0;
  auto next_say = Clock::now();
  for (;;) {
    Reply r = send_once(c, send, read_timeout);
    ++attempts;
    if (r.status >= 200 && r.status < 300) return r;
    const std::string where = fmt::format("cluster run {}: {} at {}", c.run, what, c.coordinator);
    if (r.status == 401)
      throw ClusterError(fmt::format("{}: 401, the coordinator refused the ingest token (FIOKIT_INGEST_TOKEN): {}", where, reason(r)), 1);
    if (r.status == 409 && !conflict_transient) throw ClusterError(fmt::format("{}: 409: {}", where, reason(r)), conflict_exit, 409);
    if (r.status == 410) throw ClusterError(fmt::format("{}: 410: {}", where, reason(r)), 1, 410);
    if (r.status == 404)
      throw ClusterError(fmt::format("{}: 404: no cluster API there (is it `fiokit serve` with FIOKIT_INGEST_TOKEN set?): {}", where,
                                     reason(r)), 1);
    if (!transient(r.status) && !(r.status == 409 && conflict_transient))
      throw ClusterError(fmt::format("{}: {}: {}", where, r.status, reason(r)), 1, r.status);
    std::uniform_real_distribution<double> jitter(0.8, 1.2);
    const ms wait(static_cast<int64_t>(static_cast<double>(delay.count()) * jitter(rng)));
    if (Clock::now() + wait > deadline)
      throw ClusterError(fmt::format("{}: giving up, the next retry would pass the cluster timeout of {} s (FIOKIT_CLUSTER_TIMEOUT); "
                                     "{} attempts, the last: {}", where, budget.count() / 1000, attempts,
                                     r.status ? fmt::format("{} {}", r.status, reason(r)) : reason(r)), 1);
    // The first failure is said at once, then one line per 30 s: a member
    // waiting minutes for its coordinator must not fill the pod's log.
    if (attempts == 1 || Clock::now() >= next_say) {
      fmt::print(stderr, "fiokit: {}: {}; retrying{} (backoff up to {} s, for up to {} s)\n", where,
                 r.status ? fmt::format("{} {}", r.status, reason(r)) : reason(r),
                 attempts == 1 ? "" : fmt::format(" (attempt {})", attempts), c.max_backoff.count() / 1000, budget.count() / 1000);
      next_say = Clock::now() + std::chrono::seconds(30);
    }
    if (!nap(wait, stop)) {
      r.stopped = true;
      return r;
    }
    delay = std::min(delay * 2, c.max_backoff);
  }
}

bool valid_component(const std::string& s) {
  if (s.empty() || s.size() > 128 || s[0] == '.') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '+';
  });
}

std::string base(const MemberConfig& c) { return c.prefix + "/api/cluster/" + c.run; }

}  // namespace

Member::Member(MemberConfig config) : config_(std::move(config)) { poster_ = std::thread([this] { poster_loop(); }); }

Member::~Member() {
  {
    std::lock_guard lk(m_);
    quit_ = true;
  }
  cv_.notify_all();
  if (poster_.joinable()) poster_.join();
}

std::string Member::join_request_body() const {
  return json{{"index", config_.index}, {"size", config_.size}, {"host", config_.host}, {"job_sha256", config_.job_sha256}}.dump();
}

int64_t Member::join(const std::atomic<bool>* stop) {
  const std::string body = join_request_body();
  const std::string path = base(config_) + "/join";
  bool said = false;
  for (;;) {
    if (stop && stop->load()) return 0;  // signalled during layout: never join a run it will not take part in
    // Each poll gets the whole budget: a 202 is an answer, and how long the
    // others may take to join is the coordinator's to decide (it answers 410).
    const Reply r = call(config_, "join", [&](httplib::Client& cli, const httplib::Headers& h) {
      return cli.Post(path, h, body, "application/json");
    }, stop, config_.timeout, 2);
    if (r.stopped) return 0;
    json j;
    try {
      j = json::parse(r.body);
    } catch (const json::exception& e) {
      throw ClusterError(fmt::format("cluster run {}: join: the coordinator's answer is not JSON: {}", config_.run, e.what()), 1);
    }
    if (r.status == 200) {
      if (!j.contains("start_unix_ns") || !j["start_unix_ns"].is_number_integer())
        throw ClusterError(fmt::format("cluster run {}: join: the coordinator's answer has no start_unix_ns", config_.run), 1);
      start_ns_ = j["start_unix_ns"].get<int64_t>();
      started_run_.store(true);
      if (j.contains("run_dir") && j["run_dir"].is_string()) remote_run_dir_ = j["run_dir"].get<std::string>();
      const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
      fmt::print(stderr, "fiokit: cluster run {}: all {} members joined; I/O starts in {} ms\n", config_.run, config_.size,
                 (start_ns_ - now) / 1'000'000);
      return start_ns_;
    }
    if (!said) {
      fmt::print(stderr, "fiokit: cluster run {}: member {} of {} joined {}; waiting for the others\n", config_.run, config_.index,
                 config_.size, config_.coordinator);
      said = true;
    }
    int64_t retry = 250;
    if (j.contains("retry_ms") && j["retry_ms"].is_number_integer()) retry = j["retry_ms"].get<int64_t>();
    if (!nap(ms(std::clamp<int64_t>(retry, 50, 5000)), stop)) return 0;
  }
}

void Member::decorate(results::RunResult& r) const {
  json c{{"run", config_.run}, {"index", config_.index}, {"size", config_.size}, {"host", config_.host}, {"coordinator", config_.coordinator}};
  if (start_ns_) c["start_unix_ns"] = start_ns_;
  const int64_t s = started_ns_.load();
  if (s) c["started_unix_ns"] = s;
  if (s && start_ns_) c["skew_ms"] = static_cast<double>(s - start_ns_) / 1e6;
  if (!remote_run_dir_.empty()) c["run_dir"] = remote_run_dir_;
  r.extras_json["cluster"] = c.dump();
}

void Member::post_status(std::string text) {
  {
    std::lock_guard lk(m_);
    pending_ = std::move(text);
  }
  cv_.notify_all();
}

// Status documents are not retried: the next one, a second later, is the
// retry, and a run thread never waits for the coordinator.
void Member::poster_loop() {
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);  // this thread's own; see NoSigpipe
  const std::string path = base(config_) + "/status?index=" + std::to_string(config_.index);
  const std::string join_path = base(config_) + "/join";
  const std::string join_body = join_request_body();
  for (;;) {
    std::string text;
    {
      std::unique_lock lk(m_);
      cv_.wait_for(lk, std::chrono::seconds(1), [this] { return quit_ || pending_; });
      if (quit_) return;
      if (pending_) {
        text = std::move(*pending_);
        pending_.reset();
      }
    }
    // No snapshot this second (no job in I/O: a later segment laying out its
    // files, startdelay, wait_for, exec_prerun): the member says it is alive
    // by joining again (idempotent after the barrier), so the coordinator's
    // silence timeout only ever fails a member that is really gone.
    if (text.empty() && !started_run_.load()) continue;
    const Reply r = send_once(config_, [&](httplib::Client& cli, const httplib::Headers& h) {
      if (text.empty()) return cli.Post(join_path, h, join_body, "application/json");
      return cli.Post(path, h, text, "application/json");
    }, ms(5000));
    if (r.status >= 200 && r.status < 300) {
      ++posted_;
    } else if (!warned_) {
      warned_ = true;  // once: a coordinator away for a minute would fill stderr
      fmt::print(stderr, "fiokit: cluster run {}: status to {}: {}{} (the run goes on)\n", config_.run, config_.coordinator,
                 r.status ? std::to_string(r.status) + " " : "", reason(r));
    }
  }
}

std::vector<UploadedFile> Member::list_run_files(const std::string& run_dir, std::vector<std::string>* skipped) {
  std::vector<UploadedFile> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(run_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::file_status st = it->symlink_status(ec);
    if (ec || !fs::is_regular_file(st)) continue;  // folders are implied; links are not the run's own bytes
    const fs::path rel = it->path().lexically_relative(run_dir);
    bool ok = std::distance(rel.begin(), rel.end()) <= 6;
    for (const auto& part : rel) ok = ok && valid_component(part.string());
    if (!ok) {
      if (skipped) skipped->push_back(rel.generic_string());
      continue;
    }
    out.push_back({rel.generic_string(), static_cast<uint64_t>(it->file_size(ec))});
  }
  std::sort(out.begin(), out.end(), [](const UploadedFile& a, const UploadedFile& b) { return a.path < b.path; });
  return out;
}

// Each file is streamed from disk in 256 KiB reads (pread at the offset
// httplib asks for), never held whole: a per-I/O log can be gigabytes.
// results.json goes first: a file the coordinator refuses (a per-I/O log
// over its --ingest-max-bytes: 413) is skipped with a warning and left out
// of done; any other refusal stops the uploads and is said in done, so the
// coordinator marks this member failed now, not after its silence timeout.
// A 409 is retried: the coordinator still holds the same path's upload of a
// connection that broke a moment ago.
std::vector<UploadedFile> Member::upload(const std::string& run_dir, std::string& error) {
  std::vector<std::string> skipped;
  std::vector<UploadedFile> files = list_run_files(run_dir, &skipped);
  for (const auto& s : skipped)
    fmt::print(stderr, "fiokit: cluster run {}: not uploading '{}': the coordinator takes names of [A-Za-z0-9._+-] only, "
               "none hidden, at most 6 deep\n", config_.run, s);
  std::stable_partition(files.begin(), files.end(), [](const UploadedFile& f) { return f.path == "results.json"; });
  std::vector<UploadedFile> sent;
  for (UploadedFile& f : files) {
    try {
      upload_file(run_dir, f);
      sent.push_back(f);
    } catch (const ClusterError& e) {
      if (e.status == 413) {
        fmt::print(stderr, "fiokit: cluster run {}: not uploading '{}' ({} bytes): {}\n", config_.run, f.path, f.size, e.what());
        continue;
      }
      error = e.what();
      break;
    }
  }
  return sent;
}

void Member::upload_file(const std::string& run_dir, UploadedFile& f) {
  const std::string full = (fs::path(run_dir) / f.path).string();
  const std::string path = base(config_) + "/hosts/" + std::to_string(config_.index) + "/files/" + f.path;
  call(config_, "upload of " + f.path, [&](httplib::Client& cli, const httplib::Headers& h) {
    const int fd = ::open(full.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (fd >= 0 && ::fstat(fd, &st) == 0) f.size = static_cast<uint64_t>(st.st_size);
    auto provider = [fd](size_t offset, size_t length, httplib::DataSink& sink) {
      char buf[256 * 1024];
      const ssize_t n = fd < 0 ? -1 : ::pread(fd, buf, std::min(length, sizeof buf), static_cast<off_t>(offset));
      if (n <= 0) return false;  // the file shrank or cannot be read: the request fails
      return sink.write(buf, static_cast<size_t>(n));
    };
    auto res = cli.Put(path, h, static_cast<size_t>(f.size), provider, "application/octet-stream");
    if (fd >= 0) ::close(fd);
    return res;
  }, nullptr, config_.timeout, 1, ms(60000), true);
}

void Member::post_done(int exit_code, const std::string& error, const std::vector<UploadedFile>& files, ms budget) {
  json list = json::array();
  for (const auto& f : files) list.push_back({{"path", f.path}, {"size", f.size}});
  json done{{"exit_code", exit_code}, {"started_unix_ns", started_ns_.load()}, {"files", list}};
  if (!error.empty()) done["error"] = error;
  const std::string body = done.dump();
  const std::string path = base(config_) + "/done?index=" + std::to_string(config_.index);
  const Reply r = call(config_, "done", [&](httplib::Client& cli, const httplib::Headers& h) {
    return cli.Post(path, h, body, "application/json");
  }, nullptr, budget, 1);
  try {
    const json j = json::parse(r.body);
    if (j.contains("run_dir") && j["run_dir"].is_string()) remote_run_dir_ = j["run_dir"].get<std::string>();
  } catch (const json::exception&) {
  }
}

int Member::finish(const std::string& run_dir, int exit_code, bool signalled) {
  {
    std::lock_guard lk(m_);
    quit_ = true;
  }
  cv_.notify_all();
  if (poster_.joinable()) poster_.join();
  try {
    // After a signal (a pod being deleted has a short grace period) only
    // done is said, briefly, so the coordinator marks this member failed now
    // rather than after its silence timeout.
    std::string upload_error;
    const std::vector<UploadedFile> files = signalled ? std::vector<UploadedFile>{} : upload(run_dir, upload_error);
    if (!upload_error.empty()) {
      fmt::print(stderr, "fiokit: error: {}\n", upload_error);
      if (exit_code == 0) exit_code = 1;
    }
    post_done(exit_code, upload_error, files, signalled ? std::min(config_.timeout, ms(5000)) : config_.timeout);
    uint64_t bytes = 0;
    for (const auto& f : files) bytes += f.size;
    fmt::print(stderr, "fiokit: cluster run {}: member {} uploaded {} files ({} bytes){}\n", config_.run, config_.index, files.size(),
               bytes, remote_run_dir_.empty() ? "" : "; the coordinator keeps them in " + remote_run_dir_);
    return exit_code;
  } catch (const ClusterError& e) {
    fmt::print(stderr, "fiokit: error: {}\n", e.what());
    return signalled || exit_code > 1 ? exit_code : e.exit_code;
  }
}

}  // namespace fiokit::cli::cluster
