// The compare gate's decisions; see compare.hpp for the rules.
#include "results/compare.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "results/mann_whitney.hpp"
#include "results/repeats.hpp"

namespace fiokit::results {
namespace {

std::string trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

const JobSample* find_job(const std::vector<JobSample>& v, const std::string& name) {
  for (const JobSample& s : v)
    if (s.name == name) return &s;
  return nullptr;
}

// Problems of one side alone: errors, interruptions, zero I/O, repeats that
// disagree about which jobs ran.
void validate_side(const LoadedRun& r, const char* side, std::vector<std::string>& invalid) {
  if (r.samples.empty()) {
    invalid.push_back(fmt::format("{} ({}) has no results", side, r.path));
    return;
  }
  const bool many = r.samples.size() > 1;
  for (size_t i = 0; i < r.samples.size(); ++i) {
    const std::string where = many ? fmt::format("{} repeat {} ({})", side, i + 1, r.files[i])
                                   : fmt::format("{} ({})", side, r.files[i]);
    if (r.runs[i].interrupted)
      invalid.push_back(fmt::format("{} was interrupted{}", where,
                                    r.runs[i].signal ? fmt::format(" by signal {}", r.runs[i].signal) : ""));
    if (r.samples[i].empty()) invalid.push_back(where + " has no jobs");
    for (const JobSample& s : r.samples[i]) {
      if (s.error)
        invalid.push_back(fmt::format("{}: job '{}' failed with error {}{}", where, s.name, s.error,
                                      s.error_message.empty() ? "" : " (" + s.error_message + ")"));
      if (s.interrupted) invalid.push_back(fmt::format("{}: job '{}' was interrupted", where, s.name));
      if (std::none_of(s.active.begin(), s.active.end(), [](bool a) { return a; }))
        invalid.push_back(fmt::format("{}: job '{}' did no I/O (zero I/O)", where, s.name));
    }
    if (i == 0) continue;
    for (const JobSample& first : r.samples[0]) {
      const JobSample* s = find_job(r.samples[i], first.name);
      if (!s) {
        invalid.push_back(fmt::format("{} lacks job '{}' of repeat 1", where, first.name));
        continue;
      }
      for (int d = 0; d < kDirs; ++d)
        if (s->active[d] != first.active[d])
          invalid.push_back(fmt::format("{}: job '{}' {} {} I/O, unlike repeat 1", where, first.name,
                                        s->active[d] ? "did" : "did no", kDirNames[d]));
    }
  }
}

// Values of one metric across the repeats of a side; nullopt if any repeat lacks it.
std::optional<std::vector<double>> values_of(const LoadedRun& r, const std::string& job, int dir,
                                             const std::string& metric) {
  std::vector<double> v;
  for (const auto& sample : r.samples) {
    const JobSample* s = find_job(sample, job);
    if (!s || !s->active[dir]) return std::nullopt;
    const auto it = s->metrics[dir].find(metric);
    if (it == s->metrics[dir].end()) return std::nullopt;
    v.push_back(it->second);
  }
  return v;
}

void decide(MetricComparison& m, const MetricInfo& info, const Threshold& t, const CompareOptions& opt) {
  m.baseline_median = median_of(m.baseline);
  m.current_median = median_of(m.current);
  const double diff = m.current_median - m.baseline_median;
  // A zero baseline only happens for latencies below the clock's resolution;
  // measure the change against 1 ns then, so it stays finite.
  m.change_pct = diff == 0 ? 0 : diff / std::max(m.baseline_median, info.unit[0] == 'n' ? 1.0 : 1e-9) * 100.0;
  m.threshold_pct = t.pct;
  m.beyond_threshold = t.pct < 0 ? m.change_pct < t.pct : m.change_pct > t.pct;
  const bool is_latency = std::string_view(info.unit) == "ns";
  const bool below_floor = is_latency && std::fabs(diff) < opt.latency_floor_ns;
  if (below_floor) m.beyond_threshold = false;

  std::optional<double> p_better;  // one-sided p in the good direction, with the test
  const size_t nb = m.baseline.size(), nc = m.current.size();
  if (nb >= 2 && nc >= 2 && mann_whitney_min_p(nb, nc) <= opt.alpha) {
    const MannWhitney mw = mann_whitney_u(m.current, m.baseline);
    m.p_value = t.pct < 0 ? mw.p_less : mw.p_greater;
    p_better = t.pct < 0 ? mw.p_greater : mw.p_less;
    m.test = mw.exact ? "mann-whitney exact" : "mann-whitney normal";
    if (m.beyond_threshold && *m.p_value <= opt.alpha) {
      m.verdict = Verdict::regression;
      m.reason = fmt::format("{:+.1f}% is beyond {:+g}% and significant (p={:.4f} <= {:g})", m.change_pct, t.pct,
                             *m.p_value, opt.alpha);
    } else if (m.beyond_threshold) {
      m.reason = fmt::format("{:+.1f}% is beyond {:+g}% but not significant (p={:.4f} > {:g})", m.change_pct, t.pct,
                             *m.p_value, opt.alpha);
    }
  } else {
    m.test = "threshold only";
    if (m.beyond_threshold) {
      m.verdict = Verdict::regression;
      m.reason = fmt::format("{:+.1f}% is beyond {:+g}%", m.change_pct, t.pct);
    }
  }
  // The mirror of a regression: beyond the threshold's size the other way
  // and, where the rank test runs, significant that way.
  const bool better = t.pct < 0 ? m.change_pct > -t.pct : m.change_pct < -t.pct;
  m.improved = m.verdict == Verdict::pass && better && !below_floor && t.pct != 0 &&
               (!p_better || *p_better <= opt.alpha);
  if (below_floor && (t.pct < 0 ? m.change_pct < t.pct : m.change_pct > t.pct))
    m.reason = fmt::format("{:+.1f}% but only {:.0f} ns, below the latency floor of {:g} ns", m.change_pct,
                           std::fabs(diff), opt.latency_floor_ns);
}

}  // namespace

Thresholds default_thresholds() {
  return {{"iops", {-10, true}},       {"bw", {-10, true}},        {"lat_mean", {10, true}},
          {"clat_mean", {10, true}},   {"clat_p50", {10, true}},   {"clat_p99", {20, true}},
          {"clat_p99.9", {30, true}},  {"lat_p50", {10, true}},    {"lat_p99", {20, true}},
          {"lat_p99.9", {30, true}}};
}

void parse_threshold(std::string_view spec, Thresholds& into) {
  const size_t eq = spec.find('=');
  if (eq == std::string_view::npos)
    throw std::invalid_argument(fmt::format("threshold '{}': expected METRIC=PERCENT, e.g. iops=-10%", spec));
  const std::string name = trim(spec.substr(0, eq));
  std::string value = trim(spec.substr(eq + 1));
  const MetricInfo* info = find_metric(name);
  if (!info) {
    std::string known;
    for (const MetricInfo& m : gate_metrics()) known += (known.empty() ? "" : ", ") + std::string(m.name);
    throw std::invalid_argument(fmt::format("threshold '{}': unknown metric '{}' (known: {})", spec, name, known));
  }
  if (value == "off" || value == "none") {
    into[name] = Threshold{0, false};
    return;
  }
  if (!value.empty() && value.back() == '%') value.pop_back();
  const char sign = value.empty() ? 0 : value.front();
  const std::string digits = sign == '+' || sign == '-' ? value.substr(1) : value;
  double pct = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pct);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || !std::isfinite(pct) || pct < 0)
    throw std::invalid_argument(fmt::format("threshold '{}': '{}' is not a percentage like -10% or +20%", spec,
                                            trim(spec.substr(eq + 1))));
  const bool falls = info->higher_is_better;
  if ((falls && sign == '+') || (!falls && sign == '-'))
    throw std::invalid_argument(fmt::format("threshold '{}': {} regresses when it {}; write {}={}{}%", spec, name,
                                            falls ? "falls" : "rises", name, falls ? '-' : '+', digits));
  into[name] = Threshold{falls ? -pct : pct, true};
}

