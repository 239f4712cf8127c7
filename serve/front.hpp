// The connection front of `fiokit serve`: it owns each accepted socket, reads
// and vets every request head itself, then hands cpp-httplib a stream that
// replays exactly that head, so the library parses only what passed the
// limits below and never reads past one request. cpp-httplib 0.11.4 enforces
// none of them: it counts no headers, resets its read timeout on every byte (a
// client trickling a byte a second is never dropped), skips header lines ending
// in a bare LF (a second request hidden in one), ignores a duplicate or
// invalid Content-Length and lets Transfer-Encoding sit beside one, holds a
// worker per connection until the client lets go, and polls idle keep-alive
// sockets every 11 ms. What the front enforces, and answers:
//   - head too big: request line > max_line (CRLF counted): 414; a header line > max_line,
//     more than max_header_count fields or more than max_head_bytes in all: 431;
//     the connection is closed after the answer, nothing else is read from it;
//   - a head (and a GET's body) not complete request_timeout after its first
//     byte: 408 and close; no first byte within idle_timeout: close;
//   - ambiguous framing: Content-Length with Transfer-Encoding, more than one
//     Content-Length, a Content-Length that is not digits, a bare LF or CR, a
//     header without a colon or with space before it: 400 and close;
//   - a request with a body is answered (GET/HEAD after reading and dropping at
//     most max_body bytes; every other method gets 405 from the router without
//     its body being read) and, unless the body was read, the connection closes;
//     the one exception: with max_upload_body > 0, a POST or PUT whose target
//     starts with body_prefix (the coordinator's /api/cluster/) has its body
//     passed to the route as it arrives (Content-Length up to max_upload_body,
//     413 past it, or chunked), and the connection closes after the answer;
//     the body must keep moving (min_send_bytes per send_window, nothing for
//     request_timeout: dropped) and stop() ends it (serve/front_body.cpp);
//   - waiting connections (idle or mid-head) per peer address: the oldest one
//     beyond max_waiting_per_peer is closed, so one address holding a thousand
//     slow sockets holds at most that many workers and a new request from it
//     or anyone else is still read at once; likewise the oldest of all beyond
//     max_waiting_total, for slow sockets spread over many addresses;
//   - requests being routed per peer address: past max_active_per_peer, 503
//     with Retry-After and close;
//   - a response moving less than min_send_bytes in a send_window (a reader
//     taking a byte a second, which makes progress on every send and so never
//     trips write_timeout) is dropped, and its worker freed;
//   - stop(): waiting connections are closed at once; a response being written
//     gets shutdown_grace, then its socket is abandoned (SIGTERM exits in < 2 s).
// Between requests a connection holds no worker: once its answer is sent and
// nothing more has arrived, it is parked in an epoll set (serve/front_park.cpp)
// and the worker serves whichever parked connection is ready next, so a busy
// keep-alive server answers request after request without a thread sleeping
// and waking for each one (the cost that kept it at half of nginx's rate).
// The Range header is taken out of the replayed head (cpp-httplib would apply
// it unchecked to every answer, error pages included) and given back to the
// request afterwards for the file route to resolve (serve/ranges.hpp).
#pragma once
#include <httplib.h>
#include <sys/uio.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <condition_variable>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace fiokit::serve {

struct FrontLimits {
  size_t max_header_count = 100;  // browsers send 10-40
  size_t max_head_bytes = 32u << 10;  // request line and all header lines
  size_t max_line = 8192;             // one line with its CRLF (cpp-httplib's own cap)
  size_t max_body = 64u << 10;        // a body on a GET/HEAD, read and dropped
  std::chrono::milliseconds idle_timeout{1000};      // waiting for a request's first byte
  std::chrono::milliseconds request_timeout{10000};  // first byte to last byte of head and body
  std::chrono::milliseconds write_timeout{1000};     // without any progress on a send
  std::chrono::milliseconds shutdown_grace{500};     // a response in flight when stop() came
  // A response must move at least min_send_bytes in every send_window, else
  // the connection is dropped: a reader taking a byte a second makes progress
  // on every send (write_timeout never trips) while it holds a worker.
  size_t min_send_bytes = 1024;
  std::chrono::milliseconds send_window{10000};
  size_t max_keep_alive = 1000;                      // requests per connection
  size_t max_waiting_per_peer = 64;                  // 0: no limit
  // All peers together, below ServeOptions::max_threads (1024) so waiting
  // sockets from many addresses never take every worker either. 0: no limit.
  size_t max_waiting_total = 512;
  // Requests of one peer address being routed at once (its handlers running
  // or its answers being sent); one past it is answered 503 with Retry-After
  // and closed, so one address flooding slow requests (series scans) holds
  // at most this many workers. The fast path (cached pages) is not counted. 0: no limit.
  size_t max_active_per_peer = 16;
  // POST/PUT bodies passed to the route for targets under body_prefix, up to
  // max_upload_body bytes; 0: none ever (serve is read-only).
  std::string body_prefix;
  uint64_t max_upload_body = 0;
};

struct FrontConn;

class Front {
 public:
  // Runs one request through cpp-httplib (Server::process_request).
  using Process = std::function<bool(httplib::Stream&, bool close_connection, bool& connection_closed,
                                     const std::function<void(httplib::Request&)>& setup)>;
  // The complete response (status line, headers, body) for a refusal.
  using Refusal = std::function<std::string(int status)>;

