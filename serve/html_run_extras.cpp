// Host, volume and repeats sections of the run page (see html_run_extras.hpp).
#include "serve/html_run_extras.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "serve/html.hpp"

namespace fiokit::serve {

namespace {

bool all_digits(const std::string& v) {
  return !v.empty() && v.size() < 20 && v.find_first_not_of("0123456789") == std::string::npos;
}

bool ends_with(const std::string& s, std::string_view x) {
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

// A byte count by its key's name (the volume fields, any *_bytes or *size).
bool is_size_key(const std::string& k) {
  for (std::string_view x : {"capacity", "free", "size", "bytes", "avail", "used", "total"}) {
    if (ends_with(k, x)) return true;
  }
  return false;
}

// The value as shown; the raw value stays in a tooltip when it was reformatted.
std::string value_html(const std::string& key, const std::string& v) {
  if (is_size_key(key) && all_digits(v)) {
    return fmt::format("<span title=\"{} bytes\">{}</span>", v, format_bytes(static_cast<double>(std::stoull(v))));
  }
  if (key == "rotational" && (v == "0" || v == "1")) return v == "1" ? "yes" : "no";
  return html_escape(v);
}

std::string title_of(const std::string& key) {
  static const std::map<std::string, std::string> kTitles = {
      {"host", "Host"}, {"kernel", "Kernel"}, {"arch", "Architecture"}, {"cpus", "CPUs"}, {"repeat", "Repeat"},
      {"path", "Path"}, {"mount_point", "Mount point"}, {"device", "Device"}, {"fstype", "Filesystem"},
      {"capacity", "Capacity"}, {"free", "Free"}, {"logical_block_size", "Logical block"},
      {"physical_block_size", "Physical block"}, {"rotational", "Rotational"}, {"scheduler", "Scheduler"},
      {"nr_requests", "nr_requests"}, {"mount_options", "Mount options"}, {"mount_source", "Source"},
      {"jobs", "Jobs"}};
  auto it = kTitles.find(key);
  return it == kTitles.end() ? key : it->second;
}

// Volume fields in the order a reader looks for them; others follow by name.
int field_rank(const std::string& f) {
  static const char* kOrder[] = {"path", "mount_point", "device", "fstype", "capacity", "free",
                                 "logical_block_size", "physical_block_size", "rotational", "scheduler",
                                 "nr_requests", "mount_source", "mount_options", "jobs"};
  for (size_t i = 0; i < std::size(kOrder); ++i) {
    if (f == kOrder[i]) return static_cast<int>(i);
  }
  return static_cast<int>(std::size(kOrder));
}

std::string format_metric(const std::string& unit, double v) {
  if (unit == "B/s") return format_bytes_rate(v);
  if (unit == "ns") return format_ns(v);
  return format_count(v);
}

}  // namespace

std::string render_host_section(const results::RunResult& result) {
  std::string b = "<h2>Host and volumes</h2>";
  // "volume.<N>.<field>" keys become one row per volume.
  std::map<int, std::map<std::string, std::string>> volumes;
  std::vector<std::pair<std::string, std::string>> host;
  for (const auto& [k, v] : result.extras) {
    const size_t dot1 = k.find('.'), dot2 = dot1 == std::string::npos ? dot1 : k.find('.', dot1 + 1);
    if (k.compare(0, 7, "volume.") == 0 && dot2 != std::string::npos && all_digits(k.substr(7, dot2 - 7))) {
      volumes[std::stoi(k.substr(7, dot2 - 7))][k.substr(dot2 + 1)] = v;
    } else {
      host.emplace_back(k, v);
    }
  }
  std::vector<std::pair<std::string, std::string>> job_extras;
  for (const auto& j : result.jobs) {
    for (const auto& [k, v] : j.extras) {
      if (!v.empty() && v != "false") job_extras.emplace_back(j.name + ": " + k, v);  // "" and false say nothing
    }
  }
  if (host.empty() && volumes.empty() && job_extras.empty()) {
    return b + "<p class=\"hint\">No fiokit details in this run (made by fio).</p>";
  }
  // Host first in a fixed order, then anything else fiokit recorded.
  std::stable_sort(host.begin(), host.end(), [](const auto& x, const auto& y) {
    static const char* kOrder[] = {"host", "kernel", "arch", "cpus"};
    auto rank = [](const std::string& k) {
      for (size_t i = 0; i < std::size(kOrder); ++i) {
        if (k == kOrder[i]) return static_cast<int>(i);
      }
      return static_cast<int>(std::size(kOrder));
    };
    return rank(x.first) < rank(y.first);
  });
  if (!host.empty() || !job_extras.empty()) {
    b += "<table class=\"kv host\"><tbody>";
    for (const auto& [k, v] : host) {
      b += fmt::format("<tr><th>{}</th><td>{}</td></tr>", html_escape(title_of(k)), value_html(k, v));
    }
    for (const auto& [k, v] : job_extras) {
      b += fmt::format("<tr><th>{}</th><td>{}</td></tr>", html_escape(k), html_escape(v));
    }
    b += "</tbody></table>";
  }
  if (!volumes.empty()) {
    std::vector<std::string> fields;
    for (const auto& [n, f] : volumes) {
      for (const auto& [k, v] : f) {
        if (std::find(fields.begin(), fields.end(), k) == fields.end()) fields.push_back(k);
      }
    }
    std::stable_sort(fields.begin(), fields.end(), [](const auto& x, const auto& y) { return field_rank(x) < field_rank(y); });
    b += "<h3>Volumes</h3><div class=\"table-wrap\"><table class=\"volumes\"><thead><tr>";
    for (const auto& f : fields) {
      b += fmt::format("<th{}>{}</th>", is_size_key(f) ? " class=\"num\"" : "", html_escape(title_of(f)));
    }
    b += "</tr></thead><tbody>";
    for (const auto& [n, f] : volumes) {
      b += "<tr>";
      for (const auto& k : fields) {
        auto it = f.find(k);
        b += fmt::format("<td{} data-field=\"{}\">{}</td>", is_size_key(k) ? " class=\"num\"" : "", html_escape(k),
                         it == f.end() ? "" : value_html(k, it->second));
      }
      b += "</tr>";
    }
    b += "</tbody></table></div>";
  }
  return b;
}

static std::string render_repeats_body(const RunInfo& run, const nlohmann::ordered_json& doc, std::string b,
                                       const std::string& link) {
  const auto runs = doc.value("runs", nlohmann::ordered_json::array());
  const int total = doc.value("repeats", static_cast<int>(runs.size()));
  const int ok = doc.value("ok", 0);
  b += fmt::format("<p class=\"repeats-summary\">{} repeats, {} ok{}. <a href=\"{}\">repeats.json</a></p>", total, ok,
                   ok < total ? ": the statistics are over the ok ones" : "", link);
  // Each repeat's status, and where its own results are.
  std::vector<int> ok_repeats;
  b += "<table class=\"repeat-runs\"><thead><tr><th>Repeat</th><th>Status</th><th>Results</th><th>Error</th></tr></thead><tbody>";
  for (const auto& r : runs) {
    if (!r.is_object()) continue;
    const int n = r.value("repeat", 0);
    const std::string status = r.value("status", std::string("?"));
    if (status == "ok") ok_repeats.push_back(n);
    const std::string rel = run.rel_path("repeats/" + std::to_string(n) + "/results.json");
    b += fmt::format("<tr data-status=\"{1}\"><td>{0}</td><td><span class=\"badge badge-{2}\">{1}</span></td>"
                     "<td><a href=\"{3}\">repeats/{0}/results.json</a></td><td>{4}</td></tr>",
                     n, html_escape(status), status == "ok" ? "ok" : "bad", html_escape(file_url(rel)),
                     html_escape(r.value("error", std::string())));
  }
  b += "</tbody></table>";
  // Per job and direction: every metric over the ok repeats, with its spread.
  for (const auto& job : doc.value("jobs", nlohmann::ordered_json::array())) {
    if (!job.is_object()) continue;
    for (const auto& [dir, metrics] : job.items()) {
      if (!metrics.is_object()) continue;
      b += fmt::format("<h3>{} &middot; {}</h3><div class=\"table-wrap\"><table class=\"repeats\"><thead><tr><th>Metric</th>",
                       html_escape(job.value("jobname", std::string())), html_escape(dir));
      for (int n : ok_repeats) b += fmt::format("<th class=\"num\">#{}</th>", n);
      b += "<th class=\"num\">median</th><th class=\"num\">min</th><th class=\"num\">max</th>"
           "<th class=\"num\">stddev</th><th class=\"num\">stddev/median</th></tr></thead><tbody>";
      for (const auto& [name, m] : metrics.items()) {
        if (!m.is_object()) continue;
        const std::string unit = m.value("unit", std::string());
        b += "<tr><th>" + html_escape(name) + "</th>";
        const auto values = m.value("values", nlohmann::ordered_json::array());
        for (size_t i = 0; i < ok_repeats.size(); ++i) {
          b += "<td class=\"num\">" +
               (i < values.size() && values[i].is_number() ? format_metric(unit, values[i].get<double>()) : "-") + "</td>";
        }
        const double median = m.value("median", 0.0), stddev = m.value("stddev", 0.0);
        b += fmt::format("<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                         "<td class=\"num\">{}</td></tr>",
                         format_metric(unit, median), format_metric(unit, m.value("min", 0.0)),
                         format_metric(unit, m.value("max", 0.0)), format_metric(unit, stddev),
                         median > 0 ? fmt::format("{:.1f}%", stddev / median * 100) : "-");
      }
      b += "</tbody></table></div>";
    }
  }
  return b;
}

std::string render_repeats_section(const RunInfo& run) {
  if (!run.has_repeats) return "";
  const std::string link = html_escape(file_url(run.rel_path("repeats.json")));
  std::string b = "<h2 id=\"repeats\">Repeats</h2>";
  nlohmann::ordered_json doc;
  try {
    doc = nlohmann::ordered_json::parse(run.repeats_json);
    if (!doc.is_object()) throw std::runtime_error("not an object");
  } catch (const std::exception&) {
    return b + "<p class=\"bad\">repeats.json cannot be read: <a href=\"" + link + "\">repeats.json</a></p>";
  }
  // A field of the wrong type (say "repeats": "3") makes value() throw; the
  // run page must still show, with this section marked unreadable.
  try {
    return render_repeats_body(run, doc, b, link);
  } catch (const nlohmann::ordered_json::exception& e) {
    return b + "<p class=\"bad\">repeats.json cannot be read (" + html_escape(e.what()) + "): <a href=\"" + link +
           "\">repeats.json</a></p>";
  }
}

}  // namespace fiokit::serve
