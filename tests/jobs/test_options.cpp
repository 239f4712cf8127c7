// The option table against fio's documentation and behaviour: every job option
// the HOWTO lists is known, aliases resolve, values parse as fio reads them
// (per direction, bssplit, zones, rw modifiers, time units), and what fiokit
// does not run is refused with "unsupported by fiokit: OPTION (FILE:LINE)".
#include <catch2/catch.hpp>

#include <cerrno>

#include <fstream>
#include <set>

#include "jobs/cmdline.hpp"
#include "jobs/options.hpp"
#include "jobs/parse.hpp"
#include "engine/io_uring_engine.hpp"
#include "engine/libaio_engine.hpp"
#include "test_expander.hpp"

using namespace fiokit::jobs;

using fiokit::test::one_job;
using fiokit::test::option_error_of;
using fiokit::test::parse_job_text;

namespace {
constexpr uint64_t KiB = 1024;
}  // namespace

TEST_CASE("every job option in fio's HOWTO is in the table") {
  std::ifstream in(FIOKIT_SOURCE_DIR "/tests/jobs/howto_options.txt");
  REQUIRE(in);
  std::string name;
  int n = 0;
  while (std::getline(in, name)) {
    if (name.empty()) continue;
    INFO(name);
    CHECK(fiokit::test::catalog().find(name) != nullptr);
    ++n;
  }
  // The list is generated from fio 3.33's HOWTO; a truncated file must not pass.
  CHECK(n >= 300);
}

TEST_CASE("fio's aliases resolve to one option") {
  const std::pair<const char*, const char*> pairs[] = {
      {"readwrite", "rw"}, {"blocksize", "bs"}, {"blocksize_range", "bsrange"}, {"blockalign", "ba"},
      {"blocksize_unaligned", "bs_unaligned"}, {"iodepth_batch_submit", "iodepth_batch"},
      {"iodepth_batch_complete", "iodepth_batch_complete_min"}, {"io_limit", "io_size"}, {"timeout", "runtime"},
      {"wait_for_previous", "stonewall"}, {"nr_files", "nrfiles"}, {"fileoffset", "offset"}, {"ratecycle", "rate_cycle"},
      {"ratemin", "rate_min"}, {"disable_bw", "disable_bw_measurement"}, {"fill_fs", "fill_device"}, {"iomem", "mem"},
      {"mem_align", "iomem_align"}, {"ss", "steadystate"}, {"ss_dur", "steadystate_duration"},
      {"ss_ramp", "steadystate_ramp_time"}, {"proto", "protocol"}};
  for (const auto& [alias, name] : pairs) {
    INFO(alias);
    REQUIRE(fiokit::test::catalog().find(alias) != nullptr);
    CHECK(fiokit::test::catalog().find(alias)->name == name);
  }
  CHECK(one_job("readwrite=randwrite").rw == RwMode::randwrite);
  CHECK(one_job("blocksize=8k").bs[Dir::read] == 8 * KiB);
}

TEST_CASE("names in the table are unique") {
  std::set<std::string> seen;
  for (const auto& d : fiokit::test::catalog().options()) {
    INFO(d.name);
    CHECK(seen.insert(d.name).second);
    for (const auto& a : d.aliases) CHECK(seen.insert(a).second);
  }
}

TEST_CASE("enum errors list the allowed values") {
  CHECK_THAT(option_error_of("rw=randomread"), Catch::Contains("'randomread' is not a valid value for rw") &&
                                            Catch::Contains("allowed: read, write, trim, randread") && Catch::Contains("(t.fio:2)"));
  CHECK_THAT(option_error_of("verify=md6"), Catch::Contains("allowed: 0, md5, crc64"));
  CHECK_THAT(option_error_of("random_distribution=zipff:1.2"), Catch::Contains("allowed: random, zipf, pareto"));
  // ":param" only where the option takes one; elsewhere it is not silently dropped.
  CHECK_THAT(option_error_of("verify=md5:x"), Catch::Contains("not a valid value for verify"));
  CHECK_THAT(option_error_of("cpus_allowed_policy=split:2"), Catch::Contains("not a valid value"));
  CHECK_THAT(option_error_of("mem=mmaphuge:/huge/f"), Catch::StartsWith("unsupported by fiokit: mem=mmaphuge:/huge/f"));
  CHECK_THAT(option_error_of("ioengine=uring"), Catch::Contains("fiokit runs: psync, pvsync, sync, libaio, io_uring, null"));
}

