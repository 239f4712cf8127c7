// `fiokit container` as a process, the way an image runs it, minus the image:
// environment variables, a temporary data dir and a local HTTP server. Checks
// the exit codes and messages of the documented failure cases, that runs land
// in new runs/<time>-<label>/ dirs while every file already in the data dir
// keeps its bytes, and that plots, serve and aio stop within 2 s of SIGTERM.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "local_server.hpp"
#include "subprocess.hpp"

namespace fs = std::filesystem;
using fiokit::test::slurp;
using fiokit::test::LocalServer;
using fiokit::test::Outcome;
using fiokit::test::RunSpec;

namespace {

const char* kVars[] = {"JOBFILES", "REMOTEFILES", "PLOTNAME", "FIOKIT_DATA_DIR", "FIOKIT_RUN", "FIOKIT_ALLOW_HTTP",
                       "FIOKIT_TRUST_REMOTE", "FIOKIT_BIND", "FIOKIT_PORT"};

// Runs `fiokit container ARGS` with exactly `env` among the container variables.
Outcome run_container(std::vector<std::string> args, const std::map<std::string, std::string>& env, int sig = 0,
                      int sig_after_ms = 0) {
  for (const char* v : kVars) unsetenv(v);
  for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
  RunSpec spec;
  args.insert(args.begin(), "container");
  spec.args = args;
  spec.signal = sig;
  spec.signal_after = std::chrono::milliseconds(sig_after_ms);
  spec.timeout = std::chrono::milliseconds(60000);
  Outcome o = fiokit::test::run_fiokit(spec);
  for (const char* v : kVars) unsetenv(v);
  return o;
}

// Every file under dir except runs/, with its bytes.
std::map<std::string, std::string> snapshot(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    if (it->path().filename() == "runs" && it.depth() == 0) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) out[fs::relative(it->path(), dir).string()] = slurp(it->path());
  }
  return out;
}

std::vector<fs::path> runs_of(const std::string& data) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(data) / "runs", ec))
    if (e.is_directory()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

const char* kWriteJob =
    "[w]\n"
    "ioengine=psync\n"
    "rw=write\n"
    "bs=4k\n"
    "size=256k\n"
    "write_bw_log=w\n"
    "write_iops_log=w\n"
    "write_lat_log=w\n";

struct DataDir {
  std::string dir = fiokit::test::make_temp_dir("container");
  DataDir() {
    fs::create_directories(dir + "/sub");
    std::ofstream(dir + "/job.fio") << kWriteJob;
    std::ofstream(dir + "/other.fio") << "[o]\nioengine=null\nsize=1m\n";
    std::ofstream(dir + "/keep.txt") << "user data, not ours\n";
    std::ofstream(dir + "/sub/notes.md") << "# notes\n";
  }
  ~DataDir() { fs::remove_all(dir); }
};

bool has_png(const fs::path& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".png" && e.file_size() > 0) return true;
  return false;
}

}  // namespace

TEST_CASE("usage errors exit 2", "[entry]") {
  CHECK(run_container({}, {}).code == 2);
  const Outcome o = run_container({"tol"}, {});
  CHECK(o.code == 2);
  CHECK_THAT(o.err, Catch::Contains("unknown image role 'tol'"));
  CHECK(run_container({"--help"}, {}).code == 0);
}

TEST_CASE("JOBFILES unset or missing: exit 2 listing the .fio files present", "[entry]") {
  DataDir d;
  const auto before = snapshot(d.dir);
  Outcome o = run_container({"tool"}, {{"FIOKIT_DATA_DIR", d.dir}});
  CHECK(o.code == 2);
  CHECK_THAT(o.err, Catch::Contains("JOBFILES is not set") && Catch::Contains("job.fio other.fio"));
  o = run_container({"tool"}, {{"FIOKIT_DATA_DIR", d.dir}, {"JOBFILES", "job.fio nope.fio"}});
  CHECK(o.code == 2);
  CHECK_THAT(o.err, Catch::Contains("nope.fio was not found") && Catch::Contains("job.fio other.fio"));
  o = run_container({"tool"}, {{"FIOKIT_DATA_DIR", d.dir + "/absent"}, {"JOBFILES", "job.fio"}});
  CHECK(o.code == 2);
  CHECK_THAT(o.err, Catch::Contains("does not exist"));
  CHECK(runs_of(d.dir).empty());
  CHECK(snapshot(d.dir) == before);
}

