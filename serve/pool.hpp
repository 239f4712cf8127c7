// The worker pool of `fiokit serve`: cpp-httplib runs each accepted
// connection as one task on a TaskQueue; this one grows a worker per waiting
// connection (up to max) instead of queueing a normal request behind slow
// sockets, and lets workers above min that sat idle leave again.
#pragma once
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

namespace fiokit::serve {

// A task queue that grows: a connection waiting for a worker gets a new one
// (up to max), so slow clients cannot make a normal request wait behind them.
// Workers above min that sat idle for idle_exit leave, so a burst does not pin
// its peak of threads; a leaving worker is joined by the next enqueue.
class GrowingPool : public httplib::TaskQueue {
 public:
  GrowingPool(size_t min, size_t max, std::chrono::milliseconds idle_exit)
      : min_(min), max_(std::max(max, min)), idle_exit_(idle_exit) {
    std::lock_guard<std::mutex> lk(m_);
    for (size_t i = 0; i < min; ++i) spawn_locked();
  }
  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard<std::mutex> lk(m_);
      if (stopping_) return;  // a late task (an extra worker for parked connections): none is needed now
      reap_locked();
      jobs_.push_back(std::move(fn));
      if (jobs_.size() > idle_ && live_ < max_) spawn_locked();
    }
    cv_.notify_one();
  }
  void shutdown() override {
    std::list<std::thread> all;
    {
      std::lock_guard<std::mutex> lk(m_);
      stopping_ = true;  // from here no worker spawns or retires
      all.swap(threads_);
      retired_.clear();
    }
    cv_.notify_all();
    for (auto& t : all) t.join();
  }

 private:
  using Slot = std::list<std::thread>::iterator;
  void spawn_locked() {
    threads_.emplace_back();
    const Slot slot = std::prev(threads_.end());
    // The worker uses its slot only under m_, which is held until it is assigned.
    *slot = std::thread([this, slot] { work(slot); });
    ++live_;
  }
  // Joins workers that left; each released m_ for the last time before being
  // listed, so the join waits only for its return.
  void reap_locked() {
    for (const Slot& s : retired_) {
      s->join();
      threads_.erase(s);
    }
    retired_.clear();
  }
  void work(Slot slot) {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lk(m_);
        ++idle_;
        const bool woken = cv_.wait_for(lk, idle_exit_, [&] { return !jobs_.empty() || stopping_; });
        --idle_;
        if (!woken) {
          if (live_ > min_) {
            --live_;
            retired_.push_back(slot);
            return;
          }
          continue;
        }
        if (jobs_.empty()) return;  // stopping, nothing left
        fn = std::move(jobs_.front());
        jobs_.pop_front();
      }
      try {
        fn();
      } catch (...) {
        // No exception leaves a worker (DESIGN rule 5); the connection is already closed.
      }
    }
  }
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::list<std::thread> threads_;
  std::vector<Slot> retired_;
  size_t idle_ = 0, live_ = 0;
  size_t min_, max_;
  std::chrono::milliseconds idle_exit_;
  bool stopping_ = false;
};

}  // namespace fiokit::serve