TEST_CASE("unsupported options and values have one message format") {
  CHECK_THAT(option_error_of("opendir=/tmp"), Catch::StartsWith("unsupported by fiokit: opendir (t.fio:2)"));
  CHECK_THAT(option_error_of("size=1m\nuid=0"), Catch::StartsWith("unsupported by fiokit: uid (t.fio:3)"));
  // The name as written, even for an alias.
  CHECK_THAT(option_error_of("cpumask=3"), Catch::StartsWith("unsupported by fiokit: cpumask (t.fio:2)"));
  CHECK_THAT(option_error_of("mem_align=8k"), Catch::StartsWith("unsupported by fiokit: mem_align=8k (t.fio:2)"));
  // fio's crc kinds fiokit cannot compute: refused while parsing, with the
  // line and the kinds it does verify; every other fio kind parses.
  for (const char* kind : {"crc64", "crc32", "crc16", "crc7"})
    CHECK_THAT(option_error_of(std::string("verify=") + kind),
               Catch::StartsWith(std::string("unsupported by fiokit: verify=") + kind + " (t.fio:2)") && Catch::Contains("sha3-512, xxhash"));
  CHECK(one_job("verify=sha3-384").verify == VerifyKind::sha3_384);
  CHECK(one_job("verify=sha1").verify == VerifyKind::sha1);
  CHECK_THAT(option_error_of("ioengine=mmap"), Catch::StartsWith("unsupported by fiokit: ioengine=mmap (t.fio:2)"));
  CHECK_THAT(option_error_of("ioengine=external:/x.so"), Catch::StartsWith("unsupported by fiokit: ioengine=external:/x.so (t.fio:2)"));
  CHECK_THAT(option_error_of("sync=dsync"), Catch::StartsWith("unsupported by fiokit: sync=dsync (t.fio:2)"));
  CHECK_THAT(option_error_of("iomem=shmhuge"), Catch::StartsWith("unsupported by fiokit: iomem=shmhuge (t.fio:2)"));
  CHECK_THAT(option_error_of("thinktime_blocks_type=issue"), Catch::StartsWith("unsupported by fiokit: thinktime_blocks_type=issue"));
  CHECK_THAT(option_error_of("nice=5"), Catch::StartsWith("unsupported by fiokit: nice=5 (t.fio:2)"));
  CHECK_THAT(option_error_of("buffer_pattern='file'"), Catch::StartsWith("unsupported by fiokit: buffer_pattern='file'"));
  // A malformed value of such an option is a plain error, not "unsupported".
  CHECK_THAT(option_error_of("create_only=yes"), Catch::StartsWith("invalid value for 'create_only'"));
  CHECK_THAT(option_error_of("lockfile=maybe"), Catch::Contains("allowed: none, exclusive, readwrite"));
}

TEST_CASE("experimental_verify asks for what fiokit's verify does: no warning") {
  CHECK(parse_job_text("[a]\nrw=write\nverify=md5\nexperimental_verify=1\n").warnings.empty());
}

TEST_CASE("fadvise_hint is typed, with fio's default") {
  CHECK(one_job("").fadvise_hint == FadviseHint::from_rw);
  CHECK(one_job("fadvise_hint=0").fadvise_hint == FadviseHint::none);
  CHECK(one_job("fadvise_hint=random").fadvise_hint == FadviseHint::random);
  CHECK(one_job("fadvise_hint=sequential").fadvise_hint == FadviseHint::sequential);
  CHECK_THAT(option_error_of("fadvise_hint=2"), Catch::Contains("allowed: 0, 1, random, sequential"));
}

TEST_CASE("zonemode=strided and its sizes are typed, with fio's defaults; zbd parses and notes its line") {
  const JobSpec d = one_job("");
  CHECK(d.zonemode == ZoneMode::none);
  CHECK(d.zonerange == 0);
  CHECK(d.zonesize == 0);
  CHECK(d.zoneskip == 0);
  const JobSpec s = one_job("zonemode=strided\nzonerange=512k\nzonesize=256k\nzoneskip=1m");
  CHECK(s.zonemode == ZoneMode::strided);
  CHECK(s.zonerange == 512 * KiB);
  CHECK(s.zonesize == 256 * KiB);
  CHECK(s.zoneskip == 1024 * KiB);
  // zbd parses (fio's zoned job files, with their zone options) and keeps
  // where it was written: the run refuses it there (engine/parse_only_engines).
  const JobSpec z = one_job("zonemode=zbd\nzonesize=256M\nmax_open_zones=32\nzone_reset_threshold=0.5");
  CHECK(z.zonemode_zbd_at.str() == "t.fio:2");
  CHECK(d.zonemode_zbd_at.file.empty());
  CHECK(s.zonemode_zbd_at.file.empty());
  // The zbd options are refused elsewhere (they would do nothing), and checked.
  CHECK_THAT(option_error_of("max_open_zones=32"), Catch::StartsWith("unsupported by fiokit: max_open_zones=32 (t.fio:2); only with zonemode=zbd"));
  CHECK_NOTHROW(one_job("max_open_zones=0"));
  CHECK_THAT(option_error_of("zonemode=zbd\nmax_open_zones=lots"), Catch::StartsWith("invalid value for 'max_open_zones'"));
  CHECK_THAT(option_error_of("zonemode=stripy"), Catch::Contains("allowed: none, strided, zbd"));
  // fio 3.33 refuses both (measured): zonesize without strided zones, and
  // strided zones without a zonesize. zonerange and zoneskip alone are ignored.
  CHECK_THAT(option_error_of("zonesize=256k"), Catch::Contains("zonesize needs zonemode=strided"));
  CHECK_THAT(option_error_of("zonemode=strided\nzoneskip=4k"), Catch::Contains("zonemode=strided needs zonesize"));
  CHECK_NOTHROW(one_job("zonerange=64k\nzoneskip=64k"));
}

