// `fiokit merge` end to end with the real binary (run dirs from real runs, a
// coordinator's run dir, exit codes, never clobbering), and the merged run
// dir served by the real server over HTTP on 127.0.0.1 (index, run page, API).
#include <catch2/catch.hpp>

#include <filesystem>
#include <httplib.h>

#include "cluster/merge_util.hpp"
#include "common/temp_dir.hpp"
#include "serve/server.hpp"

namespace fiokit::mergetest {
namespace {

namespace fs = std::filesystem;

test::Outcome merge(std::vector<std::string> args) {
  test::RunSpec spec;
  spec.args = {"merge"};
  spec.args.insert(spec.args.end(), args.begin(), args.end());
  return test::run_fiokit(spec);
}

// A real run dir of a short random-read job: DATA/runs/<id>/.
std::string make_run_dir(const std::string& data, const std::string& file) {
  test::RunSpec spec;
  spec.args = {"run", "--data-dir=" + data, "--output-format=json", "--name=rr", "--filename=" + file, "--size=1m",
               "--rw=randread", "--bs=4k", "--ioengine=psync", "--time_based", "--runtime=200ms"};
  const test::Outcome o = test::run_fiokit(spec);
  INFO(o.err);
  REQUIRE(o.code == 0);
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(fs::path(data) / "runs")) dirs.push_back(e.path());
  REQUIRE(dirs.size() == 1);
  REQUIRE(fs::exists(dirs[0] / "results.json"));
  return dirs[0].string();
}

json read_json(const std::string& path) {
  const std::string t = test::slurp(path);
  REQUIRE_FALSE(t.empty());
  return json::parse(t);
}

}  // namespace

TEST_CASE("fiokit merge writes the merge of run dirs, never clobbers, names bad inputs", "[merge][cli]") {
  test::TempDir dir("cluster-merge-cli");
  const std::string d = dir.path;
  const std::string run0 = make_run_dir(d + "/data0", d + "/f0");
  const std::string run1 = make_run_dir(d + "/data1", d + "/f1");
  write_text(run0 + "/hostname", "node-a\n");
  const std::string out = d + "/out";

  test::Outcome o = merge({run0, run1, "--out", out});
  INFO(o.err);
  REQUIRE(o.code == 0);
  CHECK(o.out.find("2 members (2 summed, 0 failed)") != std::string::npos);
  CHECK(o.out.find("rr: (2 hosts, 2 jobs)") != std::string::npos);
  CHECK(o.out.find("read: IOPS=") != std::string::npos);
  CHECK(o.out.find("p99=") != std::string::npos);
  const json m = read_json(out + "/results.json");
  CHECK(m["cluster"]["run"] == "out");
  CHECK(m["cluster"]["members"][0]["host"] == "node-a");
  CHECK(m["cluster"]["members"][1]["host"] == fs::path(run1).filename().string());
  const double sum = read_json(run0 + "/results.json")["jobs"][0]["read"]["iops"].get<double>() +
                     read_json(run1 + "/results.json")["jobs"][0]["read"]["iops"].get<double>();
  CHECK(m["cluster"]["aggregate"]["rr"]["read"]["iops"].get<double>() == sum);
  CHECK(m["cluster"]["aggregate"]["rr"]["read"]["clat_ns"]["percentiles_exact"] == true);

  // Never clobber: exit 2, the file as it was; --force replaces it.
  const std::string before = test::slurp(out + "/results.json");
  o = merge({run1, "--out", out});
  CHECK(o.code == 2);
  CHECK(o.err.find("--force") != std::string::npos);
  CHECK(test::slurp(out + "/results.json") == before);
  o = merge({run1, "--out", out, "--force", "--run", "again"});
  CHECK(o.code == 0);
  CHECK(read_json(out + "/results.json")["cluster"]["run"] == "again");

  // Bad arguments: exit 2 naming them. Unreadable input: exit 1 naming the file.
  o = merge({run0});
  CHECK(o.code == 2);
  CHECK(o.err.find("--out") != std::string::npos);
  o = merge({"--out", d + "/o2"});
  CHECK(o.code == 2);
  o = merge({run0, "--outt", d + "/o2"});
  CHECK(o.code == 2);
  CHECK(o.err.find("--outt") != std::string::npos);
  o = merge({run0, d + "/nowhere.json", "--out", d + "/o2"});
  CHECK(o.code == 1);
  CHECK(o.err.find(d + "/nowhere.json") != std::string::npos);
  write_text(d + "/junk.json", "{\"jobs\": 7}");
  o = merge({run0, d + "/junk.json", "--out", d + "/o2"});
  CHECK(o.code == 1);
  CHECK(o.err.find(d + "/junk.json") != std::string::npos);
  CHECK_FALSE(fs::exists(d + "/o2/results.json"));

  // An incomplete checkpoint is a failed member: listed, not summed.
  json ck = read_json(run1 + "/results.json");
  ck["fiokit"]["incomplete"] = true;
  write_text(d + "/ck.json", ck.dump());
  o = merge({run0, d + "/ck.json", "--out", d + "/o3"});
  REQUIRE(o.code == 0);
  const json m3 = read_json(d + "/o3/results.json");
  CHECK(m3["cluster"]["failed"][0]["index"] == 1);
  CHECK(m3["cluster"]["failed"][0]["host"] == "ck");
  CHECK(m3["cluster"]["failed"][0]["error"].get<std::string>().find("checkpoint") != std::string::npos);
  CHECK(m3["cluster"]["aggregate"]["rr"]["hosts"] == json::array({0}));
  CHECK(m3["jobs"].size() == 2);
}