TEST_CASE("tool runs into a new run dir and leaves the data dir's files alone", "[entry]") {
  DataDir d;
  const auto before = snapshot(d.dir);
  Outcome o = run_container({"tool"}, {{"FIOKIT_DATA_DIR", d.dir}, {"JOBFILES", "job.fio"}, {"PLOTNAME", "MyTest"}});
  INFO(o.err);
  REQUIRE(o.code == 0);
  auto runs = runs_of(d.dir);
  REQUIRE(runs.size() == 1);
  CHECK_THAT(runs[0].filename().string(), Catch::Matches(R"(\d{8}T\d{6}Z-MyTest)"));
  CHECK(fs::exists(runs[0] / "results.json"));
  CHECK(fs::exists(runs[0] / "job.fio"));
  CHECK(fs::exists(runs[0] / "output.txt"));
  CHECK_THAT(o.out, Catch::Contains("w: "));  // fio's normal output on stdout

  // Without PLOTNAME the run is named after the job; a second run never reuses a dir.
  o = run_container({"tool"}, {{"FIOKIT_DATA_DIR", d.dir}, {"JOBFILES", "job.fio"}});
  REQUIRE(o.code == 0);
  runs = runs_of(d.dir);
  REQUIRE(runs.size() == 2);
  CHECK(runs[0] != runs[1]);
  CHECK((runs[0].filename().string().find("-w") != std::string::npos || runs[1].filename().string().find("-w") != std::string::npos));

  // Every file that was there keeps its bytes (the job's own data file is new).
  const auto after = snapshot(d.dir);
  for (const auto& [path, bytes] : before) {
    INFO(path);
    REQUIRE(after.count(path) == 1);
    CHECK(after.at(path) == bytes);
  }
}

