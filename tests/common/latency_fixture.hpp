// Test inputs for the latency distribution graphs (plot and serve): a run of
// N same-named jobs (numjobs without group_reporting) with a three-mode
// completion latency mix, written as json+ by fiokit's own writer, and
// write_hist_log text in fio 3.33's layout (time, ddir, bs, 1856 >> c counts
// per row) whose rows sum to a known histogram. Deterministic (seeded).
#pragma once
#include <cstdint>
#include <random>
#include <string>

#include "results/histogram.hpp"
#include "results/json_writer.hpp"
#include "results/run_result.hpp"
#include "run_fixture.hpp"

namespace fiokit::test {

// 90% of I/Os at 80-120 us, 9% at 1-3 ms, 1% at 20-40 ms: p50, p99, p99.9 and
// p99.99 then fall in different decades, so each marker has its own place.
inline uint64_t latency_sample(std::mt19937_64& rng) {
  const uint64_t r = rng() % 1000;
  if (r < 900) return 80'000 + rng() % 40'000;
  if (r < 990) return 1'000'000 + rng() % 2'000'000;
  return 20'000'000 + rng() % 20'000'000;
}

inline results::RunResult latency_run(int jobs, uint64_t ios_per_job, uint64_t seed = 42) {
  results::RunResult r = empty_run(1764000000, "Tue Nov 25 00:00:00 2025");
  std::mt19937_64 rng(seed);
  for (int k = 0; k < jobs; ++k)
    r.jobs.push_back(randread_job("rr", k, ios_per_job, 900, [&] { return latency_sample(rng); }));
  return r;
}

inline std::string latency_run_json_plus(int jobs, uint64_t ios_per_job, uint64_t seed = 42) {
  return results::write_json(latency_run(jobs, ios_per_job, seed), /*plus=*/true);
}

// A hist log of `rows` rows every interval_ms (at interval + 3 ms, as fio
// writes them a little late), reads only, `per_row` I/Os each; `sum` gets
// every latency written.
inline std::string hist_log_text(int rows, uint64_t interval_ms, uint64_t per_row, int coarseness,
                                 results::LatencyHistogram& sum, uint64_t seed = 7) {
  std::mt19937_64 rng(seed);
  const size_t bins = results::LatencyHistogram::kBins >> coarseness;
  std::string out;
  for (int row = 0; row < rows; ++row) {
    std::vector<uint64_t> counts(bins, 0);
    for (uint64_t i = 0; i < per_row; ++i) {
      // Later rows are slower, so the percentiles over time rise.
      const uint64_t v = latency_sample(rng) * static_cast<uint64_t>(1 + row / 5);
      sum.add(v);
      ++counts[results::LatencyHistogram::index_of(v) >> coarseness];
    }
    out += std::to_string(static_cast<uint64_t>(row + 1) * interval_ms + 3) + ", 0, 4096";
    for (uint64_t c : counts) out += ", " + std::to_string(c);
    out += "\n";
  }
  return out;
}

}  // namespace fiokit::test
