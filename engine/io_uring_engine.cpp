// ioengine=io_uring through liburing. Options (fio's names): hipri (polled
// completions, IORING_SETUP_IOPOLL; needs direct=1), fixedbufs (buffers
// registered once, READ_FIXED/WRITE_FIXED), registerfiles (files registered,
// IOSQE_FIXED_FILE), sqthread_poll[_cpu] (a kernel thread polls the SQ, so
// submission needs no system call), nonvectored (0: readv/writev, otherwise
// plain read/write). The ring is created per job with SINGLE_ISSUER and
// COOP_TASKRUN when the kernel has them (one thread owns the ring; no IPI per
// completion), falling back to plain flags on older kernels.
#include <liburing.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sys/uio.h>
#include <vector>

#include <fmt/format.h>

#include "engine/io_loop.hpp"

namespace fiokit::engine {
namespace {

std::string io_uring_disabled_value() {
  std::ifstream f("/proc/sys/kernel/io_uring_disabled");
  std::string v;
  std::getline(f, v);
  return v;
}

class IoUringEngine final : public EngineBase<IoUringEngine> {
 public:
  ~IoUringEngine() override {
    if (ring_ok_) io_uring_queue_exit(&ring_);
  }
  std::string_view name() const override { return "io_uring"; }
  EngineFeatures features() const override { return {}; }
  std::string error_hint() const override { return hint_; }

  int init(const EngineSetup& s) override {
    io_uring_params p{};
    unsigned base = 0;
    if (s.hipri) base |= IORING_SETUP_IOPOLL;
    if (s.sqthread_poll) {
      base |= IORING_SETUP_SQPOLL;
      if (s.sqthread_poll_cpu >= 0) {
        base |= IORING_SETUP_SQ_AFF;
        p.sq_thread_cpu = static_cast<unsigned>(s.sqthread_poll_cpu);
      }
      p.sq_thread_idle = 1000;
    }
    // Optional flags, best first: completions are processed only when this
    // thread waits for them (DEFER_TASKRUN, 6.1+), or at least without an
    // interrupt per completion (COOP_TASKRUN, 5.19+). Older kernels answer
    // EINVAL and get the next set.
    const unsigned extras[] = {IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
                               IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN, 0u};
    int rc = -EINVAL;
    for (unsigned extra : extras) {
      if (s.sqthread_poll && extra) continue;  // SQPOLL submits from a kernel thread
      io_uring_params q = p;
      q.flags = base | extra;
      rc = io_uring_queue_init_params(std::max(1u, s.iodepth), &ring_, &q);
      if (rc != -EINVAL) break;
    }
    if (rc < 0) {
      explain_setup_failure(rc, s);
      return rc;
    }
    ring_ok_ = true;
    events_.resize(s.iodepth);
    units_ = s.units;
    vectored_ = s.nonvectored == 0;
    if (vectored_ || s.fixedbufs) {
      iovs_.resize(units_->size());
      for (size_t i = 0; i < units_->size(); ++i) iovs_[i] = {(*units_)[i].buf, 0};
    }
    if (s.fixedbufs) {
      // Register each unit's whole buffer; the length used per I/O is u.len.
      std::vector<iovec> reg(units_->size());
      for (size_t i = 0; i < units_->size(); ++i) reg[i] = {(*units_)[i].buf, s.buf_len};
      rc = io_uring_register_buffers(&ring_, reg.data(), static_cast<unsigned>(reg.size()));
      if (rc < 0) {
        hint_ = fmt::format("io_uring: registering {} buffers (fixedbufs=1) failed: {}; raise the memlock limit (ulimit -l) or drop fixedbufs",
                            reg.size(), std::strerror(-rc));
        return rc;
      }
      fixedbufs_ = true;
    }
    if (s.registerfiles && !s.fds.empty()) {
      rc = io_uring_register_files(&ring_, s.fds.data(), static_cast<unsigned>(s.fds.size()));
      if (rc < 0) {
        hint_ = fmt::format("io_uring: registering {} files (registerfiles=1) failed: {}", s.fds.size(), std::strerror(-rc));
        return rc;
      }
      registered_ = true;
    }
    return 0;
  }

