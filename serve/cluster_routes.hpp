// The HTTP side of the coordinator (docs/cluster-protocol.md): every route
// under /api/cluster/, its bearer token, body caps and name checks, in front
// of serve/cluster_state.hpp. serve/server.cpp makes one ClusterRoutes when
// an ingest token is configured and passes every /api/cluster/ request to
// cluster_pre_route first, so without a token those routes are 404 and serve
// stays read-only, and with one a wrong or missing token gets 401 before any
// byte of a body is read (cpp-httplib calls the pre-routing handler before it
// reads a body, and a content-reader route reads only when told to).
// Bodies reach here only because serve/front.cpp lets POST and PUT bodies
// through for this prefix (front_limits_for); uploads and status snapshots
// are streamed to disk, join and done bodies (small JSON) are read whole.
#pragma once
#include <httplib.h>

#include <memory>
#include <string>
#include <string_view>

#include "serve/cluster_options.hpp"
#include "serve/front.hpp"

namespace fiokit::serve {

namespace cluster {
class Coordinator;
}

class ClusterRoutes {
 public:
  // Reloads the runs of data_dir (cluster.json) and starts the coordinator.
  ClusterRoutes(const std::string& data_dir, ClusterOptions opt);
  ~ClusterRoutes();
  // The /api/cluster/ routes, the 100-continue answer and the body limit.
  void add_routes(httplib::Server& http);
  // Auth, method and route checks of a cluster request (see the top).
  httplib::Server::HandlerResponse pre_route(const httplib::Request& req, httplib::Response& res);

 private:
  int expect_continue(const httplib::Request& req, httplib::Response& res);
  void handle(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* body);
  bool authorised(const httplib::Request& req) const;
  const ClusterOptions opt_;
  std::unique_ptr<cluster::Coordinator> coord_;
};

// Whether the raw request target is under /api/cluster.
bool is_cluster_target(std::string_view target);
// The pre-routing answer for a cluster target: 404 when routes is null (no
// coordinator), else routes->pre_route.
httplib::Server::HandlerResponse cluster_pre_route(ClusterRoutes* routes, const httplib::Request& req,
                                                   httplib::Response& res);
// `limits` with the front's body gate opened for /api/cluster/ when c is enabled.
FrontLimits front_limits_for(FrontLimits limits, const ClusterOptions& c);

}  // namespace fiokit::serve
