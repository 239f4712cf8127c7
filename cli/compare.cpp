// `fiokit compare`: the CI regression gate's command line. Argument handling,
// baseline selection/update and report files only; the decisions are
// results/compare.cpp's and the report formats results/gate_report.cpp's.
// Exit codes: 0 pass, 1 regression, 2 invalid comparison or usage error, so a
// pipeline step fails on both a regression and data it cannot trust. Flags go
// through Program_options (cli/flags.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/compare_sweep.hpp"
#include "cli/flags.hpp"
#include "results/compare.hpp"
#include "results/gate_report.hpp"
#include "results/run_source.hpp"
#include "results/sweep.hpp"

namespace fiokit::cli {
namespace {

constexpr int kPass = 0, kInvalid = 2;

const char* kHelpIntro = R"(usage: fiokit compare [OPTIONS] BASELINE CURRENT
       fiokit compare [OPTIONS] --baseline-dir DIR CURRENT

Compares a current run with a baseline and gates CI on it. BASELINE and
CURRENT are run directories (with repeats/<N>/results.json from
`fiokit run --repeat N`, every repeat is used; else results.json) or
results.json files, also fio's own --output-format=json(+) output.

Two `fiokit sweep` directories are compared point by point (points matched
by their option values; a point on one side only is invalid).

Jobs are matched by name and direction (read/write/trim). Metrics:
  iops, bw, lat_mean, clat_mean, clat_p50, clat_p99, clat_p99.9,
  and lat_p50, lat_p99, lat_p99.9 when the runs have lat percentiles.
A metric regresses when its current median is worse than the baseline
median by more than its threshold AND, with at least a few repeats on both
sides, a one-sided Mann-Whitney U test (exact for n_b + n_c <= 40, else
normal approximation with tie correction) gives p <= alpha. With one sample
per side the threshold alone decides. Latency changes smaller than the
latency floor never regress (clock and scheduling noise). A pass beyond the
threshold's size the good way is labelled IMPROVED. Too few repeats for
--alpha (3 vs 3 reach p = 0.05 only when every repeat is worse) print a
warning with the smallest attainable p and the repeats that would do; so do
different rate caps (rate, rate_iops, rate_min, rate_iops_min).

Default thresholds:
  iops=-10%  bw=-10%  lat_mean=+10%  clat_mean=+10%  clat_p50=+10%
  clat_p99=+20%  clat_p99.9=+30%  lat_p50=+10%  lat_p99=+20%  lat_p99.9=+30%

)";

const char* kHelpExit = R"(
Exit status: 0 pass, 1 regression, 2 invalid comparison (zero I/O, a job
error, an interrupted run, missing jobs, directions or metrics, different
job options: rw rwmixread bs bsrange bssplit iodepth ioengine size io_size
runtime time_based numjobs direct, a different host with --strict-host) or a
usage error. Each invalid case is printed with its reason.
)";

const po::options_description& compare_flags() {
  static const po::options_description desc = [] {
    po::options_description d("options");
    d.add_options()
        ("threshold", po::value<std::string>()->value_name("M=P"),
         "threshold of metric M: -10%, +20%, 15 (the metric's bad direction), or off; may repeat")
        ("thresholds", po::value<std::string>()->value_name("FILE"), "one M=P per line, '#' comments")
        ("alpha", po::value<std::string>()->value_name("A"), "significance level of the rank test (default 0.05)")
        ("latency-floor", po::value<std::string>()->value_name("T"), "ignore latency changes below T (default 1us; 0 = off)")
        ("strict-host", po::bool_switch(), "invalid when the runs come from different (or unknown) hosts")
        ("compare-option", po::value<std::string>()->value_name("NAME"), "also require job option NAME to match (may repeat)")
        ("ignore-option", po::value<std::string>()->value_name("NAME"), "do not require job option NAME to match (may repeat)")
        ("baseline-dir", po::value<std::string>()->value_name("DIR"),
         "baseline = newest run in DIR (DIR/runs/* or DIR/*) with the same job names and job options as CURRENT")
        ("update-baseline", po::bool_switch(),
         "with --baseline-dir: copy CURRENT into DIR/runs/ when it passes, or when DIR has no comparable baseline yet")
        ("markdown", po::value<std::string>()->value_name("FILE"), "write a Markdown report (CI summaries, MR comments)")
        ("junit", po::value<std::string>()->value_name("FILE"), "write a JUnit XML report (GitLab/Jenkins test reports)")
        ("json", po::value<std::string>()->value_name("FILE"), "write a JSON report ('-': stdout; the table goes to stderr)")
        ("quiet", po::bool_switch(), "no table on the terminal")
        ("help", po::bool_switch(), "this help");
    return d;
  }();
  return desc;
}

