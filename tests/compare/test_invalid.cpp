// Every invalid comparison exits 2 and names its reason, through
// `fiokit compare` on run files written to disk: zero I/O, job
// errors, interrupted runs, repeats and jobs, missing jobs, directions and
// metrics, different job options, hosts with --strict-host, unreadable input.
#include <catch2/catch.hpp>

#include <filesystem>

#include "fixtures.hpp"

using namespace fiokit;
using namespace fiokit::cmptest;

namespace {

struct Pair {
  TempDir dir;
  std::string base, cur;
};

// Writes the two sides (one run each, or repeats) and returns their paths.
void write_pair(Pair& p, const std::vector<results::RunResult>& base, const std::vector<results::RunResult>& cur,
                bool plus = false) {
  p.base = p.dir.path + "/base";
  p.cur = p.dir.path + "/cur";
  write_run_dir(p.base, base, plus);
  write_run_dir(p.cur, cur, plus);
}

Outcome compare_pair(const Pair& p, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{p.base, p.cur};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_compare(args);
}

void require_invalid(const Outcome& o, const std::string& reason) {
  INFO("stdout:\n" << o.out << "\nstderr:\n" << o.err);
  CHECK(o.code == 2);
  CHECK_THAT(o.err, Catch::Contains(reason));
}

}  // namespace

TEST_CASE("valid identical runs pass with exit 0", "[invalid]") {
  Pair p;
  write_pair(p, {make_run({FakeJob{}})}, {make_run({FakeJob{}})});
  const Outcome o = compare_pair(p);
  INFO(o.out << o.err);
  CHECK(o.code == 0);
  CHECK_THAT(o.out, Catch::Contains("PASS"));
}

TEST_CASE("zero I/O is invalid", "[invalid]") {
  FakeJob none;
  none.iops = 0;
  Pair p;
  write_pair(p, {make_run({FakeJob{}})}, {make_run({none})});
  require_invalid(compare_pair(p), "did no I/O (zero I/O)");
}

TEST_CASE("a job error is invalid, with the error and its message", "[invalid]") {
  FakeJob bad;
  bad.error = 5;
  bad.error_message = "read /mnt/t/file: Input/output error";
  Pair p;
  write_pair(p, {make_run({FakeJob{}})}, {make_run({bad})});
  require_invalid(compare_pair(p), "job 'job1' failed with error 5 (read /mnt/t/file: Input/output error)");
}

TEST_CASE("an interrupted run or job is invalid", "[invalid]") {
  auto run = make_run({FakeJob{}});
  run.interrupted = true;
  run.signal = 2;
  Pair p;
  write_pair(p, {run}, {make_run({FakeJob{}})});
  require_invalid(compare_pair(p), "was interrupted by signal 2");

  FakeJob stopped;
  stopped.interrupted = true;
  Pair q;
  write_pair(q, {make_run({FakeJob{}})}, {make_run({stopped})});
  require_invalid(compare_pair(q), "job 'job1' was interrupted");

  // One interrupted repeat among five spoils the side, and is named.
  std::vector<results::RunResult> reps(5, make_run({FakeJob{}}));
  reps[2].interrupted = true;
  Pair r;
  write_pair(r, std::vector<results::RunResult>(5, make_run({FakeJob{}})), reps);
  require_invalid(compare_pair(r), "current repeat 3");
}

TEST_CASE("missing jobs on either side are invalid", "[invalid]") {
  FakeJob other;
  other.name = "seq";
  Pair p;
  write_pair(p, {make_run({FakeJob{}, other})}, {make_run({FakeJob{}})});
  require_invalid(compare_pair(p), "job 'seq' is in the baseline but not in the current run");
  Pair q;
  write_pair(q, {make_run({FakeJob{}})}, {make_run({FakeJob{}, other})});
  require_invalid(compare_pair(q), "job 'seq' is in the current run but not in the baseline");
  // A repeat that lost a job.
  std::vector<results::RunResult> reps(3, make_run({FakeJob{}, other}));
  reps[1] = make_run({FakeJob{}});
  Pair r;
  write_pair(r, std::vector<results::RunResult>(3, make_run({FakeJob{}, other})), reps);
  require_invalid(compare_pair(r), "current repeat 2");
}

