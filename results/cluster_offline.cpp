// Inputs and printed summary of the offline merge (cluster_offline.hpp).
#include "results/cluster_offline.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "results/json_reader.hpp"
#include "results/normal_writer.hpp"

namespace fiokit::results {
namespace {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

std::string read_whole(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot read {}: {}", p.string(), std::strerror(errno)));
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) throw std::runtime_error(fmt::format("cannot read {}: {}", p.string(), std::strerror(errno)));
  return s.str();
}

std::string trimmed_first_line(const std::string& s) {
  std::string line = s.substr(0, s.find('\n'));
  const auto sp = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!line.empty() && sp(line.back())) line.pop_back();
  size_t b = 0;
  while (b < line.size() && sp(line[b])) ++b;
  return line.substr(b);
}

// A member's name for its dir or file: the dir's name, or the file's stem.
std::string name_of(const fs::path& p, bool is_dir) {
  const fs::path clean = p.lexically_normal();
  const fs::path base = clean.has_filename() ? clean : clean.parent_path();
  if (is_dir) return fs::absolute(base).filename().string();
  if (base.filename() == "results.json") return fs::absolute(base).parent_path().filename().string();
  return base.stem().string();
}

// State from the results themselves: a checkpoint never finished; a job
// error makes fiokit (and a coordinator) call the member failed.
void judge(ClusterMember& m, const std::string& source) {
  RunResult run;
  try {
    run = read_fio_json(m.results_json);
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("{}: {}", source, e.what()));
  }
  m.state = "done";
  if (run.incomplete) {
    m.state = "failed";
    m.exit_code = 1;
    m.error = "results.json is an incomplete checkpoint: the run did not finish";
    return;
  }
  for (const JobResult& j : run.jobs)
    if (j.error != 0) {
      m.state = "failed";
      m.exit_code = 1;
      m.error = fmt::format("job '{}' ended with error {}", j.name, j.error);
      return;
    }
}

MergeInputs read_coordinator_dir(const fs::path& dir) {
  const fs::path cj = dir / "cluster.json";
  const std::string text = read_whole(cj);
  const ojson doc = ojson::parse(text, nullptr, false);
  if (!doc.is_object()) throw std::runtime_error(cj.string() + ": not a JSON object");
  MergeInputs in;
  const auto str = [&](const ojson& o, const char* k) {
    const auto it = o.find(k);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const auto i64 = [&](const ojson& o, const char* k) -> int64_t {
    const auto it = o.find(k);
    return it != o.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
  };
  in.meta.run = str(doc, "run");
  in.meta.size = static_cast<int>(i64(doc, "size"));
  in.meta.start_unix_ns = i64(doc, "start_unix_ns");
  const std::string state = str(doc, "state");
  in.meta.incomplete = state == "joining" || state == "running";
  const auto members = doc.find("members");
  if (members == doc.end() || !members->is_array())
    throw std::runtime_error(cj.string() + ": no \"members\" array");
  for (const ojson& mj : *members) {
    if (!mj.is_object()) throw std::runtime_error(cj.string() + ": a member is not an object");
    ClusterMember m;
    const int64_t index = i64(mj, "index");
    if (index < 0 || index > 1 << 20) throw std::runtime_error(fmt::format("{}: member index {} is out of range", cj.string(), index));
    m.index = static_cast<int>(index);
    m.host = str(mj, "host");
    m.state = str(mj, "state");
    m.exit_code = static_cast<int>(i64(mj, "exit_code"));
    m.error = str(mj, "error");
    m.started_unix_ns = i64(mj, "started_unix_ns");
    const fs::path rj = dir / "hosts" / std::to_string(m.index) / "results.json";
    std::error_code ec;
    if (fs::exists(rj, ec)) {
      m.results_json = read_whole(rj);
      in.sources.push_back(rj.string());
    } else {
      in.sources.emplace_back();
    }
    in.members.push_back(std::move(m));
  }
  return in;
}

}  // namespace

