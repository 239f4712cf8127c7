// Nothing lost (issue 14), with the real binary: a run dir on a full
// filesystem still leaves a complete report on stdout, names each file it
// could not write with the errno, and leaves no temporary file ([root]: it
// mounts a 64 KiB tmpfs, and exits 77 with the reason when it cannot); kill -9
// mid-run leaves results.json as a checkpoint marked incomplete with what was
// measured; repeats.json and the stderr line flag failed repeats; a job read
// from stdin is kept in the run dir, and job files named like the run dir's
// own files neither replace nor are replaced; a log the full data dir cannot
// hold is a run-dir failure, not a failed job ([root]); kill -9 at 1 s, during
// startdelay or during repeat 2 leaves files marked incomplete that compare
// refuses by name; --status-interval with JSON output is a
// stream of documents split by the rule the README gives ([fio]: fio 3.33's
// stream obeys the same rule).
#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>

#include "subprocess.hpp"

using fiokit::test::make_temp_dir;
using fiokit::test::run_fiokit;
namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The one run dir under data/runs.
std::string only_run_dir(const std::string& data) {
  std::vector<std::string> dirs;
  for (const auto& e : fs::directory_iterator(data + "/runs")) dirs.push_back(e.path().string());
  REQUIRE(dirs.size() == 1);
  return dirs.front();
}

// Every file under dir whose name marks it temporary (".NAME.tmp").
std::vector<std::string> temp_files(const std::string& dir) {
  std::vector<std::string> found;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.find(".tmp") != std::string::npos) found.push_back(e.path().string());
  }
  return found;
}

// The README's rule for --status-interval with --output-format=json: stdout
// is a sequence of JSON documents, each starting with a line that is exactly
// "{" and ending at the next line that is exactly "}"; nothing else is on
// stdout. Fails the test on any line outside a document.
std::vector<json> split_json_stream(const std::string& out) {
  std::vector<json> docs;
  std::istringstream in(out);
  std::string line, doc;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside) {
      INFO("line outside a document: '" << line << "'");
      REQUIRE(line == "{");
      inside = true;
      doc = "{\n";
      continue;
    }
    doc += line + "\n";
    if (line == "}") {
      docs.push_back(json::parse(doc));  // throws (fails the test) when not one valid document
      inside = false;
    }
  }
  CHECK_FALSE(inside);
  return docs;
}

// A 64 KiB tmpfs on a fresh temp dir, unmounted and removed at the end of the
// test. Mounting needs root: without it (or when the mount fails) the process
// exits 77 with the reason, which the cli_root CTest entry (SKIP_RETURN_CODE
// 77) reports as a skip, never as a pass.
struct SmallTmpfs {
  std::string path;
  explicit SmallTmpfs(const std::string& tag) {
    fiokit::test::skip_unless_root("mounting a small tmpfs");
    path = make_temp_dir(tag);
    if (::mount("none", path.c_str(), "tmpfs", 0, "size=64k") != 0) {
      const std::string why = std::strerror(errno);
      fs::remove(path);
      fiokit::test::skip("mount -t tmpfs -o size=64k: " + why);
    }
  }
  ~SmallTmpfs() {
    (void)::umount2(path.c_str(), MNT_DETACH);
    std::error_code ec;
    fs::remove(path, ec);
  }
  SmallTmpfs(const SmallTmpfs&) = delete;
  SmallTmpfs& operator=(const SmallTmpfs&) = delete;
};

}  // namespace

