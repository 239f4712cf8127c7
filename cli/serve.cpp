// `fiokit serve [DIR] [--port N] [--bind ADDR]`: argument handling, startup
// message and signals for the results server (serve/). SIGINT/SIGTERM are
// blocked in every thread and taken by one sigwait thread that stops the
// server, so in-flight requests finish and the process exits 0; a second
// signal ends it at once.
#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <string>
#include <thread>
#include <vector>

#include "cli/signals.hpp"
#include "serve/server.hpp"

namespace fiokit::cli {

namespace {

const char* kServeUsage =
    "usage: fiokit serve [DIR] [--port N] [--bind ADDR] [--access-log]\n"
    "\n"
    "Serves the runs under DIR (default: the current directory): DIR/runs/<run-id>/\n"
    "as fiokit writes them, or a folder of fio outputs (its JSON files and logs).\n"
    "Pages: run index, run pages with zoomable charts, compare, raw files;\n"
    "JSON: /api/runs, /api/runs/ID, /api/runs/ID/series?log=NAME&max_points=N.\n"
    "\n"
    "  --port N       TCP port (default 8000; 0 picks a free one)\n"
    "  --bind ADDR    address to listen on (default 127.0.0.1; 0.0.0.0 for all)\n"
    "  --access-log   one line per request on stderr\n";

bool parse_port(const std::string& s, int& port) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0 || v > 65535) return false;
  port = v;
  return true;
}

}  // namespace

int cmd_serve(const std::vector<std::string>& args) {
  serve::ServeOptions opt;
  bool have_dir = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const std::string& flag, std::string& out) {
      if (a == flag) {
        if (i + 1 >= args.size()) return false;
        out = args[++i];
        return true;
      }
      out = a.substr(flag.size() + 1);
      return true;
    };
    if (a == "-h" || a == "--help") {
      fmt::print("{}", kServeUsage);
      return 0;
    }
    if (a == "--port" || a.rfind("--port=", 0) == 0) {
      std::string v;
      if (!value("--port", v) || !parse_port(v, opt.port)) {
        fmt::print(stderr, "fiokit serve: --port needs a number 0-65535, got '{}'\n", v);
        return 2;
      }
    } else if (a == "--bind" || a.rfind("--bind=", 0) == 0) {
      if (!value("--bind", opt.bind) || opt.bind.empty()) {
        fmt::print(stderr, "fiokit serve: --bind needs an address\n");
        return 2;
      }
    } else if (a == "--access-log") {
      opt.access_log = true;
    } else if (!a.empty() && a[0] == '-') {
      fmt::print(stderr, "fiokit serve: unknown option '{}'\n{}", a, kServeUsage);
      return 2;
    } else if (have_dir) {
      fmt::print(stderr, "fiokit serve: one directory only (got '{}' and '{}')\n", opt.dir, a);
      return 2;
    } else {
      opt.dir = a;
      have_dir = true;
    }
  }

  // Before any thread exists, so every thread inherits the blocked mask. The
  // watcher stops the server on the first signal; a second one exits at once.
  std::atomic<serve::Server*> srv{nullptr};
  SignalWatcher signals(
      [&srv](int) {
        if (serve::Server* s = srv.load()) s->stop();
      },
      "fiokit serve", "stopping");
  std::unique_ptr<serve::Server> server;
  try {
    server = std::make_unique<serve::Server>(opt);
    server->bind();
  } catch (const std::exception& e) {
    fmt::print(stderr, "fiokit serve: {}\n", e.what());
    return 1;
  }
  fmt::print(stderr, "fiokit serve: serving {} on http://{}:{}/ (Ctrl-C to stop)\n", server->root_path(),
             opt.bind.find(':') != std::string::npos ? "[" + opt.bind + "]" : opt.bind, server->port());
  srv.store(server.get());
  if (!signals.signal()) server->listen();
  srv.store(nullptr);
  server.reset();
  return 0;
}

}  // namespace fiokit::cli
