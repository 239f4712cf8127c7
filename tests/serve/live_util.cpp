// See live_util.hpp.
#include "live_util.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>
#include <stdexcept>
#include <thread>

#include "serve_util.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace fiokit::servetest {

json real_json_plus(const std::string& work, const std::string& name, int rate_iops) {
  const std::string job = work + "/" + name + ".fio", out = work + "/" + name + ".json";
  write_text(job, "[" + name + "]\nioengine=psync\nrw=randread\nbs=4k\nsize=4m\nfilename=" + work + "/" + name +
                      ".dat\ntime_based\nruntime=300ms\nrate_iops=" + std::to_string(rate_iops) + "\n");
  int rc = -1;
  const auto text = run_capture(std::string(FIOKIT_BIN) + " run --eta=never --output-format=json+ --output " + out +
                                    " " + job + " 2>&1",
                                &rc);
  INFO(text.value_or("(no output)"));
  REQUIRE(rc == 0);
  return json::parse(read_text(out));
}

DocFigures doc_figures(const json& doc, const std::string& job, const std::string& dir) {
  DocFigures f;
  for (const auto& j : doc.at("jobs")) {
    if (j.at("jobname").get<std::string>() != job) continue;
    const auto& d = j.at(dir);
    f.ios += d.at("total_ios").get<uint64_t>();
    f.bytes += d.at("io_bytes").get<uint64_t>();
    f.runtime_ms = std::max(f.runtime_ms, j.at("job_runtime").get<uint64_t>());
    const auto& clat = d.at("clat_ns");
    const uint64_t n = clat.at("N").get<uint64_t>();
    f.lat_count += n;
    f.lat_sum_ns += std::round(clat.at("mean").get<double>() * static_cast<double>(n));
    if (clat.contains("bins"))
      for (const auto& [k, v] : clat.at("bins").items()) f.bins[std::stoull(k)] += v.get<uint64_t>();
  }
  return f;
}

uint64_t doc_runtime_ms(const json& doc) {
  uint64_t r = 0;
  for (const auto& j : doc.at("jobs")) r = std::max(r, j.at("job_runtime").get<uint64_t>());
  return r;
}

uint64_t bins_percentile(const std::map<uint64_t, uint64_t>& bins, double p) {
  uint64_t total = 0;
  for (const auto& [v, n] : bins) total += n;
  if (!total) return 0;
  uint64_t seen = 0;
  for (const auto& [v, n] : bins) {
    seen += n;
    if (static_cast<double>(seen) >= p / 100.0 * static_cast<double>(total)) return v;
  }
  return bins.rbegin()->first;
}

json advanced(json doc, const std::string& dir, uint64_t ios, uint64_t bin_ns, int64_t t_ms) {
  for (auto& j : doc.at("jobs")) {
    auto& d = j.at(dir);
    d["total_ios"] = d.at("total_ios").get<uint64_t>() + ios;
    d["io_bytes"] = d.at("io_bytes").get<uint64_t>() + ios * 4096;
    auto& clat = d.at("clat_ns");
    const auto n = clat.at("N").get<uint64_t>();
    const double sum = clat.at("mean").get<double>() * static_cast<double>(n) + static_cast<double>(ios * bin_ns);
    clat["N"] = n + ios;
    clat["mean"] = sum / static_cast<double>(n + ios);
    auto& bins = clat["bins"];
    const std::string key = std::to_string(bin_ns);
    bins[key] = (bins.contains(key) ? bins[key].get<uint64_t>() : 0) + ios;
    j["job_runtime"] = j.at("job_runtime").get<uint64_t>() + 1000;
  }
  doc["fiokit"]["snapshot_timestamp_ms"] = t_ms;
  return doc;
}

json as_checkpoint(json doc, int64_t t_ms) {
  doc["fiokit"]["incomplete"] = true;
  doc["fiokit"]["snapshot_timestamp_ms"] = t_ms;
  return doc;
}

void write_json_file(const std::string& path, const json& j) {
  // Written aside and renamed, as the writers of these files do.
  const std::string tmp = path + ".tmp";
  write_text(tmp, j.dump());
  fs::rename(tmp, path);
}

void set_age(const std::string& path, int64_t seconds_ago) {
  timespec ts[2];
  ::clock_gettime(CLOCK_REALTIME, &ts[0]);
  ts[0].tv_sec -= seconds_ago;
  ts[1] = ts[0];
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), ts, 0) == 0);
}

