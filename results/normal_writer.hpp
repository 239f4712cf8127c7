// fio 3.33's human-readable ("normal") output as a pure function of RunResult:
// per-job blocks (IOPS/BW line, slat/clat/lat with automatic units, percentile
// table, bw/iops samples, latency buckets, cpu, IO depths, issued counts), then
// "Run status group N (all jobs):" and "Disk stats (read/write):". People diff
// fiokit's text against fio's, so spacing and units are fio's as observed.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "results/run_result.hpp"

namespace fiokit::results {

std::string write_normal(const RunResult& run);

// The line fio prints per job before the run starts:
// "NAME: (g=0): rw=randrw, bs=(R) 4096B-4096B, (W) 4096B-4096B, (T) 4096B-4096B, ioengine=psync, iodepth=1"
std::string format_job_header(const JobResult& job);

// What the lines before the run need of one job (cli fills it from JobSpec:
// results does not include jobs/).
struct JobHeader {
  std::string name;
  int group_id = 0;
  std::string rw, ioengine;
  uint64_t bs_min[kDirs] = {4096, 4096, 4096}, bs_max[kDirs] = {4096, 4096, 4096};
  uint32_t iodepth = 1;
  int clone_index = 0;  // numjobs clones after the first show as one "..." line
  bool thread = false;  // fio's wording: "thread" for thread=1 jobs, else "process"
};
std::string format_job_header(const JobHeader& job);

// Everything fio 3.33 prints in normal output before the run: one header per
// job ("..." once for the other clones of a numjobs section), the version line
// ("fio-3.33"; here "fiokit-VERSION"), and "Starting 2 processes",
// "Starting 1 thread", "Starting 1 thread and 4 processes".
std::string format_run_start(const std::vector<JobHeader>& jobs, const std::string& version_line);

// fio's number shortening, shared with live progress lines: at most maxlen
// digits before the unit, decimals filling what is left ("22.9k", "64.0MiB",
// "4096KiB", "89.4MiB"). base 1024 uses Ki/Mi/Gi.., base 1000 uses k/M/G..;
// unit is appended after the prefix ("B" for sizes, "" for counts).
std::string format_fio_number(double value, int maxlen, int base, const char* unit);

// A string someone else wrote (job and section names, error messages with
// paths, anything read back from a results file) made safe to print on a
// terminal or in a CI log: C0 controls (tab and newline included: a newline in
// a name could forge a line of its own), DEL and bytes that are not valid
// UTF-8 become \xNN, the C1 controls U+0080..U+009F (ESC's 8-bit twins, CSI
// among them) become \u00NN. Everything else, UTF-8 included, stays as is,
// so every name fio would print is printed unchanged.
std::string printable(const std::string& s);

}  // namespace fiokit::results
