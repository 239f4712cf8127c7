// Engine behaviour beyond the per-engine conformance suite: refusals and their
// messages, never touching a user's file, groups/stonewall/wait_for/exitall,
// ramp, clones, multiple files, block size mixes and buffer contents.
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>
#include <atomic>
#include <thread>

#include "engine_test_util.hpp"
#include "results/summary.hpp"

using namespace fiokit;
using jobs::RwMode;
using test::make_job;
using test::run_one;

TEST_CASE("an unknown ioengine is a job error, not an exception") {
  test::TempDir d;
  auto j = make_job("nosuch", RwMode::read, d.path);
  auto r = run_one(j);
  CHECK(r.jobs[0].error == EINVAL);
  CHECK_THAT(r.jobs[0].error_message, Catch::Contains("nosuch"));
}

TEST_CASE("libaio refused by aio-max-nr names the engine, errno and the sysctl values") {
  auto e = engine::make_engine("libaio");
  std::vector<engine::IoUnit> units(1);
  engine::EngineSetup s;
  std::ifstream f("/proc/sys/fs/aio-max-nr");
  uint64_t max_nr = 65536;
  f >> max_nr;
  s.iodepth = static_cast<uint32_t>(std::min<uint64_t>(max_nr + 1, 1u << 22));  // above aio-max-nr: EAGAIN
  s.units = &units;
  const int rc = e->init(s);
  REQUIRE(rc < 0);
  if (rc != -EAGAIN) {
    WARN("io_setup answered " << rc << ", not EAGAIN; skipping the message check");
    return;
  }
  CHECK_THAT(e->error_hint(), Catch::Contains("EAGAIN") && Catch::Contains("aio-max-nr = ") && Catch::Contains("aio-nr = "));
}

TEST_CASE("a user's file too small for a read job fails the job and stays as it was") {
  test::TempDir d;
  const std::string p = d.path + "/mine";
  std::ofstream(p) << std::string(4096, 'm');
  auto j = make_job("psync", RwMode::read, d.path, 1 << 20);
  j.filenames = {"mine"};
  auto r = run_one(j);
  CHECK(r.jobs[0].error == EFBIG);
  CHECK_THAT(r.jobs[0].error_message, Catch::Contains(p) && Catch::Contains("did") && Catch::Contains("not create"));
  std::ifstream in(p);
  std::string s((std::istreambuf_iterator<char>(in)), {});
  CHECK(s == std::string(4096, 'm'));
  // unlink=1 on a user's file that is large enough leaves it in place.
  j.size = 4096;
  j.unlink = true;
  auto r2 = run_one(j);
  CHECK(r2.jobs[0].error == 0);
  CHECK(::access(p.c_str(), F_OK) == 0);
}

TEST_CASE("unlink removes the files fiokit laid out") {
  test::TempDir d;
  auto j = make_job("psync", RwMode::read, d.path, 64 * 1024);
  j.unlink = true;
  auto r = run_one(j);
  REQUIRE(r.jobs[0].error == 0);
  CHECK(::access((d.path + "/t.0.0").c_str(), F_OK) != 0);
}

TEST_CASE("a failed I/O is recorded with errno and path") {
  test::TempDir d;
  // A write job on a read-only file: open fails, the job reports it.
  const std::string p = d.path + "/ro";
  std::ofstream(p) << std::string(8192, 'r');
  ::chmod(p.c_str(), 0444);
  auto j = make_job("psync", RwMode::write, d.path, 8192);
  j.filenames = {"ro"};
  auto r = run_one(j);
  if (::geteuid() == 0) {
    WARN("running as root: permissions do not apply; skipping");
    return;
  }
  CHECK(r.jobs[0].error == EACCES);
  CHECK_THAT(r.jobs[0].error_message, Catch::Contains(p));
}

