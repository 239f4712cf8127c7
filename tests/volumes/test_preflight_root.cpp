// Preflight and disk-full handling on small real filesystems mounted for the
// test: an 8 MiB tmpfs (free space, read-only remount, ENOSPC mid-run), ramfs
// (no O_DIRECT), and loop devices (4096-byte sectors, an ext4 signature, a
// mounted device). All tagged [root]; each skips with the reason when mount or
// losetup is not possible. Mounts and loop devices are released by RAII.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/run.hpp"
#include "volume_test_util.hpp"
#include "volumes/device_info.hpp"
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

}  // namespace

TEST_CASE("8 MiB tmpfs: a job writing more than is free is refused, one that fits is not", "[root][preflight]") {
  FIOKIT_REQUIRE_ROOT();
  test::Mount m("tmpfs", "size=8m");
  FIOKIT_REQUIRE_MOUNTED(m);
  TempDir jobs_dir;
  auto big = test::parse_job_file(jobs_dir.path, "[big]\nrw=write\nsize=16m\ndirectory=" + m.path() + "\n");
  auto ps = check(big);
  INFO(test::all_text(ps));
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].what.find("16.0MiB") != std::string::npos);
  CHECK(ps[0].what.find("tmpfs at " + m.path()) != std::string::npos);
  CHECK(ps[0].where == jobs_dir.path + "/t.fio:3");
  // Two 3 MiB jobs fit; three do not: the need is summed over jobs.
  auto two = test::parse_job_file(jobs_dir.path, "[a]\nrw=write\nsize=3m\nnumjobs=2\ndirectory=" + m.path() + "\n", "two.fio");
  CHECK(check(two).empty());
  auto three = test::parse_job_file(jobs_dir.path, "[a]\nrw=write\nsize=3m\nnumjobs=3\ndirectory=" + m.path() + "\n", "three.fio");
  CHECK(check(three).size() == 1);
  // A file already laid out counts only for what it still needs: after a
  // 6 MiB layout, the same job fits again while a second 6 MiB job does not.
  auto six = test::parse_job_file(jobs_dir.path, "[six]\nrw=write\nsize=6m\ndirectory=" + m.path() + "\n", "six.fio");
  CHECK(check(six).empty());
  auto targets = volumes::plan_files(six[0], false);
  REQUIRE(volumes::lay_out_file(targets[0], {.need_data = true}));
  auto again = check(six);
  INFO(test::all_text(again));
  CHECK(again.empty());
  auto other = test::parse_job_file(jobs_dir.path, "[other]\nrw=write\nsize=6m\ndirectory=" + m.path() + "\n", "other.fio");
  CHECK(check(other).size() == 1);
}

TEST_CASE("ramfs: direct=1 is refused naming ramfs and suggesting direct=0", "[root][preflight]") {
  FIOKIT_REQUIRE_ROOT();
  test::Mount m("ramfs", "");
  FIOKIT_REQUIRE_MOUNTED(m);
  TempDir jobs_dir;
  CHECK(volumes::probe_o_direct(m.path()) == 0);
  auto jobs = test::parse_job_file(jobs_dir.path, "[d]\nrw=write\nsize=64k\ndirect=1\ndirectory=" + m.path() + "\n");
  auto ps = check(jobs);
  INFO(test::all_text(ps));
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].what.find("ramfs") != std::string::npos);
  CHECK(ps[0].hint.find("direct=0") != std::string::npos);
  CHECK(ps[0].where == jobs_dir.path + "/t.fio:4");
  // The probe left nothing behind.
  CHECK(test::sh("ls -A '" + m.path() + "'").empty());
  auto buffered = test::parse_job_file(jobs_dir.path, "[d]\nrw=write\nsize=64k\ndirect=0\ndirectory=" + m.path() + "\n", "b.fio");
  CHECK(check(buffered).empty());
}

TEST_CASE("read-only mount: write jobs are refused, reads of existing files are not", "[root][preflight]") {
  FIOKIT_REQUIRE_ROOT();
  test::Mount m("tmpfs", "size=8m");
  FIOKIT_REQUIRE_MOUNTED(m);
  TempDir jobs_dir;
  const std::string data = m.path() + "/data.bin";
  test::write_file(data, std::string(256 * 1024, 'd'));
  REQUIRE(m.remount_ro());
  const std::string before = test::sha256(data);
  auto w = test::parse_job_file(jobs_dir.path, "[w]\nrw=randwrite\nsize=64k\nfilename=" + data + "\n");
  auto ps = check(w, /*clobber=*/true);
  INFO(test::all_text(ps));
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].what.find("read-only") != std::string::npos);
  CHECK(ps[0].where == jobs_dir.path + "/t.fio:2");  // the rw= line
  auto create = test::parse_job_file(jobs_dir.path, "[r]\nrw=read\nsize=64k\ndirectory=" + m.path() + "\n", "c.fio");
  auto ps2 = check(create);
  INFO(test::all_text(ps2));
  REQUIRE(ps2.size() == 1);
  CHECK(ps2[0].what.find("cannot be laid out") != std::string::npos);
  auto r = test::parse_job_file(jobs_dir.path, "[r]\nrw=read\nsize=64k\nfilename=" + data + "\n", "r.fio");
  CHECK(check(r).empty());
  CHECK(test::sha256(data) == before);
}