json cluster_json(const std::string& run, const std::string& state, const std::vector<Member>& members) {
  json m = json::array();
  for (const auto& x : members)
    m.push_back({{"index", x.index}, {"host", x.host}, {"state", x.state}, {"exit_code", x.exit_code},
                 {"last_seen_ms", 100}, {"started_unix_ns", 0}, {"error", x.error}});
  return {{"run", run}, {"run_dir", "runs/x-" + run}, {"size", members.size()}, {"state", state},
          {"start_unix_ns", 0}, {"members", m}};
}

namespace {

const std::regex kName("[a-zA-Z_:][a-zA-Z0-9_:]*");
const std::regex kLabelName("[a-zA-Z_][a-zA-Z0-9_]*");

double parse_value(const std::string& s, const std::string& where) {
  if (s == "+Inf") return INFINITY;
  if (s == "-Inf") return -INFINITY;
  if (s == "NaN") return NAN;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end || s.find_first_of("xXpP") != std::string::npos || s == "inf" || s == "nan")
    throw std::runtime_error(where + ": bad value '" + s + "'");
  return v;
}

// name{a="x",b="y"} value  ->  sample; throws naming the line.
PromSample parse_sample(const std::string& line, const std::string& where) {
  PromSample s;
  size_t i = line.find_first_of("{ ");
  if (i == std::string::npos) throw std::runtime_error(where + ": no value");
  s.name = line.substr(0, i);
  if (!std::regex_match(s.name, kName)) throw std::runtime_error(where + ": bad metric name '" + s.name + "'");
  if (line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      const size_t eq = line.find('=', i);
      if (eq == std::string::npos) throw std::runtime_error(where + ": label without '='");
      const std::string key = line.substr(i, eq - i);
      if (!std::regex_match(key, kLabelName) || key.rfind("__", 0) == 0)
        throw std::runtime_error(where + ": bad label name '" + key + "'");
      if (eq + 1 >= line.size() || line[eq + 1] != '"') throw std::runtime_error(where + ": label value not quoted");
      std::string value;
      size_t k = eq + 2;
      for (; k < line.size() && line[k] != '"'; ++k) {
        if (line[k] != '\\') {
          value += line[k];
          continue;
        }
        if (++k >= line.size()) throw std::runtime_error(where + ": dangling escape");
        if (line[k] == '\\') value += '\\';
        else if (line[k] == '"') value += '"';
        else if (line[k] == 'n') value += '\n';
        else throw std::runtime_error(where + ": bad escape \\" + std::string(1, line[k]));
      }
      if (k >= line.size()) throw std::runtime_error(where + ": unterminated label value");
      if (!s.labels.emplace(key, value).second) throw std::runtime_error(where + ": label '" + key + "' twice");
      i = k + 1;
      if (i < line.size() && line[i] == ',') ++i;
      else if (i < line.size() && line[i] != '}') throw std::runtime_error(where + ": expected ',' or '}'");
    }
    if (i >= line.size()) throw std::runtime_error(where + ": unterminated label set");
    ++i;
  }
  if (i >= line.size() || line[i] != ' ') throw std::runtime_error(where + ": expected a space before the value");
  const std::string rest = line.substr(i + 1);
  const size_t sp = rest.find(' ');
  s.value = parse_value(rest.substr(0, sp), where);
  if (sp != std::string::npos) {
    const std::string ts = rest.substr(sp + 1);
    if (ts.empty() || ts.find_first_not_of("-0123456789") != std::string::npos)
      throw std::runtime_error(where + ": bad timestamp '" + ts + "'");
  }
  return s;
}

std::string family_of(const std::string& name, const std::map<std::string, std::string>& types) {
  if (types.count(name)) return name;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string sx = suffix;
    if (name.size() > sx.size() && name.compare(name.size() - sx.size(), sx.size(), sx) == 0) {
      const std::string base = name.substr(0, name.size() - sx.size());
      auto it = types.find(base);
      if (it != types.end() && (it->second == "histogram" || (it->second == "summary" && sx != "_bucket"))) return base;
    }
  }
  return name;
}

std::string series_key(const std::string& name, std::map<std::string, std::string> labels, bool drop_le) {
  if (drop_le) labels.erase("le");
  std::string k = name;
  for (const auto& [a, b] : labels) k += "\x1f" + a + "=" + b;
  return k;
}

