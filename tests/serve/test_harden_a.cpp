// Low-severity findings of a review of the run index and run page, each
// against a real server: an option value strtod reads as inf or nan ("inf",
// "nan") is not a number for sorting (a NaN key broke stable_sort's ordering,
// and inf sorted as the largest size), and a repeats.json whose fields have
// the wrong type leaves the run page up with the repeats section marked
// unreadable (value() threw and the whole page was a 500).
#include <httplib.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "results/json_writer.hpp"
#include "serve_util.hpp"

using namespace fiokit;
using namespace fiokit::servetest;
using json = nlohmann::json;

namespace {

void write_bs_run(const std::string& data, const std::string& id, int64_t ts, const std::string& bs) {
  results::RunResult r = make_result({"j"}, ts);
  r.jobs[0].options = {{"rw", "randread"}, {"bs", bs}};
  write_run_dir(data, id, r, false);
}

std::vector<std::string> ids_of(const json& page) {
  std::vector<std::string> out;
  for (const auto& r : page["runs"]) out.push_back(r["id"].get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("run index: bs of inf or nan sorts with the runs that have no size", "[serve][index]") {
  TempDir data;
  write_bs_run(data.path, "r1-4k", 1763632800, "4k");
  write_bs_run(data.path, "r2-inf", 1763632801, "inf");
  write_bs_run(data.path, "r3-8k", 1763632802, "8k");
  write_bs_run(data.path, "r4-nan", 1763632803, "nan");
  write_bs_run(data.path, "r5-16k", 1763632804, "16k");
  TestServer s(data.path);
  httplib::Client c("127.0.0.1", s.port);
  for (const char* order : {"asc", "desc"}) {
    INFO(order);
    const auto r = c.Get(std::string("/api/runs?sort=bs&order=") + order);
    REQUIRE(r);
    REQUIRE(r->status == 200);
    const auto ids = ids_of(json::parse(r->body));
    REQUIRE(ids.size() == 5);
    // Sizes in order, then the two without one (newest first, as ties are).
    const std::vector<std::string> sized = order == std::string("asc") ? std::vector<std::string>{"r1-4k", "r3-8k", "r5-16k"}
                                                                        : std::vector<std::string>{"r5-16k", "r3-8k", "r1-4k"};
    CHECK(std::vector<std::string>(ids.begin(), ids.begin() + 3) == sized);
    CHECK(std::vector<std::string>(ids.begin() + 3, ids.end()) == std::vector<std::string>{"r4-nan", "r2-inf"});
  }
}

TEST_CASE("run page: a repeats.json of the wrong types marks its section unreadable, the page stays", "[serve]") {
  TempDir data;
  const std::string id = "20261120T100000Z-rep";
  write_run_dir(data.path, id, make_result({"j"}, 1763632800), false);
  write_text(data.path + "/runs/" + id + "/repeats.json", R"({"repeats": "three", "ok": [], "runs": 5})");
  TestServer s(data.path);
  httplib::Client c("127.0.0.1", s.port);
  const auto r = c.Get("/runs/" + id);
  REQUIRE(r);
  REQUIRE(r->status == 200);
  CHECK(r->body.find("<h2 id=\"repeats\">Repeats</h2>") != std::string::npos);
  CHECK(r->body.find("repeats.json cannot be read") != std::string::npos);
  CHECK(r->body.find("</html>") != std::string::npos);  // the rest of the page is there
}
