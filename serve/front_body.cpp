// The front's request bodies and connection endings (see front.hpp): a
// coordinator's upload passed to the route as it arrives, and the answer to
// a refused request, after which the connection lingers a moment so the
// client reads the answer before the close.
#include "serve/front.hpp"
#include "serve/front_conn.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace fiokit::serve {

// Answers a refused request and lets the client read the answer: the write
// side is shut and what the client still sends is drained for a moment (a
// close with unread bytes would reset the connection and could discard the
// answer before the client reads it).
void Front::refuse(FrontConn& c, int status) {
  const std::string r = refusal_(status);
  for (size_t off = 0; off < r.size();) {
    const ssize_t n = send_some(c, r.data() + off, r.size() - off);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
  linger(c);
}

void Front::linger(FrontConn& c) {
  if (stop_flag_) return;
  ::shutdown(c.fd, SHUT_WR);
  const auto until = Clock::now() + std::chrono::milliseconds(500);
  char tmp[16384];
  for (size_t drained = 0; drained < (256u << 10);) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0) return;
    pollfd p{c.fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return;
    const ssize_t n = ::recv(c.fd, tmp, sizeof tmp, MSG_DONTWAIT);
    if (n <= 0) return;
    drained += static_cast<size_t>(n);
  }
}

// Up to n bytes of the body: first what came with the head, then from the
// socket. A body that stops moving (nothing for request_timeout, or less
// than min_send_bytes in a send_window: the read side of the rule answers
// obey) or a stop() ends it with -1; the route then answers or the
// connection just closes.
ssize_t Front::read_body(FrontConn& c, BodyIn& b, char* p, size_t n) {
  if (b.left == 0 || n == 0) return 0;
  n = static_cast<size_t>(std::min<uint64_t>(n, b.left));
  const auto take = [&](const std::string& from, size_t& pos) {
    const size_t k = std::min(n, from.size() - pos);
    std::memcpy(p, from.data() + pos, k);
    pos += k;
    if (b.left != UINT64_MAX) b.left -= k;
    return static_cast<ssize_t>(k);
  };
  if (b.pos < c.buf.size()) return take(c.buf, b.pos);
  if (b.rx_pos < b.rx.size()) return take(b.rx, b.rx_pos);
  // An answer already gathered (100 Continue) goes out before waiting.
  if (!c.out.empty() && !flush(c)) return -1;
  const auto now = Clock::now();
  if (b.last_byte == Clock::time_point{}) b.last_byte = b.window_start = now;
  b.rx.resize(64u << 10);
  for (;;) {
    const ssize_t k = ::recv(c.fd, b.rx.data(), b.rx.size(), MSG_DONTWAIT);
    if (k > 0) {
      b.rx.resize(static_cast<size_t>(k));
      b.rx_pos = 0;
      b.last_byte = Clock::now();
      b.window_bytes += static_cast<size_t>(k);
      if (b.last_byte - b.window_start >= lim_.send_window) {
        if (b.window_bytes < lim_.min_send_bytes) return -1;
        b.window_start = b.last_byte;
        b.window_bytes = 0;
      }
      return take(b.rx, b.rx_pos);
    }
    if (k == 0) return 0;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
    if (stop_flag_) return -1;
    auto limit = b.last_byte + lim_.request_timeout;
    if (b.window_bytes < lim_.min_send_bytes) limit = std::min(limit, b.window_start + lim_.send_window);
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(limit - Clock::now()).count();
    if (left <= 0) return -1;
    // Slices, so a stop() is seen within 200 ms.
    pollfd pf{c.fd, POLLIN, 0};
    ::poll(&pf, 1, static_cast<int>(std::min<int64_t>(left, 200)));
  }
}

}  // namespace fiokit::serve