  QueueResult queue(IoUnit& u) override {
    if (u.dir == Dir::trim) {
      u.result = punch_hole(u);
      return QueueResult::completed;
    }
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (!sqe) [[unlikely]]
      return QueueResult::busy;
    const int fd = registered_ ? u.file : u.fd;
    if (fixedbufs_) {
      if (u.dir == Dir::read) io_uring_prep_read_fixed(sqe, fd, u.buf, u.len, u.offset, static_cast<int>(u.index));
      else io_uring_prep_write_fixed(sqe, fd, u.buf, u.len, u.offset, static_cast<int>(u.index));
    } else if (vectored_) {
      iovec& iov = iovs_[u.index];
      iov = {u.buf, u.len};
      if (u.dir == Dir::read) io_uring_prep_readv(sqe, fd, &iov, 1, u.offset);
      else io_uring_prep_writev(sqe, fd, &iov, 1, u.offset);
    } else {
      if (u.dir == Dir::read) io_uring_prep_read(sqe, fd, u.buf, u.len, u.offset);
      else io_uring_prep_write(sqe, fd, u.buf, u.len, u.offset);
    }
    if (registered_) sqe->flags |= IOSQE_FIXED_FILE;
    io_uring_sqe_set_data(sqe, &u);
    return QueueResult::queued;
  }

  int commit() override {
    int rc;
    do rc = io_uring_submit(&ring_);
    while (rc == -EINTR);
    return rc;
  }

  int reap(unsigned min, unsigned max) override {
    max = std::min<unsigned>(max, static_cast<unsigned>(events_.size()));
    unsigned n = 0;
    for (;;) {
      unsigned head, seen = 0;
      io_uring_cqe* cqe;
      io_uring_for_each_cqe(&ring_, head, cqe) {
        if (n == max) break;
        auto* u = static_cast<IoUnit*>(io_uring_cqe_get_data(cqe));
        u->result = cqe->res;
        events_[n++] = u;
        ++seen;
      }
      if (seen) io_uring_cq_advance(&ring_, seen);
      if (n >= min || n == max) return static_cast<int>(n);
      const int rc = io_uring_wait_cqe_nr(&ring_, &cqe, min - n);
      if (rc < 0 && rc != -EINTR && rc != -ETIME && rc != -EAGAIN) return rc;
    }
  }
  IoUnit* event(unsigned i) override { return events_[i]; }

 private:
  void explain_setup_failure(int rc, const EngineSetup& s) {
    const std::string err = fmt::format("{} ({})", rc == -ENOSYS ? "ENOSYS" : rc == -EPERM ? "EPERM" : rc == -ENOMEM ? "ENOMEM" : "error",
                                        std::strerror(-rc));
    if (rc == -ENOSYS)
      hint_ = fmt::format("io_uring_setup failed with {}: the kernel has no io_uring or a seccomp filter blocks it (e.g. a container's "
                          "default profile: podman's and Docker >= 25's block it); run the container with --security-opt "
                          "seccomp=docker/seccomp-io_uring.json (fiokit's profile that allows io_uring_setup/enter/register), "
                          "or use ioengine=libaio or psync", err);
    else if (rc == -EPERM)
      hint_ = fmt::format("io_uring_setup failed with {}: io_uring is disabled for this process (kernel.io_uring_disabled = {}, or not in "
                          "kernel.io_uring_group, or a seccomp filter such as Docker's default profile); set 'sysctl -w kernel.io_uring_disabled=0', "
                          "run the container with --security-opt seccomp=docker/seccomp-io_uring.json, or use ioengine=libaio or psync",
                          err, io_uring_disabled_value());
    else if (rc == -ENOMEM)
      hint_ = fmt::format("io_uring_setup failed with {} for iodepth={}: the locked-memory limit is too low; raise 'ulimit -l' or lower iodepth", err,
                          s.iodepth);
    else
      hint_ = fmt::format("io_uring_setup failed with {} (iodepth={}{}{})", err, s.iodepth, s.hipri ? ", hipri" : "",
                          s.sqthread_poll ? ", sqthread_poll" : "");
  }

  io_uring ring_{};
  bool ring_ok_ = false, fixedbufs_ = false, registered_ = false, vectored_ = false;
  std::vector<IoUnit>* units_ = nullptr;
  std::vector<iovec> iovs_;
  std::vector<IoUnit*> events_;
  std::string hint_;
};

}  // namespace

std::unique_ptr<IoEngine> make_io_uring_engine() { return std::make_unique<IoUringEngine>(); }

}  // namespace fiokit::engine