MergeInputs read_merge_inputs(const std::vector<std::string>& paths) {
  if (paths.empty()) throw MergeArgumentError("no RUN_DIR or RESULTS.json to merge");
  MergeInputs in;
  for (size_t i = 0; i < paths.size(); ++i) {
    const fs::path p(paths[i]);
    std::error_code ec;
    const bool is_dir = fs::is_directory(p, ec);
    if (is_dir && fs::exists(p / "cluster.json", ec) && fs::is_directory(p / "hosts", ec)) {
      if (paths.size() != 1)
        throw MergeArgumentError(fmt::format("{} is a coordinator's run dir (cluster.json, hosts/): merge it alone", paths[i]));
      return read_coordinator_dir(p);
    }
    ClusterMember m;
    m.index = static_cast<int>(i);
    const fs::path results = is_dir ? p / "results.json" : p;
    m.results_json = read_whole(results);
    if (is_dir && fs::exists(p / "hostname", ec)) m.host = trimmed_first_line(read_whole(p / "hostname"));
    judge(m, results.string());
    // Else merge_cluster_results takes the host the results name, if any.
    if (m.host.empty()) m.host = cluster_results_host(m.results_json);
    if (m.host.empty()) m.host = name_of(p, is_dir);
    in.sources.push_back(results.string());
    in.members.push_back(std::move(m));
  }
  in.meta.size = static_cast<int>(in.members.size());
  return in;
}

std::string format_merge_summary(const std::string& merged) {
  const ojson doc = ojson::parse(merged, nullptr, false);
  if (!doc.is_object() || !doc.contains("cluster") || !doc["cluster"].is_object())
    throw std::runtime_error("not a merged results.json (no \"cluster\" object)");
  const ojson& c = doc["cluster"];
  std::string out;
  size_t done = 0, failed = 0;
  for (const ojson& m : c.value("members", ojson::array())) {
    const std::string s = m.value("state", std::string());
    if (s == "failed" || s == "missing") ++failed;
    else ++done;
  }
  out += fmt::format("{} members ({} summed, {} failed)", done + failed, done, failed);
  if (c.contains("start_skew_ms") && c["start_skew_ms"].is_number())
    out += fmt::format(", start skew {:.3f} ms", c["start_skew_ms"].get<double>());
  out += "\n";
  for (const ojson& f : c.value("failed", ojson::array()))
    out += fmt::format("failed: member {} (host {}): {}\n", f.value("index", 0), printable(f.value("host", std::string())),
                       printable(f.value("error", std::string())));
  const ojson agg = c.value("aggregate", ojson::object());
  for (auto it = agg.begin(); it != agg.end(); ++it) {
    const ojson& a = it.value();
    out += fmt::format("{}: ({} hosts, {} jobs)\n", printable(it.key()), a.value("hosts", ojson::array()).size(),
                       a.value("jobs", 0));
    for (const char* dir : {"read", "write", "trim", "mixed"}) {
      if (!a.contains(dir) || a[dir].value("total_ios", uint64_t{0}) == 0) continue;
      const ojson& d = a[dir];
      const double bw = d.value("bw_bytes", 0.0);
      out += fmt::format("  {}: IOPS={}, BW={}/s ({}/s)\n", dir, format_fio_number(std::floor(d.value("iops", 0.0)), 4, 1000, ""),
                         format_fio_number(bw, 4, 1024, "B"), format_fio_number(bw, 4, 1000, "B"));
      const ojson sp = d.value("iops_spread", ojson::object());
      out += fmt::format("    iops per host: min={:.2f}, max={:.2f}, avg={:.2f}, stdev={:.2f}\n", sp.value("min", 0.0),
                         sp.value("max", 0.0), sp.value("mean", 0.0), sp.value("stddev", 0.0));
      for (const char* metric : {"clat_ns", "lat_ns"}) {
        const ojson l = d.value(metric, ojson::object());
        if (!l.contains("percentiles_exact")) continue;
        const std::string name = std::string(metric).substr(0, std::string(metric).size() - 3);
        if (!l["percentiles_exact"].get<bool>()) {
          out += fmt::format("    {} percentiles: not exact, no json+ bins from hosts {}\n", name,
                             l.value("bins_missing", ojson::array()).dump());
          continue;
        }
        std::string line;
        for (const auto& [key, value] : l["percentile"].items()) {
          const double p = std::strtod(key.c_str(), nullptr);
          if (p == 50 || p == 99 || p == 99.9)
            line += fmt::format("{}p{}={:.2f}", line.empty() ? "" : ", ", fmt::format("{:g}", p), value.get<double>() / 1000);
        }
        out += fmt::format("    {} (usec, from the merged bins): {}\n", name, line);
      }
    }
  }
  return out;
}

}  // namespace fiokit::results
