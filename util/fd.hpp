// Fd and AlignedBuffer: the RAII owners of a file descriptor and of an aligned
// heap block, used by every stage instead of raw close()/free(). An Fd closes
// on destruction; close() is the one place that reports a failed close (data
// written through the descriptor may be lost, e.g. on NFS), so code that wrote
// a file calls it and checks the result while other code lets the destructor
// drop the error. Header-only, no dependency on any stage: util/ sits below
// jobs/ in the pipeline.
#pragma once
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <utility>

namespace fiokit::util {

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) noexcept : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) reset(std::exchange(o.fd_, -1));
    return *this;
  }
  ~Fd() { reset(); }

  int get() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  explicit operator bool() const noexcept { return valid(); }
  // Gives up ownership: the caller closes the returned descriptor.
  int release() noexcept { return std::exchange(fd_, -1); }
  // Closes the current descriptor (ignoring its close error) and owns `fd`.
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0 && fd_ != fd) ::close(fd_);
    fd_ = fd;
  }
  // Closes now: 0, or -errno when close(2) failed (the descriptor is gone either way).
  int close() noexcept {
    if (fd_ < 0) return 0;
    const int r = ::close(std::exchange(fd_, -1));
    return r == 0 ? 0 : -errno;
  }

 private:
  int fd_ = -1;
};

// A heap block aligned for O_DIRECT (posix_memalign), freed on destruction.
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  AlignedBuffer(AlignedBuffer&& o) noexcept
      : p_(std::exchange(o.p_, nullptr)), n_(std::exchange(o.n_, 0)) {}
  AlignedBuffer& operator=(AlignedBuffer&& o) noexcept {
    if (this != &o) {
      std::free(p_);
      p_ = std::exchange(o.p_, nullptr);
      n_ = std::exchange(o.n_, 0);
    }
    return *this;
  }
  ~AlignedBuffer() { std::free(p_); }

  // 0 or -errno (ENOMEM, EINVAL for an alignment that is not a power of two
  // multiple of sizeof(void*)); the old block is freed first.
  int allocate(size_t bytes, size_t alignment) noexcept {
    std::free(std::exchange(p_, nullptr));
    n_ = 0;
    void* p = nullptr;
    if (int e = ::posix_memalign(&p, alignment, bytes ? bytes : 1); e != 0) return -e;
    p_ = static_cast<unsigned char*>(p);
    n_ = bytes;
    return 0;
  }
  unsigned char* data() const noexcept { return p_; }
  size_t size() const noexcept { return n_; }

 private:
  unsigned char* p_ = nullptr;
  size_t n_ = 0;
};

}  // namespace fiokit::util
