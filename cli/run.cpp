// `fiokit run`: fio's command line. Run-level flags (this file's
// Program_options table) are taken out first; everything else is job options
// and job files, handed to jobs/ in order. Flag and parse errors exit 2 before
// anything runs.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <optional>

#include "cli/cluster_member.hpp"
#include "cli/commands.hpp"
#include "cli/flags.hpp"
#include "cli/quickstart.hpp"
#include "cli/run_exec.hpp"
#include "engine/io_engine.hpp"
#include "jobs/cmdline.hpp"
#include "jobs/cmdline_override.hpp"
#include "jobs/options.hpp"
#include "jobs/debug_parse.hpp"
#include "jobs/parse.hpp"
#include "results/log_compress.hpp"

namespace fiokit::cli {
namespace {

// fiokit run's own flags; everything else on the command line is fio's: job
// options and job files, handed to jobs/ in order.
const po::options_description& run_flags() {
  static const po::options_description desc = [] {
    po::options_description d("options");
    d.add_options()
        ("output", po::value<std::string>()->value_name("FILE"), "write the report to FILE instead of stdout")
        ("output-format", po::value<std::string>()->value_name("FMT"), "normal, json, json+ or terse; a comma list for several")
        ("parse-only", po::bool_switch(), "check the jobs and exit (0 when valid)")
        ("showcmd", po::bool_switch(), "print the jobs as one command line and exit")
        ("cmdhelp", po::value<std::string>()->implicit_value("all")->value_name("OPT"), "describe an option (or all)")
        ("section", po::value<std::string>()->value_name("NAME"), "run only this job section (may repeat)")
        ("eta", po::value<std::string>()->value_name("WHEN"), "progress line: auto, always or never")
        ("data-dir", po::value<std::string>()->value_name("DIR"), "write a run directory DIR/runs/<time>-<job>/ (results.json, logs, job files)")
        ("status-interval", po::value<std::string>()->value_name("TIME"), "also print the results so far every TIME (default unit s), as fio")
        ("repeat", po::value<std::string>()->value_name("N"), "run the jobs N times; stdout shows repeat 1, the run directory keeps all and repeats.json")
        ("allow-clobber", po::bool_switch(), "let write jobs overwrite existing files fiokit did not create")
        ("allow-device-write", po::bool_switch(), "let write jobs use block devices that are mounted or hold a filesystem")
        ("quickstart", po::bool_switch(), "run the embedded quickstart job in a new temporary directory")
        ("minimal", po::bool_switch(), "same as --output-format=terse")
        ("warnings-fatal", po::bool_switch(), "treat warnings (e.g. options with no effect) as errors")
        ("readonly", po::bool_switch(), "refuse (exit 2) any job that would write or trim, as fio's --readonly")
        ("inflate-log", po::value<std::string>()->value_name("FILE"), "print a stored compressed log (log_store_compressed=1, NAME.log.fz) as text, as fio --inflate-log")
        ("debug", po::value<std::string>()->value_name("LIST"), "fio's debug output; only 'parse': each job option as read (stdout with --parse-only, else stderr)")
        ("coordinator", po::value<std::string>()->value_name("URL"), "join the cluster run at URL, a `fiokit serve` with an ingest token (or FIOKIT_COORDINATOR; needs --data-dir, FIOKIT_INGEST_TOKEN)")
        ("cluster-run", po::value<std::string>()->value_name("NAME"), "the cluster run's name (or FIOKIT_CLUSTER_RUN)")
        ("cluster-size", po::value<std::string>()->value_name("N"), "how many members the cluster run has (or FIOKIT_CLUSTER_SIZE)")
        ("cluster-index", po::value<std::string>()->value_name("I"), "this member's index, 0..N-1 (or JOB_COMPLETION_INDEX)")
        ("help", po::bool_switch(), "this help");
    return d;
  }();
  return desc;
}

struct RunArgs {
  std::optional<std::string> output;
  std::vector<std::string> formats{"normal"};
  bool parse_only = false, showcmd = false, help = false, warnings_fatal = false, readonly = false;
  bool debug_parse = false;  // --debug=parse
  std::optional<std::string> cmdhelp;
  std::optional<std::string> inflate_log;  // --inflate-log=FILE
  std::vector<std::string> sections;
  std::string eta = "auto";
  std::optional<std::string> data_dir;
  bool quickstart = false;
  int repeat = 1;
  uint64_t status_interval_ms = 0;
  bool allow_clobber = false, allow_device_write = false;
  cluster::MemberFlags cluster;  // --coordinator, --cluster-*
};

std::vector<std::string> parse_formats(const std::string& v) {
  std::vector<std::string> out;
  for (auto& f : jobs::split(v, ',')) {
    f = jobs::trim(f);
    if (f != "normal" && f != "json" && f != "json+" && f != "terse")
      throw UsageError(fmt::format("--output-format: '{}' is not one of normal, json, json+, terse", f));
    out.push_back(f);
  }
  return out;
}

// fio's getopt gives --cmdhelp an optional value that only "--cmdhelp=NAME"
// sets: `fio --cmdhelp iodepth` describes every option. Program_options would
// take the next argument as the value, so a bare --cmdhelp is made explicit.
std::vector<std::string> bare_cmdhelp_means_all(std::vector<std::string> args) {
  for (std::string& a : args) {
    if (a == "--") break;
    if (a == "--cmdhelp") a = "--cmdhelp=all";
  }
  return args;
}

// In command-line order, so a repeated flag is last-wins and --minimal and
// --output-format override each other as they come, as in fio.
RunArgs apply_run_flags(const std::vector<po::option>& flags) {
  RunArgs r;
  for (const po::option& o : flags) {
    const std::string& key = o.string_key;
    const std::string val = flag_value(o);
    if (key == "output") r.output = val;
    else if (key == "output-format") r.formats = parse_formats(val);
    else if (key == "minimal") r.formats = {"terse"};
    else if (key == "parse-only") r.parse_only = true;
    else if (key == "showcmd") r.showcmd = true;
    else if (key == "cmdhelp") r.cmdhelp = val.empty() ? "all" : val;
    else if (key == "inflate-log") r.inflate_log = val;
    else if (key == "section") r.sections.push_back(val);
    else if (key == "warnings-fatal") r.warnings_fatal = true;
    else if (key == "readonly") r.readonly = true;
    else if (key == "debug") {
      // fio has many categories; fiokit prints only what it can say truly.
      for (const auto& c : jobs::split(val, ','))
        if (jobs::trim(c) == "parse") r.debug_parse = true;
        else throw UsageError(fmt::format("--debug: '{}' is not supported by fiokit (only 'parse')", jobs::trim(c)));
    }
    else if (key == "help") r.help = true;
    else if (key == "coordinator") r.cluster.coordinator = val;
    else if (key == "cluster-run") r.cluster.run = val;
    else if (key == "cluster-size") r.cluster.size = val;
    else if (key == "cluster-index") r.cluster.index = val;
    else if (key == "data-dir") r.data_dir = val;
    else if (key == "quickstart") r.quickstart = true;
    else if (key == "allow-clobber") r.allow_clobber = true;
    else if (key == "allow-device-write") r.allow_device_write = true;
    else if (key == "status-interval") {
      try {
        r.status_interval_ms = jobs::parse_time_us(val, jobs::TimeUnit::s) / 1000;
      } catch (const jobs::ValueError& e) {
        throw UsageError(fmt::format("--status-interval: {}", e.what()));
      }
      if (r.status_interval_ms == 0) throw UsageError("--status-interval must be at least 1ms");
    } else if (key == "repeat") {
      int64_t n = 0;
      try {
        n = jobs::parse_int(val);
      } catch (const jobs::ValueError& e) {
        throw UsageError(fmt::format("--repeat: {}", e.what()));
      }
      if (n < 1 || n > 1000) throw UsageError("--repeat must be between 1 and 1000");
      r.repeat = static_cast<int>(n);
    } else if (key == "eta") {
      if (val != "auto" && val != "always" && val != "never")
        throw UsageError(fmt::format("--eta: '{}' is not one of auto, always, never", val));
      r.eta = val;
    }
  }
  return r;
}

// An unknown --option is handed to jobs/, which suggests the closest job
// option. When one of run's own flags is at least as close, that is the
// better guess (--data_dir means --data-dir, not a tiobench option), so it is
// reported here first. --max-jobs is fio's run flag that jobs/ parses.
void refuse_misspelt_run_flag(const std::vector<std::string>& rest, const jobs::OptionCatalog& catalog) {
  std::vector<std::string> own = flag_names(run_flags());
  own.push_back("max-jobs");
  for (const std::string& a : rest) {
    if (a.size() <= 2 || a.rfind("--", 0) != 0) continue;
    const std::string key = a.substr(2, a.find('=') == std::string::npos ? std::string::npos : a.find('=') - 2);
    if (key == "max-jobs" || catalog.find(key)) continue;
    const auto mine = closest_flag(key, own);
    if (!mine) continue;
    const auto job = catalog.suggest(key);
    const auto theirs = job.empty() ? std::nullopt : closest_flag(key, {job.front()});
    if (theirs && theirs->distance < mine->distance) continue;  // jobs/ names the job option
    throw UsageError(fmt::format("unknown option '--{}' (command line); did you mean '--{}'?", key, mine->name));
  }
}

// Standard input read ahead and handed back through std::cin, so the parser
// still reads "-" in place (its "<stdin>:LINE" messages and limits unchanged)
// and the run dir gets the same text. At most the parser's 64 MiB limit plus
// one byte is taken: more than that, and the parser refuses it as before.
class StdinCapture {
 public:
  StdinCapture() {
    constexpr size_t kLimit = (size_t{64} << 20) + 1;
    char buf[65536];
    while (text_.size() < kLimit) {
      std::cin.read(buf, static_cast<std::streamsize>(std::min(sizeof buf, kLimit - text_.size())));
      text_.append(buf, static_cast<size_t>(std::cin.gcount()));
      if (!std::cin) break;
    }
    in_.str(text_);
    old_ = std::cin.rdbuf(in_.rdbuf());  // also clears cin's eof state
  }
  ~StdinCapture() { std::cin.rdbuf(old_); }
  StdinCapture(const StdinCapture&) = delete;
  StdinCapture& operator=(const StdinCapture&) = delete;
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::istringstream in_;
  std::streambuf* old_ = nullptr;
};

void print_help() {
  fmt::print(
      "usage: fiokit run [OPTIONS] [--name=JOB --OPTION=VALUE ...] [JOBFILE ...]\n\n"
      "Runs fio job files ('-' reads one from stdin) and command-line jobs. Job\n"
      "options before the first --name apply to every job. See --cmdhelp=all.\n"
      "--max-jobs=N is accepted as fio 3.33 accepts it (no limit; a warning when\n"
      "more jobs are defined).\n\n"
      "{}",
      describe_flags(run_flags()));
}

}  // namespace

int cmd_run(const std::vector<std::string>& args) {
  const ParsedFlags pf = parse_flags(bare_cmdhelp_means_all(args), run_flags(), FlagStyle::long_only, true);
  RunArgs ra = apply_run_flags(pf.flags);
  if (ra.help) {
    print_help();
    return kExitOk;
  }
  if (ra.cmdhelp) {
    try {
      fmt::print("{}", engine::option_catalog().cmdhelp(*ra.cmdhelp));
    } catch (const jobs::ValueError& e) {
      throw UsageError(e.what());
    }
    return kExitOk;
  }
  if (ra.inflate_log) {
    // fio 3.33 inflates the log to stdout and exits, whatever else is on the
    // command line; fiokit says so rather than drop jobs without a word.
    if (!pf.rest.empty()) throw UsageError("--inflate-log prints a log and runs nothing: give no jobs with it");
    return results::inflate_log_file(*ra.inflate_log, stdout, stderr);
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
  refuse_misspelt_run_flag(pf.rest, engine::option_catalog());
  // Run's own flags are already out of pf.rest: all that is left is fio's.
  auto cl = jobs::split_cmdline(pf.rest, ex, engine::option_catalog());
  ExecArgs ea;
  ea.job_files = cl.job_files;
  // A job read from stdin is kept in the run dir as stdin.fio, like a file.
  std::optional<StdinCapture> stdin_job;
  if (std::find(cl.job_files.begin(), cl.job_files.end(), "-") != cl.job_files.end() && !ra.parse_only && !ra.showcmd) {
    stdin_job.emplace();
    ea.inline_jobs.emplace_back("stdin.fio", stdin_job->text());
  }
  // --debug=parse lines go to stdout only with --parse-only, where nothing else
  // is printed there (fio's suite reads them from stdout); otherwise to
  // stderr, so a JSON report on stdout stays pure.
  FILE* const debug_out = ra.parse_only ? stdout : stderr;
  if (ra.debug_parse) {
    for (const auto& o : cl.globals) fmt::print(debug_out, "{}\n", jobs::describe_option(engine::option_catalog(), o));
    for (const auto& sec : cl.sections)
      for (const auto& o : sec.options) fmt::print(debug_out, "{}\n", jobs::describe_option(engine::option_catalog(), o));
  }
  // fio 3.33 exits 0 on --parse-only with nothing to parse; so does fiokit
  // (a plain run with no job is still a usage error).
  if (ra.parse_only && cl.job_files.empty() && cl.sections.empty() && !ra.quickstart) return kExitOk;
  const auto max_jobs = cl.max_jobs;
  // Only the first unknown options of a section, as many as the parse
  // reports, are kept, except under --debug=parse, which prints every option read.
  auto req = jobs::make_request(std::move(cl), ex, ra.sections, ra.debug_parse ? nullptr : &engine::option_catalog());
  req.readonly = ra.readonly;
  if (ra.debug_parse)  // the job files' options (the command line's are printed above)
    for (const auto& src : req.sources)
      for (const auto& sec : src.sections)
        for (const auto& o : sec.options) fmt::print(debug_out, "{}\n", jobs::describe_option(engine::option_catalog(), o));
  if (ra.quickstart) {
    req.sources.push_back({"quickstart.fio", jobs::read_job_text(kQuickstartJob, "quickstart.fio", ".", ex)});
    ea.inline_jobs.emplace_back("quickstart.fio", kQuickstartJob);
  }
  auto parsed = jobs::build_jobs(req, engine::option_catalog());
  if (auto w = jobs::max_jobs_warning(max_jobs, parsed.jobs.size())) parsed.warnings.push_back(*w);
  for (const auto& w : parsed.warnings) fmt::print(stderr, "fiokit: warning: {}\n", w);
  // Not counted by --warnings-fatal: fio's precedence is well defined, and
  // this only says which value a run uses (cmdline_override.hpp).
  for (const auto& w : jobs::cmdline_override_warnings(req, engine::option_catalog())) fmt::print(stderr, "fiokit: warning: {}\n", w);
  if (ra.warnings_fatal && !parsed.warnings.empty()) return kExitUsage;
  if (ra.showcmd) {
    fmt::print("{}\n", jobs::showcmd(parsed.jobs));
    return kExitOk;
  }
  if (ra.parse_only) return kExitOk;
  // A cluster member: its settings checked before any file is laid out.
  ea.cluster = cluster::member_config(ra.cluster, [](const std::string& n) -> std::optional<std::string> {
    const char* v = std::getenv(n.c_str());
    return v ? std::optional<std::string>(v) : std::nullopt;
  });
  if (ea.cluster) {
    const std::string how = ra.cluster.coordinator ? "--coordinator" : "FIOKIT_COORDINATOR";
    if (!ra.data_dir) throw UsageError(how + " needs --data-dir DIR: the member uploads the run directory it writes there");
    if (ra.repeat > 1) throw UsageError(how + ": a cluster run has one start; --repeat is not supported with it");
    ea.cluster->job_sha256 = cluster::job_sha256(pf.rest, ea.job_files, ea.inline_jobs);
  }

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
    const int prc = plot_quickstart_run(run_dir);
    if (prc != kExitOk) fmt::print(stderr, "fiokit: quickstart: no graphs (see above); the results are in {}\n", run_dir);
    fmt::print(stderr, "fiokit: quickstart done; browse it with: fiokit serve {}\n", quick_dir);
  }
  return rc;
}

}  // namespace fiokit::cli
