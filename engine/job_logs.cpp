// JobLogs (see job_logs.hpp): maps a job's log settings onto a LogSink.
#include "engine/job_logs.hpp"

#ifdef FIOKIT_HAVE_LOG_SINK
#include "results/log_sink.hpp"
#else
namespace fiokit::results {
class LogSink {};
}  // namespace fiokit::results
#endif

namespace fiokit::engine {

JobLogs::~JobLogs() { close(); }

std::unique_ptr<JobLogs> JobLogs::open(const jobs::JobSpec& spec, const std::string& run_dir) {
  const auto& l = spec.log;
  if (!l.bw && !l.iops && !l.lat && !l.hist) return nullptr;
  std::unique_ptr<JobLogs> j(new JobLogs());
  j->bw_ = l.bw.has_value();
  j->iops_ = l.iops.has_value();
  j->lat_ = l.lat.has_value();
  j->hist_ = l.hist.has_value();
#ifdef FIOKIT_HAVE_LOG_SINK
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
  j->sink_ = results::LogSink::open(c);
#else
  (void)run_dir;
#endif
  return j;
}

void JobLogs::add(LogWhat what, uint64_t time_ms, uint64_t value, int ddir, uint64_t bs, uint64_t offset) {
#ifdef FIOKIT_HAVE_LOG_SINK
  if (!sink_) return;
  static constexpr results::LogKind kinds[] = {results::LogKind::bw, results::LogKind::iops, results::LogKind::lat,
                                               results::LogKind::clat, results::LogKind::slat};
  sink_->append(kinds[static_cast<int>(what)], results::LogRow{time_ms, value, ddir, bs, offset, 0});
#else
  (void)what, (void)time_ms, (void)value, (void)ddir, (void)bs, (void)offset;
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
