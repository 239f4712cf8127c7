// fio 3.33's human-readable ("normal") output as a pure function of RunResult:
// per-job blocks (IOPS/BW line, slat/clat/lat with automatic units, percentile
// table, bw/iops samples, latency buckets, cpu, IO depths, issued counts), then
// "Run status group N (all jobs):" and "Disk stats (read/write):". People diff
// fiokit's text against fio's, so spacing and units are fio's as observed.
#pragma once
#include <cstdint>
#include <string>

#include "results/run_result.hpp"

namespace fiokit::results {

std::string write_normal(const RunResult& run);

// The line fio prints per job before the run starts:
// "NAME: (g=0): rw=randrw, bs=(R) 4096B-4096B, (W) 4096B-4096B, (T) 4096B-4096B, ioengine=psync, iodepth=1"
std::string format_job_header(const JobResult& job);

// fio's number shortening, shared with live progress lines: at most maxlen
// digits before the unit, decimals filling what is left ("22.9k", "64.0MiB",
// "4096KiB", "89.4MiB"). base 1024 uses Ki/Mi/Gi.., base 1000 uses k/M/G..;
// unit is appended after the prefix ("B" for sizes, "" for counts).
std::string format_fio_number(double value, int maxlen, int base, const char* unit);

}  // namespace fiokit::results