TEST_CASE("values that ask for what fiokit does are accepted") {
  CHECK_NOTHROW(one_job("continue_on_error=none\ncontinue_on_error=0\nfadvise_hint=0\nmem=malloc\nlockfile=none\n"
                    "zonemode=none\nunified_rw_reporting=0\nnice=0\ncreate_only=0\n"
                    "significant_figures=4\nsteadystate_duration=0\nexit_what=group\nsync=none\nsync=0"));
  CHECK(one_job("sync=1").sync_io);
  CHECK(one_job("sync=sync").sync_io);
}

TEST_CASE("no-effect options are accepted with a warning that says why") {
  auto r = parse_job_text("[a]\nclocksource=cpu\nlog_entries=4096\n");
  // log_entries only sizes fio's in-memory log buffers: fio's output is the
  // same whatever it says, so fiokit accepts it silently (fio's own tests
  // require an empty stderr). clocksource=cpu would change fio's clock.
  REQUIRE(r.warnings.size() == 1);
  CHECK_THAT(r.warnings[0], Catch::Contains("clocksource") && Catch::Contains("t.fio:2") && Catch::Contains("clock_gettime"));
  // What fiokit does anyway, or what fio ignores too in any job fiokit runs: no warning.
  CHECK(parse_job_text("[a]\nclocksource=clock_gettime\nunique_filename=0\nhugepage-size=1g\ntrim_verify_zero=0\n"
                   "verify_state_save=0\nrandom_generator=tausworthe64\ndisk_util=0\n")
            .warnings.empty());
  CHECK(!parse_job_text("[a]\ndisk_util=0\n").jobs[0].disk_util);
  CHECK_THAT(option_error_of("clocksource=sundial"), Catch::Contains("allowed: gettimeofday, clock_gettime, cpu"));
  // fio's profile options do nothing without profile= (fio runs one job for threads=4).
  r = parse_job_text("[a]\nthreads=4\nprep\n");
  REQUIRE(r.jobs.size() == 1);
  REQUIRE(r.warnings.size() == 2);
  CHECK_THAT(r.warnings[0], Catch::Contains("tiobench") && Catch::Contains("numjobs="));
}

TEST_CASE("continue_on_error, ignore_error and error_dump parse as fio 3.33 reads them") {
  CHECK(one_job("continue_on_error=none").continue_on_error == 0);
  CHECK(one_job("continue_on_error=read").continue_on_error == 1);
  CHECK(one_job("continue_on_error=write").continue_on_error == 2);
  CHECK(one_job("continue_on_error=io").continue_on_error == 3);
  CHECK(one_job("continue_on_error=verify").continue_on_error == 4);
  CHECK(one_job("continue_on_error=all").continue_on_error == 7);
  CHECK(one_job("continue_on_error=1").continue_on_error == 7);
  // Lists per type (read,write,verify), ':' inside a list; a list sets its type's bit.
  auto s = one_job("ignore_error=EAGAIN,ENOSPC:122");
  CHECK(s.ignore_error[0] == std::vector<int>{EAGAIN});
  CHECK(s.ignore_error[1] == std::vector<int>{ENOSPC, 122});
  CHECK(s.ignore_error[2].empty());
  CHECK(s.continue_on_error == 3);
  CHECK(one_job("ignore_error=,-28").ignore_error[1] == std::vector<int>{28});
  CHECK(one_job("ignore_error=,,84").continue_on_error == 4);
  CHECK_THAT(option_error_of("ignore_error=,,EILSEQ"), Catch::Contains("unknown error name"));  // not in fio's list either
  // Later continue_on_error replaces the bits, as fio's option order does.
  CHECK(one_job("ignore_error=,ENOSPC\ncontinue_on_error=read").continue_on_error == 1);
  CHECK(one_job("error_dump=1").error_dump);
  CHECK_FALSE(one_job("size=1m").error_dump);
  CHECK_THAT(option_error_of("ignore_error=,ENOTANERROR"), Catch::Contains("unknown error name 'ENOTANERROR'"));
  CHECK_THAT(option_error_of("ignore_error=,ETIMEDOUT"), Catch::Contains("as numbers"));
  CHECK_THAT(option_error_of("ignore_error=,0"), Catch::Contains("not an error number"));
  CHECK_THAT(option_error_of("ignore_error=EIO,EIO,EIO,EIO"), Catch::Contains("at most 3"));
  CHECK_THAT(option_error_of("continue_on_error=maybe"), Catch::Contains("allowed"));
}