TEST_CASE("stonewall runs jobs one after another; without it they run together") {
  test::TempDir d;
  auto a = make_job("null", RwMode::read, d.path, 1 << 20);
  a.time_based = true;
  a.runtime_us = 200'000;
  auto b = a;
  b.name = "b";
  b.job_index = 1;
  b.stonewall = true;
  auto t0 = std::chrono::steady_clock::now();
  auto r = engine::run_jobs({a, b}, {});
  auto serial = std::chrono::steady_clock::now() - t0;
  CHECK(serial >= std::chrono::milliseconds(400));
  b.stonewall = false;
  t0 = std::chrono::steady_clock::now();
  r = engine::run_jobs({a, b}, {});
  auto together = std::chrono::steady_clock::now() - t0;
  CHECK(together < std::chrono::milliseconds(380));
  // wait_for holds b until a is done even within one segment.
  b.wait_for = "t";
  t0 = std::chrono::steady_clock::now();
  r = engine::run_jobs({a, b}, {});
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(400));
  b.wait_for = "nobody";
  CHECK_THROWS_AS(engine::run_jobs({a, b}, {}), std::invalid_argument);
}

TEST_CASE("exitall stops the other jobs when one finishes") {
  test::TempDir d;
  auto a = make_job("null", RwMode::read, d.path, 1 << 20);
  a.exitall = true;
  auto b = a;
  b.name = "long";
  b.job_index = 1;
  b.exitall = false;
  b.time_based = true;
  b.runtime_us = 30'000'000;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = engine::run_jobs({a, b}, {});
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
  CHECK_FALSE(r.interrupted);
}

TEST_CASE("ramp_time keeps its I/O out of the statistics") {
  test::TempDir d;
  auto j = make_job("null", RwMode::read, d.path, 1 << 20);
  j.rate_iops = {{1000, 0, 0}};
  j.ramp_time_us = 300'000;
  j.runtime_us = 300'000;
  j.time_based = true;
  auto r = run_one(j);
  const auto& jr = r.jobs[0];
  CHECK(jr.job_runtime_ms >= 300);
  CHECK(jr.job_runtime_ms < 550);  // not ~600 (the ramp counted); slack for a loaded machine
  // ~300 I/Os measured, not ~600.
  CHECK(jr.dirs[0].total_ios >= 270);
  CHECK(jr.dirs[0].total_ios <= 330);
}

TEST_CASE("numjobs clones with offset_increment cover disjoint regions") {
  test::TempDir d;
  std::vector<jobs::JobSpec> js;
  for (int i = 0; i < 3; ++i) {
    auto j = make_job("psync", RwMode::write, d.path, 64 * 1024);
    j.filenames = {"shared"};
    j.clone_index = i;
    j.job_index = i;
    j.offset_increment = 64 * 1024;
    js.push_back(j);
  }
  std::vector<std::vector<engine::TraceRecord>> tr;
  engine::RunOptions o;
  o.trace = &tr;
  auto r = engine::run_jobs(js, o);
  for (int i = 0; i < 3; ++i) {
    INFO(r.jobs[static_cast<size_t>(i)].error_message);
    REQUIRE(r.jobs[static_cast<size_t>(i)].error == 0);
    REQUIRE(tr[static_cast<size_t>(i)].size() == 16);
    CHECK(tr[static_cast<size_t>(i)].front().offset == static_cast<uint64_t>(i) * 64 * 1024);
    CHECK(tr[static_cast<size_t>(i)].back().offset == static_cast<uint64_t>(i) * 64 * 1024 + 15 * 4096);
  }
  struct stat st {};
  REQUIRE(::stat((d.path + "/shared").c_str(), &st) == 0);
  CHECK(st.st_size == 3 * 64 * 1024);
}

