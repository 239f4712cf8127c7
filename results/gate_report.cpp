// Compare-gate reports; see gate_report.hpp for the JUnit mapping.
#include "results/gate_report.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace fiokit::results {
namespace {

std::string verdict_upper(Verdict v) {
  switch (v) {
    case Verdict::pass: return "PASS";
    case Verdict::regression: return "REGRESSION";
    case Verdict::invalid: return "INVALID";
  }
  return "INVALID";
}

// A pass that moved beyond the threshold the good way says so, so a speed-up
// is not read as "nothing happened".
std::string verdict_cell(const MetricComparison& m) {
  return m.verdict == Verdict::pass && m.improved ? "IMPROVED" : verdict_upper(m.verdict);
}

// Every repeat's value in the unit the medians are shown in, rounded the same
// way: raw doubles ("1234567.8912345") make a JUnit report unreadable.
std::string values_text(const std::vector<double>& values, const std::string& unit) {
  std::string out;
  for (const double v : values) out += (out.empty() ? "" : ", ") + format_metric_value(v, unit);
  return out.empty() ? "none" : out;
}

std::string p_text(const MetricComparison& m) { return m.p_value ? fmt::format("{:.4f}", *m.p_value) : "-"; }

std::string change_text(const MetricComparison& m) {
  return m.baseline.empty() || m.current.empty() ? "-" : fmt::format("{:+.1f}%", m.change_pct);
}

std::string median_text(const std::vector<double>& values, double median, const std::string& unit) {
  return values.empty() ? "missing" : format_metric_value(median, unit);
}

// Characters XML 1.0 cannot carry are dropped; markup characters escaped.
std::string xml_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (u >= 0x20 || ch == '\n' || ch == '\t' || ch == '\r') out += ch;
    }
  }
  return out;
}

std::string md_escape(const std::string& s) {
  std::string out;
  for (const char ch : s) {
    if (ch == '|' || ch == '`' || ch == '*' || ch == '_' || ch == '<' || ch == '>') out += '\\';
    out += ch == '\n' ? ' ' : ch;
  }
  return out;
}

std::string summary_line(const Comparison& c) {
  return fmt::format("fiokit compare: {} (exit {})", verdict_upper(c.verdict()), c.exit_code());
}

}  // namespace

std::string format_metric_value(double v, const std::string& unit) {
  if (unit == "ns") {
    if (v < 1e3) return fmt::format("{:.0f} ns", v);
    if (v < 1e6) return fmt::format("{:.2f} us", v / 1e3);
    if (v < 1e9) return fmt::format("{:.2f} ms", v / 1e6);
    return fmt::format("{:.3f} s", v / 1e9);
  }
  if (unit == "B/s") {
    static const char* const units[] = {"B/s", "KiB/s", "MiB/s", "GiB/s", "TiB/s"};
    int i = 0;
    while (v >= 1024 && i < 4) v /= 1024, ++i;
    return fmt::format("{:.{}f} {}", v, i ? 2 : 0, units[i]);
  }
  if (v >= 1e6) return fmt::format("{:.2f}M {}", v / 1e6, unit);
  if (v >= 1e4) return fmt::format("{:.2f}k {}", v / 1e3, unit);
  return fmt::format("{:.1f} {}", v, unit);
}

