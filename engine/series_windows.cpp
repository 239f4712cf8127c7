// SeriesWindows (see series_windows.hpp): differences of running counters,
// once a second, handed to the run's SeriesSink as fio-format rows.
#include "engine/series_windows.hpp"

#include "results/series_sink.hpp"

namespace fiokit::engine {
namespace {
constexpr uint64_t kMs = 1'000'000;
}  // namespace

void SeriesWindows::open(results::SeriesSink* sink, const jobs::JobSpec& spec) {
  if (!sink) return;
  sink_ = sink;
  handle_ = sink->add_job(spec.name, spec.job_index + 1);
  for (int d = 0; d < 3; ++d) dirs_[d] = spec.does(static_cast<jobs::Dir>(d));
}

void SeriesWindows::take_base(const results::JobResult& res) {
  for (int d = 0; d < 3; ++d) {
    const auto& ds = res.dirs[d];
    Base& b = base_[d];
    b.bytes = ds.io_bytes, b.ios = ds.total_ios;
    const results::LatencyHistogram* h[3] = {&ds.lat, &ds.clat, &ds.slat};
    for (int k = 0; k < 3; ++k) b.n[k] = h[k]->count(), b.sum[k] = h[k]->sum();
  }
}

void SeriesWindows::reset(uint64_t now, const results::JobResult& res) {
  if (!sink_) return;
  stats_start_ns_ = win_start_ns_ = now;
  next_ = now + results::kSeriesWindowMs * kMs;
  last_end_ms_ = 0;
  rates_over_ = false;
  take_base(res);
}

// The rows of one window: rates (when `rates`, over spent_ms) and mean
// latencies, per direction; then the counters become the next window's base.
void SeriesWindows::lat_rows(uint64_t t_ms, const results::JobResult& res, bool rates, uint64_t spent_ms) {
  using results::LogKind;
  results::SeriesRow rows[3 * 5];
  size_t n_rows = 0;
  for (int d = 0; d < 3; ++d) {
    if (!dirs_[d]) continue;
    const auto& ds = res.dirs[d];
    const Base& b = base_[d];
    if (rates && spent_ms) {
      // As the bw/iops samples (sampler.cpp, sample_windows): bytes/s / 1024
      // and I/Os per second over the window's whole ms, truncated.
      const uint64_t bytes = ds.io_bytes - b.bytes, ios = ds.total_ios - b.ios;
      if (bytes)
        rows[n_rows++] = {LogKind::bw, t_ms, static_cast<uint64_t>(static_cast<results::u128>(bytes) * 1000u / spent_ms / 1024), d};
      if (ios) rows[n_rows++] = {LogKind::iops, t_ms, static_cast<uint64_t>(static_cast<results::u128>(ios) * 1000u / spent_ms), d};
    }
    // The window's mean, rounded to the ns, as the log_avg_msec lat rows.
    const results::LatencyHistogram* h[3] = {&ds.lat, &ds.clat, &ds.slat};
    constexpr LogKind kinds[3] = {LogKind::lat, LogKind::clat, LogKind::slat};
    for (int k = 0; k < 3; ++k) {
      const uint64_t n = h[k]->count() - b.n[k], sum = h[k]->sum() - b.sum[k];
      if (n && (k < 2 || sum)) rows[n_rows++] = {kinds[k], t_ms, (sum + n / 2) / n, d};
    }
  }
  take_base(res);
  if (n_rows) sink_->append(handle_, std::span<const results::SeriesRow>(rows, n_rows));
}

void SeriesWindows::tick(uint64_t now, uint64_t deadline_ns, const results::JobResult& res) {
  if (!sink_ || now < next_) return;
  const uint64_t period = results::kSeriesWindowMs * kMs;
  const uint64_t boundary = next_ + (now - next_) / period * period;  // the last window end passed
  next_ = boundary + period;
  // fio samples no rate for a window that ends with the job's runtime (see
  // Sampler::sample_windows); its latency window still closes.
  if (boundary >= deadline_ns) rates_over_ = true;
  const uint64_t spent_ms = (now - win_start_ns_) / kMs;
  win_start_ns_ = now;
  last_end_ms_ = (boundary - stats_start_ns_) / kMs;
  lat_rows(last_end_ms_, res, !rates_over_, spent_ms);
}

void SeriesWindows::finish(uint64_t end_ns, const results::JobResult& res) {
  if (!sink_ || next_ == UINT64_MAX) return;  // never out of ramp_time
  // fio 3.33 logs the partial window of a job shorter than one window too,
  // at its elapsed ms ("0, 3544, 1, 0, 0" for a 256 KiB psync write), so a
  // run of a few ms still has its latency in the series.
  const bool first_window = next_ == stats_start_ns_ + results::kSeriesWindowMs * kMs;
  next_ = UINT64_MAX;
  const uint64_t t_ms = end_ns > stats_start_ns_ ? (end_ns - stats_start_ns_) / kMs : 0;
  if (t_ms > last_end_ms_ || first_window) lat_rows(t_ms, res, false, 0);
}

}  // namespace fiokit::engine
