// IoBuffers: the one aligned arena a job's I/O units point into (iodepth
// buffers of the longest I/O, 4 KiB aligned for O_DIRECT), and what goes in
// them: fio's buffer contents (zero_buffers, buffer_pattern, buffer_compress_
// percentage/chunk, otherwise random data from the job's seed), the refill of
// a write's buffer (refill_buffers) and scramble_buffers' per-write stamp.
// Verify headers are the Verifier's business; the worker calls it instead.
#pragma once
#include <cstddef>
#include <cstdint>

#include "jobs/jobspec.hpp"
#include "util/fd.hpp"

namespace fiokit::engine {

// Alignment of the I/O buffer arena, and the unit every buffer length is
// rounded to (JobPlan::buf_len): O_DIRECT-safe on every common device.
inline constexpr size_t kBufAlign = 4096;

class IoBuffers {
 public:
  // `count` buffers of `unit_len` bytes, each filled as fio fills a new
  // buffer. Throws SetupError when the memory is not there.
  void allocate(const jobs::JobSpec& spec, size_t unit_len, uint32_t count, uint64_t seed);
  uint8_t* arena() const { return arena_.data(); }
  // Fills p[0, n) as the job's buffers are filled; `offset` varies the data.
  void fill(uint8_t* p, size_t n, uint64_t offset) const;
  // scramble_buffers: a few bytes per 512-byte sector change on every write,
  // so deduplicating storage cannot collapse the data.
  static void scramble(uint8_t* p, uint32_t len, uint64_t offset, uint64_t nth_io);

 private:
  const jobs::JobSpec* spec_ = nullptr;
  uint64_t seed_ = 0;
  util::AlignedBuffer arena_;
};

}  // namespace fiokit::engine
