// ioengine=ftruncate and falloc: engines whose "I/O" changes a file's shape
// instead of moving data, as fio 3.33's engines/ftruncate.c and falloc.c
// define them. ftruncate: every write truncates the file to the I/O's offset
// (so rw=write grows it block by block, randwrite resizes it at random); a
// read or trim is EINVAL, as in fio. falloc: a write is fallocate(mode 0)
// of the I/O's range (allocates and may extend the file), a read
// fallocate(KEEP_SIZE), a trim a hole punch (PUNCH_HOLE|KEEP_SIZE). Both
// complete inside queue() like the sync engines and are timed the same way
// (clat = lat, no slat); a completed operation counts the I/O's length.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "engine/io_loop.hpp"

namespace fiokit::engine {
namespace {

enum class Shape { ftruncate, falloc };

template <Shape S>
class ShapeEngine final : public EngineBase<ShapeEngine<S>> {
 public:
  std::string_view name() const override { return S == Shape::ftruncate ? "ftruncate" : "falloc"; }
  int init(const EngineSetup&) override { return 0; }
  QueueResult queue(IoUnit& u) override {
    const auto off = static_cast<off_t>(u.offset);
    int rc;
    if constexpr (S == Shape::ftruncate) {
      if (u.dir != Dir::write) {
        u.result = -EINVAL;
        return QueueResult::completed;
      }
      rc = ::ftruncate(u.fd, off);
    } else {
      const int mode = u.dir == Dir::read ? FALLOC_FL_KEEP_SIZE : u.dir == Dir::write ? 0 : FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
      rc = ::fallocate(u.fd, mode, off, u.len);
    }
    u.result = rc == 0 ? static_cast<int64_t>(u.len) : -errno;
    return QueueResult::completed;
  }
  int commit() override { return 0; }
  int reap(unsigned, unsigned) override { return 0; }
  IoUnit* event(unsigned) override { return nullptr; }
  const char* io_error_hint(int err) const override {
    if constexpr (S == Shape::ftruncate)
      return err == EINVAL ? " (ftruncate: only writes are truncations; use rw=write or randwrite)" : " (ftruncate failed)";
    else
      return err == EOPNOTSUPP ? " (falloc: this filesystem does not support this fallocate mode)" : " (fallocate failed)";
  }
};

}  // namespace

std::unique_ptr<IoEngine> make_ftruncate_engine() { return std::make_unique<ShapeEngine<Shape::ftruncate>>(); }
std::unique_ptr<IoEngine> make_falloc_engine() { return std::make_unique<ShapeEngine<Shape::falloc>>(); }

}  // namespace fiokit::engine
