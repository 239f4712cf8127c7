// See run_exec.hpp.
#include "cli/run_exec.hpp"

#include <fmt/format.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <set>

#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "cli/signals.hpp"
#include "engine/job_logs.hpp"
#include "engine/parse_only_engines.hpp"
#include "engine/run.hpp"
#include "jobs/error.hpp"
#include "results/json_writer.hpp"
#include "results/normal_writer.hpp"
#include "results/repeats.hpp"
#include "results/run_dir.hpp"
#include "results/series_sink.hpp"
#include "results/terse_writer.hpp"
#include "volumes/device_info.hpp"
#include "volumes/layout.hpp"
#include "volumes/preflight.hpp"
#include "util/wall_clock.hpp"

namespace fiokit::cli {
namespace {

// fio 3.33 prints the formats in its own order, whatever the list's: terse,
// json (json+), normal; scripts that split the stream rely on it.
std::string render(const results::RunResult& r, const std::vector<std::string>& formats) {
  std::string out;
  for (const char* f : {"terse", "json", "json+", "normal"}) {
    if (std::find(formats.begin(), formats.end(), f) == formats.end()) continue;
    // fio 3.33 opens its normal report with an empty line (after the
    // "Starting ..." line or the last progress line).
    const std::string_view fv = f;
    if (fv == "normal") out += "\n" + results::write_normal(r);
    else if (fv == "json") out += results::write_json(r, false);
    else if (fv == "json+") out += results::write_json(r, true);
    else if (fv == "terse") out += results::write_terse(r);
  }
  return out;
}

void add_host_info(results::RunResult& r) {
  struct utsname u {};
  if (uname(&u) == 0) {
    r.extras["host"] = u.nodename;
    r.extras["kernel"] = std::string(u.sysname) + " " + u.release;
    r.extras["arch"] = u.machine;
  }
  r.extras["cpus"] = std::to_string(sysconf(_SC_NPROCESSORS_ONLN));
  r.extras["version"] = "fiokit-" FIOKIT_VERSION;
}

const char* rw_text(jobs::RwMode m) {
  using jobs::RwMode;
  switch (m) {
    case RwMode::read: return "read";
    case RwMode::write: return "write";
    case RwMode::trim: return "trim";
    case RwMode::randread: return "randread";
    case RwMode::randwrite: return "randwrite";
    case RwMode::randtrim: return "randtrim";
    case RwMode::rw: return "rw";
    case RwMode::randrw: return "randrw";
    case RwMode::trimwrite: return "trimwrite";
    case RwMode::randtrimwrite: return "randtrimwrite";
  }
  return "read";
}

// fio's lines before the run (job headers, version, "Starting N processes").
// Block sizes per direction as fio shows them: the smallest and largest a job
// can issue (bsrange, else bssplit, else bs).
std::string run_start_text(const std::vector<jobs::JobSpec>& jobs) {
  std::vector<results::JobHeader> hs;
  for (const auto& j : jobs) {
    results::JobHeader h;
    h.name = j.name;
    h.group_id = j.group_id;
    h.rw = rw_text(j.rw);
    h.ioengine = j.ioengine;
    h.iodepth = j.iodepth;
    h.clone_index = j.clone_index;
    h.thread = j.thread;
    for (int d = 0; d < results::kDirs; ++d) {
      const auto dir = static_cast<jobs::Dir>(d);
      uint64_t lo = j.bs[dir], hi = j.bs[dir];
      if (j.bsrange[dir].first) {
        lo = j.bsrange[dir].first;
        hi = j.bsrange[dir].second;
      } else if (!j.bssplit[dir].empty()) {
        lo = UINT64_MAX, hi = 0;
        for (const auto& e : j.bssplit[dir]) lo = std::min(lo, e.bs), hi = std::max(hi, e.bs);
      }
      h.bs_min[d] = lo;
      h.bs_max[d] = hi;
    }
    hs.push_back(std::move(h));
  }
  return results::format_run_start(hs, "fiokit-" FIOKIT_VERSION);
}

// fio's "NAME: Laying out IO file (1 file / 4MiB)" / "(3 files / total 3MiB)"
// lines, normal format only, after "Starting ...": one per job (clone) that
// creates files, counting each new path once (a later job finds it made);
// the size is the files' total length in whole MiB, truncated as fio does.
// Diskless engines (null) touch no file. A plan that fails is left to the
// worker, which reports it as the job's error.
std::string layout_text(const std::vector<jobs::JobSpec>& jobs, const volumes::RunPlan& plan) {
  std::string text;
  std::set<std::string> seen;
  for (size_t n = 0; n < jobs.size(); ++n) {
    const jobs::JobSpec& j = jobs[n];
    uint64_t files = 0, bytes = 0;
    for (const auto& t : volumes::planned_files_or_none(plan[n])) {
      if (t.is_device || t.exists || !seen.insert(t.path).second) continue;
      ++files;
      bytes += t.offset + t.size;
    }
    if (files == 1) text += fmt::format("{}: Laying out IO file (1 file / {}MiB)\n", j.name, bytes >> 20);
    else if (files > 1) text += fmt::format("{}: Laying out IO files ({} files / total {}MiB)\n", j.name, files, bytes >> 20);
  }
  return text;
}

// What the engine cannot know about the jobs' origin: the version, fio's
// "global options", and each job's own "job options" (engine results carry
// the merged options as given).
void add_job_identity(results::RunResult& r, const std::vector<jobs::JobSpec>& jobs, const ExecArgs& args) {
  r.tool = "fiokit";
  r.version = FIOKIT_VERSION;
  r.global_options = args.global_options;
  for (auto& jr : r.jobs)
    if (jr.job_index >= 0 && static_cast<size_t>(jr.job_index) < jobs.size()) {
      const jobs::JobSpec& spec = jobs[static_cast<size_t>(jr.job_index)];
      jr.options = spec.job_options;
      jr.options_shown = spec.job_options_shown;
      // fio keeps a description in 256 bytes with its terminator.
      jr.description = spec.description.substr(0, 255);
      jr.unified_rw_reporting = spec.unified_rw_reporting;
      // disable_lat/clat/slat/bw_measurement and gtod_reduce: fio 3.33 then
      // reports that figure as not measured (N=0, no percentiles, no bw/iops
      // samples). fiokit measures anyway (its timing cost is in the engine
      // benchmark) and reports as fio does, so the same job prints the same.
      const bool reduce = spec.gtod_reduce;
      for (auto& d : jr.dirs) {
        if (reduce || spec.disable_lat) d.lat = results::LatencyHistogram{};
        if (reduce || spec.disable_clat) d.clat = results::LatencyHistogram{};
        if (reduce || spec.disable_slat) d.slat = results::LatencyHistogram{};
        if (reduce || spec.disable_bw) d.bw_kib.values.clear(), d.iops.values.clear();
      }
    }
}

// "job: 1234 IOPS read, ..." for the per-repeat line on stderr.
std::string headline(const results::RunResult& r) {
  std::string s;
  for (const auto& j : r.jobs) {
    for (int d = 0; d < results::kDirs; ++d) {
      const auto& ds = j.dirs[d];
      if (!ds.total_ios || !ds.runtime_ms) continue;
      s += fmt::format("{}{} {} {:.0f} IOPS", s.empty() ? "" : ", ", j.name, results::kDirNames[d],
                       static_cast<double>(ds.total_ios) * 1000.0 / static_cast<double>(ds.runtime_ms));
    }
  }
  return s.empty() ? "no I/O" : s;
}

// Checkpoints of the running repeat's results.json in the run dir: often
// enough that kill -9 loses at most a couple of seconds of a long run, rare
// enough to cost nothing measurable (one json+ render every second, on the run
// thread, never per I/O).
constexpr uint64_t kCheckpointIntervalMs = 1000;
// A cluster member's status snapshots: one a second (docs/cluster-protocol.md).
constexpr uint64_t kClusterStatusMs = 1000;

// What a repeat's results.json holds before its first timed checkpoint (see
// RunDirWriter::start): the jobs, no figures yet.
results::RunResult not_started(const std::vector<jobs::JobSpec>& jobs) {
  results::RunResult r;
  const int64_t ms = util::unix_ms_now();
  r.timestamp_ms = ms;
  r.timestamp = ms / 1000;
  for (const auto& j : jobs) {
    results::JobResult jr;
    jr.name = j.name;
    jr.job_index = j.job_index;
    jr.group_id = j.group_id;
    jr.rw = rw_text(j.rw);
    jr.ioengine = j.ioengine;
    jr.iodepth = j.iodepth;
    jr.interrupted = true;
    r.jobs.push_back(std::move(jr));
  }
  return r;
}

// "job 'w': teardown: ..." -> "teardown: ...": the caller names the job.
std::string without_job_prefix(const std::string& message, const std::string& name) {
  const std::string prefix = "job '" + name + "': ";
  return message.starts_with(prefix) ? message.substr(prefix.size()) : message;
}

// The run dir's write failures not yet reported, each on its own stderr line.
void report_run_dir_failures(const results::RunDirWriter& rd, size_t& reported) {
  for (; reported < rd.failures().size(); ++reported) fmt::print(stderr, "fiokit: error: {}\n", rd.failures()[reported]);
  std::fflush(stderr);
}

}  // namespace

int execute_run(const std::vector<jobs::JobSpec>& jobs, const ExecArgs& args, std::string* run_dir_out) {
  // The jobs' files are planned once; preflight, the reports and the run all
  // use this plan. Everything that would fail or destroy data is found before
  // the first byte.
  // Jobs for engines fiokit only parses (rbd, sg, ...) or zonemode=zbd: exit 2
  // with what they need, before any file is planned.
  engine::refuse_unrunnable(jobs);
  const volumes::RunPlan plan = engine::plan_run(jobs);
  volumes::PreflightOptions popts;
  popts.allow_clobber = args.allow_clobber;
  popts.allow_device_write = args.allow_device_write;
  popts.confine = args.confine;
  popts.confine_applies = args.confine_applies;
  const auto problems = volumes::preflight(jobs, plan, popts);
  if (!problems.empty()) {
    fmt::print(stderr, "{}", volumes::format_problems(problems));
    return kExitUsage;
  }

  // A data dir where no run directory can be made at all fails here, before
  // any I/O (exit 1). Once it exists, a file that cannot be written into it
  // (a full disk) is reported on stderr and the run goes on: the report on
  // stdout is still complete, and the exit code becomes 1 (see the end).
  std::optional<results::RunDirWriter> run_dir;
  size_t run_dir_reported = 0;
  if (args.data_dir) {
    run_dir = results::RunDirWriter::create({*args.data_dir, args.run_label.empty() ? jobs.front().name : args.run_label,
                                             args.job_files, args.inline_jobs, args.repeat,
                                             engine::JobLogs::run_dir_names(jobs)});
    if (run_dir_out) *run_dir_out = run_dir->path();
    report_run_dir_failures(*run_dir, run_dir_reported);
  }
  // Open --output before any I/O: a typo in its path should not cost a run.
  std::ofstream out_file;
  if (args.output) {
    out_file.open(*args.output, std::ios::trunc);
    if (!out_file) throw jobs::ParseError("cannot write --output file '" + *args.output + "'");
  }

  // fio prints these lines before the run, with the normal format only.
  const bool normal = std::find(args.formats.begin(), args.formats.end(), "normal") != args.formats.end();
  // Computed before any file exists; output.txt (normal) opens with it too.
  const std::string pre_run = run_start_text(jobs) + layout_text(jobs, plan);
  const std::string start_text = normal ? pre_run : std::string();
  if (args.output) {
    out_file << start_text;
    out_file.flush();
  } else {
    std::fwrite(start_text.data(), 1, start_text.size(), stdout);
    std::fflush(stdout);
  }

  SignalWatcher signals;  // before the engine starts any thread
  if (args.pending_signal) signals.note(*args.pending_signal);
  std::optional<cluster::Member> member;  // its poster thread starts after the watcher
  if (args.cluster) member.emplace(*args.cluster);
  const auto volume_info = volumes::volume_extras(jobs, plan);
  // What the engine cannot know, added to the final result and to every
  // checkpoint alike, so a checkpoint reads like the run it stands for.
  auto decorate = [&](results::RunResult& r, int rep) {
    add_job_identity(r, jobs, args);
    add_host_info(r);
    r.extras.insert(volume_info.begin(), volume_info.end());
    if (args.repeat > 1) r.extras["repeat"] = std::to_string(rep) + "/" + std::to_string(args.repeat);
    if (member) member->decorate(r);
  };
  if (run_dir) {
    results::RunResult placeholder = not_started(jobs);
    decorate(placeholder, 1);
    placeholder.extras.erase("repeat");  // start() numbers each repeat's
    run_dir->start(placeholder, util::unix_ms_now());
    report_run_dir_failures(*run_dir, run_dir_reported);
  }
  // Logs that could not be written, with or without a run dir (a job's log
  // failing is not the job failing, see engine/worker.cpp teardown).
  std::vector<std::string> log_failures;
  std::vector<results::RunResult> runs;
  // Repeat 1 always runs (a signal already in stops it at once): the report
  // below needs one result, interrupted or not.
  for (int rep = 1; rep <= args.repeat && (rep == 1 || !signals.signal()); ++rep) {
    engine::RunOptions opts;
    opts.run_dir = run_dir ? run_dir->begin_repeat(rep) : ".";
    opts.confine = args.confine;
    opts.confine_applies = args.confine_applies;
    // Every job of a run directory gets its per-second series (issue 17), so
    // plot, serve and aio have graphs whatever the job file logs; a folder
    // that cannot be made is one more unwritten file of the run dir.
    std::unique_ptr<results::SeriesSink> series;
    if (run_dir) {
      try {
        series = results::SeriesSink::open(opts.run_dir + "/" + results::kSeriesDir);
      } catch (const std::system_error& e) {
        run_dir->add_failure(e.what());
      }
      opts.series = series.get();
    }
    opts.stop = signals.stop_flag();
    ProgressPrinter progress(args.eta, jobs);
    if (progress.enabled()) opts.progress = [&progress](const engine::Progress& p) { progress.update(p); };
    if (member) {
      opts.before_start = [&] { return member->join(signals.stop_flag()); };
      opts.started = [&](int64_t unix_ns) { member->set_started(unix_ns); };
    }
    if (args.status_interval_ms || member) {
      // fio's --status-interval: the cumulative results so far, in the chosen
      // formats, to the same place as the final report (one document each).
      // A cluster member's snapshots come every second; a --status-interval
      // of several seconds then prints every Nth of them.
      opts.status_interval_ms = member ? std::min(args.status_interval_ms ? args.status_interval_ms : kClusterStatusMs, kClusterStatusMs)
                                       : args.status_interval_ms;
      const uint64_t print_every = member && args.status_interval_ms ? std::max<uint64_t>(1, (args.status_interval_ms + 500) / 1000) : 1;
      opts.status = [&, print_every, calls = uint64_t{0}](const results::RunResult& given) mutable {
        if (member) {
          results::RunResult doc = given;
          decorate(doc, rep);
          member->post_status(results::write_json(doc, true));
        }
        if (!args.status_interval_ms || ++calls % print_every) return;
        results::RunResult snap = given;
        add_job_identity(snap, jobs, args);
        const std::string text = render(snap, args.formats);
        progress.finish();
        if (args.output) {
          out_file << text;
          out_file.flush();
        } else {
          std::fwrite(text.data(), 1, text.size(), stdout);
          std::fflush(stdout);
        }
      };
    }
    if (run_dir) {
      opts.checkpoint_interval_ms = kCheckpointIntervalMs;
      opts.checkpoint = [&](const results::RunResult& given) {
        results::RunResult snap = given;
        decorate(snap, rep);
        run_dir->checkpoint(rep, snap, util::unix_ms_now());
        if (run_dir->failures().size() > run_dir_reported) {
          progress.finish();
          report_run_dir_failures(*run_dir, run_dir_reported);
        }
      };
    }

    results::RunResult r;
    try {
      r = engine::run_jobs(jobs, plan, opts);
    } catch (const cluster::ClusterError& e) {  // from the start gate: no I/O was done
      progress.finish();
      fmt::print(stderr, "fiokit: error: {}\n", e.what());
      if (run_dir) fmt::print(stderr, "fiokit: the run directory {} holds no results (the run did not start)\n", run_dir->path());
      return e.exit_code;
    }
    progress.finish();
    if (series) {
      try {
        series->close();
      } catch (const std::system_error& e) {
        run_dir->add_failure(e.what());
      }
    }
    decorate(r, rep);
    // fio prints "Disk stats" unless every job says disk_util=0.
    if (std::none_of(jobs.begin(), jobs.end(), [](const jobs::JobSpec& j) { return j.disk_util; })) r.disk_util.clear();
    if (signals.signal()) {
      r.interrupted = true;
      r.signal = signals.signal();
      for (auto& j : r.jobs) j.interrupted = true;
    }
    for (auto& j : r.jobs) {
      const auto it = j.extras.find("log_error");
      if (it == j.extras.end()) continue;
      if (run_dir) run_dir->add_failure(it->second);
      else if (std::find(log_failures.begin(), log_failures.end(), it->second) == log_failures.end()) {
        log_failures.push_back(it->second);
        fmt::print(stderr, "fiokit: error: {}\n", it->second);
      }
    }
    // The run directory first: it is the record that must survive a bad stdout.
    if (run_dir) {
      run_dir->end_repeat(rep, r);
      report_run_dir_failures(*run_dir, run_dir_reported);
    }
    if (args.repeat > 1) {
      const results::RepeatStatus st = results::repeat_status(r);
      if (st.status == "ok") fmt::print(stderr, "fiokit: repeat {}/{}: {}\n", rep, args.repeat, headline(r));
      else
        fmt::print(stderr, "fiokit: repeat {}/{}: {}{}{}: {}\n", rep, args.repeat, st.status == "failed" ? "FAILED" : "INTERRUPTED",
                   st.error.empty() ? "" : " (", st.error.empty() ? "" : st.error + ")", headline(r));
    }
    runs.push_back(std::move(r));
  }
  const results::RunResult& first = runs.front();
  if (run_dir) {
    run_dir->finish(runs, pre_run);
    report_run_dir_failures(*run_dir, run_dir_reported);
  }
  // stdout carries repeat 1 (one JSON document); the run directory keeps all.
  const std::string text = render(first, args.formats);
  if (args.output) {
    out_file << text;
    out_file.flush();
    if (!out_file) fmt::print(stderr, "fiokit: error writing --output file '{}'\n", *args.output);
  } else {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  }

  int failed = 0;
  for (const auto& r : runs)
    for (const auto& j : r.jobs)
      if (j.error_ignored) {
        // Every error was let pass (continue_on_error): fio 3.33 exits 0.
        fmt::print(stderr, "fiokit: job '{}': {} error(s) let pass by continue_on_error, the first: {}\n", j.name, j.total_err,
                   without_job_prefix(j.error_message, j.name));
      } else if (j.error) {
        ++failed;
        fmt::print(stderr, "fiokit: job '{}' failed: {}\n", j.name, without_job_prefix(j.error_message, j.name));
      }
  // Exit 1 when the run dir lacks a file: the benchmark itself succeeded and
  // its report is complete, but a script that keeps run dirs must not take
  // this one for a whole record (the house rule: 1 for failed I/O).
  const bool run_dir_failed = run_dir && !run_dir->failures().empty();
  if (run_dir_failed)
    fmt::print(stderr, "fiokit: the run directory {} is incomplete ({} file(s) not written); the report on {} is complete\n",
               run_dir->path(), run_dir->failures().size(), args.output ? "'" + *args.output + "'" : std::string("stdout"));
  int rc = signals.exit_code() ? signals.exit_code() : failed || run_dir_failed || !log_failures.empty() ? kExitFailed : kExitOk;
  if (member && run_dir) rc = member->finish(run_dir->path(), rc, signals.signal() != 0);
  return rc;
}

}  // namespace fiokit::cli
