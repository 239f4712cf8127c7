// The connection front of `fiokit serve` (see front.hpp for the limits and
// why). One worker runs serve_connection for one socket: it receives into a
// per-connection buffer with non-blocking recv, parses the head line by line
// as bytes arrive (so a limit trips as soon as it is passed, not after the
// client chose to stop), and only when it must wait does it register the
// connection as waiting and poll. A request whose head is already in the
// first recv costs one recv, no lock and no poll; a connection with no request
// begun is parked instead (serve/front_park.cpp). An answer is gathered in the
// connection's buffer and sent with one send(2) when it fits in kOutBuf: the
// library writes the head and the body apart, and two sends make two
// segments, two wakeups of the client and twice the syscalls.
#include "serve/front.hpp"
#include "serve/front_conn.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

namespace fiokit::serve {

namespace {
constexpr int64_t kQuietMs = 20;  // see Front::fill
constexpr size_t kOutBuf = 32u << 10;   // an answer up to this size goes out in one send
constexpr size_t kGatherMin = 4u << 10;  // a write this large is sent from where it is, not copied
}  // namespace

struct Front::Head {
  size_t consumed = 0;     // bytes of buf this request takes (head and body)
  std::string_view replay;  // what cpp-httplib reads: the head, Range taken out
  std::string rebuilt;     // backing store of replay when a line was taken out
  std::string range;
  size_t range_count = 0;
  bool must_close = false;
  bool plain = false;       // a Front::FastPath candidate
  bool is_head = false;
  std::string_view target;  // raw, from the request line (in c.buf)
  bool body = false;        // a body passed to the route (FrontLimits::body_prefix)
  bool chunked = false;
  uint64_t length = 0;
};

namespace {

void address_of(const sockaddr_storage& ss, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = "";
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    ::inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
    port = ntohs(a->sin6_port);
  }
  ip = text;
}

}  // namespace

void fill_peer(FrontConn& c) {
  if (c.peer_known) return;
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getpeername(c.fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) address_of(ss, c.peer, c.peer_port);
  c.peer_known = true;
}

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

// RFC 9110 tchar: what a field name may be made of.
bool is_tchar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

// RFC 9110 5.5 field-value: VCHAR, obs-text, SP and HTAB. A control byte
// (0x01, 0x7f, ...) is read differently by different parsers (some stop at it,
// some keep it), so it is refused rather than passed on.
bool field_value_ok(std::string_view v) {
  return std::all_of(v.begin(), v.end(), [](char ch) {
    const auto u = static_cast<unsigned char>(ch);
    return u == '\t' || (u >= 0x20 && u != 0x7f);
  });
}

// The request line, RFC 9112 3: method token, one SP, an origin-form target
// (or "*"), one SP, HTTP/1.0 or HTTP/1.1. cpp-httplib answers a line it cannot
// parse (HTTP/2.0, a tab, HTTP/0.9's bare "GET /") with a 400 and keeps the
// connection open, reading whatever follows as the next request; the front
// answers such a line itself and closes. Only the methods cpp-httplib knows
// pass (the router gives 405 to all but GET and HEAD); any other token, "get"
// included since methods are case-sensitive, is 400. Returns 0, 400 or 505.
int check_request_line(std::string_view line) {
  const size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return 400;
  const size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) return 400;
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  static constexpr std::string_view kMethods[] = {"GET",     "HEAD",  "POST",  "PUT", "DELETE",
                                                  "OPTIONS", "TRACE", "PATCH", "CONNECT"};
  if (std::find(std::begin(kMethods), std::end(kMethods), method) == std::end(kMethods)) return 400;
  if (target.empty() || (target[0] != '/' && target != "*")) return 400;
  // Only visible ASCII in a target: a URL's other bytes are percent-encoded.
  for (const char ch : target) {
    const auto u = static_cast<unsigned char>(ch);
    if (u <= 0x20 || u >= 0x7f) return 400;
  }
  if (version == "HTTP/1.1" || version == "HTTP/1.0") return 0;
  // A well-formed version this server does not speak: 505 (RFC 9110 15.6.6).
  if (version.size() == 8 && version.substr(0, 5) == "HTTP/" && version[5] >= '0' && version[5] <= '9' &&
      version[6] == '.' && version[7] >= '0' && version[7] <= '9')
    return 505;
  return 400;
}

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

}  // namespace