TEST_CASE("rw with an offset modifier") {
  auto s = one_job("rw=randread:8");
  CHECK(s.rw == RwMode::randread);
  CHECK(s.rw_modifier == 8);
  CHECK(one_job("rw=write:4k").rw_modifier == 4 * KiB);
  CHECK(one_job("rw=randrw").rw_modifier == 0);
  CHECK(one_job("rw=rw\nrw_sequencer=identical").rw_sequencer == RwSequencer::identical);
  CHECK_THAT(option_error_of("rw=randread:x"), Catch::Contains("'rw'"));
  CHECK(one_job("rw=read:-8k").rw_modifier == -8 * static_cast<int64_t>(KiB));
  CHECK(one_job("rw=rw:-1m").rw_modifier == -1024 * static_cast<int64_t>(KiB));
  // fio's atoi would read randread:8k as 8 and randread:0 as a sequential read.
  CHECK_THAT(option_error_of("rw=randread:8k"), Catch::Contains("count of I/Os") && Catch::Contains("as 8"));
  CHECK_THAT(option_error_of("rw=randread:0"), Catch::Contains("at least 1"));
  CHECK_THAT(option_error_of("rw=randread:-2"), Catch::Contains("count of I/Os"));
  CHECK_THAT(option_error_of("rw=read:-x"), Catch::Contains("'rw'"));
}

TEST_CASE("rwmixwrite sets the read share; the later of the two wins") {
  CHECK(one_job("rwmixread=70").rwmixread == 70);
  CHECK(one_job("rwmixwrite=30").rwmixread == 70);
  CHECK(one_job("rwmixread=10\nrwmixwrite=30").rwmixread == 70);
  CHECK(one_job("rwmixwrite=30\nrwmixread=10").rwmixread == 10);
  CHECK_THAT(option_error_of("rwmixwrite=101"), Catch::Contains("maximum 100"));
}

TEST_CASE("cross-option errors point at the option's line, aliases included") {
  CHECK_THAT(option_error_of("iodepth=4\niodepth_batch_submit=8"), Catch::Contains("iodepth_batch=8 is larger than iodepth=4 (t.fio:3)"));
  CHECK_THAT(option_error_of("iodepth=4\niodepth_batch=8"), Catch::Contains("(t.fio:3)"));
  CHECK_THAT(option_error_of("bssplit=4k/50:8k/40\nsize=1m"), Catch::Contains("(t.fio:2)"));
}

TEST_CASE("direct and buffered are opposites") {
  CHECK(one_job("direct=1").direct);
  CHECK(one_job("buffered=0").direct);
  CHECK_FALSE(one_job("direct=1\nbuffered=1").direct);
}

TEST_CASE("per-direction values: read,write,trim") {
  auto s = one_job("bs=4k,64k");
  CHECK(s.bs[Dir::read] == 4 * KiB);
  CHECK(s.bs[Dir::write] == 64 * KiB);
  CHECK(s.bs[Dir::trim] == 64 * KiB);  // the last value repeats
  s = one_job("bs=8k,");
  CHECK(s.bs[Dir::read] == 8 * KiB);
  CHECK(s.bs[Dir::write] == 4 * KiB);  // a trailing comma keeps the default
  s = one_job("rate=,500k");
  CHECK(s.rate[Dir::read] == 0);
  CHECK(s.rate[Dir::write] == 500 * KiB);
  s = one_job("rate_iops=100,200,300");
  CHECK(s.rate_iops[Dir::trim] == 300);
  s = one_job("bsrange=1k-4k,8k:2k");
  CHECK(s.bsrange[Dir::read] == std::pair<uint64_t, uint64_t>{KiB, 4 * KiB});
  CHECK(s.bsrange[Dir::write] == std::pair<uint64_t, uint64_t>{2 * KiB, 8 * KiB});
  s = one_job("ba=512,4k");
  CHECK(s.blockalign[Dir::read] == 512);
  CHECK(s.blockalign[Dir::write] == 4 * KiB);
  s = one_job("percentage_random=50,20");
  CHECK(s.percentage_random[Dir::read] == 50);
  CHECK(s.percentage_random[Dir::write] == 20);
  CHECK(s.percentage_random_set);
  CHECK_THAT(option_error_of("percentage_random=101"), Catch::Contains("above 100"));
  CHECK_THAT(option_error_of("bs=4k,8k,16k,32k"), Catch::Contains("at most three"));
  CHECK_THAT(option_error_of("bs=4k-8k"), Catch::Contains("use bsrange=4k-8k"));
}