TEST_CASE("a direction without I/O on one side is invalid", "[invalid]") {
  FakeJob writes;
  writes.dir = 1;
  Pair p;
  write_pair(p, {make_run({FakeJob{}})}, {make_run({writes})});
  // Same options, so only the direction check can catch it.
  require_invalid(compare_pair(p), "the current run did no read I/O");
}

TEST_CASE("a missing metric is invalid; json+ bins supply any percentile", "[invalid]") {
  FakeJob short_list;
  short_list.percentile_list = {50.0, 99.0};
  Pair p;
  write_pair(p, {make_run({FakeJob{}})}, {make_run({short_list})});
  require_invalid(compare_pair(p), "clat_p99.9 missing in the current run");
  // The same run with json+ bins answers p99.9 exactly.
  Pair q;
  write_pair(q, {make_run({FakeJob{}})}, {make_run({short_list})}, true);
  const Outcome o = compare_pair(q);
  INFO(o.out << o.err);
  CHECK(o.code == 0);
  // Turning the metric off makes the short list acceptable too.
  CHECK(compare_pair(p, {"--threshold", "clat_p99.9=off"}).code == 0);
}

TEST_CASE("different job options are invalid, each named", "[invalid]") {
  FakeJob big;
  big.options = {{"rw", "randread"}, {"bs", "8k"}, {"ioengine", "libaio"}, {"iodepth", "32"}};
  Pair p;
  write_pair(p, {make_run({FakeJob{}})}, {make_run({big})});
  const Outcome o = compare_pair(p);
  require_invalid(o, "option bs differs: baseline '4k', current '8k'");
  CHECK_THAT(o.err, Catch::Contains("option iodepth differs: baseline '4', current '32'"));
  // Options outside the compared list (e.g. rate_iops) may change: that is what a gate measures.
  FakeJob rated;
  rated.options.emplace_back("rate_iops", "500");
  Pair q;
  write_pair(q, {make_run({FakeJob{}})}, {make_run({rated})});
  CHECK(compare_pair(q).code == 0);
  CHECK(compare_pair(q, {"--compare-option", "rate_iops"}).code == 2);
  CHECK(compare_pair(p, {"--ignore-option", "bs", "--ignore-option", "iodepth"}).code == 0);
}

TEST_CASE("--strict-host: different or unknown hosts are invalid", "[invalid]") {
  Pair p;
  write_pair(p, {make_run({FakeJob{}}, "ci-a")}, {make_run({FakeJob{}}, "ci-b")});
  CHECK(compare_pair(p).code == 0);
  require_invalid(compare_pair(p, {"--strict-host"}), "baseline ran on 'ci-a', current on 'ci-b'");
  Pair q;
  write_pair(q, {make_run({FakeJob{}}, "")}, {make_run({FakeJob{}}, "ci-b")});
  require_invalid(compare_pair(q, {"--strict-host"}), "host of the baseline is unknown");
  Pair same;
  write_pair(same, {make_run({FakeJob{}}, "ci-a")}, {make_run({FakeJob{}}, "ci-a")});
  CHECK(compare_pair(same, {"--strict-host"}).code == 0);
}

TEST_CASE("invalid data never passes, even beside a regression", "[invalid]") {
  FakeJob slow;
  slow.iops = 100;
  FakeJob failed = slow;
  failed.error = 28;
  Pair p;
  write_pair(p, {make_run({FakeJob{}})}, {make_run({failed})});
  require_invalid(compare_pair(p), "error 28");
}

TEST_CASE("unreadable inputs and usage errors exit 2 with a reason", "[invalid]") {
  TempDir d;
  require_invalid(run_compare({d.path + "/nope", d.path + "/nope2"}), "no such file or directory");
  write_text(d.path + "/garbage.json", "not json at all");
  write_run_dir(d.path + "/ok", {make_run({FakeJob{}})});
  require_invalid(run_compare({d.path + "/garbage.json", d.path + "/ok"}), "garbage.json");
  std::filesystem::create_directories(d.path + "/empty");
  require_invalid(run_compare({d.path + "/empty", d.path + "/ok"}), "empty/results.json");
  require_invalid(run_compare({d.path + "/ok"}), "expected BASELINE and CURRENT");
  require_invalid(run_compare({d.path + "/ok", d.path + "/ok", "--frobnicate"}), "unknown option --frobnicate");
  require_invalid(run_compare({d.path + "/ok", d.path + "/ok", "--threshold", "iops=+5%"}), "falls");
  require_invalid(run_compare({d.path + "/ok", d.path + "/ok", "--alpha", "2"}), "--alpha");
  const Outcome help = run_compare({"--help"});
  CHECK(help.code == 0);
  CHECK_THAT(help.out, Catch::Contains("clat_p99=+20%"));
}

