// The fiokit binary as a user meets it: subcommands, help, exit codes (0 ok,
// 1 failed I/O, 2 usage/parse error, 130/143 after a signal), pure JSON on
// stdout with every message on stderr, and results kept when interrupted.
#include <catch2/catch.hpp>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <nlohmann/json.hpp>

#include "subprocess.hpp"

using fiokit::test::make_temp_dir;
using fiokit::test::run_fiokit;
using fiokit::test::RunSpec;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

TEST_CASE("version, help and unknown commands") {
  auto v = run_fiokit({{"--version"}});
  CHECK(v.code == 0);
  CHECK(v.out.rfind("fiokit ", 0) == 0);
  auto h = run_fiokit({{"--help"}});
  CHECK(h.code == 0);
  CHECK(h.out.find("run") != std::string::npos);
  auto rh = run_fiokit({{"run", "--help"}});
  CHECK(rh.code == 0);
  CHECK(rh.out.find("--output-format") != std::string::npos);
  auto bad = run_fiokit({{"frobnicate"}});
  CHECK(bad.code == 2);
  CHECK(bad.out.empty());
  auto none = run_fiokit({{}});
  CHECK(none.code == 2);
}

TEST_CASE("parse errors exit 2 naming option, file and line, and run nothing") {
  auto dir = make_temp_dir("cli");
  std::ofstream(dir + "/bad.fio") << "[global]\nioengine=null\nsize=1m\n[a]\nrw=read\nbs=1.5k\n";
  auto o = run_fiokit({{"run", "--output-format=json", dir + "/bad.fio"}});
  CHECK(o.code == 2);
  CHECK(o.out.empty());  // nothing on stdout: a JSON consumer sees no half document
  CHECK(o.err.find("'bs'") != std::string::npos);
  CHECK(o.err.find("bad.fio:6") != std::string::npos);
  auto typo = run_fiokit({{"run", "--parse-only", "--name=a", "--numjob=2"}});
  CHECK(typo.code == 2);
  CHECK(typo.err.find("did you mean '--numjobs'?") != std::string::npos);
  auto fmt = run_fiokit({{"run", "--output-format=xml", "--name=a"}});
  CHECK(fmt.code == 2);
  auto missing = run_fiokit({{"run", "--parse-only", dir + "/nope.fio"}});
  CHECK(missing.code == 2);
  CHECK(missing.err.find("nope.fio") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("--max-jobs runs every job as fio 3.33 does, warns when exceeded, rejects junk") {
  auto ok = run_fiokit({{"run", "--parse-only", "--max-jobs=16", "--name=a", "--numjobs=2"}});
  CHECK(ok.code == 0);
  CHECK(ok.err.empty());
  auto over = run_fiokit({{"run", "--output-format=json", "--max-jobs=1", "--ioengine=null", "--size=64k", "--name=a", "--name=b"}});
  CHECK(over.code == 0);
  CHECK(over.err.find("--max-jobs=1") != std::string::npos);
  CHECK(nlohmann::json::parse(over.out)["jobs"].size() == 2);  // JSON stays pure
  CHECK(run_fiokit({{"run", "--parse-only", "--warnings-fatal", "--max-jobs=1", "--name=a", "--name=b"}}).code == 2);
  auto junk = run_fiokit({{"run", "--parse-only", "--max-jobs=abc", "--name=a"}});
  CHECK(junk.code == 2);
  CHECK(junk.err.find("--max-jobs") != std::string::npos);
}

TEST_CASE("--parse-only, --showcmd, --cmdhelp and stdin job files") {
  auto ok = run_fiokit({{"run", "--parse-only", "-"}, "[a]\nrw=randread\nbs=4k\nsize=1m\n"});
  CHECK(ok.code == 0);
  CHECK(ok.out.empty());
  auto sc = run_fiokit({{"run", "--showcmd", "--size=1m", "--name=a", "--rw=randread", "--name=b"}});
  CHECK(sc.code == 0);
  CHECK(sc.out == "fiokit run --name=a --size=1m --rw=randread --name=b --size=1m\n");
  auto ch = run_fiokit({{"run", "--cmdhelp=iodepth"}});
  CHECK(ch.code == 0);
  CHECK(ch.out.find("default") != std::string::npos);
  auto chu = run_fiokit({{"run", "--cmdhelp=iodept"}});
  CHECK(chu.code == 2);
  CHECK(chu.err.find("did you mean 'iodepth'") != std::string::npos);
  auto sec = run_fiokit({{"run", "--showcmd", "--section=b", "-"}, "[a]\nsize=1m\n[b]\nsize=2m\n"});
  CHECK(sec.out == "fiokit run --name=b --size=2m\n");
}

TEST_CASE("a null-engine job writes pure JSON and a run directory") {
  auto dir = make_temp_dir("cli");
  auto o = run_fiokit({{"run", "--output-format=json", "--data-dir=" + dir, "--name=n", "--ioengine=null",
                        "--rw=randread", "--size=4m", "--bs=4k"}});
  REQUIRE(o.code == 0);
  auto doc = nlohmann::json::parse(o.out);  // throws if anything else is on stdout
  REQUIRE(doc["jobs"].size() == 1);
  CHECK(doc["jobs"][0]["jobname"] == "n");
  CHECK(doc["jobs"][0]["read"]["io_bytes"] == 4 * 1024 * 1024);
  CHECK(doc["jobs"][0]["read"]["total_ios"] == 1024);
  auto runs = fs::path(dir) / "runs";
  REQUIRE(fs::exists(runs));
  auto run = fs::directory_iterator(runs)->path();
  CHECK(fs::exists(run / "results.json"));
  CHECK(fs::exists(run / "output.txt"));
  CHECK(o.err.find(run.string()) != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("SIGINT stops the run within a second and keeps the results") {
  auto dir = make_temp_dir("cli");
  RunSpec spec{{"run", "--output-format=json", "--data-dir=" + dir, "--name=spin", "--ioengine=null", "--rw=randread",
                "--size=1g", "--time_based", "--runtime=30", "--write_bw_log=spin", "--log_avg_msec=100"}};
  spec.signal = SIGINT;
  spec.signal_after = 1500ms;
  auto o = run_fiokit(spec);
  CHECK(o.code == 130);
  CHECK(o.elapsed < 3500ms);
  auto doc = nlohmann::json::parse(o.out);
  CHECK(doc["fiokit"]["interrupted"] == true);
  CHECK(doc["jobs"][0]["read"]["total_ios"].get<uint64_t>() > 0);
  CHECK(o.out.find("signal") != std::string::npos);  // the flag, not a message
  CHECK(o.err.find("SIGINT") != std::string::npos);
  auto run = fs::directory_iterator(fs::path(dir) / "runs")->path();
  std::ifstream log(run / "spin_bw.1.log");
  std::string line;
  int rows = 0;
  while (std::getline(log, line)) ++rows;
  CHECK(rows >= 5);  // 100 ms windows over ~1.5 s
  fs::remove_all(dir);
}

TEST_CASE("SIGTERM exits 143") {
  RunSpec spec{{"run", "--output-format=terse", "--name=spin", "--ioengine=null", "--size=1g", "--time_based",
                "--runtime=30"}};
  spec.signal = SIGTERM;
  // Late enough that the run's signal handling is set up even under ASan on
  // busy cores (before it, the default action ends the process: 143 too, but
  // no report).
  spec.signal_after = 1500ms;
  auto o = run_fiokit(spec);
  CHECK(o.code == 143);
  CHECK(o.elapsed < 5000ms);  // the 30 s runtime cut short
  CHECK(o.out.find(";spin;") != std::string::npos);
}

TEST_CASE("a failed I/O exits 1 with the path in the message") {
  // /dev/full answers every write with ENOSPC: a real I/O failure, recorded as data.
  auto o = run_fiokit({{"run", "--output-format=json", "--name=f", "--rw=write", "--size=64k", "--filename=/dev/full"}});
  CHECK(o.code == 1);
  CHECK(o.err.find("/dev/full") != std::string::npos);
  CHECK(o.err.find("No space left") != std::string::npos);
  auto doc = nlohmann::json::parse(o.out);  // still one pure JSON document
  CHECK(doc["jobs"][0]["error"] == 28);
}

TEST_CASE("a read job on a user's too-small file is refused and the file kept") {
  auto dir = make_temp_dir("cli");
  // fio 3.33 would delete and re-lay the user's file; fiokit refuses before any I/O.
  std::ofstream(dir + "/user.dat") << "precious";
  auto o = run_fiokit({{"run", "--name=r", "--rw=read", "--size=1m", "--filename=" + dir + "/user.dat"}});
  CHECK(o.code == 2);
  CHECK(o.err.find("user.dat") != std::string::npos);
  std::ifstream in(dir + "/user.dat");
  std::string content((std::istreambuf_iterator<char>(in)), {});
  CHECK(content == "precious");
  fs::remove_all(dir);
}

TEST_CASE("--repeat keeps every repeat and a summary; compare reads them") {
  auto dir = make_temp_dir("cli");
  auto o = run_fiokit({{"run", "--repeat", "3", "--output-format=json", "--data-dir=" + dir, "--name=n", "--ioengine=null",
                        "--rw=randread", "--size=8m"}});
  REQUIRE(o.code == 0);
  auto doc = nlohmann::json::parse(o.out);  // one document: repeat 1
  CHECK(doc["jobs"].size() == 1);
  auto run = fs::directory_iterator(fs::path(dir) / "runs")->path();
  for (int i = 1; i <= 3; ++i) CHECK(fs::exists(run / "repeats" / std::to_string(i) / "results.json"));
  std::ifstream in(run / "repeats.json");
  auto summary = nlohmann::json::parse(in);
  CHECK(summary["repeats"] == 3);
  auto cmp = run_fiokit({{"compare", run.string(), run.string()}});
  CHECK(cmp.code == 0);
  auto bad = run_fiokit({{"run", "--repeat", "0", "--name=n", "--ioengine=null", "--size=1m"}});
  CHECK(bad.code == 2);
  fs::remove_all(dir);
}

TEST_CASE("preflight problems exit 2 before any I/O and list every problem") {
  auto dir = make_temp_dir("cli");
  std::ofstream(dir + "/user.dat") << "precious";
  auto o = run_fiokit({{"run", "--name=w", "--rw=write", "--size=1m", "--filename=" + dir + "/user.dat", "--name=m",
                        "--rw=write", "--size=1m", "--directory=" + dir + "/missing/deeper"}});
  CHECK(o.code == 2);
  CHECK(o.err.find("user.dat") != std::string::npos);
  CHECK(o.err.find("missing") != std::string::npos);
  std::ifstream in(dir + "/user.dat");
  std::string content((std::istreambuf_iterator<char>(in)), {});
  CHECK(content == "precious");
  auto allowed = run_fiokit({{"run", "--allow-clobber", "--name=w", "--rw=write", "--size=64k", "--filename=" + dir + "/user.dat"}});
  CHECK(allowed.code == 0);
  fs::remove_all(dir);
}

TEST_CASE("--status-interval prints the cumulative results so far, then the final ones") {
  auto o = run_fiokit({{"run", "--status-interval=500ms", "--output-format=json", "--name=n", "--ioengine=null",
                        "--rw=randread", "--size=1g", "--rate_iops=2000", "--runtime=2", "--time_based"}});
  REQUIRE(o.code == 0);
  // One JSON document per status and one at the end, as fio collates them.
  std::vector<uint64_t> ios;
  size_t pos = 0;
  while ((pos = o.out.find("{\n", pos)) != std::string::npos) {
    size_t end = o.out.find("\n}\n", pos);
    REQUIRE(end != std::string::npos);
    auto doc = nlohmann::json::parse(o.out.substr(pos, end + 2 - pos));
    ios.push_back(doc["jobs"][0]["read"]["total_ios"].get<uint64_t>());
    pos = end + 3;
  }
  REQUIRE(ios.size() >= 3);  // ~3 statuses in 2 s, then the final report
  for (size_t i = 1; i < ios.size(); ++i) CHECK(ios[i] >= ios[i - 1]);
  CHECK(ios.front() > 0);
  CHECK(ios.back() >= 3900);  // 2000 IOPS for 2 s
  auto bad = run_fiokit({{"run", "--status-interval=0", "--name=n", "--ioengine=null", "--size=1m"}});
  CHECK(bad.code == 2);
}

TEST_CASE("--eta=always draws fio's progress line on stderr only; --eta=never and pipes get none") {
  const std::vector<std::string> job = {"--output-format=json", "--name=n", "--ioengine=null", "--rw=randread",
                                        "--size=1g", "--rate_iops=5000", "--runtime=2", "--time_based"};
  std::vector<std::string> always = {"run", "--eta=always"};
  always.insert(always.end(), job.begin(), job.end());
  auto o = run_fiokit({always});
  REQUIRE(o.code == 0);
  CHECK(o.err.find("Jobs: 1 (f=1): [r(1)][") != std::string::npos);
  CHECK(o.err.find(" IOPS][eta ") != std::string::npos);
  // fio's last line is its last tick with the job running, never "Jobs: 0".
  CHECK(o.err.find("Jobs: 0") == std::string::npos);
  CHECK_NOTHROW(nlohmann::json::parse(o.out));  // stdout stays one JSON document
  std::vector<std::string> never = {"run", "--eta=never"};
  never.insert(never.end(), job.begin(), job.end());
  CHECK(run_fiokit({never}).err.find("Jobs:") == std::string::npos);
  // auto: stderr is a pipe here, so no progress line either.
  std::vector<std::string> piped = {"run"};
  piped.insert(piped.end(), job.begin(), job.end());
  CHECK(run_fiokit({piped}).err.find("Jobs:") == std::string::npos);
}

TEST_CASE("normal output opens as fio 3.33's: job headers, '...' for clones, version, Starting N") {
  auto o = run_fiokit({{"run", "--eta=never", "--ioengine=null", "--size=256k", "--name=a", "--bs=64k", "--name=b",
                        "--rw=randrw", "--bsrange=512-1m", "--numjobs=2", "--thread", "--name=c", "--rw=write",
                        "--bs=1m,4k", "--iodepth=8"}});
  REQUIRE(o.code == 0);
  std::istringstream in(o.out);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  REQUIRE(lines.size() > 8);
  CHECK(lines[0] == "a: (g=0): rw=read, bs=(R) 64.0KiB-64.0KiB, (W) 64.0KiB-64.0KiB, (T) 64.0KiB-64.0KiB, ioengine=null, iodepth=1");
  CHECK(lines[1] == "b: (g=0): rw=randrw, bs=(R) 512B-1024KiB, (W) 512B-1024KiB, (T) 512B-1024KiB, ioengine=null, iodepth=1");
  CHECK(lines[2] == "...");
  CHECK(lines[3] == "c: (g=0): rw=write, bs=(R) 1024KiB-1024KiB, (W) 4096B-4096B, (T) 4096B-4096B, ioengine=null, iodepth=8");
  CHECK(std::regex_match(lines[4], std::regex(R"(fiokit-\d+\.\d+\.\d+)")));
  CHECK(lines[5] == "Starting 2 threads and 2 processes");
  CHECK(lines[6].empty());
  CHECK(lines[7].rfind("a: (groupid=0, jobs=1): err= 0: pid=", 0) == 0);
  // Real thread ids, one per job, never 0.
  std::set<long> pids;
  const std::regex pid_re(R"(\(groupid=\d+, jobs=1\): err= 0: pid=(\d+): )");
  for (const auto& l : lines) {
    std::smatch m;
    if (std::regex_search(l, m, pid_re)) pids.insert(std::stol(m[1]));
  }
  CHECK(pids.size() == 4);
  CHECK(pids.count(0) == 0);
  // The wording for one job; json has none of these lines.
  auto one = run_fiokit({{"run", "--ioengine=null", "--size=64k", "--name=x"}});
  CHECK(one.out.find("\nStarting 1 process\n\n") != std::string::npos);
  auto json = run_fiokit({{"run", "--output-format=json", "--ioengine=null", "--size=64k", "--name=x"}});
  CHECK(json.out.rfind("{", 0) == 0);
}

TEST_CASE("several formats come in fio 3.33's order: terse, json, normal, whatever the list's") {
  auto o = run_fiokit({{"run", "--output-format=normal,json,terse", "--ioengine=null", "--size=64k", "--name=x"}});
  REQUIRE(o.code == 0);
  const size_t start = o.out.find("\nStarting 1 process\n"), terse = o.out.find("\n3;fiokit-"),
               json = o.out.find("\n{\n"), normal = o.out.find("}\n\nx: (groupid=0");
  CHECK(start < terse);
  CHECK(terse < json);
  CHECK(json < normal);
  CHECK(normal != std::string::npos);
}

TEST_CASE("normal output says which files it lays out, as fio 3.33, once per new file") {
  auto dir = make_temp_dir("cli");
  const std::vector<std::string> a = {"run", "--directory=" + dir, "--name=m", "--rw=read", "--size=3m", "--nrfiles=3",
                                      "--name=k", "--rw=write", "--size=1m", "--filename=zz", "--name=again",
                                      "--rw=read", "--size=1m", "--filename=zz"};
  auto o = run_fiokit({a});
  REQUIRE(o.code == 0);
  CHECK(o.out.find("\nm: Laying out IO files (3 files / total 3MiB)\nk: Laying out IO file (1 file / 1MiB)\n\n") !=
        std::string::npos);
  CHECK(o.out.find("again: Laying out") == std::string::npos);  // zz exists by then
  CHECK(run_fiokit({a}).out.find("Laying out") == std::string::npos);  // every file exists now
  fs::remove_all(dir);
}

TEST_CASE("json: fiokit-VERSION, fio's global options and job options, disk_util=0") {
  auto o = run_fiokit({{"run", "--output-format=json", "--ioengine=null", "--size=64k", "--bs=8k", "--name=a",
                        "--rw=randread", "--norandommap", "--disk_util=0"}});
  REQUIRE(o.code == 0);
  auto doc = nlohmann::ordered_json::parse(o.out);
  CHECK(std::regex_match(doc["fio version"].get<std::string>(), std::regex(R"(fiokit-\d+\.\d+\.\d+)")));
  // As fio 3.33: options before the first --name are global options; a
  // command-line job's own options start with its name; options given
  // without a value (--norandommap) are not listed.
  CHECK(doc["global options"] == nlohmann::ordered_json({{"ioengine", "null"}, {"size", "64k"}, {"bs", "8k"}}));
  CHECK(doc["jobs"][0]["job options"] ==
        nlohmann::ordered_json({{"name", "a"}, {"rw", "randread"}, {"disk_util", "0"}}));
  CHECK(!doc.contains("disk_util"));
  // A job file: [global] options are global options, a section's its own;
  // no [global] (or an empty one): no "global options" object, as fio.
  auto dir = make_temp_dir("cli");
  std::ofstream(dir + "/g.fio") << "[global]\nioengine=null\nsize=64k\n[r]\nrw=read\n[w]\nrw=write\n";
  std::ofstream(dir + "/n.fio") << "[global]\n[r]\nioengine=null\nsize=64k\n";
  doc = nlohmann::ordered_json::parse(run_fiokit({{"run", "--output-format=json", dir + "/g.fio"}}).out);
  CHECK(doc["global options"] == nlohmann::ordered_json({{"ioengine", "null"}, {"size", "64k"}}));
  CHECK(doc["jobs"][1]["job options"] == nlohmann::ordered_json({{"rw", "write"}}));
  doc = nlohmann::ordered_json::parse(run_fiokit({{"run", "--output-format=json", dir + "/n.fio"}}).out);
  CHECK(!doc.contains("global options"));
  fs::remove_all(dir);
}

TEST_CASE("disable_lat/clat/slat/bw_measurement and gtod_reduce report those figures as not measured, as fio") {
  auto run_json = [](const std::string& opt) {
    auto o = run_fiokit({{"run", "--output-format=json", "--ioengine=null", "--size=1m", "--name=a", opt}});
    REQUIRE(o.code == 0);
    CHECK(o.err.empty());  // no warning: the option does what fio's does to the report
    return nlohmann::json::parse(o.out)["jobs"][0]["read"];
  };
  auto r = run_json("--disable_lat=1");
  CHECK(r["lat_ns"]["N"] == 0);
  CHECK(r["clat_ns"]["N"] == 256);
  r = run_json("--disable_clat=1");
  CHECK(r["clat_ns"]["N"] == 0);
  CHECK(!r["clat_ns"].contains("percentile"));
  CHECK(r["lat_ns"]["N"] == 256);
  r = run_json("--gtod_reduce=1");
  CHECK(r["lat_ns"]["N"] == 0);
  CHECK(r["clat_ns"]["N"] == 0);
  CHECK(r["bw_samples"] == 0);
  CHECK(r["total_ios"] == 256);  // the I/O itself still counts
}

TEST_CASE("--readonly refuses jobs that write or trim; --parse-only with no job exits 0") {
  auto w = run_fiokit({{"run", "--readonly", "--ioengine=null", "--size=64k", "--name=r", "--name=w", "--rw=randwrite"}});
  CHECK(w.code == 2);
  CHECK(w.out.empty());
  CHECK(w.err.find("job 'w'") != std::string::npos);
  CHECK(w.err.find("--readonly") != std::string::npos);
  CHECK(w.err.find("rw=randwrite") != std::string::npos);
  auto t = run_fiokit({{"run", "--readonly", "--parse-only", "-"}, "[t]\nioengine=null\nsize=64k\nrw=trim\n"});
  CHECK(t.code == 2);
  CHECK(t.err.find("<stdin>:4") != std::string::npos);
  auto r = run_fiokit({{"run", "--readonly", "--ioengine=null", "--size=64k", "--name=r", "--rw=randread"}});
  CHECK(r.code == 0);
  auto p = run_fiokit({{"run", "--parse-only"}});
  CHECK(p.code == 0);
  CHECK(p.out.empty());
  CHECK(p.err.empty());
  CHECK(run_fiokit({{"run"}}).code == 2);  // a run with no job is still a usage error
}

TEST_CASE("unified_rw_reporting: mixed and both blocks in normal, json and terse") {
  const std::vector<std::string> job = {"--ioengine=null", "--size=256k", "--name=u", "--rw=randrw"};
  auto run_with = [&](const char* mode, const char* format) {
    std::vector<std::string> a = {"run", std::string("--output-format=") + format,
                                  std::string("--unified_rw_reporting=") + mode};
    a.insert(a.end(), job.begin(), job.end());
    auto o = run_fiokit({a});
    REQUIRE(o.code == 0);
    return o.out;
  };
  const std::string mixed = run_with("mixed", "normal");
  CHECK(mixed.find("\n  mixed: IOPS=") != std::string::npos);
  CHECK(mixed.find("\n  read: IOPS=") == std::string::npos);
  CHECK(mixed.find("\n  MIXED: bw=") != std::string::npos);
  CHECK(mixed.find("\n   READ: bw=") == std::string::npos);
  const std::string both = run_with("2", "normal");
  CHECK(both.find("\n  read: IOPS=") < both.find("\n  mixed: IOPS="));
  CHECK(both.find("\n  WRITE: bw=") < both.find("\n  MIXED: bw="));
  auto doc = nlohmann::json::parse(run_with("1", "json"));
  CHECK(doc["jobs"][0]["mixed"]["total_ios"] == 64);
  CHECK(!doc["jobs"][0].contains("read"));
  auto fields = [](const std::string& line) { return std::count(line.begin(), line.end(), ';') + 1; };
  CHECK(fields(run_with("none", "terse")) - fields(run_with("mixed", "terse")) == 41);
  CHECK(fields(run_with("both", "terse")) - fields(run_with("none", "terse")) == 41);
  CHECK(run_fiokit({{"run", "--parse-only", "--name=u", "--unified_rw_reporting=all"}}).code == 2);
}
