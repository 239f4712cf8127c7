// See hostile_https.hpp. One thread per listener and per connection; every
// connection socket is registered so the destructor can shutdown() it and a
// route that drips forever ends with the test. OpenSSL is used directly
// (blocking SSL_accept/SSL_write on the connection socket) because the point is
// to send exactly the bytes, and at the pace, a hostile server would.
#include "hostile_https.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace fiokit::test {

namespace {

bool run(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0; }

int listen_on_loopback(int* port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 64) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("hostile server: cannot listen on 127.0.0.1");
  *port = ntohs(a.sin_port);
  return fd;
}

// The two ways of talking on a connection, behind one small interface.
struct Conn {
  int fd;
  SSL* ssl;
  bool send(const std::string& s) const {
    size_t done = 0;
    while (done < s.size()) {
      const int n = ssl ? SSL_write(ssl, s.data() + done, static_cast<int>(s.size() - done))
                        : static_cast<int>(::send(fd, s.data() + done, s.size() - done, MSG_NOSIGNAL));
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }
  int recv(char* buf, int len) const { return ssl ? SSL_read(ssl, buf, len) : static_cast<int>(::recv(fd, buf, static_cast<size_t>(len), 0)); }
};

// The request head (bounded), or "" when the client sent none.
std::string read_head(const Conn& c) {
  std::string head;
  char buf[1024];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < 16384) {
    const int n = c.recv(buf, sizeof buf);
    if (n <= 0) return "";
    head.append(buf, static_cast<size_t>(n));
  }
  return head;
}

// `n` bytes of '#', gzip-compressed (about 1000:1).
std::string gzip_of_hashes(size_t n) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) throw std::runtime_error("deflateInit2");
  const std::string in(1 << 20, '#');
  std::string out;
  char buf[1 << 16];
  for (size_t done = 0; done < n; done += in.size()) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(std::min(in.size(), n - done));
    const int flush = done + in.size() >= n ? Z_FINISH : Z_NO_FLUSH;
    do {
      z.next_out = reinterpret_cast<Bytef*>(buf);
      z.avail_out = sizeof buf;
      deflate(&z, flush);
      out.append(buf, sizeof buf - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  return out;
}

std::string response(const std::string& status, const std::string& headers, const std::string& body) {
  return "HTTP/1.1 " + status + "\r\n" + headers + "Connection: close\r\n\r\n" + body;
}

}  // namespace

std::optional<TestCa> TestCa::make(const std::string& dir) {
  TestCa ca{dir, dir + "/ca.pem", dir + "/server.pem", dir + "/server.key"};
  const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";  // EC: key generation in ms, not s
  std::ofstream(dir + "/server.ext") << "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n";
  if (!run("openssl req -x509 -new" + ec + "-days 2 -subj /CN=fiokit-test-ca -addext basicConstraints=critical,CA:TRUE "
           "-addext keyUsage=critical,keyCertSign -keyout " + dir + "/ca.key -out " + ca.ca_pem) ||
      !run("openssl req -new" + ec + "-subj /CN=127.0.0.1 -keyout " + ca.key_pem + " -out " + dir + "/server.csr") ||
      !run("openssl x509 -req -in " + dir + "/server.csr -CA " + ca.ca_pem + " -CAkey " + dir + "/ca.key -CAcreateserial -days 2 -out " +
           ca.cert_pem + " -extfile " + dir + "/server.ext"))
    return std::nullopt;
  return ca;
}

HostileServer::HostileServer(const TestCa& ca, std::chrono::milliseconds drip) : drip_(drip) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, ca.cert_pem.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, ca.key_pem.c_str(), SSL_FILETYPE_PEM) != 1) {
    if (ctx) SSL_CTX_free(ctx);
    throw std::runtime_error("hostile server: cannot load " + ca.cert_pem);
  }
  ctx_ = ctx;
  for (Listener* l : {&tls_, &plain_, &silent_}) l->fd = listen_on_loopback(&l->port);
  // OpenSSL writes with write(), not send(MSG_NOSIGNAL): a client hanging up
  // mid-drip must fail the server's write, not kill the test process. The
  // server's threads (and the connection threads they start) block SIGPIPE;
  // the process keeps the default action, so a SIGPIPE in the code under
  // test still kills the test, as it would kill fiokit.
  sigset_t pipe, old;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, &old);
  for (Listener* l : {&tls_, &plain_, &silent_}) threads_.emplace_back([this, l] { accept_loop(l); });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

HostileServer::~HostileServer() {
  stop();
  for (Listener* l : {&tls_, &plain_, &silent_}) ::close(l->fd);
  SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
}

void HostileServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  stopping_ = true;
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    threads.swap(threads_);
  }
  // The accept threads are the first three; once they are joined no
  // connection thread can be added.
  for (size_t i = 0; i < 3; ++i) threads[i].join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : conns_) ::shutdown(fd, SHUT_RDWR);
    for (auto& t : threads_) threads.push_back(std::move(t));
  }
  for (size_t i = 3; i < threads.size(); ++i) threads[i].join();
}

