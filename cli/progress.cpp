// See progress.hpp. Completion is the larger of the time-based and the
// byte-based fraction, each known only when the jobs state it (runtime, size).
#include "cli/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace fiokit::cli {
namespace {

char state_of(jobs::RwMode m) {
  using jobs::RwMode;
  switch (m) {
    case RwMode::read: return 'R';
    case RwMode::randread: return 'r';
    case RwMode::write: return 'W';
    case RwMode::randwrite: return 'w';
    case RwMode::rw: return 'M';
    case RwMode::randrw: return 'm';
    case RwMode::trim: return 'D';
    case RwMode::randtrim: return 'd';
    case RwMode::trimwrite: case RwMode::randtrimwrite: return 'W';
  }
  return 'R';
}

// fio-like short rates: 285MiB/s, 73.0k
std::string human_bytes_rate(double bps) {
  const char* units[] = {"B/s", "KiB/s", "MiB/s", "GiB/s", "TiB/s"};
  int u = 0;
  while (bps >= 1024 * 10 && u < 4) bps /= 1024, ++u;
  return u == 0 ? fmt::format("{:.0f}{}", bps, units[u]) : fmt::format("{:.0f}{}", bps, units[u]);
}
std::string human_count(double v) {
  if (v >= 1e6) return fmt::format("{:.1f}M", v / 1e6);
  if (v >= 1e3) return fmt::format("{:.1f}k", v / 1e3);
  return fmt::format("{:.0f}", v);
}

}  // namespace

ProgressPrinter::ProgressPrinter(const std::string& eta_mode, const std::vector<jobs::JobSpec>& jobs) {
  enabled_ = eta_mode == "always" || (eta_mode == "auto" && isatty(STDERR_FILENO));
  if (jobs.empty()) return;
  state_ = state_of(jobs.front().rw);
  uint64_t bytes = 0, ms = 0;
  bool bytes_known = true;
  for (const auto& j : jobs) {
    if (j.time_based || j.runtime_us) ms = std::max<uint64_t>(ms, (j.runtime_us + j.ramp_time_us) / 1000);
    const uint64_t per_loop = j.io_size ? j.io_size : j.size;
    if (per_loop == 0 || j.time_based) bytes_known = false;
    bytes += per_loop * j.loops;
  }
  expected_bytes_ = bytes_known ? bytes : 0;
  expected_ms_ = ms;
}

std::string ProgressPrinter::format(const engine::Progress& p, double window_s) const {
  double frac = 0;
  if (expected_ms_) frac = std::max(frac, static_cast<double>(p.elapsed_ms) / static_cast<double>(expected_ms_));
  const uint64_t moved = p.bytes[0] + p.bytes[1] + p.bytes[2];
  if (expected_bytes_) frac = std::max(frac, static_cast<double>(moved) / static_cast<double>(expected_bytes_));
  frac = std::min(frac, 1.0);
  std::string rates_bw, rates_iops;
  const char* tag[3] = {"r", "w", "t"};
  for (int d = 0; d < 3; ++d) {
    const double db = static_cast<double>(p.bytes[d] - last_.bytes[d]);
    const double di = static_cast<double>(p.ios[d] - last_.ios[d]);
    if (p.bytes[d] == 0) continue;
    rates_bw += fmt::format("{}{}={}", rates_bw.empty() ? "" : ",", tag[d], human_bytes_rate(window_s > 0 ? db / window_s : 0));
    rates_iops += fmt::format("{}{}={}", rates_iops.empty() ? "" : ",", tag[d], human_count(window_s > 0 ? di / window_s : 0));
  }
  std::string eta = "--m:--s";
  if (frac > 0.001) {
    const uint64_t left_s = static_cast<uint64_t>(static_cast<double>(p.elapsed_ms) * (1 - frac) / frac / 1000.0);
    eta = fmt::format("{:02d}m:{:02d}s", left_s / 60, left_s % 60);
  }
  std::string line = fmt::format("Jobs: {} (f={}): [{}({})][{:.1f}%]", p.jobs_running, p.jobs_running, state_,
                                 p.jobs_running, frac * 100);
  if (!rates_bw.empty()) line += fmt::format("[{}][{} IOPS]", rates_bw, rates_iops);
  line += fmt::format("[eta {}]", eta);
  return line;
}

void ProgressPrinter::update(const engine::Progress& p) {
  if (!enabled_) return;
  // fio's last line is its last tick while the jobs still ran ("Jobs: 1
  // (f=1): [R(1)][100.0%]..."); it never draws "Jobs: 0". A run shorter
  // than one tick draws no line at all, as with fio.
  if (p.jobs_running == 0) return;
  const double window = static_cast<double>(p.elapsed_ms - last_.elapsed_ms) / 1000.0;
  std::string line = format(p, window);
  const size_t pad = last_len_ > line.size() ? last_len_ - line.size() : 0;
  fmt::print(stderr, "\r{}{}", line, std::string(pad, ' '));
  std::fflush(stderr);
  last_len_ = line.size();
  last_ = p;
  drew_ = true;
}

void ProgressPrinter::finish() {
  if (drew_) fmt::print(stderr, "\n");
  drew_ = false;
}

}  // namespace fiokit::cli