void read_thresholds_file(const std::string& path, Thresholds& into) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument(fmt::format("--thresholds {}: cannot read: {}", path, std::strerror(errno)));
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    const std::string s = trim(line.substr(0, line.find('#')));
    if (s.empty()) continue;
    try {
      parse_threshold(s, into);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(fmt::format("{}:{}: {}", path, n, e.what()));
    }
  }
}

std::vector<std::string> default_compared_options() {
  return {"rw", "rwmixread", "bs", "bsrange", "bssplit", "iodepth", "ioengine", "size", "io_size", "runtime",
          "time_based", "numjobs", "direct"};
}

const std::vector<std::string>& rate_options() {
  static const std::vector<std::string> keys = {"rate", "rate_iops", "rate_min", "rate_iops_min"};
  return keys;
}

size_t repeats_needed(double alpha) {
  size_t n = 2;
  while (n < 64 && 2 * mann_whitney_min_p(n, n) > alpha) ++n;
  return n;
}

std::string repeats_warning(size_t nb, size_t nc, double alpha) {
  if (nb < 2 || nc < 2) return "";  // the threshold-only note says it
  const double one = mann_whitney_min_p(nb, nc);
  if (2 * one <= alpha * (1 + 1e-12)) return "";
  const size_t want = repeats_needed(alpha);
  const std::string what =
      one > alpha * (1 + 1e-12)
          ? fmt::format("cannot reach p <= {:g}: the threshold alone decides", alpha)
          : fmt::format("reach p <= {:g} only when every current repeat is worse than every baseline repeat", alpha);
  return fmt::format("warning: {} vs {} repeats are too few for alpha {:g}: the smallest attainable Mann-Whitney p is "
                     "{:.3g} one-sided ({:.3g} two-sided), so they {}; use --repeat {} (or more) on both sides",
                     nb, nc, alpha, one, std::min(1.0, 2 * one), what, want);
}

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::pass: return "pass";
    case Verdict::regression: return "regression";
    case Verdict::invalid: return "invalid";
  }
  return "invalid";
}