TEST_CASE("bssplit: weights, blank percentages, directions") {
  auto s = one_job("bssplit=4k/10:64k/50:32k/40");
  REQUIRE(s.bssplit[Dir::read].size() == 3);
  CHECK(s.bssplit[Dir::read][1] == BsSplitEntry{64 * KiB, 50});
  CHECK(s.bssplit[Dir::write] == s.bssplit[Dir::read]);
  s = one_job("bssplit=4k/50:1k/:32k/");
  CHECK(s.bssplit[Dir::read][1] == BsSplitEntry{KiB, 25});
  CHECK(s.bssplit[Dir::read][2] == BsSplitEntry{32 * KiB, 25});
  s = one_job("bssplit=4k/:8k/:16k/");  // 100 shared by three: 34/33/33
  CHECK(s.bssplit[Dir::read][0].percent + s.bssplit[Dir::read][1].percent + s.bssplit[Dir::read][2].percent == 100);
  s = one_job("bssplit=2k/50:4k/50,4k/90:8k/10");
  CHECK(s.bssplit[Dir::read][0] == BsSplitEntry{2 * KiB, 50});
  CHECK(s.bssplit[Dir::write][1] == BsSplitEntry{8 * KiB, 10});
  CHECK_THAT(option_error_of("bssplit=4k/50:8k/60"), Catch::Contains("110"));
  CHECK_THAT(option_error_of("bssplit=4k/50:8k/40"), Catch::Contains("add up to 90"));
  CHECK_THAT(option_error_of("bssplit=4k/50::8k/50"), Catch::Contains("empty entry"));
}

TEST_CASE("random_distribution: models, centers, zones, directions") {
  auto s = one_job("random_distribution=zipf:1.2");
  CHECK(s.random_distribution[Dir::read].kind == RandomDistribution::zipf);
  CHECK(s.random_distribution[Dir::read].param == Approx(1.2));
  CHECK_FALSE(s.random_distribution[Dir::read].center);
  s = one_job("random_distribution=normal:10:0.25");
  CHECK(*s.random_distribution[Dir::write].center == Approx(0.25));
  s = one_job("random_distribution=zoned:60/10:30/20:8/30:2/40");
  const auto& z = s.random_distribution[Dir::read].zones;
  REQUIRE(z.size() == 4);
  CHECK(z[0] == RandomDistribution::Zone{60, 10});
  CHECK(z[3] == RandomDistribution::Zone{2, 40});
  s = one_job("random_distribution=zoned_abs:60/20g:40/100g");
  CHECK(s.random_distribution[Dir::read].zones[1].size == 100ull << 30);
  s = one_job("random_distribution=random,pareto:0.3");
  CHECK(s.random_distribution[Dir::read].kind == RandomDistribution::random);
  CHECK(s.random_distribution[Dir::write].kind == RandomDistribution::pareto);
  // fio's own example: a blank last range takes the rest; later directions may
  // give only zones and keep the first direction's kind.
  s = one_job("random_distribution=zoned:50/5:30/15:20/,50/10:50/90");
  CHECK(s.random_distribution[Dir::read].zones[2] == RandomDistribution::Zone{20, 80});
  CHECK(s.random_distribution[Dir::write].kind == RandomDistribution::zoned);
  CHECK(s.random_distribution[Dir::write].zones[1] == RandomDistribution::Zone{50, 90});
  CHECK_THAT(option_error_of("random_distribution=zoned:50/:50/50"), Catch::Contains("only the last zone"));
  CHECK_THAT(option_error_of("random_distribution=zoned:60/10:30/20"), Catch::Contains("add up to 90"));
  CHECK_THAT(option_error_of("random_distribution=zoned:60/10:40/20"), Catch::Contains("range percentages add up to 30"));
  CHECK_THAT(option_error_of("random_distribution=zipf"), Catch::Contains("needs a parameter"));
  CHECK_THAT(option_error_of("random_distribution=zipf:1"), Catch::Contains("not 1"));
  CHECK_THAT(option_error_of("random_distribution=normal:5:2"), Catch::Contains("0..1"));
}

