// verify_backlog / verify_backlog_batch: which written block, if any, is read
// back before the job's next I/O. Plain logic with no I/O, so the decisions
// are tested alone (tests/engine/test_verify_backlog.cpp); the worker asks it
// in prep_io and tells it about issued writes and completions.
//
// What fio 3.33 does (io_u.c check_get_verify, iolog.c log_io_piece,
// verify.c get_next_verify; the orders below were checked against its
// write_iolog on rw=write and rw=randwrite, bs=4k, 256 KiB):
//  - every write is logged when it is issued; the log's length ("hist_len")
//    counts the writes not yet verified.
//  - before each I/O: with a batch under way, verify; otherwise start a batch
//    of verify_backlog_batch reads (default verify_backlog) when hist_len is a
//    multiple of verify_backlog and the last completed I/O was not a read.
//    So backlog=16 batch=4 reads 4 blocks after the 16th write and then 4
//    after every 4 writes (w0-15 r0-3 w16-19 r4-7 ...); a batch larger than
//    the backlog goes on verifying each new write as it is written until it
//    is used up (backlog=10 batch=30: ten writes, ten reads, then w r w r...).
//  - a batch read is taken only from a non-empty log; the oldest entry (with
//    a random map) or the lowest (file, offset) (sequential, norandommap,
//    lfsr: fio keeps those in a tree where a new write replaces every entry
//    it overlaps) is read, unless its write is still in flight: then the job
//    does a normal I/O and tries again before the next one.
//  - a write that failed leaves the log.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <utility>
#include <vector>

#include "jobs/jobspec.hpp"

namespace fiokit::engine {

class VerifyBacklog {
 public:
  struct Entry {
    uint64_t offset = 0;
    uint32_t len = 0;
    uint32_t file = 0;
    uint64_t seq = 0;   // the write's number (1, 2, ...): matches its completion
    bool done = false;  // the write completed: safe to read back
  };

  // fifo: the job draws offsets from a random map (fio's list); else the
  // sorted, overlap-replacing tree.
  void init(uint64_t backlog, uint64_t batch, bool fifo) {
    backlog_ = backlog;
    batch_ = batch ? batch : backlog;
    fifo_ = fifo;
  }
  // A write is issued; returns its number for write_done().
  uint64_t log_write(uint32_t file, uint64_t offset, uint32_t len);
  // The write numbered `seq` at (file, offset) completed; a failed one leaves the log.
  void write_done(uint32_t file, uint64_t offset, uint64_t seq, bool ok);
  // Any read or write completed (fio's last_ddir).
  void completed(jobs::Dir d) { last_read_ = d == jobs::Dir::read; }
  // Before each I/O of the write phase: true with the block to read back in *out.
  bool next(Entry* out);
  size_t pending() const { return fifo_ ? list_.size() : tree_.size(); }
  // What is left, in the order fio's final verify phase reads it.
  std::vector<Entry> take_all();

 private:
  bool pop(Entry* out);
  uint64_t backlog_ = 0, batch_ = 0;
  uint64_t batch_left_ = 0;
  uint64_t seq_ = 0;
  bool fifo_ = true;
  bool last_read_ = true;  // fio's last_ddir starts as DDIR_READ (0)
  std::deque<Entry> list_;
  std::map<std::pair<uint32_t, uint64_t>, Entry> tree_;
};

}  // namespace fiokit::engine