TEST_CASE("a full data dir: the report still reaches stdout, stderr names each file and ENOSPC, no temp is left",
          "[root]") {
  const SmallTmpfs fs64k("fullfs");
  const std::string& mnt = fs64k.path;
  // Fill it to the last block.
  {
    std::ofstream fill(mnt + "/fill", std::ios::binary);
    const std::string block(4096, 'x');
    for (int i = 0; i < 64 && fill; ++i) fill << block << std::flush;
  }
  const std::string jobs = make_temp_dir("fullfs-job");
  std::ofstream(jobs + "/full.fio") << "[full]\nioengine=null\nrw=randread\nsize=16m\n";

  auto o = run_fiokit({{"run", "--data-dir=" + mnt, "--output-format=json", jobs + "/full.fio"}});
  INFO(o.err);
  // The benchmark ran and its report is whole: one JSON document on stdout.
  const json doc = json::parse(o.out);
  CHECK(doc["jobs"][0]["read"]["io_bytes"].get<uint64_t>() == 16u << 20);
  // 1: the run's record could not be kept (the house rule for failed I/O).
  CHECK(o.code == 1);
  const std::string run_dir = only_run_dir(mnt);
  for (const char* f : {"/full.fio", "/results.json", "/output.txt"})
    CHECK(o.err.find("cannot write " + run_dir + f + ": No space left on device") != std::string::npos);
  CHECK(o.err.find("the run directory " + run_dir + " is incomplete") != std::string::npos);
  CHECK(temp_files(mnt).empty());
  CHECK_FALSE(fs::exists(run_dir + "/full.fio"));  // no half copy that looks like the job that ran

  // The same with the normal format and a checkpointing run: the text report
  // is complete, and no checkpoint left a temp file either.
  auto n = run_fiokit({{"run", "--data-dir=" + mnt, "--name=t", "--ioengine=null", "--size=1g", "--time_based",
                        "--runtime=3", "--rate_iops=1000"}});
  CHECK(n.code == 1);
  CHECK(n.out.find("Run status group 0 (all jobs):") != std::string::npos);
  CHECK(n.err.find("results.json: No space left on device") != std::string::npos);
  CHECK(temp_files(mnt).empty());
  fs::remove_all(jobs);
}

TEST_CASE("kill -9 mid-run leaves results.json marked incomplete with what was measured") {
  const std::string data = make_temp_dir("killed");
  auto o = run_fiokit({{"run", "--data-dir=" + data, "--output-format=json", "--name=k", "--ioengine=null",
                        "--rw=randread", "--size=1g", "--time_based", "--runtime=8", "--rate_iops=2000"},
                       "", "", SIGKILL, 5500ms});
  REQUIRE(o.code == 128 + SIGKILL);
  CHECK(o.out.empty());  // killed before the report
  const std::string run_dir = only_run_dir(data);
  const json doc = json::parse(read_text(run_dir + "/results.json"));
  CHECK(doc["fiokit"]["incomplete"] == true);
  CHECK(doc["fiokit"]["interrupted"] == true);  // so compare refuses it as it refuses interrupted runs
  CHECK(doc["fiokit"]["snapshot_time"].get<std::string>().size() == 24);  // 2026-11-26T09:10:02.250Z
  const int64_t snap = doc["fiokit"]["snapshot_timestamp_ms"].get<int64_t>();
  const int64_t start = doc["timestamp_ms"].get<int64_t>();
  CHECK(snap - start >= 1500);  // the 2 s checkpoint at least (asked 300 ms ahead)
  CHECK(snap - start <= 5500);
  const auto& job = doc["jobs"][0];
  CHECK(job["jobname"] == "k");
  CHECK(job["read"]["io_bytes"].get<uint64_t>() > 0);
  // 2000 IOPS: the figures are the snapshot's, not a final run's 8 s.
  CHECK(job["read"]["total_ios"].get<uint64_t>() <= 2000u * 6);
  CHECK(job["job_runtime"].get<uint64_t>() < 6000);
  // compare reads it and refuses it cleanly, as any interrupted run.
  auto cmp = run_fiokit({{"compare", run_dir, run_dir}});
  CHECK(cmp.code == 2);
  CHECK(cmp.err.find("was interrupted") != std::string::npos);
  fs::remove_all(data);
}

