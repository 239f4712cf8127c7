// Helpers for the coordinator tests (test_cluster*.cpp): a real `fiokit
// serve` coordinator on 127.0.0.1 (in process through Server::start(), or the
// shipped binary for kill -9), an httplib client carrying the bearer token,
// and the members' requests of docs/cluster-protocol.md.
#pragma once
#include <httplib.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "serve/server.hpp"

namespace fiokit::clustertest {

// The whole file, "" when it cannot be read.
std::string read_file(const std::string& p);

inline const std::string kToken = "test-token-0123456789abcdef";

// A coordinator on an ephemeral port; short timeouts so no case waits long.
struct Coord {
  std::unique_ptr<serve::Server> server;
  int port = 0;
  explicit Coord(const std::string& dir, serve::ClusterOptions c);
  ~Coord();
};
serve::ClusterOptions quick_options(std::chrono::milliseconds timeout = std::chrono::seconds(20));

// A client of 127.0.0.1:port with "Authorization: Bearer token" (none when empty).
std::unique_ptr<httplib::Client> client(int port, const std::string& token = kToken);

httplib::Result join(httplib::Client& c, const std::string& run, int index, int size, const std::string& host,
                     const std::string& sha = "ab12");
httplib::Result put_file(httplib::Client& c, const std::string& run, int index, const std::string& path,
                         const std::string& body);
httplib::Result post_done(httplib::Client& c, const std::string& run, int index, int exit_code,
                          const std::vector<std::pair<std::string, uint64_t>>& files, int64_t started_ns = 0);
// A member's results.json (fiokit json+) with one job named `job`.
std::string member_results(const std::string& job, int64_t ts);
// The JSON body of an answer; a null value when it is not JSON.
nlohmann::json body_of(const httplib::Result& r);
// GET /api/cluster/RUN until pred(state) holds or `limit` passes; the last state.
nlohmann::json wait_state(httplib::Client& c, const std::string& run, std::chrono::milliseconds limit,
                          const std::function<bool(const nlohmann::json&)>& pred);
// Every file under dir, relative paths, sorted.
std::vector<std::string> files_under(const std::string& dir);

}  // namespace fiokit::clustertest
