// JobPlan: every choice the I/O loop would otherwise make per I/O, resolved
// once from a job's JobSpec, its files and its engine's features (elbencho's
// initPhaseFunctionPointers idea, DESIGN.md rule 6): which inline offset path
// applies, the block-size tables, the random map's block, the depth and batch
// limits, the seeds, the rate costs, the loop's byte and I/O limits, the size
// of each unit's buffer. Immutable once made; it opens nothing, so a test can
// build one from a parsed JobSpec and check each choice.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/io_engine.hpp"
#include "engine/io_queue.hpp"
#include "engine/offsets.hpp"
#include "jobs/jobspec.hpp"
#include "volumes/layout.hpp"

namespace fiokit::engine {

// file_service_type=zipf/pareto/normal: values per file (fio's FIO_FSERVICE_SHIFT).
inline constexpr int kFileServiceShift = 10;

struct JobPlan {
  // Throws SetupError(EINVAL) for a block size the loop cannot carry.
  // `seed` is the job's seed before the clone mix (see job_seed).
  // `replay` (read_iolog): the log's I/O replaces the generated pattern.
  JobPlan(const jobs::JobSpec& spec, const std::vector<volumes::FileTarget>& targets, const EngineFeatures& feat, uint64_t seed,
          const volumes::IoLog* replay = nullptr);

  // ---- the I/O pattern ----
  bool random = false;        // rw=rand*
  bool use_map = true;        // !norandommap: each block once per pass
  bool use_bitmap = false;    // the random map as fio's bitmap (I/Os longer than its block)
  bool lfsr = false;          // random_generator=lfsr
  bool taus64 = false;        // norandommap draws from tausworthe64
  bool mixed = false;         // rw, randrw, trimwrite: the direction is drawn per I/O
  bool trimwrite = false;     // a trim, then a write of the same block
  bool zoned = false;         // zonemode=strided
  bool writes = false;        // the job writes (verify_only does not)
  bool fixed_bs = true;       // one block size for every direction in use
  bool single_file = true;
  bool fast_seq = false;      // prep_io's inline sequential path applies
  bool seq_backward = false;  // rw=read:-8k: sequential offsets step backwards (Worker::backward_offset)
  bool seq_holes = false;     // rw=read:8k: a hole after each sequential I/O (Worker::hole_offset)
  bool fast_rand = false;     // prep_io's inline random-map path applies
  Dir fixed_dir = Dir::read;  // the first direction in use
  uint32_t fixed_len = 4096;  // the block size when fixed_bs
  uint64_t unit_bytes = 4096; // the random map's block (and offset alignment)
  uint64_t max_len = 4096;    // the longest I/O
  uint64_t min_len[3] = {4096, 4096, 4096};                    // shortest block per direction
  std::vector<std::pair<uint32_t, uint64_t>> bssplit_cum[3];  // cumulative percent, bs
  uint64_t max_blocks = 1;    // blocks of the largest file
  uint64_t total_bytes = 0;   // all files' regions
  BlockDistribution dist[3];  // random_distribution per direction
  BlockDistribution file_dist;  // file_service_type=zipf/pareto/normal

  // ---- limits ----
  uint64_t loop_limit_bytes = 0, loop_limit_ios = 0;  // one loop's work (size/io_size, number_ios)
  IoQueue::Limits queue;
  size_t buf_len = 4096;      // bytes of each unit's buffer (max_len, 4 KiB aligned)

  // ---- seeds, pacing, engine ----
  uint64_t seed = 0;          // this clone's seed: every generator derives from it
  int64_t rate_ns_per_io[3] = {};
  double rate_ns_per_byte[3] = {};
  bool rated = false;         // rate= / rate_iops=
  bool thinking = false;      // thinktime=
  bool min_rate = false;      // rate_min= / rate_iops_min=
  bool sync_engine = false;   // the engine completes inside queue()
  bool fakes_io = false;      // the engine fakes its I/O (null): an fsync=N completes at once, without a file
  bool verify = false;        // verify= other than none
  bool verifying_reads = false;  // a read job checks what it reads
  bool stamp_writes = false;  // each write's buffer is re-filled before it goes out
};

// The job's seed: randrepeat (fio's default) makes runs repeatable from
// randseed; otherwise a fresh one. JobPlan mixes in the clone index, so clones
// of one job differ and the same job in another run does not.
uint64_t job_seed(const jobs::JobSpec& spec);

}  // namespace fiokit::engine
