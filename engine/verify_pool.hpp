// verify_async=N / verify_async_cpus: N threads that check the verify reads
// of one job, so the digests run beside the job's I/O instead of in its
// completion path. Each thread owns a copy of the job's Verifier (a digest
// context is not shared). The worker hands over a copy of what was read and
// may then wait until at most `limit` checks are outstanding: fio 3.33 keeps
// the io_u of a read until its verify thread is done with it, so a job of
// depth D never has more than D reads in flight plus being checked (at depth
// 1 the next read waits for the check).
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/verify.hpp"

namespace fiokit::engine {

class VerifyPool {
 public:
  struct Failure {
    uint32_t file = 0;
    uint64_t offset = 0;
    std::string what;
    std::vector<uint8_t> received;  // for verify_dump
  };

  VerifyPool() = default;
  VerifyPool(const VerifyPool&) = delete;
  VerifyPool& operator=(const VerifyPool&) = delete;
  ~VerifyPool();
  // Starts `threads` checkers; cpus (may be empty) is their CPU set. Returns
  // an error message, or "" when they run.
  std::string start(const Verifier& v, unsigned threads, const std::vector<int>& cpus);
  void submit(const uint8_t* buf, uint32_t len, uint64_t offset, uint32_t file);
  // Blocks until no more than `limit` submitted checks are unfinished.
  void wait_at_most(size_t limit);
  // Failures reported so far (taken: each is returned once).
  std::vector<Failure> take_failures();
  bool has_failures() const { return failed_.load(std::memory_order_acquire); }
  uint64_t checked() const;
  // The check each thread runs (Verifier::check_block by default); a test
  // swaps in one that throws to see that the pool survives it. Set before start().
  using CheckFn = int (*)(const Verifier&, const uint8_t*, uint32_t, uint64_t, std::string*);
  void set_check(CheckFn f) { check_ = f; }

 private:
  struct Item {
    std::vector<uint8_t> data;
    uint64_t offset;
    uint32_t file;
  };
  void run(Verifier v);
  void fail_thread(std::exception_ptr ep);
  mutable std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<Item> items_;
  std::vector<Failure> failures_;
  size_t unfinished_ = 0;
  uint64_t checked_ = 0;
  bool stop_ = false;
  CheckFn check_ = [](const Verifier& v, const uint8_t* b, uint32_t n, uint64_t off, std::string* w) {
    return v.check_block(b, n, off, w);
  };
  size_t dead_ = 0, nthreads_ = 0;  // checkers ended by an exception (fail_thread), of all
  std::atomic<bool> failed_{false};
  std::vector<std::thread> threads_;
};

}  // namespace fiokit::engine
