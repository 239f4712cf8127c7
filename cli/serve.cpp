// `fiokit serve [DIR] [--port N] [--bind ADDR]`: argument handling, startup
// message and signals for the results server (serve/). SIGINT/SIGTERM are
// blocked in every thread and taken by one sigwait thread that stops the
// server, so in-flight requests finish and the process exits 0; a second
// signal ends it at once. Whatever the handlers are doing (parsing a 100 MB
// log takes seconds and checks no stop flag), the process is gone within
// kStopDeadline of the first signal: a reaper thread then ends it with
// _exit(0) without joining workers or freeing caches. Nothing is lost by that:
// serve only reads, and its messages go unbuffered to stderr; as a cluster
// coordinator it writes every file through a temporary name and a rename, so
// an upload cut short leaves a .part file the member sends again.
#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cli/flags.hpp"
#include "cli/signals.hpp"
#include "serve/server.hpp"

namespace fiokit::cli {

namespace {

// Under the 2 s users (and service managers) are promised, leaving room for
// the front's 0.5 s grace for responses in flight to run out first.
constexpr std::chrono::milliseconds kStopDeadline{1200};

// Ends the process kStopDeadline after signalled() unless finished() came first.
class StopReaper {
 public:
  StopReaper()
      : thread_([this] {
          std::unique_lock<std::mutex> lk(m_);
          cv_.wait(lk, [this] { return signalled_ || finished_; });
          if (finished_) return;
          if (cv_.wait_for(lk, kStopDeadline, [this] { return finished_; })) return;
          static const char msg[] = "fiokit serve: requests still running 1.2 s after the signal, exiting without them\n";
          [[maybe_unused]] const ssize_t n = ::write(2, msg, sizeof msg - 1);
          ::_exit(0);
        }) {}
  ~StopReaper() {
    finished();
    thread_.join();
  }
  void signalled() {
    std::lock_guard<std::mutex> lk(m_);
    signalled_ = true;
    cv_.notify_all();
  }
  void finished() {
    std::lock_guard<std::mutex> lk(m_);
    finished_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  bool signalled_ = false, finished_ = false;
  std::thread thread_;
};

const po::options_description& serve_flags() {
  static const po::options_description desc = [] {
    po::options_description d;
    d.add_options()
        ("port", po::value<std::string>()->value_name("N"), "TCP port (default 8000; 0 picks a free one)")
        ("bind", po::value<std::string>()->value_name("ADDR"), "address to listen on (default 127.0.0.1; 0.0.0.0 for all)")
        ("access-log", po::bool_switch(), "one line per request on stderr")
        ("ingest-token", po::value<std::string>()->value_name("TOKEN"),
         "be the coordinator of cluster runs: accept members' requests carrying 'Authorization: Bearer TOKEN' "
         "(16 characters or more; default $FIOKIT_INGEST_TOKEN)")
        ("cluster-timeout", po::value<std::string>()->value_name("SECONDS"),
         "how long a cluster run waits for its members to join, and a member may stay silent "
         "(default $FIOKIT_CLUSTER_TIMEOUT, else 300)")
        ("ingest-max-bytes", po::value<std::string>()->value_name("N"),
         "largest file or status a member may upload (k/m/g suffixes, 1024-based; default 1g)")
        ("help,h", po::bool_switch(), "this help");
    return d;
  }();
  return desc;
}

const std::string& serve_usage() {
  static const std::string text =
      "usage: fiokit serve [DIR] [--port N] [--bind ADDR] [--access-log]\n"
      "                    [--ingest-token TOKEN] [--cluster-timeout SECONDS] [--ingest-max-bytes N]\n"
      "\n"
      "Serves the runs under DIR (default: the current directory): DIR/runs/<run-id>/\n"
      "as fiokit writes them, or a folder of fio outputs (its JSON files and logs).\n"
      "Pages: run index, run pages with zoomable charts, compare, sweeps (/sweeps),\n"
      "raw files;\n"
      "JSON: /api/runs, /api/runs/ID, /api/runs/ID/series?log=NAME&max_points=N,\n"
      "/api/sweeps/ID.\n"
      "With an ingest token it is also the coordinator of cluster runs: members of\n"
      "`fiokit run --coordinator URL` join, start together and upload under\n"
      "/api/cluster/ (docs/cluster-protocol.md); without one those routes are 404.\n"
      "\n" +
      describe_flags(serve_flags());
  return text;
}

// The ingest token: visible ASCII (it travels in a header), 16 characters or more.
std::string check_token(const std::string& t, const char* from) {
  if (t.size() < 16) throw UsageError(fmt::format("{} must be 16 characters or more (got {})", from, t.size()));
  for (const char c : t) {
    if (c <= 0x20 || c >= 0x7f) throw UsageError(fmt::format("{} may hold only visible ASCII characters", from));
  }
  // examples/k8s/cluster.yaml's placeholder: applied unedited, the coordinator
  // would take uploads from anyone who has read the example.
  if (t.rfind("CHANGE-ME", 0) == 0)
    throw UsageError(fmt::format("{} is still the example's placeholder ({}...): generate one, e.g. openssl rand -hex 32",
                                 from, t.substr(0, 9)));
  return t;
}

// Seconds, > 0 and at most a week; fractions allowed (tests use short ones).
std::chrono::milliseconds parse_timeout(const std::string& v, const char* from) {
  char* end = nullptr;
  const double s = v.empty() ? 0 : std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !(s >= 0.001 && s <= 7 * 86400.0))
    throw UsageError(fmt::format("{} needs seconds between 0.001 and 604800, got '{}'", from, v));
  return std::chrono::milliseconds(static_cast<int64_t>(s * 1000 + 0.5));
}

// Bytes, with an optional k/m/g/t suffix (1024-based); 1 KiB .. 1 TiB.
uint64_t parse_bytes(const std::string& v) {
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  const std::string_view unit(p, static_cast<size_t>(v.data() + v.size() - p));
  int shift = -1;
  if (unit.empty()) shift = 0;
  else if (unit.size() == 1) {
    const std::string_view units = "kmgt";
    const size_t i = units.find(static_cast<char>(std::tolower(static_cast<unsigned char>(unit[0]))));
    if (i != std::string_view::npos) shift = 10 * static_cast<int>(i + 1);
  }
  if (ec != std::errc() || p == v.data() || shift < 0 || n > (uint64_t{1} << 40 >> shift) || (n << shift) < 1024)
    throw UsageError(fmt::format("--ingest-max-bytes needs a size from 1k to 1t (e.g. 1073741824, 512m, 1g), got '{}'", v));
  return n << shift;
}

bool parse_port(const std::string& s, int& port) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0 || v > 65535) return false;
  port = v;
  return true;
}

