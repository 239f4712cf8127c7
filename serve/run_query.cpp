// Run index queries (see run_query.hpp). Sorting computes each run's key once
// (5,000 runs sort in about a millisecond); runs without the sorted value (no
// write direction, unreadable results) go last in either order, so a sort by
// write IOPS starts with the runs that wrote.
#include "serve/run_query.hpp"

#include <algorithm>
#include <cmath>
#include <cctype>
#include <cstdlib>

#include "serve/api.hpp"
#include "serve/confine.hpp"

namespace fiokit::serve {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const std::string* param(const std::multimap<std::string, std::string>& p, const char* key) {
  auto it = p.find(key);
  return it == p.end() ? nullptr : &it->second;
}

size_t parse_size_param(const std::string& v, const char* key) {
  if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos) {
    throw QueryError(std::string("?") + key + "= must be a whole number below 10^9, not '" + v + "'");
  }
  return static_cast<size_t>(std::stoull(v));
}

// "4k" -> 4096, "1m" -> 1048576 (fio's default kb_base=1024), "32" -> 32; the
// first of a list ("64k, 4k"); nullopt when it does not start with a number.
std::optional<double> leading_number(const std::string& s) {
  const char* p = s.c_str();
  char* end = nullptr;
  const double v = std::strtod(p, &end);
  // strtod also reads "nan" and "inf": a NaN sort key breaks stable_sort's
  // strict weak ordering (undefined behaviour), so they are not numbers here.
  if (end == p || !std::isfinite(v)) return std::nullopt;
  switch (std::tolower(static_cast<unsigned char>(*end))) {
    case 'k': return v * 1024;
    case 'm': return v * 1024 * 1024;
    case 'g': return v * 1024 * 1024 * 1024;
    case 't': return v * 1024.0 * 1024 * 1024 * 1024;
    default: return v;
  }
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

struct Key {
  bool missing = false;
  double num = 0;
  std::string text;
};

Key key_of(const RunInfo& r, const std::string& k) {
  const RunSummary& s = r.summary;
  const bool have = r.error.empty();
  auto text = [&](std::string v) { return Key{!have || v.empty(), 0, lower(v)}; };
  auto number = [&](const std::string& v) {
    auto n = leading_number(v);
    return Key{!have || !n, n.value_or(0), lower(v)};
  };
  auto dir = [&](int d, int what) {
    const DirFigures& f = s.dirs[static_cast<size_t>(d)];
    const double v = what == 0 ? f.iops : what == 1 ? static_cast<double>(f.bw_bytes) : static_cast<double>(f.p99_clat_ns);
    return Key{!f.present || (what == 2 && f.p99_clat_ns == 0), v, {}};
  };
  if (k == "date") return Key{false, static_cast<double>(r.timestamp), {}};
  if (k == "id") return Key{false, 0, r.id};
  if (k == "status") return Key{false, 0, run_status_name(s.status)};
  if (k == "jobs") return text(joined(s.job_names));
  if (k == "rw") return text(s.rw);
  if (k == "bs") return number(s.bs);
  if (k == "iodepth") return number(s.iodepth);
  if (k == "numjobs") return number(s.numjobs);
  if (k == "engine") return text(s.engine);
  if (k == "duration") return Key{!have, static_cast<double>(s.duration_ms), {}};
  if (k == "tool") return text(s.tool + " " + s.version);
  if (k == "read_iops") return dir(0, 0);
  if (k == "read_bw") return dir(0, 1);
  if (k == "read_p99") return dir(0, 2);
  if (k == "write_iops") return dir(1, 0);
  if (k == "write_bw") return dir(1, 1);
  if (k == "write_p99") return dir(1, 2);
  return Key{};
}

// The values a `field:value` term compares with, lower-cased.
std::vector<std::string> field_values(const RunInfo& r, const std::string& field) {
  const RunSummary& s = r.summary;
  auto split = [](const std::string& list) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= list.size()) {
      size_t end = list.find(", ", start);
      if (end == std::string::npos) end = list.size();
      out.push_back(lower(list.substr(start, end - start)));
      start = end + 2;
    }
    return out;
  };
  if (field == "rw") return split(s.rw);
  if (field == "bs") return split(s.bs);
  if (field == "iodepth") return split(s.iodepth);
  if (field == "numjobs") return split(s.numjobs);
  if (field == "engine" || field == "ioengine") return split(s.engine);
  if (field == "status") return {run_status_name(s.status)};
  if (field == "tool") return {lower(s.tool)};
  if (field == "job") {
    std::vector<std::string> out;
    for (const auto& n : s.job_names) out.push_back(lower(n));
    return out;
  }
  if (field == "id") return {lower(r.id)};
  if (field == "host") return {lower(s.host)};
  return {};
}

bool known_field(const std::string& f) {
  static const char* kFields[] = {"rw", "bs", "iodepth", "numjobs", "engine", "ioengine", "status", "tool", "job", "id", "host"};
  return std::any_of(std::begin(kFields), std::end(kFields), [&](const char* k) { return f == k; });
}

}  // namespace

const std::vector<SortKey>& sort_keys() {
  static const std::vector<SortKey> keys = {
      {"date", true},       {"id", false},       {"status", false},     {"jobs", false},      {"rw", false},
      {"bs", true},         {"iodepth", true},   {"numjobs", true},     {"engine", false},    {"duration", true},
      {"read_iops", true},  {"read_bw", true},   {"read_p99", true},    {"write_iops", true}, {"write_bw", true},
      {"write_p99", true},  {"tool", false}};
  return keys;
}