Verdict Comparison::verdict() const {
  if (!invalid.empty()) return Verdict::invalid;
  bool regressed = false;
  for (const MetricComparison& m : metrics) {
    if (m.verdict == Verdict::invalid) return Verdict::invalid;
    regressed = regressed || m.verdict == Verdict::regression;
  }
  // Nothing compared proves nothing: invalid data never passes.
  if (metrics.empty()) return Verdict::invalid;
  return regressed ? Verdict::regression : Verdict::pass;
}

int Comparison::exit_code() const {
  switch (verdict()) {
    case Verdict::pass: return 0;
    case Verdict::regression: return 1;
    case Verdict::invalid: return 2;
  }
  return 2;
}

namespace {
// "ext4 on vda (model X, rotational 0)": the kind of target a run measured, from
// the volume.N.* keys fiokit writes under "fiokit" (runs by fio itself have none).
std::string target_kind(const RunResult& r) {
  std::string kinds;
  for (int n = 0;; ++n) {
    const std::string p = "volume." + std::to_string(n) + ".";
    auto get = [&](const char* k) {
      auto it = r.extras.find(p + k);
      return it == r.extras.end() ? std::string() : it->second;
    };
    if (get("fstype").empty() && get("device").empty()) break;
    std::string one = get("fstype");
    if (!get("disk").empty() || !get("device").empty()) one += " on " + (get("disk").empty() ? get("device") : get("disk"));
    if (!get("model").empty()) one += " (" + get("model") + ")";
    if (!get("rotational").empty()) one += get("rotational") == "1" ? " rotational" : " non-rotational";
    kinds += (kinds.empty() ? "" : "; ") + one;
  }
  return kinds;
}
}  // namespace

std::vector<std::string> target_kind_differences(const LoadedRun& baseline, const LoadedRun& current) {
  if (baseline.runs.empty() || current.runs.empty()) return {};
  const std::string b = target_kind(baseline.runs.front()), c = target_kind(current.runs.front());
  if (b == c) return {};
  return {fmt::format("warning: the runs measured different kinds of target: baseline {}, current {}",
                      b.empty() ? "unknown" : b, c.empty() ? "unknown" : c)};
}