TEST_CASE("a completed run replaces its checkpoint with the complete results.json") {
  const std::string data = make_temp_dir("ckpt");
  auto o = run_fiokit({{"run", "--data-dir=" + data, "--output-format=json", "--name=c", "--ioengine=null", "--size=1g",
                        "--time_based", "--runtime=3", "--rate_iops=1000"}});
  REQUIRE(o.code == 0);
  const json doc = json::parse(read_text(only_run_dir(data) + "/results.json"));
  CHECK_FALSE(doc["fiokit"].contains("incomplete"));
  CHECK(doc["fiokit"]["interrupted"] == false);
  CHECK(doc["jobs"][0]["read"]["total_ios"].get<uint64_t>() >= 2900);
  CHECK(temp_files(data).empty());
  fs::remove_all(data);
}

TEST_CASE("failed repeats are flagged in repeats.json and on stderr, and left out of the statistics") {
  // Repeat 1's verify read finds random bytes (no verify headers); its
  // stonewalled write then lays the headers down, so repeats 2 and 3 verify.
  const std::string dir = make_temp_dir("repfail");
  {
    std::ofstream f(dir + "/f", std::ios::binary);
    for (int i = 0; i < 65536; ++i) f.put(static_cast<char>((i * 2654435761u) >> 13));
  }
  std::ofstream(dir + "/rep.fio") << "[global]\nfilename=" << dir << "/f\nsize=64k\nverify=crc32c\n"
                                  << "[v]\nrw=read\n[w]\nstonewall\nrw=write\ndo_verify=0\n";
  auto o = run_fiokit({{"run", "--allow-clobber", "--data-dir=" + dir + "/data", "--repeat=3", "--output-format=json",
                        dir + "/rep.fio"}});
  INFO(o.err);
  CHECK(o.code == 1);
  CHECK(o.err.find("fiokit: repeat 1/3: FAILED (job 'v': verify failed") != std::string::npos);
  // The job is named once, not "job 'v' failed: job 'v': ...".
  CHECK(o.err.find("fiokit: job 'v' failed: verify failed") != std::string::npos);
  CHECK(o.err.find("fiokit: repeat 2/3: v read") != std::string::npos);
  CHECK(o.err.find("fiokit: repeat 3/3: v read") != std::string::npos);
  const json rep = json::parse(read_text(only_run_dir(dir + "/data") + "/repeats.json"));
  REQUIRE(rep.contains("runs"));
  REQUIRE(rep["runs"].size() == 3);
  CHECK(rep["runs"][0]["status"] == "failed");
  CHECK(rep["runs"][0]["error"].get<std::string>().find("verify failed") != std::string::npos);
  CHECK(rep["runs"][1]["status"] == "ok");
  CHECK_FALSE(rep["runs"][1].contains("error"));
  CHECK(rep["runs"][2]["status"] == "ok");
  CHECK(rep["ok"] == 2);
  CHECK(rep["jobs"][0]["jobname"] == "v");
  CHECK(rep["jobs"][0]["read"]["iops"]["values"].size() == 2);
  fs::remove_all(dir);
}

TEST_CASE("a job read from stdin is kept in the run dir as stdin.fio") {
  const std::string data = make_temp_dir("stdin");
  const std::string job = "; from stdin\n[piped]\nioengine=null\nsize=1m\n";
  auto o = run_fiokit({{"run", "--data-dir=" + data, "--output-format=terse", "-"}, job});
  REQUIRE(o.code == 0);
  CHECK(o.out.rfind("3;fiokit-", 0) == 0);  // the job ran from what stdin gave
  CHECK(read_text(only_run_dir(data) + "/stdin.fio") == job);
  // A parse error in stdin still names <stdin> and its line.
  auto bad = run_fiokit({{"run", "--data-dir=" + data, "-"}, "[b]\nioengine=null\nbs=1.5k\n"});
  CHECK(bad.code == 2);
  CHECK(bad.err.find("<stdin>:3") != std::string::npos);
  fs::remove_all(data);
}