TEST_CASE("nrfiles with roundrobin spreads I/O over every file") {
  test::TempDir d;
  auto j = make_job("psync", RwMode::randread, d.path, 4 * 64 * 1024);
  j.nrfiles = 4;
  std::vector<std::vector<engine::TraceRecord>> tr;
  auto r = run_one(j, &tr);
  REQUIRE(r.jobs[0].error == 0);
  int per_file[4] = {};
  std::set<std::pair<int, uint64_t>> blocks;
  for (const auto& t : tr[0]) {
    ++per_file[t.file];
    blocks.insert({t.file, t.offset});
  }
  for (int n : per_file) CHECK(n == 16);
  CHECK(blocks.size() == 64);  // random map per file: each block once
  for (int f = 0; f < 4; ++f) CHECK(::access((d.path + "/t.0." + std::to_string(f)).c_str(), F_OK) == 0);
}

TEST_CASE("bssplit and bsrange pick the block sizes they describe") {
  test::TempDir d;
  auto j = make_job("null", RwMode::randread, d.path, 64 << 20);
  j.bssplit[jobs::Dir::read] = {{4096, 50}, {65536, 50}};
  std::vector<std::vector<engine::TraceRecord>> tr;
  run_one(j, &tr);
  size_t small = 0, big = 0;
  for (const auto& t : tr[0]) (t.len == 4096 ? small : big) += 1;
  CHECK(static_cast<double>(small) / static_cast<double>(small + big) == Approx(0.5).margin(0.05));
  auto k = make_job("null", RwMode::read, d.path, 16 << 20);
  k.bsrange[jobs::Dir::read] = {4096, 16384};
  run_one(k, &tr);
  std::set<uint32_t> lens;
  for (const auto& t : tr[0]) lens.insert(t.len);
  CHECK(lens == std::set<uint32_t>{4096, 8192, 12288, 16384});
}

TEST_CASE("rw=write:4k leaves holes; randread:4 runs 4 sequential I/Os per random one") {
  test::TempDir d;
  auto j = make_job("null", RwMode::write, d.path, 64 * 1024);
  j.rw_modifier = 4096;
  std::vector<std::vector<engine::TraceRecord>> tr;
  run_one(j, &tr);
  REQUIRE(tr[0].size() == 16);  // as fio: size/bs I/Os, wrapping to the start
  for (size_t i = 0; i < 16; ++i) CHECK(tr[0][i].offset == (i % 8) * 8192);
  auto k = make_job("null", RwMode::randread, d.path, 1 << 20);
  k.rw_modifier = 4;
  run_one(k, &tr);
  for (size_t i = 0; i + 4 <= tr[0].size(); i += 4)
    for (size_t s = 1; s < 4; ++s)
      if (tr[0][i + s - 1].offset + 4096 < (1 << 20)) CHECK(tr[0][i + s].offset == tr[0][i + s - 1].offset + 4096);  // at the end: random, as fio
}

TEST_CASE("zero_buffers and buffer_compress_percentage shape the written data") {
  test::TempDir d;
  auto count_zero = [&](const std::string& name) {
    std::ifstream in(d.path + "/" + name, std::ios::binary);
    std::string s((std::istreambuf_iterator<char>(in)), {});
    return std::make_pair(std::count(s.begin(), s.end(), '\0'), s.size());
  };
  auto j = make_job("psync", RwMode::write, d.path, 256 * 1024);
  j.filenames = {"zero"};
  j.zero_buffers = true;
  REQUIRE(run_one(j).jobs[0].error == 0);
  auto [z, n] = count_zero("zero");
  CHECK(static_cast<size_t>(z) == n);
  j.filenames = {"half"};
  j.zero_buffers = false;
  j.buffer_compress_percentage = 50;
  j.scramble_buffers = false;
  REQUIRE(run_one(j).jobs[0].error == 0);
  auto [z2, n2] = count_zero("half");
  CHECK(static_cast<double>(z2) / static_cast<double>(n2) == Approx(0.5).margin(0.02));
}

