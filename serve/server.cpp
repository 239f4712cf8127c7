// Routes, limits and file serving of `fiokit serve` (see server.hpp).
//
// Limits, and why: each connection has one worker for its whole life, run by
// serve/front.cpp in place of the library's own connection loop: an idle
// connection holds it for at most 1 s, a trickling one for at most the request
// deadline (10 s), and waiting connections are capped per peer and in all (the
// oldest goes), so slow sockets never hold every worker. The pool grows with
// demand (one worker per waiting connection, up to max_threads) instead of
// queueing a normal GET behind slow sockets, and the listen backlog is raised
// from the library's compiled-in 5 so a burst of connections is not dropped
// into the kernel's 1 s SYN retry. The library still parses the vetted head,
// routes and writes the response.
#include "serve/server.hpp"
#include "util/exception_text.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fmt/format.h>
#include <list>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <stdexcept>
#include <system_error>
#include <unordered_map>

#include "results/log_reader.hpp"
#include "serve/api.hpp"
#include "serve/api_hist.hpp"
#include "serve/assets.hpp"
#include "serve/cluster_routes.hpp"
#include "serve/confine.hpp"
#include "serve/compare_gate.hpp"
#include "serve/compare_sweeps.hpp"
#include "serve/html.hpp"
#include "serve/live.hpp"
#include "serve/log_cache.hpp"
#include "serve/pool.hpp"
#include "serve/ranges.hpp"
#include "serve/run_index.hpp"
#include "serve/run_query.hpp"
#include "serve/sweep_pages.hpp"
#include "util/fd.hpp"

namespace fiokit::serve {

namespace {

constexpr size_t kInlineFileMax = 1u << 20;    // larger files are streamed
constexpr size_t kJobFileMax = 256u << 10;     // job file text shown on a run page
constexpr size_t kIndexPageMaxRuns = 1000;     // ?limit= on the index page
constexpr size_t kApiMaxRuns = 100000;         // /api/runs?limit=; without it, every run
constexpr const char* kPageCsp =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
// Files from the data dir are data, never active content of this origin
// (an SVG plot with a script in it stays inert).
constexpr const char* kRawCsp = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";

// Reaches the listening socket, which 0.11.4 keeps protected, to raise its
// backlog, and takes over each accepted socket (the library's per-connection
// entry point is virtual) to run it through the front, which calls back into
// the library's request processing for every vetted request.
class HttpServer : public httplib::Server {
 public:
  explicit HttpServer(Front& front)
      : front_(front),
        process_([this](httplib::Stream& s, bool close, bool& closed,
                        const std::function<void(httplib::Request&)>& setup) {
          return process_request(s, close, closed, setup);
        }) {}
  int listen_fd() const { return static_cast<int>(svr_sock_.load()); }

 private:
  bool process_and_close_socket(socket_t sock) override {
    front_.serve_connection(sock, process_);
    return true;
  }
  Front& front_;
  const Front::Process process_;
};

const char* reason_of(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
  }
}

// The whole answer to a request the front refused before routing: the same
// error page and security headers as a routed error, and the connection closes.
std::string refusal_response(int status) {
  const char* msg = status == 503   ? "Too many requests from your address at once; retry in a moment."
                    : status == 408 ? "The request did not arrive in time."
                    : status == 413 ? "The request body is too large."
                    : status == 414 ? "The request line is too long."
                    : status == 431 ? "Too many or too large header fields."
                    : status == 505 ? "Only HTTP/1.0 and HTTP/1.1 are spoken here."
                                    : "Malformed or ambiguous request.";
  const std::string body = render_error_page(status, msg);
  return fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n{}"
      "Content-Security-Policy: {}\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n\r\n{}",
      status, reason_of(status), body.size(), status == 503 ? "Retry-After: 1\r\n" : "", kPageCsp, body);
}


// Small files already opened through the confinement check, kept by path.
// A hit costs one stat(): the same device, inode, size and mtime means the
// same file that was checked when it was cached, wherever a symlink on the
// path points now, so serving the kept bytes never serves anything unchecked.
class FileCache {
 public:
  static constexpr size_t kMaxFile = 256u << 10;
  static constexpr size_t kMaxTotal = 64u << 20;
  using Body = std::shared_ptr<const std::string>;

