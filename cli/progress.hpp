// The live progress line of `fiokit run`, in fio's style:
//   Jobs: 1 (f=1): [r(1)][45.0%][r=285MiB/s][r=73.0k IOPS][eta 00m:05s]
// Written to stderr, redrawn in place with '\r', and only when stderr is a
// terminal (--eta=auto) or when asked (--eta=always): never into JSON or piped
// output. Rates are over the last update interval.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/run.hpp"
#include "jobs/jobspec.hpp"

namespace fiokit::cli {

class ProgressPrinter {
 public:
  ProgressPrinter(const std::string& eta_mode, const std::vector<jobs::JobSpec>& jobs);
  bool enabled() const { return enabled_; }
  void update(const engine::Progress& p);
  void finish();
  // The line for a progress sample; exposed for tests.
  std::string format(const engine::Progress& p, double rate_window_s) const;

 private:
  bool enabled_ = false;
  bool drew_ = false;
  char state_ = 'R';
  uint64_t expected_bytes_ = 0;  // 0: unknown
  uint64_t expected_ms_ = 0;     // 0: unknown
  engine::Progress last_{};
  size_t last_len_ = 0;
};

}  // namespace fiokit::cli