std::string HostileServer::https_url(const std::string& path) const { return "https://127.0.0.1:" + std::to_string(tls_.port) + path; }
std::string HostileServer::http_url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(plain_.port) + path; }
std::string HostileServer::silent_url(const std::string& path) const {
  return "https://127.0.0.1:" + std::to_string(silent_.port) + path;
}

bool HostileServer::pause(std::chrono::milliseconds d) {
  const auto end = std::chrono::steady_clock::now() + d;
  while (!stopping_) {
    const auto left = end - std::chrono::steady_clock::now();
    if (left <= std::chrono::milliseconds(0)) return true;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(20)));
  }
  return false;
}

void HostileServer::accept_loop(Listener* l) {
  while (!stopping_) {
    pollfd p{l->fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept4(l->fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard<std::mutex> lock(mu_);
    conns_.push_back(fd);
    threads_.emplace_back([this, kind = l->kind, fd] { serve(kind, fd); });
  }
}

void HostileServer::serve(Kind kind, int fd) {
  // A client that connects and never talks must not hold this thread past the test.
  const timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  SSL* ssl = nullptr;
  auto finish = [&] {
    if (ssl) {
      SSL_shutdown(ssl);
      SSL_free(ssl);
    }
    std::lock_guard<std::mutex> lock(mu_);
    conns_.erase(std::remove(conns_.begin(), conns_.end(), fd), conns_.end());
    ::close(fd);
  };
  if (kind == Kind::silent) {
    ++silent_accepts;
    while (pause(std::chrono::milliseconds(50))) {
    }
    return finish();
  }
  if (kind == Kind::tls) {
    ssl = SSL_new(static_cast<SSL_CTX*>(ctx_));
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) <= 0) {
      ERR_clear_error();  // an untrusting client hangs up here: expected
      SSL_free(ssl);
      ssl = nullptr;
      return finish();
    }
  }
  const Conn c{fd, ssl};
  const std::string head = read_head(c);
  if (head.empty()) return finish();
  ++(kind == Kind::tls ? https_requests : http_requests);
  // "GET /route/.../NAME HTTP/1.1"
  const size_t sp1 = head.find(' ');
  const size_t sp2 = head.find(' ', sp1 + 1);
  const std::string path = sp1 == std::string::npos || sp2 == std::string::npos ? "/" : head.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string name = path.substr(path.rfind('/') + 1);
  auto starts = [&](const char* prefix) { return path.rfind(prefix, 0) == 0; };
  const std::string job = kJob;
  const std::string big(2u << 20, '#');

  if (starts("/ok/")) {
    c.send(response("200 OK", "Content-Length: " + std::to_string(job.size()) + "\r\n", job));
  } else if (starts("/drip-headers/")) {
    bool ok = c.send("HTTP/1.1 200 OK\r\n");
    for (int i = 0; ok && pause(drip_); ++i) ok = c.send("X-Drip-" + std::to_string(i) + ": x\r\n");
  } else if (starts("/flood-headers/")) {
    // Header lines as fast as the client takes them, never a blank line.
    const std::string line = "X-Flood: " + std::string(100, 'x') + "\r\n";
    std::string block;
    for (int i = 0; i < 256; ++i) block += line;
    bool ok = c.send("HTTP/1.1 200 OK\r\n");
    while (ok && !stopping_) ok = c.send(block);
  } else if (starts("/drip-body/")) {
    bool ok = c.send("HTTP/1.1 200 OK\r\nContent-Length: 4096\r\nConnection: close\r\n\r\n");
    while (ok && pause(drip_)) ok = c.send("#");
  } else if (starts("/to-http/")) {
    c.send(response("302 Found", "Location: " + http_url("/ok/" + name) + "\r\nContent-Length: 0\r\n", ""));
  } else if (starts("/big/")) {
    c.send(response("200 OK", "Content-Length: " + std::to_string(big.size()) + "\r\n", big));
  } else if (starts("/gzip-bomb/")) {
    static const std::string bomb = gzip_of_hashes(128u << 20);  // 128 MiB unpacked
    c.send(response("200 OK", "Content-Encoding: gzip\r\nContent-Length: " + std::to_string(bomb.size()) + "\r\n", bomb));
  } else if (starts("/big-undeclared/")) {
    c.send(response("200 OK", "", big));
  } else if (starts("/short/")) {
    c.send(response("200 OK", "Content-Length: 4096\r\n", job));
  } else if (starts("/loop/a/") || starts("/loop/b/")) {
    const std::string other = starts("/loop/a/") ? "/loop/b/" : "/loop/a/";
    c.send(response("302 Found", "Location: " + other + name + "\r\nContent-Length: 0\r\n", ""));
  } else {
    c.send(response("404 Not Found", "Content-Length: 0\r\n", ""));
  }
  finish();
}

}  // namespace fiokit::test
