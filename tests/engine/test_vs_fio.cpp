// Differential checks against the real fio (CTest engine_vs_fio, LABELS fio;
// exits 77 with the reason when fio is not installed): the same job through
// fio and through fiokit's engine gives the same queue-depth histogram,
// the same trimwrite byte counts and the same fsync/fdatasync counts.
// Only figures that do not depend on the machine's speed are compared
// exactly; depth shares get a few points of slack for the ramp-up and the
// final drain.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>

#include "engine_test_util.hpp"

using fiokit::jobs::RwMode;
using fiokit::test::make_job;
using fiokit::test::run_one;
using nlohmann::json;

namespace {

json run_fio(const std::string& args) {
  const std::string cmd = "fio --output-format=json " + args + " 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p);
  std::string out;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ::pclose(p);
  INFO(cmd);
  const auto brace = out.find('{');  // fio may print notes before its JSON
  REQUIRE(brace != std::string::npos);
  return json::parse(out.substr(brace)).at("jobs").at(0);
}

std::array<double, 7> shares(const std::array<uint64_t, 7>& a) {
  std::array<double, 7> p{};
  const uint64_t t = std::accumulate(a.begin(), a.end(), uint64_t{0});
  for (size_t i = 0; i < 7; ++i) p[i] = t ? 100.0 * static_cast<double>(a[i]) / static_cast<double>(t) : 0;
  return p;
}

void check_levels(const json& fio, const fiokit::results::JobResult& fk, double slack) {
  static const char* const labels[] = {"1", "2", "4", "8", "16", "32", ">=64"};
  const auto mine = shares(fk.depth.level);
  std::array<double, 7> theirs{};
  double total = 0;
  for (size_t i = 0; i < 7; ++i) total += theirs[i] = fio.at("iodepth_level").at(labels[i]).get<double>();
  for (size_t i = 0; i < 7; ++i) {
    INFO("IO depths bucket " << labels[i] << ": fio " << 100.0 * theirs[i] / total << "%, fiokit " << mine[i] << "%");
    CHECK(mine[i] == Approx(100.0 * theirs[i] / total).margin(slack));
  }
}

uint64_t fio_sync_n(const json& fio) {
  const auto& lat = fio.at("sync").at("lat_ns");
  return lat.contains("N") ? lat.at("N").get<uint64_t>() : 0;
}

// Engines this process may not use (seccomp, no io_uring, aio-max-nr): their
// cases are skipped, and a run with any skip exits 77 so CTest shows it as
// skipped, never as a pass (liburing's T_EXIT_SKIP rule).
std::map<std::string, std::string> g_skipped;
void note_skip(const std::string& eng, const std::string& why) {
  WARN("skipping ioengine=" << eng << ": " << why);
  g_skipped.emplace(eng, why);
}

}  // namespace

TEST_CASE("IO depths match fio: null engine and direct files, default and tuned batching") {
  fiokit::test::TempDir d("engine");
  struct Case {
    std::string eng;
    uint32_t qd, batch, cmin, low;
  };
  const Case c = GENERATE(Case{"null", 32, 1, 1, 0}, Case{"null", 32, 8, 8, 0}, Case{"null", 16, 16, 1, 0},
                          Case{"libaio", 8, 1, 1, 0}, Case{"io_uring", 32, 1, 1, 0}, Case{"io_uring", 16, 4, 1, 0},
                          Case{"io_uring", 16, 1, 4, 0}, Case{"libaio", 16, 1, 1, 4});
  if (auto why = fiokit::test::engine_unavailable(c.eng); !why.empty()) {
    note_skip(c.eng, why);
    return;
  }
  INFO("ioengine=" << c.eng << " iodepth=" << c.qd << " batch=" << c.batch << " complete_min=" << c.cmin << " low=" << c.low);
  const uint64_t size = c.eng == "null" ? (1ull << 30) : (32ull << 20);
  auto j = make_job(c.eng, RwMode::randread, d.path, size);
  j.iodepth = c.qd;
  j.iodepth_batch_submit = c.batch;
  j.iodepth_batch_complete_min = c.cmin;
  j.iodepth_low = c.low;
  j.time_based = true;
  j.runtime_us = 500'000;
  std::string args = fmt::format("--name=x --ioengine={} --rw=randread --bs=4k --size={} --iodepth={} --iodepth_batch_submit={} "
                                 "--iodepth_batch_complete_min={} --runtime=500ms --time_based",
                                 c.eng, size, c.qd, c.batch, c.cmin);
  if (c.low) args += fmt::format(" --iodepth_low={}", c.low);
  if (c.eng != "null") {
    j.filenames = {"f"};
    j.direct = true;
    auto lay = run_one(make_job("psync", RwMode::write, d.path, size));  // lays out d.path/t.0.0
    REQUIRE(lay.jobs[0].error == 0);
    REQUIRE(std::rename((d.path + "/t.0.0").c_str(), (d.path + "/f").c_str()) == 0);
    args += " --direct=1 --filename=" + d.path + "/f";
  }
  const json fio = run_fio(args);
  REQUIRE(fio.at("error").get<int>() == 0);
  auto r = run_one(j);
  REQUIRE(r.jobs[0].error == 0);
  check_levels(fio, r.jobs[0], 3.0);
}