std::string render_gate_table(const Comparison& c) {
  std::string out = summary_line(c) + "\n";
  out += fmt::format("  baseline: {} ({} sample{})\n", c.baseline_path, c.baseline_samples,
                     c.baseline_samples == 1 ? "" : "s");
  out += fmt::format("  current:  {} ({} sample{})\n", c.current_path, c.current_samples,
                     c.current_samples == 1 ? "" : "s");
  out += fmt::format("  a regression needs the threshold and, with repeats, one-sided Mann-Whitney p <= {:g}\n",
                     c.alpha);
  if (!c.metrics.empty()) {
    std::vector<std::array<std::string, 9>> rows;
    rows.push_back({"job", "dir", "metric", "baseline", "current", "change", "threshold", "p", "verdict"});
    for (const MetricComparison& m : c.metrics)
      rows.push_back({m.job, m.dir, m.metric, median_text(m.baseline, m.baseline_median, m.unit),
                      median_text(m.current, m.current_median, m.unit), change_text(m),
                      fmt::format("{:+g}%", m.threshold_pct), p_text(m), verdict_cell(m)});
    std::array<size_t, 9> width{};
    for (const auto& r : rows)
      for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
    out += "\n";
    for (const auto& r : rows) {
      std::string line;
      for (size_t i = 0; i < r.size(); ++i) {
        // Numbers right-aligned so magnitudes line up; names left-aligned.
        const bool right = i >= 3 && i <= 7;
        line += right ? fmt::format("{:>{}}", r[i], width[i]) : fmt::format("{:<{}}", r[i], width[i]);
        line += i + 1 < r.size() ? "  " : "";
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
  }
  bool header = false;
  for (const MetricComparison& m : c.metrics) {
    if (m.reason.empty()) continue;
    if (!header) out += "\n", header = true;
    out += fmt::format("{} {}/{}/{}: {}\n", m.verdict == Verdict::pass ? "note" : verdict_name(m.verdict), m.job,
                       m.dir, m.metric, m.reason);
  }
  if (!c.invalid.empty()) out += "\n";
  for (const std::string& why : c.invalid) out += "invalid: " + why + "\n";
  for (const std::string& n : c.notes) out += "note: " + n + "\n";
  if (c.metrics.empty() && c.invalid.empty()) out += "invalid: no metric was compared\n";
  return out;
}

std::string render_gate_markdown(const Comparison& c) {
  static const char* const icons[] = {":white_check_mark:", ":x:", ":warning:"};
  const Verdict v = c.verdict();
  std::string out = fmt::format("### {} fiokit compare: {}\n\n", icons[static_cast<int>(v)], verdict_upper(v));
  out += fmt::format("Baseline `{}` ({} sample{}) vs current `{}` ({} sample{}). A regression needs the threshold "
                     "and, with repeats on both sides, a one-sided Mann-Whitney U test with p <= {:g}.\n\n",
                     c.baseline_path, c.baseline_samples, c.baseline_samples == 1 ? "" : "s", c.current_path,
                     c.current_samples, c.current_samples == 1 ? "" : "s", c.alpha);
  if (!c.invalid.empty()) {
    out += "**Invalid comparison:**\n\n";
    for (const std::string& why : c.invalid) out += "- " + md_escape(why) + "\n";
    out += "\n";
  }
  if (!c.metrics.empty()) {
    out += "| job | dir | metric | baseline | current | change | threshold | p | verdict |\n";
    out += "|---|---|---|--:|--:|--:|--:|--:|---|\n";
    for (const MetricComparison& m : c.metrics) {
      const std::string verdict = m.verdict != Verdict::pass ? fmt::format("**{}**", verdict_name(m.verdict))
                                  : m.improved                ? "improved"
                                                              : "pass";
      out += fmt::format("| {} | {} | {} | {} | {} | {} | {:+g}% | {} | {} |\n", md_escape(m.job), m.dir,
                         md_escape(m.metric), median_text(m.baseline, m.baseline_median, m.unit),
                         median_text(m.current, m.current_median, m.unit), change_text(m), m.threshold_pct,
                         p_text(m), verdict);
    }
    out += "\n";
  }
  for (const MetricComparison& m : c.metrics)
    if (m.verdict != Verdict::pass) out += fmt::format("- {}/{}/{}: {}\n", md_escape(m.job), m.dir,
                                                       md_escape(m.metric), md_escape(m.reason));
  for (const std::string& n : c.notes) out += "- note: " + md_escape(n) + "\n";
  return out;
}

std::string render_gate_junit(const Comparison& c) {
  size_t failures = 0, errors = c.invalid.size();
  for (const MetricComparison& m : c.metrics) {
    failures += m.verdict == Verdict::regression;
    errors += m.verdict == Verdict::invalid;
  }
  const bool no_metrics = c.metrics.empty() && c.invalid.empty();
  if (no_metrics) ++errors;
  const size_t tests = c.metrics.size() + std::max<size_t>(c.invalid.size(), 1);
  const std::string suite = xml_escape(fmt::format("fiokit compare {} vs {}", c.baseline_path, c.current_path));
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"fiokit compare\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"0\">\n",
                     tests, failures, errors);
  out += fmt::format(
      "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" time=\"0\">\n", suite,
      tests, failures, errors);
  out += "    <properties>\n";
  out += fmt::format("      <property name=\"baseline\" value=\"{}\"/>\n", xml_escape(c.baseline_path));
  out += fmt::format("      <property name=\"current\" value=\"{}\"/>\n", xml_escape(c.current_path));
  out += fmt::format("      <property name=\"baseline_samples\" value=\"{}\"/>\n", c.baseline_samples);
  out += fmt::format("      <property name=\"current_samples\" value=\"{}\"/>\n", c.current_samples);
  out += fmt::format("      <property name=\"alpha\" value=\"{:g}\"/>\n", c.alpha);
  out += fmt::format("      <property name=\"verdict\" value=\"{}\"/>\n", verdict_name(c.verdict()));
  out += "    </properties>\n";
  if (c.invalid.empty()) {
    out += "    <testcase classname=\"fiokit.compare\" name=\"validity\" time=\"0\"";
    out += no_metrics ? ">\n      <error type=\"invalid\" message=\"no metric was compared\"/>\n    </testcase>\n"
                      : "/>\n";
  }
  for (size_t i = 0; i < c.invalid.size(); ++i)
    out += fmt::format(
        "    <testcase classname=\"fiokit.compare\" name=\"validity {}\" time=\"0\">\n"
        "      <error type=\"invalid\" message=\"{}\">{}</error>\n    </testcase>\n",
        i + 1, xml_escape(c.invalid[i]), xml_escape(c.invalid[i]));
  for (const MetricComparison& m : c.metrics) {
    const std::string detail = xml_escape(fmt::format(
        "baseline {} (values {}), current {} (values {}), change {}, threshold {:+g}%, test {}, p {}{}",
        median_text(m.baseline, m.baseline_median, m.unit), values_text(m.baseline, m.unit),
        median_text(m.current, m.current_median, m.unit), values_text(m.current, m.unit), change_text(m),
        m.threshold_pct, m.test, p_text(m), m.improved ? ", improved" : ""));
    out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"0\"", xml_escape(m.job + "." + m.dir),
                       xml_escape(m.metric));
    if (m.verdict == Verdict::pass) {
      out += fmt::format(">\n      <system-out>{}</system-out>\n    </testcase>\n", detail);
      continue;
    }
    const char* tag = m.verdict == Verdict::regression ? "failure" : "error";
    out += fmt::format(">\n      <{} type=\"{}\" message=\"{}\">{}</{}>\n    </testcase>\n", tag,
                       verdict_name(m.verdict), xml_escape(m.reason), detail, tag);
  }
  out += fmt::format("    <system-out>{}</system-out>\n", xml_escape(render_gate_table(c)));
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

std::string render_gate_json(const Comparison& c) {
  using ojson = nlohmann::ordered_json;
  ojson doc = ojson::object();
  doc["verdict"] = verdict_name(c.verdict());
  doc["exit_code"] = c.exit_code();
  doc["baseline"] = {{"path", c.baseline_path}, {"samples", c.baseline_samples}};
  doc["current"] = {{"path", c.current_path}, {"samples", c.current_samples}};
  doc["alpha"] = c.alpha;
  doc["invalid"] = c.invalid;
  doc["notes"] = c.notes;
  doc["warnings"] = c.warnings;
  ojson metrics = ojson::array();
  for (const MetricComparison& m : c.metrics) {
    ojson e = ojson::object();
    e["job"] = m.job;
    e["dir"] = m.dir;
    e["metric"] = m.metric;
    e["unit"] = m.unit;
    e["baseline"] = {{"values", m.baseline}, {"median", m.baseline_median}};
    e["current"] = {{"values", m.current}, {"median", m.current_median}};
    e["change_pct"] = m.change_pct;
    e["threshold_pct"] = m.threshold_pct;
    e["beyond_threshold"] = m.beyond_threshold;
    e["p_value"] = m.p_value ? ojson(*m.p_value) : ojson(nullptr);
    e["test"] = m.test;
    e["verdict"] = verdict_name(m.verdict);
    e["improved"] = m.improved;
    e["reason"] = m.reason;
    metrics.push_back(std::move(e));
  }
  doc["metrics"] = std::move(metrics);
  return doc.dump(2) + "\n";
}

}  // namespace fiokit::results
