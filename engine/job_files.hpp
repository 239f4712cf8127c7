// JobFiles: a job's open files, owned through util::Fd, and everything done to
// them as files rather than as I/O: opening with fio's flags and fadvise hint,
// pre_read, dropping the page cache at each pass (invalidate), the reopen of
// unlink_each_loop, fsync/fdatasync, and at the end fsync_on_close, close and
// unlink — which removes only files fiokit created (volumes' created-file
// marker). Each FileState also carries that file's offset-generator state
// (sequential positions, random map), which the worker's prep code advances.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/offsets.hpp"
#include "jobs/jobspec.hpp"
#include "util/fd.hpp"
#include "volumes/layout.hpp"

namespace fiokit::engine {

struct FileState {
  volumes::FileTarget target;
  util::Fd fd;
  uint64_t end = 0;          // target.offset + target.size
  uint64_t nblocks = 1;      // region / block unit
  uint64_t seq_pos[3] = {};  // next sequential offset per direction
  uint64_t last_start[3] = {};  // offset of the last I/O (rw_sequencer=identical)
  uint64_t real_size = 0;       // the whole file's size (rw=read:-8k); 0 = not yet known
  uint64_t issued = 0;       // bytes issued this loop (file_service_type=sequential)
  BlockPermutation perm;     // the random map
  RandomMap map;             // the random map when I/Os are longer than its block
  Lfsr lfsr;                 // random_generator=lfsr
  uint64_t perm_next = 0;
  uint64_t perm_pass = 0;
  uint64_t zone_start = UINT64_MAX;  // zonemode=strided: the current zone (UINT64_MAX: none yet)
};

class JobFiles {
 public:
  // One FileState per target, not yet open; `unit_bytes` is the random map's block.
  // `notes` receives remarks for the job's result extras (e.g. a cache not dropped).
  void init(const jobs::JobSpec& spec, const std::vector<volumes::FileTarget>& targets, uint64_t unit_bytes,
            std::map<std::string, std::string>* notes);

  size_t size() const { return files_.size(); }
  FileState& operator[](size_t i) { return files_[i]; }
  const FileState& operator[](size_t i) const { return files_[i]; }
  auto begin() { return files_.begin(); }
  auto end() { return files_.end(); }
  auto begin() const { return files_.begin(); }
  auto end() const { return files_.end(); }
  std::vector<int> fds() const;

  // Opens every file (read/write as the job needs, O_DIRECT, O_SYNC, O_CREAT
  // when allowed), applies fadvise_hint and pre_read. `random` picks the hint.
  // Throws SetupError naming the file.
  void open(bool random, bool verify);
  // read_iolog: open for what the log does, not for rw= (before open()).
  void set_replay_access(bool reads, bool writes) {
    replay_ = true;
    replay_reads_ = reads;
    replay_writes_ = writes;
  }
  // A remote job's run: open() uses volumes::open_confined (null: open(2)).
  void set_confinement(const volumes::Confinement* c) { confine_ = c; }
  const volumes::Confinement* confinement() const { return confine_; }
  // unlink_each_loop: removes the files this job created and opens them anew.
  void reopen(bool random, bool verify);
  // invalidate= at the start of a pass; file_reopened: the pass reopened it.
  void invalidate_pass(bool file_reopened);
  // A file's offsets ran out inside a pass (fio reopens it): its cache goes.
  void wrap(FileState& f);
  // posix_fadvise(DONTNEED) of every regular file's region (verify phase).
  void drop_clean_pages();
  // fsync (or fdatasync) of one file: 0 or errno.
  int sync(const FileState& f, bool data_only) const;
  // end_fsync: every file; the first failure's errno and message, or 0.
  int sync_all(bool data_only, std::string* what) const;
  // The job's end: fsync_on_close, close, and unlink of created files only.
  void close_all(bool fsync_on_close);

 private:
  void drop_cache(FileState& f);
  const jobs::JobSpec* spec_ = nullptr;
  std::vector<FileState> files_;
  std::map<std::string, std::string>* notes_ = nullptr;
  bool replay_ = false, replay_reads_ = false, replay_writes_ = false;
  const volumes::Confinement* confine_ = nullptr;
};

}  // namespace fiokit::engine
