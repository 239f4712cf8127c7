// The run index at scale and as a page worth browsing (issue 16 row 3, issue
// 17 item 4), through a real HTTP client against the server: paging, sorting
// and filtering done by the server, the columns a run is told apart by, a
// failed run badged instead of "0 / 0 B/s", no directory rescans on requests
// when nothing changed, a new run and a run being written showing up, and the
// run page's host, volume and repeats sections.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "results/json_writer.hpp"
#include "results/repeats.hpp"
#include "serve/run_summary.hpp"
#include "serve_util.hpp"

using namespace fiokit;
using namespace fiokit::servetest;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A run whose one job has the given settings; reads and/or writes 4 KiB I/Os.
results::RunResult job_run(const std::string& name, int64_t ts, const std::string& rw, const std::string& bs,
                           const std::string& engine, const std::string& depth, double scale, bool writes = false) {
  results::RunResult r = make_result({name}, ts, scale);
  auto& j = r.jobs[0];
  j.options = {{"rw", rw}, {"bs", bs}, {"ioengine", engine}, {"iodepth", depth}};
  j.rw = rw;
  j.ioengine = engine;
  if (writes) std::swap(j.dirs[0], j.dirs[1]);
  return r;
}

// A run whose job failed before it moved a byte, as fiokit records it.
results::RunResult failed_run(int64_t ts) {
  results::RunResult r = job_run("broken", ts, "write", "4k", "psync", "1", 1.0);
  r.jobs[0].dirs = {};
  r.jobs[0].error = 22;
  r.jobs[0].error_message = "job 'broken': cannot open '/dev/null': Invalid argument";
  return r;
}

struct Fixture {
  TempDir data;
  Fixture() {
    write_run_dir(data.path, "r1-seqread", job_run("seqread", 1763600000, "read", "128k", "libaio", "16", 1.0), false);
    write_run_dir(data.path, "r2-randread", job_run("randread", 1763610000, "randread", "4k", "io_uring", "32", 3.0), false);
    write_run_dir(data.path, "r3-randwrite", job_run("randwrite", 1763620000, "randwrite", "4k", "io_uring", "1", 2.0, true), false);
    write_run_dir(data.path, "r4-broken", failed_run(1763630000), false);
    write_run_dir(data.path, "r5-mixed", job_run("mixed", 1763640000, "randrw", "64k", "psync", "4", 0.5), false);
  }
};

std::vector<std::string> ids_of(const json& page) {
  std::vector<std::string> out;
  for (const auto& r : page["runs"]) out.push_back(r["id"].get<std::string>());
  return out;
}

// data-id of each row of the index page, in order.
std::vector<std::string> row_ids(const std::string& html) {
  std::vector<std::string> out;
  const std::regex re("<tr data-id=\"([^\"]+)\"");
  for (std::sregex_iterator it(html.begin(), html.end(), re), end; it != end; ++it) out.push_back((*it)[1]);
  return out;
}

// The X-Fiokit-Index counters of a response.
std::map<std::string, uint64_t> index_counters(const httplib::Result& r) {
  std::map<std::string, uint64_t> out;
  const std::string h = r->get_header_value("X-Fiokit-Index");
  const std::regex re("([a-z]+)=([0-9]+)");
  for (std::sregex_iterator it(h.begin(), h.end(), re), end; it != end; ++it) out[(*it)[1]] = std::stoull((*it)[2]);
  return out;
}

void write_atomically(const std::string& path, const std::string& text) {
  write_text(path + ".tmp", text);
  fs::rename(path + ".tmp", path);
}

}  // namespace

