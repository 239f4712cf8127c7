// VerifyPool (see verify_pool.hpp): the verify_async threads and their queue.
#include "engine/verify_pool.hpp"

#include <pthread.h>
#include <sched.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace fiokit::engine {

VerifyPool::~VerifyPool() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

std::string VerifyPool::start(const Verifier& v, unsigned threads, const std::vector<int>& cpus) {
  for (unsigned i = 0; i < threads; ++i) {
    threads_.emplace_back([this, v] { run(v); });
    if (!cpus.empty()) {
      // verify_async_cpus: every checker may run on any CPU of the list, as fio sets them.
      cpu_set_t set;
      CPU_ZERO(&set);
      for (int c : cpus) CPU_SET(c, &set);
      if (int e = pthread_setaffinity_np(threads_.back().native_handle(), sizeof(set), &set); e != 0)
        return fmt::format("verify_async_cpus: cannot pin a verify thread: {}", std::strerror(e));
    }
  }
  return "";
}

void VerifyPool::submit(const uint8_t* buf, uint32_t len, uint64_t offset, uint32_t file) {
  Item it{std::vector<uint8_t>(buf, buf + len), offset, file};
  {
    std::lock_guard lk(mu_);
    items_.push_back(std::move(it));
    ++unfinished_;
  }
  work_cv_.notify_one();
}

void VerifyPool::wait_at_most(size_t limit) {
  std::unique_lock lk(mu_);
  done_cv_.wait(lk, [&] { return unfinished_ <= limit; });
}

std::vector<VerifyPool::Failure> VerifyPool::take_failures() {
  std::lock_guard lk(mu_);
  std::vector<Failure> out;
  out.swap(failures_);
  failed_.store(false, std::memory_order_release);
  return out;
}

uint64_t VerifyPool::checked() const {
  std::lock_guard lk(mu_);
  return checked_;
}

void VerifyPool::run(Verifier v) {
  std::unique_lock lk(mu_);
  for (;;) {
    work_cv_.wait(lk, [&] { return stop_ || !items_.empty(); });
    if (items_.empty()) return;  // stop_ with nothing left
    Item it = std::move(items_.front());
    items_.pop_front();
    lk.unlock();
    std::string what;
    const int bad = v.check_block(it.data.data(), static_cast<uint32_t>(it.data.size()), it.offset, &what);
    lk.lock();
    if (bad) {
      failures_.push_back({it.file, it.offset, std::move(what), std::move(it.data)});
      failed_.store(true, std::memory_order_release);
    }
    ++checked_;
    --unfinished_;
    done_cv_.notify_all();
  }
}

}  // namespace fiokit::engine
