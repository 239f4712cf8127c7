// IoQueue: the I/O units of one job and where each one is — free, queued
// (handed to the engine, not yet committed) or in flight (committed, not yet
// reaped) — with the depth and batch limits the loop obeys and the counters
// behind fio's "IO depths / submit / complete" lines. The loop (io_loop.hpp)
// is the only code that moves units; everything here is inline because it runs
// once or twice per I/O (DESIGN.md rule 6). The units' storage is fixed for
// the job's life: engines register their buffers and index per-unit state by
// IoUnit::index.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "engine/io_engine.hpp"
#include "results/run_result.hpp"

namespace fiokit::engine {

class IoQueue {
 public:
  // The loop's limits, resolved once by JobPlan (fio's iodepth, iodepth_batch_
  // submit, iodepth_batch_complete_min/max, iodepth_low).
  struct Limits {
    uint32_t depth = 1, batch_submit = 1, complete_min = 1, complete_max = 1, low_water = 1;
    bool polling = false;  // complete_min = max = 0: reap after every queued I/O
  };

  // `depth` units, unit i's buffer at arena + i * unit_len; all free.
  void init(const Limits& lim, uint8_t* arena, size_t unit_len) {
    lim_ = lim;
    units_.assign(lim.depth, IoUnit{});
    free_.clear();
    free_.reserve(lim.depth);
    for (uint32_t i = 0; i < lim.depth; ++i) {
      units_[i].buf = arena ? arena + static_cast<size_t>(i) * unit_len : nullptr;
      units_[i].index = i;
    }
    // Unit 0 is handed out first (the free list is a stack).
    for (uint32_t i = lim.depth; i-- > 0;) free_.push_back(&units_[i]);
    queued_.assign(lim.depth, nullptr);
    out_.assign(lim.depth, 0);
    nqueued_ = inflight_ = 0;
    cap_ = lim.depth;
  }
  // Where submit/complete counts go (the job's result; reset by ramp_time).
  void bind_stats(results::DepthStats* s) { stats_ = s; }

  const Limits& limits() const { return lim_; }
  std::vector<IoUnit>& units() { return units_; }
  uint32_t inflight() const { return inflight_; }
  uint32_t queued() const { return nqueued_; }
  size_t free_count() const { return free_.size(); }
  // Room for another I/O below the depth in force: iodepth, or the
  // latency_target search's depth (fio's queue_full: units out >= latency_qd).
  bool has_room() const { return inflight_ + nqueued_ < cap_; }
  bool full() const { return inflight_ >= cap_; }
  // latency_target: the search's depth, within 1..iodepth; units already out
  // above it complete normally (fio drains them only when it ramps down).
  void set_cap(uint32_t n) { cap_ = std::clamp<uint32_t>(n, 1, lim_.depth); }
  uint32_t cap() const { return cap_; }

  IoUnit& next_free() const { return *free_.back(); }
  void take_free() {
    out_[free_.back()->index] = 1;
    free_.pop_back();
  }
  void put_free(IoUnit* u) {
    out_[u->index] = 0;
    free_.push_back(u);
  }
  // serialize_overlap: how many other units that are out (queued or in
  // flight) overlap u's byte range. fio 3.33 (in_flight_overlap) compares
  // offsets and lengths only, not files; so do we, so that a multi-file job
  // is held back exactly where fio holds it.
  uint32_t overlapping_out(const IoUnit& u) const {
    const uint64_t a = u.offset, b = u.offset + u.len;
    uint32_t n = 0;
    for (const IoUnit& o : units_)
      n += out_[o.index] && &o != &u && a < o.offset + o.len && o.offset < b;
    return n;
  }

  // Queued in the engine; true when the batch is full and is to be committed.
  bool add_queued(IoUnit* u) {
    queued_[nqueued_++] = u;
    return nqueued_ >= lim_.batch_submit;
  }
  // A commit succeeded at `t`: the queued units are in flight from then.
  void submitted(uint64_t t) {
    for (uint32_t i = 0; i < nqueued_; ++i) queued_[i]->issue_ns = t;
    inflight_ += nqueued_;
    count_submit(nqueued_);
    nqueued_ = 0;
  }
  // The same without the time: the engine stamps issue_ns itself (offload).
  void submitted_unstamped() {
    inflight_ += nqueued_;
    count_submit(nqueued_);
    nqueued_ = 0;
  }
  // A commit failed: nothing of the batch is in flight, the units are free again.
  void unqueue_all() {
    for (uint32_t i = 0; i < nqueued_; ++i) put_free(queued_[i]);
    nqueued_ = 0;
  }
  // One reaped unit (the caller accounts it, then frees it).
  void reaped() { --inflight_; }
  // The engine failed: its in-flight units are abandoned with it.
  void abandon_inflight() { inflight_ = 0; }

  // fio's "submit" and "IO depths" lines: a submit call of n units, counted at
  // the depth reached once they are in flight.
  void count_submit(uint32_t n) {
    ++stats_->submit_calls;
    ++stats_->submit[bucket_of(n)];
    stats_->level[level_of(inflight_)] += n;
  }
  void count_complete(uint32_t n) {
    ++stats_->complete_calls;
    ++stats_->complete[bucket_of(n)];
  }
  // An fsync=N sync: it holds a unit while it runs, as fio's sync io_u does,
  // so it is one entry at depth inflight+1; engines without a commit step
  // (sync_engine) also count it as one submit and one completion.
  void count_sync(bool sync_engine) {
    stats_->level[level_of(inflight_ + 1)] += 1;
    if (sync_engine) {
      ++stats_->submit_calls;
      ++stats_->submit[bucket_of(1)];
      count_complete(1);
    }
  }

  // fio's buckets: 0, 1-4, 5-8, 9-16, 17-32, 33-64, >64 (submit/complete) and
  // 1, 2, 4, 8, 16, 32, >=64 (depth levels, by power of two).
  static int bucket_of(uint32_t n) {
    return n == 0 ? 0 : n <= 4 ? 1 : n <= 8 ? 2 : n <= 16 ? 3 : n <= 32 ? 4 : n <= 64 ? 5 : 6;
  }
  static int level_of(uint32_t depth) { return std::min(6, 31 - __builtin_clz(depth | 1)); }

 private:
  Limits lim_;
  uint32_t nqueued_ = 0, inflight_ = 0;
  uint32_t cap_ = 1;  // the depth in force (see set_cap)
  results::DepthStats* stats_ = nullptr;
  std::vector<IoUnit*> free_;
  std::vector<IoUnit*> queued_;
  std::vector<uint8_t> out_;  // per unit index: 1 from take_free to put_free
  std::vector<IoUnit> units_;
};

}  // namespace fiokit::engine
