// ioengine=posixaio: POSIX asynchronous I/O (aio_read/aio_write, completions
// found with aio_error and waited for with aio_suspend), as fio 3.33's
// engines/posixaio.c drives it. glibc implements it with helper threads doing
// pread/pwrite, so it is asynchronous at any iodepth but costs a thread
// hand-off per I/O. fio's engine has no commit hook: each I/O is submitted in
// queue(), so commit() here has nothing to do and slat is the aio_read call.
// A trim waits until nothing is in flight (Busy) and is then a hole punch, as
// in fio. EAGAIN from aio_read/aio_write means the library is out of
// resources: Busy, so the depth naturally stops there (fio does the same).
#include <aio.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "engine/io_loop.hpp"

namespace fiokit::engine {
namespace {

class PosixAioEngine final : public EngineBase<PosixAioEngine> {
 public:
  ~PosixAioEngine() override {
    // Nothing may complete into a unit after the worker frees it.
    for (size_t i = 0; i < cbs_.size(); ++i)
      if (inflight_[i]) {
        (void)::aio_cancel(cbs_[i].aio_fildes, &cbs_[i]);
        const aiocb* one[1] = {&cbs_[i]};
        while (::aio_error(&cbs_[i]) == EINPROGRESS) (void)::aio_suspend(one, 1, nullptr);
        (void)::aio_return(&cbs_[i]);
      }
  }
  std::string_view name() const override { return "posixaio"; }
  int init(const EngineSetup& s) override {
    units_ = s.units;
    cbs_.assign(s.units->size(), aiocb{});
    inflight_.assign(s.units->size(), 0);
    events_.reserve(s.units->size());
    wait_.reserve(s.units->size());
    return 0;
  }
  QueueResult queue(IoUnit& u) override {
    if (u.dir == Dir::trim) {
      if (queued_) return QueueResult::busy;
      u.result = punch_hole(u);
      return QueueResult::completed;
    }
    aiocb& cb = cbs_[u.index];
    cb = aiocb{};
    cb.aio_fildes = u.fd;
    cb.aio_buf = u.buf;
    cb.aio_nbytes = u.len;
    cb.aio_offset = static_cast<off_t>(u.offset);
    cb.aio_sigevent.sigev_notify = SIGEV_NONE;
    const int rc = u.dir == Dir::read ? ::aio_read(&cb) : ::aio_write(&cb);
    if (rc != 0) {
      if (errno == EAGAIN && queued_) return QueueResult::busy;
      u.result = -errno;
      return QueueResult::completed;
    }
    inflight_[u.index] = 1;
    ++queued_;
    return QueueResult::queued;
  }
  int commit() override { return 0; }  // queue() submitted already
  // fio's getevents: collect every finished I/O; while fewer than `min`,
  // aio_suspend on those still in progress and look again.
  int reap(unsigned min, unsigned /*max*/) override {
    events_.clear();
    for (;;) {
      wait_.clear();
      for (size_t i = 0; i < cbs_.size(); ++i) {
        if (!inflight_[i]) continue;
        const int err = ::aio_error(&cbs_[i]);
        if (err == EINPROGRESS) {
          wait_.push_back(&cbs_[i]);
          continue;
        }
        IoUnit& u = (*units_)[i];
        const ssize_t r = ::aio_return(&cbs_[i]);
        u.result = err == 0 ? static_cast<int64_t>(r) : err == ECANCELED ? 0 : -err;
        inflight_[i] = 0;
        --queued_;
        events_.push_back(&u);
      }
      if (events_.size() >= min || wait_.empty()) return static_cast<int>(events_.size());
      if (::aio_suspend(wait_.data(), static_cast<int>(wait_.size()), nullptr) != 0 && errno != EINTR && errno != EAGAIN)
        return -errno;
    }
  }
  IoUnit* event(unsigned i) override { return events_[i]; }

 private:
  std::vector<IoUnit>* units_ = nullptr;
  std::vector<aiocb> cbs_;          // one control block per unit (by IoUnit::index)
  std::vector<uint8_t> inflight_;  // that block is submitted and not yet reaped
  std::vector<IoUnit*> events_;
  std::vector<const aiocb*> wait_;
  uint32_t queued_ = 0;
};

}  // namespace

std::unique_ptr<IoEngine> make_posixaio_engine() { return std::make_unique<PosixAioEngine>(); }

}  // namespace fiokit::engine