TEST_CASE("fsync and end_fsync run; number_ios and io_size limit the job") {
  test::TempDir d;
  auto j = make_job("psync", RwMode::write, d.path, 256 * 1024);
  j.fsync = 4;
  j.end_fsync = true;
  j.number_ios = 10;
  auto r = run_one(j);
  REQUIRE(r.jobs[0].error == 0);
  CHECK(r.jobs[0].dirs[1].total_ios == 10);
  j.number_ios = 0;
  j.io_size = 64 * 1024;
  r = run_one(j);
  CHECK(r.jobs[0].dirs[1].io_bytes == 64 * 1024);
}

TEST_CASE("depth statistics and usage fields are filled") {
  test::TempDir d;
  auto j = make_job("null", RwMode::randread, d.path, 64 << 20);
  j.iodepth = 32;
  j.iodepth_batch_submit = 32;  // the null engine, like fio's, takes one batch at a time
  auto r = run_one(j);
  const auto& jr = r.jobs[0];
  CHECK(jr.depth.submit_calls > 0);
  CHECK(jr.depth.submit[4] > 0);  // batches of 17-32
  CHECK(jr.depth.level[5] > 0);   // depth 32 reached
  CHECK(jr.name == "t");
  CHECK(jr.rw == "randread");
  CHECK(jr.ioengine == "null");
  CHECK(jr.iodepth == 32);
}

TEST_CASE("write_bw_log and write_lat_log produce fio-format logs in the run dir") {
  test::TempDir d;
  auto j = make_job("psync", RwMode::randread, d.path, 1 << 20);
  j.log.bw = "";
  j.log.lat = "mylat";
  j.bwavgtime_ms = 100;
  j.time_based = true;
  j.runtime_us = 350'000;
  j.rate_iops = {{2000, 0, 0}};
  engine::RunOptions o;
  o.run_dir = d.path;
  auto r = engine::run_jobs({j}, o);
  REQUIRE(r.jobs[0].error == 0);
  auto lines = [&](const std::string& name) {
    std::ifstream in(d.path + "/" + name);
    std::vector<std::string> v;
    for (std::string l; std::getline(in, l);) v.push_back(l);
    return v;
  };
  const auto bw = lines("t_bw.1.log");
  // log_avg_msec=0: fio 3.33's bw samples are the log's per-I/O rows, even
  // with bwavgtime given (bwavgtime=100 over 2 s: 2001 samples, one per I/O).
  CHECK(results::bw_stat_of(r.jobs[0].dirs[0]).samples == r.jobs[0].dirs[0].total_ios);
  CHECK(bw.size() == r.jobs[0].dirs[0].total_ios);      // log_avg_msec=0: the log has one row per I/O, as fio
  const auto lat = lines("mylat_lat.1.log");
  CHECK(lat.size() == r.jobs[0].dirs[0].total_ios);  // log_avg_msec=0: one row per I/O
  CHECK(lines("mylat_clat.1.log").size() == lat.size());
  REQUIRE_FALSE(lat.empty());
  CHECK_THAT(lat[0], Catch::Matches(R"(\d+, \d+, 0, 4096, 0)"));
}

TEST_CASE("random_distribution=zipf concentrates I/O on few blocks; percentage_random mixes in sequential runs") {
  test::TempDir d;
  auto j = make_job("null", RwMode::randread, d.path, 4 << 20);
  j.random_distribution[jobs::Dir::read].kind = jobs::RandomDistribution::zipf;
  j.random_distribution[jobs::Dir::read].param = 1.2;
  j.loops = 4;
  std::vector<std::vector<engine::TraceRecord>> tr;
  run_one(j, &tr);
  std::map<uint64_t, int> hits;
  for (const auto& t : tr[0]) ++hits[t.offset];
  REQUIRE(tr[0].size() == 4 * 1024);
  CHECK(hits.size() < 600);  // the random map would touch all 1024 blocks
  auto k = make_job("null", RwMode::randread, d.path, 4 << 20);
  k.percentage_random = {{50, 50, 50}};
  k.percentage_random_set = true;
  run_one(k, &tr);
  size_t seq = 0;
  for (size_t i = 1; i < tr[0].size(); ++i) seq += tr[0][i].offset == tr[0][i - 1].offset + 4096;
  CHECK(static_cast<double>(seq) / static_cast<double>(tr[0].size()) == Approx(0.5).margin(0.06));
}

