// The state of one connection of `fiokit serve`, shared by the front's two
// files (front.cpp reads and answers requests, front_park.cpp parks it between
// them); not part of the front's interface.
#pragma once
#include <atomic>
#include <chrono>
#include <list>
#include <string>

namespace fiokit::serve {

using Clock = std::chrono::steady_clock;

struct FrontConn {
  int fd = -1;
  std::string buf;  // received and not yet consumed (may hold a pipelined next request)
  std::string peer;
  int peer_port = 0;
  std::string local;
  int local_port = 0;
  bool peer_known = false, local_known = false;
  // The current response's send-rate window (FrontLimits::min_send_bytes),
  // opened by its first send: a handler's own time does not count.
  Clock::time_point window_start{};
  size_t window_bytes = 0;
  // Listed in Front::waiting_ and all_waiting_; changed only under Front::m_,
  // atomic so the owner can see "not listed" without taking the lock.
  std::atomic<bool> waiting{false};
  std::list<FrontConn*>::iterator pos, all_pos;
  size_t served = 0;  // requests answered (FrontLimits::max_keep_alive)
  std::string out;    // the answer being gathered (kOutBuf)
  // Parking (front_park.cpp), under Front::m_: in the epoll set, armed;
  // listed in Front::parked_ until its idle deadline passed.
  bool parked = false, in_parked_list = false, registered = false;
  std::list<FrontConn*>::iterator park_pos;
  Clock::time_point park_deadline{};
};

// Peer address and port of c, looked up once (getpeername).
void fill_peer(FrontConn& c);

}  // namespace fiokit::serve
