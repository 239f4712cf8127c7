// ioengine=sync (lseek + read/write), psync (pread/pwrite) and pvsync
// (preadv/pwritev): the engines whose I/O is done when the system call
// returns, so queue() always answers Completed and there is no slat. They are
// one file because they differ only in the system call. Trim on a regular file
// is a hole punch (fallocate PUNCH_HOLE|KEEP_SIZE).
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "engine/io_loop.hpp"

namespace fiokit::engine {

// Shared by every engine that has no asynchronous trim.
int64_t punch_hole(const IoUnit& u) {
  if (::fallocate(u.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(u.offset), u.len) != 0) return -errno;
  return u.len;
}

namespace {

enum class SyncMode { sync, psync, pvsync };

template <SyncMode M>
class SyncEngine final : public EngineBase<SyncEngine<M>> {
 public:
  std::string_view name() const override {
    return M == SyncMode::sync ? "sync" : M == SyncMode::psync ? "psync" : "pvsync";
  }
  int init(const EngineSetup& s) override {
    last_pos_.assign(s.fds.size(), -1);
    return 0;
  }
  QueueResult queue(IoUnit& u) override {
    ssize_t r;
    if (u.dir == Dir::trim) {
      u.result = punch_hole(u);
      return QueueResult::completed;
    }
    const auto off = static_cast<off_t>(u.offset);
    if constexpr (M == SyncMode::psync) {
      r = u.dir == Dir::read ? ::pread(u.fd, u.buf, u.len, off) : ::pwrite(u.fd, u.buf, u.len, off);
    } else if constexpr (M == SyncMode::pvsync) {
      const iovec iov{u.buf, u.len};
      r = u.dir == Dir::read ? ::preadv(u.fd, &iov, 1, off) : ::pwritev(u.fd, &iov, 1, off);
    } else {
      // Seek only when the file position is not already there (sequential I/O
      // then costs one system call per I/O, as with fio's sync engine).
      int64_t& pos = last_pos_[u.file];
      if (pos != off && ::lseek(u.fd, off, SEEK_SET) < 0) {
        u.result = -errno;
        pos = -1;
        return QueueResult::completed;
      }
      r = u.dir == Dir::read ? ::read(u.fd, u.buf, u.len) : ::write(u.fd, u.buf, u.len);
      pos = r > 0 ? off + r : -1;
    }
    u.result = r < 0 ? -errno : r;
    return QueueResult::completed;
  }
  int commit() override { return 0; }
  int reap(unsigned, unsigned) override { return 0; }
  IoUnit* event(unsigned) override { return nullptr; }

 private:
  std::vector<int64_t> last_pos_;
};

}  // namespace

std::unique_ptr<IoEngine> make_sync_engine() { return std::make_unique<SyncEngine<SyncMode::sync>>(); }
std::unique_ptr<IoEngine> make_psync_engine() { return std::make_unique<SyncEngine<SyncMode::psync>>(); }
std::unique_ptr<IoEngine> make_pvsync_engine() { return std::make_unique<SyncEngine<SyncMode::pvsync>>(); }

}  // namespace fiokit::engine