TEST_CASE("run summary: settings with fio's defaults, status, read and write apart", "[serve][index]") {
  results::RunResult r = job_run("a", 1, "randwrite", "8k", "libaio", "32", 1.0, true);
  r.jobs[0].options.emplace_back("numjobs", "4");
  r.jobs.push_back(r.jobs[0]);
  r.jobs[1].name = "b";
  r.jobs[1].options = {};  // nothing set: fio's defaults ran
  r.jobs[1].rw = "";
  r.jobs[1].ioengine = "";
  r.jobs[1].job_runtime_ms = 7000;
  auto s = serve::summarise_run(r);
  CHECK(s.status == serve::RunStatus::ok);
  CHECK(s.job_names == std::vector<std::string>{"a", "b"});
  CHECK(s.rw == "randwrite, read");
  CHECK(s.bs == "8k, 4k");
  CHECK(s.iodepth == "32, 1");
  CHECK(s.numjobs == "4, 1");
  CHECK(s.engine == "libaio, psync");
  CHECK(s.duration_ms == 7000);
  CHECK_FALSE(s.dirs[0].present);
  REQUIRE(s.dirs[1].present);
  CHECK(s.dirs[1].iops == Approx(2000.0));  // two jobs, 1000 IOPS each
  CHECK(s.dirs[1].bw_bytes == 2 * 1000u * 4096u);

  r.jobs[1].error = 5;
  r.jobs[1].error_message = "job 'b': EIO";
  s = serve::summarise_run(r);
  CHECK(s.status == serve::RunStatus::failed);
  CHECK(s.status_detail == "job 'b': EIO");
  r.jobs[1].error_ignored = true;  // continue_on_error: fio exits 0
  CHECK(serve::summarise_run(r).status == serve::RunStatus::ok);
  r.incomplete = true;
  CHECK(serve::summarise_run(r).status == serve::RunStatus::incomplete);
}

TEST_CASE("/api/runs pages, sorts and filters on the server", "[serve][index]") {
  Fixture f;
  TestServer s(f.data.path);
  httplib::Client c("127.0.0.1", s.port);

  // Without parameters: every run, as before (newest first).
  auto all = json::parse(c.Get("/api/runs")->body);
  CHECK(ids_of(all) == std::vector<std::string>{"r5-mixed", "r4-broken", "r3-randwrite", "r2-randread", "r1-seqread"});
  CHECK_FALSE(all.contains("total"));

  auto p1 = json::parse(c.Get("/api/runs?limit=2")->body);
  CHECK(p1["total"] == 5);
  CHECK(p1["matched"] == 5);
  CHECK(p1["count"] == 2);
  CHECK(p1["next_offset"] == 2);
  CHECK(ids_of(p1) == std::vector<std::string>{"r5-mixed", "r4-broken"});
  auto p3 = json::parse(c.Get("/api/runs?limit=2&offset=4")->body);
  CHECK(ids_of(p3) == std::vector<std::string>{"r1-seqread"});
  CHECK_FALSE(p3.contains("next_offset"));

  // Columns of a run: settings, status, duration, read and write apart.
  const json& w = all["runs"][2];
  CHECK(w["rw"] == "randwrite");
  CHECK(w["bs"] == "4k");
  CHECK(w["iodepth"] == "1");
  CHECK(w["numjobs"] == "1");
  CHECK(w["ioengine"] == "io_uring");
  CHECK(w["duration_ms"] == 2000);
  CHECK(w["status"] == "ok");
  CHECK_FALSE(w.contains("read"));
  CHECK(w["write"]["iops"].get<double>() == Approx(2000.0));
  const json& broken = all["runs"][1];
  CHECK(broken["status"] == "failed");
  CHECK(broken["status_detail"].get<std::string>().find("Invalid argument") != std::string::npos);
  CHECK_FALSE(broken.contains("read"));
  CHECK_FALSE(broken.contains("write"));

  // Sorted by read IOPS, most first; runs that did not read go last.
  auto by_iops = json::parse(c.Get("/api/runs?sort=read_iops")->body);
  CHECK(ids_of(by_iops) == std::vector<std::string>{"r2-randread", "r1-seqread", "r5-mixed", "r4-broken", "r3-randwrite"});
  auto by_bs = json::parse(c.Get("/api/runs?sort=bs&order=asc")->body);
  CHECK(ids_of(by_bs)[0] == "r4-broken");  // 4k ties keep newest first: r4, r3, r2
  CHECK(ids_of(by_bs)[3] == "r5-mixed");   // 64k before 128k: sizes, not text
  CHECK(ids_of(by_bs)[4] == "r1-seqread");

  // Filters: a word anywhere, a field exactly, words together.
  CHECK(ids_of(json::parse(c.Get("/api/runs?q=io_uring")->body)) ==
        std::vector<std::string>{"r3-randwrite", "r2-randread"});
  CHECK(ids_of(json::parse(c.Get("/api/runs?q=rw:read")->body)) == std::vector<std::string>{"r1-seqread"});
  CHECK(ids_of(json::parse(c.Get("/api/runs?q=READ")->body)) ==
        std::vector<std::string>{"r2-randread", "r1-seqread"});  // case apart; randrw and write do not match
  CHECK(ids_of(json::parse(c.Get("/api/runs?q=status:failed")->body)) == std::vector<std::string>{"r4-broken"});
  CHECK(ids_of(json::parse(c.Get("/api/runs?q=io_uring%20randwrite")->body)) ==
        std::vector<std::string>{"r3-randwrite"});
  auto none = json::parse(c.Get("/api/runs?q=nothing-like-this")->body);
  CHECK(none["matched"] == 0);
  CHECK(none["total"] == 5);

  // Bad parameters name themselves.
  for (const char* bad : {"/api/runs?limit=0", "/api/runs?limit=x", "/api/runs?offset=-1", "/api/runs?sort=nope",
                          "/api/runs?order=up", "/?limit=100000"}) {
    INFO(bad);
    auto r = c.Get(bad);
    REQUIRE(r);
    CHECK(r->status == 400);
  }
  CHECK(c.Get("/api/runs?sort=nope")->body.find("sort") != std::string::npos);
}