  Body lookup(const std::string& path) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return nullptr;
    std::shared_lock<std::shared_mutex> lk(m_);
    auto it = map_.find(path);
    if (it == map_.end() || !same(it->second, st)) return nullptr;
    return it->second.body;
  }
  void store(const std::string& path, const struct stat& st, Body body) {
    if (body->size() > kMaxFile) return;
    std::unique_lock<std::shared_mutex> lk(m_);
    if (total_ + body->size() > kMaxTotal) {
      map_.clear();  // crude, but bounded; the hot set refills at once
      total_ = 0;
    }
    auto& e = map_[path];
    if (e.body) total_ -= e.body->size();
    e = {st.st_dev, st.st_ino, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec, std::move(body)};
    total_ += e.body->size();
  }

 private:
  struct Entry {
    dev_t dev;
    ino_t ino;
    off_t size;
    time_t mtime_s;
    long mtime_ns;
    Body body;
  };
  static bool same(const Entry& e, const struct stat& st) {
    return e.dev == st.st_dev && e.ino == st.st_ino && e.size == st.st_size && e.mtime_s == st.st_mtim.tv_sec &&
           e.mtime_ns == st.st_mtim.tv_nsec;
  }
  std::shared_mutex m_;
  std::unordered_map<std::string, Entry> map_;
  size_t total_ = 0;
};

bool ends_with(std::string_view s, std::string_view x) {
  return s.size() >= x.size() && s.substr(s.size() - x.size()) == x;
}

const char* mime_of(std::string_view name) {
  if (ends_with(name, ".json")) return "application/json";
  if (ends_with(name, ".png")) return "image/png";
  if (ends_with(name, ".svg")) return "image/svg+xml";
  if (ends_with(name, ".csv")) return "text/csv; charset=utf-8";
  // Logs, job files, outputs, gnuplot scripts, and anything that might be
  // HTML: shown as text, never rendered as a page of this origin.
  if (ends_with(name, ".log") || ends_with(name, ".fio") || ends_with(name, ".txt") || ends_with(name, ".out") ||
      ends_with(name, ".job") || ends_with(name, ".ini") || ends_with(name, ".gp") || ends_with(name, ".html") ||
      ends_with(name, ".htm") || ends_with(name, ".md"))
    return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

void set_error(httplib::Response& res, int status, std::string_view msg) {
  res.status = status;
  res.set_content(render_error_page(status, msg), "text/html; charset=utf-8");
}

int status_of_errno(int neg_errno) { return neg_errno == -EACCES || neg_errno == -EPERM ? 403 : 404; }

// The Range of a raw-file request; ignored under If-Range, since no validator
// this server sends could match it (RFC 9110 13.1.5: then the whole file).
std::string range_of(const httplib::Request& req) {
  return req.has_header("If-Range") ? std::string() : req.get_header_value("Range");
}

// 206 and Content-Range for a partial answer; 416 with "bytes */SIZE" for an
// unsatisfiable one. Returns false when the response is complete (416).
bool apply_range(const RangeAnswer& r, uint64_t size, httplib::Response& res) {
  res.set_header("Accept-Ranges", "bytes");
  if (r.kind == RangeAnswer::unsatisfiable) {
    res.set_header("Content-Range", fmt::format("bytes */{}", size));
    set_error(res, 416, "The requested range lies outside the file.");
    return false;
  }
  if (r.kind == RangeAnswer::partial) {
    res.status = 206;
    res.set_header("Content-Range", fmt::format("bytes {}-{}/{}", r.offset, r.offset + r.length - 1, size));
  }
  return true;
}

void set_file_content(const httplib::Request& req, httplib::Response& res, const std::string& body, const char* mime) {
  const RangeAnswer r = resolve_range(range_of(req), body.size());
  if (!apply_range(r, body.size(), res)) return;
  if (r.kind == RangeAnswer::partial) res.set_content(body.data() + r.offset, r.length, mime);
  else res.set_content(body, mime);
}

std::optional<uint64_t> param_u64(const httplib::Request& req, const char* key) {
  if (!req.has_param(key)) return std::nullopt;
  const std::string v = req.get_param_value(key);
  if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos) {
    throw std::invalid_argument(key);
  }
  return std::stoull(v);
}

}  // namespace