  // A request answered without cpp-httplib (set_fast_path).
  struct FastAnswer {
    std::string head;                         // status line and header fields, ending in an empty line
    std::shared_ptr<const std::string> body;  // sent after the head unless the request is HEAD
  };
  // Given the raw target of a plain request, fills the answer and returns
  // true, or returns false to leave the request to cpp-httplib. Plain: GET or
  // HEAD, HTTP/1.1, kept alive, no body, no Range, and no header field but
  // those that never change cpp-httplib's answer (Host, User-Agent, Accept,
  // Accept-Language, Referer, Cache-Control, Pragma); so Accept-Encoding
  // (compression) and Connection always take the library's way.
  using FastPath = std::function<bool(std::string_view target, FastAnswer& answer)>;
  // Runs a task on the server's worker pool (serve/pool.hpp).
  using TaskRunner = std::function<void(std::function<void()>)>;

  // Throws std::system_error when the epoll set cannot be made.
  Front(FrontLimits limits, Refusal refusal);
  // Closes the connections still parked; call once no worker runs any more.
  ~Front();
  Front(const Front&) = delete;
  Front& operator=(const Front&) = delete;
  // Where an extra worker comes from when every worker serving parked
  // connections is busy (a slow handler) and some are waiting; set before
  // the first connection.
  void set_task_runner(TaskRunner run) { run_task_ = std::move(run); }
  // Set before the first connection; see FastPath.
  void set_fast_path(FastPath fast) { fast_ = std::move(fast); }
  // Serves the requests of one accepted socket; between requests it is parked
  // and served by whichever worker is free (see the top of this file). Every
  // connection is closed in the end, by stop() and the destructor at the latest.
  void serve_connection(int fd, const Process& process);
  // Safe from any thread; see the top of this file.
  void stop();
  // Connections now waiting for request bytes (tests).
  size_t waiting() const;

 private:
  friend class FrontStream;
  struct Head;
  int read_request(FrontConn& c, Head& h);
  int parse_head(FrontConn& c, Head& h, size_t begin, size_t end);
  static constexpr int kPark = -3;  // read_request: no byte of a request yet
  int fill(FrontConn& c, std::chrono::steady_clock::time_point deadline, bool may_park = false);
  bool enter_wait(FrontConn& c);
  void enter_wait_locked(FrontConn& c);
  void evict_locked(FrontConn& victim);
  void leave_wait(FrontConn& c);
  ssize_t send_some(FrontConn& c, const char* p, size_t n);
  ssize_t send_some(FrontConn& c, const iovec* iov, int count);
  bool send_all(FrontConn& c, const char* p, size_t n);
  bool send_pair(FrontConn& c, const char* a, size_t na, const char* b, size_t nb);
  bool flush(FrontConn& c);
  void refuse(FrontConn& c, int status);
  // A request body passed to the route as it arrives (front_body.cpp).
  struct BodyIn {
    size_t pos = 0;     // next byte of the connection's buffer
    uint64_t left = 0;  // still to pass on; UINT64_MAX: chunked, the library finds the end
    std::string rx;     // received past the buffer
    size_t rx_pos = 0;
    std::chrono::steady_clock::time_point last_byte{}, window_start{};
    size_t window_bytes = 0;
  };
  ssize_t read_body(FrontConn& c, BodyIn& b, char* p, size_t n);
  // After an answer: shut the write side and drain for a moment, so unread
  // bytes do not reset the connection before the client reads the answer.
  void linger(FrontConn& c);
  // Between requests (serve_requests in front.cpp, the rest in front_park.cpp).
  bool serve_requests(FrontConn& c, const Process& process);  // true: parked
  bool park(FrontConn& c);  // false: stopping (the caller closes c)
  void close_conn(FrontConn* c);
  void serve_parked(const Process& process);
  void watch();
  const Process* process_ = nullptr;          // the library's, for workers started by watch()

  const FrontLimits lim_;
  const Refusal refusal_;
  mutable std::mutex m_;
  std::unordered_map<std::string, std::list<FrontConn*>> waiting_;  // per peer, oldest first
  std::list<FrontConn*> all_waiting_;                                // all peers, oldest first
  std::unordered_map<std::string, size_t> active_;                   // per peer: requests being routed
  bool enter_active(FrontConn& c);  // false: the peer is at max_active_per_peer
  void leave_active(const std::string& peer);
  void unlist_locked(FrontConn& c);
  bool stopping_ = false;  // under m_
  std::atomic<bool> stop_flag_{false};
  std::atomic<int64_t> stop_at_ns_{0};

  // Parked connections (front_park.cpp). The epoll set holds each one armed
  // once (EPOLLONESHOT): the worker that gets its event owns it again, and
  // nothing else ever closes a parked connection while workers run (an idle
  // one past its deadline, an evicted one, all at stop() are shut down, which
  // wakes the set; the destructor closes what is left).
  int epfd_ = -1;
  int wake_fd_ = -1;                          // eventfd: stop() wakes every worker in epoll_wait
  TaskRunner run_task_;
  FastPath fast_;
  std::list<FrontConn*> parked_;              // under m_; park order = idle-deadline order
  std::unordered_set<FrontConn*> live_;       // under m_; every connection not yet closed
  size_t parked_n_ = 0;                       // under m_; parked, listed or not
  size_t epoll_waiters_ = 0;                  // under m_; workers in epoll_wait
  bool watcher_asleep_ = false;               // under m_; watch() waits for a park
  uint64_t taken_ = 0;                        // under m_; parked connections taken by a worker
  std::thread watcher_;                       // started by the first park
  std::condition_variable watch_cv_;
};

}  // namespace fiokit::serve
