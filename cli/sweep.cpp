// `fiokit sweep JOB --iodepth 1,2,4 --numjobs 1,2`: runs a job file once per
// point of a matrix of option values, as one run directory: sweep.json (the
// manifest, results/sweep.hpp) and one ordinary sub-run per point under
// runs/, then the sweep's graphs (plot/sweep_graphs.hpp). Every point is
// parsed before anything runs, so an unknown option, an empty list or a value
// the parser refuses exits 2 naming it; a point that fails at run time is
// recorded and the others go on (exit 1 at the end); SIGINT/SIGTERM stops the
// sweep after the running point, whose results are kept, marked interrupted.
#include <fmt/format.h>
#include <signal.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "cli/commands.hpp"
#include "cli/flags.hpp"
#include "cli/run_exec.hpp"
#include "cli/signals.hpp"
#include "engine/io_engine.hpp"
#include "engine/parse_only_engines.hpp"
#include "jobs/cmdline.hpp"
#include "jobs/error.hpp"
#include "jobs/parse.hpp"
#include "plot/sweep_graphs.hpp"
#include "results/json_reader.hpp"
#include "results/run_dir.hpp"
#include "results/sweep.hpp"
#include "util/wall_clock.hpp"

namespace fiokit::cli {
namespace {

const po::options_description& sweep_flags() {
  static const po::options_description desc = [] {
    po::options_description d("options");
    d.add_options()
        ("data-dir", po::value<std::string>()->value_name("DIR"), "write the sweep to DIR/runs/<time>-sweep-<job>/ (default: .)")
        ("format", po::value<std::string>()->value_name("FMT"), "graphs as png, svg or both (default both)")
        ("no-plot", po::bool_switch(), "draw no graphs (fiokit plot SWEEP_DIR draws them later)")
        ("gnuplot", po::value<std::string>()->value_name("CMD"), "gnuplot command (default gnuplot)")
        ("allow-clobber", po::bool_switch(), "let write jobs overwrite existing files fiokit did not create")
        ("allow-device-write", po::bool_switch(), "let write jobs use block devices that are mounted or hold a filesystem")
        ("help", po::bool_switch(), "this help");
    return d;
  }();
  return desc;
}

void print_help() {
  fmt::print(
      "usage: fiokit sweep [OPTIONS] JOBFILE... --OPTION V1,V2,... [--OPTION V1,V2,...]\n\n"
      "Runs the job file(s) once per point of the matrix of the listed option values\n"
      "(each list a dimension; any job option: --iodepth 1,2,4,8 --numjobs 1,2,4,\n"
      "--bs 4k,64k, --rw randread,randwrite). A value containing a comma cannot be\n"
      "swept. The sweep's values replace the job file's own (a warning says so).\n"
      "One run directory: sweep.json (dimensions, points, status of each), one\n"
      "ordinary run directory per point under runs/, and plots/: IOPS, mean latency\n"
      "and p99 completion latency against iodepth (one line per numjobs), and an\n"
      "iodepth x numjobs heat map of IOPS. Exit 0 when every point ran, 1 when one\n"
      "failed (the others still run), 2 for a usage or parse error (nothing ran),\n"
      "130/143 after SIGINT/SIGTERM (finished points kept).\n\n"
      "{}",
      describe_flags(sweep_flags()));
}

struct SweepArgs {
  std::string data_dir = ".";
  plot::Format format = plot::Format::both;
  bool plot = true, help = false, allow_clobber = false, allow_device_write = false;
  std::string gnuplot = "gnuplot";
  std::vector<std::string> job_files;
  std::vector<results::SweepDimension> dims;
};

// The dimensions: every --OPTION VALUES (or --OPTION=VALUES) that is not one
// of sweep's own flags, by fio's canonical option name; the rest are job files.
SweepArgs parse_sweep_args(const std::vector<std::string>& args) {
  SweepArgs a;
  const ParsedFlags pf = parse_flags(args, sweep_flags(), FlagStyle::long_only, true, "fiokit sweep --help");
  for (const po::option& o : pf.flags) {
    const std::string& key = o.string_key;
    const std::string val = flag_value(o);
    if (key == "data-dir") a.data_dir = val;
    else if (key == "no-plot") a.plot = false;
    else if (key == "gnuplot") a.gnuplot = val;
    else if (key == "allow-clobber") a.allow_clobber = true;
    else if (key == "allow-device-write") a.allow_device_write = true;
    else if (key == "help") a.help = true;
    else if (key == "format") {
      if (val == "png") a.format = plot::Format::png;
      else if (val == "svg") a.format = plot::Format::svg;
      else if (val == "both") a.format = plot::Format::both;
      else throw UsageError(fmt::format("--format: '{}' is not one of png, svg, both", val));
    }
  }
  if (a.help) return a;
  const jobs::OptionCatalog& catalog = engine::option_catalog();
  std::set<std::string> seen;
  for (size_t i = 0; i < pf.rest.size(); ++i) {
    const std::string& tok = pf.rest[i];
    if (tok.size() < 3 || tok.rfind("--", 0) != 0) {
      a.job_files.push_back(tok);
      continue;
    }
    const size_t eq = tok.find('=');
    const std::string key = tok.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    std::string values;
    if (eq != std::string::npos) values = tok.substr(eq + 1);
    else if (i + 1 < pf.rest.size()) values = pf.rest[++i];
    else throw UsageError(fmt::format("--{}: expected a list of values (--{} V1,V2,...)", key, key));
    const jobs::OptionDef* def = catalog.find(key);
    if (!def) {
      const auto guess = catalog.suggest(key);
      throw UsageError(fmt::format("unknown option '--{}': not a job option{}", key,
                                   guess.empty() ? "" : fmt::format("; did you mean '--{}'?", guess.front())));
    }
    if (def->name == "name") throw UsageError("--name cannot be swept: the job file names the jobs");
    if (!seen.insert(def->name).second) throw UsageError(fmt::format("--{} is given twice", def->name));
    try {
      a.dims.push_back({def->name, results::split_sweep_values(def->name, values)});
    } catch (const results::SweepError& e) {
      throw UsageError(e.what());
    }
  }
  if (a.job_files.empty()) throw UsageError("expected a job file (fiokit sweep JOBFILE --iodepth 1,2,4 ...)");
  if (a.dims.empty()) throw UsageError("expected at least one option to sweep (--iodepth 1,2,4 ...)");
  return a;
}

// The request with the point's values appended to every job section, so they
// are the last word on each job (a [global] value or the job's own is
// replaced, as a later line of the file would replace it).
jobs::ParseRequest with_point(jobs::ParseRequest req, const results::SweepPoint& p) {
  for (auto& src : req.sources)
    for (auto& sec : src.sections) {
      if (sec.name == "global") continue;
      for (const auto& [k, v] : p) sec.options.push_back({k, v, jobs::SourceLoc{"<sweep>", 0}});
    }
  return req;
}

// "job.fio:3 sets iodepth=4; the sweep's values replace it": the job file's
// own value of a swept option does not count, and the user should know.
void warn_overridden(const jobs::ParseRequest& req, const std::vector<results::SweepDimension>& dims) {
  const jobs::OptionCatalog& catalog = engine::option_catalog();
  for (const auto& src : req.sources)
    for (const auto& sec : src.sections)
      for (const auto& o : sec.options) {
        const jobs::OptionDef* def = catalog.find(o.key);
        if (!def) continue;
        for (const auto& d : dims)
          if (def->name == d.option)
            fmt::print(stderr, "fiokit sweep: warning: {} sets {}={} ([{}]); the sweep's --{} values replace it\n",
                       o.loc.str(), o.key, o.value.value_or(""), sec.name, d.option);
      }
}

volatile std::sig_atomic_t g_signal = 0;

volatile std::sig_atomic_t g_signal_count = 0;

// Between points no SignalWatcher is active: a signal is noted here and the
// sweep stops before the next point. The main thread then has only bounded
// work left (read the point's results, save the manifest), so a second signal
// is noted too (the point may have been stopped by the first, during its
// setup) and the sweep still ends 128+signal with its manifest marked
// interrupted; a third ends the process at once, for a main thread stuck on a
// hung file system.
extern "C" void on_signal(int sig) {
  if (g_signal) {
    g_signal_count = g_signal_count + 1;
    if (g_signal_count >= 2) {
      std::signal(sig, SIG_DFL);
      std::raise(sig);
    }
  }
  g_signal = sig;
}

// What a second signal during a point writes before the process ends: the
// manifest with the running point interrupted, the rest skipped and a finish
// time, so the sweep page does not say "running" forever. Set only while a
// point runs: the main thread is then inside execute_run and does not touch
// the manifest, so the watcher thread may read it.
results::SweepManifest* g_manifest = nullptr;
const std::string* g_sweep_dir = nullptr;

void write_final_manifest(int) {
  if (!g_manifest || !g_sweep_dir) return;
  try {
    results::SweepManifest m = *g_manifest;
    bool running = true;
    for (auto& p : m.points) {
      if (p.status != "pending") continue;
      p.status = running ? "interrupted" : "skipped";
      running = false;
    }
    m.interrupted = true;
    m.finished_ms = util::unix_ms_now();
    results::write_file_atomic(*g_sweep_dir, results::kSweepManifest, results::write_sweep_manifest(m));
  } catch (const std::exception& e) {
    fmt::print(stderr, "fiokit sweep: could not mark {} interrupted: {}\n", *g_sweep_dir, e.what());
  }
}

// Null-engine latencies are tens of nanoseconds: shown in ns below 1 us.
std::string us_text(double ns) {
  if (ns <= 0) return "-";
  return ns < 1000 ? fmt::format("{:.0f}ns", ns) : fmt::format("{:.1f}us", ns / 1000.0);
}

void print_table(const results::SweepManifest& m) {
  size_t w = 5;
  for (const auto& p : m.points) w = std::max(w, results::point_key(p.settings).size());
  fmt::print("{:<{}}  {:<11}  {:>12}  {:>12}  {:>12}  {}\n", "point", w, "status", "IOPS", "mean lat", "p99 clat", "run");
  for (const auto& p : m.points) {
    const auto& f = p.figures;
    fmt::print("{:<{}}  {:<11}  {:>12}  {:>12}  {:>12}  {}\n", results::point_key(p.settings), w, p.status,
               f ? fmt::format("{:.0f}", f->iops) : "-", f ? us_text(f->lat_mean_ns) : "-",
               f ? us_text(f->clat_p99_ns) : "-", p.run.empty() ? "-" : p.run);
  }
}

}  // namespace

int cmd_sweep(const std::vector<std::string>& argv) {
  SweepArgs a;
  try {
    a = parse_sweep_args(argv);
  } catch (const UsageError& e) {
    return report_usage_error("sweep", e);
  }
  if (a.help) {
    print_help();
    return kExitOk;
  }
  const auto points = results::expand_sweep(a.dims);
  jobs::CmdlineJobs cl;
  cl.job_files = a.job_files;
  for (const auto& f : a.job_files)
    if (f == "-") throw UsageError("a sweep reads its job file once per point: give a file, not '-'");
  const auto ex = jobs::Expander::from_system();
  const jobs::ParseRequest base = jobs::make_request(std::move(cl), ex, {}, &engine::option_catalog());
  warn_overridden(base, a.dims);
  // Every point parsed before the first runs: a value the parser refuses
  // (--iodepth 4,x) is exit 2 naming the point, with nothing run.
  std::vector<jobs::ParseResult> parsed;
  std::set<std::string> warned;
  for (const auto& p : points) {
    try {
      parsed.push_back(jobs::build_jobs(with_point(base, p), engine::option_catalog()));
      engine::refuse_unrunnable(parsed.back().jobs);
    } catch (const jobs::ParseError& e) {
      throw jobs::ParseError(fmt::format("sweep point {}: {}", results::point_key(p), e.what()));
    }
    for (const auto& w : parsed.back().warnings)
      if (warned.insert(w).second) fmt::print(stderr, "fiokit sweep: warning: {}\n", w);
  }

  results::SweepManifest m;
  m.version = FIOKIT_VERSION;
  m.dimensions = a.dims;
  m.started_ms = util::unix_ms_now();
  for (const auto& p : points) m.points.push_back({p, "pending", "", "", 0, std::nullopt});
  const std::string dir = results::create_run_dir(
      a.data_dir, results::make_run_id(m.started_ms / 1000, "sweep-" + parsed.front().jobs.front().name));
  m.job_files = results::copy_job_files(dir, a.job_files);
  auto save = [&] { results::write_file_atomic(dir, results::kSweepManifest, results::write_sweep_manifest(m)); };
  save();
  fmt::print(stderr, "fiokit sweep: {} point(s) into {}\n", points.size(), dir);

  struct sigaction sa {}, old_int {}, old_term {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  int signal_exit = 0;
  bool failed = false;
  for (size_t n = 0; n < points.size(); ++n) {
    auto& rec = m.points[n];
    if (signal_exit || g_signal) {
      if (!signal_exit) signal_exit = 128 + g_signal;
      rec.status = "skipped";
      continue;
    }
    ExecArgs ea;
    ea.output = "/dev/null";  // the sub-run keeps output.txt; stdout shows the sweep's table
    ea.formats = {"normal"};
    ea.eta = "never";
    ea.data_dir = dir;
    ea.run_label = results::point_label(points[n]);
    ea.job_files = a.job_files;
    ea.allow_clobber = a.allow_clobber;
    ea.allow_device_write = a.allow_device_write;
    ea.global_options = parsed[n].global_options;
    ea.pending_signal = &g_signal;  // a signal during the point's setup stops it
    std::string run_dir;
    int rc = kExitFailed;
    g_manifest = &m;
    g_sweep_dir = &dir;
    SignalWatcher::set_last_words(write_final_manifest);
    try {
      rc = execute_run(parsed[n].jobs, ea, &run_dir);
    } catch (const std::exception& e) {
      rec.error = e.what();
    }
    SignalWatcher::set_last_words(nullptr);
    g_manifest = nullptr;
    if (!run_dir.empty()) rec.run = std::filesystem::relative(run_dir, dir).string();
    rec.exit_code = rc;
    if (rc == 130 || rc == 143) {
      rec.status = "interrupted";
      signal_exit = rc;
    } else if (rc == kExitOk) {
      rec.status = "ok";
    } else {
      rec.status = "failed";
      failed = true;
      if (rec.error.empty()) rec.error = fmt::format("the run exited {} (see its output.txt)", rc);
    }
    if (!run_dir.empty()) {
      try {
        std::FILE* f = std::fopen((run_dir + "/results.json").c_str(), "rb");
        std::string text;
        if (f) {
          char buf[65536];
          size_t got;
          while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, got);
          std::fclose(f);
        }
        rec.figures = results::point_figures(results::read_fio_json(text));
      } catch (const std::exception& e) {
        if (rec.error.empty()) rec.error = std::string("results.json: ") + e.what();
      }
    }
    fmt::print(stderr, "fiokit sweep: point {}/{} {}: {}{}\n", n + 1, points.size(), results::point_key(points[n]),
               rec.status, rec.figures && rec.status == "ok" ? fmt::format(", {:.0f} IOPS", rec.figures->iops) : "");
    save();
  }
  // A signal after the last point's run returned (or pending when its
  // watcher unblocked) reached only on_signal: the sweep was interrupted all
  // the same, and says so in its exit code and manifest.
  if (!signal_exit && g_signal) signal_exit = 128 + g_signal;
  m.interrupted = signal_exit != 0;
  m.finished_ms = util::unix_ms_now();
  save();
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  print_table(m);
  int rc = signal_exit ? signal_exit : failed ? kExitFailed : kExitOk;
  if (a.plot) {
    plot::RenderOptions ro;
    ro.gnuplot_cmd = a.gnuplot;
    ro.format = a.format;
    try {
      const auto images = plot::plot_sweep(dir, dir + "/plots", ro);
      fmt::print(stderr, "fiokit sweep: {} graph(s) in {}/plots\n", images.size(), dir);
    } catch (const std::exception& e) {
      fmt::print(stderr, "fiokit sweep: no graphs: {}\n", e.what());
      if (!rc) rc = kExitFailed;
    }
  }
  fmt::print(stderr, "fiokit sweep: sweep directory {}\n", dir);
  return rc;
}

}  // namespace fiokit::cli
