// See tcp_bytes.hpp. The count includes data still in the receive buffer and
// TLS framing: the fetch uses it as an upper bound on what a server can make
// cpp-httplib read, headers included, which httplib does not bound itself.
#include "fetch/tcp_bytes.hpp"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>

namespace fiokit::fetch {

std::optional<uint64_t> tcp_bytes_received(int sock) {
  tcp_info info{};
  socklen_t len = sizeof info;
  if (::getsockopt(sock, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return std::nullopt;
  // An older kernel fills a shorter struct: the field is then not there.
  if (len < offsetof(tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received) return std::nullopt;
  return info.tcpi_bytes_received;
}

}  // namespace fiokit::fetch
