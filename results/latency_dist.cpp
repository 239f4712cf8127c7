// Latency distributions from json+ bins and write_hist_log files (see
// latency_dist.hpp): bin geometry, fio's percentile rule, the json+ reader
// and a streaming hist log reader with time windows in bounded memory.
#include "results/latency_dist.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include <nlohmann/json.hpp>

#include "results/log_reader.hpp"
#include "results/run_result.hpp"

namespace fiokit::results {

namespace {

using H = LatencyHistogram;

// Bounds of a full-resolution bin, from the layout in histogram.hpp.
uint64_t full_low(size_t idx) {
  if (idx < (H::kVal << 1)) return idx;
  const int error_bits = static_cast<int>(idx >> H::kBits) - 1;
  return (uint64_t{1} << (error_bits + H::kBits)) + (idx % H::kVal) * (uint64_t{1} << error_bits);
}
uint64_t full_width(size_t idx) {
  if (idx < (H::kVal << 1)) return 1;
  return uint64_t{1} << ((idx >> H::kBits) - 1);
}

}  // namespace

LatencyDist LatencyDist::empty(int coarseness) {
  LatencyDist d;
  d.coarseness = std::clamp(coarseness, 0, 6);
  d.counts.assign(H::kBins >> d.coarseness, 0);
  return d;
}

uint64_t LatencyDist::total() const {
  uint64_t n = 0;
  for (uint64_t c : counts) n += c;
  return n;
}

LatencyDist LatencyDist::coarsened(int c) const {
  if (c < coarseness) throw std::invalid_argument("cannot split merged latency bins");
  LatencyDist out = empty(c);
  const int shift = out.coarseness - coarseness;
  for (size_t i = 0; i < counts.size(); ++i) out.counts[std::min(i >> shift, out.counts.size() - 1)] += counts[i];
  return out;
}

void LatencyDist::add(const LatencyDist& o) {
  if (counts.empty()) *this = empty(coarseness);
  if (o.coarseness == coarseness) {
    for (size_t i = 0; i < counts.size() && i < o.counts.size(); ++i) counts[i] += o.counts[i];
    return;
  }
  const LatencyDist merged = o.coarsened(coarseness);
  for (size_t i = 0; i < counts.size(); ++i) counts[i] += merged.counts[i];
}

uint64_t dist_bin_low(size_t i, int coarseness) { return full_low(i << coarseness); }

uint64_t dist_bin_high(size_t i, int coarseness) {
  const size_t last = ((i + 1) << coarseness) - 1;
  return full_low(last) + full_width(last);
}

uint64_t dist_bin_value(size_t i, int coarseness) {
  if (coarseness == 0) return H::value_of(i);
  return dist_bin_low(i, coarseness) + (dist_bin_high(i, coarseness) - dist_bin_low(i, coarseness)) / 2;
}

uint64_t dist_percentile(const LatencyDist& d, double p) {
  const uint64_t n = d.total();
  if (n == 0) return 0;
  // fio compares the running sum with p/100 * N in floating point; so do we,
  // so p99.99 of 12345 samples picks the same bin fio picks.
  const double want = p / 100.0 * static_cast<double>(n);
  uint64_t seen = 0;
  size_t last_nonzero = 0;
  for (size_t i = 0; i < d.counts.size(); ++i) {
    if (!d.counts[i]) continue;
    seen += d.counts[i];
    last_nonzero = i;
    if (static_cast<double>(seen) >= want) return dist_bin_value(i, d.coarseness);
  }
  return dist_bin_value(last_nonzero, d.coarseness);
}

std::string track_label(const DistTrack& t, bool numbered) {
  if (t.total) return "total (" + std::to_string(t.members) + " jobs)";
  std::string s = t.job.empty() ? "job" : t.job;
  if (numbered && t.job_number > 0) s += " (job " + std::to_string(t.job_number) + ")";
  return s;
}

std::vector<DistTrack> read_json_plus_dists(std::string_view text) {
  // The last complete document: fio prints one per --status-interval.
  nlohmann::json doc;
  bool found = false;
  size_t pos = text.find('{');
  if (pos == std::string_view::npos) throw std::runtime_error("no JSON object in the results");
  std::istringstream in{std::string(text.substr(pos))};
  while (in >> std::ws && in.peek() == '{') {
    nlohmann::json one;
    try {
      in >> one;
    } catch (const nlohmann::json::exception& e) {
      if (!found) throw std::runtime_error(std::string("results are not JSON: ") + e.what());
      break;  // a truncated last document (a snapshot being written): keep the previous one
    }
    doc = std::move(one);
    found = true;
  }
  if (!found || !doc.is_object()) throw std::runtime_error("results are not a JSON object");
  std::vector<DistTrack> out;
  const auto jobs = doc.find("jobs");
  if (jobs == doc.end() || !jobs->is_array()) return out;
  int number = 0;
  for (const auto& job : *jobs) {
    ++number;
    if (!job.is_object()) continue;
    const std::string name = job.value("jobname", std::string());
    for (int d = 0; d < 3; ++d) {
      const auto dir = job.find(kDirNames[d]);
      if (dir == job.end() || !dir->is_object()) continue;
      for (const char* metric : {"clat", "lat", "slat"}) {
        const auto lat = dir->find(std::string(metric) + "_ns");
        if (lat == dir->end() || !lat->is_object()) continue;
        const auto bins = lat->find("bins");
        if (bins == lat->end() || !bins->is_object() || bins->empty()) continue;
        DistTrack t;
        t.job = name;
        t.job_number = number;
        t.ddir = d;
        t.metric = metric;
        t.dist = LatencyDist::empty(0);
        for (const auto& [key, value] : bins->items()) {
          uint64_t ns = 0;
          const auto r = std::from_chars(key.data(), key.data() + key.size(), ns);
          if (r.ec != std::errc() || r.ptr != key.data() + key.size() || !value.is_number_unsigned())
            throw std::runtime_error("job '" + name + "' " + kDirNames[d] + " " + metric +
                                     "_ns bins: '" + key + "' is not 'nanoseconds: count'");
          t.dist.counts[H::index_of(ns)] += value.template get<uint64_t>();
        }
        if (const auto pct = lat->find("percentile"); pct != lat->end() && pct->is_object())
          for (const auto& [key, value] : pct->items())
            if (value.is_number()) t.reported.emplace_back(std::strtod(key.c_str(), nullptr), value.template get<uint64_t>());
        out.push_back(std::move(t));
      }
    }
  }
  return out;
}

std::vector<DistTrack> sum_tracks(const std::vector<DistTrack>& tracks) {
  std::map<std::pair<std::string, int>, DistTrack> sums;
  std::vector<std::pair<std::string, int>> order;
  for (const DistTrack& t : tracks) {
    if (t.total) continue;
    const auto key = std::make_pair(t.metric, t.ddir);
    auto it = sums.find(key);
    if (it == sums.end()) {
      DistTrack s;
      s.job = "total";
      s.ddir = t.ddir;
      s.metric = t.metric;
      s.total = true;
      s.members = 0;
      s.dist = LatencyDist::empty(t.dist.coarseness);
      it = sums.emplace(key, std::move(s)).first;
      order.push_back(key);
    }
    DistTrack& s = it->second;
    // Mixed coarseness (hist logs written with different settings): sum at the coarsest.
    if (t.dist.coarseness > s.dist.coarseness) s.dist = s.dist.coarsened(t.dist.coarseness);
    s.dist.add(t.dist);
    ++s.members;
  }
  std::vector<DistTrack> out;
  for (const auto& key : order)
    if (sums[key].members > 1) out.push_back(std::move(sums[key]));
  return out;
}

std::optional<HistLogName> parse_hist_log_name(std::string_view path) {
  const size_t slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (!base.ends_with(".log")) return std::nullopt;
  base.remove_suffix(4);
  HistLogName n;
  const size_t dot = base.rfind('.');
  if (dot != std::string_view::npos && dot + 1 < base.size()) {
    const std::string_view num = base.substr(dot + 1);
    int v = 0;
    const auto r = std::from_chars(num.data(), num.data() + num.size(), v);
    if (r.ec == std::errc() && r.ptr == num.data() + num.size() && v > 0) {
      n.job_number = v;
      base = base.substr(0, dot);
    }
  }
  constexpr std::string_view kSuffix = "_clat_hist";
  if (!base.ends_with(kSuffix)) return std::nullopt;
  n.prefix = std::string(base.substr(0, base.size() - kSuffix.size()));
  return n;
}

namespace {

// Bounds on one hist-log line, so that memory stays that of one real row
// whatever the file holds (a 60 MB line of "0," with no newline used to peak
// at ~6x the file): the widest real row is 1859 fields, under 64 KiB of text.
constexpr size_t kMaxHistFields = 1859 + 3;
constexpr size_t kMaxHistLine = 1u << 20;

// Parses one line into `fields`; false with `why` set when it is not a row of
// unsigned integers separated by commas (spaces allowed).
bool split_row(std::string_view line, std::vector<uint64_t>& fields, std::string& why) {
  fields.clear();
  size_t i = 0;
  while (true) {
    // The widest row fio writes is time, ddir, bs and 1856 bins: stop well
    // before a row of millions of fields fills `fields` (8 bytes each).
    if (fields.size() >= kMaxHistFields) {
      why = "more than " + std::to_string(kMaxHistFields) + " fields (fio writes at most 1859)";
      return false;
    }
    while (i < line.size() && line[i] == ' ') ++i;
    uint64_t v = 0;
    const auto r = std::from_chars(line.data() + i, line.data() + line.size(), v);
    if (r.ec != std::errc()) {
      why = "field " + std::to_string(fields.size() + 1) + " is not an unsigned integer";
      return false;
    }
    fields.push_back(v);
    i = static_cast<size_t>(r.ptr - line.data());
    while (i < line.size() && line[i] == ' ') ++i;
    if (i == line.size()) return true;
    if (line[i] != ',') {
      why = "unexpected '" + std::string(1, line[i]) + "' after field " + std::to_string(fields.size());
      return false;
    }
    ++i;
  }
}

int coarseness_of(size_t bins) {
  for (int c = 0; c <= 6; ++c)
    if ((H::kBins >> c) == bins && (H::kBins % (size_t{1} << c)) == 0) return c;
  return -1;
}

}  // namespace

int scan_hist_fd(int fd, const std::string& path, const std::function<void(const HistRow&)>& on_row) {
  std::string buf, line;
  std::vector<uint64_t> fields;
  std::string why;
  size_t lineno = 0;
  int coarseness = -1;
  size_t bins = 0;
  char chunk[1 << 16];
  bool eof = false;
  size_t start = 0;
  while (!eof || start < buf.size()) {
    size_t nl = buf.find('\n', start);
    if (nl == std::string::npos && buf.size() - start > kMaxHistLine)
      throw LogParseError(path, lineno + 1, "line longer than " + std::to_string(kMaxHistLine >> 20) + " MiB");
    if (nl == std::string::npos && !eof) {
      buf.erase(0, start);
      start = 0;
      const ssize_t n = ::read(fd, chunk, sizeof chunk);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw std::system_error(errno, std::generic_category(), "cannot read " + path);
      }
      if (n == 0) eof = true;
      else buf.append(chunk, static_cast<size_t>(n));
      continue;
    }
    if (nl == std::string::npos) nl = buf.size();
    std::string_view l(buf.data() + start, nl - start);
    start = nl + 1;
    ++lineno;
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (!split_row(l, fields, why)) throw LogParseError(path, lineno, why);
    if (fields.size() < 4) throw LogParseError(path, lineno, "a hist log row is 'time, ddir, bs, counts...'");
    const size_t n = fields.size() - 3;
    if (coarseness < 0) {
      coarseness = coarseness_of(n);
      if (coarseness < 0)
        throw LogParseError(path, lineno,
                            std::to_string(n) + " histogram columns: fio 3.33 writes 1856 >> log_hist_coarseness (1856, 928, "
                            "464, 232, 116, 58 or 29)" + (n % 19 == 0 ? "; fio before 2.99 wrote microsecond bins, not read" : ""));
      bins = n;
    } else if (n != bins) {
      throw LogParseError(path, lineno, std::to_string(n) + " histogram columns where the first row has " + std::to_string(bins));
    }
    if (fields[1] > 2) throw LogParseError(path, lineno, "direction " + std::to_string(fields[1]) + " is not 0, 1 or 2");
    on_row(HistRow{fields[0], static_cast<int>(fields[1]), fields[2], fields.data() + 3, n});
  }
  return coarseness < 0 ? 0 : coarseness;
}