// What cpp-httplib reads and writes through: reads see one request head and
// then end of stream; writes go to the socket under the front's deadlines.
class FrontStream final : public httplib::Stream {
 public:
  FrontStream(Front& f, FrontConn& c, std::string_view head, Front::BodyIn* body)
      : f_(f), c_(c), head_(head), body_(body) {}
  bool is_readable() const override { return pos_ < head_.size() || body_; }
  bool is_writable() const override { return !failed_; }
  ssize_t read(char* ptr, size_t size) override {
    if (pos_ == head_.size() && body_) return f_.read_body(c_, *body_, ptr, size);
    const size_t n = std::min(size, head_.size() - pos_);
    std::memcpy(ptr, head_.data() + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }
  // Whole writes, gathered (see the top of this file); the rest of the
  // answer goes out with Front::flush after the library is done.
  ssize_t write(const char* ptr, size_t size) override {
    if (failed_) return -1;
    if (c_.out.size() + size > kOutBuf || size >= kGatherMin) {
      // A large piece goes out with what is gathered, uncopied.
      const bool big = size >= kGatherMin || size > kOutBuf;
      if (big ? !f_.send_pair(c_, c_.out.data(), c_.out.size(), ptr, size) : !f_.flush(c_)) failed_ = true;
      c_.out.clear();
      if (failed_) return -1;
      if (big) return static_cast<ssize_t>(size);
    }
    c_.out.append(ptr, size);
    return static_cast<ssize_t>(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    fill_peer(c_);
    ip = c_.peer;
    port = c_.peer_port;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    if (!c_.local_known) {
      sockaddr_storage ss{};
      socklen_t len = sizeof ss;
      if (::getsockname(c_.fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) address_of(ss, c_.local, c_.local_port);
      c_.local_known = true;
    }
    ip = c_.local;
    port = c_.local_port;
  }
  socket_t socket() const override { return c_.fd; }

 private:
  Front& f_;
  FrontConn& c_;
  std::string_view head_;
  size_t pos_ = 0;
  Front::BodyIn* body_;
  bool failed_ = false;
};

void Front::unlist_locked(FrontConn& c) {
  auto it = waiting_.find(c.peer);
  it->second.erase(c.pos);
  if (it->second.empty()) waiting_.erase(it);
  all_waiting_.erase(c.all_pos);
  c.waiting = false;
}

// The victim's poll wakes on the shutdown and its owner closes it. The
// descriptor is still open (an owner leaves the lists under m_ before closing),
// so this never touches a reused number.
void Front::evict_locked(FrontConn& victim) {
  unlist_locked(victim);
  ::shutdown(victim.fd, SHUT_RDWR);
}

bool Front::enter_wait(FrontConn& c) {
  if (c.waiting) return true;
  fill_peer(c);
  std::lock_guard<std::mutex> lk(m_);
  if (stopping_) return false;
  enter_wait_locked(c);
  return true;
}

void Front::enter_wait_locked(FrontConn& c) {
  if (lim_.max_waiting_per_peer > 0) {
    auto it = waiting_.find(c.peer);
    if (it != waiting_.end() && it->second.size() >= lim_.max_waiting_per_peer) evict_locked(*it->second.front());
  }
  if (lim_.max_waiting_total > 0 && all_waiting_.size() >= lim_.max_waiting_total) evict_locked(*all_waiting_.front());
  auto& list = waiting_[c.peer];
  list.push_back(&c);
  c.pos = std::prev(list.end());
  all_waiting_.push_back(&c);
  c.all_pos = std::prev(all_waiting_.end());
  c.waiting = true;
}

bool Front::enter_active(FrontConn& c) {
  if (lim_.max_active_per_peer == 0) return true;
  fill_peer(c);
  std::lock_guard<std::mutex> lk(m_);
  size_t& n = active_[c.peer];
  if (n >= lim_.max_active_per_peer) return false;  // n > 0 here: the entry is in use
  ++n;
  return true;
}

void Front::leave_active(const std::string& peer) {
  if (lim_.max_active_per_peer == 0) return;
  std::lock_guard<std::mutex> lk(m_);
  auto it = active_.find(peer);
  if (it != active_.end() && --it->second == 0) active_.erase(it);
}

void Front::leave_wait(FrontConn& c) {
  if (!c.waiting) return;  // the common case: never waited, no lock
  std::lock_guard<std::mutex> lk(m_);
  if (c.waiting) unlist_locked(c);
}

size_t Front::waiting() const {
  std::lock_guard<std::mutex> lk(m_);
  return all_waiting_.size();
}

// Receives what is there; when nothing is, waits (as a registered waiter)
// until the deadline, or with may_park returns 2 at once (the caller parks the
// connection). Returns 1 when bytes arrived, 0 on end of stream (or eviction,
// or stop), -1 on the deadline, -2 on an error.
int Front::fill(FrontConn& c, Clock::time_point deadline, bool may_park) {
  char tmp[16384];
  for (;;) {
    const ssize_t n = ::recv(c.fd, tmp, sizeof tmp, MSG_DONTWAIT);
    if (n > 0) {
      c.buf.append(tmp, static_cast<size_t>(n));
      return 1;
    }
    if (n == 0) return 0;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return -2;
    if (may_park) return 2;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return -1;
    pollfd p{c.fd, POLLIN, 0};
    if (!c.waiting) {
      // A keep-alive client's next request mostly comes within microseconds:
      // a short wait first spares it the lock and the peer map. Only a
      // connection still quiet after kQuietMs counts as waiting (stop() and
      // eviction see it late by at most that).
      if (::poll(&p, 1, static_cast<int>(std::min<int64_t>(left, kQuietMs))) != 0) continue;
      if (!enter_wait(c)) return 0;
      continue;
    }
    const int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 1 << 30)));
    if (r < 0 && errno != EINTR) return -2;
  }
}

