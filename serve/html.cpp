// Server-rendered pages (see html.hpp). Every string that came from disk
// (run ids, job names, option values, file names, job file text) goes through
// html_escape, and every URL built from one through encode_path.
#include "serve/html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <nlohmann/json.hpp>

#include "results/log_reader.hpp"
#include "serve/api.hpp"
#include "serve/api_hist.hpp"
#include "serve/html_run_extras.hpp"
#include "serve/live.hpp"

namespace fiokit::serve {

namespace {

std::string page(std::string_view title, std::string_view body) {
  std::string out;
  out.reserve(body.size() + 1024);
  out += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>";
  out += html_escape(title);
  out += " - fiokit</title><link rel=\"stylesheet\" href=\"/static/style.css\"></head><body>"
         "<header><a class=\"brand\" href=\"/\">fiokit</a><nav><a href=\"/\">Runs</a>"
         "<a href=\"/sweeps\">Sweeps</a><a href=\"/files/\">Files</a><a href=\"/api/runs\">API</a></nav></header><main>";
  out += body;
  out += "</main><script src=\"/static/chart.js\"></script><script src=\"/static/app.js\"></script>"
         "<script src=\"/static/latency.js\"></script><script src=\"/static/index.js\"></script>"
         "<script src=\"/static/live.js\"></script></body></html>\n";
  return out;
}

std::string attr_json(const nlohmann::json& j) {
  return html_escape(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

constexpr std::array<results::LogKind, 5> kKinds = {results::LogKind::bw, results::LogKind::iops,
                                                    results::LogKind::lat, results::LogKind::clat,
                                                    results::LogKind::slat};
const char* kind_title(results::LogKind k) {
  switch (k) {
    case results::LogKind::bw: return "Bandwidth";
    case results::LogKind::iops: return "IOPS";
    case results::LogKind::lat: return "Total latency";
    case results::LogKind::clat: return "Completion latency";
    case results::LogKind::slat: return "Submission latency";
  }
  return "";
}

// One chart element per log kind; app.js draws each from its data-sources.
std::string charts_html(const std::vector<std::shared_ptr<const RunInfo>>& runs, bool label_with_run) {
  std::string out;
  for (auto kind : kKinds) {
    nlohmann::json sources = nlohmann::json::array();
    for (const auto& r : runs) {
      for (const auto& l : r->logs) {
        if (l.name.kind != kind || l.size == 0) continue;  // an empty log has nothing to draw
        std::string label = l.name.prefix + (l.name.job_number ? "." + std::to_string(l.name.job_number) : "");
        if (label_with_run) label = r->id + ": " + label;
        sources.push_back({{"run", r->id}, {"log", l.file}, {"label", label}});
      }
    }
    if (sources.empty()) continue;
    out += fmt::format(
        "<section class=\"chart-box\"><h3>{} <small class=\"unit\">({})</small></h3>"
        "<div class=\"chart\" data-kind=\"{}\" data-unit=\"{}\" data-points=\"0\" data-sources=\"{}\"></div>"
        "<p class=\"hint\">Drag to zoom, double-click to reset.</p></section>",
        kind_title(kind), results::log_value_unit(kind), results::log_kind_name(kind),
        results::log_value_unit(kind), attr_json(sources));
  }
  return out;
}

}  // namespace

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string format_bytes_rate(double b) {
  static const char* kUnits[] = {"B/s", "KiB/s", "MiB/s", "GiB/s", "TiB/s"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  return fmt::format("{:.{}f} {}", b, b < 10 && u ? 2 : (b < 100 && u ? 1 : 0), kUnits[u]);
}

std::string format_count(double v) {
  if (v >= 1e9) return fmt::format("{:.2f}G", v / 1e9);
  if (v >= 1e6) return fmt::format("{:.2f}M", v / 1e6);
  if (v >= 1e4) return fmt::format("{:.1f}k", v / 1e3);
  return fmt::format("{:.0f}", v);
}

std::string format_ns(double ns) {
  if (ns <= 0) return "-";
  if (ns >= 1e9) return fmt::format("{:.2f} s", ns / 1e9);
  if (ns >= 1e6) return fmt::format("{:.2f} ms", ns / 1e6);
  if (ns >= 1e3) return fmt::format("{:.1f} us", ns / 1e3);
  return fmt::format("{:.0f} ns", ns);
}

std::string html_page(std::string_view title, std::string_view body) { return page(title, body); }
std::string run_url(const std::string& id) { return "/runs/" + encode_path(id, false); }
std::string file_url(const std::string& rel) { return "/files/" + encode_path(rel); }

std::string format_duration_ms(uint64_t ms) {
  if (ms == 0) return "-";
  if (ms < 1000) return fmt::format("{} ms", ms);
  if (ms < 60000) return fmt::format("{:.1f} s", static_cast<double>(ms) / 1000);
  const uint64_t s = (ms + 500) / 1000;
  if (s < 3600) return fmt::format("{}m {:02}s", s / 60, s % 60);
  return fmt::format("{}h {:02}m", s / 3600, s / 60 % 60);
}

std::string format_bytes(double b) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int u = 0;
  while (b >= 1024 && u < 5) {
    b /= 1024;
    ++u;
  }
  // A whole number of its unit (a 4096-byte block) reads "4 KiB", not "4.00 KiB".
  const bool whole = b == static_cast<double>(static_cast<uint64_t>(b));
  return fmt::format("{:.{}f} {}", b, whole || !u ? 0 : b < 10 ? 2 : b < 100 ? 1 : 0, kUnits[u]);
}

std::string render_run_page(const RunInfo& r, const std::vector<std::pair<std::string, std::string>>& job_texts) {
  std::string b = fmt::format("<h1>{}</h1><p class=\"meta\">{}", html_escape(r.id), html_escape(format_time(r.timestamp)));
  if (r.result) b += " &middot; " + html_escape(r.result->tool + " " + r.result->version);
  if (!r.results_file.empty()) {
    b += fmt::format(" &middot; <a href=\"{}\">{}</a>", html_escape(file_url(r.rel_path(r.results_file))),
                     html_escape(r.results_file));
  }
  b += fmt::format(" &middot; <a href=\"{}\">all files</a> &middot; <a href=\"/api/runs/{}\">JSON</a></p>",
                   html_escape(file_url(r.rel_dir.empty() ? "" : r.rel_dir + "/")), html_escape(encode_path(r.id, false)));
  if (!r.error.empty()) b += "<p class=\"bad\">" + html_escape(r.error) + "</p>";
  if (r.summary.status != RunStatus::ok && r.error.empty()) {
    b += fmt::format("<p class=\"status\"><span class=\"badge badge-{}\">{}</span> {}</p>",
                     r.summary.status == RunStatus::incomplete ? "warn" : "bad", run_status_name(r.summary.status),
                     html_escape(r.summary.status == RunStatus::incomplete
                                     ? "a checkpoint: the run is still going, or stopped before it ended"
                                     : r.summary.status_detail));
  }

  b += live_section_html(r);  // filled every second by live.js from /api/runs/{id}/live

  if (r.result) {
    b += "<h2>Summary</h2><table class=\"summary\"><thead><tr><th>Job</th><th>Dir</th><th class=\"num\">IOPS</th>"
         "<th class=\"num\">Bandwidth</th><th class=\"num\">I/Os</th><th class=\"num\">clat mean</th>"
         "<th class=\"num\">p50</th><th class=\"num\">p90</th><th class=\"num\">p99</th>"
         "<th class=\"num\">p99.9</th><th class=\"num\">max</th><th class=\"num\">Runtime</th><th>Error</th></tr></thead><tbody>";
    for (const auto& row : summary_rows(*r.result)) {
      b += fmt::format(
          "<tr><td>{}{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
          "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
          "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} ms</td><td>{}</td></tr>",
          html_escape(row.job), row.members > 1 ? fmt::format(" (x{})", row.members) : "",
          results::kDirNames[row.ddir], format_count(row.iops), format_bytes_rate(static_cast<double>(row.bw_bytes)),
          row.total_ios, format_ns(row.clat_mean), format_ns(static_cast<double>(row.clat_p50)),
          format_ns(static_cast<double>(row.clat_p90)), format_ns(static_cast<double>(row.clat_p99)),
          format_ns(static_cast<double>(row.clat_p999)), format_ns(static_cast<double>(row.clat_max)), row.runtime_ms,
          row.error ? html_escape(fmt::format("{} {}", row.error, row.error_message)) : "");
    }
    b += "</tbody></table>";
    b += render_host_section(*r.result);
  }
  b += render_repeats_section(r);

  b += "<h2>Job file</h2>";
  if (!job_texts.empty()) {
    for (const auto& [name, text] : job_texts) {
      b += fmt::format("<h3><a href=\"{}\">{}</a></h3><pre class=\"jobfile\">{}</pre>",
                       html_escape(file_url(r.rel_path(name))), html_escape(name), html_escape(text));
    }
  } else if (r.result) {
    // fio's JSON carries the options it ran with; show them as a job file.
    std::string text;
    if (!r.result->global_options.empty()) {
      text += "[global]\n";
      for (const auto& [k, v] : r.result->global_options) text += v.empty() ? k + "\n" : k + "=" + v + "\n";
    }
    for (const auto& j : r.result->jobs) {
      text += "[" + j.name + "]\n";
      for (const auto& [k, v] : j.options) text += v.empty() ? k + "\n" : k + "=" + v + "\n";
    }
    b += "<p class=\"hint\">No job file in the run directory; options as recorded in the results:</p>"
         "<pre class=\"jobfile\">" + html_escape(text) + "</pre>";
  }

  std::vector<std::shared_ptr<const RunInfo>> one{std::make_shared<RunInfo>(r)};
  const std::string charts = charts_html(one, false);
  if (!charts.empty()) {
    b += "<h2>Time series</h2>";
    // Logs under series/ are fiokit's per-second series (run_index.cpp lists
    // them only when the run has no fio logs): say so, as plot does.
    if (!r.logs.empty() && r.logs.front().file.starts_with("series/"))
      b += "<p class=\"hint series-source\">Per-second series kept by fiokit for every run (series/): "
           "the job file writes no fio logs.</p>";
    b += "<div class=\"charts\">" + charts + "</div>";
  }
  b += latency_section_html(r);  // filled by latency.js from /api/runs/{id}/latency

  if (!r.plots.empty()) {
    b += "<h2>Plots</h2><div class=\"plots\">";
    for (const auto& p : r.plots) {
      const std::string url = html_escape(file_url(r.rel_path(p)));
      b += fmt::format("<figure><a href=\"{0}\"><img src=\"{0}\" alt=\"{1}\" loading=\"lazy\"></a><figcaption>{1}</figcaption></figure>",
                       url, html_escape(p));
    }
    b += "</div>";
  }

  b += "<h2>Files</h2><ul class=\"files\">";
  auto add_file = [&](const std::string& name, std::string_view what) {
    b += fmt::format("<li><a href=\"{}\" download>{}</a> <span class=\"hint\">{}</span></li>",
                     html_escape(file_url(r.rel_path(name))), html_escape(name), what);
  };
  if (!r.results_file.empty()) add_file(r.results_file, "results");
  for (const auto& f : r.job_files) add_file(f, "job file");
  for (const auto& f : r.outputs) add_file(f, "output");
  for (const auto& l : r.logs) add_file(l.file, fmt::format("{} log, {} bytes", results::log_kind_name(l.name.kind), l.size));
  for (const auto& p : r.plots) add_file(p, "plot");
  b += "</ul>";
  return page(r.id, b);
}

std::string render_compare_page(const std::vector<std::shared_ptr<const RunInfo>>& runs, std::string_view gate_html) {
  std::string b = "<h1>Compare</h1>";
  if (runs.size() < 2) {
    b += "<p class=\"bad\">Pick two or more runs on the <a href=\"/\">runs page</a>.</p>";
    return page("Compare", b);
  }
  // Per direction: IOPS and bandwidth summed over jobs, p99 the worst job's,
  // clat mean weighted by I/O count.
  struct Agg {
    double iops = 0, bw = 0, p99 = 0, clat_sum = 0, ios = 0;
    bool used = false;  // the run did I/O in this direction
  };
  std::vector<std::array<Agg, results::kDirs>> aggs;
  std::array<bool, results::kDirs> used{};
  for (const auto& r : runs) {
    std::array<Agg, results::kDirs> a{};
    if (r->result) {
      for (const auto& row : summary_rows(*r->result)) {
        auto& x = a[row.ddir];
        x.iops += row.iops;
        x.bw += static_cast<double>(row.bw_bytes);
        x.p99 = std::max(x.p99, static_cast<double>(row.clat_p99));
        x.clat_sum += row.clat_mean * static_cast<double>(row.total_ios);
        x.ios += static_cast<double>(row.total_ios);
        x.used = true;
        used[row.ddir] = true;
      }
    }
    aggs.push_back(a);
  }
  b += "<table class=\"compare\"><thead><tr><th>Metric</th>";
  for (size_t i = 0; i < runs.size(); ++i) {
    b += fmt::format("<th><a href=\"{}\">{}</a>{}</th>", html_escape(run_url(runs[i]->id)), html_escape(runs[i]->id),
                     i == 0 ? " <small>(baseline)</small>" : "");
  }
  b += "</tr></thead><tbody>";
  // A run without I/O in a direction has no value there: N/A, and no change
  // against it (a "-100%" would read as a collapse that never happened).
  auto row = [&](const std::string& name, int d, auto value, auto format, bool higher_better) {
    b += "<tr><th>" + html_escape(name) + "</th>";
    const double base = value(aggs[0]);
    for (size_t i = 0; i < aggs.size(); ++i) {
      if (!aggs[i][d].used) {
        b += "<td class=\"num na\" title=\"no " + std::string(results::kDirNames[d]) + " I/O in this run\">N/A</td>";
        continue;
      }
      const double v = value(aggs[i]);
      std::string delta;
      if (i > 0 && aggs[0][d].used && base > 0) {
        const double pct = (v - base) / base * 100.0;
        const bool good = higher_better ? pct >= 0 : pct <= 0;
        delta = fmt::format(" <span class=\"delta {}\">{:+.1f}%</span>", good ? "good" : "bad", pct);
      }
      b += "<td class=\"num\">" + format(v) + delta + "</td>";
    }
    b += "</tr>";
  };
  for (int d = 0; d < results::kDirs; ++d) {
    if (!used[d]) continue;
    const std::string dn = results::kDirNames[d];
    row(dn + " IOPS", d, [d](const auto& a) { return a[d].iops; }, [](double v) { return format_count(v); }, true);
    row(dn + " bandwidth", d, [d](const auto& a) { return a[d].bw; }, [](double v) { return format_bytes_rate(v); }, true);
    row(dn + " clat mean", d, [d](const auto& a) { return a[d].ios > 0 ? a[d].clat_sum / a[d].ios : 0.0; },
        [](double v) { return format_ns(v); }, false);
    row(dn + " p99 clat", d, [d](const auto& a) { return a[d].p99; }, [](double v) { return format_ns(v); }, false);
  }
  b += "</tbody></table>";
  b += gate_html;
  const std::string charts = charts_html(runs, true);
  if (!charts.empty()) b += "<h2>Time series</h2><div class=\"charts\">" + charts + "</div>";
  std::string title = "Compare";
  return page(title, b);
}

std::string render_listing_page(const std::string& rel, const std::vector<DirEntry>& entries) {
  std::string b = "<h1>Files: /" + html_escape(rel) + "</h1><table class=\"listing\"><thead><tr><th>Name</th>"
                  "<th class=\"num\">Size</th><th>Modified</th></tr></thead><tbody>";
  if (!rel.empty()) {
    std::string up = rel;
    if (!up.empty() && up.back() == '/') up.pop_back();
    const size_t slash = up.rfind('/');
    up = slash == std::string::npos ? "" : up.substr(0, slash + 1);
    b += "<tr><td><a href=\"" + html_escape(file_url(up)) + "\">../</a></td><td></td><td></td></tr>";
  }
  std::string base = rel;
  if (!base.empty() && base.back() != '/') base += '/';
  for (const auto& e : entries) {
    const std::string name = e.is_dir ? e.name + "/" : e.name;
    b += fmt::format("<tr><td><a href=\"{}\"{}>{}</a></td><td class=\"num\">{}</td><td>{}</td></tr>",
                     html_escape(file_url(base + name)), e.is_dir ? "" : " download", html_escape(name),
                     e.is_dir ? "" : std::to_string(e.size), html_escape(format_time(e.mtime)));
  }
  b += "</tbody></table>";
  return page("Files", b);
}

std::string render_error_page(int status, std::string_view message) {
  return page(std::to_string(status), fmt::format("<h1>{}</h1><p>{}</p><p><a href=\"/\">Back to the runs</a></p>",
                                                  status, html_escape(message)));
}

}  // namespace fiokit::serve