TEST_CASE("--status-interval with json: stdout splits into documents by the README's rule, the last one final") {
  const std::string data = make_temp_dir("status");
  auto o = run_fiokit({{"run", "--status-interval=1", "--output-format=json", "--data-dir=" + data, "--name=s",
                        "--ioengine=null", "--rw=randread", "--size=1g", "--rate_iops=1000", "--runtime=3", "--time_based"}});
  REQUIRE(o.code == 0);
  const std::vector<json> docs = split_json_stream(o.out);
  REQUIRE(docs.size() >= 3);  // ~2-3 statuses in 3 s, then the final report
  for (size_t i = 1; i < docs.size(); ++i)
    CHECK(docs[i]["jobs"][0]["read"]["total_ios"] >= docs[i - 1]["jobs"][0]["read"]["total_ios"]);
  CHECK(docs.back()["jobs"][0]["read"]["total_ios"].get<uint64_t>() >= 2900);
  // The run dir's checkpoints never reach stdout.
  for (const json& d : docs) CHECK_FALSE(d["fiokit"].contains("incomplete"));
  fs::remove_all(data);
}

TEST_CASE("fio 3.33's --status-interval json stream obeys the same rule, with as many documents", "[fio]") {
  const std::string dir = make_temp_dir("fiostatus");
  const std::string job = "--status-interval=1 --output-format=json --name=s --ioengine=null --rw=randread --size=1g "
                          "--rate_iops=1000 --runtime=3 --time_based";
  const std::string cmd = "cd '" + dir + "' && fio " + job + " > out.json 2> err.txt";
  REQUIRE(std::system(cmd.c_str()) == 0);
  const std::vector<json> fio_docs = split_json_stream(read_text(dir + "/out.json"));
  CHECK(fio_docs.size() == 4);  // statuses at ~1, 2, 3 s, then the final report
  CHECK(fio_docs.back()["fio version"] == "fio-3.33");
  std::vector<std::string> args = {"run"};
  std::istringstream words(job);
  for (std::string w; words >> w;) args.push_back(w);
  auto o = run_fiokit({args});
  REQUIRE(o.code == 0);
  const std::vector<json> ours = split_json_stream(o.out);
  CHECK(ours.size() == fio_docs.size());
  fs::remove_all(dir);
}

TEST_CASE("a job log the full data dir cannot hold is a run-dir failure, not a failed job", "[root]") {
  const SmallTmpfs fs64k("fulllog");
  const std::string& mnt = fs64k.path;
  // 20000 rows a second in each of three latency logs: far more than 64 KiB.
  auto o = run_fiokit({{"run", "--data-dir=" + mnt, "--output-format=json", "--name=w", "--ioengine=null", "--rw=write",
                        "--size=1g", "--time_based", "--runtime=2", "--rate_iops=20000", "--write_lat_log",
                        "--log_avg_msec=0"}});
  INFO(o.err);
  const json doc = json::parse(o.out);
  // fio 3.33 on the same tmpfs: exit 0, "error": 0, a short log. The job's
  // figures are the I/O's, whatever became of its log.
  CHECK(doc["jobs"][0]["error"] == 0);
  CHECK(doc["jobs"][0]["write"]["total_ios"].get<uint64_t>() > 20000);
  CHECK(o.err.find("failed:") == std::string::npos);
  // The log is named with the real errno, with the run dir's other files.
  const std::string run_dir = only_run_dir(mnt);
  CHECK(o.err.find("fiokit: error: cannot write log file " + run_dir + "/w_") != std::string::npos);
  CHECK(o.err.find(".1.log: No space left on device") != std::string::npos);
  CHECK(o.err.find("the run directory " + run_dir + " is incomplete") != std::string::npos);
  CHECK(o.code == 1);
}

