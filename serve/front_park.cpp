// Parked connections of `fiokit serve` (see front.hpp): a keep-alive
// connection between two requests sits in one epoll set instead of holding a
// worker asleep in poll(2). A worker that has sent an answer parks its
// connection and takes the next ready one from the set, so under load it goes
// from request to request without sleeping: with a thread per connection every
// request cost a sleep and a wakeup, about half of the CPU `serve` spent on a
// small file, and the reason it answered half as many requests as nginx.
//
// Ownership, the one rule that keeps this safe: a parked connection is armed
// once (EPOLLONESHOT) and only the worker that receives its event takes it
// back (under m_) and may close it. Everyone else who wants a parked
// connection gone (its idle deadline passed, the per-peer or total cap evicts
// it, stop()) shuts its socket down, which makes it ready; so no descriptor is
// closed while another thread may still hold it. What is still parked when
// the server is destroyed (no worker runs then) is closed by ~Front.
//
// Workers: at most kMaxEpollWaiters wait in epoll_wait at once (a finished
// worker beyond that returns to the pool), so a busy server keeps a couple of
// workers cycling instead of waking a different thread for every request. A
// slow handler (a page over 5,000 runs, a 1 GiB log) must not leave the
// parked connections without anyone to serve them: the watcher thread, which
// also enforces the idle deadline, asks the pool for one more worker when
// none has been waiting or taken a connection for kWatchTick.
#include "serve/front.hpp"
#include "serve/front_conn.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace fiokit::serve {

namespace {
constexpr auto kWatchTick = std::chrono::milliseconds(10);

size_t max_epoll_waiters() {
  return std::clamp<size_t>(std::thread::hardware_concurrency(), 2, 8);
}
}  // namespace

Front::Front(FrontLimits limits, Refusal refusal) : lim_(limits), refusal_(std::move(refusal)) {
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) throw std::system_error(errno, std::generic_category(), "serve: epoll_create1");
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  epoll_event ev{};
  ev.events = EPOLLIN;  // level-triggered, never read: once written it wakes every waiter
  ev.data.ptr = nullptr;
  if (wake_fd_ < 0 || ::epoll_ctl(epfd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
    const int err = errno;
    ::close(epfd_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
    throw std::system_error(err, std::generic_category(), "serve: eventfd");
  }
}

Front::~Front() {
  stop();
  for (FrontConn* c : live_) {
    ::close(c->fd);
    delete c;
  }
  ::close(wake_fd_);
  ::close(epfd_);
}

void Front::stop() {
  {
    std::lock_guard<std::mutex> lk(m_);
    if (stopping_) return;
    stopping_ = true;
    stop_at_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
    stop_flag_ = true;
    for (FrontConn* c : all_waiting_) ::shutdown(c->fd, SHUT_RDWR);
    for (FrontConn* c : parked_) ::shutdown(c->fd, SHUT_RDWR);
  }
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(wake_fd_, &one, sizeof one);
  watch_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

void Front::serve_connection(int fd, const Process& process) {
  auto* c = new FrontConn;
  c->fd = fd;
  {
    std::lock_guard<std::mutex> lk(m_);
    if (stopping_) {
      delete c;
      ::close(fd);
      return;
    }
    process_ = &process;
    live_.insert(c);
  }
  if (!serve_requests(*c, process)) close_conn(c);
  serve_parked(process);
}

// Lists c as waiting (the per-peer and total caps count it), then arms it in
// the epoll set; from the arming on, c may belong to another worker.
bool Front::park(FrontConn& c) {
  fill_peer(c);
  {
    std::lock_guard<std::mutex> lk(m_);
    if (stopping_) return false;
    enter_wait_locked(c);
    c.parked = true;
    c.park_deadline = Clock::now() + lim_.idle_timeout;
    parked_.push_back(&c);
    c.park_pos = std::prev(parked_.end());
    c.in_parked_list = true;
    ++parked_n_;
    if (!watcher_.joinable()) watcher_ = std::thread([this] { watch(); });
    if (watcher_asleep_) watch_cv_.notify_one();
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  ev.data.ptr = &c;
  const int op = c.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  c.registered = true;
  if (::epoll_ctl(epfd_, op, c.fd, &ev) == 0) return true;
  // Not armed, so no event can hand c to anyone: take it back and close it.
  std::lock_guard<std::mutex> lk(m_);
  c.parked = false;
  --parked_n_;
  if (c.in_parked_list) parked_.erase(c.park_pos);
  c.in_parked_list = false;
  if (c.waiting) unlist_locked(c);
  return false;
}

void Front::close_conn(FrontConn* c) {
  {
    std::lock_guard<std::mutex> lk(m_);
    if (c->waiting) unlist_locked(*c);
    live_.erase(c);
  }
  if (c->registered) ::epoll_ctl(epfd_, EPOLL_CTL_DEL, c->fd, nullptr);
  ::shutdown(c->fd, SHUT_RDWR);
  ::close(c->fd);
  delete c;
}

// Takes ready parked connections one at a time and serves them, until enough
// other workers wait (the pool gets this one back) or stop().
void Front::serve_parked(const Process& process) {
  const size_t max_waiters = max_epoll_waiters();
  std::unique_lock<std::mutex> lk(m_);
  while (!stopping_ && epoll_waiters_ < max_waiters) {
    ++epoll_waiters_;
    lk.unlock();
    epoll_event ev{};
    const int n = ::epoll_wait(epfd_, &ev, 1, -1);
    lk.lock();
    --epoll_waiters_;
    if (n <= 0 || ev.data.ptr == nullptr) continue;  // EINTR, or stop()'s wakeup
    auto* c = static_cast<FrontConn*>(ev.data.ptr);
    if (!c->parked) continue;  // never: only this event's receiver unparks it
    c->parked = false;
    --parked_n_;
    if (c->in_parked_list) parked_.erase(c->park_pos);
    c->in_parked_list = false;
    if (c->waiting) unlist_locked(*c);
    ++taken_;
    lk.unlock();
    if (!serve_requests(*c, process)) close_conn(c);
    lk.lock();
  }
}

// Every kWatchTick while connections are parked: shuts down the ones idle past
// their deadline (their event closes them), and adds a worker when parked
// connections have had nobody waiting for them for a whole tick. With none
// parked at a tick it sleeps until the next park wakes it, so an idle server
// has no timer running.
void Front::watch() {
  std::unique_lock<std::mutex> lk(m_);
  uint64_t seen = taken_;
  bool starved = false;
  while (!stopping_) {
    if (parked_n_ == 0) {
      watcher_asleep_ = true;
      watch_cv_.wait(lk, [this] { return stopping_ || parked_n_ > 0; });
      watcher_asleep_ = false;
      starved = false;
      seen = taken_;
      continue;
    }
    watch_cv_.wait_for(lk, kWatchTick);
    if (stopping_) break;
    const auto now = Clock::now();
    while (!parked_.empty() && parked_.front()->park_deadline <= now) {
      FrontConn* c = parked_.front();
      ::shutdown(c->fd, SHUT_RDWR);
      parked_.pop_front();
      c->in_parked_list = false;
    }
    const bool none_waits = epoll_waiters_ == 0 && taken_ == seen && parked_n_ > 0;
    seen = taken_;
    if (none_waits && starved && run_task_ && process_) {
      const Process* p = process_;
      lk.unlock();
      run_task_([this, p] { serve_parked(*p); });
      lk.lock();
      starved = false;
      continue;
    }
    starved = none_waits;
  }
}

}  // namespace fiokit::serve