TEST_CASE("time options use each option's default unit") {
  CHECK(one_job("runtime=10").runtime_us == 10'000'000);          // seconds
  CHECK(one_job("thinktime=10").thinktime_us == 10);              // microseconds
  CHECK(one_job("thinktime=10ms\nthinktime_spin=500").thinktime_spin_us == 500);
  CHECK(one_job("thinktime_iotime=2").thinktime_iotime_us == 2'000'000);  // seconds
  CHECK(one_job("ramp_time=2m").ramp_time_us == 120'000'000);
  CHECK(one_job("rate_cycle=250").rate_cycle_ms == 250);          // milliseconds, a plain number
  CHECK(one_job("bwavgtime=1000").bwavgtime_ms == 1000);
  CHECK_THAT(option_error_of("thinktime=1.5ms"), Catch::Contains("'thinktime'"));
}

TEST_CASE("kb_base changes every size, wherever it is written") {
  CHECK(one_job("bs=4k\nkb_base=1000").bs[Dir::read] == 4000);
  CHECK(one_job("kb_base=1000\nbs=4ki").bs[Dir::read] == 4096);
  CHECK(one_job("bssplit=4k/100\nkb_base=1000").bssplit[Dir::read][0].bs == 4000);
  CHECK(one_job("rate=1m").rate[Dir::read] == 1048576);
}

TEST_CASE("filename lists split on ':' and keep '\\:'") {
  auto s = one_job("filename=/tmp/a:/tmp/b\\:c:/tmp/d");
  REQUIRE(s.filenames.size() == 3);
  CHECK(s.filenames[1] == "/tmp/b:c");
  CHECK_THAT(option_error_of("filename=a::b"), Catch::Contains("empty name"));
}

TEST_CASE("engines and their options") {
  // The engines type their own options (engine/*_engine.cpp) from the checked text.
  auto uring = [](const JobSpec& j) { return fiokit::engine::read_io_uring_options(j.engine_options); };
  CHECK(uring(one_job("ioengine=io_uring\nhipri\nfixedbufs\nregisterfiles\nsqthread_poll\nsqthread_poll_cpu=1\nnonvectored=1")).hipri);
  auto s = one_job("hipri\nioengine=io_uring");  // position does not matter, as in fio
  CHECK(uring(s).hipri);
  CHECK(uring(one_job("ioengine=io_uring\nsqthread_poll_cpu=1")).sqthread_poll_cpu == 1);
  CHECK(fiokit::engine::read_libaio_options(one_job("ioengine=libaio\nuserspace_reap").engine_options).userspace_reap);
  CHECK_THAT(option_error_of("hipri"), Catch::Contains("applies only to ioengine=io_uring, ") && Catch::Contains("not ioengine=psync") &&
                                    Catch::Contains("t.fio:2"));
  CHECK_THAT(option_error_of("ioengine=io_uring\nuserspace_reap"), Catch::Contains("ioengine=libaio"));
  for (const char* e : {"psync", "pvsync", "sync", "libaio", "io_uring", "null"}) CHECK(one_job(std::string("ioengine=") + e).ioengine == e);
}

TEST_CASE("nonvectored=-1 written out and nonvectored left out give the same job (issue 13 bug)") {
  // fio 3.33 probes the ring whenever nonvectored is -1, written or not; fiokit
  // used to read the raw text and send readv/writev for a written -1.
  auto strip = [](JobSpec j) {  // what the job file says, not what it does
    j.given.clear();
    j.job_options.clear();
    j.job_options_shown = false;
    return j;
  };
  const JobSpec written = one_job("ioengine=io_uring\nnonvectored=-1");
  const JobSpec left_out = one_job("ioengine=io_uring");
  CHECK(written.engine_options == left_out.engine_options);
  CHECK(strip(written) == strip(left_out));
  const auto typed = fiokit::engine::read_io_uring_options(written.engine_options);
  CHECK(typed == fiokit::engine::read_io_uring_options(left_out.engine_options));
  CHECK(typed.nonvectored == Tri::automatic);
  // ... while 0 and 1 are choices of their own, and the last value wins.
  CHECK(fiokit::engine::read_io_uring_options(one_job("ioengine=io_uring\nnonvectored=0").engine_options).nonvectored == Tri::off);
  CHECK(fiokit::engine::read_io_uring_options(one_job("ioengine=io_uring\nnonvectored=1").engine_options).nonvectored == Tri::on);
  CHECK(strip(one_job("ioengine=io_uring\nnonvectored=0\nnonvectored=-1")) == strip(left_out));
  CHECK_FALSE(strip(one_job("ioengine=io_uring\nnonvectored=0")) == strip(left_out));
  // The same from the command line.
  const JobSpec cmd = fiokit::test::parse_command_line({"--name=a", "--ioengine=io_uring", "--nonvectored=-1"}).at(0);
  CHECK(cmd.engine_options == left_out.engine_options);
}