TEST_CASE("index page: columns, failed badge, sort links, filter, paging", "[serve][index]") {
  Fixture f;
  TestServer s(f.data.path);
  httplib::Client c("127.0.0.1", s.port);
  auto r = c.Get("/");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  const std::string& b = r->body;
  for (const char* key : {"id", "date", "status", "jobs", "rw", "bs", "iodepth", "numjobs", "engine", "duration",
                          "read_iops", "read_bw", "read_p99", "write_iops", "write_bw", "write_p99"}) {
    INFO(key);
    CHECK(b.find(std::string("data-sort=\"") + key + "\"") != std::string::npos);
  }
  CHECK(b.find(">Read</th>") != std::string::npos);
  CHECK(b.find(">Write</th>") != std::string::npos);
  CHECK(row_ids(b) == std::vector<std::string>{"r5-mixed", "r4-broken", "r3-randwrite", "r2-randread", "r1-seqread"});
  // The failed run: a badge, and no figure that reads like a measurement.
  const size_t row = b.find("<tr data-id=\"r4-broken\"");
  const std::string failed_row = b.substr(row, b.find("</tr>", row) - row);
  CHECK(failed_row.find("data-status=\"failed\"") != std::string::npos);
  CHECK(failed_row.find("class=\"badge badge-bad\"") != std::string::npos);
  CHECK(failed_row.find(">failed</span>") != std::string::npos);
  CHECK(failed_row.find("B/s") == std::string::npos);
  CHECK(failed_row.find(">0<") == std::string::npos);
  // A read-only run has dashes in the write columns.
  const size_t rrow = b.find("<tr data-id=\"r2-randread\"");
  const std::string read_row = b.substr(rrow, b.find("</tr>", rrow) - rrow);
  CHECK(read_row.find("<td class=\"num\">3000</td>") != std::string::npos);
  CHECK(read_row.find("<td class=\"num none\">-</td>") != std::string::npos);
  CHECK(read_row.find(">io_uring<") != std::string::npos);
  CHECK(read_row.find(">32<") != std::string::npos);
  CHECK(read_row.find(">2.0 s<") != std::string::npos);

  // The header link sorts; clicking the sorted column flips it.
  CHECK(b.find("href=\"/?sort=read_iops\"") != std::string::npos);
  auto sorted = c.Get("/?sort=read_iops");
  CHECK(row_ids(sorted->body)[0] == "r2-randread");
  CHECK(sorted->body.find("href=\"/?sort=read_iops&amp;order=asc\"") != std::string::npos);
  CHECK(sorted->body.find("aria-sort=\"descending\"") != std::string::npos);

  // Filter box keeps its text; paging links carry sort and filter.
  auto filtered = c.Get("/?q=engine%3Aio_uring&sort=date&order=asc");
  CHECK(row_ids(filtered->body) == std::vector<std::string>{"r2-randread", "r3-randwrite"});
  CHECK(filtered->body.find("value=\"engine:io_uring\"") != std::string::npos);
  CHECK(filtered->body.find("of 2 matching, 5 in all") != std::string::npos);
  auto paged = c.Get("/?limit=2");
  CHECK(row_ids(paged->body).size() == 2);
  CHECK(paged->body.find("class=\"more-link\" href=\"/?offset=2&amp;limit=2\"") != std::string::npos);
  auto last = c.Get("/?limit=2&offset=4");
  CHECK(row_ids(last->body) == std::vector<std::string>{"r1-seqread"});
  CHECK(last->body.find("more-link") == std::string::npos);
  CHECK(c.Get("/?offset=50")->body.find("No runs past this point.") != std::string::npos);
  auto nothing = c.Get("/?q=%3Cb%3Enothing");
  CHECK(nothing->body.find("No run matches <code>&lt;b&gt;nothing</code>.") != std::string::npos);
  CHECK(nothing->body.find("runs 0&ndash;0 of 0 matching, 5 in all") != std::string::npos);
}

