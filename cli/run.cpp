// `fiokit run`: fio's command line. Run-level options (this file's table) are
// taken out first; everything else is job options and job files, handed to
// jobs/ in order. Parse errors exit 2 before anything runs.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <optional>

#include "cli/commands.hpp"
#include "cli/quickstart.hpp"
#include "cli/run_exec.hpp"
#include "engine/io_engine.hpp"
#include "jobs/cmdline.hpp"
#include "jobs/options.hpp"
#include "jobs/parse.hpp"

namespace fiokit::cli {
namespace {

enum class Arg { none, required, optional };
struct RunOpt {
  const char* name;
  Arg arg;
  const char* help;
};

constexpr RunOpt kRunOpts[] = {
    {"output", Arg::required, "write the report to FILE instead of stdout"},
    {"output-format", Arg::required, "normal, json, json+ or terse; a comma list for several"},
    {"parse-only", Arg::none, "check the jobs and exit (0 when valid)"},
    {"showcmd", Arg::none, "print the jobs as one command line and exit"},
    {"cmdhelp", Arg::optional, "describe an option (or all)"},
    {"section", Arg::required, "run only this job section (may repeat)"},
    {"eta", Arg::required, "progress line: auto, always or never"},
    {"data-dir", Arg::required, "write a run directory DIR/runs/<time>-<job>/ (results.json, logs, job files)"},
    {"status-interval", Arg::required, "also print the results so far every TIME (default unit s), as fio"},
    {"repeat", Arg::required, "run the jobs N times; stdout shows repeat 1, the run directory keeps all and repeats.json"},
    {"allow-clobber", Arg::none, "let write jobs overwrite existing files fiokit did not create"},
    {"allow-device-write", Arg::none, "let write jobs use block devices that are mounted or hold a filesystem"},
    {"quickstart", Arg::none, "run the embedded quickstart job in a new temporary directory"},
    {"minimal", Arg::none, "same as --output-format=terse"},
    {"warnings-fatal", Arg::none, "treat warnings (e.g. options with no effect) as errors"},
    {"readonly", Arg::none, "refuse (exit 2) any job that would write or trim, as fio's --readonly"},
    {"help", Arg::none, "this help"},
};

const RunOpt* find_run_opt(const std::string& name) {
  for (const auto& o : kRunOpts)
    if (name == o.name) return &o;
  return nullptr;
}

struct RunArgs {
  std::optional<std::string> output;
  std::vector<std::string> formats{"normal"};
  bool parse_only = false, showcmd = false, help = false, warnings_fatal = false, readonly = false;
  std::optional<std::string> cmdhelp;
  std::vector<std::string> sections;
  std::string eta = "auto";
  std::optional<std::string> data_dir;
  bool quickstart = false;
  int repeat = 1;
  uint64_t status_interval_ms = 0;
  bool allow_clobber = false, allow_device_write = false;
};

std::vector<std::string> parse_formats(const std::string& v) {
  std::vector<std::string> out;
  for (auto& f : jobs::split(v, ',')) {
    f = jobs::trim(f);
    if (f != "normal" && f != "json" && f != "json+" && f != "terse")
      throw jobs::ParseError(fmt::format("--output-format: '{}' is not one of normal, json, json+, terse", f));
    out.push_back(f);
  }
  return out;
}

RunArgs parse_run_args(const std::vector<std::string>& args) {
  RunArgs r;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0) continue;
    std::string body = a.substr(2);
    size_t eq = body.find('=');
    std::string key = body.substr(0, eq);
    const RunOpt* o = find_run_opt(key);
    if (!o) continue;
    std::optional<std::string> val;
    if (eq != std::string::npos) val = body.substr(eq + 1);
    else if (o->arg == Arg::required) {
      if (i + 1 >= args.size()) throw jobs::ParseError(fmt::format("--{} needs a value", key));
      val = args[++i];
    }
    if (o->arg == Arg::none && val) throw jobs::ParseError(fmt::format("--{} takes no value", key));
    if (key == "output") r.output = *val;
    else if (key == "output-format") r.formats = parse_formats(*val);
    else if (key == "minimal") r.formats = {"terse"};
    else if (key == "parse-only") r.parse_only = true;
    else if (key == "showcmd") r.showcmd = true;
    else if (key == "cmdhelp") r.cmdhelp = val.value_or("all");
    else if (key == "section") r.sections.push_back(*val);
    else if (key == "warnings-fatal") r.warnings_fatal = true;
    else if (key == "readonly") r.readonly = true;
    else if (key == "help") r.help = true;
    else if (key == "data-dir") r.data_dir = *val;
    else if (key == "quickstart") r.quickstart = true;
    else if (key == "allow-clobber") r.allow_clobber = true;
    else if (key == "allow-device-write") r.allow_device_write = true;
    else if (key == "status-interval") {
      try {
        r.status_interval_ms = jobs::parse_time_us(*val, jobs::TimeUnit::s) / 1000;
      } catch (const jobs::ValueError& e) {
        throw jobs::ParseError(fmt::format("--status-interval: {}", e.what()));
      }
      if (r.status_interval_ms == 0) throw jobs::ParseError("--status-interval must be at least 1ms");
    } else if (key == "repeat") {
      int64_t n = 0;
      try {
        n = jobs::parse_int(*val);
      } catch (const jobs::ValueError& e) {
        throw jobs::ParseError(fmt::format("--repeat: {}", e.what()));
      }
      if (n < 1 || n > 1000) throw jobs::ParseError("--repeat must be between 1 and 1000");
      r.repeat = static_cast<int>(n);
    }
    else if (key == "eta") {
      if (*val != "auto" && *val != "always" && *val != "never")
        throw jobs::ParseError(fmt::format("--eta: '{}' is not one of auto, always, never", *val));
      r.eta = *val;
    }
  }
  return r;
}