TEST_CASE("fio's own JSON output compares as a results.json", "[invalid][fio]") {
  if (!have_program("fio")) {
    WARN("fio not installed: skipping the fio JSON comparison");
    return;
  }
  TempDir d;
  const auto fio = [&](const std::string& out) {
    return run_program({"/bin/sh", "-c",
                        "cd " + d.path + " && fio --name=j --ioengine=null --size=16m --bs=4k --rw=randread "
                        "--output-format=json+ --output=" + out});
  };
  REQUIRE(fio("a.json").code == 0);
  REQUIRE(fio("b.json").code == 0);
  // Unknown hosts are fine without --strict-host; with it they are invalid.
  const Outcome o = run_compare({d.path + "/a.json", d.path + "/b.json", "--threshold", "iops=off",
                                 "--threshold", "bw=off", "--latency-floor", "1ms"});
  INFO(o.out << o.err);
  CHECK(o.code == 0);
  CHECK_THAT(o.out, Catch::Contains("clat_p99.9"));
  require_invalid(run_compare({d.path + "/a.json", d.path + "/b.json", "--strict-host"}), "unknown");
}

TEST_CASE("lat percentiles are compared when both sides have them", "[invalid]") {
  FakeJob with;
  with.lat_percentiles = true;
  Pair p;
  write_pair(p, {make_run({with})}, {make_run({with})});
  const Outcome o = compare_pair(p);
  CHECK(o.code == 0);
  CHECK_THAT(o.out, Catch::Contains("lat_p99.9"));
  // Only the baseline has them: the current run lacks metrics the baseline had.
  Pair q;
  write_pair(q, {make_run({with})}, {make_run({FakeJob{}})});
  require_invalid(compare_pair(q), "lat_p50 missing in the current run");
  // Neither side: not compared, not an error.
  Pair r;
  write_pair(r, {make_run({FakeJob{}})}, {make_run({FakeJob{}})});
  const Outcome none = compare_pair(r);
  CHECK(none.code == 0);
  CHECK_THAT(none.out, !Catch::Contains("read  lat_p"));  // "clat_p50" must not count
}

TEST_CASE("a job with reads and writes compares each direction", "[invalid]") {
  auto mixed = [](double write_iops) {
    FakeJob r;
    r.options = {{"rw", "randrw"}, {"bs", "4k"}};
    FakeJob w = r;
    w.dir = 1;
    w.iops = write_iops;
    auto run = make_run({r});
    run.jobs[0].dirs[1] = make_run({w}).jobs[0].dirs[1];
    return run;
  };
  Pair p;
  write_pair(p, {mixed(1000)}, {mixed(500)});
  const Outcome o = compare_pair(p, {"--json", "-"});
  CHECK(o.code == 1);
  CHECK_THAT(o.err, Catch::Contains("regression: job1/write/iops"));
  CHECK_THAT(o.err, !Catch::Contains("job1/read/iops"));
}

TEST_CASE("different kinds of target are a warning, not a verdict", "[invalid]") {
  auto base = make_run({FakeJob{}});
  auto cur = make_run({FakeJob{}});
  base.extras["volume.0.fstype"] = "ext4";
  base.extras["volume.0.device"] = "vda";
  base.extras["volume.0.rotational"] = "0";
  cur.extras["volume.0.fstype"] = "tmpfs";
  Pair p;
  write_pair(p, {base}, {cur});
  const Outcome o = compare_pair(p);
  INFO(o.out << o.err);
  CHECK(o.code == 0);
  CHECK_THAT(o.out + o.err, Catch::Contains("different kinds of target") && Catch::Contains("ext4 on vda") &&
                                Catch::Contains("tmpfs"));
  Pair same;
  write_pair(same, {base}, {base});
  const Outcome s = compare_pair(same);
  CHECK_THAT(s.out + s.err, !Catch::Contains("different kinds of target"));
}
