// The engine boundary (issue 13 item 2): the registry's one table (name,
// factory, features, options), each engine's typed options as read back from
// the text the parser checked, the io_uring probe, and SetupError naming the
// job once. No I/O here beyond tiny runs; the per-engine I/O checks are in the
// conformance suite (test_conformance.cpp).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cerrno>
#include <set>
#include <sstream>

#include "engine/io_uring_engine.hpp"
#include "engine/libaio_engine.hpp"
#include "engine_test_util.hpp"
#include "jobs/ini.hpp"
#include "jobs/parse.hpp"
#include "jobs/test_expander.hpp"

using namespace fiokit;
using jobs::Tri;

using fiokit::test::one_job;
using fiokit::test::option_error_of;

namespace {

engine::IoUringOptions uring(const std::string& options) { return engine::read_io_uring_options(one_job(options).engine_options); }

std::set<std::string> sorted(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

}  // namespace

TEST_CASE("the registry's table says what each engine does, without constructing one") {
  auto feat = [](const char* name) {
    const engine::EngineInfo* e = engine::find_engine(name);
    REQUIRE(e != nullptr);
    return e->features;
  };
  CHECK(feat("null").diskless);
  CHECK_FALSE(feat("null").needs_fds);
  CHECK_FALSE(feat("null").sync);  // fio's null engine queues and reaps in batches
  for (const char* s : {"sync", "psync", "pvsync"}) {
    INFO(s);
    CHECK(feat(s).sync);
    CHECK_FALSE(feat(s).diskless);
    CHECK(feat(s).needs_fds);
  }
  for (const char* s : {"libaio", "io_uring"}) {
    INFO(s);
    CHECK_FALSE(feat(s).sync);
    CHECK_FALSE(feat(s).diskless);
  }
  // Each row's factory makes the engine of that name, and an engine's
  // features() is its row.
  for (const auto& row : engine::registered_engines()) {
    INFO(row.name);
    if (!row.make) {  // parsed, not run: it must say what running it needs
      REQUIRE(row.needs != nullptr);
      CHECK(std::string(row.needs).size() > 10);
      CHECK(engine::make_engine(row.name) == nullptr);
      continue;
    }
    auto e = row.make();
    REQUIRE(e);
    CHECK(e->name() == row.name);
    CHECK(e->features().sync == row.features.sync);
    CHECK(e->features().diskless == row.features.diskless);
    CHECK(e->features().needs_fds == row.features.needs_fds);
  }
  CHECK(engine::find_engine("mmap") == nullptr);
  CHECK(engine::make_engine("mmap") == nullptr);
}

TEST_CASE("every registered engine is a value of ioengine and has its own conformance run") {
  const std::set<std::string> registered = sorted(engine::engine_names());
  std::vector<std::string> conformance;
  std::stringstream csv(FIOKIT_CONFORMANCE_ENGINES);
  for (std::string e; std::getline(csv, e, ',');) conformance.push_back(e);
  // The file-operation and file-shaping engines move no data, so the data
  // conformance suite does not apply; test_fileops.cpp is their suite
  // (test_cpuio.cpp and test_exec.cpp for cpuio and exec).
  for (const char* e : {"filecreate", "filestat", "filedelete", "ftruncate", "falloc", "cpuio", "exec"}) conformance.push_back(e);
  CHECK(sorted(conformance) == registered);
  const jobs::OptionDef* ioengine = engine::option_catalog().find("ioengine");
  REQUIRE(ioengine != nullptr);
  std::vector<std::string> values;
  for (const auto& v : ioengine->values) values.push_back(v.name);
  CHECK(sorted(values) == registered);
}

TEST_CASE("engine options are in the catalog from their engine's table, and only there") {
  const auto& cat = engine::option_catalog();
  for (const char* name : {"hipri", "fixedbufs", "registerfiles", "sqthread_poll", "sqthread_poll_cpu", "nonvectored"}) {
    INFO(name);
    const jobs::OptionDef* d = cat.find(name);
    REQUIRE(d != nullptr);
    // io_uring_cmd reads io_uring's options (parse-only engine), all of them here.
    CHECK(d->engines.front() == "io_uring");
    CHECK(std::find(d->engines.begin(), d->engines.end(), "io_uring_cmd") != d->engines.end());
    CHECK(d->category == "I/O engine specific (io_uring)");
    CHECK(jobs::own_options().find(name) == nullptr);  // jobs/ alone does not know them
  }
  const jobs::OptionDef* reap = cat.find("userspace_reap");
  REQUIRE(reap != nullptr);
  CHECK(reap->engines == std::vector<std::string>{"libaio"});
  // io_uring options fiokit does not implement are refused from io_uring's table.
  for (const char* name : {"force_async", "uncached"}) {
    REQUIRE(cat.find(name) != nullptr);
    CHECK(cat.find(name)->support == jobs::Support::unsupported);
    CHECK_THAT(option_error_of(std::string("ioengine=io_uring\n") + name + "=1"),
               Catch::Contains(std::string("unsupported by fiokit: ") + name) && Catch::Contains("t.fio:3"));
  }
  // The catalog keeps them after ioengine, where jobs/ had them.
  const auto& all = cat.options();
  auto pos = [&](const char* n) {
    return std::find_if(all.begin(), all.end(), [&](const jobs::OptionDef& d) { return d.name == n; }) - all.begin();
  };
  CHECK(pos("hipri") == pos("ioengine") + 1);
  CHECK(pos("userspace_reap") > pos("nonvectored"));
}

TEST_CASE("io_uring's typed options come from the checked text") {
  CHECK(uring("ioengine=io_uring") == engine::IoUringOptions{});
  const auto o = uring("ioengine=io_uring\nhipri\nfixedbufs=1\nregisterfiles\nsqthread_poll\nsqthread_poll_cpu=3\nnonvectored=0");
  CHECK(o.hipri);
  CHECK(o.fixedbufs);
  CHECK(o.registerfiles);
  CHECK(o.sqthread_poll);
  CHECK(o.sqthread_poll_cpu == 3);
  CHECK(o.nonvectored == Tri::off);
  CHECK(uring("ioengine=io_uring\nnonvectored=1").nonvectored == Tri::on);
  CHECK(uring("ioengine=io_uring\nnonvectored=-1").nonvectored == Tri::automatic);
  CHECK(uring("ioengine=io_uring\nnonvectored=1\nnonvectored=-1").nonvectored == Tri::automatic);  // the last wins
  CHECK_FALSE(uring("ioengine=io_uring\nhipri\nhipri=0").hipri);
  CHECK(one_job("ioengine=io_uring\nhipri\nhipri=0").engine_options.values.empty());
  // The table's checks, with fio's file:line.
  CHECK_THAT(option_error_of("ioengine=io_uring\nnonvectored=2"),
             Catch::Contains("invalid value for 'nonvectored'") && Catch::Contains("above the maximum 1") && Catch::Contains("t.fio:3"));
  CHECK_THAT(option_error_of("ioengine=io_uring\nsqthread_poll_cpu=5000"), Catch::Contains("CPU number above 4095") && Catch::Contains("t.fio:3"));
  CHECK_THAT(option_error_of("ioengine=io_uring\nsqthread_poll_cpu=-1"), Catch::Contains("sqthread_poll_cpu") && Catch::Contains("t.fio:3"));
  // Text that is not io_uring's (libaio's option) cannot be read as io_uring's.
  jobs::EngineOptionValues libaio_text;
  libaio_text.set("userspace_reap", "1");
  CHECK_THROWS_AS(engine::read_io_uring_options(libaio_text), jobs::ValueError);
}

TEST_CASE("libaio's typed options come from the checked text") {
  CHECK(engine::read_libaio_options(one_job("ioengine=libaio").engine_options) == engine::LibaioOptions{});
  CHECK(engine::read_libaio_options(one_job("ioengine=libaio\nuserspace_reap").engine_options).userspace_reap);
  jobs::EngineOptionValues uring_text;
  uring_text.set("hipri", "1");
  CHECK_THROWS_AS(engine::read_libaio_options(uring_text), jobs::ValueError);
}

TEST_CASE("nonvectored resolves as fio 3.33's probe does") {
  // 1: plain read/write; 0: readv/writev; -1: plain when the ring has READ/WRITE.
  CHECK(engine::use_plain_read_write(Tri::on, false));
  CHECK(engine::use_plain_read_write(Tri::on, true));
  CHECK_FALSE(engine::use_plain_read_write(Tri::off, true));
  CHECK(engine::use_plain_read_write(Tri::automatic, true));
  CHECK_FALSE(engine::use_plain_read_write(Tri::automatic, false));
}

TEST_CASE("probe_io_uring agrees with the engine's own setup") {
  const engine::IoUringProbe p = engine::probe_io_uring();
  const std::string why = test::engine_unavailable("io_uring");
  INFO("probe: " << p.hint << " / engine: " << why);
  CHECK((p.status == engine::IoUringProbe::Status::available) == why.empty());
  if (p.status == engine::IoUringProbe::Status::available) CHECK(p.hint.empty());
  else CHECK_FALSE(p.hint.empty());
  if (p.status == engine::IoUringProbe::Status::blocked) CHECK_THAT(p.hint, Catch::Contains("seccomp-io_uring.json"));
}

TEST_CASE("setup failures are the job's error, naming the job once") {
  test::TempDir d;
  // The engine refuses its setup: options that are not its own.
  auto j = test::make_job("io_uring", jobs::RwMode::read, d.path, 64 * 1024);
  j.engine_options.set("userspace_reap", "1");
  auto r = test::run_one(j);
  CHECK(r.jobs.at(0).error == EINVAL);
  CHECK_THAT(r.jobs[0].error_message, Catch::StartsWith("job 't': ioengine=io_uring: ") && Catch::Contains("userspace_reap"));
  // The files cannot be planned (plan_files names the job itself) ...
  auto k = test::make_job("psync", jobs::RwMode::read, d.path, 0);
  k.filenames = {"missing.dat"};
  r = test::run_one(k);
  CHECK(r.jobs.at(0).error != 0);
  CHECK_THAT(r.jobs[0].error_message, Catch::StartsWith("job 't': no size for"));
  CHECK(r.jobs[0].error_message.find("job '", 1) == std::string::npos);
  // ... or laid out (lay_out_file names the file; the job is added once).
  auto m = test::make_job("psync", jobs::RwMode::read, d.path, 64 * 1024);
  m.filenames = {"new.dat"};
  m.allow_file_create = false;
  r = test::run_one(m);
  CHECK(r.jobs.at(0).error == ENOENT);
  CHECK_THAT(r.jobs[0].error_message, Catch::StartsWith("job 't': '") && Catch::Contains("allow_file_create=0"));
  CHECK(r.jobs[0].error_message.find("job '", 1) == std::string::npos);
}
