// VerifyPool (see verify_pool.hpp): the verify_async threads and their queue.
#include "engine/verify_pool.hpp"
#include "util/exception_text.hpp"

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
  nthreads_ = threads;  // before any runs (fail_thread reads it)
  for (unsigned i = 0; i < threads; ++i) {
    threads_.emplace_back([this, v] {
      try {
        run(v);
      } catch (...) {  // outside a check (a wait): see run()
        fail_thread(std::current_exception());
      }
    });
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

// A checker thread ended on an exception outside a check: the failure is
// reported as a verify error, and when no checker is left the queued checks
// are dropped (counted done) so wait_at_most() cannot wait for them forever.
void VerifyPool::fail_thread(std::exception_ptr ep) {
  const std::string what = util::exception_text(ep);
  std::lock_guard lk(mu_);
  failures_.push_back({0, 0, fmt::format("verify_async thread failed: {}", what), {}});
  failed_.store(true, std::memory_order_release);
  if (++dead_ == nthreads_) {
    unfinished_ -= items_.size();
    items_.clear();
  }
  done_cv_.notify_all();
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
    int bad;
    // No exception leaves a checker (it would be std::terminate, and the job
    // would wait forever for the check): one thrown by a check fails that
    // block with the exception's message, so the job ends with a verify error
    // naming it, and the thread goes on.
    try {
      bad = check_(v, it.data.data(), static_cast<uint32_t>(it.data.size()), it.offset, &what);
    } catch (const std::exception& e) {
      bad = 1;
      what = fmt::format("verify_async thread failed: {}", e.what());
    } catch (...) {
      bad = 1;
      what = "verify_async thread failed: unknown exception";
    }
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