// One request: 0 when its head (and a GET's small body) is in c.buf and h is
// filled; an HTTP status to refuse it with; -1 to close without an answer;
// kPark when not a byte of it has come yet.
int Front::read_request(FrontConn& c, Head& h) {
  const auto start = Clock::now();
  bool started = false;
  Clock::time_point deadline = start + lim_.idle_timeout;
  size_t begin = 0;       // first byte of the request line
  size_t line = 0;        // start of the line being scanned
  size_t scan = 0;        // where the search for '\n' resumes
  size_t fields = 0;
  size_t stray = 0;
  bool have_request_line = false;
  for (;;) {
    if (!started && !c.buf.empty()) {
      started = true;
      deadline = Clock::now() + lim_.request_timeout;
    }
    for (;;) {
      const size_t nl = c.buf.find('\n', scan);
      if (nl == std::string::npos) break;
      scan = nl + 1;
      if (nl == line || c.buf[nl - 1] != '\r') return 400;  // bare LF: a line another parser may split differently
      const size_t len = nl - 1 - line;
      const std::string_view text(c.buf.data() + line, len);
      if (text.find('\r') != std::string_view::npos || text.find('\0') != std::string_view::npos) return 400;
      if (!have_request_line) {
        if (len == 0 && ++stray <= 4) {  // stray CRLFs before a request (RFC 9112 2.2), a few
          line = begin = nl + 1;
          continue;
        }
        // max_line counts the CRLF, as cpp-httplib's own line cap does: a
        // line the front let through must never trip the library's cap (its
        // 414 would leave the connection open).
        if (len + 2 > lim_.max_line) return 414;
        if (const int st = check_request_line(text); st != 0) return st;
        have_request_line = true;
      } else if (len == 0) {
        const int st = parse_head(c, h, begin, nl + 1);
        if (st != 0) return st;
        // A body on a GET or HEAD is read within the same deadline and dropped.
        while (c.buf.size() < h.consumed) {
          const int r = fill(c, deadline);
          if (r == 0 || r == -2) return -1;
          if (r < 0) return 408;
        }
        return 0;
      } else {
        if (len + 2 > lim_.max_line || ++fields > lim_.max_header_count) return 431;
      }
      if (nl + 1 - begin > lim_.max_head_bytes) return 431;
      line = nl + 1;
    }
    // A line still open: its bytes so far, and at least its LF still to
    // come, count against the caps already.
    if (c.buf.size() - line + 1 > lim_.max_line) return have_request_line ? 431 : 414;
    if (c.buf.size() - begin > lim_.max_head_bytes) return 431;
    const int r = fill(c, deadline, !started);
    if (r == 2) return kPark;
    if (r == 0 || r == -2) return -1;
    if (r < 0) return started ? 408 : -1;
  }
}