struct Server::Impl {
  ServeOptions opt;
  Root root;
  RunIndex index;
  Front front;
  HttpServer http;
  LogCache logs;
  FileCache files;
  std::atomic<GrowingPool*> pool{nullptr};  // the listening pool, owned by cpp-httplib
  std::atomic<size_t> fast_answers{0};
  std::unique_ptr<ClusterRoutes> cluster;  // the coordinator, with an ingest token only

  explicit Impl(ServeOptions o)
      : opt(std::move(o)),
        root(opt.dir),
        index(root, opt.refresh),
        front(front_limits_for(opt.limits, opt.cluster), refusal_response),
        http(front),
        logs(opt.log_cache_bytes) {
    if (opt.cluster.enabled()) cluster = std::make_unique<ClusterRoutes>(root.path(), opt.cluster);
  }

  void serve_file(const httplib::Request& req, httplib::Response& res, const std::string& rel) {
    bool want_dir = rel.empty() || rel.back() == '/';
    if (!want_dir) {
      const std::string path = root.path() + "/" + rel;
      if (auto body = files.lookup(path)) {
        res.set_header("Content-Security-Policy", kRawCsp);
        return set_file_content(req, res, *body, mime_of(rel));
      }
      const int fd = root.open_beneath(rel);
      if (fd == -EISDIR) {
        want_dir = true;
      } else if (fd < 0) {
        return set_error(res, status_of_errno(fd), "No such file.");
      } else {
        return send_fd(req, res, util::Fd(fd), rel, path);
      }
    }
    std::vector<DirEntry> entries;
    const int err = root.list(rel, entries);
    if (err < 0) return set_error(res, status_of_errno(err), "No such directory.");
    res.set_content(render_listing_page(rel, entries), "text/html; charset=utf-8");
  }

  void send_fd(const httplib::Request& req, httplib::Response& res, util::Fd fd, const std::string& rel,
               const std::string& path) {
    struct stat st;
    ::fstat(fd.get(), &st);
    const auto size = static_cast<size_t>(st.st_size);
    res.set_header("Content-Security-Policy", kRawCsp);
    const char* mime = mime_of(rel);
    if (size <= kInlineFileMax) {
      std::string body;
      const int err = read_fd(fd.release(), body, kInlineFileMax);
      if (err < 0) return set_error(res, 500, "Cannot read the file.");
      set_file_content(req, res, body, mime);
      files.store(path, st, std::make_shared<const std::string>(std::move(body)));
      return;
    }
    // Streamed from the descriptor already checked, never reopened by name.
    // The provider is copied by cpp-httplib, hence a shared owner.
    const RangeAnswer r = resolve_range(range_of(req), size);
    if (!apply_range(r, size, res)) return;
    const size_t start = r.kind == RangeAnswer::partial ? r.offset : 0;
    const size_t len = r.kind == RangeAnswer::partial ? r.length : size;
    auto holder = std::make_shared<util::Fd>(std::move(fd));
    res.set_content_provider(len, mime, [holder, start](size_t offset, size_t length, httplib::DataSink& sink) {
      char buf[65536];
      const ssize_t n =
          ::pread(holder->get(), buf, std::min(length, sizeof buf), static_cast<off_t>(start + offset));
      if (n <= 0) return false;
      return sink.write(buf, static_cast<size_t>(n));
    });
  }

  // What the run index has done so far (X-Fiokit-Index): a bench or a test
  // tells from it whether requests made it rescan.
  void set_index_header(httplib::Response& res) const {
    const RunIndex::Stats st = index.stats();
    res.set_header("X-Fiokit-Index", fmt::format("checks={} lists={} scans={} parses={} loads={}", st.checks,
                                                 st.top_lists, st.dir_scans, st.parses, st.loads));
  }

