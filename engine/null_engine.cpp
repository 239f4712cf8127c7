// ioengine=null: moves no data. At iodepth 1 every I/O completes inside
// queue(); deeper, I/Os are queued, "complete" at commit and come back from
// reap, like fio's null engine, so the async path of the loop (slat, batching,
// depth statistics) is exercised without a device. It is the yardstick for the
// engine's own per-I/O overhead, so it does nothing it does not have to.
#include <vector>

#include "engine/io_loop.hpp"

namespace fiokit::engine {
namespace {

class NullEngine final : public EngineBase<NullEngine> {
 public:
  std::string_view name() const override { return "null"; }
  EngineFeatures features() const override { return {.sync = false, .diskless = true, .needs_fds = false}; }
  int init(const EngineSetup& s) override {
    depth_ = s.iodepth;
    queued_.assign(s.iodepth, nullptr);
    ready_.assign(s.iodepth, nullptr);
    return 0;
  }
  QueueResult queue(IoUnit& u) override {
    u.result = u.len;
    if (depth_ == 1) return QueueResult::completed;
    if (nqueued_ + nready_ >= depth_) return QueueResult::busy;
    queued_[nqueued_++] = &u;
    return QueueResult::queued;
  }
  int commit() override {
    const int n = static_cast<int>(nqueued_);
    for (uint32_t i = 0; i < nqueued_; ++i) ready_[nready_++] = queued_[i];
    nqueued_ = 0;
    return n;
  }
  int reap(unsigned /*min*/, unsigned max) override {
    const uint32_t n = std::min<uint32_t>(nready_, max);
    nready_ -= n;
    base_ = nready_;
    return static_cast<int>(n);
  }
  IoUnit* event(unsigned i) override { return ready_[base_ + i]; }

 private:
  uint32_t depth_ = 1, nqueued_ = 0, nready_ = 0, base_ = 0;
  std::vector<IoUnit*> queued_, ready_;
};

}  // namespace

std::unique_ptr<IoEngine> make_null_engine() { return std::make_unique<NullEngine>(); }

}  // namespace fiokit::engine
