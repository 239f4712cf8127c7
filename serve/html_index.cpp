// The run index page: one page of runs (100 rows by default) as the server
// selected them (serve/run_query.hpp), with the settings that tell runs apart
// (rw, bs, iodepth, numjobs, engine), duration, a status badge and the
// figures split into read and write. It reads without JavaScript: column
// headers are links that sort, the filter is a GET form and "more runs" is a
// link to the next page; index.js turns these into a live filter and rows
// appended on demand, from the same server-rendered HTML.
#include <fmt/format.h>

#include "serve/api.hpp"
#include "serve/html.hpp"

namespace fiokit::serve {

namespace {

constexpr size_t kDefaultRows = kIndexPageRows;

struct Column {
  const char* key;    // sort key (run_query.cpp), "" for none
  const char* title;
  bool num;           // right-aligned figures
};

// The two header rows: settings first, then read and write figures under a
// group heading each.
constexpr Column kLeading[] = {{"id", "Run", false},        {"date", "Date", false},
                               {"status", "Status", false}, {"jobs", "Jobs", false},
                               {"rw", "rw", false},         {"bs", "bs", true},
                               {"iodepth", "iodepth", true}, {"numjobs", "numjobs", true},
                               {"engine", "Engine", false}, {"duration", "Duration", true}};
constexpr Column kRead[] = {{"read_iops", "IOPS", true}, {"read_bw", "Bandwidth", true}, {"read_p99", "p99 clat", true}};
constexpr Column kWrite[] = {{"write_iops", "IOPS", true}, {"write_bw", "Bandwidth", true}, {"write_p99", "p99 clat", true}};

std::string sort_header(const Column& c, const RunQuery& q, const char* extra_attrs) {
  RunQuery next = q;
  next.offset = 0;
  next.sort = c.key;
  // A click on the sorted column flips it; on another, its natural order.
  next.descending = q.sort == c.key ? !q.descending : default_descending(c.key);
  const std::string qs = query_string(next, kDefaultRows);
  const bool active = q.sort == c.key;
  return fmt::format("<th{}{}{} data-sort=\"{}\"><a href=\"/{}{}\">{}</a>{}</th>", c.num ? " class=\"num\"" : "",
                     active ? (q.descending ? " aria-sort=\"descending\"" : " aria-sort=\"ascending\"") : "", extra_attrs,
                     c.key, qs.empty() ? "" : "?", html_escape(qs), c.title,
                     active ? (q.descending ? " <span class=\"arrow\">&#9660;</span>" : " <span class=\"arrow\">&#9650;</span>")
                            : "");
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// A direction's three cells; "-" where the run has no such figures (a run
// that only read, a failed run that moved nothing), never a 0 that reads
// like a measurement.
std::string dir_cells(const DirFigures& f) {
  if (!f.present) return "<td class=\"num none\">-</td><td class=\"num none\">-</td><td class=\"num none\">-</td>";
  return fmt::format("<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>", format_count(f.iops),
                     format_bytes_rate(static_cast<double>(f.bw_bytes)),
                     format_ns(static_cast<double>(f.p99_clat_ns)));
}

// A `fiokit sweep` directory (serve/sweep_index.hpp): one row linking its
// sweep page, its points and their status where a run has its figures; the
// swept values in the settings columns. Its compare checkbox picks the
// sweep for the compare page, which compares sweeps point by point
// (serve/compare_sweeps.cpp); a sweep picked with a plain run is refused there.
std::string sweep_row_html(const RunInfo& r) {
  const RunSummary& s = r.summary;
  const std::string url = "/sweeps/" + encode_path(r.id, false);
  const char* cls = s.sweep_points && s.sweep_ok == s.sweep_points ? "sweep" : "warn";
  auto or_dash = [](const std::string& v) { return v.empty() ? std::string("-") : html_escape(v); };
  return fmt::format(
      "<tr class=\"sweep-row\" data-id=\"{0}\" data-status=\"sweep\"><td><input type=\"checkbox\" name=\"run\" value=\"{0}\"></td>"
      "<td class=\"id\"><a class=\"sweep-link\" href=\"{1}\">{0}</a></td><td class=\"date\">{2}</td>"
      "<td><span class=\"badge badge-{3}\" title=\"{4}\">sweep</span> <small class=\"sweep-points\">{5}/{6} ok</small></td>"
      "<td class=\"jobs\">{7} point{8}</td><td class=\"rw\">{9}</td><td class=\"num bs\">{10}</td>"
      "<td class=\"num iodepth\">{11}</td><td class=\"num numjobs\">{12}</td><td class=\"engine\">{13}</td>"
      "<td class=\"num duration\">{14}</td><td colspan=\"6\" class=\"none\"><a href=\"{1}\">figures per point on the "
      "sweep page</a></td><td class=\"tool\">{15}</td></tr>",
      html_escape(r.id), html_escape(url), html_escape(format_time(r.timestamp)), cls, html_escape(s.status_detail),
      s.sweep_ok, s.sweep_points, s.sweep_points, s.sweep_points == 1 ? "" : "s", or_dash(s.rw), or_dash(s.bs),
      or_dash(s.iodepth), or_dash(s.numjobs), or_dash(s.engine), format_duration_ms(s.duration_ms),
      html_escape(s.tool + (s.version.empty() ? "" : " " + s.version)));
}

std::string row_html(const RunInfo& r) {
  const RunSummary& s = r.summary;
  if (s.status == RunStatus::sweep) return sweep_row_html(r);
  const std::string status = run_status_name(s.status);
  const std::string badge_class = s.status == RunStatus::ok ? "ok" : s.status == RunStatus::incomplete ? "warn" : "bad";
  std::string title = s.status_detail.empty() ? r.error : s.status_detail;
  if (s.status == RunStatus::incomplete) title = "a checkpoint: still running, or stopped before it ended";
  std::string tr = fmt::format(
      "<tr data-id=\"{0}\" data-status=\"{1}\"><td><input type=\"checkbox\" name=\"run\" value=\"{0}\"></td>"
      "<td class=\"id\"><a href=\"{2}\">{0}</a>{3}</td><td class=\"date\">{4}</td>"
      "<td><span class=\"badge badge-{5}\"{6}>{1}</span></td>",
      html_escape(r.id), html_escape(status), html_escape(run_url(r.id)),
      r.has_repeats ? " <span class=\"tag\" title=\"repeated runs: see the run page\">repeats</span>" : "",
      html_escape(format_time(r.timestamp)), badge_class,
      title.empty() ? "" : " title=\"" + html_escape(title) + "\"", "");
  if (!r.error.empty()) {
    // Nothing was read: no settings to show either.
    tr += "<td colspan=\"7\" class=\"none\">-</td>";
    tr += dir_cells({}) + dir_cells({}) + "<td></td></tr>";
    return tr;
  }
  tr += fmt::format(
      "<td class=\"jobs\">{}{}</td><td class=\"rw\">{}</td><td class=\"num bs\">{}</td><td class=\"num iodepth\">{}</td>"
      "<td class=\"num numjobs\">{}</td><td class=\"engine\">{}</td><td class=\"num duration\">{}</td>",
      html_escape(joined(s.job_names)), s.job_count > s.job_names.size() ? fmt::format(" <small>({} jobs)</small>", s.job_count) : "",
      html_escape(s.rw), html_escape(s.bs), html_escape(s.iodepth), html_escape(s.numjobs), html_escape(s.engine),
      format_duration_ms(s.duration_ms));
  tr += dir_cells(s.dirs[0]) + dir_cells(s.dirs[1]);
  tr += "<td class=\"tool\">" + html_escape(s.tool + (s.version.empty() ? "" : " " + s.version)) + "</td></tr>";
  return tr;
}

}  // namespace

std::string render_index_page(const IndexSnapshot& snap, const RunQuery& q) {
  std::string b = "<h1>Runs</h1>";
  if (snap.runs.empty()) {
    b += "<p class=\"empty\">No runs found. Runs live in <code>DIR/runs/&lt;run-id&gt;/</code>, "
         "or serve a folder holding fio's JSON output and logs.</p>";
    return html_page("Runs", b);
  }
  const RunPage page = select_runs(snap, q);
  // The filter keeps the sort; a new filter starts at the first page.
  b += "<form class=\"filter\" action=\"/\" method=\"get\" role=\"search\">"
       "<input type=\"search\" name=\"q\" id=\"run-filter\" autocomplete=\"off\" value=\"" +
       html_escape(q.filter) +
       "\" placeholder=\"Filter: job name, rw, bs, engine, status... (rw:randread engine:io_uring)\" "
       "aria-label=\"Filter runs\">";
  if (q.sort != "date") b += "<input type=\"hidden\" name=\"sort\" value=\"" + html_escape(q.sort) + "\">";
  if (q.descending != default_descending(q.sort)) {
    b += std::string("<input type=\"hidden\" name=\"order\" value=\"") + (q.descending ? "desc" : "asc") + "\">";
  }
  const size_t first = page.runs.empty() ? 0 : q.offset + 1, last = q.offset + page.runs.size();
  b += fmt::format("<button type=\"submit\">Filter</button> <span class=\"count\" id=\"run-count\">{}</span></form>",
                   page.matched == page.total
                       ? fmt::format("runs {}&ndash;{} of {}", first, last, page.total)
                       : fmt::format("runs {}&ndash;{} of {} matching, {} in all", first, last, page.matched, page.total));

  b += fmt::format("<form action=\"/compare\" method=\"get\"><div class=\"table-wrap\"><table class=\"runs\" "
                   "data-total=\"{}\" data-matched=\"{}\" data-offset=\"{}\"><thead><tr><th rowspan=\"2\"></th>",
                   page.total, page.matched, q.offset);
  for (const auto& c : kLeading) b += sort_header(c, q, " rowspan=\"2\"");
  b += "<th colspan=\"3\" class=\"group\">Read</th><th colspan=\"3\" class=\"group\">Write</th>";
  b += sort_header({"tool", "Tool", false}, q, " rowspan=\"2\"");
  b += "</tr><tr>";
  for (const auto& c : kRead) b += sort_header(c, q, "");
  for (const auto& c : kWrite) b += sort_header(c, q, "");
  b += "</tr></thead><tbody>";
  for (const auto& r : page.runs) b += row_html(*r);
  if (page.runs.empty()) {
    b += "<tr class=\"no-match\"><td colspan=\"17\">" +
         (q.filter.empty() ? std::string("No runs past this point.")
                           : "No run matches <code>" + html_escape(q.filter) + "</code>.") +
         "</td></tr>";
  }
  b += "</tbody></table></div>";
  if (last < page.matched) {
    RunQuery next = q;
    next.offset = last;
    const size_t n = std::min(page.matched - last, q.limit.value_or(kDefaultRows));
    b += fmt::format("<p class=\"more\"><a class=\"more-link\" href=\"/?{}\">{} more run{}</a> "
                     "<span class=\"hint\">({} not shown yet)</span></p>",
                     html_escape(query_string(next, kDefaultRows)), n, n == 1 ? "" : "s", page.matched - last);
  }
  b += "<p><button type=\"submit\">Compare selected</button> "
       "<span class=\"hint\">pick two or more runs, or two or more sweeps (compared point by point)</span></p></form>";
  return html_page("Runs", b);
}

}  // namespace fiokit::serve
