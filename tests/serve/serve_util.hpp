// Helpers for the serve tests: run directories built at test time with the
// results writers (write_json on a RunResult filled here) plus hand-written fio
// logs, a server on an ephemeral port, and raw HTTP over a plain socket for
// requests a client library would normalise (%2e%2e, backslashes, NUL).
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <sys/types.h>
#include <string>
#include <vector>

#include "results/run_result.hpp"
#include "serve/server.hpp"
#include "common/temp_dir.hpp"

namespace fiokit::servetest {

using TempDir = fiokit::test::TempDir;

// A run with one job per entry of `jobs` (name -> read IOPS scale), timestamp ts.
// Each job reads 4 KiB I/Os for 2 s with clat around `clat_us` microseconds.
results::RunResult make_result(const std::vector<std::string>& jobs, int64_t ts, double scale = 1.0,
                               uint64_t clat_us = 100);

// fio-format log text: rows "t, v, ddir, bs, 0" every step ms.
std::string make_log(size_t rows, uint64_t step_ms, int ddir, uint64_t base, uint64_t spike_at = 0,
                     uint64_t spike_value = 0);

void write_text(const std::string& path, const std::string& text);
std::string read_text(const std::string& path);

// <data>/runs/<id>/ with results.json, a job file, bw/iops/clat logs, a plot.
void write_run_dir(const std::string& data_dir, const std::string& id, const results::RunResult& r,
                   bool with_logs = true);

// A minimal valid PNG (1x1), for plot listings.
std::string tiny_png();

// A server on 127.0.0.1, ephemeral port, index refreshed on every request.
struct TestServer {
  std::unique_ptr<serve::Server> server;
  int port = 0;
  explicit TestServer(const std::string& dir, bool start = true);
  ~TestServer();
  void start();
};

struct RawResponse {
  int status = 0;
  std::string head;  // status line and headers
  std::string body;
};
// Reads fd until the peer closes it or `limit` passes (then closes fd); sets
// *closed when the peer closed (recv returned 0 or an error) before the limit.
std::string read_until_closed(int fd, std::chrono::milliseconds limit, bool* closed = nullptr);
// Sends `request` verbatim and reads until the server closes (requests must
// carry "Connection: close"). Times out after 5 s.
RawResponse raw_http(int port, const std::string& request);
// "GET <target> HTTP/1.1" with Host and Connection: close.
RawResponse raw_get(int port, const std::string& target);

// A connected TCP socket to 127.0.0.1:port, or -1.
int connect_local(int port);
// The same from another loopback source address (e.g. "127.0.0.2"): another peer.
int connect_local_from(int port, const char* source_ip);

// The shipped binary's `fiokit serve ARGS...`, its stderr on a pipe.
struct ServeChild {
  pid_t pid = -1;  // -1: fork failed
  int err_fd = -1;
  std::string err;
};
ServeChild spawn_serve(const std::vector<std::string>& args);
// Reads the child's stderr until the startup line names the port (or 5 s pass); -1 if not.
int wait_port(ServeChild& c);
// The exit code (128+signal when killed) within `seconds`, else SIGKILL and -1.
int wait_exit(pid_t pid, int seconds);

bool have_program(const std::string& path);
// How many places `needle` starts at in `hay` (overlaps counted).
size_t count_of(const std::string& hay, const std::string& needle);
// <data_dir>/runs/<id>/ made by the real fio: runs `fio FIO_ARGS 2>&1` inside
// it and REQUIREs exit 0 (fio's output shown on failure); returns the dir.
// FAILs when /usr/bin/fio is absent: the cases that call it are tagged [fio]
// and run through CTest's *_fio entries, which skip (77) without fio.
std::string fio_run_dir(const std::string& data_dir, const std::string& id, const std::string& fio_args);
std::optional<std::string> run_capture(const std::string& cmd, int* exit_code = nullptr);

// The headless Chromium command every browser case runs (a fresh profile,
// no background network, a 120 s limit); `args` go before the url.
std::string chromium_cmd(const std::string& profile, const std::string& args, const std::string& url);
// Chromium's screenshot of url in a window of `size` ("W,H", scrollbars
// hidden, 5 s of virtual time for the page's scripts) as dir/shot.png; the
// path, or "" when Chromium wrote none.
std::string chromium_screenshot(const std::string& dir, const std::string& url, const std::string& size);

}  // namespace fiokit::servetest