// The server's options from the command line; *help when --help was given.
serve::ServeOptions parse_serve_args(const std::vector<std::string>& args, bool* help) {
  serve::ServeOptions opt;
  const ParsedFlags pf = parse_flags(args, serve_flags(), FlagStyle::getopt, false, "fiokit serve --help");
  for (const po::option& o : pf.flags) {
    const std::string v = flag_value(o);
    if (o.string_key == "help") *help = true;
    else if (o.string_key == "access-log") opt.access_log = true;
    else if (o.string_key == "port" && !parse_port(v, opt.port))
      throw UsageError(fmt::format("--port needs a number 0-65535, got '{}'", v));
    else if (o.string_key == "ingest-token") opt.cluster.token = check_token(v, "--ingest-token");
    else if (o.string_key == "cluster-timeout") opt.cluster.timeout = parse_timeout(v, "--cluster-timeout");
    else if (o.string_key == "ingest-max-bytes") opt.cluster.max_file_bytes = parse_bytes(v);
    else if (o.string_key == "bind") {
      if (v.empty()) throw UsageError("--bind needs an address");
      opt.bind = v;
    }
  }
  const auto given = [&pf](const char* key) {
    return std::any_of(pf.flags.begin(), pf.flags.end(), [key](const po::option& o) { return o.string_key == key; });
  };
  if (!given("ingest-token")) {
    if (const char* env = std::getenv("FIOKIT_INGEST_TOKEN"); env && *env)
      opt.cluster.token = check_token(env, "FIOKIT_INGEST_TOKEN");
  }
  if (!given("cluster-timeout")) {
    if (const char* env = std::getenv("FIOKIT_CLUSTER_TIMEOUT"); env && *env)
      opt.cluster.timeout = parse_timeout(env, "FIOKIT_CLUSTER_TIMEOUT");
  }
  if (pf.rest.size() > 1) throw UsageError(fmt::format("one directory only (got '{}' and '{}')", pf.rest[0], pf.rest[1]));
  if (!pf.rest.empty()) opt.dir = pf.rest.front();
  return opt;
}

}  // namespace

int cmd_serve(const std::vector<std::string>& args) {
  serve::ServeOptions opt;
  try {
    bool help = false;
    opt = parse_serve_args(args, &help);
    if (help) {
      fmt::print("{}", serve_usage());
      return 0;
    }
  } catch (const UsageError& e) {
    return report_usage_error("serve", e);
  }

  // Before any thread exists, so every thread inherits the blocked mask. The
  // watcher stops the server on the first signal; a second one exits at once.
  // srv is held under srv_m while the watcher stops it: listen() returns as
  // soon as the stop begins, and the main thread must not free the server
  // while stop() is still in it (ASan: heap-use-after-free in Server::stop
  // when the main thread's reset() won the race: three loops of 30 stops at
  // load each hit it before, none of 90 after).
  std::mutex srv_m;
  serve::Server* srv = nullptr;
  std::atomic<StopReaper*> reaper{nullptr};
  SignalWatcher signals(
      [&srv, &srv_m, &reaper](int) {
        if (StopReaper* r = reaper.load()) r->signalled();
        std::lock_guard<std::mutex> lk(srv_m);
        if (srv) srv->stop();
      },
      "fiokit serve", "stopping");
  StopReaper stop_reaper;  // after the watcher: its thread inherits the blocked mask
  reaper.store(&stop_reaper);
  std::unique_ptr<serve::Server> server;
  try {
    server = std::make_unique<serve::Server>(opt);
    server->bind();
  } catch (const std::exception& e) {
    fmt::print(stderr, "fiokit serve: {}\n", e.what());
    reaper.store(nullptr);
    return 1;
  }
  fmt::print(stderr, "fiokit serve: serving {} on http://{}:{}/ (Ctrl-C to stop)\n", server->root_path(),
             opt.bind.find(':') != std::string::npos ? "[" + opt.bind + "]" : opt.bind, server->port());
  if (opt.cluster.enabled()) {
    fmt::print(stderr, "fiokit serve: coordinator of cluster runs under /api/cluster/ (timeout {:g} s, uploads up to {} bytes)\n",
               opt.cluster.timeout.count() / 1000.0, opt.cluster.max_file_bytes);
  }
  {
    std::lock_guard<std::mutex> lk(srv_m);
    srv = server.get();
  }
  if (!signals.signal()) server->listen();
  {
    std::lock_guard<std::mutex> lk(srv_m);  // waits for a stop() in progress
    srv = nullptr;
  }
  server.reset();  // may free a large log cache: still under the deadline
  reaper.store(nullptr);
  stop_reaper.finished();
  return 0;
}

}  // namespace fiokit::cli