int scan_hist_log(const std::string& path, const std::function<void(const HistRow&)>& on_row) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + path);
  try {
    const int c = scan_hist_fd(fd, path, on_row);
    ::close(fd);
    return c;
  } catch (...) {
    ::close(fd);
    throw;
  }
}

HistAggregator::HistAggregator(uint64_t interval_ms, size_t max_windows)
    : interval_(interval_ms), max_windows_(std::max<size_t>(max_windows, 2)) {}

const HistAggregator::FileDists& HistAggregator::add_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + path);
  try {
    const auto& f = add_fd(fd, path);
    ::close(fd);
    return f;
  } catch (...) {
    ::close(fd);
    throw;
  }
}

namespace {

// The spacing of the rows of the direction with the most rows, rounded to
// 10 ms; false while no direction has `need` rows. Rows are written at the
// first completion after each log_hist_msec mark, so a row is late by however
// long that completion took, and on a loaded machine (a sanitizer build, two
// jobs on two busy cores) single gaps of 100 ms rows read 110-130 and the
// next one short. The slope through the rows (the median over pairs of
// (t_j - t_i) / (j - i), Theil-Sen) is the spacing of the marks: a late row
// moves only the pairs that end on it, by its lateness over j - i.
template <typename Rows>
bool median_gap(const Rows& rows, size_t need, uint64_t& out) {
  for (int d = 0; d < 3; ++d) {
    std::vector<uint64_t> times;
    for (const auto& p : rows)
      if (p.ddir == d && (times.empty() || p.t > times.back())) times.push_back(p.t);
    if (times.size() < need || times.size() < 2) continue;
    std::vector<double> slopes;
    for (size_t i = 0; i < times.size(); ++i)
      for (size_t j = i + 1; j < times.size(); ++j)
        slopes.push_back(static_cast<double>(times[j] - times[i]) / static_cast<double>(j - i));
    std::nth_element(slopes.begin(), slopes.begin() + static_cast<std::ptrdiff_t>(slopes.size() / 2), slopes.end());
    const auto g = static_cast<uint64_t>(std::llround(slopes[slopes.size() / 2]));
    out = std::max<uint64_t>(1, g >= 20 ? (g + 5) / 10 * 10 : g);
    return true;
  }
  return false;
}

}  // namespace