void print_help() {
  fmt::print(
      "usage: fiokit run [OPTIONS] [--name=JOB --OPTION=VALUE ...] [JOBFILE ...]\n\n"
      "Runs fio job files ('-' reads one from stdin) and command-line jobs. Job\n"
      "options before the first --name apply to every job. See --cmdhelp=all.\n"
      "--max-jobs=N is accepted as fio 3.33 accepts it (no limit; a warning when\n"
      "more jobs are defined).\n\n"
      "options:\n");
  for (const auto& o : kRunOpts)
    fmt::print("  --{:<22} {}\n", std::string(o.name) + (o.arg == Arg::required ? "=X" : o.arg == Arg::optional ? "[=X]" : ""), o.help);
}

}  // namespace

int cmd_run(const std::vector<std::string>& args) {
  RunArgs ra = parse_run_args(args);
  if (ra.help) {
    print_help();
    return kExitOk;
  }
  if (ra.cmdhelp) {
    try {
      fmt::print("{}", engine::option_catalog().cmdhelp(*ra.cmdhelp));
    } catch (const jobs::ValueError& e) {
      throw jobs::ParseError(e.what());
    }
    return kExitOk;
  }
  auto ex = jobs::Expander::from_system();
  std::string quick_dir;
  if (ra.quickstart) {
    quick_dir = make_quickstart_dir();
    auto sys_env = ex.getenv;
    ex.getenv = [sys_env, quick_dir](const std::string& n) -> std::optional<std::string> {
      if (n == "FIOKIT_QUICKSTART_DIR") return quick_dir + "/data";
      return sys_env(n);
    };
    if (!ra.data_dir) ra.data_dir = quick_dir;
  }
  auto cl = jobs::split_cmdline(
      args, [](const std::string& n) { return find_run_opt(n) != nullptr; },
      [](const std::string& n) { return find_run_opt(n)->arg == Arg::required; }, ex, engine::option_catalog());
  ExecArgs ea;
  ea.job_files = cl.job_files;
  // fio 3.33 exits 0 on --parse-only with nothing to parse; so does fiokit
  // (a plain run with no job is still a usage error).
  if (ra.parse_only && cl.job_files.empty() && cl.sections.empty() && !ra.quickstart) return kExitOk;
  const auto max_jobs = cl.max_jobs;
  auto req = jobs::make_request(std::move(cl), ex, ra.sections);
  req.readonly = ra.readonly;
  if (ra.quickstart) {
    req.sources.push_back({"quickstart.fio", jobs::read_job_text(kQuickstartJob, "quickstart.fio", ".", ex)});
    ea.inline_jobs.emplace_back("quickstart.fio", kQuickstartJob);
  }
  auto parsed = jobs::build_jobs(req, engine::option_catalog());
  if (auto w = jobs::max_jobs_warning(max_jobs, parsed.jobs.size())) parsed.warnings.push_back(*w);
  for (const auto& w : parsed.warnings) fmt::print(stderr, "fiokit: warning: {}\n", w);
  if (ra.warnings_fatal && !parsed.warnings.empty()) return kExitUsage;
  if (ra.showcmd) {
    fmt::print("{}\n", jobs::showcmd(parsed.jobs));
    return kExitOk;
  }
  if (ra.parse_only) return kExitOk;

  ea.output = ra.output;
  ea.formats = ra.formats;
  ea.eta = ra.eta;
  ea.data_dir = ra.data_dir;
  ea.repeat = ra.repeat;
  ea.status_interval_ms = ra.status_interval_ms;
  ea.allow_clobber = ra.allow_clobber;
  ea.allow_device_write = ra.allow_device_write;
  ea.run_label = ra.quickstart ? "quickstart" : "";
  ea.global_options = parsed.global_options;
  std::string run_dir;
  const int rc = execute_run(parsed.jobs, ea, &run_dir);
  if (!run_dir.empty()) fmt::print(stderr, "fiokit: run directory {}\n", run_dir);
  if (ra.quickstart && rc == kExitOk) {
    // The quickstart shows the whole pipeline: run -> results -> plots -> serve.
    const int prc = cmd_plot({run_dir});
    if (prc != kExitOk) fmt::print(stderr, "fiokit: quickstart: no graphs (see above); the results are in {}\n", run_dir);
    fmt::print(stderr, "fiokit: quickstart done; browse it with: fiokit serve {}\n", quick_dir);
  }
  return rc;
}

}  // namespace fiokit::cli
