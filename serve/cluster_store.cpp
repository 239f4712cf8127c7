// A cluster run's plain data, JSON form and cluster.json (cluster_store.hpp).
#include "serve/cluster_store.hpp"

#include <dirent.h>
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "results/run_dir.hpp"

namespace fiokit::serve::cluster {

namespace {

using nlohmann::ordered_json;

bool name_char(char c, bool plus) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-' || (plus && c == '+');
}

template <class T>
T get_key(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end()) throw std::runtime_error(fmt::format("missing \"{}\"", key));
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error(fmt::format("bad \"{}\"", key));
  }
}

}  // namespace

bool valid_run_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 &&
         std::all_of(name.begin(), name.end(), [](char c) { return name_char(c, false); });
}

std::string check_member_path(std::string_view path) {
  if (path.empty()) return "empty";
  if (path.front() == '/') return "must be relative";
  size_t depth = 0;
  for (size_t pos = 0; pos <= path.size();) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view comp = path.substr(pos, end - pos);
    if (++depth > 6) return "more than 6 components";
    if (comp.empty()) return "empty component";
    if (comp.size() > 128) return "a component longer than 128 characters";
    if (comp.front() == '.') return fmt::format("component '{}' starts with '.'", comp);
    if (!std::all_of(comp.begin(), comp.end(), [](char c) { return name_char(c, true); }))
      return "only A-Z a-z 0-9 . _ + - in a component";
    pos = end + 1;
  }
  // An upload is received as NAME.part and renamed: NAME.part itself would
  // be written over while NAME arrives.
  if (path.size() >= 5 && path.substr(path.size() - 5) == ".part") return "must not end in .part";
  return {};
}

int parse_index(std::string_view text) {
  if (text.empty() || text.size() > 4 || text.find_first_not_of("0123456789") != std::string_view::npos) return -1;
  return std::stoi(std::string(text));
}

std::string run_to_json(const Run& r) {
  ordered_json members = ordered_json::array();
  for (const Member& m : r.members) {
    members.push_back({{"index", m.index},
                       {"host", m.host},
                       {"state", m.state},
                       {"exit_code", m.exit_code},
                       {"last_seen_ms", m.last_seen_ms},
                       {"started_unix_ns", m.started_unix_ns},
                       {"error", m.error}});
  }
  const ordered_json j = {{"run", r.run},
                          {"run_dir", r.run_dir},
                          {"size", r.size},
                          {"state", r.state},
                          {"start_unix_ns", r.start_unix_ns},
                          {"created_unix_ns", r.created_unix_ns},
                          {"ended_unix_ns", r.ended_unix_ns},
                          {"job_sha256", r.job_sha256},
                          {"error", r.error},
                          {"finalised", r.finalised},
                          {"members", members}};
  return j.dump(2) + "\n";
}

Run run_from_json(std::string_view text) {
  const nlohmann::json j = nlohmann::json::parse(text.begin(), text.end());
  if (!j.is_object()) throw std::runtime_error("not a JSON object");
  Run r;
  r.run = get_key<std::string>(j, "run");
  r.run_dir = get_key<std::string>(j, "run_dir");
  r.size = get_key<int>(j, "size");
  r.state = get_key<std::string>(j, "state");
  r.start_unix_ns = get_key<int64_t>(j, "start_unix_ns");
  r.created_unix_ns = get_key<int64_t>(j, "created_unix_ns");
  r.ended_unix_ns = get_key<int64_t>(j, "ended_unix_ns");
  r.job_sha256 = get_key<std::string>(j, "job_sha256");
  r.error = get_key<std::string>(j, "error");
  r.finalised = get_key<bool>(j, "finalised");
  if (!valid_run_name(r.run)) throw std::runtime_error("bad \"run\"");
  if (r.size < 1 || r.size > 1024) throw std::runtime_error("bad \"size\"");
  const auto members = j.find("members");
  if (members == j.end() || !members->is_array() || members->size() != static_cast<size_t>(r.size))
    throw std::runtime_error("\"members\" must list every index");
  for (const auto& mj : *members) {
    Member m;
    m.index = get_key<int>(mj, "index");
    m.host = get_key<std::string>(mj, "host");
    m.state = get_key<std::string>(mj, "state");
    m.exit_code = get_key<int>(mj, "exit_code");
    m.last_seen_ms = get_key<int64_t>(mj, "last_seen_ms");
    m.started_unix_ns = get_key<int64_t>(mj, "started_unix_ns");
    m.error = get_key<std::string>(mj, "error");
    if (m.index != static_cast<int>(r.members.size())) throw std::runtime_error("members out of index order");
    r.members.push_back(std::move(m));
  }
  return r;
}

void save_run(const std::string& data_dir, const Run& r) {
  results::write_file_atomic(data_dir + "/" + r.run_dir, "cluster.json", run_to_json(r));
}

std::vector<Run> load_runs(const std::string& data_dir) {
  std::vector<Run> out;
  const std::string runs = data_dir + "/runs";
  DIR* d = ::opendir(runs.c_str());
  if (!d) return out;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.empty() || name[0] == '.') continue;
    const std::string file = runs + "/" + name + "/cluster.json";
    std::ifstream in(file);
    if (!in) continue;
    std::stringstream ss;
    ss << in.rdbuf();
    try {
      Run r = run_from_json(ss.str());
      if (r.run_dir != "runs/" + name) throw std::runtime_error("\"run_dir\" is not this directory");
      out.push_back(std::move(r));
    } catch (const std::exception& ex) {
      fmt::print(stderr, "fiokit serve: {}: not a cluster run, left alone: {}\n", file, ex.what());
    }
  }
  ::closedir(d);
  std::sort(out.begin(), out.end(), [](const Run& a, const Run& b) { return a.created_unix_ns < b.created_unix_ns; });
  return out;
}

}  // namespace fiokit::serve::cluster
