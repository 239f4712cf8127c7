// Helpers of the cluster merge tests: real results from the real fiokit
// binary (and real fio), and the test's OWN reading of json+ bins, written
// from fio's HOWTO ("json+ ... bins: latency in ns -> I/O count", fio's
// histogram of 29 groups of 64 buckets, a bucket reported at its midpoint)
// and not from results/histogram.hpp, so the merge is checked against an
// independent computation.
#pragma once
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/subprocess.hpp"

namespace fiokit::mergetest {

using json = nlohmann::json;

// Every value fio 3.33 can print as a json+ bin key: below 128 ns one bucket
// per ns; then each power of two [2^g, 2^(g+1)) for g = 7..33 split in 64
// equal buckets, named by their midpoint (27 such groups: 1856 buckets).
inline const std::set<uint64_t>& fio_bin_values() {
  static const std::set<uint64_t> values = [] {
    std::set<uint64_t> s;
    for (uint64_t v = 0; v < 128; ++v) s.insert(v);
    for (int g = 7; g < 7 + 27; ++g) {
      const uint64_t lo = uint64_t{1} << g, width = (uint64_t{1} << g) / 64;
      for (uint64_t k = 0; k < 64; ++k) s.insert(lo + k * width + width / 2);
    }
    return s;
  }();
  return values;
}

// Sums the "bins" of every given latency object (key ns -> count).
inline std::map<uint64_t, uint64_t> sum_bins(const std::vector<const json*>& lats) {
  std::map<uint64_t, uint64_t> sum;
  for (const json* l : lats)
    for (const auto& [k, v] : (*l)["bins"].items()) sum[std::stoull(k)] += v.get<uint64_t>();
  return sum;
}

// fio's percentile, as its HOWTO and output describe it: the smallest bin
// value at which the running count reaches p% of all I/Os.
inline uint64_t percentile_of(const std::map<uint64_t, uint64_t>& bins, double p) {
  uint64_t total = 0;
  for (const auto& [v, n] : bins) total += n;
  uint64_t seen = 0;
  for (const auto& [v, n] : bins) {
    seen += n;
    if (static_cast<double>(seen) >= p / 100.0 * static_cast<double>(total)) return v;
  }
  return bins.empty() ? 0 : bins.rbegin()->first;
}

// `fiokit run ARGS` with json+ (or `format`) on stdout; fails the test on a non-zero exit.
std::string fiokit_json(std::vector<std::string> args, const std::string& format = "json+");

// Runs a shell command; returns its exit status (-1 when it could not run).
int shell(const std::string& cmd);

void write_text(const std::string& path, const std::string& text);

}  // namespace fiokit::mergetest
