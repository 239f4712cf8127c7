// The RunResult every test fixture starts from: the header fields the writers
// need and a 4 KiB psync randread job whose latencies come from the caller
// (serve's make_result and the latency fixture differ only in the latency mix
// and in the bw/iops samples they add). One copy, so a field the writers start
// to need is filled for every fixture at once.
#pragma once
#include <cstdint>
#include <string>
#include <utility>

#include "results/run_result.hpp"

namespace fiokit::test {

inline results::RunResult empty_run(int64_t timestamp, std::string time) {
  results::RunResult r;
  r.tool = "fiokit";
  r.version = "0.1.0";
  r.timestamp = timestamp;
  r.timestamp_ms = timestamp * 1000;
  r.time = std::move(time);
  return r;
}

// A job that read `ios` 4 KiB I/Os in 2 s: clat from clat_ns() per I/O (called
// in order, so a seeded generator gives the same run every time), slat fixed,
// lat = clat + slat.
template <class ClatNs>
results::JobResult randread_job(std::string name, int index, uint64_t ios, uint64_t slat_ns, ClatNs&& clat_ns) {
  results::JobResult j;
  j.name = std::move(name);
  j.job_index = index;
  j.rw = "randread";
  j.ioengine = "psync";
  j.options = {{"rw", "randread"}, {"bs", "4k"}};
  auto& d = j.dirs[0];
  for (uint64_t i = 0; i < ios; ++i) {
    const uint64_t c = clat_ns();
    d.clat.add(c);
    d.slat.add(slat_ns);
    d.lat.add(c + slat_ns);
  }
  d.total_ios = ios;
  d.io_bytes = ios * 4096;
  d.runtime_ms = 2000;
  j.job_runtime_ms = 2000;
  return j;
}

}  // namespace fiokit::test
