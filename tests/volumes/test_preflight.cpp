// Preflight on real filesystems: every problem a job can have is found before
// any I/O, all of them at once, with the job, the path, the option's file:line
// and a hint; a user's file is never changed by a refused job (sha256 before
// and after). Cases needing mount/losetup carry the [root] tag (CTest label
// "root") and skip with a printed reason when they cannot run.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "volume_test_util.hpp"
#include "volumes/layout.hpp"

using namespace fiokit;
using fiokit::test::TempDir;

namespace {

std::vector<volumes::Problem> check(const std::vector<jobs::JobSpec>& jobs, bool clobber = false, bool device = false) {
  volumes::PreflightOptions o;
  o.allow_clobber = clobber;
  o.allow_device_write = device;
  return volumes::preflight(jobs, o);
}

bool any_contains(const std::vector<volumes::Problem>& ps, const std::string& s) {
  for (const auto& p : ps)
    if (p.what.find(s) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("a missing directory is a problem naming the job, the directory= line and a hint", "[preflight]") {
  TempDir jobs_dir, d;
  const std::string missing = d.path + "/no/such/dir";
  auto jobs = test::parse_job_file(jobs_dir.path, "[global]\nsize=64k\n\n[writer]\nrw=write\ndirectory=" + missing + "\n");
  auto ps = check(jobs);
  INFO(test::all_text(ps));
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].job == "writer");
  CHECK(ps[0].path == missing);
  CHECK(ps[0].what.find("does not exist") != std::string::npos);
  CHECK(ps[0].where == jobs_dir.path + "/t.fio:6");
  CHECK(ps[0].hint.find("mkdir -p") != std::string::npos);
  struct stat st {};
  CHECK(::stat(missing.c_str(), &st) != 0);  // preflight created nothing
}

TEST_CASE("every problem of every job is reported at once", "[preflight]") {
  TempDir jobs_dir, d;
  test::write_file(d.path + "/user.dat", std::string(8192, 'u'));
  const std::string before = test::sha256(d.path + "/user.dat");
  auto jobs = test::parse_job_file(jobs_dir.path,
                                   "[global]\nsize=64k\n"
                                   "[a]\nrw=write\ndirectory=" + d.path + "/missing\n"
                                   "[b]\nrw=randwrite\nfilename=" + d.path + "/user.dat\n"
                                   "[c]\nrw=read\nfilename=" + d.path + "/user.dat\n");
  auto ps = check(jobs);
  INFO(test::all_text(ps));
  REQUIRE(ps.size() == 3);
  CHECK(ps[0].job == "a");
  CHECK(ps[1].job == "b");
  CHECK(ps[2].job == "c");
  CHECK(test::sha256(d.path + "/user.dat") == before);
  const std::string text = volumes::format_problems(ps);
  CHECK(text.find("3 problems") != std::string::npos);
  CHECK(text.find("hint:") != std::string::npos);
}

TEST_CASE("never clobber: a write job on a user's file is refused unless --allow-clobber", "[preflight][clobber]") {
  TempDir jobs_dir, d;
  const std::string user = d.path + "/precious.db";
  test::write_file(user, std::string(1 << 20, 'p'));
  const std::string before = test::sha256(user);
  auto jobs = test::parse_job_file(jobs_dir.path, "[w]\nrw=write\nsize=2m\nfilename=" + user + "\n");
  auto ps = check(jobs);
  INFO(test::all_text(ps));
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].what.find("not created by fiokit") != std::string::npos);
  CHECK(ps[0].what.find("extend it") != std::string::npos);
  CHECK(ps[0].hint.find("--allow-clobber") != std::string::npos);
  CHECK(ps[0].where == jobs_dir.path + "/t.fio:4");
  CHECK(test::sha256(user) == before);
  CHECK(check(jobs, true).empty());
  CHECK(test::sha256(user) == before);
}