TEST_CASE("requests rescan nothing; a new run and a run being written show up", "[serve][index]") {
  Fixture f;
  TestServer s(f.data.path);  // refresh 0: every request checks for changes
  httplib::Client c("127.0.0.1", s.port);
  REQUIRE(json::parse(c.Get("/healthz")->body)["runs"] == 5);
  // Directories written within the last second are looked at again (a second
  // change in the same mtime tick); past that, a check is a stat of runs/.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  c.Get("/healthz");
  const auto before = s.server->index_stats();
  for (int i = 0; i < 30; ++i) REQUIRE(c.Get(i % 3 == 0 ? "/" : i % 3 == 1 ? "/healthz" : "/api/runs"));
  const auto after = s.server->index_stats();
  CHECK(after.checks >= before.checks + 30);
  CHECK(after.top_lists == before.top_lists);
  CHECK(after.dir_scans == before.dir_scans);
  CHECK(after.parses == before.parses);
  auto h = c.Get("/healthz");
  CHECK(index_counters(h)["lists"] == after.top_lists);
  CHECK(index_counters(h)["scans"] == after.dir_scans);

  // A new run directory: listed at the next request, and only it is read.
  results::RunResult checkpoint = job_run("fresh", 1763700000, "randread", "4k", "null", "8", 1.0);
  checkpoint.incomplete = true;
  checkpoint.interrupted = true;
  checkpoint.jobs[0].dirs[0] = {};
  write_run_dir(f.data.path, "r6-fresh", checkpoint, false);
  auto j = json::parse(c.Get("/api/runs")->body);
  REQUIRE(j["runs"].size() == 6);
  CHECK(j["runs"][0]["id"] == "r6-fresh");
  CHECK(j["runs"][0]["status"] == "incomplete");
  CHECK_FALSE(j["runs"][0].contains("read"));
  const auto added = s.server->index_stats();
  CHECK(added.top_lists == after.top_lists + 1);
  CHECK(added.dir_scans == after.dir_scans + 1);  // the new directory, and nothing else
  CHECK(added.parses == after.parses + 1);

  // The run goes on: its checkpoint is replaced (atomically, as fiokit does)
  // with figures, then with the complete results.
  results::RunResult more = job_run("fresh", 1763700000, "randread", "4k", "null", "8", 1.5);
  more.incomplete = true;
  more.interrupted = true;
  write_atomically(f.data.path + "/runs/r6-fresh/results.json", results::write_json(more, false));
  j = json::parse(c.Get("/api/runs")->body);
  CHECK(j["runs"][0]["status"] == "incomplete");
  CHECK(j["runs"][0]["read"]["iops"].get<double>() == Approx(1500.0));
  const results::RunResult done = job_run("fresh", 1763700000, "randread", "4k", "null", "8", 2.5);
  write_atomically(f.data.path + "/runs/r6-fresh/results.json", results::write_json(done, false));
  j = json::parse(c.Get("/api/runs")->body);
  CHECK(j["runs"][0]["status"] == "ok");
  CHECK(j["runs"][0]["read"]["iops"].get<double>() == Approx(2500.0));
  auto page = c.Get("/");
  CHECK(page->body.find("<tr data-id=\"r6-fresh\" data-status=\"ok\"") != std::string::npos);

  // A run directory removed from runs/ leaves the index.
  fs::remove_all(f.data.path + "/runs/r1-seqread");
  j = json::parse(c.Get("/api/runs")->body);
  CHECK(j["runs"].size() == 5);
  CHECK(c.Get("/runs/r1-seqread")->status == 404);
}