void check_histograms(const Exposition& e) {
  struct Hist {
    std::vector<std::pair<double, double>> buckets;  // (le, count) in order
    bool has_sum = false, has_count = false;
    double count = 0;
  };
  std::map<std::string, Hist> hists;
  for (const auto& s : e.samples) {
    const std::string fam = family_of(s.name, e.types);
    if (e.types.at(fam) != "histogram") continue;
    Hist& h = hists[series_key(fam, s.labels, true)];
    if (s.name == fam + "_bucket") {
      auto le = s.labels.find("le");
      if (le == s.labels.end()) throw std::runtime_error(s.name + ": bucket without le");
      h.buckets.emplace_back(parse_value(le->second, s.name + " le"), s.value);
    } else if (s.name == fam + "_sum") {
      h.has_sum = true;
    } else if (s.name == fam + "_count") {
      h.has_count = true;
      h.count = s.value;
    } else {
      throw std::runtime_error(s.name + ": not a sample name of histogram " + fam);
    }
  }
  for (const auto& [key, h] : hists) {
    if (h.buckets.empty() || !std::isinf(h.buckets.back().first))
      throw std::runtime_error("histogram " + key + ": no +Inf bucket last");
    for (size_t i = 1; i < h.buckets.size(); ++i) {
      if (!(h.buckets[i].first > h.buckets[i - 1].first)) throw std::runtime_error("histogram " + key + ": le not ascending");
      if (h.buckets[i].second < h.buckets[i - 1].second) throw std::runtime_error("histogram " + key + ": buckets decrease");
    }
    if (!h.has_sum || !h.has_count) throw std::runtime_error("histogram " + key + ": no _sum or _count");
    if (h.count != h.buckets.back().second) throw std::runtime_error("histogram " + key + ": +Inf != _count");
  }
}

}  // namespace

Exposition parse_exposition(const std::string& text) {
  Exposition e;
  if (text.empty() || text.back() != '\n') throw std::runtime_error("the text does not end with a line feed");
  std::set<std::string> seen_families, seen_series;
  std::string current;
  size_t lineno = 0;
  for (size_t pos = 0; pos < text.size();) {
    const size_t nl = text.find('\n', pos);
    const std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    const std::string where = "line " + std::to_string(++lineno) + " '" + line + "'";
    if (line.empty()) throw std::runtime_error(where + ": empty line");
    if (line[0] == '#') {
      static const std::regex help("# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) ((?:[^\\\\]|\\\\[\\\\n])*)");
      static const std::regex type("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)");
      std::smatch m;
      if (std::regex_match(line, m, help)) {
        if (!e.helps.emplace(m[1], m[2]).second) throw std::runtime_error(where + ": HELP twice");
      } else if (std::regex_match(line, m, type)) {
        if (seen_families.count(m[1])) throw std::runtime_error(where + ": TYPE after samples of the family");
        if (!e.types.emplace(m[1], m[2]).second) throw std::runtime_error(where + ": TYPE twice");
      } else {
        throw std::runtime_error(where + ": not a HELP or TYPE line");
      }
      continue;
    }
    PromSample s = parse_sample(line, where);
    const std::string fam = family_of(s.name, e.types);
    if (!e.types.count(fam)) throw std::runtime_error(where + ": sample without a TYPE");
    if (fam != current) {
      if (seen_families.count(fam)) throw std::runtime_error(where + ": family " + fam + " split in two");
      seen_families.insert(fam);
      current = fam;
    }
    if (s.labels.count("le") && s.name != fam + "_bucket") throw std::runtime_error(where + ": le outside a bucket");
    if (!seen_series.insert(series_key(s.name, s.labels, false)).second)
      throw std::runtime_error(where + ": series twice");
    e.samples.push_back(std::move(s));
  }
  check_histograms(e);
  return e;
}

std::vector<const PromSample*> find_samples(const Exposition& e, const std::string& name,
                                            const std::map<std::string, std::string>& want) {
  std::vector<const PromSample*> out;
  for (const auto& s : e.samples) {
    if (s.name != name) continue;
    bool ok = true;
    for (const auto& [k, v] : want) {
      auto it = s.labels.find(k);
      ok = ok && it != s.labels.end() && it->second == v;
    }
    if (ok) out.push_back(&s);
  }
  return out;
}

pid_t spawn_fiokit_run(const std::vector<std::string>& args) {
  // Everything allocated before fork: the child of a process with server
  // threads may only call async-signal-safe functions before execv (another
  // thread may hold malloc's lock at the fork).
  std::vector<std::string> copy = {FIOKIT_BIN, "run"};
  copy.insert(copy.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

std::string wait_run_dir(const std::string& data, int seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(data + "/runs", ec))
      if (fs::exists(e.path() / "results.json")) return e.path().filename().string();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return "";
}

}  // namespace fiokit::servetest
