// See fetch.hpp. Redirects are followed here, not by cpp-httplib, so
// every hop goes through parse_url again (no https -> http downgrade, no ftp:,
// no user info) and a loop is reported as a loop rather than as a count.
#include "fetch/fetch.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netdb.h>
#include <openssl/x509.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "fetch/tcp_bytes.hpp"
#include "util/fd.hpp"
#include "util/no_sigpipe.hpp"

namespace fiokit::fetch {
namespace fs = std::filesystem;

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// What one GET returned, as far as we let it read.
struct Reply {
  int status = 0;
  std::string location;
  std::string body;
  bool oversize = false;
  bool flooded = false;  // more bytes on the wire than any acceptable reply has
  bool too_slow = false;
  std::string refused;  // the host resolved to an internal address we may not reach
  httplib::Error error = httplib::Error::Success;
};

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool is_transient(const Reply& r) {
  if (r.oversize || r.flooded || r.too_slow || !r.refused.empty()) return false;
  if (r.status == 0) {
    // No HTTP status at all: the connection or the TLS handshake failed.
    return r.error != httplib::Error::SSLServerVerification && r.error != httplib::Error::SSLLoadingCerts;
  }
  return r.status == 429 || r.status >= 500;
}

std::string seconds(std::chrono::milliseconds ms) {
  return ms.count() % 1000 == 0 ? std::to_string(ms.count() / 1000) + " s" : std::to_string(ms.count()) + " ms";
}

// Headers, TLS framing and the handshake get this much beyond max_bytes.
constexpr uint64_t kWireSlack = 1 << 20;

std::string describe(const Reply& r, const FetchOptions& opt) {
  if (r.oversize) return "larger than the " + std::to_string(opt.max_bytes) + "-byte limit for remote files";
  if (r.flooded)
    return "the server sent more than " + std::to_string(opt.max_bytes + kWireSlack) + " bytes without a complete reply (over the " +
           std::to_string(opt.max_bytes) + "-byte limit for remote files plus 1 MiB for headers; a header flood?)";
  if (r.too_slow)
    return "no complete reply within " + seconds(opt.total_timeout) + " (the limit for the whole fetch: redirects, headers and body)";
  if (r.status == 0) {
    std::string e = httplib::to_string(r.error);
    if (r.error == httplib::Error::SSLServerVerification)
      e += " (the server's certificate is not trusted; for a private CA set FIOKIT_CA_FILE=/path/ca.pem)";
    return "request failed: " + e;
  }
  return "HTTP " + std::to_string(r.status);
}

// One deadline for the whole request, headers included. cpp-httplib 0.11.4
// only has per-read timeouts that restart on every byte, so a server sending a
// header line every 5 s was still being read after 150 s; it has no deadline
// hook, and its stop() waits on a mutex held through the TLS handshake. What it
// does give is set_socket_options, called with each socket before connect():
// we keep a dup() of it (our own descriptor, so its number cannot be reused by
// another open() before we close it) and this watchdog calls shutdown() on it
// at the deadline. shutdown() acts on the socket, not on a descriptor, so a
// pending connect(), poll(), recv() or SSL_read() in httplib returns at once
// and Get fails; we then report the deadline, not the read error.
// The same watchdog bounds what the server can make httplib read: httplib
// keeps every header line (8 KiB each, no count limit) in a multimap, so a
// server flooding header lines grew the process by 400 MB in 10 s (measured;
// GBs within the 60 s deadline). Every 10 ms it reads the socket's received
// byte count from the kernel and cuts the connection past max_bytes plus 1 MiB
// (overshoot: what httplib parses in 10 ms, well under a MiB).
class Watchdog {
 public:
  Watchdog(std::chrono::steady_clock::time_point deadline, uint64_t wire_limit) : deadline_(deadline), wire_limit_(wire_limit) {
    // A helper thread must never be the one a SIGTERM or SIGINT is delivered
    // to: the caller's handler (the container removes its fetch folder) would
    // run here while the fetching thread goes on. It inherits a full mask.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    thread_ = std::thread([this] { watch(); });
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
    for (int fd : socks_) ::close(fd);
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // From httplib's socket_options callback, before connect().
  void adopt(int sock) {
    const int fd = ::fcntl(sock, F_DUPFD_CLOEXEC, 0);
    std::lock_guard<std::mutex> lock(mu_);
    if (fd < 0) {
      // Without a descriptor of our own we cannot cut this socket later, so
      // cut it now: better a failed fetch than one without a deadline.
      ::shutdown(sock, SHUT_RDWR);
      fired_ = true;
      return;
    }
    socks_.push_back(fd);
    if (fired_ || flooded_) ::shutdown(fd, SHUT_RDWR);
  }
  bool fired() {
    std::lock_guard<std::mutex> lock(mu_);
    return fired_;
  }
  bool flooded() {
    std::lock_guard<std::mutex> lock(mu_);
    return flooded_;
  }

 private:
  void watch() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      const auto wake = std::min(deadline_, std::chrono::steady_clock::now() + std::chrono::milliseconds(10));
      if (cv_.wait_until(lock, wake, [this] { return done_; })) return;
      if (std::chrono::steady_clock::now() >= deadline_) {
        fired_ = true;
        break;
      }
      for (int fd : socks_) {
        const auto got = tcp_bytes_received(fd);
        flooded_ = flooded_ || (got && *got > wire_limit_);
      }
      if (flooded_) break;
    }
    for (int fd : socks_) ::shutdown(fd, SHUT_RDWR);
  }
  std::chrono::steady_clock::time_point deadline_;
  uint64_t wire_limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  bool fired_ = false;
  bool flooded_ = false;
  std::vector<int> socks_;
  std::thread thread_;
};

