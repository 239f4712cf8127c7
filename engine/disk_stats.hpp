// Disk utilisation for fio's "disk_util" block: /sys/block/<disk>/stat is read
// for each disk under the jobs' files before and after the run, and the
// difference gives I/Os, merges, ticks, time in queue and util (the share of
// wall time the disk had I/O in flight, io_ticks / elapsed), as fio reports it.
// Diskless jobs (null engine) and files on filesystems without a block device
// (tmpfs) contribute no disk.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "results/run_result.hpp"
#include "volumes/layout.hpp"

namespace fiokit::engine {

struct DiskCounters {
  std::string name;
  uint64_t read_ios = 0, read_merges = 0, read_ticks = 0;
  uint64_t write_ios = 0, write_merges = 0, write_ticks = 0;
  uint64_t io_ticks = 0, in_queue = 0;
};

// Parses one /sys/block/<disk>/stat line; false when it has too few fields.
bool parse_disk_stat(const std::string& line, DiskCounters& out);

class DiskStats {
 public:
  // Finds the disks behind the planned files (volumes::plan_run) and takes
  // the first snapshot.
  explicit DiskStats(const volumes::RunPlan& plan);
  // Second snapshot; the differences since construction, one per disk.
  std::vector<results::DiskUtil> finish() const;

 private:
  std::vector<DiskCounters> before_;
  uint64_t start_ms_ = 0;
};

// The difference of two snapshots over elapsed_ms of wall time.
results::DiskUtil disk_util_between(const DiskCounters& a, const DiskCounters& b, uint64_t elapsed_ms);

}  // namespace fiokit::engine
