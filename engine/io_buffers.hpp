// IoBuffers: the one aligned arena a job's I/O units point into (iodepth
// buffers of the longest I/O, 4 KiB aligned for O_DIRECT), and what goes in
// them: fio's buffer contents (zero_buffers, buffer_pattern, buffer_compress_
// percentage/chunk, otherwise random data from the job's seed), the refill of
// a write's buffer (refill_buffers, dedupe_percentage through DedupeStream)
// and scramble_buffers' per-write stamp. Verify headers are the Verifier's
// business; the worker calls it instead.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/dedupe.hpp"
#include "jobs/jobspec.hpp"
#include "util/fd.hpp"

namespace fiokit::engine {

// Alignment of the I/O buffer arena, and the unit every buffer length is
// rounded to (JobPlan::buf_len): O_DIRECT-safe on every common device.
inline constexpr size_t kBufAlign = 4096;

class IoBuffers {
 public:
  // `count` buffers of `unit_len` bytes, each filled as fio fills a new
  // buffer. `seed` is the job's buffer seed (buffer_seed()); `min_write` the
  // smallest write block (fio's chunk and working-set page); `job_seeds`
  // every job's buffer seed by job index, for dedupe_global. Throws
  // SetupError when the memory is not there.
  void allocate(const jobs::JobSpec& spec, size_t unit_len, uint32_t count, uint64_t seed, uint64_t min_write = 0,
                const std::vector<uint64_t>& job_seeds = {});
  uint8_t* arena() const { return arena_.data(); }
  // Fills p[0, n) as the job's buffers are filled; `offset` varies the data
  // (buffer_pattern, zero_buffers or plain random data).
  void fill(uint8_t* p, size_t n, uint64_t offset) const;
  // A write's buffer made anew (refill_buffers): with buffer_compress_
  // percentage or dedupe_percentage the next buffer of the job's stream (a
  // duplicate or a unique one), otherwise fill(p, n, key).
  void refill(uint8_t* p, size_t n, uint64_t key);
  // Chunks of the stream from `at` on: per chunk, its random share, then
  // zeros or buffer_pattern (the compressible share).
  void fill_chunks(uint8_t* p, size_t n, StreamPos at) const;
  // Whether a job's writes get a fresh buffer each (fio 3.33: refill_buffers,
  // dedupe_percentage, or buffer_compress_percentage below 100 unless
  // refill_buffers is given).
  static bool refills(const jobs::JobSpec& spec);
  // A job's buffer seed: from randseed and the job's index when repeatable
  // (two jobs write different data, as in fio), random otherwise.
  static uint64_t buffer_seed(const jobs::JobSpec& spec);
  const DedupeStream& stream() const { return stream_; }
  // scramble_buffers: a few bytes per 512-byte sector change on every write,
  // so deduplicating storage cannot collapse the data.
  static void scramble(uint8_t* p, uint32_t len, uint64_t offset, uint64_t nth_io);

 private:
  const jobs::JobSpec* spec_ = nullptr;
  uint64_t seed_ = 0;
  bool chunked_ = false;   // compress or dedupe: data comes from the stream
  uint32_t compress_ = 0;  // the random share is 100 - compress_ percent
  size_t chunk_ = 512;     // fio: min(smallest write, buffer_compress_chunk)
  DedupeStream stream_;
  util::AlignedBuffer arena_;
};

}  // namespace fiokit::engine
