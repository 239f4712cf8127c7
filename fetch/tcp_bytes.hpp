// How many bytes a TCP socket has received, from the kernel's TCP_INFO
// (tcpi_bytes_received, Linux >= 4.1). Kept in its own file because the
// kernel's <linux/tcp.h>, which has that field, clashes with glibc's
// <netinet/tcp.h> that cpp-httplib includes.
#pragma once
#include <cstdint>
#include <optional>

namespace fiokit::fetch {

// nullopt when the kernel does not say (not TCP, an old kernel).
std::optional<uint64_t> tcp_bytes_received(int sock);

}  // namespace fiokit::fetch