TEST_CASE("job files named like the run dir's own files keep their contents; the run keeps its files") {
  const std::string dir = make_temp_dir("ownnames");
  fs::create_directories(dir + "/x");
  std::ofstream(dir + "/x/stdin.fio") << "[a]\nioengine=null\nsize=1m\n";
  std::ofstream(dir + "/x/repeats") << "[r]\nioengine=null\nsize=1m\n";
  std::ofstream(dir + "/x/results.json") << "[j]\nioengine=null\nsize=1m\n";
  const std::string piped = "[b]\nioengine=null\nsize=1m\n";
  auto o = run_fiokit({{"run", "--data-dir=" + dir + "/data", "--repeat=2", "--output-format=terse", dir + "/x/stdin.fio",
                        dir + "/x/repeats", dir + "/x/results.json", "-"},
                       piped});
  INFO(o.err);
  REQUIRE(o.code == 0);
  const std::string run_dir = only_run_dir(dir + "/data");
  CHECK(read_text(run_dir + "/stdin.fio") == piped);
  CHECK(read_text(run_dir + "/2-stdin.fio") == read_text(dir + "/x/stdin.fio"));
  CHECK(read_text(run_dir + "/2-repeats") == read_text(dir + "/x/repeats"));
  CHECK(read_text(run_dir + "/2-results.json") == read_text(dir + "/x/results.json"));
  for (const char* f : {"/results.json", "/repeats/1/results.json", "/repeats/2/results.json"})
    CHECK(json::parse(read_text(run_dir + f))["jobs"].size() == 4);
  fs::remove_all(dir);
}

TEST_CASE("kill -9 before the first 2 s checkpoint or during startdelay leaves results.json marked incomplete") {
  for (const char* delay : {"0", "5"}) {
    INFO("startdelay=" << delay);
    const std::string data = make_temp_dir("early");
    auto o = run_fiokit({{"run", "--data-dir=" + data, "--output-format=json", "--name=e", "--ioengine=null", "--size=1g",
                          "--time_based", "--runtime=8", "--rate_iops=2000", std::string("--startdelay=") + delay},
                         "", "", SIGKILL, 1000ms});
    REQUIRE(o.code == 128 + SIGKILL);
    const std::string run_dir = only_run_dir(data);
    REQUIRE(fs::exists(run_dir + "/results.json"));
    const json doc = json::parse(read_text(run_dir + "/results.json"));
    CHECK(doc["fiokit"]["incomplete"] == true);
    CHECK(doc["fiokit"]["interrupted"] == true);
    CHECK(doc["jobs"][0]["jobname"] == "e");
    auto cmp = run_fiokit({{"compare", run_dir, run_dir}});
    CHECK(cmp.code == 2);
    CHECK(cmp.err.find("was interrupted") != std::string::npos);
    fs::remove_all(data);
  }
}

TEST_CASE("kill -9 during repeat 2: the top level is not a whole run and compare names the interrupted repeat") {
  const std::string data = make_temp_dir("killrep");
  auto o = run_fiokit({{"run", "--data-dir=" + data, "--output-format=json", "--repeat=3", "--name=r", "--ioengine=null",
                        "--size=1g", "--time_based", "--runtime=2", "--rate_iops=2000"},
                       "", "", SIGKILL, 3000ms});
  REQUIRE(o.code == 128 + SIGKILL);
  const std::string run_dir = only_run_dir(data);
  const json top = json::parse(read_text(run_dir + "/results.json"));
  CHECK(top["fiokit"]["incomplete"] == true);  // repeat 1's figures, but the series did not end
  CHECK(top["jobs"][0]["read"]["io_bytes"].get<uint64_t>() > 0);
  const json rep1 = json::parse(read_text(run_dir + "/repeats/1/results.json"));
  CHECK_FALSE(rep1["fiokit"].contains("incomplete"));
  for (const char* f : {"/repeats/2/results.json", "/repeats/3/results.json"})
    CHECK(json::parse(read_text(run_dir + f))["fiokit"]["incomplete"] == true);
  auto cmp = run_fiokit({{"compare", run_dir, run_dir}});
  CHECK(cmp.code == 2);
  CHECK(cmp.err.find("repeat 2 (" + run_dir + "/repeats/2/results.json) was interrupted") != std::string::npos);
  CHECK(cmp.err.find("cannot read") == std::string::npos);
  fs::remove_all(data);
}
