// ioengine=io_uring through liburing, with its options beside it (as fio's
// engines/io_uring.c keeps engine, option table and flags together): hipri
// (polled completions, IORING_SETUP_IOPOLL; needs direct=1), fixedbufs
// (buffers registered once, READ_FIXED/WRITE_FIXED), registerfiles (files
// registered, IOSQE_FIXED_FILE), sqthread_poll[_cpu] (a kernel thread polls the
// SQ, so submission needs no system call), nonvectored (a tri-state: 0
// readv/writev, 1 plain read/write, -1 plain when the kernel has it). The ring
// is created per job with SINGLE_ISSUER and COOP_TASKRUN when the kernel has
// them (one thread owns the ring; no IPI per completion), falling back to plain
// flags on older kernels. probe_io_uring() tells whether io_uring may be used.
#include <liburing.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sys/uio.h>
#include <vector>

#include <fmt/format.h>

#include "engine/io_loop.hpp"
#include "engine/io_uring_engine.hpp"

namespace fiokit::engine {
namespace {

std::string io_uring_disabled_value() {
  std::ifstream f("/proc/sys/kernel/io_uring_disabled");
  std::string v;
  std::getline(f, v);
  return v;
}

// The engine's option table: names, help and ranges as fio 3.33 spells them;
// only valid with ioengine=io_uring (parse.cpp's cross-option pass checks).
const jobs::OwnedOptions<IoUringOptions>& options_table() {
  using jobs::Opt;
  using O = IoUringOptions;
  static const std::string cat = "I/O engine specific (io_uring)";
  static const jobs::OwnedOptions<O> table({
      jobs::owned_flag(Opt("hipri", "Poll for completions (IORING_SETUP_IOPOLL); needs direct=1 and a polling-capable device")
                           .engines({"io_uring"}).cat(cat), &O::hipri),
      jobs::owned_flag(Opt("fixedbufs", "Register the I/O buffers with the kernel once (IORING_REGISTER_BUFFERS)")
                           .engines({"io_uring"}).cat(cat), &O::fixedbufs),
      jobs::owned_flag(Opt("registerfiles", "Register the files with the ring once (IORING_REGISTER_FILES)")
                           .engines({"io_uring"}).cat(cat), &O::registerfiles),
      jobs::owned_flag(Opt("sqthread_poll", "Let a kernel thread poll the submission queue (IORING_SETUP_SQPOLL)")
                           .engines({"io_uring"}).cat(cat), &O::sqthread_poll),
      jobs::owned_custom<O>(Opt("sqthread_poll_cpu", "CPU for the submission-queue polling thread").min(0).engines({"io_uring"}).cat(cat),
                            jobs::OptType::integer,
                            [](O& o, const std::string& v, const jobs::ApplyCtx&) {
                              const int64_t cpu = jobs::parse_int(v);
                              if (cpu > 4095) throw jobs::ValueError("CPU number above 4095");
                              o.sqthread_poll_cpu = static_cast<int>(cpu);
                            }),
      jobs::owned_tri(Opt("nonvectored", "Use plain read/write ring commands instead of readv/writev (1), or not (0); -1 lets the engine pick")
                          .def("-1").engines({"io_uring"}).cat(cat), &O::nonvectored),
      // fio's io_uring options fiokit does not implement: refused by name.
      jobs::owned_unsupported<O>(Opt("force_async", "Mark every Nth io_uring request IOSQE_ASYNC").type(jobs::OptType::integer).cat(cat)
                                     .unsupported("not implemented by the io_uring engine")),
      jobs::owned_unsupported<O>(Opt("uncached", "Use RWF_UNCACHED for buffered I/O").type(jobs::OptType::integer).cat(cat)
                                     .unsupported("not implemented by the io_uring engine")),
  });
  return table;
}

// Direct I/O buffers up to this many bytes in all are registered on their own
// (auto_register): registered buffers stay pinned for the whole job.
constexpr size_t kAutoRegisterMax = size_t{64} << 20;

bool auto_register_enabled() {
  const char* v = std::getenv("FIOKIT_URING_REGISTER");
  return !v || std::string_view(v) != "0";
}

// What to do when io_uring_setup answers ENOSYS or EPERM: written once, for
// the engine's setup failure and for probe_io_uring (the container's warning).
std::string blocked_hint(int rc) {
  const std::string err = fmt::format("{} ({})", rc == -ENOSYS ? "ENOSYS" : "EPERM", std::strerror(-rc));
  if (rc == -ENOSYS)
    return fmt::format("io_uring_setup failed with {}: the kernel has no io_uring or a seccomp filter blocks it (e.g. a container's "
                       "default profile: podman's and Docker >= 25's block it); run the container with --security-opt "
                       "seccomp=docker/seccomp-io_uring.json (fiokit's profile that allows io_uring_setup/enter/register, "
                       "see docker/README.md), or use ioengine=libaio or psync", err);
  return fmt::format("io_uring_setup failed with {}: io_uring is disabled for this process (kernel.io_uring_disabled = {}, or not in "
                     "kernel.io_uring_group, or a seccomp filter such as Docker's default profile); set 'sysctl -w kernel.io_uring_disabled=0', "
                     "run the container with --security-opt seccomp=docker/seccomp-io_uring.json, or use ioengine=libaio or psync",
                     err, io_uring_disabled_value());
}

class IoUringEngine final : public EngineBase<IoUringEngine> {
 public:
  ~IoUringEngine() override {
    if (ring_ok_) io_uring_queue_exit(&ring_);
  }
  std::string_view name() const override { return "io_uring"; }
  std::string error_hint() const override { return hint_; }
  const char* io_error_hint(int err) const override {
    return err == EOPNOTSUPP && opts_.hipri ? " (hipri=1 needs polled I/O: direct=1 on a device with poll queues, e.g. nvme.poll_queues=N)" : "";
  }