// The complete head c.buf[begin, end): framing checks, the Range header taken
// out. Returns 0 or a status to refuse with.
int Front::parse_head(FrontConn& c, Head& h, size_t begin, size_t end) {
  const std::string_view head(c.buf.data() + begin, end - begin);
  const size_t first_eol = head.find("\r\n");
  const std::string_view method = head.substr(0, head.find(' '));
  const bool get_like = method == "GET" || method == "HEAD";
  size_t lengths = 0, encodings = 0;
  bool chunked = false;
  uint64_t length = 0;
  std::vector<std::string_view> kept;
  // A plain request (Front::FastPath): method and version checked here, the
  // header fields in the loop.
  const std::string_view line1 = head.substr(0, first_eol);
  h.is_head = method == "HEAD";
  h.plain = get_like && line1.size() > 9 && line1.substr(line1.size() - 9) == " HTTP/1.1";
  if (h.plain) h.target = line1.substr(method.size() + 1, line1.size() - 9 - method.size() - 1);
  static constexpr std::string_view kPlainFields[] = {"host", "user-agent", "accept", "accept-language",
                                                      "referer", "cache-control", "pragma"};
  for (size_t pos = first_eol + 2; pos + 2 < head.size();) {
    const size_t eol = head.find("\r\n", pos);
    const std::string_view ln = head.substr(pos, eol - pos);
    const std::string_view whole = head.substr(pos, eol + 2 - pos);
    pos = eol + 2;
    const size_t colon = ln.find(':');
    if (colon == std::string_view::npos || colon == 0) return 400;
    const std::string_view name = ln.substr(0, colon);
    // A space before the colon or a folded line (leading space) is how one
    // header is read as two by different parsers: refused (RFC 9112 5.1, 5.2).
    if (!std::all_of(name.begin(), name.end(), is_tchar)) return 400;
    const std::string_view value = trim(ln.substr(colon + 1));
    if (!field_value_ok(value)) return 400;
    if (h.plain && std::none_of(std::begin(kPlainFields), std::end(kPlainFields),
                                [&](std::string_view f) { return iequals(name, f); }))
      h.plain = false;
    if (iequals(name, "content-length")) {
      if (++lengths > 1 || value.empty() || value.size() > 18 ||
          value.find_first_not_of("0123456789") != std::string_view::npos)
        return 400;
      length = std::stoull(std::string(value));
    } else if (iequals(name, "transfer-encoding")) {
      ++encodings;
      chunked = iequals(value, "chunked");
    } else if (iequals(name, "range")) {
      ++h.range_count;
      h.range.assign(value);
      continue;  // not replayed
    }
    kept.push_back(whole);
  }
  if (encodings > 0 && lengths > 0) return 400;
  h.consumed = end;
  const std::string_view target = line1.substr(method.size() + 1, line1.rfind(' ') - method.size() - 1);
  const bool upload = lim_.max_upload_body > 0 && (method == "POST" || method == "PUT") &&
                      target.substr(0, lim_.body_prefix.size()) == lim_.body_prefix;
  if (encodings > 0) {
    if (get_like) return 400;  // a chunked body on a GET: never read, so never framed
    if (upload && (encodings > 1 || !chunked)) return 400;  // only plain chunked framing is passed on
    h.must_close = true;  // 405 from the router, the body never read; or an upload
    h.body = h.chunked = upload;
  } else if (length > 0) {
    if (!get_like) {
      if (upload && length > lim_.max_upload_body) return 413;
      h.must_close = true;
      h.body = upload;
      h.length = length;
    } else if (length > lim_.max_body) {
      return 413;
    } else {
      h.consumed = end + length;
    }
  }
  if (h.range_count == 0) {
    h.replay = head;
  } else {
    h.rebuilt.assign(head.substr(0, first_eol + 2));
    for (const auto& k : kept) h.rebuilt.append(k);
    h.rebuilt.append("\r\n");
    h.replay = h.rebuilt;
  }
  return 0;
}

// Sends what the socket takes now, else waits for room: until write_timeout
// without progress, the end of a send-rate window that moved too little, or
// the shutdown grace. -1 when any of them passes (the connection is dropped).
ssize_t Front::send_some(FrontConn& c, const char* p, size_t n) {
  iovec v{const_cast<char*>(p), n};
  return send_some(c, &v, 1);
}

