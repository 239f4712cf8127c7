// ioengine=libaio: Linux native AIO (io_setup / io_submit / io_getevents).
// Queued iocbs are submitted in one io_submit per commit; completions come from
// io_getevents, or with userspace_reap=1 and a non-blocking reap straight from
// the AIO completion ring the kernel maps into the process. Without O_DIRECT,
// Linux AIO is synchronous inside io_submit, as with fio. The engine's one
// option (userspace_reap) is defined here, beside the code that reads it.
#include <libaio.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "engine/io_loop.hpp"
#include "engine/libaio_engine.hpp"

namespace fiokit::engine {
namespace {

// IOCB_FLAG_IOPRIO from <linux/aio_abi.h> (Linux 4.18+): aio_reqprio is valid.
constexpr unsigned kIocbFlagIoprio = 1u << 1;

// The completion ring's header as the kernel lays it out (fs/aio.c ABI).
struct AioRing {
  unsigned id, nr, head, tail, magic, compat_features, incompat_features, header_length;
  // io_event entries follow the header.
};
constexpr unsigned kAioRingMagic = 0xa10a10a1;

std::string read_proc(const char* path) {
  std::ifstream f(path);
  std::string v;
  std::getline(f, v);
  return v.empty() ? "?" : v;
}

// The engine's option table (fio 3.33's engines/libaio.c names it so); only
// valid with ioengine=libaio (parse.cpp's cross-option pass checks).
const jobs::OwnedOptions<LibaioOptions>& options_table() {
  static const jobs::OwnedOptions<LibaioOptions> table({
      jobs::owned_flag(jobs::Opt("userspace_reap", "Reap libaio completions from the ring in user space instead of io_getevents")
                           .engines({"libaio"}).cat("I/O engine specific (libaio)"),
                       &LibaioOptions::userspace_reap),
  });
  return table;
}

class LibaioEngine final : public EngineBase<LibaioEngine> {
 public:
  ~LibaioEngine() override {
    if (ctx_) io_destroy(ctx_);
  }
  std::string_view name() const override { return "libaio"; }
  int init(const EngineSetup& s) override {
    try {
      userspace_reap_ = read_libaio_options(s.options).userspace_reap;
    } catch (const std::exception& e) {  // the job was not parsed with engine::option_catalog()
      hint_ = fmt::format("libaio: {}", e.what());
      return -EINVAL;
    }
    const int rc = io_setup(static_cast<int>(s.iodepth), &ctx_);
    if (rc < 0) {
      ctx_ = nullptr;
      if (rc == -EAGAIN)
        hint_ = fmt::format("io_setup({}) failed with EAGAIN: the system-wide AIO limit is used up (fs.aio-max-nr = {}, fs.aio-nr = {} in use); "
                            "raise it with 'sysctl -w fs.aio-max-nr=1048576', lower iodepth/numjobs, or use ioengine=io_uring or psync",
                            s.iodepth, read_proc("/proc/sys/fs/aio-max-nr"), read_proc("/proc/sys/fs/aio-nr"));
      else if (rc == -ENOSYS || rc == -EPERM)
        hint_ = fmt::format("io_setup failed with {} ({}): native AIO is not available to this process (kernel without "
                            "CONFIG_AIO or a seccomp filter); use ioengine=io_uring or psync",
                            rc == -ENOSYS ? "ENOSYS" : "EPERM", std::strerror(-rc));
      else
        hint_ = fmt::format("io_setup({}) failed: {}", s.iodepth, std::strerror(-rc));
      return rc;
    }
    iocbs_.resize(s.units->size());
    pending_.resize(s.iodepth);
    events_.resize(s.iodepth);
    done_.resize(s.iodepth);
    return 0;
  }
  std::string error_hint() const override { return hint_; }
  QueueResult queue(IoUnit& u) override {
    if (u.dir == Dir::trim) {
      u.result = punch_hole(u);
      return QueueResult::completed;
    }
    iocb& cb = iocbs_[u.index];
    if (u.dir == Dir::read) io_prep_pread(&cb, u.fd, u.buf, u.len, static_cast<long long>(u.offset));
    else io_prep_pwrite(&cb, u.fd, u.buf, u.len, static_cast<long long>(u.offset));
    // cmdprio: the picked priority rides on the request (IOCB_FLAG_IOPRIO,
    // <linux/aio_abi.h>); other I/Os keep the thread's, set by prio/prioclass.
    // io_prep_* clear both fields, so an unpicked reuse of cb sends none.
    if (u.cmdprio) {
      cb.aio_reqprio = static_cast<short>(u.ioprio);
      cb.u.c.flags |= kIocbFlagIoprio;
    }
    cb.data = &u;
    pending_[npending_++] = &cb;
    return QueueResult::queued;
  }
  int commit() override {
    uint32_t done = 0;
    while (done < npending_) {
      const int r = io_submit(ctx_, static_cast<long>(npending_ - done), pending_.data() + done);
      if (r == -EINTR) continue;
      if (r < 0) {
        npending_ = 0;
        return r;
      }
      done += static_cast<uint32_t>(r);
    }
    npending_ = 0;
    return static_cast<int>(done);
  }
  int reap(unsigned min, unsigned max) override {
    max = std::min<unsigned>(max, static_cast<unsigned>(events_.size()));
    int n;
    if (userspace_reap_ && min == 0) {
      n = reap_ring(max);
      if (n < 0) n = 0;
    } else {
      do n = io_getevents(ctx_, min, max, events_.data(), nullptr);
      while (n == -EINTR);
      if (n < 0) return n;
    }
    for (int i = 0; i < n; ++i) {
      auto* u = static_cast<IoUnit*>(events_[i].data);
      u->result = static_cast<long>(events_[i].res);
      done_[i] = u;
    }
    return n;
  }
  IoUnit* event(unsigned i) override { return done_[i]; }

 private:
  // Completions straight from the mapped ring, no system call; the kernel only
  // advances tail, we own head.
  int reap_ring(unsigned max) {
    auto* ring = reinterpret_cast<AioRing*>(ctx_);
    if (ring->magic != kAioRingMagic) return -1;
    unsigned head = ring->head, n = 0;
    const unsigned tail = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE);
    while (head != tail && n < max) {
      events_[n++] = reinterpret_cast<const io_event*>(ring + 1)[head];
      head = (head + 1) % ring->nr;
    }
    __atomic_store_n(&ring->head, head, __ATOMIC_RELEASE);
    return static_cast<int>(n);
  }

  io_context_t ctx_ = nullptr;
  bool userspace_reap_ = false;
  std::vector<iocb> iocbs_;
  std::vector<iocb*> pending_;
  uint32_t npending_ = 0;
  std::vector<io_event> events_;
  std::vector<IoUnit*> done_;
  std::string hint_;
};

}  // namespace

std::unique_ptr<IoEngine> make_libaio_engine() { return std::make_unique<LibaioEngine>(); }

std::vector<jobs::OptionDef> libaio_option_defs() { return options_table().defs(); }

LibaioOptions read_libaio_options(const jobs::EngineOptionValues& v) { return options_table().read(v); }

}  // namespace fiokit::engine