TEST_CASE("file_service_type=zipf favours some files over others") {
  test::TempDir d;
  auto j = make_job("null", RwMode::randread, d.path, 16 << 20);
  j.nrfiles = 16;
  j.file_service_type = jobs::FileServiceType::zipf;
  j.file_service_param = 1.5;
  std::vector<std::vector<engine::TraceRecord>> tr;
  run_one(j, &tr);
  std::vector<int> per(16, 0);
  for (const auto& t : tr[0]) ++per[t.file];
  std::sort(per.rbegin(), per.rend());
  CHECK(per[0] > 4 * per[8]);
}

TEST_CASE("verify_dump writes the received and expected block to the run dir") {
  test::TempDir d;
  auto w = make_job("psync", RwMode::write, d.path, 64 * 1024);
  w.filenames = {"vd.dat"};
  w.verify = jobs::VerifyKind::md5;
  REQUIRE(run_one(w).jobs[0].error == 0);
  const int fd = ::open((d.path + "/vd.dat").c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  const char junk[4] = {1, 2, 3, 4};
  REQUIRE(::pwrite(fd, junk, 4, 3 * 4096 + 500) == 4);
  ::close(fd);
  auto r = w;
  r.rw = RwMode::read;
  r.verify_dump = true;
  engine::RunOptions o;
  o.run_dir = d.path;
  auto res = engine::run_jobs({r}, o);
  CHECK(res.jobs[0].error == EILSEQ);
  CHECK(res.jobs[0].extras.at("verify_errors") == "1");
  struct stat st {};
  CHECK(::stat((d.path + "/vd.dat.12288.received").c_str(), &st) == 0);
  CHECK(::stat((d.path + "/vd.dat.12288.expected").c_str(), &st) == 0);
}

TEST_CASE("a stop request during file layout ends the run promptly, without an error") {
  test::TempDir d;
  auto j = make_job("psync", RwMode::read, d.path, 4ull << 30);  // 4 GiB to lay out: far longer than the test
  std::atomic<bool> stop{false};
  engine::RunOptions o;
  o.stop = &stop;
  std::thread t([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop = true;
  });
  const auto t0 = std::chrono::steady_clock::now();
  auto r = engine::run_jobs({j}, o);
  t.join();
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(1500));
  CHECK(r.interrupted);
  CHECK(r.jobs[0].interrupted);
  CHECK(r.jobs[0].error == 0);
  CHECK(r.jobs[0].dirs[0].total_ios == 0);
}