  // The answer cpp-httplib gives to a plain GET of a cached file (see
  // Front::FastPath), without it: the same status line, header fields in its
  // order (a case-insensitive sort of the names) and values, the same body.
  // A profile of the library's way showed its header map, routing regexes and
  // copies of the body costing a third of the server's CPU per request; the
  // test "a cached file answered by the front is byte for byte the library's
  // answer" keeps the two the same.
  bool answer_cached(std::string_view target, Front::FastAnswer& a) {
    constexpr std::string_view kPrefix = "/files/";
    if (target.substr(0, kPrefix.size()) != kPrefix) return false;
    const std::string_view rel = target.substr(kPrefix.size());
    // Only targets the router would see unchanged: nothing to decode, no
    // query, not a directory; the same vetting as the pre-routing handler.
    if (rel.empty() || rel.back() == '/' || rel.find_first_of("%?#+") != std::string_view::npos) return false;
    if (!check_target(target)) return false;
    auto body = files.lookup(root.path() + "/" + std::string(rel));
    if (!body) return false;
    const auto keep_alive_s = std::max<long>(1, std::chrono::ceil<std::chrono::seconds>(opt.limits.idle_timeout).count());
    a.head = fmt::format(
        "HTTP/1.1 200 OK\r\nAccept-Ranges: bytes\r\nContent-Length: {}\r\nContent-Security-Policy: {}\r\n"
        "Content-Type: {}\r\nKeep-Alive: timeout={}, max={}\r\nReferrer-Policy: no-referrer\r\n"
        "X-Content-Type-Options: nosniff\r\n\r\n",
        body->size(), kRawCsp, mime_of(rel), keep_alive_s, opt.limits.max_keep_alive);
    a.body = std::move(body);
    fast_answers.fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  void route();
};

void Server::Impl::route() {
  // Only GET and HEAD exist; everything else is refused before its body is
  // read. Targets are vetted raw, since req.path arrives already decoded.
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (is_cluster_target(req.target)) return cluster_pre_route(cluster.get(), req, res);  // cluster_routes.hpp
    if (req.method != "GET" && req.method != "HEAD") {
      res.set_header("Allow", "GET, HEAD");
      res.set_header("Connection", "close");
      set_error(res, 405, "This server is read-only.");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!check_target(req.target)) {
      set_error(res, 403, "Forbidden path.");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  http.Get("/files/(.*)", [this](const httplib::Request& req, httplib::Response& res) {
    serve_file(req, res, req.matches[1]);
  });
  http.Get("/files", [this](const httplib::Request& req, httplib::Response& res) { serve_file(req, res, ""); });
  http.Get("/api/runs", [this](const httplib::Request& req, httplib::Response& res) {
    auto snap = index.snapshot();
    set_index_header(res);
    if (req.params.empty()) return res.set_content(snap->runs_json(), "application/json");
    try {
      res.set_content(render_runs_page_json(*snap, parse_run_query(req.params, std::nullopt, kApiMaxRuns)),
                      "application/json");
    } catch (const QueryError& e) {
      set_error(res, 400, e.what());
    }
  });
  http.Get("/api/runs/([^/]+)/series", [this](const httplib::Request& req, httplib::Response& res) {
    auto snap = index.snapshot();
    auto run = snap->find(req.matches[1]);
    if (!run) return set_error(res, 404, "No such run.");
    if (!req.has_param("log")) return set_error(res, 400, "Missing ?log=NAME.");
    const std::string name = req.get_param_value("log");
    const LogInfo* log = nullptr;
    for (const auto& l : run->logs) {
      if (l.file == name) log = &l;
    }
    if (!log) return set_error(res, 404, "No such log in this run.");
    std::optional<uint64_t> max_points, from, to;
    try {
      max_points = param_u64(req, "max_points");
      from = param_u64(req, "from");
      to = param_u64(req, "to");
    } catch (const std::exception& e) {
      return set_error(res, 400, std::string("Bad number in ?") + e.what() + "=.");
    }
    const size_t mp = std::clamp<uint64_t>(max_points.value_or(2000), 2, 100000);
    int err = 0;
    LogCache::Answer answer;
    try {
      answer = logs.get(root, run->rel_path(log->file), {mp, from, to}, err, req.remote_addr);
    } catch (const ScanBusy& e) {
      res.set_header("Retry-After", "1");
      return set_error(res, 503, std::string("Busy: ") + e.what() + "; retry in a moment.");
    } catch (const results::LogParseError& e) {
      return set_error(res, 422, e.what());
    } catch (const std::system_error&) {
      return set_error(res, 500, "Cannot read the log.");
    }
    if (!answer) return set_error(res, status_of_errno(err), "Cannot read the log.");
    res.set_content(render_series_json(*log, answer->series, answer->total_rows), "application/json");
  });
  add_latency_routes(http, index, root);  // /api/runs/{id}/latency (api_hist.cpp)
  add_live_routes(http, index, root);     // /api/runs/{id}/live and /metrics (live.cpp)
  http.Get("/api/runs/([^/]+)", [this](const httplib::Request& req, httplib::Response& res) {
    auto run = index.snapshot()->find(req.matches[1]);
    if (!run) return set_error(res, 404, "No such run.");
    res.set_content(render_run_json(*run), "application/json");
  });
  http.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    // ordered_json: "status" before "runs", as this route always answered.
    const nlohmann::ordered_json health = {{"status", "ok"}, {"runs", index.snapshot()->runs.size()}};
    set_index_header(res);
    res.set_content(health.dump(), "application/json");
  });
  http.Get("/", [this](const httplib::Request& req, httplib::Response& res) {
    try {
      const RunQuery q = parse_run_query(req.params, kIndexPageRows, kIndexPageMaxRuns);
      res.set_content(render_index_page(*index.snapshot(), q), "text/html; charset=utf-8");
    } catch (const QueryError& e) {
      set_error(res, 400, e.what());
    }
  });
  http.Get("/runs/([^/]+)", [this](const httplib::Request& req, httplib::Response& res) {
    auto run = index.snapshot()->find(req.matches[1]);
    if (!run) return set_error(res, 404, "No such run.");
    if (run->summary.status == RunStatus::sweep) return res.set_redirect("/sweeps/" + encode_path(run->id, false));
    std::vector<std::pair<std::string, std::string>> texts;
    for (const auto& f : run->job_files) {
      std::string text;
      const int fd = root.open_beneath(run->rel_path(f));
      const int err = fd < 0 ? fd : read_fd(fd, text, kJobFileMax);
      if (err == -EFBIG) text = "(larger than 256 KiB: download it below)";
      else if (err < 0) continue;
      texts.emplace_back(f, std::move(text));
    }
    res.set_content(render_run_page(*run, texts), "text/html; charset=utf-8");
  });
  http.Get("/compare", [this](const httplib::Request& req, httplib::Response& res) {
    auto snap = index.snapshot();
    std::vector<std::string> params;
    for (size_t i = 0; i < req.get_param_value_count("run"); ++i) params.push_back(req.get_param_value("run", i));
    std::string error;
    const std::vector<std::string> ids = compare_ids(params, req.get_param_value("runs"), &error);
    if (!error.empty()) return set_error(res, 400, error);
    std::vector<std::shared_ptr<const RunInfo>> runs;
    for (const auto& id : ids) {
      auto r = snap->find(id);
      if (!r) return set_error(res, 404, "No such run: " + id);
      runs.push_back(r);
    }
    // Sweeps compare point by point (compare_sweeps.cpp); never with a run.
    const std::string mixed = compare_kind_error(runs);
    if (!mixed.empty()) return set_error(res, 400, mixed);
    if (all_sweeps(runs)) return res.set_content(render_sweep_compare_page(root, runs), "text/html; charset=utf-8");
    res.set_content(render_compare_page(runs, render_gate_section(root, runs)), "text/html; charset=utf-8");
  });
  add_sweep_routes(http, root);  // /sweeps, /sweeps/ID, /api/sweeps/ID (serve/sweep_pages.cpp)
  http.Get("/static/([^/]+)", [](const httplib::Request& req, httplib::Response& res) {
    const Asset* a = find_asset(req.matches[1].str());
    if (!a) return set_error(res, 404, "No such asset.");
    res.set_header("Cache-Control", "max-age=300");
    res.set_content(reinterpret_cast<const char*>(a->data), a->size, std::string(a->mime));
  });

  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty() || res.content_length_ > 0) return httplib::Server::HandlerResponse::Unhandled;
        set_error(res, res.status, res.status == 404 ? "Not found." : "Request refused.");
        return httplib::Server::HandlerResponse::Handled;
      }));
  // The client sees a bare 500; what went wrong goes to the operator's stderr
  // (0.11.4 would otherwise echo what() in an EXCEPTION_WHAT header).
  http.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    const std::string what = util::exception_text(ep);
    fmt::print(stderr, "fiokit serve: {} {}: {}\n", req.method, req.path, what);
    res.headers.clear();
    set_error(res, 500, "Internal error.");
  });
  http.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.has_header("Content-Security-Policy")) res.set_header("Content-Security-Policy", kPageCsp);
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
  });
  // With an access log every request goes through the library, which logs it.
  if (!opt.access_log) {
    front.set_fast_path([this](std::string_view target, Front::FastAnswer& a) { return answer_cached(target, a); });
  }
  if (opt.access_log) {
    http.set_logger([](const httplib::Request& req, const httplib::Response& res) {
      fmt::print(stderr, "{} {} {} {}\n", req.remote_addr, req.method, req.target, res.status);
    });
  }

  // The front enforces these; set here too since the library announces them
  // in its Keep-Alive response header.
  http.set_read_timeout(1, 0);
  http.set_write_timeout(1, 0);
  http.set_keep_alive_timeout(std::max<time_t>(1, std::chrono::ceil<std::chrono::seconds>(opt.limits.idle_timeout).count()));
  http.set_keep_alive_max_count(opt.limits.max_keep_alive);
  http.set_payload_max_length(64 * 1024);
  if (cluster) cluster->add_routes(http);  // /api/cluster/ (serve/cluster_routes.hpp)
  http.set_tcp_nodelay(true);
  const size_t lo = opt.min_threads, hi = opt.max_threads;
  const auto idle_exit = opt.worker_idle_exit;
  http.new_task_queue = [this, lo, hi, idle_exit] {
    auto* p = new GrowingPool(lo, hi, idle_exit);
    pool.store(p);
    return p;
  };
  // Extra workers for parked connections (front_park.cpp) come from the same
  // pool; the front stops asking before the pool is shut down (stop()).
  front.set_task_runner([this](std::function<void()> fn) {
    if (auto* p = pool.load()) p->enqueue(std::move(fn));
  });
}

