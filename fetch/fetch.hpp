// The fetch stage: downloading remote job files (the container entrypoint's
// REMOTEFILES) from URLs the way fio-tools' `wget` did, without its trust. https only unless the user says
// otherwise, a bounded number of redirects (each hop checked again, never
// https -> http), one deadline for the whole fetch, a size cap (on the body,
// and on the wire for headers), retries with backoff for transient failures only, and a local
// file name derived from the URL that can never leave the destination folder
// nor replace a file already there (O_EXCL), and no redirect from a public
// host to an internal address (loopback, private, link-local: SSRF). Uses
// cpp-httplib's client.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

namespace fiokit::fetch {

// A URL that cannot be used, or a download that failed. The message names the
// URL and what went wrong; nothing is left behind in the destination.
struct FetchError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets for IPv6
  int port = 0;
  std::string target;  // path and query as sent, starting with '/'
  std::string path;    // path only (no query or fragment), still percent-encoded
  // scheme://host:port, the form cpp-httplib's Client takes.
  std::string origin() const;
  std::string str() const { return origin() + target; }
};

// Parses an absolute http(s) URL; refuses other schemes, user info, spaces and
// control characters, and an http URL unless allow_http.
Url parse_url(const std::string& text, bool allow_http);

// Resolves a Location header against the URL it came from (absolute URL,
// "//host/...", "/path" or a relative path).
std::string resolve_location(const Url& base, const std::string& location);

// The local name for a URL: the last segment of the percent-decoded path, with
// anything but letters, digits, '.', '-' and '_' replaced by '_' and leading dots
// removed. Throws FetchError when no usable name remains ("", ".", "..").
std::string file_name_from_url(const Url& url);

// True for a numeric address (as inet_ntop writes it) that no redirect from a
// public host may reach: unspecified (0.0.0.0/8, ::), loopback (127/8, ::1),
// RFC 1918 private (10/8, 172.16/12, 192.168/16), shared CGNAT space (100.64/10,
// where some clouds put their metadata service), link-local (169.254/16 with
// the cloud metadata address 169.254.169.254, fe80::/10), unique-local
// (fc00::/7, incl. AWS's fd00:ec2::254), and IPv4-mapped IPv6 forms of these.
bool is_internal_address(const std::string& ip);

struct FetchOptions {
  bool allow_http = false;
  uint64_t max_bytes = 1 << 20;  // 1 MiB: job files are small; anything bigger is a mistake or an attack
  int max_redirects = 5;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds read_timeout{15000};
  // One deadline for everything: connects, TLS handshakes, headers, bodies,
  // redirects, retries. A server dribbling a header line or a byte at a time
  // cannot hold us past it (read_timeout alone restarts on every read).
  std::chrono::milliseconds total_timeout{60000};
  int attempts = 3;                                 // for connection errors, timeouts, 5xx and 429
  std::chrono::milliseconds backoff{1000};          // doubled after each failed attempt
  // PEM CA certificate(s) trusted for https in addition to the system's (which
  // honour OpenSSL's SSL_CERT_FILE); FIOKIT_CA_FILE in the container.
  std::string ca_file;
  // Which addresses count as internal; empty means is_internal_address. A
  // test hook: on loopback only, a test can call 127.0.0.1 public and
  // 127.0.0.2 internal.
  std::function<bool(const std::string& ip)> is_internal;
};

struct Fetched {
  std::string url;         // as given
  std::string final_url;   // after redirects
  std::string name;        // file name in the destination folder
  std::string path;        // dest_dir/name
  uint64_t bytes = 0;
};

// Downloads `url` into dest_dir/<file_name_from_url>. The file is created with
// O_EXCL: an existing file of that name is an error, never replaced. On any
// failure the partial file is removed and FetchError thrown. A redirect from
// https to http is never followed, whatever allow_http says. Every hop's host
// is resolved here and the connection made to the address checked (no DNS
// rebinding between check and connect); an internal address is refused
// unless the URL the user gave is itself on an internal address.
Fetched fetch_url(const std::string& url, const std::string& dest_dir, const FetchOptions& opt);

}  // namespace fiokit::fetch
