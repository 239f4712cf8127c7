// See compare_sweeps.hpp. The page shows what the CLI prints, as a table:
// the point matching, the verdict per point and the overall verdict all come
// from results::compare_sweep_manifests with the CLI's default options.
#include "serve/compare_sweeps.hpp"

#include <fmt/format.h>

#include <cstring>
#include <map>

#include "results/compare_sweep.hpp"
#include "results/sweep.hpp"
#include "serve/compare_gate.hpp"
#include "serve/html.hpp"
#include "serve/sweep_index.hpp"

namespace fiokit::serve {

namespace {

constexpr size_t kManifestMax = 16u << 20;  // as the sweep page reads it

bool is_sweep(const RunInfo& r) { return r.summary.status == RunStatus::sweep; }

results::SweepManifest read_manifest(const Root& root, const RunInfo& sweep) {
  std::string text;
  const int fd = root.open_beneath(sweep.rel_path(results::kSweepManifest));
  const int err = fd < 0 ? fd : read_fd(fd, text, kManifestMax);
  if (err < 0) throw results::SweepError(fmt::format("{}/{}: {}", sweep.id, results::kSweepManifest, std::strerror(-err)));
  try {
    return results::read_sweep_manifest(text);
  } catch (const results::SweepError& e) {
    throw results::SweepError(fmt::format("{}/{}: {}", sweep.id, results::kSweepManifest, e.what()));
  }
}

std::string badge(const std::string& cls, const std::string& text) {
  return fmt::format("<span class=\"verdict verdict-{}\">{}</span>", cls, html_escape(text));
}

// One sub-run's link, "" when the point has none on that side.
std::string sub_link(const std::string& sweep_id, const std::string& point_run, const char* side) {
  const std::string id = point_run.empty() ? "" : sub_run_id(sweep_id, point_run);
  if (id.empty()) return "";
  return fmt::format("<a class=\"subrun subrun-{}\" href=\"{}\" title=\"{}\">{}</a> ", side, html_escape(run_url(id)),
                     html_escape(id), side);
}

std::string point_row(const results::PointComparison& p, const std::string& base_id, const std::string& cur_id) {
  std::string verdict, cls = "invalid", repeats = "-", details;
  if (p.comparison) {
    const results::Comparison& c = *p.comparison;
    cls = p.exit_code == 0 ? "pass" : p.exit_code == 1 ? "regression" : "invalid";
    verdict = cls;
    repeats = fmt::format("{} / {}", c.baseline_samples, c.current_samples);
    details = comparison_items(c);
    if (c.metrics.empty() && c.invalid.empty()) details += list_item("nothing was measured at this point");
  } else {
    verdict = p.only_baseline ? "only in the baseline" : p.only_current ? "only in " + cur_id : "not compared";
    details = list_item(p.problem);
  }
  return fmt::format(
      "<tr class=\"point\" data-point=\"{0}\" data-verdict=\"{1}\"{2}><td class=\"key\">{0}</td>"
      "<td class=\"num repeats\">{3}</td><td>{4}</td><td class=\"subruns\">{5}{6}</td><td><ul>{7}</ul></td></tr>",
      html_escape(p.key), cls, p.only_baseline || p.only_current ? " data-one-side=\"1\"" : "", repeats,
      badge(cls, verdict), sub_link(base_id, p.baseline_run, "baseline"), sub_link(cur_id, p.current_run, "current"),
      details);
}

}  // namespace

bool all_sweeps(const std::vector<std::shared_ptr<const RunInfo>>& picked) {
  if (picked.empty()) return false;
  for (const auto& r : picked)
    if (!is_sweep(*r)) return false;
  return true;
}

std::string compare_kind_error(const std::vector<std::shared_ptr<const RunInfo>>& picked) {
  std::string sweeps, runs;
  for (const auto& r : picked) {
    std::string& list = is_sweep(*r) ? sweeps : runs;
    list += (list.empty() ? "" : ", ") + r->id;
  }
  if (sweeps.empty() || runs.empty()) return "";
  return fmt::format("Compare takes runs or sweeps, not both: sweeps (compared point by point): {}; runs: {}. "
                     "Pick only sweeps, or only runs.",
                     sweeps, runs);
}

std::string render_sweep_compare_page(const Root& root, const std::vector<std::shared_ptr<const RunInfo>>& sweeps) {
  std::string b = "<h1>Compare sweeps</h1>";
  if (sweeps.size() < 2) {
    b += "<p class=\"bad\">Pick two or more sweeps on the <a href=\"/\">runs page</a>.</p>";
    return html_page("Compare sweeps", b);
  }
  CompareSlot slot;
  std::map<std::string, const RunInfo*> by_id;
  for (const auto& s : sweeps) by_id[s->id] = s.get();
  // A point's sub-run as a run of its own (nested id "<sweep>@<sub>"), read
  // and cached as any compared run.
  const results::SubRunLoader load = [&](const std::string& sweep_id, const std::string& point_run) {
    const std::string id = sub_run_id(sweep_id, point_run);
    if (id.empty()) throw results::RunLoadError(fmt::format("{}: {}: not a sub-run of the sweep", sweep_id, point_run));
    RunInfo sub;
    sub.id = id;
    sub.rel_dir = by_id.at(sweep_id)->rel_path(point_run);
    sub.results_file = "results.json";
    return load_gate_run(root, sub);
  };
  const std::string& base = sweeps[0]->id;
  b += fmt::format("<p class=\"hint\">Each sweep against the baseline <a href=\"/sweeps/{}\">{}</a>, point by point, "
                   "as <code>fiokit compare BASELINE SWEEP</code> judges them (points matched by their option values; "
                   "default thresholds, alpha 0.05).</p>",
                   html_escape(encode_path(base, false)), html_escape(base));
  results::SweepManifest mb;
  std::string base_error;
  try {
    mb = read_manifest(root, *sweeps[0]);
  } catch (const results::SweepError& e) {
    base_error = e.what();
  }
  const results::CompareOptions opt;
  for (size_t i = 1; i < sweeps.size(); ++i) {
    const std::string& cur = sweeps[i]->id;
    b += fmt::format("<section class=\"gate sweep-gate\" data-sweep=\"{}\">", html_escape(cur));
    std::string error = base_error;
    results::SweepComparison sc;
    if (error.empty()) {
      try {
        sc = results::compare_sweep_manifests(base, mb, cur, read_manifest(root, *sweeps[i]), load, opt);
      } catch (const results::SweepError& e) {
        error = e.what();
      }
    }
    const std::string overall = error.empty() ? results::verdict_name(sc.verdict()) : "invalid";
    b += fmt::format("<h2><a href=\"/sweeps/{}\">{}</a> against the baseline {}</h2>",
                     html_escape(encode_path(cur, false)), html_escape(cur), badge(overall, overall));
    if (!error.empty()) {
      b += "<p class=\"bad\">" + html_escape(error) + "</p></section>";
      continue;
    }
    b += fmt::format("<p class=\"sweep-summary\">{} point(s): {} pass, {} regression, {} invalid, {} not compared</p>",
                     sc.points.size(), sc.passed, sc.regressed, sc.invalid, sc.not_compared);
    b += "<table class=\"gate sweep-gate\"><thead><tr><th>Point</th><th class=\"num\">Repeats<br><small>baseline / "
         "this</small></th><th>Verdict</th><th>Sub-runs</th><th>Details</th></tr></thead><tbody>";
    for (const results::PointComparison& p : sc.points) b += point_row(p, base, cur);
    b += "</tbody></table></section>";
  }
  return html_page("Compare sweeps", b);
}

}  // namespace fiokit::serve