Server::Server(ServeOptions opt) : impl_(std::make_unique<Impl>(std::move(opt))) { impl_->route(); }

Server::~Server() { stop(); }

const std::string& Server::root_path() const { return impl_->root.path(); }

httplib::Server& Server::http() { return impl_->http; }

Server::IndexStats Server::index_stats() const {
  const RunIndex::Stats st = impl_->index.stats();
  return {st.checks, st.top_lists, st.dir_scans, st.parses, st.loads};
}

size_t Server::fast_answers() const { return impl_->fast_answers.load(); }

Server::LogCacheStats Server::log_cache_stats() const {
  return {impl_->logs.parses(), impl_->logs.entries(), impl_->logs.bytes(), impl_->logs.computed()};
}

int Server::bind() {
  auto& o = impl_->opt;
  if (o.port == 0) {
    port_ = impl_->http.bind_to_any_port(o.bind);
    if (port_ < 0) port_ = 0;
  } else if (impl_->http.bind_to_port(o.bind, o.port)) {
    port_ = o.port;
  }
  if (port_ <= 0) {
    throw std::runtime_error(fmt::format("cannot listen on {}:{}: {} (address in use, or not an address of this host?)",
                                         o.bind, o.port, std::strerror(errno)));
  }
  ::listen(impl_->http.listen_fd(), 1024);  // see the top of this file
  impl_->index.warm_up();                    // the run index is read while nobody waits
  return port_;
}

void Server::listen() { impl_->http.listen_after_bind(); }

int Server::start() {
  const int p = bind();
  thread_ = std::thread([this] { listen(); });
  return p;
}

void Server::stop() {
  impl_->front.stop();  // first: waiting connections go at once, new ones are closed
  impl_->http.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace fiokit::serve
