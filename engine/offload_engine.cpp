// io_submit_mode=offload: a wrapper engine that hands each I/O the job queues
// to one of `iodepth` submit threads, as fio 3.33 does (rate-submit.c: a
// workqueue of iodepth workers, each with its own instance of the job's
// engine at iodepth 1, issuing one I/O at a time and waiting for it). The job's
// own loop never blocks in the engine, so with rate_iops it issues at its
// fixed rate whatever the device's completion rate ("fixed-rate submission").
// Times, as fio takes them: an I/O's total latency counts from the job
// queuing it (start_ns, set by the loop), its submission latency ends and its
// completion latency starts when a submit thread issues it (issue_ns, set
// here), and it completes when that thread has it back (completion_ns(), which
// the loop uses instead of the time of its own reap). fio refuses io_uring
// with offload (FIO_NO_OFFLOAD); the parser refuses it here too.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "engine/io_loop.hpp"
#include "engine/offload_engine.hpp"

namespace fiokit::engine {
namespace {

class OffloadEngine final : public EngineBase<OffloadEngine> {
 public:
  // The loop's hook (io_loop.hpp): completion times come from completion_ns(),
  // and the loop does not stamp issue_ns at commit (the submit threads do).
  static constexpr bool kOffload = true;

  explicit OffloadEngine(const EngineInfo& inner) : inner_(inner) {}
  ~OffloadEngine() override { stop_threads(); }

  // The inner engine's name: messages name the engine the user chose.
  std::string_view name() const override { return inner_.name; }

  int init(const EngineSetup& s) override {
    const uint32_t n = std::max<uint32_t>(1, s.iodepth);
    done_ns_.assign(s.units ? s.units->size() : n, 0);
    events_.assign(n, nullptr);
    slots_.clear();
    slots_.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      auto slot = std::make_unique<Slot>();
      slot->eng = inner_.make();
      // One unit of the thread's own: the inner engine indexes its per-unit
      // state by IoUnit::index, which is 0 for its only unit.
      slot->units.resize(1);
      EngineSetup one = s;
      one.iodepth = 1;
      one.units = &slot->units;
      if (const int rc = slot->eng->init(one); rc < 0) {
        hint_ = slot->eng->error_hint();
        slots_.clear();
        return rc;
      }
      slots_.push_back(std::move(slot));
    }
    stop_ = false;
    for (auto& sl : slots_)
      sl->thread = std::thread([this, p = sl.get()] {
        try {
          submit_thread(*p);
        } catch (const std::exception& e) {  // outside an I/O (a wait): the thread ends, the others serve on
          note_thread_error(e.what());
        } catch (...) {
          note_thread_error("unknown exception");
        }
      });
    return 0;
  }

  QueueResult queue(IoUnit& u) override {
    pending_.push_back(&u);
    return QueueResult::queued;
  }

  int commit() override {
    const auto n = static_cast<int>(pending_.size());
    if (!n) return 0;
    {
      std::lock_guard lk(work_mu_);
      for (IoUnit* u : pending_) work_.push_back(u);
    }
    if (n == 1) work_cv_.notify_one();
    else work_cv_.notify_all();
    pending_.clear();
    return n;
  }

  int reap(unsigned min, unsigned max) override {
    std::unique_lock lk(done_mu_);
    if (min) done_cv_.wait(lk, [&] { return done_.size() >= min; });
    const auto n = static_cast<unsigned>(std::min<size_t>(std::max(1u, max), done_.size()));
    for (unsigned i = 0; i < n; ++i) {
      events_[i] = done_.front();
      done_.pop_front();
    }
    return static_cast<int>(n);
  }
  IoUnit* event(unsigned i) override { return events_[i]; }
  uint64_t completion_ns(const IoUnit& u) const { return done_ns_[u.index]; }

