// Option table, results part: what is measured and how it is reported and
// logged. Percentiles, averaging windows, which latencies are kept, the fio
// log files (write_*_log with log_avg_msec and friends) and group_reporting.
// Names, defaults and ranges follow fio 3.33; the help texts are fiokit's own.
#include <fmt/format.h>

#include "jobs/options.hpp"

namespace fiokit::jobs {
namespace {

// percentile_list: "99:99.9:99.99", each in (0, 100], at most 20, as fio.
std::vector<double> parse_percentiles(const std::string& v) {
  std::vector<double> out;
  for (const auto& p : split(v, ':')) {
    const double d = parse_double(p);
    if (!(d > 0 && d <= 100)) throw ValueError(fmt::format("percentile '{}' is not in (0, 100]", trim(p)));
    out.push_back(d);
  }
  if (out.size() > 20) throw ValueError("at most 20 percentiles");
  return out;
}

// write_bw_log and friends: valueless (or empty) means "name the log after the
// job", otherwise the value is the file-name prefix.
Setter log_prefix(std::optional<std::string> LogSettings::*m) {
  return [m](JobSpec& s, const std::string& v, const ApplyCtx&) { s.log.*m = trim(v); };
}

}  // namespace

void add_result_options(std::vector<OptionDef>& t) {
  const std::string rep = "Measurements and reporting", logs = "Log files";
  t.push_back(Opt("group_reporting", "Report each group's jobs as one summary").flag(&JobSpec::group_reporting).cat(rep));
  t.push_back(Opt("stats", "Collect statistics for this job (0: run it but report nothing)").boolean(&JobSpec::stats).def("1").cat(rep));
  t.push_back(Opt("percentile_list", "Latency percentiles to report, colon separated (e.g. 50:99:99.9)")
                  .custom(OptType::float_list, [](JobSpec& s, const std::string& v, const ApplyCtx&) { s.percentile_list = parse_percentiles(v); })
                  .def("1:5:10:20:30:40:50:60:70:80:90:95:99:99.5:99.9:99.95:99.99").cat(rep));
  t.push_back(Opt("clat_percentiles", "Report completion-latency percentiles").boolean(&JobSpec::clat_percentiles).def("1").cat(rep));
  t.push_back(Opt("lat_percentiles", "Report total-latency percentiles").boolean(&JobSpec::lat_percentiles).def("0").cat(rep));
  t.push_back(Opt("slat_percentiles", "Report submission-latency percentiles").boolean(&JobSpec::slat_percentiles).def("0").cat(rep));
  t.push_back(Opt("bwavgtime", "Window in milliseconds for bandwidth samples").integer(&JobSpec::bwavgtime_ms).def("500").cat(rep));
  t.push_back(Opt("iopsavgtime", "Window in milliseconds for IOPS samples").integer(&JobSpec::iopsavgtime_ms).def("500").cat(rep));
  // fiokit measures everything always (the cost is in its engine benchmark)
  // and reports what these switch off as fio 3.33 does: not measured (cli's
  // run_exec clears those figures from the results).
  t.push_back(Opt("disable_lat", "Do not measure total latency").boolean(&JobSpec::disable_lat).def("0").cat(rep));
  t.push_back(Opt("disable_clat", "Do not measure completion latency").boolean(&JobSpec::disable_clat).def("0").cat(rep));
  t.push_back(Opt("disable_slat", "Do not measure submission latency").boolean(&JobSpec::disable_slat).def("0").cat(rep));
  t.push_back(Opt("disable_bw_measurement", "Do not collect bandwidth samples").alias("disable_bw")
                  .boolean(&JobSpec::disable_bw).def("0").cat(rep));
  t.push_back(Opt("gtod_reduce", "Measure less (no latencies or bandwidth samples) to cut timing calls")
                  .boolean(&JobSpec::gtod_reduce).def("0").cat(rep));

  t.push_back(Opt("write_bw_log", "Write a bandwidth log; the value is the file prefix (none: the job name)")
                  .custom(OptType::str, log_prefix(&LogSettings::bw)).valueless("").cat(logs));
  t.push_back(Opt("write_iops_log", "Write an IOPS log; the value is the file prefix (none: the job name)")
                  .custom(OptType::str, log_prefix(&LogSettings::iops)).valueless("").cat(logs));
  t.push_back(Opt("write_lat_log", "Write latency logs (lat, clat, slat); the value is the file prefix (none: the job name)")
                  .custom(OptType::str, log_prefix(&LogSettings::lat)).valueless("").cat(logs));
  t.push_back(Opt("write_hist_log", "Write completion-latency histogram logs; the value is the file prefix (none: the job name)")
                  .custom(OptType::str, log_prefix(&LogSettings::hist)).valueless("").cat(logs));
  auto log_int = [](uint64_t LogSettings::*m) {
    return [m](JobSpec& s, const std::string& v, const ApplyCtx&) { s.log.*m = static_cast<uint64_t>(parse_int(v)); };
  };
  auto log_bool = [](bool LogSettings::*m) {
    return [m](JobSpec& s, const std::string& v, const ApplyCtx&) { s.log.*m = parse_bool(v); };
  };
  t.push_back(Opt("log_avg_msec", "Average log entries over this many milliseconds (0: one entry per I/O)")
                  .custom(OptType::integer, log_int(&LogSettings::avg_msec)).min(0).def("0").cat(logs));
  t.push_back(Opt("log_hist_msec", "Write a histogram log entry every this many milliseconds")
                  .custom(OptType::integer, log_int(&LogSettings::hist_msec)).min(0).def("0").cat(logs));
  t.push_back(Opt("log_hist_coarseness", "Merge histogram bins: 0 (1216 bins) to 6 (19 bins)")
                  .custom(OptType::integer, [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                    s.log.hist_coarseness = static_cast<uint32_t>(parse_int(v));
                  })
                  .range(0, 6).def("0").cat(logs));
  t.push_back(Opt("log_max_value", "Log the maximum of each averaging window instead of the mean")
                  .custom(OptType::boolean, log_bool(&LogSettings::max_value)).def("0").cat(logs));
  t.push_back(Opt("log_offset", "Add the I/O offset to each log entry").custom(OptType::boolean, log_bool(&LogSettings::offset)).def("0").cat(logs));
  t.push_back(Opt("per_job_logs", "Put the job number in log file names (0: one file per log kind, shared)")
                  .custom(OptType::boolean, log_bool(&LogSettings::per_job)).def("1").cat(logs));
  t.push_back(Opt("log_prio", "Add the I/O priority to each log entry").custom(OptType::boolean, log_bool(&LogSettings::prio)).def("0").cat(logs));
  // log_compression and friends: option_table_logz.cpp.
}

}  // namespace fiokit::jobs
