// DedupeStream: which data a job's next write buffer gets when
// buffer_compress_percentage or dedupe_percentage is set, as fio 3.33 decides
// it. A job's buffer data is one stream of chunks (chunk k is a pure function
// of the job's buffer seed and k, see IoBuffers); a unique buffer takes the
// next chunks of its own stream, a duplicate starts where an earlier or a
// working-set buffer started, so it holds the same bytes. Kept apart from
// IoBuffers so the choice (fractions, seeds, working set) is testable alone.
#pragma once
#include <cstdint>
#include <vector>

#include "engine/offsets.hpp"
#include "jobs/jobspec.hpp"

namespace fiokit::engine {

// Where a buffer's data starts: chunk `pos` of the stream of the job whose
// buffer seed is `seed`; chunk k of the buffer is chunk pos + k x stride.
struct StreamPos {
  uint64_t seed = 0;
  uint64_t pos = 0;
  uint64_t stride = 1;
};

// What fio 3.33 does, read from its HOWTO and observed (1 MiB written in 4k
// blocks; distinct blocks / blocks that occur more than once):
//  - per buffer, a draw from 1..100 of the job's own generator; at or under
//    dedupe_percentage the buffer is a duplicate (20%: 197 distinct of 256,
//    50%: 118, 80%: 47);
//  - dedupe_mode=repeat: a duplicate gets the data the job's next unique
//    buffer will get (fio copies its buffer generator without advancing it),
//    so each duplicate equals a unique buffer written once in the file;
//  - dedupe_mode=working_set: the working set is the first W unique buffers
//    of the job's stream, W = size x dedupe_working_set_percentage / 100 /
//    the smallest write block; a duplicate is one of them, picked uniformly
//    by a second generator (10% of 1 MiB: W = 25, and exactly 25 contents
//    repeat; 50%: W = 128, 85 of them drawn);
//  - dedupe_percentage=100: every buffer is the job's first chunk over and
//    over (1 distinct 4k block, itself 8 equal 512-byte chunks: zlib 0.14);
//  - dedupe_global: job j's working set is cut into runs of max(W / jobs, 1)
//    pages; run r holds the first pages of job (j + r) mod jobs's stream, so
//    the jobs sharing it write each other's data (examples/dedupe-global.fio).
// The chunk count of a working-set page is min_write / chunk, as fio
// advances its generator once per chunk of a smallest write.
class DedupeStream {
 public:
  struct Setup {
    uint32_t percentage = 0;      // dedupe_percentage
    bool working_set = false;     // dedupe_mode=working_set
    uint64_t ws_pages = 0;        // W (working set only)
    uint64_t page_chunks = 1;     // chunks of one working-set page
    bool global = false;          // dedupe_global
    std::vector<uint64_t> job_seeds;  // every job's buffer seed, by job index (global)
    size_t job_index = 0;
  };
  // `seed`: this job's buffer seed (its chunks' data); the draws use
  // generators derived from it, so the same seed repeats the same choices.
  void init(const Setup& s, uint64_t seed);
  // The start of the next buffer, `chunks` chunks long.
  StreamPos next(uint64_t chunks);

  // W of a job (fio's rule above); 0 when the job has no working set.
  static uint64_t working_set_pages(const jobs::JobSpec& spec, uint64_t min_write);

  uint64_t uniques() const { return uniques_; }
  uint64_t duplicates() const { return dups_; }

 private:
  StreamPos page(uint64_t i) const;

  Setup s_;
  uint64_t seed_ = 0;
  uint64_t pos_ = 0;  // the next unique buffer's first chunk
  uint64_t uniques_ = 0, dups_ = 0;
  Rng draw_, pick_;
};

}  // namespace fiokit::engine