const HistAggregator::FileDists& HistAggregator::add_fd(int fd, const std::string& path) {
  FileDists f;
  f.path = path;
  if (auto n = parse_hist_log_name(path)) f.name = *n;
  // Rows are held back only until the interval is known (the first rows of
  // the first file, when it was not given).
  struct Pending {
    uint64_t t;
    int ddir;
    std::vector<uint64_t> counts;
  };
  std::vector<Pending> pending;
  int file_c = -1;
  auto detect_interval = [&](const std::vector<Pending>& rows, size_t need) { return median_gap(rows, need, interval_); };
  auto place = [&](const HistRow& r) {
    LatencyDist& d = f.by_dir[static_cast<size_t>(r.ddir)]
                         ? *f.by_dir[static_cast<size_t>(r.ddir)]
                         : f.by_dir[static_cast<size_t>(r.ddir)].emplace(LatencyDist::empty(coarseness_));
    for (size_t i = 0; i < r.bins; ++i) d.counts[i] += r.counts[i];
    add_row(r);
  };
  auto flush = [&] {
    for (const Pending& p : pending) place(HistRow{p.t, p.ddir, 0, p.counts.data(), p.counts.size()});
    pending.clear();
  };
  scan_hist_fd(fd, path, [&](const HistRow& r) {
    if (file_c < 0) {
      file_c = coarseness_of(r.bins);
      if (coarseness_ < 0) coarseness_ = file_c;
      else if (file_c != coarseness_)
        throw std::runtime_error(path + ": log_hist_coarseness " + std::to_string(file_c) +
                                 " differs from the first hist log's (" + std::to_string(coarseness_) + ")");
    }
    ++f.rows;
    if (interval_ == 0) {
      pending.push_back({r.time_ms, r.ddir, std::vector<uint64_t>(r.counts, r.counts + r.bins)});
      // fio writes each row at the first completion after log_hist_msec, so
      // single gaps jitter (108, 90, 102 ms for 100): take the median of 8.
      if (!detect_interval(pending, 9)) return;
      flush();
      return;
    }
    place(r);
  });
  if (!pending.empty()) {
    if (!detect_interval(pending, 2)) interval_ = 1000;  // one row per direction: any width shows it
    flush();
  }
  files_.push_back(std::move(f));
  return files_.back();
}

