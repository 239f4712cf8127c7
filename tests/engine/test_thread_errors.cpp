// No exception leaves an engine helper thread (DESIGN.md rule 5): an
// io_submit_mode=offload submit thread whose engine throws fails that I/O
// with EIO and names the exception, and goes on serving; a verify_async
// checker whose check throws reports a verify failure naming it, and the
// pool's waits still end. Before, either was std::terminate.
#include <catch2/catch.hpp>

#include <cerrno>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/io_engine.hpp"
#include "engine/offload_engine.hpp"
#include "engine/verify.hpp"
#include "engine/verify_pool.hpp"
#include "jobs/jobspec.hpp"

using namespace fiokit;

namespace {

// A sync engine that completes every I/O, except the one at offset 4096,
// whose queue() throws.
class Thrower final : public engine::IoEngine {
 public:
  std::string_view name() const override { return "thrower"; }
  int init(const engine::EngineSetup&) override { return 0; }
  engine::QueueResult queue(engine::IoUnit& u) override {
    if (u.offset == 4096) throw std::runtime_error("boom at 4096");
    u.result = u.len;
    return engine::QueueResult::completed;
  }
  int commit() override { return 0; }
  int reap(unsigned, unsigned) override { return 0; }
  engine::IoUnit* event(unsigned) override { return nullptr; }
  void run_loop(engine::Worker&) override {}
};

std::unique_ptr<engine::IoEngine> make_thrower() { return std::make_unique<Thrower>(); }

}  // namespace

TEST_CASE("offload: an exception in a submit thread fails its I/O with EIO and names it; the thread serves on") {
  const engine::EngineInfo info{"thrower", make_thrower, {}, nullptr};
  auto eng = engine::make_offload_engine(info);
  std::vector<engine::IoUnit> units(3);
  for (uint32_t i = 0; i < units.size(); ++i) {
    units[i].index = i;
    units[i].offset = i * 4096;
    units[i].len = 4096;
  }
  // Depth 1: one submit thread, so the I/Os after the one that threw show
  // it survived. Each I/O is queued and reaped alone, as the loop does at depth 1.
  engine::EngineSetup s;
  s.iodepth = 1;
  s.units = &units;
  REQUIRE(eng->init(s) == 0);
  for (uint32_t i : {1u, 0u, 2u}) {
    REQUIRE(eng->queue(units[i]) == engine::QueueResult::queued);
    REQUIRE(eng->commit() == 1);
    REQUIRE(eng->reap(1, 1) == 1);  // the unit comes back: no thread died holding it
    CHECK(eng->event(0) == &units[i]);
  }
  CHECK(units[1].result == -EIO);
  CHECK(units[0].result == 4096);
  CHECK(units[2].result == 4096);
  CHECK_THAT(std::string(eng->io_error_hint(EIO)), Catch::Contains("boom at 4096") && Catch::Contains("submit thread"));
  eng.reset();  // joins the threads
}

TEST_CASE("verify_async: a check that throws is a verify failure naming it, and waits end") {
  jobs::JobSpec spec;
  spec.rw = jobs::RwMode::write;
  spec.bs = {{4096, 4096, 4096}};
  spec.verify = jobs::VerifyKind::crc32c;
  engine::Verifier v;
  std::string why;
  REQUIRE(v.init(spec, &why));
  engine::VerifyPool pool;
  pool.set_check([](const engine::Verifier& ver, const uint8_t* b, uint32_t n, uint64_t off, std::string* w) {
    if (off == 8192) throw std::runtime_error("digest context lost");
    return ver.check_block(b, n, off, w);
  });
  REQUIRE(pool.start(v, 2, {}).empty());
  std::vector<uint8_t> b(4096);
  for (uint64_t i = 0; i < 8; ++i) {
    v.make_block(b.data(), 4096, i * 4096, 7 + i);
    pool.submit(b.data(), 4096, i * 4096, 0);
  }
  pool.wait_at_most(0);
  CHECK(pool.checked() == 8);
  const auto f = pool.take_failures();
  REQUIRE(f.size() == 1);
  CHECK(f[0].offset == 8192);
  CHECK_THAT(f[0].what, Catch::Contains("digest context lost"));
}