// OpenSSL writes with write(), not send(MSG_NOSIGNAL), so a TLS peer that is
// gone (it hung up, or the watchdog shut the socket down and httplib then sends
// close_notify) raised SIGPIPE and killed fiokit with 141, leaving the fetch
// folder behind (measured: a header drip at the 60 s deadline ended rc=141):
// each request runs under util::NoSigpipe.
using util::NoSigpipe;

std::chrono::milliseconds remaining(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return std::max(left, std::chrono::milliseconds(1));
}

#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
// The trust store for https: the system's (which honours OpenSSL's
// SSL_CERT_FILE and SSL_CERT_DIR) plus opt.ca_file, so a private CA can be
// added without losing the public ones (REMOTEFILES may mix both kinds of host).
X509_STORE* make_trust_store(const FetchOptions& opt) {
  X509_STORE* store = X509_STORE_new();
  if (!store) throw FetchError("cannot allocate a certificate store");
  X509_STORE_set_default_paths(store);
  if (!opt.ca_file.empty() && X509_STORE_load_file(store, opt.ca_file.c_str()) != 1) {
    X509_STORE_free(store);
    throw FetchError("CA file '" + opt.ca_file + "': no PEM certificate could be read from it");
  }
  return store;
}
#endif

// The numeric addresses `host` resolves to, in getaddrinfo's order (the
// order httplib itself would try them in). Empty when it does not resolve.
std::vector<std::string> resolve(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::vector<std::string> out;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) return out;
  for (const addrinfo* a = res; a; a = a->ai_next) {
    char buf[INET6_ADDRSTRLEN] = {};
    const void* src = a->ai_family == AF_INET ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(a->ai_addr)->sin_addr)
                                              : static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(a->ai_addr)->sin6_addr);
    if ((a->ai_family == AF_INET || a->ai_family == AF_INET6) && ::inet_ntop(a->ai_family, src, buf, sizeof buf) &&
        std::find(out.begin(), out.end(), buf) == out.end())
      out.emplace_back(buf);
  }
  ::freeaddrinfo(res);
  return out;
}

bool internal(const std::string& ip, const FetchOptions& opt) {
  return opt.is_internal ? opt.is_internal(ip) : is_internal_address(ip);
}

