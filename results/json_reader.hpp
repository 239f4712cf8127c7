// Reader for fio 3.33's JSON / json+ output and fiokit's (same schema plus the
// top-level "fiokit" key), producing the RunResult the writers consume, so plot,
// serve and compare treat runs made by fio and by fiokit alike.
//
// What survives the round trip: names, groups, options, errors, per-direction
// io_bytes/total_ios/short/drop/runtime (hence bw and iops), slat/clat/lat
// N/min/max/mean/stddev, percentiles, bw/iops sample summaries, cpu, depths,
// disk_util, fiokit extras. Latency histograms are rebuilt from json+ "bins"
// when present (exact); otherwise counts are placed at the reported percentile
// values, so percentile(p) returns the reported value for every listed p.
#pragma once
#include <stdexcept>
#include <string_view>

#include "results/run_result.hpp"

namespace fiokit::results {

// Text that is not fio's JSON schema; what() names the offending key.
struct JsonReadError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Leading text before the first '{' (fio prints messages there) is skipped.
RunResult read_fio_json(std::string_view text);

}  // namespace fiokit::results