TEST_CASE("direct=1 with bs not a multiple of a 4096-byte logical block is refused", "[root][preflight]") {
  FIOKIT_REQUIRE_ROOT();
  test::LoopDevice loop(32, 4096, /*mkfs=*/true, /*mount=*/true);
  if (!loop.ok(true)) {
    WARN("skipping: " << loop.error);
    return;
  }
  TempDir jobs_dir;
  CHECK(volumes::logical_block_size_for(loop.mnt.path) == 4096);
  auto bad = test::parse_job_file(jobs_dir.path, "[global]\ndirect=1\n[a]\nrw=randread\nbs=512\nsize=1m\ndirectory=" + loop.mnt.path + "\n");
  auto ps = check(bad);
  INFO(test::all_text(ps));
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].what.find("bs=512") != std::string::npos);
  CHECK(ps[0].what.find("4096") != std::string::npos);
  CHECK(ps[0].where == jobs_dir.path + "/t.fio:5");
  auto good = test::parse_job_file(jobs_dir.path, "[global]\ndirect=1\n[a]\nrw=randread\nbs=4k\nsize=1m\ndirectory=" + loop.mnt.path + "\n", "g.fio");
  CHECK(check(good).empty());
  // The same bs on a 512-byte-sector loop device is fine.
  test::LoopDevice small(32, 512, true, true);
  if (small.ok(true)) {
    auto fine = test::parse_job_file(jobs_dir.path, "[a]\ndirect=1\nrw=randread\nbs=512\nsize=1m\ndirectory=" + small.mnt.path + "\n", "s.fio");
    auto ps3 = check(fine);
    INFO(test::all_text(ps3));
    CHECK(ps3.empty());
  }
}

TEST_CASE("a write job on a device with an ext4 signature, or mounted, is refused unless --allow-device-write", "[root][preflight]") {
  FIOKIT_REQUIRE_ROOT();
  TempDir jobs_dir;
  {
    test::LoopDevice loop(32, 0, /*mkfs=*/true, /*mount=*/false);
    if (!loop.ok(false)) {
      WARN("skipping: " << loop.error);
      return;
    }
    const std::string before = test::sha256(loop.image);
    auto w = test::parse_job_file(jobs_dir.path, "[w]\nrw=write\nsize=1m\nfilename=" + loop.dev + "\n");
    auto ps = check(w, /*clobber=*/true);
    INFO(test::all_text(ps));
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].what.find("ext2/3/4 signature") != std::string::npos);
    CHECK(ps[0].hint.find("--allow-device-write") != std::string::npos);
    CHECK(check(w, true, true).empty());
    auto r = test::parse_job_file(jobs_dir.path, "[r]\nrw=read\nsize=1m\nfilename=" + loop.dev + "\n", "r.fio");
    CHECK(check(r).empty());  // reading a device destroys nothing
    CHECK(test::sha256(loop.image) == before);
  }
  {
    test::LoopDevice loop(32, 0, true, /*mount=*/true);
    if (!loop.ok(true)) {
      WARN("skipping the mounted case: " << loop.error);
      return;
    }
    auto w = test::parse_job_file(jobs_dir.path, "[w]\nrw=write\nsize=1m\nfilename=" + loop.dev + "\n", "m.fio");
    auto ps = check(w);
    INFO(test::all_text(ps));
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].what.find("mounted") != std::string::npos);
    CHECK(ps[0].what.find(loop.mnt.path) != std::string::npos);
  }
  {
    test::LoopDevice blank(8, 0, /*mkfs=*/false, false);
    if (blank.ok(false)) {
      auto w = test::parse_job_file(jobs_dir.path, "[w]\nrw=write\nsize=1m\nfilename=" + blank.dev + "\n", "blank.fio");
      CHECK(check(w).empty());  // nothing on it: a scratch device
    }
  }
}

TEST_CASE("disk full mid-run: the job records ENOSPC and unlink removes the files it created", "[root][enospc]") {
  FIOKIT_REQUIRE_ROOT();
  test::Mount m("tmpfs", "size=8m");
  FIOKIT_REQUIRE_MOUNTED(m);
  TempDir jobs_dir;
  test::write_file(m.path() + "/user.keep", std::string(4096, 'k'));
  const std::string before = test::sha256(m.path() + "/user.keep");
  auto jobs = test::parse_job_file(jobs_dir.path, "[fill]\nrw=write\nbs=64k\nsize=16m\nfallocate=none\nunlink=1\nwrite_bw_log=fill\ndirectory=" + m.path() + "\n");
  REQUIRE(!check(jobs).empty());  // preflight sees it coming; the engine is run anyway
  engine::RunOptions o;
  o.run_dir = jobs_dir.path;
  auto rr = engine::run_jobs(jobs, o);
  REQUIRE(rr.jobs.size() == 1);
  const auto& jr = rr.jobs[0];
  INFO(jr.error_message);
  CHECK(jr.error == ENOSPC);
  CHECK(jr.error_message.find(m.path()) != std::string::npos);
  // Partial results are kept: what was written before the disk filled.
  CHECK(jr.dirs[1].io_bytes > 0);
  CHECK(jr.dirs[1].io_bytes < 16u << 20);
  struct stat st {};
  CHECK(::stat((m.path() + "/fill.0.0").c_str(), &st) != 0);
  // ...and so is the log of what happened before.
  const std::string log = test::sh("cat '" + jobs_dir.path + "/fill_bw.1.log' 2>/dev/null");
  CHECK(!log.empty());
  CHECK(test::sha256(m.path() + "/user.keep") == before);
}