void HistAggregator::add_row(const HistRow& r) {
  uint64_t idx = (r.time_ms + 10) / interval_;
  auto& ws = windows_[static_cast<size_t>(r.ddir)];
  auto it = std::lower_bound(ws.begin(), ws.end(), idx, [](const auto& w, uint64_t i) { return w.first < i; });
  if (it == ws.end() || it->first != idx) {
    it = ws.insert(it, {idx, LatencyDist::empty(coarseness_)});
  }
  for (size_t i = 0; i < r.bins; ++i) it->second.counts[i] += r.counts[i];
  bool over = false;
  for (const auto& w : windows_) over = over || w.size() > max_windows_;
  if (over) halve_resolution();
}

void HistAggregator::halve_resolution() {
  interval_ *= 2;
  for (auto& ws : windows_) {
    std::vector<std::pair<uint64_t, LatencyDist>> merged;
    for (auto& [idx, d] : ws) {
      // (t + 10) / (2w) == ((t + 10) / w) / 2: windows stay aligned as they merge.
      if (!merged.empty() && merged.back().first == idx / 2) merged.back().second.add(d);
      else merged.emplace_back(idx / 2, std::move(d));
    }
    ws = std::move(merged);
  }
}

std::vector<HistAggregator::Window> HistAggregator::windows(int ddir) const {
  std::vector<Window> out;
  for (const auto& [idx, d] : windows_[static_cast<size_t>(std::clamp(ddir, 0, 2))])
    out.push_back({idx * interval_, (idx + 1) * interval_, d});
  return out;
}

}  // namespace fiokit::results