struct Args {
  std::vector<std::string> positional;
  results::CompareOptions opt;
  std::string baseline_dir, markdown, junit, json;
  bool update_baseline = false, quiet = false, help = false;
};

double parse_number(const std::string& what, const std::string& text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v) || v < 0)
    throw UsageError(fmt::format("{}: '{}' is not a non-negative number", what, text));
  return v;
}

// "1us", "500ns", "0.5ms", "2s", plain numbers are nanoseconds.
double parse_duration_ns(const std::string& text) {
  static const std::pair<const char*, double> units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
  for (const auto& [suffix, scale] : units) {
    const std::string s(suffix);
    if (text.size() > s.size() && text.compare(text.size() - s.size(), s.size(), s) == 0)
      return parse_number("--latency-floor", text.substr(0, text.size() - s.size())) * scale;
  }
  return parse_number("--latency-floor", text);
}

// Flags in command-line order: --ignore-option removes what the defaults or
// an earlier --compare-option added, as it always did.
Args parse_args(const std::vector<std::string>& argv) {
  Args a;
  std::vector<std::string> threshold_specs, threshold_files;
  ParsedFlags pf = parse_flags(argv, compare_flags(), FlagStyle::long_only, false, "fiokit compare --help");
  for (const po::option& o : pf.flags) {
    const std::string& key = o.string_key;
    const std::string value = flag_value(o);
    if (key == "help") a.help = true;
    else if (key == "threshold") threshold_specs.push_back(value);
    else if (key == "thresholds") threshold_files.push_back(value);
    else if (key == "alpha") {
      a.opt.alpha = parse_number("--alpha", value);
      if (a.opt.alpha <= 0 || a.opt.alpha >= 1) throw UsageError("--alpha must be between 0 and 1");
    } else if (key == "latency-floor") a.opt.latency_floor_ns = parse_duration_ns(value);
    else if (key == "strict-host") a.opt.strict_host = true;
    else if (key == "compare-option") a.opt.compared_options.push_back(value);
    else if (key == "ignore-option") {
      auto& v = a.opt.compared_options;
      const auto it = std::find(v.begin(), v.end(), value);
      if (it == v.end()) throw UsageError(fmt::format("--ignore-option: '{}' is not compared", value));
      v.erase(it);
    } else if (key == "baseline-dir") a.baseline_dir = value;
    else if (key == "update-baseline") a.update_baseline = true;
    else if (key == "markdown") a.markdown = value;
    else if (key == "junit") a.junit = value;
    else if (key == "json") a.json = value;
    else if (key == "quiet") a.quiet = true;
  }
  a.positional = std::move(pf.rest);
  // Files first, then single --threshold flags, so the command line wins.
  try {
    for (const std::string& f : threshold_files) results::read_thresholds_file(f, a.opt.thresholds);
    for (const std::string& s : threshold_specs) results::parse_threshold(s, a.opt.thresholds);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  if (a.help) return a;
  const size_t want = a.baseline_dir.empty() ? 2 : 1;
  if (a.positional.size() != want)
    throw UsageError(a.baseline_dir.empty() ? "expected BASELINE and CURRENT (run directories or results.json files)"
                                            : "with --baseline-dir, expected only CURRENT");
  if (a.update_baseline && a.baseline_dir.empty()) throw UsageError("--update-baseline needs --baseline-dir");
  return a;
}

void write_report(const std::string& path, const std::string& text, const char* what) {
  if (path == "-") {
    std::fputs(text.c_str(), stdout);
    return;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error(fmt::format("cannot write the {} report {}: {}", what, path, std::strerror(errno)));
}

// Table and report files of a comparison; also for one that could not start
// (no baseline, unreadable run), so CI always has a report saying why.
void emit(const Args& a, const results::Comparison& c) {
  std::FILE* table_to = a.json == "-" ? stderr : stdout;
  if (!a.quiet) fmt::print(table_to, "{}", results::render_gate_table(c));
  if (!a.markdown.empty()) write_report(a.markdown, results::render_gate_markdown(c), "Markdown");
  if (!a.junit.empty()) write_report(a.junit, results::render_gate_junit(c), "JUnit");
  if (!a.json.empty()) write_report(a.json, results::render_gate_json(c), "JSON");
  // Reasons also on stderr, so a CI log shows why even with --quiet.
  for (const std::string& w : c.warnings) fmt::print(stderr, "fiokit compare: {}\n", w);
  for (const std::string& why : c.invalid) fmt::print(stderr, "fiokit compare: invalid: {}\n", why);
  for (const results::MetricComparison& m : c.metrics)
    if (m.verdict != results::Verdict::pass)
      fmt::print(stderr, "fiokit compare: {}: {}/{}/{}: {}\n", results::verdict_name(m.verdict), m.job, m.dir,
                 m.metric, m.reason);
  if (c.metrics.empty() && c.invalid.empty()) fmt::print(stderr, "fiokit compare: invalid: no metric was compared\n");
}

results::Comparison failed_comparison(const Args& a, const std::string& baseline, const std::string& why) {
  results::Comparison c;
  c.baseline_path = baseline;
  c.current_path = a.positional.back();
  c.alpha = a.opt.alpha;
  c.invalid.push_back(why);
  return c;
}

}  // namespace

int cmd_compare(const std::vector<std::string>& argv) {
  Args a;
  try {
    a = parse_args(argv);
  } catch (const UsageError& e) {
    return report_usage_error("compare", e);
  }
  if (a.help) {
    fmt::print("{}{}{}", kHelpIntro, describe_flags(compare_flags()), kHelpExit);
    return kPass;
  }
  // Two `fiokit sweep` directories: point by point (cli/compare_sweep.cpp).
  const bool sweep_b = a.baseline_dir.empty() && results::is_sweep_dir(a.positional.front());
  if (sweep_b || results::is_sweep_dir(a.positional.back())) {
    try {
      if (!sweep_b || !results::is_sweep_dir(a.positional.back()))
        throw UsageError("a sweep compares only with a sweep (and not with --baseline-dir): give two sweep directories");
      if (!a.markdown.empty() || !a.junit.empty() || !a.json.empty() || a.update_baseline)
        throw UsageError("--markdown, --junit, --json and --update-baseline are not supported for sweeps yet");
      return compare_sweeps(a.positional.front(), a.positional.back(), a.opt, a.quiet);
    } catch (const UsageError& e) {
      return report_usage_error("compare", e);
    } catch (const results::SweepError& e) {
      fmt::print(stderr, "fiokit compare: invalid: {}\n", e.what());
      return kInvalid;
    }
  }
  std::string baseline_path = a.baseline_dir.empty() ? a.positional.front() : "(from " + a.baseline_dir + ")";
  try {
    const results::LoadedRun current = results::load_run(a.positional.back());
    if (!a.baseline_dir.empty()) {
      const auto found = results::find_baseline(a.baseline_dir, current, a.opt.compared_options);
      if (!found) {
        if (!a.update_baseline) {
          emit(a, failed_comparison(a, "(none in " + a.baseline_dir + ")",
                                    fmt::format("no run in {} has the job names and job options of {}",
                                                a.baseline_dir, current.path)));
          return kInvalid;
        }
        // The first baseline: it must be valid data itself.
        const results::Comparison self = results::compare_runs(current, current, a.opt);
        if (self.exit_code() == kInvalid) {
          for (const std::string& why : self.invalid) fmt::print(stderr, "fiokit compare: invalid: {}\n", why);
          fmt::print(stderr, "fiokit compare: {} is not valid; not stored as a baseline\n", current.path);
          return kInvalid;
        }
        const std::string stored = results::store_baseline(a.baseline_dir, current);
        fmt::print(stderr, "fiokit compare: no comparable baseline in {}; stored {} as the first one: {}\n",
                   a.baseline_dir, current.path, stored);
        return kPass;
      }
      baseline_path = *found;
      fmt::print(stderr, "fiokit compare: baseline {}\n", baseline_path);
    }
    const results::LoadedRun baseline = results::load_run(baseline_path);
    const results::Comparison c = results::compare_runs(baseline, current, a.opt);
    emit(a, c);
    if (a.update_baseline) {
      if (c.exit_code() == kPass)
        fmt::print(stderr, "fiokit compare: stored {} as a baseline: {}\n", current.path,
                   results::store_baseline(a.baseline_dir, current));
      else
        fmt::print(stderr, "fiokit compare: baseline not updated ({})\n", results::verdict_name(c.verdict()));
    }
    return c.exit_code();
  } catch (const results::RunLoadError& e) {
    // Unreadable input is an invalid comparison, reported like any other.
    try {
      emit(a, failed_comparison(a, baseline_path, e.what()));
    } catch (const std::exception& w) {
      fmt::print(stderr, "fiokit compare: invalid: {}\nfiokit compare: {}\n", e.what(), w.what());
    }
    return kInvalid;
  } catch (const std::exception& e) {
    fmt::print(stderr, "fiokit compare: {}\n", e.what());
    return kInvalid;
  }
}

}  // namespace fiokit::cli