// fio 3.33's rate_min rule (worker.cpp check_min_rate): 2 s settle, then a
// baseline, then a check each rate_cycle. Side by side (null engine, 5 ms
// think, rate_min=40m): fio fails at 3005 ms with error 5, and passes a 2 s job.
TEST_CASE("rate_min: no check in the first 2 s, an unmet minimum fails the job one rate_cycle later") {
  test::TempDir d;
  auto slow = [&](int index, uint64_t runtime_ms) {
    auto j = make_job("null", RwMode::randread, d.path, 64 << 20);
    j.name = "slow" + std::to_string(runtime_ms);
    j.job_index = index;
    j.thinktime_us = 5000;
    j.rate_min = {{40ull << 20, 0, 0}};
    j.time_based = true;
    j.runtime_us = runtime_ms * 1000;
    return j;
  };
  auto met = make_job("null", RwMode::randread, d.path, 64 << 20);
  met.name = "met";
  met.job_index = 2;
  met.rate_iops = {{2000, 0, 0}};
  met.rate_iops_min = {{1000, 0, 0}};
  met.time_based = true;
  met.runtime_us = 3'500'000;
  auto iops = slow(3, 5000);
  iops.name = "iops";
  iops.rate_min = {};
  iops.rate_iops_min = {{1000, 0, 0}};
  engine::RunOptions o;
  const auto r = engine::run_jobs({slow(0, 2000), slow(1, 5000), met, iops}, o);
  CHECK(r.jobs[0].error == 0);  // 2 s: only the settle period and the baseline
  CHECK(r.jobs[0].dirs[0].runtime_ms >= 2000);
  CHECK(r.jobs[2].error == 0);  // a met minimum never fails
  CHECK(r.jobs[2].job_runtime_ms >= 3500);
  for (int k : {1, 3}) {
    INFO(r.jobs[k].name << ": " << r.jobs[k].error_message);
    CHECK(r.jobs[k].error == EIO);
    CHECK(r.jobs[k].job_runtime_ms >= 3000);
    CHECK(r.jobs[k].job_runtime_ms < 4500);  // well short of the 5 s runtime; slack for a loaded machine
    CHECK(r.jobs[k].error_message.find("check_min_rate") != std::string::npos);
  }
  CHECK(r.jobs[1].error_message.find("rate_min=41943040B/s not met, got ") != std::string::npos);
  CHECK(r.jobs[3].error_message.find("rate_iops_min=1000 not met, got ") != std::string::npos);
}

// fio 3.33: a direction's runtime is rounded up to whole ms, so a job faster
// than 1 ms reports runtime 1 and bw = io_bytes / 1 ms, and no bw/iops sample
// (no full window). fio, size=16m bs=64k loops=3: runtime 1, bw 49152000.
TEST_CASE("a run shorter than 1 ms reports runtime 1 ms and a bandwidth, and no rate samples") {
  test::TempDir d;
  auto j = make_job("null", RwMode::read, d.path, 64 * 1024, 64 * 1024);
  const auto r = run_one(j);
  const auto& dir = r.jobs[0].dirs[0];
  REQUIRE(dir.io_bytes == 64 * 1024);
  // One null I/O takes microseconds; a preempted run may take longer, so the
  // exact figures are checked when the job did finish within its first ms.
  CHECK(dir.runtime_ms >= 1);
  CHECK(dir.runtime_ms >= r.jobs[0].job_runtime_ms);
  CHECK(dir.runtime_ms <= r.jobs[0].job_runtime_ms + 1);
  CHECK(results::bw_bytes_of(dir) == 64 * 1024 * 1000 / dir.runtime_ms);
  if (r.jobs[0].job_runtime_ms == 0) CHECK(dir.runtime_ms == 1);
  CHECK(results::bw_stat_of(dir).samples == 0);
  CHECK(results::iops_stat_of(dir).samples == 0);
}

// fio 3.33's "elapsed" is the run's wall time, rounded up to seconds:
// startdelay=1 + runtime=1 shows 3 (a plain 1 s job 2), job_runtime 1000.
TEST_CASE("elapsed counts the whole run, startdelay included, rounded up to seconds") {
  test::TempDir d;
  auto j = make_job("null", RwMode::randread, d.path, 64 << 20);
  j.startdelay_us = {1'000'000, 1'000'000};
  j.rate_iops = {{1000, 0, 0}};
  j.time_based = true;
  j.runtime_us = 1'000'000;
  const auto r = run_one(j);
  CHECK(r.jobs[0].job_runtime_ms >= 1000);
  CHECK(r.jobs[0].job_runtime_ms < 1900);  // not ~2000 (the startdelay counted); slack for a loaded machine
  CHECK(r.jobs[0].elapsed_s == 3);
  CHECK(results::elapsed_of(r.jobs[0]) == 3);
}