TEST_CASE("a folder of fio outputs: a file fio is still writing in place updates", "[serve][index]") {
  TempDir dir;
  write_text(dir.path + "/done.json", results::write_json(job_run("done", 1763600000, "read", "4k", "psync", "1", 1.0), false));
  // fio opens --output at the start and writes the JSON at the end: the
  // folder's mtime does not change when it does.
  write_text(dir.path + "/going.json", "");
  TestServer s(dir.path);
  httplib::Client c("127.0.0.1", s.port);
  auto j = json::parse(c.Get("/api/runs")->body);
  REQUIRE(j["runs"].size() == 1);
  CHECK(j["runs"][0]["id"] == "done");
  {
    std::ofstream out(dir.path + "/going.json", std::ios::binary | std::ios::in | std::ios::out);
    out << results::write_json(job_run("going", 1763700000, "write", "4k", "psync", "1", 1.0, true), false);
  }
  j = json::parse(c.Get("/api/runs")->body);
  REQUIRE(j["runs"].size() == 2);
  CHECK(j["runs"][0]["id"] == "going");
  CHECK(j["runs"][0]["write"]["iops"].get<double>() == Approx(1000.0));
}

TEST_CASE("run page: host and volumes formatted, repeats shown, a failed run says so", "[serve][index]") {
  TempDir data;
  std::vector<results::RunResult> repeats;
  for (int i = 0; i < 3; ++i) repeats.push_back(job_run("rep", 1763600000 + i, "randread", "4k", "psync", "1", 1.0 + i));
  repeats[1].jobs[0].error = 5;
  repeats[1].jobs[0].error_message = "job 'rep': EIO at offset 0";
  results::RunResult r = repeats[0];
  r.extras["volume.0.capacity"] = "270553174016";
  r.extras["volume.0.free"] = "41292431360";
  r.extras["volume.0.path"] = "/tmp/vol";
  r.extras["volume.0.fstype"] = "ext4";
  r.extras["volume.0.rotational"] = "1";
  r.extras["volume.0.logical_block_size"] = "512";
  r.extras["volume.0.physical_block_size"] = "4096";
  r.extras["kernel"] = "Linux 6.1";
  write_run_dir(data.path, "rep-run", r, false);
  write_text(data.path + "/runs/rep-run/repeats.json", results::summarize_repeats(repeats));
  write_run_dir(data.path, "bad-run", failed_run(1763700000), false);
  TestServer s(data.path);
  httplib::Client c("127.0.0.1", s.port);

  auto page = c.Get("/runs/rep-run");
  REQUIRE(page);
  REQUIRE(page->status == 200);
  const std::string& b = page->body;
  CHECK(b.find("252 GiB") != std::string::npos);  // 270553174016 bytes
  CHECK(b.find("38.5 GiB") != std::string::npos);  // 41292431360 bytes
  CHECK(b.find(">270553174016<") == std::string::npos);
  CHECK(b.find("title=\"270553174016 bytes\"") != std::string::npos);
  CHECK(b.find("<td class=\"num\" data-field=\"logical_block_size\"><span title=\"512 bytes\">512 B</span></td>") !=
        std::string::npos);
  CHECK(b.find("<span title=\"4096 bytes\">4 KiB</span>") != std::string::npos);  // not "4.00 KiB"
  CHECK(b.find(">yes</td>") != std::string::npos);  // rotational
  CHECK(b.find(">Kernel</th><td>Linux 6.1<") != std::string::npos);
  // Repeats: each one's status, the failed one's error, the spread over the ok ones.
  CHECK(b.find("<h2 id=\"repeats\">Repeats</h2>") != std::string::npos);
  CHECK(b.find("3 repeats, 2 ok") != std::string::npos);
  CHECK(b.find("EIO at offset 0") != std::string::npos);
  CHECK(b.find("repeats/2/results.json") != std::string::npos);
  CHECK(b.find("<th class=\"num\">#1</th><th class=\"num\">#3</th><th class=\"num\">median</th>") != std::string::npos);
  CHECK(b.find("<tr><th>iops</th><td class=\"num\">1000</td><td class=\"num\">3000</td><td class=\"num\">2000</td>") !=
        std::string::npos);
  auto api = json::parse(c.Get("/api/runs")->body);
  CHECK(api["runs"][1]["repeats"] == true);
  CHECK(c.Get("/")->body.find("title=\"repeated runs") != std::string::npos);

  auto bad = c.Get("/runs/bad-run");
  REQUIRE(bad);
  CHECK(bad->body.find("<span class=\"badge badge-bad\">failed</span> job &#39;broken&#39;: cannot open") !=
        std::string::npos);
  CHECK(bad->body.find("<h2 id=\"repeats\">") == std::string::npos);
}