namespace {

// A loop device over an image with one MBR partition (LBA 2048..end), set up
// with partition scanning so /dev/loopNp1 appears; detached by RAII.
struct PartitionedLoop {
  TempDir dir{"part"};
  TempDir mnt{"partmnt"};
  std::string dev, part, error;
  bool mounted = false;
  PartitionedLoop() {
    const std::string img = dir.path + "/disk.img";
    int rc = 0;
    test::sh("truncate -s 32M '" + img + "'", &rc);
    // One primary Linux partition: type 0x83, start LBA 2048, 63488 sectors.
    unsigned char entry[16] = {0, 0, 0, 0, 0x83, 0, 0, 0, 0x00, 0x08, 0, 0, 0x00, 0xf8, 0, 0};
    const int fd = ::open(img.c_str(), O_WRONLY);
    if (fd < 0 || ::pwrite(fd, entry, 16, 446) != 16 || ::pwrite(fd, "\x55\xaa", 2, 510) != 2) {
      error = "cannot write the partition table";
      if (fd >= 0) ::close(fd);
      return;
    }
    ::close(fd);
    dev = test::sh("losetup -P --find --show '" + img + "' 2>/dev/null", &rc);
    while (!dev.empty() && dev.back() == '\n') dev.pop_back();
    if (rc != 0 || dev.empty()) {
      error = "losetup -P failed";
      dev.clear();
      return;
    }
    part = dev + "p1";
    for (int i = 0; i < 50 && ::access(part.c_str(), F_OK) != 0; ++i) ::usleep(20000);
    if (::access(part.c_str(), F_OK) != 0) {
      error = part + " did not appear (the kernel did not scan the partition table: no MBR partition support or no devtmpfs node)";
      return;
    }
    if (test::sh("mkfs.ext4 -q -F '" + part + "' 2>&1", &rc), rc != 0) {
      error = "mkfs.ext4 on " + part + " failed";
      return;
    }
    if (::mount(part.c_str(), mnt.path.c_str(), "ext4", 0, nullptr) == 0)
      mounted = true;
    else
      error = "mount " + part + ": " + std::strerror(errno);
  }
  ~PartitionedLoop() {
    if (mounted) (void)::umount2(mnt.path.c_str(), MNT_DETACH);
    if (!dev.empty()) test::sh("losetup -d '" + dev + "' 2>/dev/null");
  }
  PartitionedLoop(const PartitionedLoop&) = delete;
  PartitionedLoop& operator=(const PartitionedLoop&) = delete;
};

}  // namespace

TEST_CASE("a whole disk counts as mounted when one of its partitions is", "[root][preflight]") {
  FIOKIT_REQUIRE_ROOT();
  PartitionedLoop loop;
  if (!loop.mounted) {
    WARN("skipping: " << loop.error);
    return;
  }
  TempDir jobs_dir;
  auto w = test::parse_job_file(jobs_dir.path, "[w]\nrw=write\nsize=1m\nfilename=" + loop.dev + "\n");
  auto ps = check(w, true, false);
  INFO(test::all_text(ps));
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].what.find("mounted") != std::string::npos);
  CHECK(ps[0].what.find(loop.part) != std::string::npos);
  CHECK(volumes::detect_signature(loop.dev) == "MBR");
}

TEST_CASE("direct=1 on a block device checks bs against the device's own logical block size", "[root][preflight]") {
  FIOKIT_REQUIRE_ROOT();
  test::LoopDevice loop(8, 4096, /*mkfs=*/false, /*mount=*/false);
  if (!loop.ok(false)) {
    WARN("skipping: " << loop.error);
    return;
  }
  TempDir jobs_dir;
  auto bad = test::parse_job_file(jobs_dir.path, "[r]\nrw=randread\ndirect=1\nbs=2k\nsize=1m\nfilename=" + loop.dev + "\n");
  auto ps = check(bad);
  INFO(test::all_text(ps));
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].what.find("bs=2048") != std::string::npos);
  CHECK(ps[0].what.find("4096") != std::string::npos);
  CHECK(ps[0].where == jobs_dir.path + "/t.fio:4");
  auto good = test::parse_job_file(jobs_dir.path, "[r]\nrw=randread\ndirect=1\nbs=8k\nsize=1m\nfilename=" + loop.dev + "\n", "g.fio");
  CHECK(check(good).empty());
}