TEST_CASE("fiokit merge re-merges a coordinator's run dir given alone", "[merge][cli]") {
  test::TempDir dir("cluster-merge-cli");
  const std::string d = dir.path;
  const std::string run0 = make_run_dir(d + "/data0", d + "/f0");
  const std::string run1 = make_run_dir(d + "/data1", d + "/f1");
  const std::string c = d + "/runs/20261127T000000Z-cr";
  for (int i = 0; i < 2; ++i) fs::create_directories(c + "/hosts/" + std::to_string(i));
  fs::copy_file(run0 + "/results.json", c + "/hosts/0/results.json");
  fs::copy_file(run1 + "/results.json", c + "/hosts/1/results.json");
  const json cj = {{"run", "cr"}, {"run_dir", "runs/20261127T000000Z-cr"}, {"size", 2}, {"state", "failed"},
                   {"start_unix_ns", 5000},
                   {"members", {{{"index", 0}, {"host", "h0"}, {"state", "done"}, {"exit_code", 0}, {"started_unix_ns", 7000}},
                                {{"index", 1}, {"host", "h1"}, {"state", "failed"}, {"exit_code", 0},
                                 {"error", "member 1 (host h1): no status for 300 s"}, {"started_unix_ns", 9000}}}}};
  write_text(c + "/cluster.json", cj.dump());
  test::Outcome o = merge({c, "--out", d + "/o"});
  INFO(o.err);
  REQUIRE(o.code == 0);
  const json m = read_json(d + "/o/results.json");
  CHECK(m["cluster"]["run"] == "cr");
  CHECK(m["cluster"]["start_unix_ns"] == 5000);
  CHECK(m["cluster"]["start_skew_ms"].get<double>() == 0.002);
  CHECK(m["cluster"]["failed"][0]["error"] == "member 1 (host h1): no status for 300 s");
  CHECK(m["cluster"]["aggregate"]["rr"]["hosts"] == json::array({0}));
  CHECK(m["jobs"][1]["hostname"] == "h1");
  o = merge({c, run0, "--out", d + "/o4"});
  CHECK(o.code == 2);
  CHECK(o.err.find("cluster.json") != std::string::npos);
}

TEST_CASE("a merged run dir is listed and shown by fiokit serve", "[merge][serve]") {
  test::TempDir dir("cluster-merge-serve");
  const std::string d = dir.path;
  const std::string run0 = make_run_dir(d + "/data0", d + "/f0");
  const std::string run1 = make_run_dir(d + "/data1", d + "/f1");
  const std::string id = "20261127T010000Z-merged";
  const test::Outcome o = merge({run0, run1, "--out", d + "/serve/runs/" + id});
  REQUIRE(o.code == 0);

  serve::ServeOptions opt;
  opt.dir = d + "/serve";
  opt.port = 0;
  opt.refresh = std::chrono::milliseconds(0);
  serve::Server server(opt);
  const int port = server.start();
  httplib::Client cli("127.0.0.1", port);
  auto res = cli.Get("/api/runs");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  const json runs = json::parse(res->body);
  INFO(res->body.substr(0, 2000));
  CHECK(res->body.find(id) != std::string::npos);
  CHECK(res->body.find("\"error\":\"") == std::string::npos);
  res = cli.Get(("/api/runs/" + id).c_str());
  REQUIRE(res);
  CHECK(res->status == 200);
  const json run = json::parse(res->body);
  CHECK(run.dump().find("rr") != std::string::npos);
  res = cli.Get(("/runs/" + id).c_str());
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body.find("rr") != std::string::npos);
  res = cli.Get("/");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body.find(id) != std::string::npos);
  server.stop();
}

}  // namespace fiokit::mergetest
