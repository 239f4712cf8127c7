// See local_server.hpp.
#include "local_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

namespace fiokit::test {

LocalServer::LocalServer(const std::string& addr) : addr_(addr) {
  srv_.set_pre_routing_handler([this](const httplib::Request&, httplib::Response&) {
    ++hits;
    return httplib::Server::HandlerResponse::Unhandled;
  });
  srv_.Get("/jobs/job.fio", [](const httplib::Request&, httplib::Response& res) { res.set_content(kJob, "text/plain"); });
  srv_.Get("/big.fio", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(2 << 20, '#'), "text/plain");
  });
  srv_.Get("/big-chunked.fio", [](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/plain", [](size_t offset, httplib::DataSink& sink) {
      if (offset >= (2u << 20)) {
        sink.done();
        return true;
      }
      const std::string chunk(64 << 10, '#');
      return sink.write(chunk.data(), chunk.size());
    });
  });
  srv_.Get("/loop/a.fio", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/loop/b.fio"); });
  srv_.Get("/loop/b.fio", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/loop/a.fio"); });
  srv_.Get(R"(/chain/(\d+)/job.fio)", [](const httplib::Request& req, httplib::Response& res) {
    const int n = std::stoi(req.matches[1]);
    if (n >= 10) res.set_content(kJob, "text/plain");
    else res.set_redirect("/chain/" + std::to_string(n + 1) + "/job.fio");
  });
  srv_.Get("/moved/renamed.fio", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("other/job.fio", 301); });
  srv_.Get("/moved/other/job.fio", [](const httplib::Request&, httplib::Response& res) { res.set_content(kJob, "text/plain"); });
  srv_.Get("/to-ftp.fio", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("ftp://127.0.0.1/job.fio"); });
  srv_.Get("/flaky.fio", [this](const httplib::Request&, httplib::Response& res) {
    if (++flaky_hits == 1) res.status = 503;
    else res.set_content(kJob, "text/plain");
  });
  srv_.Get("/always-503.fio", [](const httplib::Request&, httplib::Response& res) { res.status = 503; });
  srv_.Get(R"(/dl/.*)", [](const httplib::Request&, httplib::Response& res) { res.set_content(kJob, "text/plain"); });
  srv_.Get("/slow.fio", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    res.set_content(kJob, "text/plain");
  });
  srv_.Get(R"(/files/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(req.matches[1]);
    if (it == files_.end()) res.status = 404;
    else res.set_content(it->second, "text/plain");
  });
  srv_.Get(R"(/r/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = redirects_.find(req.matches[1]);
    if (it == redirects_.end()) res.status = 404;
    else res.set_redirect(it->second);
  });
  port_ = srv_.bind_to_any_port(addr_);
  if (port_ <= 0) throw std::runtime_error("local test server: bind failed");
  thread_ = std::thread([this] { srv_.listen_after_bind(); });
  for (int i = 0; i < 500 && !srv_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
}

LocalServer::~LocalServer() {
  srv_.stop();
  thread_.join();
}

std::string LocalServer::url(const std::string& path) const { return "http://" + addr_ + ":" + std::to_string(port_) + path; }

void LocalServer::redirect(const std::string& name, const std::string& location) {
  std::lock_guard<std::mutex> lock(mu_);
  redirects_[name] = location;
}

void LocalServer::put(const std::string& name, const std::string& text) {
  std::lock_guard<std::mutex> lock(mu_);
  files_[name] = text;
}

int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("closed_port: bind failed");
  const int port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

}  // namespace fiokit::test