  int init(const EngineSetup& s) override {
    try {
      opts_ = read_io_uring_options(s.options);
    } catch (const std::exception& e) {  // the job was not parsed with engine::option_catalog()
      hint_ = fmt::format("io_uring: {}", e.what());
      return -EINVAL;
    }
    const IoUringOptions& o = opts_;
    io_uring_params p{};
    unsigned base = 0;
    if (o.hipri) base |= IORING_SETUP_IOPOLL;
    if (o.sqthread_poll) {
      base |= IORING_SETUP_SQPOLL;
      if (o.sqthread_poll_cpu) {
        base |= IORING_SETUP_SQ_AFF;
        p.sq_thread_cpu = static_cast<unsigned>(*o.sqthread_poll_cpu);
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
      if (o.sqthread_poll && extra) continue;  // SQPOLL submits from a kernel thread
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
    vectored_ = !use_plain_read_write(o.nonvectored, o.nonvectored == jobs::Tri::automatic && has_read_write());
    if (vectored_ || o.fixedbufs) {
      iovs_.resize(units_->size());
      for (size_t i = 0; i < units_->size(); ++i) iovs_[i] = {(*units_)[i].buf, 0};
    }
    // fixedbufs=1 / registerfiles=1 as asked, or on their own where they
    // cannot change what is measured (auto_register): direct I/O, whose
    // every request otherwise pins its buffer's pages and takes a reference
    // on its file in the kernel. The device sees the same requests; only the
    // kernel's CPU per I/O drops (measured on a file at qd32: sys time per
    // I/O -13%). A registration the kernel refuses (memlock limit, a buffer
    // it cannot pin) then costs nothing: the ring goes on as fio's would.
    // FIOKIT_URING_REGISTER=0 turns it off, for comparing the plain path.
    const bool auto_reg = s.direct && auto_register_enabled();
    if (o.fixedbufs || (auto_reg && units_->size() * s.buf_len <= kAutoRegisterMax)) {
      // Register each unit's whole buffer; the length used per I/O is u.len.
      std::vector<iovec> reg(units_->size());
      for (size_t i = 0; i < units_->size(); ++i) reg[i] = {(*units_)[i].buf, s.buf_len};
      rc = io_uring_register_buffers(&ring_, reg.data(), static_cast<unsigned>(reg.size()));
      if (rc < 0 && o.fixedbufs) {
        hint_ = fmt::format("io_uring: registering {} buffers (fixedbufs=1) failed: {}; raise the memlock limit (ulimit -l) or drop fixedbufs",
                            reg.size(), std::strerror(-rc));
        return rc;
      }
      fixedbufs_ = rc == 0;
    }
    const bool all_open = std::none_of(s.fds.begin(), s.fds.end(), [](int fd) { return fd < 0; });
    if ((o.registerfiles || (auto_reg && all_open)) && s.fds_stable && !s.fds.empty()) {
      rc = io_uring_register_files(&ring_, s.fds.data(), static_cast<unsigned>(s.fds.size()));
      if (rc < 0 && o.registerfiles) {
        hint_ = fmt::format("io_uring: registering {} files (registerfiles=1) failed: {}", s.fds.size(), std::strerror(-rc));
        return rc;
      }
      registered_ = rc == 0;
    }
    // The ring's own descriptor, registered, spares every io_uring_enter a
    // file lookup (5.18+; older kernels refuse and nothing changes).
    if (auto_reg) (void)io_uring_register_ring_fd(&ring_);
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
    // The job's priority (prio/prioclass) or its cmdprio pick, in every
    // request as fio 3.33 does: a submission thread (sqthread_poll) would not
    // inherit the job thread's ioprio_set.
    sqe->ioprio = u.ioprio;
    io_uring_sqe_set_data(sqe, &u);
    return QueueResult::queued;
  }

  // As fio 3.33's commit, the submitting io_uring_enter also asks for events
  // (IORING_ENTER_GETEVENTS with min_complete 0): it does not wait, but under
  // DEFER_TASKRUN it posts every completion that has arrived meanwhile, so the
  // reap that follows mostly finds them in the CQ ring and needs no second
  // io_uring_enter (1.09 enters per I/O before, 1.03 as fio, at qd32 on a
  // file). The I/Os are still stamped issued after this call returns, as fio
  // stamps them, so slat and clat keep their meaning. Under sqthread_poll
  // the kernel thread submits: a plain submit enters only to wake it.
  int commit() override {
    int rc;
    do rc = opts_.sqthread_poll ? io_uring_submit(&ring_) : io_uring_submit_and_get_events(&ring_);
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
  // fio's nonvectored=-1 probe: does this kernel's ring know IORING_OP_READ
  // and IORING_OP_WRITE (5.6+)? If the probe itself fails, no (readv/writev is
  // always safe), as fio decides.
  bool has_read_write() {
    io_uring_probe* pr = io_uring_get_probe_ring(&ring_);
    if (!pr) return false;
    const bool ok = io_uring_opcode_supported(pr, IORING_OP_READ) && io_uring_opcode_supported(pr, IORING_OP_WRITE);
    io_uring_free_probe(pr);
    return ok;
  }

  void explain_setup_failure(int rc, const EngineSetup& s) {
    const std::string err = fmt::format("{} ({})", rc == -ENOMEM ? "ENOMEM" : "error", std::strerror(-rc));
    if (rc == -ENOSYS || rc == -EPERM)
      hint_ = blocked_hint(rc);
    else if (rc == -ENOMEM)
      hint_ = fmt::format("io_uring_setup failed with {} for iodepth={}: the locked-memory limit is too low; raise 'ulimit -l' or lower iodepth", err,
                          s.iodepth);
    else
      hint_ = fmt::format("io_uring_setup failed with {} (iodepth={}{}{})", err, s.iodepth, opts_.hipri ? ", hipri" : "",
                          opts_.sqthread_poll ? ", sqthread_poll" : "");
  }

  io_uring ring_{};
  IoUringOptions opts_;
  bool ring_ok_ = false, fixedbufs_ = false, registered_ = false, vectored_ = false;
  std::vector<IoUnit>* units_ = nullptr;
  std::vector<iovec> iovs_;
  std::vector<IoUnit*> events_;
  std::string hint_;
};

}  // namespace

std::unique_ptr<IoEngine> make_io_uring_engine() { return std::make_unique<IoUringEngine>(); }

std::vector<jobs::OptionDef> io_uring_option_defs() { return options_table().defs(); }

IoUringOptions read_io_uring_options(const jobs::EngineOptionValues& v) { return options_table().read(v); }

bool use_plain_read_write(jobs::Tri nonvectored, bool kernel_has_read_write) {
  return nonvectored == jobs::Tri::on || (nonvectored == jobs::Tri::automatic && kernel_has_read_write);
}

IoUringProbe probe_io_uring() {
  io_uring ring{};
  const int rc = io_uring_queue_init(1, &ring, 0);
  if (rc == 0) {
    io_uring_queue_exit(&ring);
    return {};
  }
  IoUringProbe p;
  p.err = -rc;
  if (rc != -ENOSYS && rc != -EPERM) {
    p.status = IoUringProbe::Status::failed;
    p.hint = fmt::format("io_uring_setup failed: {}", std::strerror(-rc));
    return p;
  }
  const std::string disabled = io_uring_disabled_value();
  if (!disabled.empty() && disabled != "0") {
    p.status = IoUringProbe::Status::disabled;
    p.hint = fmt::format("io_uring is disabled on this host (kernel.io_uring_disabled = {}); the host's administrator can set it "
                         "to 0, or use ioengine=libaio", disabled);
    return p;
  }
  p.status = IoUringProbe::Status::blocked;
  p.hint = blocked_hint(rc);
  return p;
}

}  // namespace fiokit::engine