TEST_CASE("REMOTEFILES: fetched into the run dir, refused when unsafe", "[entry]") {
  DataDir d;
  LocalServer srv;
  const auto before = snapshot(d.dir);
  srv.put("remote.fio", std::string(kWriteJob) + "include common.inc\n");
  srv.put("common.inc", "bs=8k\n");
  srv.put("evil.fio", "[global]\nsize=64k\n[e]\nioengine=psync\nexec_prerun=touch /tmp/pwned\n");
  srv.put("uplog.fio", "[e]\nioengine=psync\nrw=write\nsize=64k\nwrite_bw_log=../up\n");

  SECTION("a safe remote job runs; its files go to the run dir, not the data dir") {
    const Outcome o = run_container({"tool"}, {{"FIOKIT_DATA_DIR", d.dir},
                                               {"REMOTEFILES", srv.url("/files/remote.fio") + " " + srv.url("/files/common.inc")},
                                               {"JOBFILES", "remote.fio"},
                                               {"FIOKIT_ALLOW_HTTP", "1"}});
    INFO(o.err);
    REQUIRE(o.code == 0);
    const auto runs = runs_of(d.dir);
    REQUIRE(runs.size() == 1);
    CHECK(slurp(runs[0] / "remote.fio") == std::string(kWriteJob) + "include common.inc\n");
    CHECK(slurp(runs[0] / "common.inc") == "bs=8k\n");
    CHECK(!fs::exists(fs::path(d.dir) / "remote.fio"));
    CHECK(!fs::exists(fs::path(d.dir) / "common.inc"));
  }
  SECTION("http needs FIOKIT_ALLOW_HTTP=1") {
    const Outcome o = run_container({"tool"}, {{"FIOKIT_DATA_DIR", d.dir}, {"REMOTEFILES", srv.url("/files/remote.fio")}, {"JOBFILES", "remote.fio"}});
    CHECK(o.code == 2);
    CHECK_THAT(o.err, Catch::Contains("FIOKIT_ALLOW_HTTP=1"));
  }
  SECTION("a 404 names the URL, exit 2, nothing runs") {
    const Outcome o = run_container({"tool"}, {{"FIOKIT_DATA_DIR", d.dir}, {"REMOTEFILES", srv.url("/files/gone.fio")},
                                               {"JOBFILES", "gone.fio"}, {"FIOKIT_ALLOW_HTTP", "1"}});
    CHECK(o.code == 2);
    CHECK_THAT(o.err, Catch::Contains("REMOTEFILES") && Catch::Contains("/files/gone.fio") && Catch::Contains("HTTP 404"));
  }
  SECTION("exec_prerun in a remote job: refused with option, file and line") {
    const Outcome o = run_container({"tool"}, {{"FIOKIT_DATA_DIR", d.dir}, {"REMOTEFILES", srv.url("/files/evil.fio")},
                                               {"JOBFILES", "evil.fio"}, {"FIOKIT_ALLOW_HTTP", "1"}});
    CHECK(o.code == 2);
    CHECK_THAT(o.err, Catch::Contains("exec_prerun") && Catch::Contains("evil.fio:5") && Catch::Contains("FIOKIT_TRUST_REMOTE=1"));
  }
  SECTION("a log path leaving the run dir: refused, and FIOKIT_TRUST_REMOTE=1 lets it through") {
    std::map<std::string, std::string> env{{"FIOKIT_DATA_DIR", d.dir}, {"REMOTEFILES", srv.url("/files/uplog.fio")},
                                           {"JOBFILES", "uplog.fio"}, {"FIOKIT_ALLOW_HTTP", "1"}};
    Outcome o = run_container({"tool"}, env);
    CHECK(o.code == 2);
    CHECK_THAT(o.err, Catch::Contains("write_bw_log") && Catch::Contains("uplog.fio:5"));
    CHECK(runs_of(d.dir).empty());
    env["FIOKIT_TRUST_REMOTE"] = "1";
    o = run_container({"tool"}, env);
    INFO(o.err);
    CHECK(o.code == 0);
    CHECK(runs_of(d.dir).size() == 1);
  }
  SECTION("a local job file of the same name as nothing fetched is the user's own, unchecked") {
    std::ofstream(d.dir + "/local.fio") << "[l]\nioengine=psync\nrw=write\nsize=64k\nwrite_bw_log=../local\n";
    const Outcome o = run_container({"tool"}, {{"FIOKIT_DATA_DIR", d.dir}, {"JOBFILES", "local.fio"}});
    INFO(o.err);
    CHECK(o.code == 0);
  }
  const auto after = snapshot(d.dir);
  for (const auto& [path, bytes] : before) {
    INFO(path);
    REQUIRE(after.count(path) == 1);
    CHECK(after.at(path) == bytes);
  }
}

TEST_CASE("plots draws the newest run, with fio2gnuplot's arguments too", "[entry]") {
  DataDir d;
  REQUIRE(run_container({"tool"}, {{"FIOKIT_DATA_DIR", d.dir}, {"JOBFILES", "job.fio"}, {"PLOTNAME", "P1"}}).code == 0);
  const fs::path run = runs_of(d.dir).back();
  Outcome o = run_container({"plots"}, {{"FIOKIT_DATA_DIR", d.dir}, {"PLOTNAME", "MyTest"}});
  INFO(o.err);
  REQUIRE(o.code == 0);
  CHECK(has_png(run / "plots"));
  fs::remove_all(run / "plots");
  o = run_container({"plots", "-t", "NAME", "-b", "-g", "-p", "*_bw*"}, {{"FIOKIT_DATA_DIR", d.dir}});
  INFO(o.err);
  REQUIRE(o.code == 0);
  CHECK(has_png(run / "plots"));
  o = run_container({"plots"}, {{"FIOKIT_DATA_DIR", d.dir}, {"FIOKIT_RUN", "no-such-run"}});
  CHECK(o.code == 2);
  CHECK_THAT(o.err, Catch::Contains("no-such-run"));
}