TEST_CASE("never clobber: a read job on a too-small user file is refused, and the layout leaves it alone", "[preflight][clobber]") {
  TempDir jobs_dir, d;
  const std::string user = d.path + "/small.bin";
  test::write_file(user, std::string(100000, 's'));
  const std::string before = test::sha256(user);
  auto jobs = test::parse_job_file(jobs_dir.path, "[r]\nrw=randread\nsize=1m\nfilename=" + user + "\n");
  auto ps = check(jobs);
  INFO(test::all_text(ps));
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].what.find("100000 bytes") != std::string::npos);
  CHECK(ps[0].where == jobs_dir.path + "/t.fio:3");
  // Even bypassing preflight, laying the file out must not touch it (fio 3.33 re-lays it).
  auto targets = volumes::plan_files(jobs[0], false);
  volumes::LayoutOptions lo;
  lo.need_data = true;
  CHECK_THROWS_AS(volumes::lay_out_file(targets[0], lo), volumes::LayoutError);
  CHECK(test::sha256(user) == before);
  // A user's file that is big enough is fine to read.
  auto ok = test::parse_job_file(jobs_dir.path, "[r]\nrw=randread\nsize=64k\nfilename=" + user + "\n", "ok.fio");
  CHECK(check(ok).empty());
}

TEST_CASE("files fiokit created may be reused and grown by later runs", "[preflight][clobber]") {
  TempDir jobs_dir, d;
  auto jobs = test::parse_job_file(jobs_dir.path, "[w]\nrw=write\nsize=64k\ndirectory=" + d.path + "\n");
  auto targets = volumes::plan_files(jobs[0], false);
  REQUIRE(volumes::lay_out_file(targets[0], {}));
  REQUIRE(volumes::created_by_fiokit(targets[0].path));  // needs xattrs on /tmp
  CHECK(check(jobs).empty());
  auto bigger = test::parse_job_file(jobs_dir.path, "[w]\nrw=write\nsize=128k\ndirectory=" + d.path + "\n", "b.fio");
  CHECK(check(bigger).empty());
}

TEST_CASE("a directory that cannot be written is a problem for jobs that create files", "[preflight]") {
  if (::geteuid() == 0) {
    WARN("skipping: root ignores directory permissions (the read-only mount case covers root)");
    return;
  }
  TempDir jobs_dir, d;
  ::chmod(d.path.c_str(), 0555);
  auto jobs = test::parse_job_file(jobs_dir.path, "[w]\nrw=write\nsize=64k\ndirectory=" + d.path + "\n");
  auto ps = check(jobs);
  ::chmod(d.path.c_str(), 0755);
  INFO(test::all_text(ps));
  CHECK(any_contains(ps, "not writable"));
}

TEST_CASE("more files than the open-file limit is a problem naming the limit", "[preflight]") {
  TempDir jobs_dir, d;
  auto jobs = test::parse_job_file(jobs_dir.path, "[many]\nrw=write\nsize=400k\nnrfiles=100\nnumjobs=4\ndirectory=" + d.path + "\n");
  struct rlimit old {};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &old) == 0);
  struct rlimit low = old;
  low.rlim_cur = 256;
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
  auto ps = check(jobs);
  ::setrlimit(RLIMIT_NOFILE, &old);
  INFO(test::all_text(ps));
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].what.find("400 files") != std::string::npos);
  CHECK(ps[0].what.find("limit is 256") != std::string::npos);
  CHECK(ps[0].where == jobs_dir.path + "/t.fio:5");  // the numjobs= line
  // The same jobs behind stonewalls never hold all files at once.
  low.rlim_cur = 200;
  auto walled = test::parse_job_file(jobs_dir.path, "[a]\nrw=write\nsize=100k\nnrfiles=100\ndirectory=" + d.path +
                                                        "\n[b]\nstonewall\nrw=write\nsize=100k\nnrfiles=100\ndirectory=" + d.path + "\n",
                                     "walled.fio");
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
  auto ps2 = check(walled);
  ::setrlimit(RLIMIT_NOFILE, &old);
  INFO(test::all_text(ps2));
  CHECK(ps2.empty());
}