Reply get_once(const Url& u, const std::string& ip, const FetchOptions& opt, std::chrono::steady_clock::time_point deadline) {
  const NoSigpipe no_sigpipe;  // first in, last out: outlives the client and its close_notify
  Reply r;
  httplib::Client cli(u.origin());
  if (!cli.is_valid()) {
    r.error = httplib::Error::Connection;
    return r;
  }
  // Connect to the address that was checked, not to whatever a second DNS
  // lookup answers (DNS rebinding). The Host header and TLS SNI and
  // certificate check still use the host name.
  cli.set_hostname_addr_map({{u.host, ip}});
  cli.set_connection_timeout(std::min(opt.connect_timeout, remaining(deadline)));
  cli.set_read_timeout(opt.read_timeout);
  cli.set_write_timeout(opt.read_timeout);
  cli.set_follow_location(false);  // we follow, checking every hop
  cli.set_url_encode(false);       // send the path exactly as the user wrote it
  cli.set_keep_alive(false);
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
  if (u.scheme == "https") {
    cli.enable_server_certificate_verification(true);
    cli.set_ca_cert_store(make_trust_store(opt));  // httplib owns it from here
  }
#endif
  Watchdog watchdog(deadline, opt.max_bytes + kWireSlack);
  cli.set_socket_options([&watchdog](socket_t sock) { watchdog.adopt(sock); });
  const httplib::Headers headers{{"User-Agent", "fiokit-container"}, {"Accept", "*/*"}};
  auto on_response = [&](const httplib::Response& res) {
    r.status = res.status;
    if (res.has_header("Location")) r.location = res.get_header_value("Location");
    if (res.status != 200) return false;  // the body of an error or redirect is not wanted
    if (res.has_header("Content-Length")) {
      const std::string cl = res.get_header_value("Content-Length");
      errno = 0;
      const unsigned long long n = std::strtoull(cl.c_str(), nullptr, 10);
      if (errno == 0 && n > opt.max_bytes) {
        r.oversize = true;
        return false;
      }
    }
    return true;
  };
  auto on_data = [&](const char* data, size_t len) {
    if (r.body.size() + len > opt.max_bytes) {
      r.oversize = true;
      return false;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      r.too_slow = true;
      return false;
    }
    r.body.append(data, len);
    return true;
  };
  auto res = cli.Get(u.target, headers, on_response, on_data);
  r.error = res.error();
  if (res && r.status == 0) r.status = res->status;
  if (watchdog.fired()) r.too_slow = true;
  if (watchdog.flooded()) r.flooded = true;
  return r;
}

// One attempt at one hop: resolve the host, refuse it if any of its addresses
// is internal and internal_ok is false (a name answering both a public and an
// internal address is treated as internal), then try the addresses in order
// until one connects, as httplib would, each pinned.
Reply get_checked(const Url& u, bool internal_ok, const FetchOptions& opt, std::chrono::steady_clock::time_point deadline) {
  const std::vector<std::string> ips = resolve(u.host);
  Reply r;
  if (ips.empty()) {
    r.error = httplib::Error::Connection;  // transient: DNS may answer on the next attempt
    return r;
  }
  if (!internal_ok)
    for (const auto& ip : ips)
      if (internal(ip, opt)) {
        r.refused = "host '" + u.host + "' resolves to " + ip + ", an internal address (loopback, private or link-local)";
        return r;
      }
  for (const auto& ip : ips) {
    r = get_once(u, ip, opt, deadline);
    if (r.status != 0 || r.error != httplib::Error::Connection || r.too_slow || r.flooded) break;
  }
  return r;
}

// One hop with retries for transient failures. Returns the last reply.
Reply get_with_retries(const Url& u, bool internal_ok, const FetchOptions& opt, std::chrono::steady_clock::time_point deadline) {
  std::chrono::milliseconds wait = opt.backoff;
  Reply r;
  for (int attempt = 1; attempt <= std::max(1, opt.attempts); ++attempt) {
    r = get_checked(u, internal_ok, opt, deadline);
    if (r.status == 200 && !r.oversize && !r.flooded && !r.too_slow && r.error == httplib::Error::Success) return r;
    if (is_redirect(r.status) || !is_transient(r) || attempt == opt.attempts) return r;
    if (std::chrono::steady_clock::now() + wait > deadline) {
      r.too_slow = true;
      return r;
    }
    std::this_thread::sleep_for(wait);
    wait *= 2;
  }
  return r;
}