ssize_t Front::send_some(FrontConn& c, const iovec* iov, int count) {
  const auto give_up = Clock::now() + lim_.write_timeout;
  if (c.window_start == Clock::time_point{}) c.window_start = Clock::now();
  msghdr msg{};
  msg.msg_iov = const_cast<iovec*>(iov);
  msg.msg_iovlen = static_cast<size_t>(count);
  for (;;) {
    const ssize_t k = ::sendmsg(c.fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (k >= 0) {
      const auto now = Clock::now();
      c.window_bytes += static_cast<size_t>(k);
      if (now - c.window_start >= lim_.send_window) {
        if (c.window_bytes < lim_.min_send_bytes) return -1;
        c.window_start = now;
        c.window_bytes = 0;
      }
      return k;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
    auto limit = give_up;
    if (c.window_bytes < lim_.min_send_bytes) limit = std::min(limit, c.window_start + lim_.send_window);
    if (stop_flag_) {
      const auto stop_at = Clock::time_point(std::chrono::nanoseconds(stop_at_ns_.load()));
      limit = std::min<Clock::time_point>(limit, stop_at + lim_.shutdown_grace);
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(limit - Clock::now()).count();
    if (left <= 0) return -1;
    // Slices, so a stop() during a long wait is seen within 200 ms.
    pollfd pf{c.fd, POLLOUT, 0};
    ::poll(&pf, 1, static_cast<int>(std::min<int64_t>(left, 200)));
  }
}

bool Front::send_all(FrontConn& c, const char* p, size_t n) { return send_pair(c, p, n, nullptr, 0); }

// a then b with as few sends as the socket allows (sendmsg gathers them), so
// a head and a body go out together without being copied into one buffer.
bool Front::send_pair(FrontConn& c, const char* a, size_t na, const char* b, size_t nb) {
  iovec v[2] = {{const_cast<char*>(a), na}, {const_cast<char*>(b), nb}};
  int first = 0;
  const auto skip_empty = [&] {
    while (first < 2 && v[first].iov_len == 0) ++first;
  };
  skip_empty();
  while (first < 2) {
    const ssize_t k = send_some(c, v + first, 2 - first);
    if (k <= 0) return false;
    for (auto done = static_cast<size_t>(k); done > 0 && first < 2;) {
      const size_t take = std::min(done, v[first].iov_len);
      v[first].iov_base = static_cast<char*>(v[first].iov_base) + take;
      v[first].iov_len -= take;
      done -= take;
      skip_empty();
    }
  }
  return true;
}

bool Front::flush(FrontConn& c) {
  const bool ok = send_all(c, c.out.data(), c.out.size());
  c.out.clear();
  return ok;
}

// Serves the requests of c until it must wait for the next one (true: parked,
// c belongs to the epoll set now) or is done with (false: the caller closes it).
bool Front::serve_requests(FrontConn& c, const Process& process) {
  while (!stop_flag_) {
    Head h;
    c.window_start = Clock::time_point{};  // opened by the answer's first send
    c.window_bytes = 0;
    const int st = read_request(c, h);
    leave_wait(c);
    if (st == kPark) return park(c);
    if (st > 0) refuse(c, st);
    if (st != 0) return false;
    const bool close = ++c.served >= lim_.max_keep_alive || h.must_close;
    if (h.plain && !close && fast_) {
      FastAnswer a;
      if (fast_(h.target, a)) {
        const bool with_body = !h.is_head && a.body;
        if (!send_pair(c, a.head.data(), a.head.size(), with_body ? a.body->data() : nullptr,
                       with_body ? a.body->size() : 0))
          return false;
        c.buf.erase(0, h.consumed);
        if (c.buf.empty()) return park(c);
        continue;
      }
    }
    // The cluster API (body_prefix) is not counted: a coordinator's members
    // may share one address (one host, NAT) and each holds requests open.
    const bool counted = lim_.max_active_per_peer > 0 && (lim_.body_prefix.empty() || h.target.rfind(lim_.body_prefix, 0) != 0);
    if (counted && !enter_active(c)) {
      refuse(c, 503);
      return false;
    }
    // The peer is copied: a request that ends by parking its connection
    // hands it to the parked set, whose thread may close and free it before
    // this guard leaves the scope.
    struct Active {
      Front& f;
      bool on;
      std::string peer;
      ~Active() {
        if (on) f.leave_active(peer);
      }
    } active{*this, counted, counted ? c.peer : std::string()};
    bool closed = false;
    BodyIn body{h.consumed, h.chunked ? UINT64_MAX : h.length};
    FrontStream strm(*this, c, h.replay, h.body ? &body : nullptr);
    bool ok;
    if (h.range_count == 1) {
      // After cpp-httplib parsed the head (it would answer 416 itself to a
      // Range it cannot parse): the route sees the header, httplib does not.
      ok = process(strm, close, closed, [&h](httplib::Request& req) { req.headers.emplace("Range", h.range); });
    } else {
      ok = process(strm, close, closed, nullptr);
    }
    if (!flush(c)) ok = false;
    if (h.body) {
      if (ok) linger(c);
      return false;
    }
    c.buf.erase(0, h.consumed);
    if (!ok || closed || close) return false;
    // Nothing pipelined: the next request cannot be there before the client
    // has read this answer, so park at once rather than try a recv first.
    if (c.buf.empty()) return park(c);
  }
  return false;
}

}  // namespace fiokit::serve
