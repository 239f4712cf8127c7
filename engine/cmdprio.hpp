// CmdPrio: which priority each I/O of a job with cmdprio_percentage or
// cmdprio_bssplit is sent with (issue 15, part prio), resolved once from the
// JobSpec into small tables so the per-I/O pick is a draw and a compare.
//
// What fio 3.33 does (engines/cmdprio.c, observed and documented in HOWTO
// "cmdprio_*"), and fiokit with it:
// - per direction (read, write; never trim), with cmdprio_percentage=P an
//   I/O draws r uniform in 0..99 and takes the cmdprio priority when r < P;
//   with cmdprio_bssplit the entries of the I/O's block size are walked in
//   order, adding their percentages, and the first whose running sum exceeds
//   r gives the priority (no draw when that size has no entry);
// - the priority is cmdprio_class << 13 | cmdprio (class 1, realtime, when
//   cmdprio_class is not given; a bssplit entry may carry its own);
// - each direction that can pick gets a table of distinct priorities, the
//   job's own at index 0, and its latencies are split per priority there
//   (JobResult dirs[d].prios); a direction that cannot pick keeps none.
// The draw uses a generator of its own seeded from the job's seed, so the
// split repeats for one seed (fio also draws from a stream of its own; the
// two streams differ, so the counts agree with fio's within sampling noise:
// a binomial share, e.g. 50% of 4096 I/Os within +-3.1% at 4 sigma).
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "engine/io_engine.hpp"
#include "engine/offsets.hpp"
#include "jobs/jobspec.hpp"
#include "results/run_result.hpp"

namespace fiokit::engine {

// fio's ioprio_value: class 0 means best effort (2).
inline uint16_t ioprio_value(uint32_t cls, uint32_t level) {
  return static_cast<uint16_t>(((cls ? cls : 2u) << 13) | level);
}

// ioprio_set(IOPRIO_WHO_PROCESS, 0, value) for the calling thread (fio's
// prio/prioclass on the job's thread; libaio and the sync engines inherit
// it): 0 or -errno.
int set_thread_ioprio(uint16_t value);

class CmdPrio {
 public:
  // Builds the tables; `dirs` gets one PrioStat per distinct priority for
  // each direction that can pick one. False when cmdprio is not in use.
  bool init(const jobs::JobSpec& spec, uint16_t job_ioprio, std::array<results::DirStats, 3>& dirs);
  bool active() const { return active_; }

  // Sets u.ioprio / u.prio_index / u.cmdprio when this I/O is picked.
  void pick(IoUnit& u, Rng& rng) const {
    const int d = idx(u.dir);
    if (d > 1) return;
    if (!bssplit_) {
      const Entry& e = perc_[d];
      if (!e.perc || static_cast<uint32_t>(rng.below(100)) >= e.perc) return;
      set(u, e);
      return;
    }
    for (const BsEntry& b : bs_[d]) {
      if (b.bs != u.len) continue;
      const auto r = static_cast<uint32_t>(rng.below(100));
      if (r >= b.total) return;
      uint32_t sum = 0;
      for (const Entry& e : b.entries) {
        sum += e.perc;
        if (r < sum) {
          set(u, e);
          return;
        }
      }
      return;
    }
  }

 private:
  struct Entry {
    uint32_t perc = 0;
    uint16_t ioprio = 0;
    uint8_t index = 0;
  };
  struct BsEntry {
    uint64_t bs = 0;
    uint32_t total = 0;
    std::vector<Entry> entries;
  };
  static void set(IoUnit& u, const Entry& e) {
    u.ioprio = e.ioprio;
    u.prio_index = e.index;
    u.cmdprio = true;
  }
  bool active_ = false, bssplit_ = false;
  std::array<Entry, 2> perc_{};
  std::array<std::vector<BsEntry>, 2> bs_{};
};

}  // namespace fiokit::engine