void write_new_file(const std::string& path, const std::string& body, const std::string& url) {
  util::Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd) {
    const int err = errno;
    throw FetchError(url + ": cannot create '" + path + "': " + std::strerror(err) +
                     (err == EEXIST ? " (two URLs with the same file name?)" : ""));
  }
  size_t done = 0;
  while (done < body.size()) {
    const ssize_t n = ::write(fd.get(), body.data() + done, body.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      fd.reset();
      ::unlink(path.c_str());  // ours: created with O_EXCL above
      throw FetchError(url + ": writing '" + path + "' failed: " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (const int rc = fd.close(); rc != 0) {  // a failed close may have lost the data: the file is not kept
    const int err = -rc;
    ::unlink(path.c_str());
    throw FetchError(url + ": writing '" + path + "' failed: " + std::strerror(err));
  }
}

}  // namespace

bool is_internal_address(const std::string& ip) {
  in_addr v4{};
  in6_addr v6{};
  if (::inet_pton(AF_INET6, ip.c_str(), &v6) == 1) {
    const uint8_t* b = v6.s6_addr;
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(b, mapped, 12) == 0) {  // ::ffff:a.b.c.d reaches a.b.c.d
      char buf[INET_ADDRSTRLEN];
      return ::inet_ntop(AF_INET, b + 12, buf, sizeof buf) && is_internal_address(buf);
    }
    static const uint8_t zero[16] = {};
    if (std::memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1)) return true;  // :: and ::1
    if ((b[0] & 0xfe) == 0xfc) return true;                                      // fc00::/7 unique-local
    if (b[0] == 0xfe && (b[1] & 0x80) == 0x80) return true;                      // fe80::/10 link-local, fec0::/10 old site-local
    return false;
  }
  if (::inet_pton(AF_INET, ip.c_str(), &v4) != 1) return true;  // not an address we can classify: refuse
  const uint32_t a = ntohl(v4.s_addr);
  auto in = [a](uint32_t net, int bits) { return (a >> (32 - bits)) == (net >> (32 - bits)); };
  return in(0x00000000, 8) || in(0x7f000000, 8) || in(0x0a000000, 8) || in(0xac100000, 12) || in(0xc0a80000, 16) ||
         in(0xa9fe0000, 16) || in(0x64400000, 10);
}

std::string Url::origin() const {
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return scheme + "://" + h + ":" + std::to_string(port);
}

Url parse_url(const std::string& text, bool allow_http) {
  for (unsigned char c : text)
    if (c <= 0x20 || c == 0x7f) throw FetchError("'" + text + "' is not a URL (spaces or control characters; encode them as %XX)");
  const size_t sep = text.find("://");
  if (sep == std::string::npos || sep == 0) throw FetchError("'" + text + "' is not a URL (expected https://HOST/PATH)");
  Url u;
  u.scheme = lower(text.substr(0, sep));
  if (u.scheme != "https" && u.scheme != "http")
    throw FetchError("'" + text + "': only https URLs are fetched (scheme '" + u.scheme + "')");
  if (u.scheme == "http" && !allow_http)
    throw FetchError("'" + text + "': plain http is refused; use https, or set FIOKIT_ALLOW_HTTP=1 to allow it");
  const size_t auth_begin = sep + 3;
  const size_t auth_end = text.find_first_of("/?#", auth_begin);
  const std::string auth = text.substr(auth_begin, auth_end == std::string::npos ? std::string::npos : auth_end - auth_begin);
  if (auth.find('@') != std::string::npos)
    throw FetchError("'" + text + "': user names or passwords in URLs are not supported");
  std::string port_text;
  if (!auth.empty() && auth[0] == '[') {
    const size_t close = auth.find(']');
    if (close == std::string::npos) throw FetchError("'" + text + "': unterminated IPv6 address");
    u.host = auth.substr(1, close - 1);
    if (close + 1 < auth.size()) {
      if (auth[close + 1] != ':') throw FetchError("'" + text + "': unexpected text after the IPv6 address");
      port_text = auth.substr(close + 2);
    }
  } else {
    const size_t colon = auth.find(':');
    u.host = auth.substr(0, colon);
    if (colon != std::string::npos) port_text = auth.substr(colon + 1);
  }
  if (u.host.empty()) throw FetchError("'" + text + "': no host name");
  for (char c : u.host)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != ':' && c != '_')
      throw FetchError("'" + text + "': invalid character in host name");
  u.port = u.scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    if (port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; }))
      throw FetchError("'" + text + "': invalid port '" + port_text + "'");
    u.port = std::stoi(port_text);
    if (u.port < 1 || u.port > 65535) throw FetchError("'" + text + "': invalid port '" + port_text + "'");
  }
  std::string rest = auth_end == std::string::npos ? "" : text.substr(auth_end);
  rest = rest.substr(0, rest.find('#'));
  if (rest.empty() || rest[0] != '/') rest = "/" + rest;
  u.target = rest;
  u.path = rest.substr(0, rest.find('?'));
  return u;
}

std::string resolve_location(const Url& base, const std::string& location) {
  if (location.find("://") != std::string::npos) return location;
  if (location.rfind("//", 0) == 0) return base.scheme + ":" + location;
  if (!location.empty() && location[0] == '/') return base.origin() + location;
  const size_t slash = base.path.rfind('/');
  return base.origin() + base.path.substr(0, slash + 1) + location;
}

