// The /api/cluster/ routes of the coordinator (cluster_routes.hpp).
#include "serve/cluster_routes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>

#include "serve/cluster_files.hpp"
#include "serve/cluster_state.hpp"

namespace fiokit::serve {

namespace {

using cluster::error_reply;
using cluster::Reply;
using HandlerResponse = httplib::Server::HandlerResponse;

constexpr std::string_view kPrefix = "/api/cluster/";

// What a cluster request path names.
struct Target {
  enum Kind { none, state, join, status, done, upload } kind = none;
  std::string run, index_text, file;
};

Target parse_target(std::string_view path) {
  Target t;
  if (path.substr(0, kPrefix.size()) != kPrefix) return t;
  const std::string_view rest = path.substr(kPrefix.size());
  const size_t slash = rest.find('/');
  t.run = rest.substr(0, slash);
  if (slash == std::string_view::npos) {
    t.kind = Target::state;
    return t;
  }
  const std::string_view tail = rest.substr(slash + 1);
  if (tail == "join") t.kind = Target::join;
  else if (tail == "status") t.kind = Target::status;
  else if (tail == "done") t.kind = Target::done;
  else if (tail.substr(0, 6) == "hosts/") {
    const std::string_view after = tail.substr(6);
    const size_t s2 = after.find('/');
    if (s2 != std::string_view::npos && after.substr(s2 + 1, 6) == "files/") {
      t.kind = Target::upload;
      t.index_text = after.substr(0, s2);
      t.file = after.substr(s2 + 7);
    }
  }
  return t;
}

void set_reply(httplib::Response& res, const Reply& r) {
  res.status = r.status;
  if (!r.body.empty()) res.set_content(r.body, "application/json");
}

HandlerResponse refuse(httplib::Response& res, int status, const std::string& msg) {
  set_reply(res, error_reply(status, msg));
  return HandlerResponse::Handled;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

uint64_t content_length(const httplib::Request& req) {
  return req.has_header("Content-Length") ? std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10)
                                          : 0;
}

std::string cap_message(uint64_t cap, bool json) {
  return json ? fmt::format("the body is larger than the cap of {} bytes for a JSON body", cap)
              : fmt::format("the body is larger than the cap of {} bytes (--ingest-max-bytes)", cap);
}

// The index of ?index=I (status, done) or of the path (file uploads).
int index_of(const httplib::Request& req, const Target& t) {
  if (t.kind == Target::upload) return cluster::parse_index(t.index_text);
  return req.has_param("index") ? cluster::parse_index(req.get_param_value("index")) : -1;
}

// A small JSON body, whole; an error reply when it is over `cap`, cut short
// or not a JSON object.
std::optional<Reply> read_json(const httplib::ContentReader& body, uint64_t cap, nlohmann::json& out) {
  std::string text;
  bool over = false;
  const bool ok = body([&](const char* d, size_t n) {
    if (text.size() + n > cap) {
      over = true;
      return false;
    }
    text.append(d, n);
    return true;
  });
  if (over) return error_reply(413, cap_message(cap, true));
  if (!ok) return error_reply(400, "body: it did not arrive whole");
  try {
    out = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    return error_reply(400, fmt::format("body: not JSON ({})", e.what()));
  }
  if (!out.is_object()) return error_reply(400, "body: not a JSON object");
  return std::nullopt;
}

// An integer field; nullopt when absent (and not required) or out of range (*bad).
std::optional<int64_t> int_field(const nlohmann::json& j, const char* key, int64_t lo, int64_t hi, bool* bad) {
  const auto it = j.find(key);
  if (it == j.end()) return std::nullopt;
  if (!it->is_number_integer()) {
    *bad = true;
    return std::nullopt;
  }
  const int64_t v = it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)
                        ? hi + (hi < INT64_MAX ? 1 : 0)
                        : it->get<int64_t>();
  if (v < lo || v > hi) {
    *bad = true;
    return std::nullopt;
  }
  return v;
}

std::optional<Reply> parse_join(const nlohmann::json& j, cluster::JoinRequest& out) {
  bool bad = false;
  const auto index = int_field(j, "index", 0, 1 << 30, &bad);
  if (!index) return error_reply(400, "index: a whole number >= 0 is needed");
  const auto size = int_field(j, "size", 1, 1024, &bad);
  if (!size) return error_reply(400, "size: a whole number 1..1024 is needed");
  const auto host = j.find("host");
  if (host == j.end() || !host->is_string() || host->get<std::string>().empty() || host->get<std::string>().size() > 255)
    return error_reply(400, "host: a name of 1..255 characters is needed");
  out.host = host->get<std::string>();
  if (!std::all_of(out.host.begin(), out.host.end(), [](char c) { return c > 0x20 && c < 0x7f; }))
    return error_reply(400, "host: only visible ASCII characters");
  const auto sha = j.find("job_sha256");
  if (sha == j.end() || !sha->is_string()) return error_reply(400, "job_sha256: a hex string is needed");
  out.job_sha256 = sha->get<std::string>();
  if (out.job_sha256.empty() || out.job_sha256.size() > 128 ||
      out.job_sha256.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    return error_reply(400, "job_sha256: a hex string is needed");
  out.index = static_cast<int>(*index);
  out.size = static_cast<int>(*size);
  return std::nullopt;
}

std::optional<Reply> parse_done(const nlohmann::json& j, cluster::DoneRequest& out) {
  bool bad = false;
  const auto code = int_field(j, "exit_code", -1000, 1000, &bad);
  if (!code) return error_reply(400, "exit_code: a whole number is needed");
  out.exit_code = static_cast<int>(*code);
  const auto started = int_field(j, "started_unix_ns", 0, INT64_MAX, &bad);
  if (bad) return error_reply(400, "started_unix_ns: a whole number >= 0 is needed");
  out.started_unix_ns = started.value_or(0);
  if (const auto e = j.find("error"); e != j.end()) {
    if (!e->is_string()) return error_reply(400, "error: a string is needed");
    out.error = e->get<std::string>().substr(0, 4096);
  }
  const auto files = j.find("files");
  if (files == j.end()) return std::nullopt;
  if (!files->is_array()) return error_reply(400, "files: a list is needed");
  for (size_t i = 0; i < files->size(); ++i) {
    const auto& f = (*files)[i];
    const auto path = f.is_object() ? f.find("path") : f.end();
    if (!f.is_object() || path == f.end() || !path->is_string())
      return error_reply(400, fmt::format("files[{}].path: a string is needed", i));
    const std::string p = path->get<std::string>();
    if (const std::string why = cluster::check_member_path(p); !why.empty())
      return error_reply(400, fmt::format("files[{}].path '{}': {}", i, p, why));
    bool bad_size = false;
    const auto size = int_field(f, "size", 0, INT64_MAX, &bad_size);
    if (!size) return error_reply(400, fmt::format("files[{}].size: a whole number >= 0 is needed", i));
    out.files.push_back({p, static_cast<uint64_t>(*size)});
  }
  return std::nullopt;
}

}  // namespace

bool is_cluster_target(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  return path == "/api/cluster" || path.substr(0, kPrefix.size()) == kPrefix;
}

HandlerResponse cluster_pre_route(ClusterRoutes* routes, const httplib::Request& req, httplib::Response& res) {
  if (!routes) {
    res.set_header("Connection", "close");
    return refuse(res, 404, "this server is not a cluster coordinator (no --ingest-token)");
  }
  return routes->pre_route(req, res);
}

FrontLimits front_limits_for(FrontLimits limits, const ClusterOptions& c) {
  if (c.enabled()) {
    limits.body_prefix = std::string(kPrefix);
    // The routes' own caps (413 from Content-Length in pre_route, before a
    // byte is read, or while a chunked body streams) answer in JSON; the
    // front only opens the gate.
    limits.max_upload_body = UINT64_MAX;
  }
  return limits;
}

ClusterRoutes::ClusterRoutes(const std::string& data_dir, ClusterOptions opt)
    : opt_(opt), coord_(std::make_unique<cluster::Coordinator>(data_dir, std::move(opt))) {}

ClusterRoutes::~ClusterRoutes() = default;

bool ClusterRoutes::authorised(const httplib::Request& req) const {
  const std::string h = req.get_header_value("Authorization");
  const std::string_view given =
      h.size() > 7 && iequals(std::string_view(h).substr(0, 7), "Bearer ") ? std::string_view(h).substr(7) : "";
  // Every byte of the token is compared whatever was given, and the
  // differences are or-ed, never short-circuited: the time taken says
  // nothing about how much of a guess was right.
  const std::string& want = opt_.token;
  unsigned diff = given.size() != want.size() ? 1u : 0u;
  for (size_t i = 0; i < want.size(); ++i) {
    const auto g = static_cast<unsigned char>(i < given.size() ? given[i] : 0);
    diff |= static_cast<unsigned>(static_cast<unsigned char>(want[i]) ^ g);
  }
  return diff == 0;
}

HandlerResponse ClusterRoutes::pre_route(const httplib::Request& req, httplib::Response& res) {
  const bool get = req.method == "GET" || req.method == "HEAD";
  if (!get && req.method != "POST" && req.method != "PUT") {
    res.set_header("Allow", "GET, HEAD, POST, PUT");
    return refuse(res, 405, "only GET, POST and PUT under /api/cluster/");
  }
  if (!authorised(req)) {
    res.set_header("WWW-Authenticate", "Bearer");
    return refuse(res, 401, "missing or wrong bearer token");
  }
  const Target t = parse_target(req.path);
  if (t.kind == Target::none) return refuse(res, 404, "no such cluster route");
  const bool want_put = t.kind == Target::upload, want_get = t.kind == Target::state;
  if (want_get != get || want_put != (req.method == "PUT")) {
    res.set_header("Allow", want_get ? "GET, HEAD" : want_put ? "PUT" : "POST");
    return refuse(res, 405, fmt::format("{} is not the method of this cluster route", req.method));
  }
  if (!cluster::valid_run_name(t.run)) return refuse(res, 400, "run: the name must be [A-Za-z0-9._-]{1,64}");
  if (t.kind != Target::state && t.kind != Target::join && index_of(req, t) < 0)
    return refuse(res, 400, "index: a whole number 0..1023 is needed");
  // Checked as decoded (req.path), which is what is used: an escaped '/'
  // or '.' cannot hide a component from the rules.
  if (t.kind == Target::upload) {
    if (const std::string why = cluster::check_member_path(t.file); !why.empty())
      return refuse(res, 400, fmt::format("path '{}': {}", t.file, why));
  }
  const bool json = t.kind == Target::join || t.kind == Target::done;
  const uint64_t cap = json ? opt_.max_json_bytes : opt_.max_file_bytes;
  if (content_length(req) > cap) return refuse(res, 413, cap_message(cap, json));
  return HandlerResponse::Unhandled;
}

int ClusterRoutes::expect_continue(const httplib::Request& req, httplib::Response& res) {
  if (!is_cluster_target(req.target)) return 100;
  return pre_route(req, res) == HandlerResponse::Handled ? res.status : 100;
}

void ClusterRoutes::add_routes(httplib::Server& http) {
  http.set_payload_max_length(static_cast<size_t>(std::max({uint64_t{64} << 10, opt_.max_file_bytes, opt_.max_json_bytes})));
  http.set_expect_100_continue_handler(
      [this](const httplib::Request& req, httplib::Response& res) { return expect_continue(req, res); });
  http.Get("/api/cluster/.+", [this](const httplib::Request& req, httplib::Response& res) { handle(req, res, nullptr); });
  const auto with_body = [this](const httplib::Request& req, httplib::Response& res,
                                const httplib::ContentReader& body) { handle(req, res, &body); };
  http.Post("/api/cluster/.+", with_body);
  http.Put("/api/cluster/.+", with_body);
}

// Reached only through pre_route: authorised, names valid, method right.
void ClusterRoutes::handle(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* body) {
  const Target t = parse_target(req.path);
  const int index = index_of(req, t);
  nlohmann::json j;
  if (t.kind == Target::state) return set_reply(res, coord_->state(t.run));
  if (t.kind == Target::join || t.kind == Target::done) {
    if (auto bad = read_json(*body, opt_.max_json_bytes, j)) return set_reply(res, *bad);
    if (t.kind == Target::join) {
      cluster::JoinRequest jr;
      if (auto bad = parse_join(j, jr)) return set_reply(res, *bad);
      return set_reply(res, coord_->join(t.run, jr));
    }
    cluster::DoneRequest dr;
    if (auto bad = parse_done(j, dr)) return set_reply(res, *bad);
    return set_reply(res, coord_->done(t.run, index, dr));
  }
  // A status snapshot or a file: streamed to disk.
  cluster::Admission adm;
  if (auto refused = coord_->admit(t.run, index, adm)) return set_reply(res, *refused);
  const std::string rel = t.kind == Target::status ? std::string("status.json") : t.file;
  const std::string key = fmt::format("{}/{}/{}", adm.run_dir, index, rel);
  if (!coord_->claim_upload(key))
    return set_reply(res, error_reply(409, fmt::format("{} of member {} is being received already", rel, index)));
  struct Release {
    cluster::Coordinator& c;
    const std::string& k;
    ~Release() { c.release_upload(k); }
  } release{*coord_, key};
  std::optional<cluster::IncomingFile> file;
  try {
    file.emplace(adm.host_dir, rel);
  } catch (const std::exception& e) {
    return set_reply(res, error_reply(500, e.what()));
  }
  bool over = false;
  std::string write_error;
  auto last_heard = std::chrono::steady_clock::now();
  const bool ok = (*body)([&](const char* d, size_t n) {
    if (file->size() + n > opt_.max_file_bytes) {
      over = true;
      return false;
    }
    try {
      file->write(d, n);
    } catch (const std::exception& e) {
      write_error = e.what();
      return false;
    }
    // A long upload is a sign of life too.
    if (const auto now = std::chrono::steady_clock::now(); now - last_heard >= std::chrono::seconds(1)) {
      coord_->heard(t.run, index);
      last_heard = now;
    }
    return true;
  });
  if (over) return set_reply(res, error_reply(413, cap_message(opt_.max_file_bytes, false)));
  if (!write_error.empty()) return set_reply(res, error_reply(500, write_error));
  if (!ok) return set_reply(res, error_reply(400, "body: it did not arrive whole"));
  int64_t started = 0;
  try {
    if (t.kind == Target::status) {
      file->flush();
      std::string why;
      if (!cluster::scan_status(file->part_path(), &started, &why))
        return set_reply(res, error_reply(400, "body: " + why));
    }
    file->commit();
  } catch (const std::exception& e) {
    return set_reply(res, error_reply(500, e.what()));
  }
  coord_->heard(t.run, index, started);
  if (t.kind == Target::status) return set_reply(res, {204, {}});
  set_reply(res, {201, nlohmann::json{{"path", rel}, {"size", file->size()}}.dump()});
}

}  // namespace fiokit::serve