TEST_CASE("trimwrite moves the same bytes as fio's (null engine: fio 3.33 cannot trim files)") {
  fiokit::test::TempDir d("engine");
  const std::string rw = GENERATE(as<std::string>{}, "trimwrite", "randtrimwrite");
  const std::string extra = GENERATE(as<std::string>{}, "", "--number_ios=10", "--io_size=512k");
  INFO("rw=" << rw << " " << extra);
  auto j = make_job("null", rw == "trimwrite" ? RwMode::trimwrite : RwMode::randtrimwrite, d.path, 1 << 20);
  if (extra == "--number_ios=10") j.number_ios = 10;
  if (extra == "--io_size=512k") j.io_size = 512 << 10;
  const json fio = run_fio("--name=x --ioengine=null --size=1m --bs=4k --rw=" + rw + " " + extra);
  auto r = run_one(j);
  REQUIRE(r.jobs[0].error == 0);
  CHECK(r.jobs[0].dirs[1].io_bytes == fio.at("write").at("io_bytes").get<uint64_t>());
  CHECK(r.jobs[0].dirs[1].total_ios == fio.at("write").at("total_ios").get<uint64_t>());
  CHECK(r.jobs[0].dirs[2].io_bytes == fio.at("trim").at("io_bytes").get<uint64_t>());
  CHECK(r.jobs[0].dirs[2].total_ios == fio.at("trim").at("total_ios").get<uint64_t>());
}

// Engines that complete in queue() only: with libaio and io_uring fio's own
// count depends on timing (a sync that meets a busy queue is sometimes
// skipped: libaio fsync=3 gave 84 or 85 syncs for 256 writes, io_uring
// iodepth=8 fsync=4 gave 163), so there is nothing exact to compare with.
TEST_CASE("fsync/fdatasync counts in the sync block match fio's") {
  fiokit::test::TempDir d("engine");
  const std::string eng = GENERATE(as<std::string>{}, "psync", "sync");
  const std::string opt = GENERATE(as<std::string>{}, "fsync=4", "fdatasync=4", "fsync=3", "end_fsync=1", "fsync_on_close=1");
  if (auto why = fiokit::test::engine_unavailable(eng); !why.empty()) {
    note_skip(eng, why);
    return;
  }
  INFO("ioengine=" << eng << " " << opt);
  auto j = make_job(eng, RwMode::write, d.path, 1 << 20);
  const uint64_t n = static_cast<uint64_t>(opt.back() - '0');
  if (opt.rfind("fsync=", 0) == 0) j.fsync = n;
  if (opt.rfind("fdatasync=", 0) == 0) j.fdatasync = n;
  if (opt == "end_fsync=1") j.end_fsync = true;
  if (opt == "fsync_on_close=1") j.fsync_on_close = true;
  const json fio = run_fio(fmt::format("--name=x --ioengine={} --rw=write --bs=4k --size=1m --filename={}/fio.f --{}", eng,
                                       d.path, opt));
  auto r = run_one(j);
  REQUIRE(r.jobs[0].error == 0);
  CHECK(r.jobs[0].sync_total_ios == fio.at("sync").at("total_ios").get<uint64_t>());
  CHECK(r.jobs[0].sync_lat.count() == fio_sync_n(fio));
}

int main(int argc, char** argv) {
  if (std::system("fio --version >/dev/null 2>&1") != 0) {
    std::cout << "skipping engine_vs_fio: fio is not installed (needs fio 3.33 on PATH)\n";
    return 77;
  }
  const int rc = Catch::Session().run(argc, argv);
  if (rc == 0 && !g_skipped.empty()) {
    for (const auto& [eng, why] : g_skipped) std::cout << "skipped ioengine=" << eng << ": " << why << "\n";
    return 77;
  }
  return rc == 77 ? 1 : rc;  // 77 failed assertions must not read as a skip
}