TEST_CASE("every CPU-list option reads fio's list syntax with one parser, and names itself when refused") {
  // fio 3.33 takes "0-3,5", overlaps and one-CPU ranges for all three; it
  // ignores "0,,1" or "0:1" and fails "3-1" only when the job starts.
  const auto cpus = [](const JobSpec& j, const std::string& opt) {
    return opt == "cpus_allowed" ? j.cpus_allowed : opt == "verify_async_cpus" ? j.verify_async_cpus : j.log.compression_cpus;
  };
  for (const std::string opt : {"cpus_allowed", "verify_async_cpus", "log_compression_cpus"}) {
    INFO(opt);
    CHECK(cpus(one_job(opt + "=0-3,5"), opt) == std::vector<int>{0, 1, 2, 3, 5});
    CHECK(cpus(one_job(opt + "=2,0-1,1"), opt) == std::vector<int>{0, 1, 2});
    CHECK(cpus(one_job(opt + "=4-4"), opt) == std::vector<int>{4});
    CHECK(cpus(one_job(opt + "= 1 , 3"), opt) == std::vector<int>{1, 3});
    for (const std::string bad : {"3-1", "0,,1", "0:1", "-1", "0-", "4096", "x"}) {
      INFO(bad);
      CHECK_THAT(option_error_of(opt + "=" + bad), Catch::Contains("'" + opt + "'") && Catch::Contains("t.fio:2"));
    }
  }
}

TEST_CASE("randseed, verify, cpus and patterns") {
  auto s = one_job("randseed=1234");
  CHECK(s.randseed == 1234);
  CHECK(s.randseed_set);
  CHECK(one_job("verify=crc32c-intel").verify == VerifyKind::crc32c_intel);
  CHECK(one_job("verify=sha3-256").verify == VerifyKind::sha3_256);
  CHECK(one_job("cpus_allowed=0,5,8-10").cpus_allowed == std::vector<int>{0, 5, 8, 9, 10});
  CHECK(one_job("cpus_allowed_policy=split").cpus_allowed_policy == CpusAllowedPolicy::split);
  CHECK_THAT(option_error_of("cpus_allowed=3-1"), Catch::Contains("reversed"));
  CHECK(one_job("buffer_pattern=0xdeadface").buffer_pattern == std::vector<uint8_t>{0xde, 0xad, 0xfa, 0xce});
  CHECK(one_job("buffer_pattern=\"ab\"0x01").buffer_pattern == std::vector<uint8_t>{'a', 'b', 1});
  CHECK(one_job("verify_pattern=255").verify_pattern == std::vector<uint8_t>{0xff});
  CHECK(one_job("verify_pattern=-12").verify_pattern == std::vector<uint8_t>{0xf4, 0xff, 0xff, 0xff});  // fio: low byte first
  CHECK_THAT(option_error_of("verify=pattern"), Catch::Contains("verify_pattern"));
  CHECK_THAT(option_error_of("buffer_pattern=\"abc"), Catch::Contains("unterminated"));
  CHECK_THAT(option_error_of("verify_interval=8"), Catch::Contains("minimum 80"));
}

TEST_CASE("logs: valueless means the job name") {
  auto s = one_job("write_bw_log\nwrite_lat_log=mylat\nlog_avg_msec=1000\nlog_hist_coarseness=3\nper_job_logs=0");
  REQUIRE(s.log.bw);
  CHECK(s.log.bw->empty());
  CHECK(*s.log.lat == "mylat");
  CHECK_FALSE(s.log.iops);
  CHECK(s.log.avg_msec == 1000);
  CHECK(s.log.hist_coarseness == 3);
  CHECK_FALSE(s.log.per_job);
  CHECK_THAT(option_error_of("log_hist_coarseness=7"), Catch::Contains("maximum 6"));
}

TEST_CASE("percentile_list") {
  CHECK(one_job("percentile_list=50:99:99.9").percentile_list == std::vector<double>{50, 99, 99.9});
  CHECK_THAT(option_error_of("percentile_list=99:150"), Catch::Contains("150"));
  CHECK_THAT(option_error_of("percentile_list=99:x"), Catch::Contains("'percentile_list'"));
}

TEST_CASE("--cmdhelp shows type, default, range and values") {
  std::string h = fiokit::test::catalog().cmdhelp("iodepth");
  CHECK_THAT(h, Catch::Contains("type") && Catch::Contains("integer") && Catch::Contains("default                 : 1") &&
                    Catch::Contains("minimum                 : 1"));
  h = fiokit::test::catalog().cmdhelp("readwrite");  // by alias
  CHECK_THAT(h, Catch::StartsWith("rw ") && Catch::Contains("alias                   : readwrite") &&
                    Catch::Contains("randtrimwrite") && Catch::Contains("default                 : read"));
  CHECK_THAT(fiokit::test::catalog().cmdhelp("thinktime"), Catch::Contains("default unit            : us"));
  CHECK_THAT(fiokit::test::catalog().cmdhelp("opendir"), Catch::Contains("unsupported"));
  CHECK_THAT(fiokit::test::catalog().cmdhelp("hipri"), Catch::Contains("ioengine                : io_uring"));
  CHECK_THAT(fiokit::test::catalog().cmdhelp("all"), Catch::Contains("Block size:") && Catch::Contains("bssplit"));
  CHECK_THROWS_WITH(fiokit::test::catalog().cmdhelp("iodpth"), Catch::Contains("did you mean 'iodepth'?"));
}

