// JobLogs (see job_logs.hpp): maps a job's log settings onto a LogSink.
#include "engine/job_logs.hpp"

#include <algorithm>

#ifdef FIOKIT_HAVE_LOG_SINK
#include "results/log_sink.hpp"
#else
namespace fiokit::results {
class LogSink {};
}  // namespace fiokit::results
#endif

namespace fiokit::engine {

JobLogs::~JobLogs() { close(); }

uint64_t rate_window_ms(const jobs::JobSpec& spec, LogWhat what) {
  const bool bw = what == LogWhat::bw;
  const uint64_t avg = std::max<uint64_t>(1, bw ? spec.bwavgtime_ms : spec.iopsavgtime_ms);
  const bool logged = bw ? spec.log.bw.has_value() : spec.log.iops.has_value();
  if (!logged || spec.log.avg_msec == 0) return avg;
  const char* option = bw ? "bwavgtime" : "iopsavgtime";
  for (const auto& kv : spec.given)
    if (kv.first == option) return avg;
  return spec.log.avg_msec;
}

#ifdef FIOKIT_HAVE_LOG_SINK
namespace {
results::LogConfig log_config(const jobs::JobSpec& spec, const std::string& run_dir) {
  const auto& l = spec.log;
  results::LogConfig c;
  c.dir = run_dir;
  auto prefix = [&](const std::optional<std::string>& p) { return !p ? std::string() : p->empty() ? spec.name : *p; };
  c.bw_prefix = prefix(l.bw);
  c.iops_prefix = prefix(l.iops);
  c.lat_prefix = prefix(l.lat);
  c.hist_prefix = prefix(l.hist);
  c.hist_coarseness = static_cast<int>(l.hist_coarseness);
  c.job_number = spec.job_index + 1;
  c.per_job = l.per_job;
  c.with_offset = l.offset;
  c.store_compressed = l.store_compressed;
  c.compress_chunk = l.compression;
  c.with_prio = l.prio;
  c.writer_cpus = l.compression_cpus;
  return c;
}
}  // namespace
#endif

void JobLogs::truncate_shared(const std::vector<jobs::JobSpec>& jobs, const std::string& run_dir) {
#ifdef FIOKIT_HAVE_LOG_SINK
  for (const auto& spec : jobs)
    if (!spec.log.per_job && (spec.log.bw || spec.log.iops || spec.log.lat || spec.log.hist))
      results::LogSink::truncate_shared(log_config(spec, run_dir));
#else
  (void)jobs, (void)run_dir;
#endif
}

std::vector<std::string> JobLogs::run_dir_names(const std::vector<jobs::JobSpec>& jobs) {
  std::vector<std::string> names;
  auto add = [&](const jobs::JobSpec& spec, const std::optional<std::string>& p, const char* kind) {
    if (!p) return;
    const std::string prefix = p->empty() ? spec.name : *p;
    if (prefix.empty() || prefix.front() == '/') return;  // an absolute log is not in the run dir
    // The same name the sink builds (results/log_sink.cpp, log_path).
    const std::string suffix = spec.log.store_compressed ? ".log.fz" : ".log";
    std::string name = spec.log.per_job ? prefix + "_" + kind + "." + std::to_string(spec.job_index + 1) + suffix
                                        : prefix + "_" + kind + suffix;
    name = name.substr(0, name.find('/'));
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  for (const auto& spec : jobs) {
    add(spec, spec.log.bw, "bw");
    add(spec, spec.log.iops, "iops");
    for (const char* k : {"lat", "clat", "slat"}) add(spec, spec.log.lat, k);
    add(spec, spec.log.hist, "clat_hist");
  }
  return names;
}

std::unique_ptr<JobLogs> JobLogs::open(const jobs::JobSpec& spec, const std::string& run_dir) {
  const auto& l = spec.log;
  if (!l.bw && !l.iops && !l.lat && !l.hist) return nullptr;
  std::unique_ptr<JobLogs> j(new JobLogs());
  j->bw_ = l.bw.has_value();
  j->iops_ = l.iops.has_value();
  j->lat_ = l.lat.has_value();
  j->hist_ = l.hist.has_value();
  j->windowed_ = l.avg_msec > 0;
  for (auto& per_kind : j->last_ms_)
    for (int64_t& t : per_kind) t = -1;
#ifdef FIOKIT_HAVE_LOG_SINK
  const results::LogConfig c = log_config(spec, run_dir);
  j->sink_ = results::LogSink::open(c);
#else
  (void)run_dir;
#endif
  return j;
}

void JobLogs::add(LogWhat what, uint64_t time_ms, uint64_t value, int ddir, uint64_t bs, uint64_t offset, uint16_t prio) {
#ifdef FIOKIT_HAVE_LOG_SINK
  if (!sink_) return;
  if (windowed_) {
    int64_t& last = last_ms_[static_cast<int>(what)][ddir];
    if (static_cast<int64_t>(time_ms) <= last) return;
    last = static_cast<int64_t>(time_ms);
  }
  static constexpr results::LogKind kinds[] = {results::LogKind::bw, results::LogKind::iops, results::LogKind::lat,
                                               results::LogKind::clat, results::LogKind::slat};
  sink_->append(kinds[static_cast<int>(what)], results::LogRow{time_ms, value, ddir, bs, offset, prio});
#else
  (void)what, (void)time_ms, (void)value, (void)ddir, (void)bs, (void)offset, (void)prio;
#endif
}

void JobLogs::add_io(uint64_t time_ms, int ddir, uint64_t bs, uint64_t offset, uint16_t prio, unsigned whats,
                     const uint64_t (&values)[5]) {
#ifdef FIOKIT_HAVE_LOG_SINK
  // Per-I/O rows only (never windowed): LogWhat and LogKind number the logs alike.
  static_assert(static_cast<int>(LogWhat::slat) == static_cast<int>(results::LogKind::slat));
  if (sink_) sink_->append_io(time_ms, ddir, bs, offset, prio, whats, values);
#else
  (void)time_ms, (void)ddir, (void)bs, (void)offset, (void)prio, (void)whats, (void)values;
#endif
}

void JobLogs::add_hist(uint64_t time_ms, int ddir, uint64_t bs, const results::LatencyHistogram& cumulative) {
#ifdef FIOKIT_HAVE_LOG_SINK
  if (sink_) sink_->append_hist(time_ms, ddir, bs, cumulative);
#else
  (void)time_ms, (void)ddir, (void)bs, (void)cumulative;
#endif
}

void JobLogs::close() {
#ifdef FIOKIT_HAVE_LOG_SINK
  if (sink_) sink_->close();
  sink_.reset();
#endif
}

}  // namespace fiokit::engine