Comparison compare_runs(const LoadedRun& baseline, const LoadedRun& current, const CompareOptions& opt) {
  Comparison c;
  c.baseline_path = baseline.path;
  c.current_path = current.path;
  c.baseline_samples = baseline.samples.size();
  c.current_samples = current.samples.size();
  c.alpha = opt.alpha;
  validate_side(baseline, "baseline", c.invalid);
  validate_side(current, "current", c.invalid);
  if (baseline.samples.empty() || current.samples.empty()) return c;
  for (std::string& why : incomparable_reasons(baseline, current, opt.compared_options)) c.invalid.push_back(why);
  if (opt.strict_host) {
    if (baseline.host.empty() || current.host.empty())
      c.invalid.push_back(fmt::format("--strict-host: the host of the {} is unknown (not a fiokit run?)",
                                      baseline.host.empty() ? "baseline" : "current run"));
    else if (baseline.host != current.host)
      c.invalid.push_back(
          fmt::format("--strict-host: baseline ran on '{}', current on '{}'", baseline.host, current.host));
    for (const LoadedRun* r : {&baseline, &current})
      for (size_t i = 1; i < r->runs.size(); ++i) {
        const auto h = r->runs[i].extras.find("host");
        if (h == r->runs[i].extras.end() || h->second != r->host)
          c.invalid.push_back(fmt::format("--strict-host: repeats of {} ran on different hosts", r->path));
      }
  }
  for (std::string& why : target_kind_differences(baseline, current)) c.notes.push_back(std::move(why));
  // Rate caps that differ (and are not required to match): compared, but said.
  std::vector<std::string> rates;
  for (const std::string& k : rate_options())
    if (std::find(opt.compared_options.begin(), opt.compared_options.end(), k) == opt.compared_options.end())
      rates.push_back(k);
  for (const std::string& why : incomparable_reasons(baseline, current, rates)) {
    if (why.find("' is in the ") != std::string::npos) continue;  // job lists differ: already invalid
    const std::string w = "warning: " + why + " (a rate cap measures the cap, not the storage)";
    c.warnings.push_back(w);
    c.notes.push_back(w);
  }
  const size_t nb = baseline.samples.size(), nc = current.samples.size();
  if (nb < 2 || nc < 2)
    c.notes.push_back(fmt::format("{} baseline and {} current sample(s): threshold only, no significance test "
                                  "(use fiokit run --repeat N on both sides)", nb, nc));
  else if (std::string w = repeats_warning(nb, nc, opt.alpha); !w.empty()) {
    c.warnings.push_back(w);
    c.notes.push_back(std::move(w));
  }

  for (const JobSample& bjob : baseline.samples.front()) {
    const JobSample* cjob = find_job(current.samples.front(), bjob.name);
    if (!cjob) continue;  // reported by incomparable_reasons
    for (int d = 0; d < kDirs; ++d) {
      if (!bjob.active[d] && !cjob->active[d]) continue;
      if (bjob.active[d] != cjob->active[d]) {
        c.invalid.push_back(fmt::format("job '{}': the {} did no {} I/O (zero I/O) but the {} did", bjob.name,
                                        bjob.active[d] ? "current run" : "baseline", kDirNames[d],
                                        bjob.active[d] ? "baseline" : "current run"));
        continue;
      }
      for (const MetricInfo& info : gate_metrics()) {
        const auto t = opt.thresholds.find(info.name);
        if (t == opt.thresholds.end() || !t->second.enabled) continue;
        MetricComparison m;
        m.job = bjob.name;
        m.dir = kDirNames[d];
        m.metric = info.name;
        m.unit = info.unit;
        const auto bv = values_of(baseline, bjob.name, d, info.name);
        const auto cv = values_of(current, bjob.name, d, info.name);
        if (!bv && !cv && info.optional) continue;  // lat percentiles off on both sides
        if (!bv || !cv) {
          m.verdict = Verdict::invalid;
          m.test = "none";
          m.reason = fmt::format("{} missing in the {}{}; --threshold {}=off stops comparing it", info.name,
                                 !bv ? "baseline" : "current run",
                                 info.name[0] == 'c' || info.name[0] == 'l'
                                     ? " (no such percentile in percentile_list and no json+ bins, or no samples)"
                                     : "",
                                 info.name);
          if (bv) m.baseline = *bv;
          if (cv) m.current = *cv;
          c.metrics.push_back(std::move(m));
          continue;
        }
        m.baseline = *bv;
        m.current = *cv;
        decide(m, info, t->second, opt);
        c.metrics.push_back(std::move(m));
      }
    }
  }
  return c;
}

}  // namespace fiokit::results
