// See sweep_pages.hpp. The page reads without JavaScript (the table of points
// and the gnuplot images, when `fiokit sweep` drew them); sweep.js adds the
// interactive graphs from /api/sweeps/<id>. Figures come from each point's own
// results.json (the sub-run is an ordinary run directory), the manifest's copy
// only when that cannot be read.
#include "serve/sweep_pages.hpp"

#include <fmt/format.h>

#include <sys/stat.h>

#include <atomic>
#include <cctype>
#include <condition_variable>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "results/json_reader.hpp"
#include "results/sweep.hpp"
#include "serve/html.hpp"
#include "serve/sweep_index.hpp"

namespace fiokit::serve {

namespace {

constexpr size_t kManifestMax = 16u << 20;
constexpr size_t kResultsMax = 256u << 20;
// Points whose own results.json is read; later ones show the manifest's copy
// of their figures (a sweep this large is made by hand, not to be parsed whole).
constexpr size_t kPointsRead = 1024;
constexpr size_t kCachedSweeps = 16;
constexpr const char* kCsp =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

struct Loaded {
  results::SweepManifest m;
  std::vector<std::optional<results::PointFigures>> figures;
  std::vector<std::string> plots;  // under runs/<id>/plots
};

// A file's mtime and size, to tell whether what was parsed from it is still
// what it holds; mtime_ns -1 when it is missing. Plain stat: only the cache
// key, never the content, comes from it (content is read through Root).
struct Stamp {
  int64_t mtime_ns = -1;
  uint64_t size = 0;
  bool operator==(const Stamp&) const = default;
};
Stamp stamp_of(const Root& root, const std::string& rel) {
  struct stat st;
  if (::stat((root.path() + "/" + rel).c_str(), &st) != 0) return {};
  return {static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec, static_cast<uint64_t>(st.st_size)};
}

std::atomic<uint64_t> g_parses{0};

// Parsed sweeps, most recent first, each with the stamps of the manifest, of
// every point's results.json it read, and of plots/: a request checks those
// (stats, no reads) and parses again only when one changed, so a sweep still
// running shows its points as they finish.
struct CachedSweep {
  std::string id;  // root path / sweep id: a test process serves several roots
  Stamp manifest, plots;
  std::vector<Stamp> points;
  std::shared_ptr<const Loaded> loaded;
};
std::mutex g_cache_m;
std::list<CachedSweep> g_cache;

// At most two sweeps parsed at a time: a burst of requests for a large sweep
// waits instead of multiplying its parse by the worker count.
std::mutex g_load_m;
std::condition_variable g_load_cv;
int g_loading = 0;
struct LoadSlot {
  LoadSlot() {
    std::unique_lock<std::mutex> lk(g_load_m);
    g_load_cv.wait(lk, [] { return g_loading < 2; });
    ++g_loading;
  }
  ~LoadSlot() {
    { std::lock_guard<std::mutex> lk(g_load_m); --g_loading; }
    g_load_cv.notify_one();
  }
};

bool bad_id(const std::string& id) { return id.empty() || id == "." || id == ".." || id.find('/') != std::string::npos; }

// The point results a load reads (the first kPointsRead that have run).
bool reads_point(const results::SweepPointRecord& p, size_t i) {
  return i < kPointsRead && !p.run.empty() && p.status != "pending" && p.status != "skipped";
}

std::shared_ptr<const Loaded> parse(const Root& root, const std::string& dir, results::SweepManifest m) {
  auto l = std::make_shared<Loaded>();
  l->m = std::move(m);
  for (size_t i = 0; i < l->m.points.size(); ++i) {
    const auto& p = l->m.points[i];
    std::optional<results::PointFigures> f;
    if (reads_point(p, i)) {
      std::string rtext;
      const int rfd = root.open_beneath(dir + "/" + p.run + "/results.json");
      if ((rfd < 0 ? rfd : read_fd(rfd, rtext, kResultsMax)) == 0) {
        try {
          f = results::point_figures(results::read_fio_json(rtext));
          ++g_parses;
        } catch (const std::exception&) {
          f.reset();
        }
      }
    }
    l->figures.push_back(f ? f : p.figures);
  }
  std::vector<DirEntry> entries;
  if (root.list(dir + "/plots", entries) == 0)
    for (const auto& e : entries)
      if (!e.is_dir && e.name.size() > 4 && e.name.compare(e.name.size() - 4, 4, ".png") == 0) l->plots.push_back(e.name);
  return l;
}

std::vector<Stamp> point_stamps(const Root& root, const std::string& dir, const results::SweepManifest& m) {
  std::vector<Stamp> out;
  for (size_t i = 0; i < m.points.size(); ++i)
    out.push_back(reads_point(m.points[i], i) ? stamp_of(root, dir + "/" + m.points[i].run + "/results.json") : Stamp{});
  return out;
}

std::shared_ptr<const Loaded> load(const Root& root, const std::string& id, std::string& error) {
  if (bad_id(id)) {
    error = "No such sweep.";
    return nullptr;
  }
  const std::string dir = "runs/" + id;
  const Stamp manifest = stamp_of(root, dir + "/" + results::kSweepManifest);
  {
    std::lock_guard<std::mutex> lk(g_cache_m);
    for (auto it = g_cache.begin(); it != g_cache.end(); ++it) {
      if (it->id != root.path() + "/" + id) continue;
      if (it->manifest == manifest && manifest.mtime_ns >= 0 && it->plots == stamp_of(root, dir + "/plots") &&
          it->points == point_stamps(root, dir, it->loaded->m)) {
        g_cache.splice(g_cache.begin(), g_cache, it);
        return g_cache.front().loaded;
      }
      g_cache.erase(it);
      break;
    }
  }
  LoadSlot slot;
  // Stamps before the reads: a file rewritten meanwhile is read again next time.
  const Stamp plots = stamp_of(root, dir + "/plots");
  std::string text;
  const int fd = root.open_beneath(dir + "/" + results::kSweepManifest);
  if ((fd < 0 ? fd : read_fd(fd, text, kManifestMax)) < 0) {
    error = "No such sweep.";
    return nullptr;
  }
  results::SweepManifest m;
  try {
    m = results::read_sweep_manifest(text);
  } catch (const results::SweepError& e) {
    error = std::string("sweep.json: ") + e.what();
    return nullptr;
  }
  ++g_parses;
  std::vector<Stamp> points = point_stamps(root, dir, m);
  auto l = parse(root, dir, std::move(m));
  std::lock_guard<std::mutex> lk(g_cache_m);
  g_cache.push_front({root.path() + "/" + id, manifest, plots, std::move(points), l});
  if (g_cache.size() > kCachedSweeps) g_cache.pop_back();
  return l;
}

// URL path segments: the ids and run names are file-name safe, but a
// directory made by hand may hold anything.
std::string url_part(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/' || c == '~') out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string page(const std::string& title, const std::string& body) {
  return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" +
         html_escape(title) +
         " - fiokit</title><link rel=\"stylesheet\" href=\"/static/style.css\"><link rel=\"stylesheet\" "
         "href=\"/static/sweep.css\"></head><body><header><a class=\"brand\" href=\"/\">fiokit</a><nav><a href=\"/\">Runs</a>"
         "<a href=\"/sweeps\">Sweeps</a><a href=\"/files/\">Files</a></nav></header><main>" +
         body + "</main><script src=\"/static/sweep.js\"></script></body></html>\n";
}

void answer(httplib::Response& res, int status, const std::string& body, const char* type) {
  res.status = status;
  res.set_header("Content-Security-Policy", kCsp);
  res.set_content(body, type);
}

}  // namespace

std::string render_sweep_json(const Root& root, const std::string& id, std::string& error) {
  const auto l = load(root, id, error);
  if (!l) return "";
  using J = nlohmann::ordered_json;
  const auto axes = results::sweep_axes(l->m);
  J j = {{"id", id}, {"interrupted", l->m.interrupted}, {"started_ms", l->m.started_ms},
         {"finished_ms", l->m.finished_ms}, {"job_files", l->m.job_files}};
  J dims = J::array();
  for (const auto& d : l->m.dimensions) dims.push_back({{"option", d.option}, {"values", d.values}});
  j["dimensions"] = dims;
  j["axes"] = {{"x", axes.x}, {"lines", axes.lines}};
  J points = J::array();
  for (size_t i = 0; i < l->m.points.size(); ++i) {
    const auto& p = l->m.points[i];
    J settings = J::object();
    for (const auto& [k, v] : p.settings) settings[k] = v;
    J jp = {{"key", results::point_key(p.settings)}, {"settings", settings}, {"status", p.status}, {"run", p.run},
            {"error", p.error}};
    const auto& f = l->figures[i];
    jp["figures"] = f ? J{{"iops", f->iops}, {"bw_bytes", f->bw_bytes}, {"lat_mean_ns", f->lat_mean_ns},
                          {"clat_p99_ns", f->clat_p99_ns}, {"total_ios", f->total_ios}}
                      : J(nullptr);
    points.push_back(std::move(jp));
  }
  j["points"] = points;
  // A manifest made by hand may hold invalid UTF-8: replace it, as every other
  // JSON route does, instead of throwing (a 500).
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string render_sweep_page(const Root& root, const std::string& id, std::string& error) {
  const auto l = load(root, id, error);
  if (!l) return "";
  const auto& m = l->m;
  const auto axes = results::sweep_axes(m);
  std::string b = "<h1>Sweep " + html_escape(id) + "</h1><p class=\"meta\">";
  size_t ok = 0;
  for (const auto& p : m.points) ok += p.status == "ok";
  b += fmt::format("{} point(s), {} ok", m.points.size(), ok);
  for (const auto& d : m.dimensions) {
    std::string vals;
    for (const auto& v : d.values) vals += (vals.empty() ? "" : ", ") + v;
    b += " &middot; " + html_escape(d.option) + ": " + html_escape(vals);
  }
  if (m.interrupted) b += " &middot; <span class=\"bad\">interrupted</span>";
  else if (!m.finished_ms) b += " &middot; running";
  b += "</p>";
  const std::string base = "/files/runs/" + url_part(id) + "/";
  if (axes.x >= 0) {
    const std::string xo = m.dimensions[static_cast<size_t>(axes.x)].option;
    const std::string per = axes.lines >= 0 ? " per " + m.dimensions[static_cast<size_t>(axes.lines)].option : "";
    b += "<h2>Graphs</h2><p class=\"hint\">Hover a point for its figures; click a legend entry to hide its line.</p>"
         "<div id=\"sweep\" class=\"sweep-charts\" data-api=\"/api/sweeps/" + html_escape(url_part(id)) + "\">";
    const std::pair<const char*, const char*> charts[] = {
        {"iops", "IOPS"}, {"lat_mean_ns", "mean latency (lat)"}, {"clat_p99_ns", "p99 completion latency (clat)"}};
    for (const auto& [metric, title] : charts)
      b += fmt::format("<div class=\"sweep-box\"><h3>{} vs {}{}</h3><div class=\"sweep-chart\" data-metric=\"{}\">"
                       "</div></div>",
                       title, html_escape(xo), html_escape(per), metric);
    if (axes.lines >= 0)
      b += "<div class=\"sweep-box\"><h3>IOPS, " + html_escape(xo) + " &times; " +
           html_escape(m.dimensions[static_cast<size_t>(axes.lines)].option) +
           "</h3><div class=\"sweep-heat\" data-metric=\"iops\"></div></div>";
    b += "</div>";
  }
  b += "<h2>Points</h2><table class=\"sweep-points\"><thead><tr>";
  for (const auto& d : m.dimensions) b += "<th>" + html_escape(d.option) + "</th>";
  b += "<th>status</th><th class=\"num\">IOPS</th><th class=\"num\">bandwidth</th><th class=\"num\">mean lat</th>"
       "<th class=\"num\">p99 clat</th><th>sub-run</th></tr></thead><tbody>";
  for (size_t i = 0; i < m.points.size(); ++i) {
    const auto& p = m.points[i];
    const auto& f = l->figures[i];
    b += "<tr>";
    for (const auto& kv : p.settings) b += "<td>" + html_escape(kv.second) + "</td>";
    b += "<td" + std::string(p.status == "ok" ? "" : " class=\"bad\"") + " title=\"" + html_escape(p.error) + "\">" +
         html_escape(p.status) + "</td>";
    b += fmt::format("<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
                     f ? format_count(f->iops) : "-", f ? format_bytes_rate(f->bw_bytes) : "-",
                     f ? format_ns(f->lat_mean_ns) : "-", f ? format_ns(f->clat_p99_ns) : "-");
    if (p.run.empty()) {
      b += "<td>-</td>";
    } else {
      const std::string run = base + url_part(p.run) + "/";
      // The sub-run's own run page (graphs, jobs, files) when its id can be
      // nested (serve/sweep_index.hpp); its folder listing otherwise.
      const std::string nested = sub_run_id(id, p.run);
      const std::string page_url = nested.empty() ? run : run_url(nested);
      b += "<td><a class=\"subrun\" href=\"" + html_escape(page_url) + "\">" + html_escape(p.run) + "</a> (<a href=\"" +
           html_escape(run) + "output.txt\">report</a>, <a href=\"" + html_escape(run) + "results.json\">json</a>)</td>";
    }
    b += "</tr>";
  }
  b += "</tbody></table>";
  b += "<p class=\"hint\">Each sub-run is an ordinary run directory: <code>fiokit serve</code> on the sweep "
       "directory lists them as runs; <code>fiokit compare</code> on two sweeps compares them point by point.</p>";
  if (!l->plots.empty()) {
    b += "<h2>gnuplot images</h2><div class=\"plots\">";
    for (const auto& p : l->plots)
      b += "<figure><a href=\"" + html_escape(base + "plots/" + url_part(p)) + "\"><img alt=\"" + html_escape(p) +
           "\" src=\"" + html_escape(base + "plots/" + url_part(p)) + "\"></a><figcaption>" + html_escape(p) +
           "</figcaption></figure>";
    b += "</div>";
  }
  b += "<h2>Files</h2><ul class=\"files\"><li><a href=\"" + html_escape(base) + "sweep.json\">sweep.json</a></li>";
  for (const auto& f : m.job_files)
    b += "<li><a href=\"" + html_escape(base + url_part(f)) + "\">" + html_escape(f) + "</a></li>";
  b += "</ul>";
  return page("Sweep " + id, b);
}

namespace {
// /sweeps rows by run dir path, with the manifest stamp they were made from.
std::mutex g_rows_m;
std::map<std::string, std::pair<Stamp, std::string>> g_rows;

}  // namespace

uint64_t sweep_page_parses() { return g_parses.load(); }

std::string render_sweeps_page(const Root& root) {
  std::vector<DirEntry> runs;
  std::set<std::string> seen;
  std::string rows;
  if (root.list("runs", runs) == 0) {
    for (auto it = runs.rbegin(); it != runs.rend(); ++it) {  // newest first (ids start with the UTC time)
      if (!it->is_dir) continue;
      // A stat per run dir (most are not sweeps); a manifest is read and
      // parsed only when its mtime or size changed since the last listing.
      const std::string rel = "runs/" + it->name + "/" + results::kSweepManifest;
      const Stamp st = stamp_of(root, rel);
      if (st.mtime_ns < 0) continue;
      seen.insert(root.path() + "/" + it->name);
      {
        std::lock_guard<std::mutex> lk(g_rows_m);
        auto row = g_rows.find(root.path() + "/" + it->name);
        if (row != g_rows.end() && row->second.first == st) {
          rows += row->second.second;
          continue;
        }
      }
      std::string text;
      const int fd = root.open_beneath(rel);
      if ((fd < 0 ? fd : read_fd(fd, text, kManifestMax)) < 0) continue;
      std::string dims, status;
      try {
        const auto m = results::read_sweep_manifest(text);
        ++g_parses;
        for (const auto& d : m.dimensions) dims += (dims.empty() ? "" : " &times; ") + html_escape(d.option) + fmt::format(" ({})", d.values.size());
        size_t ok = 0;
        for (const auto& p : m.points) ok += p.status == "ok";
        status = fmt::format("{}/{} ok{}", ok, m.points.size(), m.interrupted ? ", interrupted" : "");
      } catch (const results::SweepError& e) {
        status = html_escape(e.what());
      }
      const std::string row = "<tr><td><a class=\"sweep\" href=\"/sweeps/" + html_escape(url_part(it->name)) + "\">" +
                              html_escape(it->name) + "</a></td><td>" + dims + "</td><td>" + status + "</td></tr>";
      rows += row;
      std::lock_guard<std::mutex> lk(g_rows_m);
      g_rows[root.path() + "/" + it->name] = {st, row};
    }
  }
  {
    std::lock_guard<std::mutex> lk(g_rows_m);  // forget sweeps deleted since
    const std::string mine = root.path() + "/";
    for (auto it = g_rows.begin(); it != g_rows.end();)
      it = seen.count(it->first) || it->first.compare(0, mine.size(), mine) != 0 ? std::next(it) : g_rows.erase(it);
  }
  if (rows.empty()) return page("Sweeps", "<h1>Sweeps</h1><p class=\"meta\">No sweep here (fiokit sweep JOB --iodepth 1,2,4 ...).</p>");
  return page("Sweeps", "<h1>Sweeps</h1><table><thead><tr><th>sweep</th><th>dimensions</th><th>points</th></tr></thead><tbody>" +
                            rows + "</tbody></table>");
}

void add_sweep_routes(httplib::Server& http, const Root& root) {
  http.Get("/sweeps", [&root](const httplib::Request&, httplib::Response& res) {
    answer(res, 200, render_sweeps_page(root), "text/html; charset=utf-8");
  });
  http.Get("/sweeps/([^/]+)", [&root](const httplib::Request& req, httplib::Response& res) {
    std::string error;
    const std::string body = render_sweep_page(root, req.matches[1], error);
    if (body.empty()) return answer(res, 404, render_error_page(404, error), "text/html; charset=utf-8");
    answer(res, 200, body, "text/html; charset=utf-8");
  });
  http.Get("/api/sweeps/([^/]+)", [&root](const httplib::Request& req, httplib::Response& res) {
    std::string error;
    const std::string body = render_sweep_json(root, req.matches[1], error);
    if (body.empty()) return answer(res, 404, nlohmann::json{{"error", error}}.dump(), "application/json");
    answer(res, 200, body, "application/json");
  });
}

}  // namespace fiokit::serve
