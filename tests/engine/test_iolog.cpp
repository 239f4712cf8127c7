// write_iolog and read_iolog on real runs (psync on files in a temp dir): the
// log holds exactly the I/O the worker issued (its test trace), in fio 3.33's
// version 3 format, and replaying it issues the same I/O again, with its
// timing, its syncs and a clear error for a log the files cannot satisfy.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include <fmt/format.h>

#include "engine/run_shared.hpp"
#include "engine_test_util.hpp"

using namespace fiokit;

namespace {

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// "T NAME ACTION [OFF LEN]" without the time.
std::string untimed(const std::string& l) { return l.substr(l.find(' ') + 1); }

results::RunResult run_traced(const jobs::JobSpec& j, const std::string& run_dir, std::vector<engine::TraceRecord>* out) {
  std::vector<std::vector<engine::TraceRecord>> tr;
  engine::RunOptions o;
  o.trace = &tr;
  o.run_dir = run_dir;
  auto r = engine::run_jobs({j}, o);
  *out = tr.at(0);
  return r;
}

}  // namespace

TEST_CASE("write_iolog records every issued I/O, and read_iolog replays the same I/O", "[iolog]") {
  test::TempDir d("iolog");
  auto j = test::make_job("psync", jobs::RwMode::randrw, d.path, 64 * 1024);
  j.name = "w";
  j.nrfiles = 2;
  j.fsync = 3;
  j.write_iolog = "rec.log";  // relative: into the run directory
  std::vector<engine::TraceRecord> wrote;
  auto r = run_traced(j, d.path, &wrote);
  INFO(r.jobs[0].error_message);
  REQUIRE(r.jobs[0].error == 0);
  const auto lines = lines_of(d.path + "/rec.log");
  REQUIRE(lines.size() > 4);
  CHECK(lines[0] == "fio version 3 iolog");
  const std::string f0 = d.path + "/w.0.0", f1 = d.path + "/w.0.1";
  CHECK(untimed(lines[1]) == f0 + " add");
  CHECK(untimed(lines[2]) == f1 + " add");
  CHECK(untimed(lines.back()) == f1 + " close");
  std::vector<std::string> io;
  uint64_t syncs = 0, last_time = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    const uint64_t t = std::stoull(lines[i]);
    CHECK(t >= last_time);  // microseconds since the log opened, never going back
    last_time = t;
    const std::string u = untimed(lines[i]);
    if (u.find(" read ") != std::string::npos || u.find(" write ") != std::string::npos) io.push_back(u);
    if (u.find(" sync ") != std::string::npos) {
      ++syncs;
      CHECK(u.substr(u.size() - 2) == " 0");  // a sync line's length is 0
    }
  }
  REQUIRE(io.size() == wrote.size());
  for (size_t i = 0; i < io.size(); ++i) {
    const auto& w = wrote[i];
    CHECK(io[i] == fmt::format("{} {} {} {}", w.file ? f1 : f0, w.ddir ? "write" : "read", w.offset, w.len));
  }
  CHECK(syncs == r.jobs[0].sync_lat.count());

  // Replayed (the files are fiokit's, so no --allow-clobber is involved).
  jobs::JobSpec rp;
  rp.name = "r";
  rp.read_iolog = d.path + "/rec.log";
  rp.replay_no_stall = true;
  std::vector<engine::TraceRecord> replayed;
  auto rr = run_traced(rp, d.path, &replayed);
  INFO(rr.jobs[0].error_message);
  REQUIRE(rr.jobs[0].error == 0);
  CHECK(replayed == wrote);
  for (int k = 0; k < 2; ++k) {
    CHECK(rr.jobs[0].dirs[k].io_bytes == r.jobs[0].dirs[k].io_bytes);
    CHECK(rr.jobs[0].dirs[k].total_ios == r.jobs[0].dirs[k].total_ios);
  }
  CHECK(rr.jobs[0].sync_lat.count() == syncs);
}

TEST_CASE("read_iolog keeps the log's timing, scaled by replay_time_scale", "[iolog]") {
  test::TempDir d("iolog");
  std::ofstream(d.path + "/t.log") << "fio version 3 iolog\n0 " << d.path << "/f add\n"
                                   << "10 " << d.path << "/f write 0 4096\n"
                                   << "200010 " << d.path << "/f write 4096 4096\n"
                                   << "400010 " << d.path << "/f read 0 4096\n";
  auto timed = [&](uint32_t scale, bool no_stall) {
    jobs::JobSpec j;
    j.name = "r";
    j.read_iolog = d.path + "/t.log";
    j.replay_time_scale = scale;
    j.replay_no_stall = no_stall;
    const uint64_t t0 = engine::now_ns();
    auto r = test::run_one(j);
    INFO(r.jobs[0].error_message);
    REQUIRE(r.jobs[0].error == 0);
    CHECK(r.jobs[0].dirs[0].io_bytes == 4096);
    CHECK(r.jobs[0].dirs[1].io_bytes == 8192);
    return (engine::now_ns() - t0) / 1'000'000;
  };
  const uint64_t full = timed(100, false), fast = timed(400, false), none = timed(100, true);
  CHECK(full >= 400);
  CHECK(full < 1400);
  CHECK(fast >= 100);
  CHECK(fast < full - 150);
  CHECK(none < 100);
}