TEST_CASE("every category and help text is set") {
  for (const auto& d : fiokit::test::catalog().options()) {
    INFO(d.name);
    CHECK_FALSE(d.category.empty());
    if (d.support == Support::unsupported) CHECK_FALSE(d.set);
    if (d.type == OptType::enumeration) CHECK_FALSE(d.values.empty());
  }
}

TEST_CASE("command-line job options may use one dash, as fio's getopt allows") {
  auto cl = split_cmdline({"-filename=/tmp/x", "-direct=1", "-rw=randwrite", "-bs=4k", "--name=test"},
                          Expander{}, fiokit::test::catalog());
  auto jobs = build_jobs(make_request(std::move(cl), Expander{}, {}), fiokit::test::catalog()).jobs;
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0].direct);
  CHECK(jobs[0].rw == RwMode::randwrite);
  CHECK_THROWS_WITH(split_cmdline({"-nosuchoption=1"}, Expander{}, fiokit::test::catalog()),
                    Catch::Contains("unknown argument '-nosuchoption=1'"));
}

TEST_CASE("a ${VAR} error in a separate command-line value names the option and that value") {
  // "--bs ${X}": the location once read the option twice ("--bs --bs") under
  // GCC; clang warned of it when building fuzz/.
  Expander ex;
  ex.getenv = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  CHECK_THROWS_WITH(split_cmdline({"--name=a", "--bs", "${FIOKIT_TEST_UNSET}"}, ex, fiokit::test::catalog()),
                    Catch::Contains("(command line: --bs ${FIOKIT_TEST_UNSET})"));
}

TEST_CASE("measurement switches, random_generator, openfiles and overwrite say what fiokit does with them") {
  // Asking to measure is what fiokit does: no warning.
  auto r = parse_job_text("[a]\ngtod_reduce=0\ndisable_lat=0\ndisable_clat=0\ndisable_slat=0\ndisable_bw=0\n");
  CHECK(r.warnings.empty());
  // Asking not to measure is done (the figures are reported as fio does:
  // not measured), so no warning either.
  r = parse_job_text("[a]\ngtod_reduce=1\ndisable_lat=1\ndisable_clat=1\ndisable_slat=1\ndisable_bw_measurement=1\n");
  CHECK(r.warnings.empty());
  REQUIRE(r.jobs.size() == 1);
  CHECK((r.jobs[0].gtod_reduce && r.jobs[0].disable_lat && r.jobs[0].disable_clat && r.jobs[0].disable_slat &&
         r.jobs[0].disable_bw));
  CHECK_THAT(option_error_of("disable_lat=maybe"), Catch::StartsWith("invalid value for 'disable_lat'"));
  // The generator changes which blocks a job touches (lfsr: each once per loop), so no warning.
  r = parse_job_text("[a]\nrandom_generator=lfsr\n");
  CHECK(r.warnings.empty());
  REQUIRE(r.jobs.size() == 1);
  CHECK(r.jobs[0].random_generator == RandomGenerator::lfsr);
  CHECK_THAT(option_error_of("random_generator=mt"), Catch::Contains("allowed: tausworthe, lfsr, tausworthe64"));
  // fiokit keeps every file open: openfiles below nrfiles is refused where it is written.
  CHECK(parse_job_text("[a]\nnrfiles=4\nopenfiles=0\n").warnings.empty());
  CHECK(parse_job_text("[a]\nopenfiles=8\nnrfiles=4\n").warnings.empty());
  CHECK_THAT(option_error_of("nrfiles=4\nopenfiles=2"),
             Catch::StartsWith("unsupported by fiokit: openfiles=2 (t.fio:3)") && Catch::Contains("nrfiles=4"));
  CHECK_THAT(option_error_of("openfiles=1\nnrfiles=2"), Catch::StartsWith("unsupported by fiokit: openfiles=1 (t.fio:2)"));
  // overwrite=1 would pre-write new files; fiokit does not.
  CHECK(parse_job_text("[a]\noverwrite=0\n").warnings.empty());
  CHECK_THAT(option_error_of("overwrite=1"), Catch::StartsWith("unsupported by fiokit: overwrite=1 (t.fio:2)") && Catch::Contains("rw=write"));
}