TEST_CASE("libaio iodepth x jobs over the free AIO events is a problem", "[preflight]") {
  TempDir jobs_dir, d;
  std::ifstream mx("/proc/sys/fs/aio-max-nr"), nr("/proc/sys/fs/aio-nr");
  uint64_t max_nr = 0, used = 0;
  mx >> max_nr;
  nr >> used;
  if (max_nr == 0) {
    WARN("skipping: /proc/sys/fs/aio-max-nr is not readable");
    return;
  }
  const uint64_t free_events = max_nr - std::min(max_nr, used);
  const uint64_t depth = free_events / 2 + 1;  // two jobs need one more than is free
  if (depth > 65535) {
    WARN("skipping: aio-max-nr " << max_nr << " is above what two jobs can ask for");
    return;
  }
  auto jobs = test::parse_job_file(jobs_dir.path, "[aio]\nioengine=libaio\nrw=read\nsize=64k\nnumjobs=2\niodepth=" + std::to_string(depth) +
                                                      "\ndirectory=" + d.path + "\n");
  auto ps = check(jobs);
  INFO(test::all_text(ps));
  REQUIRE(any_contains(ps, "AIO events"));
  CHECK(any_contains(ps, std::to_string(2 * depth)));
  auto ok = test::parse_job_file(jobs_dir.path, "[aio]\nioengine=libaio\nrw=read\nsize=64k\nnumjobs=2\niodepth=" +
                                                    std::to_string(std::max<uint64_t>(1, free_events / 4)) + "\ndirectory=" + d.path + "\n",
                                 "ok.fio");
  CHECK(!any_contains(check(ok), "AIO events"));
}

TEST_CASE("a job larger than the free space of the filesystem is a problem", "[preflight]") {
  TempDir jobs_dir, d;
  auto jobs = test::parse_job_file(jobs_dir.path, "[huge]\nrw=write\nsize=1p\ndirectory=" + d.path + "\n");
  auto ps = check(jobs);
  INFO(test::all_text(ps));
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].what.find("free") != std::string::npos);
}

TEST_CASE("the null engine touches no files and needs no checks", "[preflight]") {
  TempDir jobs_dir;
  auto jobs = test::parse_job_file(jobs_dir.path, "[n]\nioengine=null\nrw=write\nsize=1p\ndirectory=/no/such/dir\n");
  CHECK(check(jobs).empty());
}

TEST_CASE("a CPU list naming a CPU this machine lacks is a problem at its line, as fio refuses it", "[preflight]") {
  TempDir jobs_dir;
  const long n = ::sysconf(_SC_NPROCESSORS_CONF);
  REQUIRE(n > 0);
  const std::string last = std::to_string(n - 1), over = std::to_string(n);
  // The null engine too: the check is about the machine, not the files.
  auto ok = test::parse_job_file(jobs_dir.path, "[n]\nioengine=null\nsize=1m\ncpus_allowed=0-" + last + "\n");
  CHECK(check(ok).empty());
  auto bad = test::parse_job_file(jobs_dir.path, "[n]\nioengine=null\nsize=1m\ncpus_allowed=0-" + over + "\nverify_async_cpus=" + over + "\n");
  auto ps = check(bad);
  INFO(test::all_text(ps));
  REQUIRE(ps.size() == 2);
  CHECK(ps[0].what == "cpus_allowed lists CPU " + over + ", but this machine has CPUs 0-" + last);
  CHECK(ps[0].where == jobs_dir.path + "/t.fio:4");
  CHECK(ps[1].what.rfind("verify_async_cpus lists CPU " + over, 0) == 0);
  CHECK(ps[1].where == jobs_dir.path + "/t.fio:5");
}

TEST_CASE("allow_file_create=0 with a missing file is a problem at its line", "[preflight]") {
  TempDir jobs_dir, d;
  auto jobs = test::parse_job_file(jobs_dir.path, "[r]\nrw=read\nsize=64k\nallow_file_create=0\nfilename=" + d.path + "/absent\n");
  auto ps = check(jobs);
  INFO(test::all_text(ps));
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].what.find("allow_file_create=0") != std::string::npos);
  CHECK(ps[0].where == jobs_dir.path + "/t.fio:4");
}

TEST_CASE("an option set in a [global] section is located at its line there", "[preflight]") {
  TempDir jobs_dir, d;
  test::write_file(d.path + "/mine", std::string(4096, 'm'));
  auto jobs = test::parse_job_file(jobs_dir.path, "; header\n[global]\nfilename=" + d.path + "/mine\nsize=4k\n\n[one]\nrw=write\n[two]\nrw=write\n");
  auto ps = check(jobs);
  INFO(test::all_text(ps));
  REQUIRE(ps.size() == 2);
  CHECK(ps[0].where == jobs_dir.path + "/t.fio:3");
  CHECK(ps[1].where == jobs_dir.path + "/t.fio:3");
  CHECK(ps[0].str().rfind("job 'one' (" + jobs_dir.path + "/t.fio:3): ", 0) == 0);
  CHECK(ps[0].str().find("\n    hint: ") != std::string::npos);
}