TEST_CASE("plots on a fio-tools data dir: real fio's logs, graphs in a new folder", "[entry][fio]") {
  DataDir d;
  const std::string cmd = "cd " + d.dir + " && fio --name=legacy --rw=write --bs=4k --size=256k --filename=legacy.dat "
                          "--write_bw_log=legacy --write_iops_log=legacy --output=fio.out >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    WARN("SKIP: fio is not installed or failed");
    return;
  }
  const auto before = snapshot(d.dir);
  const Outcome o = run_container({"plots"}, {{"FIOKIT_DATA_DIR", d.dir}, {"PLOTNAME", "Old"}});
  INFO(o.err);
  REQUIRE(o.code == 0);
  std::vector<fs::path> outs;
  for (const auto& e : fs::directory_iterator(d.dir))
    if (e.path().filename().string().rfind("plots-", 0) == 0) outs.push_back(e.path());
  REQUIRE(outs.size() == 1);
  CHECK(has_png(outs[0]));
  const auto after = snapshot(d.dir);
  for (const auto& [path, bytes] : before) {
    INFO(path);
    REQUIRE(after.count(path) == 1);
    CHECK(after.at(path) == bytes);
  }
}

TEST_CASE("plots with nothing to plot is a usage error", "[entry]") {
  DataDir d;
  fs::remove(d.dir + "/job.fio");
  fs::remove(d.dir + "/other.fio");
  const Outcome o = run_container({"plots"}, {{"FIOKIT_DATA_DIR", d.dir}});
  CHECK(o.code == 2);
  CHECK_THAT(o.err, Catch::Contains("nothing to plot"));
}

TEST_CASE("serve and plots stop within 2 s of SIGTERM", "[entry][signal]") {
  DataDir d;
  SECTION("serve") {
    const Outcome o = run_container({"serve"}, {{"FIOKIT_DATA_DIR", d.dir}, {"FIOKIT_BIND", "127.0.0.1"}, {"FIOKIT_PORT", "0"}},
                                    SIGTERM, 500);
    INFO(o.err);
    CHECK(o.code == 0);
    CHECK_THAT(o.err, Catch::Contains("SIGTERM"));
    CHECK(o.elapsed < std::chrono::milliseconds(2500));
  }
  SECTION("plots, while its gnuplot is busy") {
    REQUIRE(run_container({"tool"}, {{"FIOKIT_DATA_DIR", d.dir}, {"JOBFILES", "job.fio"}}).code == 0);
    const Outcome o = run_container({"plots", "-b", "-g", "--gnuplot-cmd", "exec sleep 5 >/dev/null 2>&1"}, {{"FIOKIT_DATA_DIR", d.dir}},
                                    SIGTERM, 500);
    INFO(o.err);
    CHECK(o.code == 143);
    CHECK(o.elapsed < std::chrono::milliseconds(2500));
  }
}

TEST_CASE("aio: run, plot titled PLOTNAME, serve, stop on SIGTERM", "[entry][signal]") {
  DataDir d;
  const int port = fiokit::test::closed_port();
  std::string index;
  int status = 0;
  std::thread client([&] {
    httplib::Client cli("127.0.0.1", port);
    cli.set_connection_timeout(std::chrono::milliseconds(200));
    for (int i = 0; i < 100 && status != 200; ++i) {
      if (auto r = cli.Get("/")) {
        status = r->status;
        index = r->body;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  });
  const Outcome o = run_container({"aio"}, {{"FIOKIT_DATA_DIR", d.dir}, {"JOBFILES", "job.fio"}, {"PLOTNAME", "MyTest"},
                                            {"FIOKIT_BIND", "127.0.0.1"}, {"FIOKIT_PORT", std::to_string(port)}},
                                  SIGTERM, 8000);
  client.join();
  INFO(o.err);
  CHECK(o.code == 0);
  CHECK(status == 200);
  const auto runs = runs_of(d.dir);
  REQUIRE(runs.size() == 1);
  CHECK_THAT(runs[0].filename().string(), Catch::EndsWith("-MyTest"));
  CHECK(has_png(runs[0] / "plots"));
  CHECK(o.elapsed < std::chrono::milliseconds(8000 + 2500));
}
