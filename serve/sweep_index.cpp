// See sweep_index.hpp. The row is made from sweep.json alone (one small file
// per sweep, read when the sweep directory changes, like a run's
// results.json): the points' own results are read by the sweep page, not by
// the index, so a sweep costs the index no more than a run does.
#include "serve/sweep_index.hpp"

#include <fmt/format.h>

#include <cstring>
#include <map>

#include "results/sweep.hpp"
#include "util/fd.hpp"

namespace fiokit::serve {

namespace {

constexpr size_t kManifestMax = 16u << 20;  // as the sweep page reads it

bool plain_name(const std::string& s) {
  return !s.empty() && s != "." && s != ".." && s.find('/') == std::string::npos &&
         s.find(kSubRunSep) == std::string::npos && s.find('\0') == std::string::npos;
}

}  // namespace

SweepRow summarise_sweep(const Root& root, const std::string& rel_dir) {
  SweepRow row;
  RunSummary& s = row.summary;
  s.status = RunStatus::sweep;
  std::string text;
  const int fd = root.open_beneath(rel_dir + "/" + results::kSweepManifest);
  const int err = fd < 0 ? fd : read_fd(fd, text, kManifestMax);
  results::SweepManifest m;
  try {
    if (err < 0) throw results::SweepError(fmt::format("cannot read {}: {}", results::kSweepManifest, std::strerror(-err)));
    m = results::read_sweep_manifest(text);
  } catch (const results::SweepError& e) {
    // Being written for the first time, or damaged: a sweep still, never a
    // run "without results"; the detail says what is wrong.
    row.error = std::string(results::kSweepManifest) + ": " + e.what();
    s.status_detail = row.error;
    row.running = true;  // look again: a sweep that just started rewrites it soon
    return row;
  }
  s.tool = m.tool;
  s.version = m.version;
  s.sweep_points = m.points.size();
  // Points by status, in a fixed order, for the badge's text and tooltip.
  std::map<std::string, size_t> by_status;
  for (const auto& p : m.points) ++by_status[p.status];
  s.sweep_ok = by_status["ok"];
  std::string detail;
  for (const char* st : {"ok", "failed", "interrupted", "pending", "skipped"}) {
    auto it = by_status.find(st);
    if (it == by_status.end() || it->second == 0) continue;
    detail += fmt::format("{}{} {}", detail.empty() ? "" : ", ", it->second, st);
    by_status.erase(it);
  }
  for (const auto& [st, n] : by_status)
    if (n) detail += fmt::format("{}{} {}", detail.empty() ? "" : ", ", n, st);
  row.running = !m.interrupted && m.finished_ms == 0;
  s.status_detail = fmt::format("{} point{}: {}{}", m.points.size(), m.points.size() == 1 ? "" : "s",
                                detail.empty() ? "none yet" : detail,
                                m.interrupted ? " (interrupted)" : row.running ? " (running)" : "");
  // The swept options fill the index's settings columns with their values
  // ("1, 2, 4"), so a sweep sorts and filters with the runs it resembles.
  for (const auto& d : m.dimensions) {
    std::string vals;
    for (const auto& v : d.values) vals += (vals.empty() ? "" : ", ") + v;
    if (d.option == "rw" || d.option == "readwrite") s.rw = vals;
    else if (d.option == "bs" || d.option == "blocksize") s.bs = vals;
    else if (d.option == "iodepth") s.iodepth = vals;
    else if (d.option == "numjobs") s.numjobs = vals;
    else if (d.option == "ioengine") s.engine = vals;
  }
  for (const auto& f : m.job_files) s.job_names.push_back(f);
  if (m.finished_ms > m.started_ms && m.started_ms > 0) s.duration_ms = static_cast<uint64_t>(m.finished_ms - m.started_ms);
  row.timestamp = m.started_ms / 1000;
  return row;
}

std::string sub_run_id(const std::string& sweep_id, const std::string& point_run) {
  constexpr std::string_view kRuns = "runs/";
  if (point_run.compare(0, kRuns.size(), kRuns) != 0) return "";
  const std::string sub = point_run.substr(kRuns.size());
  if (!plain_name(sweep_id) || !plain_name(sub)) return "";
  return sweep_id + kSubRunSep + sub;
}

std::string nested_run_dir(const Root& root, const std::string& id) {
  const size_t sep = id.find(kSubRunSep);
  if (sep == std::string::npos) return "";
  const std::string sweep = id.substr(0, sep), sub = id.substr(sep + 1);
  if (!plain_name(sweep) || !plain_name(sub)) return "";
  const std::string sweep_dir = "runs/" + sweep;
  // Only a sweep's sub-runs: a directory that merely has a runs/ folder is
  // not one, whatever its id.
  const util::Fd manifest(root.open_beneath(sweep_dir + "/" + results::kSweepManifest));
  if (!manifest) return "";
  const std::string rel = sweep_dir + "/runs/" + sub;
  const util::Fd dir(root.open_beneath(rel, true));
  return dir ? rel : "";
}

}  // namespace fiokit::serve