TEST_CASE("read_iolog: a log the files cannot satisfy fails before any I/O", "[iolog]") {
  test::TempDir d("iolog");
  std::ofstream(d.path + "/t.log") << "fio version 2 iolog\nf add\nf read 0 4096\n";
  jobs::JobSpec j;
  j.name = "r";
  j.read_iolog = d.path + "/t.log";
  j.directories = {d.path};
  auto r = test::run_one(j);
  CHECK(r.jobs[0].error == EINVAL);
  CHECK_THAT(r.jobs[0].error_message, Catch::Contains("t.log:3: read of 4096 bytes at offset 0 is beyond the end of '" + d.path + "/f'"));
  CHECK(r.jobs[0].dirs[0].total_ios == 0);
  // replay_redirect puts every file's I/O on one path.
  std::ofstream(d.path + "/t.log") << "fio version 2 iolog\na add\nb add\na write 0 4096\nb write 8192 4096\nb read 0 4096\n";
  j.replay_redirect = "one";
  r = test::run_one(j);
  INFO(r.jobs[0].error_message);
  REQUIRE(r.jobs[0].error == 0);
  CHECK(r.jobs[0].dirs[1].io_bytes == 8192);
  CHECK(r.jobs[0].dirs[0].io_bytes == 4096);
  struct stat st {};
  REQUIRE(::stat((d.path + "/one").c_str(), &st) == 0);
  CHECK(st.st_size == 12288);
}

// fsync=N as fio 3.33 decides it, read back from write_iolog (psync): the
// job's writes are counted over all loops, a sync comes before the next
// fetch once they are a multiple of N, every loop but the last fetches once
// more at its end, a new loop forgets that the last I/O was a sync, and a
// read after a due write makes the sync due again (fio's randrw quirk).
TEST_CASE("fsync=N: when the syncs come, over loops and between reads", "[iolog]") {
  test::TempDir d("fsync");
  auto ops = [&](const jobs::JobSpec& j) {
    auto r = engine::run_jobs({j}, [&] {
      engine::RunOptions o;
      o.run_dir = d.path;
      return o;
    }());
    INFO(r.jobs[0].error_message);
    REQUIRE(r.jobs[0].error == 0);
    std::string s;
    for (const auto& l : lines_of(d.path + "/" + j.write_iolog)) {
      std::istringstream in(l);
      std::string t, f, a;
      if (in >> t >> f >> a) s += a[0];
    }
    CHECK(static_cast<uint64_t>(std::count(s.begin(), s.end(), 's') + std::count(s.begin(), s.end(), 'd')) ==
          r.jobs[0].sync_lat.count());
    return s.substr(s.find('o'));  // from the first open: "io" of the version line and the adds dropped
  };
  auto j = test::make_job("psync", jobs::RwMode::write, d.path, 32 * 1024);
  j.fsync = 4;
  j.loops = 2;
  j.write_iolog = "a.log";
  CHECK(ops(j) == "owwwwswwwwscoswwwwswwwwc");  // fio 3.33, measured
  j.fsync = 3;
  j.write_iolog = "b.log";
  CHECK(ops(j) == "owwwswwwswwcowswwwswwwswc");
  j.loops = 1;
  j.fsync = 4;
  j.write_iolog = "c.log";
  CHECK(ops(j) == "owwwwswwwwc");

  // randrw: after the 4th write each read is preceded by a sync until the 5th.
  j = test::make_job("psync", jobs::RwMode::randrw, d.path, 256 * 1024);
  j.fsync = 4;
  j.write_iolog = "m.log";
  const std::string s = ops(j);
  uint64_t writes = 0;
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] == 'w') ++writes;
    const bool due = writes && writes % 4 == 0 && (s[i] == 'w' || s[i] == 'r');
    if (s[i] == 'w' || s[i] == 'r') {
      INFO("at " << i << " of " << s);
      CHECK((s[i + 1] == 's') == (due && s[i + 1] != 'c'));
    }
  }
  CHECK(writes > 8);
}
