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
  int init(const EngineSetup& s) override {
    depth_ = s.iodepth;
    queued_.assign(s.iodepth, nullptr);
    ready_.assign(s.iodepth, nullptr);
    return 0;
  }
  // fio's null engine, whose queue depth statistics fiokit must reproduce:
  // while a committed batch has not been reaped, queue() answers Busy, and a
  // reap returns the whole batch whatever its max. So with the default
  // iodepth_batch_submit=1 the depth stays at 1 (fio: IO depths 1=100% at
  // iodepth=32) and iodepth_batch_submit=N commits N at a time.
  QueueResult queue(IoUnit& u) override {
    u.result = u.len;
    if (depth_ == 1) return QueueResult::completed;
    if (nready_ || nqueued_ >= depth_) return QueueResult::busy;
    queued_[nqueued_++] = &u;
    return QueueResult::queued;
  }
  int commit() override {
    const int n = static_cast<int>(nqueued_);
    if (nready_) return 0;  // never happens: queue() refuses while a batch is out
    for (uint32_t i = 0; i < nqueued_; ++i) ready_[i] = queued_[i];
    nready_ = nqueued_;
    nqueued_ = 0;
    return n;
  }
  int reap(unsigned min, unsigned /*max*/) override {
    if (!min) return 0;
    const auto n = static_cast<int>(nready_);
    nready_ = 0;
    return n;
  }
  IoUnit* event(unsigned i) override { return ready_[i]; }

 private:
  uint32_t depth_ = 1, nqueued_ = 0, nready_ = 0;
  std::vector<IoUnit*> queued_, ready_;
};

}  // namespace

std::unique_ptr<IoEngine> make_null_engine() { return std::make_unique<NullEngine>(); }

}  // namespace fiokit::engine