  // Called between passes, with nothing in flight (the loop drained).
  void start_pass() override {
    for (auto& sl : slots_) sl->eng->start_pass();
  }
  void start_io(uint64_t start_ns) override {
    for (auto& sl : slots_) sl->eng->start_io(start_ns);
  }
  std::string error_hint() const override { return hint_; }
  const char* io_error_hint(int err) const override {
    // The first exception of a submit thread, set once before the I/O it
    // failed is handed back (so the loop sees it when it accounts that I/O).
    if (thread_failed_.load(std::memory_order_acquire)) return thread_error_.c_str();
    return slots_.empty() ? "" : slots_[0]->eng->io_error_hint(err);
  }

 private:
  struct Slot {
    std::unique_ptr<IoEngine> eng;
    std::vector<IoUnit> units;
    std::thread thread;
  };

  // Notes the first exception a submit thread caught; the I/O it was issuing
  // fails with EIO and the job's error names it (an exception escaping a
  // std::thread would be std::terminate, and the loop would wait forever
  // for an I/O the thread never hands back).
  void note_thread_error(const char* what) {
    std::lock_guard lk(done_mu_);
    if (thread_failed_.load(std::memory_order_relaxed)) return;
    thread_error_ = fmt::format(" (io_submit_mode=offload: the submit thread failed: {})", what);
    thread_failed_.store(true, std::memory_order_release);
  }

  // One I/O with this thread's engine at depth 1: the result, and the time
  // it was issued in *issue.
  static int64_t issue_one(IoEngine& eng, IoUnit& l, uint64_t* issue) {
    *issue = now_ns();
    QueueResult r = eng.queue(l);
    if (r == QueueResult::queued) {
      // An async engine at depth 1: its commit is the issue.
      const int rc = eng.commit();
      *issue = now_ns();
      if (rc < 0) return rc;
      const int n = eng.reap(1, 1);
      return n < 0 ? n : n == 0 ? -EIO : eng.event(0)->result;
    }
    if (r == QueueResult::busy) return -EAGAIN;  // never at depth 1 with nothing else out
    return l.result;
  }

  // One submit thread: take the oldest queued I/O, issue it with this
  // thread's engine, wait for it, hand it back with its times. No exception
  // leaves it: one thrown while issuing fails that I/O (EIO, and the message
  // in io_error_hint) and the thread goes on serving the queue.
  void submit_thread(Slot& s) {
    IoEngine& eng = *s.eng;
    IoUnit& l = s.units[0];
    for (;;) {
      IoUnit* u;
      {
        std::unique_lock lk(work_mu_);
        work_cv_.wait(lk, [&] { return stop_ || !work_.empty(); });
        if (work_.empty()) return;  // stopping, and nothing left to do
        u = work_.front();
        work_.pop_front();
      }
      l = *u;  // the job's buffer, file, offset and length
      l.index = 0;
      uint64_t issue = now_ns();
      try {
        l.result = issue_one(eng, l, &issue);
      } catch (const std::exception& e) {
        note_thread_error(e.what());
        l.result = -EIO;
      } catch (...) {
        note_thread_error("unknown exception");
        l.result = -EIO;
      }
      const uint64_t done = now_ns();
      u->result = l.result;
      u->issue_ns = issue;
      done_ns_[u->index] = done;  // published by done_mu_ below
      {
        std::lock_guard lk(done_mu_);
        done_.push_back(u);
      }
      done_cv_.notify_one();
    }
  }

  void stop_threads() {
    {
      std::lock_guard lk(work_mu_);
      stop_ = true;
    }
    work_cv_.notify_all();
    for (auto& sl : slots_)
      if (sl->thread.joinable()) sl->thread.join();
  }

  const EngineInfo& inner_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<IoUnit*> pending_;  // queued since the last commit (the job's thread only)
  std::vector<IoUnit*> events_;   // the last reap's (the job's thread only)
  std::vector<uint64_t> done_ns_;  // by IoUnit::index
  std::mutex work_mu_, done_mu_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<IoUnit*> work_, done_;
  bool stop_ = false;
  std::string hint_;
  std::string thread_error_;  // written once, under done_mu_, before thread_failed_
  std::atomic<bool> thread_failed_{false};
};

}  // namespace

std::unique_ptr<IoEngine> make_offload_engine(const EngineInfo& inner) { return std::make_unique<OffloadEngine>(inner); }

}  // namespace fiokit::engine