std::string file_name_from_url(const Url& url) {
  std::string decoded = percent_decode(url.path);
  std::replace(decoded.begin(), decoded.end(), '\\', '/');
  const size_t slash = decoded.rfind('/');
  const std::string last = slash == std::string::npos ? decoded : decoded.substr(slash + 1);
  std::string name;
  for (char c : last) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    name += ok ? c : '_';
  }
  // No hidden files, no "." or "..": a leading dot is dropped, not replaced.
  name.erase(0, name.find_first_not_of('.'));
  if (name.size() > 128) name.resize(128);
  if (name.empty())
    throw FetchError(url.str() + ": no file name in the URL path (it must end in a name such as job.fio)");
  return name;
}

Fetched fetch_url(const std::string& url, const std::string& dest_dir, const FetchOptions& opt) {
  Fetched f;
  f.url = url;
  Url cur = parse_url(url, opt.allow_http);
  f.name = file_name_from_url(cur);
  f.path = (fs::path(dest_dir) / f.name).string();
  std::error_code ec;
  if (fs::exists(fs::symlink_status(f.path, ec)))
    throw FetchError(url + ": '" + f.path + "' already exists (two URLs with the same file name?); it is not replaced");

  if (!opt.ca_file.empty()) {
    // Checked before any request so a typo is named as such, not as an
    // untrusted server.
    util::Fd ca(::open(opt.ca_file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!ca) throw FetchError("CA file '" + opt.ca_file + "' cannot be read: " + std::strerror(errno));
  }
  // SSRF: a server the user named may not send us to an internal address
  // (its own 127.0.0.1, the cloud metadata service at 169.254.169.254, a
  // router's admin page) and have what answers there written out as a job file
  // (and echoed in a parse error). Unless the user's own URL is on an internal
  // address, every hop, the first included (DNS rebinding), must resolve to
  // public addresses only; redirects between public hosts stay allowed.
  const std::vector<std::string> origin_ips = resolve(cur.host);
  // Internal only when every address is: a name answering a public and an
  // internal address is not the user asking for an internal server.
  const bool internal_ok = !origin_ips.empty() &&
                           std::all_of(origin_ips.begin(), origin_ips.end(), [&](const std::string& ip) { return internal(ip, opt); });
  const auto deadline = std::chrono::steady_clock::now() + opt.total_timeout;
  std::set<std::string> seen{cur.str()};
  for (int hop = 0;; ++hop) {
    const Reply r = get_with_retries(cur, internal_ok, opt, deadline);
    if (!r.refused.empty())
      throw FetchError(url + (hop > 0 ? " redirects to " + cur.str() + ": refused: " + r.refused + " while '" + parse_url(url, opt.allow_http).host +
                                            "' is not; a public server may not send the fetch to an internal address (server-side request forgery)"
                                      : ": refused: " + r.refused + ", but it (also) resolved to public addresses (DNS rebinding?)"));
    if (is_redirect(r.status)) {
      if (r.location.empty()) throw FetchError(cur.str() + ": HTTP " + std::to_string(r.status) + " without a Location");
      if (hop >= opt.max_redirects)
        throw FetchError(url + ": more than " + std::to_string(opt.max_redirects) + " redirects (last to " + r.location + ")");
      Url next;
      try {
        // http is parsed first so the downgrade gets its own message: from
        // https, plain http is never followed, FIOKIT_ALLOW_HTTP or not (that
        // switch is for URLs the user wrote, not for a server's choice).
        next = parse_url(resolve_location(cur, r.location), true);
        if (cur.scheme == "https" && next.scheme == "http")
          throw FetchError(cur.str() + " redirects to " + next.str() +
                           ": a redirect from https to plain http is never followed (not even with FIOKIT_ALLOW_HTTP=1)");
        next = parse_url(next.str(), opt.allow_http);
      } catch (const FetchError& e) {
        throw FetchError(url + ": redirect refused: " + e.what());
      }
      if (!seen.insert(next.str()).second) throw FetchError(url + ": redirect loop at " + next.str());
      cur = next;
      continue;
    }
    if (r.status != 200 || r.oversize || r.flooded || r.too_slow || r.error != httplib::Error::Success) {
      std::string where = cur.str() == parse_url(url, opt.allow_http).str() ? url : url + " (redirected to " + cur.str() + ")";
      throw FetchError(where + ": " + describe(r, opt));
    }
    write_new_file(f.path, r.body, url);
    f.final_url = cur.str();
    f.bytes = r.body.size();
    return f;
  }
}

}  // namespace fiokit::fetch