bool default_descending(const std::string& key) {
  for (const auto& k : sort_keys()) {
    if (key == k.key) return k.numeric;
  }
  return false;
}

RunQuery parse_run_query(const std::multimap<std::string, std::string>& params, std::optional<size_t> default_limit,
                         size_t max_limit) {
  RunQuery q;
  q.limit = default_limit;
  if (auto v = param(params, "offset")) q.offset = parse_size_param(*v, "offset");
  if (auto v = param(params, "limit")) {
    q.limit = parse_size_param(*v, "limit");
    if (*q.limit == 0 || *q.limit > max_limit) {
      throw QueryError("?limit= must be between 1 and " + std::to_string(max_limit) + ", not " + *v);
    }
  }
  if (auto v = param(params, "sort")) {
    const auto& keys = sort_keys();
    if (std::none_of(keys.begin(), keys.end(), [&](const SortKey& k) { return *v == k.key; })) {
      std::string names;
      for (const auto& k : keys) names += (names.empty() ? "" : ", ") + std::string(k.key);
      throw QueryError("?sort= '" + *v + "' is not one of " + names);
    }
    q.sort = *v;
  }
  q.descending = default_descending(q.sort);
  if (auto v = param(params, "order")) {
    if (*v != "asc" && *v != "desc") throw QueryError("?order= must be asc or desc, not '" + *v + "'");
    q.descending = *v == "desc";
  }
  if (auto v = param(params, "q")) {
    if (v->size() > 1024) throw QueryError("?q= is longer than 1024 characters");
    q.filter = *v;
  }
  return q;
}

bool run_matches(const RunInfo& r, const std::string& filter) {
  std::string hay;  // built on the first plain word only
  size_t pos = 0;
  while (pos < filter.size()) {
    while (pos < filter.size() && std::isspace(static_cast<unsigned char>(filter[pos]))) ++pos;
    size_t end = pos;
    while (end < filter.size() && !std::isspace(static_cast<unsigned char>(filter[end]))) ++end;
    if (end == pos) break;
    const std::string term = lower(filter.substr(pos, end - pos));
    pos = end;
    const size_t colon = term.find(':');
    if (colon != std::string::npos && colon > 0 && known_field(term.substr(0, colon))) {
      const std::string want = term.substr(colon + 1);
      const auto values = field_values(r, term.substr(0, colon));
      const bool substring = term.compare(0, colon, "job") == 0 || term.compare(0, colon, "id") == 0 ||
                             term.compare(0, colon, "host") == 0;
      const bool hit = std::any_of(values.begin(), values.end(), [&](const std::string& v) {
        return substring ? v.find(want) != std::string::npos : v == want;
      });
      if (!hit) return false;
      continue;
    }
    if (hay.empty()) {
      const RunSummary& s = r.summary;
      hay = lower(r.id + "\n" + joined(s.job_names) + "\n" + s.rw + "\n" + s.bs + "\n" + s.engine + "\n" +
                  run_status_name(s.status) + "\n" + s.tool + " " + s.version + "\n" + s.host);
    }
    if (hay.find(term) == std::string::npos) return false;
  }
  return true;
}

RunPage select_runs(const IndexSnapshot& snap, const RunQuery& q) {
  RunPage page;
  page.total = snap.runs.size();
  std::vector<std::pair<Key, const std::shared_ptr<const RunInfo>*>> keyed;
  keyed.reserve(snap.runs.size());
  for (const auto& r : snap.runs) {
    if (!q.filter.empty() && !run_matches(*r, q.filter)) continue;
    keyed.emplace_back(key_of(*r, q.sort), &r);
  }
  page.matched = keyed.size();
  const bool desc = q.descending;
  // The snapshot is newest first: a stable sort keeps that order among equals.
  std::stable_sort(keyed.begin(), keyed.end(), [desc](const auto& a, const auto& b) {
    const Key &x = a.first, &y = b.first;
    if (x.missing != y.missing) return y.missing;
    if (x.missing) return false;
    if (x.num != y.num) return desc ? x.num > y.num : x.num < y.num;
    if (x.text != y.text) return desc ? x.text > y.text : x.text < y.text;
    return false;
  });
  const size_t begin = std::min(q.offset, keyed.size());
  const size_t end = q.limit ? std::min(keyed.size(), begin + *q.limit) : keyed.size();
  page.runs.reserve(end - begin);
  for (size_t i = begin; i < end; ++i) page.runs.push_back(*keyed[i].second);
  return page;
}

std::string render_runs_page_json(const IndexSnapshot& snap, const RunQuery& q) {
  const RunPage page = select_runs(snap, q);
  RunsPageInfo info;
  info.total = page.total;
  info.matched = page.matched;
  info.offset = q.offset;
  if (q.offset + page.runs.size() < page.matched) info.next_offset = q.offset + page.runs.size();
  info.sort = q.sort;
  info.descending = q.descending;
  info.filter = q.filter;
  return render_runs_json(page.runs, &info);
}

std::string query_string(const RunQuery& q, size_t default_limit) {
  std::string out;
  auto add = [&out](const char* k, const std::string& v) {
    out += (out.empty() ? "" : "&") + std::string(k) + "=" + encode_path(v, false);
  };
  if (q.offset) add("offset", std::to_string(q.offset));
  if (q.limit && *q.limit != default_limit) add("limit", std::to_string(*q.limit));
  if (q.sort != "date") add("sort", q.sort);
  if (q.descending != default_descending(q.sort)) add("order", q.descending ? "desc" : "asc");
  if (!q.filter.empty()) add("q", q.filter);
  return out;
}

}  // namespace fiokit::serve
