// Helpers for the coordinator tests (cluster_util.hpp).
#include "cluster_util.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "results/json_writer.hpp"
#include "serve_util.hpp"

namespace fiokit::clustertest {

std::string read_file(const std::string& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

serve::ClusterOptions quick_options(std::chrono::milliseconds timeout) {
  serve::ClusterOptions c;
  c.token = kToken;
  c.timeout = timeout;
  c.tick = std::chrono::milliseconds(20);
  c.live_refresh = std::chrono::milliseconds(50);
  return c;
}

Coord::Coord(const std::string& dir, serve::ClusterOptions c) {
  serve::ServeOptions opt;
  opt.dir = dir;
  opt.port = 0;
  opt.refresh = std::chrono::milliseconds(0);
  opt.cluster = std::move(c);
  server = std::make_unique<serve::Server>(opt);
  port = server->start();
}

Coord::~Coord() { server->stop(); }

std::unique_ptr<httplib::Client> client(int port, const std::string& token) {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
  c->set_connection_timeout(5);
  c->set_read_timeout(10);
  if (!token.empty()) c->set_default_headers({{"Authorization", "Bearer " + token}});
  return c;
}

httplib::Result join(httplib::Client& c, const std::string& run, int index, int size, const std::string& host,
                     const std::string& sha) {
  const nlohmann::json body = {{"index", index}, {"size", size}, {"host", host}, {"job_sha256", sha}};
  return c.Post(("/api/cluster/" + run + "/join").c_str(), body.dump(), "application/json");
}

httplib::Result put_file(httplib::Client& c, const std::string& run, int index, const std::string& path,
                         const std::string& body) {
  return c.Put(("/api/cluster/" + run + "/hosts/" + std::to_string(index) + "/files/" + path).c_str(), body,
               "application/octet-stream");
}

httplib::Result post_done(httplib::Client& c, const std::string& run, int index, int exit_code,
                          const std::vector<std::pair<std::string, uint64_t>>& files, int64_t started_ns) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [p, s] : files) list.push_back({{"path", p}, {"size", s}});
  const nlohmann::json body = {{"exit_code", exit_code}, {"started_unix_ns", started_ns}, {"files", list}};
  return c.Post(("/api/cluster/" + run + "/done?index=" + std::to_string(index)).c_str(), body.dump(),
                "application/json");
}

std::string member_results(const std::string& job, int64_t ts) {
  return results::write_json(servetest::make_result({job}, ts), true);
}

nlohmann::json body_of(const httplib::Result& r) {
  if (!r) return nullptr;
  return nlohmann::json::parse(r->body, nullptr, false);
}

nlohmann::json wait_state(httplib::Client& c, const std::string& run, std::chrono::milliseconds limit,
                          const std::function<bool(const nlohmann::json&)>& pred) {
  const auto until = std::chrono::steady_clock::now() + limit;
  nlohmann::json j;
  for (;;) {
    j = body_of(c.Get(("/api/cluster/" + run).c_str()));
    if ((j.is_object() && pred(j)) || std::chrono::steady_clock::now() > until) return j;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::vector<std::string> files_under(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec); !ec && it != decltype(it)(); it.increment(ec)) {
    if (it->is_regular_file()) out.push_back(std::filesystem::relative(it->path(), dir).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace fiokit::clustertest
