// volumes/confine on real files: paths resolved as open(2) walks them
// ('..', symlinks on the existing prefix, dangling links, loops, /proc), the
// roots a remote job may use (data dir, FIOKIT_REMOTE_ROOTS, benchmark mounts,
// never "/"), devices only with FIOKIT_ALLOW_DEVICE, and the files of parsed
// jobs (directory= with filename=, $jobname, numjobs, valueless logs), the
// cap on how many files a remote job names, and runs/ reached through a bind
// mount (root, in a child's private mount namespace). Device nodes are made with mknod under a temp dir when root (skipped with a
// printed reason otherwise); nothing here opens a device.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "jobs/ini.hpp"
#include "jobs/parse.hpp"
#include "subprocess.hpp"
#include "volumes/confine.hpp"

namespace fs = std::filesystem;
using fiokit::volumes::Confinement;
using fiokit::volumes::refuse_path;
using fiokit::volumes::resolve_path;

namespace {

struct Tree {
  std::string root = fs::canonical(fiokit::test::make_temp_dir("confine")).string();
  std::string data = root + "/data";
  std::string out = root + "/outside";
  std::string extra = root + "/extra";
  Tree() {
    fs::create_directories(data + "/sub");
    fs::create_directories(out);
    fs::create_directories(extra);
    std::ofstream(out + "/secret") << "not yours\n";
    std::ofstream(data + "/mine") << "data\n";
  }
  ~Tree() { fs::remove_all(root); }
  // Only the data dir (and `roots`) allowed; no benchmark mounts, so the
  // machine's mount table cannot decide a test.
  Confinement conf(std::vector<std::string> roots = {}, bool allow_device = false) const {
    Confinement c;
    c.base_dir = data;
    c.roots = {data};
    c.roots.insert(c.roots.end(), roots.begin(), roots.end());
    c.allow_device = allow_device;
    return c;
  }
};

fiokit::jobs::Expander no_env() { return fiokit::jobs::Expander::without_environment("test"); }

std::vector<fiokit::jobs::JobSpec> parse(const std::string& text) {
  fiokit::jobs::ParseRequest req;
  req.sources.push_back({"remote.fio", fiokit::jobs::read_job_text(text, "remote.fio", ".", no_env())});
  return fiokit::jobs::build_jobs(req, fiokit::jobs::own_options()).jobs;
}

}  // namespace

TEST_CASE("paths resolve as the kernel walks them", "[confine]") {
  Tree t;
  CHECK(resolve_path("mine", t.data).path == t.data + "/mine");
  CHECK(resolve_path("./sub/../mine", t.data).path == t.data + "/mine");
  CHECK(resolve_path("../../../../../../../../etc/passwd", t.data).path == "/etc/passwd");
  CHECK(resolve_path("new/deeper/file", t.data).path == t.data + "/new/deeper/file");
  CHECK(resolve_path("new/../../outside/x", t.data).path == t.out + "/x");
  SECTION("symlinks on the existing prefix are followed, relative ones from their folder") {
    fs::create_directory_symlink(t.out, t.data + "/abs");
    fs::create_directory_symlink("../outside", t.data + "/rel");
    CHECK(resolve_path("abs/secret", t.data).path == t.out + "/secret");
    CHECK(resolve_path("rel/secret", t.data).path == t.out + "/secret");
    CHECK(resolve_path("rel/../data/mine", t.data).path == t.data + "/mine");  // '..' after the link: from its target
  }
  SECTION("a dangling symlink is followed to where O_CREAT would create the file") {
    fs::create_symlink(t.out + "/created-by-open", t.data + "/dangling");
    CHECK(resolve_path("dangling", t.data).path == t.out + "/created-by-open");
  }
  SECTION("a symlink loop is reported, not followed forever") {
    fs::create_symlink(t.data + "/b", t.data + "/a");
    fs::create_symlink(t.data + "/a", t.data + "/b");
    CHECK(resolve_path("a", t.data).loops);
  }
  SECTION("/proc links are marked") {
    const auto r = resolve_path("/proc/self/root/etc/passwd", t.data);
    CHECK(r.via_proc);
    CHECK(r.path == "/etc/passwd");
    CHECK(resolve_path("/proc/self/cwd/x", t.data).via_proc);
    CHECK(resolve_path("/proc/1/root/dev/null", t.data).via_proc);
    CHECK(!resolve_path("mine", t.data).via_proc);
  }
}

TEST_CASE("a remote job may use the data dir and FIOKIT_REMOTE_ROOTS, nothing else", "[confine]") {
  Tree t;
  const Confinement c = t.conf();
  CHECK(!refuse_path(c, "mine"));
  CHECK(!refuse_path(c, "new-file"));
  CHECK(!refuse_path(c, t.data + "/sub/x"));
  CHECK(!refuse_path(c, t.data));
  const auto outside = refuse_path(c, "../outside/new");
  REQUIRE(outside);
  CHECK_THAT(*outside, Catch::Contains("resolves to '" + t.out + "/new'") && Catch::Contains("outside the data dir") &&
                           Catch::Contains("FIOKIT_REMOTE_ROOTS"));
  CHECK(refuse_path(c, "/"));
  CHECK(refuse_path(c, "/tmp/elsewhere/new"));
  CHECK(refuse_path(c, t.data + "-sibling/x"));  // a name that merely starts like the data dir
  CHECK(refuse_path(c, t.extra + "/x"));
  CHECK(!refuse_path(t.conf({t.extra}), t.extra + "/x"));
  Confinement with_runs = c;
  with_runs.excluded = {t.data + "/runs"};
  const auto runs = refuse_path(with_runs, "runs/2026-x/results.json");
  REQUIRE(runs);
  CHECK_THAT(*runs, Catch::Contains("results of runs"));
  CHECK(refuse_path(with_runs, "sub/../runs"));
  CHECK(!refuse_path(with_runs, "runs-not/x"));
  SECTION("a symlink inside the data dir pointing outside is outside, dangling or not") {
    fs::create_directory_symlink(t.out, t.data + "/link");
    fs::create_symlink(t.out + "/new", t.data + "/dangling");
    CHECK(refuse_path(c, "link/secret"));
    CHECK(refuse_path(c, "link/new"));
    CHECK(refuse_path(c, "dangling"));
  }
  SECTION("/proc is refused even when it points back inside") {
    const auto why = refuse_path(c, "/proc/self/root" + t.data + "/mine");
    REQUIRE(why);
    CHECK_THAT(*why, Catch::Contains("/proc"));
    CHECK(refuse_path(c, "/proc/self/cwd/mine"));
  }
  SECTION("a symlink loop is refused") {
    fs::create_symlink(t.data + "/b", t.data + "/a");
    fs::create_symlink(t.data + "/a", t.data + "/b");
    CHECK(refuse_path(c, "a"));
  }
}

TEST_CASE("benchmark mounts are allowed, the root filesystem and system mounts never", "[confine]") {
  Tree t;
  Confinement c = t.conf();
  fiokit::volumes::MountEntry m;
  m.mount_point = t.out;
  m.fstype = "ext4";
  m.mount_options = "rw";
  fiokit::volumes::MountEntry rootfs = m;
  rootfs.mount_point = "/";
  c.mounts = {rootfs, m};
  CHECK(!refuse_path(c, t.out + "/bench-file"));
  CHECK(refuse_path(c, t.extra + "/x"));  // on "/" only
  for (const char* sys : {"/boot", "/boot/efi", "/var", "/home"}) {
    fiokit::volumes::MountEntry s = m;
    s.mount_point = sys;
    c.mounts = {rootfs, s};
    CHECK(refuse_path(c, std::string(sys) + "/fiokit-no-such-file"));
  }
  c.mounts = {rootfs, m};
  c.mounts[1].fstype = "proc";
  CHECK(refuse_path(c, t.out + "/bench-file"));
  c.mounts[1].fstype = "overlay";
  CHECK(refuse_path(c, t.out + "/bench-file"));
}

TEST_CASE("devices need FIOKIT_ALLOW_DEVICE=1; /dev/null and /dev/zero are fine", "[confine]") {
  Tree t;
  const Confinement c = t.conf();
  CHECK(!refuse_path(c, "/dev/null"));
  CHECK(!refuse_path(c, "/dev/zero"));
  CHECK(!refuse_path(c, "../../../../../../dev/null"));
  const auto missing = refuse_path(c, "/dev/fiokit-no-such-device");
  REQUIRE(missing);
  CHECK_THAT(*missing, Catch::Contains("FIOKIT_ALLOW_DEVICE=1"));
  const auto tty = refuse_path(t.conf({"/dev"}), "/dev/tty");
  REQUIRE(tty);
  CHECK_THAT(*tty, Catch::Contains("character device") && Catch::Contains("FIOKIT_ALLOW_DEVICE=1"));
  CHECK(!refuse_path(t.conf({"/dev"}, true), "/dev/tty"));
  CHECK(refuse_path(t.conf({}, true), "/dev/tty"));  // allowed devices still need a root
}

// [root]: its own CTest entry (container_root_mknod) that reports exit 77 as a skip.
TEST_CASE("block device nodes in the data dir need FIOKIT_ALLOW_DEVICE=1", "[confine][root][mknod]") {
  fiokit::test::skip_unless_root("mknod of block device nodes");
  Tree t;
  const Confinement c = t.conf();
  // A block node in the data dir (loop device numbers, 7:0; never opened here).
  REQUIRE(::mknod((t.data + "/blk").c_str(), S_IFBLK | 0600, makedev(7, 0)) == 0);
  fs::create_symlink(t.data + "/blk", t.data + "/to-blk");
  const auto blk = refuse_path(c, "blk");
  REQUIRE(blk);
  CHECK_THAT(*blk, Catch::Contains("block device"));
  CHECK(refuse_path(c, "to-blk"));
  CHECK(!refuse_path(t.conf({}, true), "blk"));
  // /dev/null's numbers as a char node are /dev/null; as a block node they are a ramdisk.
  REQUIRE(::mknod((t.data + "/null").c_str(), S_IFCHR | 0600, makedev(1, 3)) == 0);
  REQUIRE(::mknod((t.data + "/ram").c_str(), S_IFBLK | 0600, makedev(1, 3)) == 0);
  CHECK(!refuse_path(c, "null"));
  CHECK(refuse_path(c, "ram"));
}

TEST_CASE("the files parsed jobs will open are checked, with the job's file and line", "[confine]") {
  Tree t;
  const Confinement c = t.conf();
  auto check = [&](const std::string& text) {
    const auto jobs = parse(text);
    return fiokit::volumes::check_confined(jobs, c, {});
  };
  CHECK(check("[a]\nsize=64k\n").empty());
  CHECK(check("[a]\nsize=64k\ndirectory=sub\nnumjobs=3\nfilename_format=f.$jobnum\n").empty());
  CHECK(check("[a]\nsize=64k\nwrite_bw_log\nwrite_lat_log=lat\n").empty());
  SECTION("directory= joined with filename= through a symlink") {
    fs::create_directory_symlink(t.out, t.data + "/sub/link");
    const auto v = check("[global]\nsize=64k\n[a]\ndirectory=sub\nfilename=link/secret\n");
    REQUIRE(v.size() == 1);
    CHECK(v[0].job == "a");
    CHECK(v[0].loc.line == 3);
    CHECK_THAT(v[0].str(), Catch::Contains("remote.fio:3") && Catch::Contains("sub/link/secret") && Catch::Contains(t.out + "/secret"));
  }
  SECTION("$jobname in filename_format, with a job name that climbs out") {
    const auto v = check("[../outside/x]\nsize=64k\nfilename_format=$jobname.$jobnum\n");
    REQUIRE(v.size() == 1);
    CHECK_THAT(v[0].str(), Catch::Contains(t.out + "/x.0"));
  }
  SECTION("numjobs clones are reported once") {
    const auto v = check("[a]\nsize=64k\nnumjobs=4\nfilename=../outside/shared\n");
    CHECK(v.size() == 1);
  }
  SECTION("every directory entry, used or not") {
    const auto v = check("[a]\nsize=64k\ndirectory=sub:" + t.out + "\nnrfiles=1\n");
    REQUIRE(!v.empty());
    CHECK_THAT(v[0].str(), Catch::Contains("directory '" + t.out + "'"));
  }
  SECTION("log prefixes stay in the run dir; a valueless log takes the job name") {
    auto v = check("[a]\nsize=64k\nwrite_iops_log=../../x\n");
    REQUIRE(v.size() == 1);
    CHECK_THAT(v[0].str(), Catch::Contains("write_iops_log '../../x'") && Catch::Contains("run directory"));
    v = check("[/etc/cron.d/x]\nsize=64k\nfilename=f\nwrite_bw_log\n");
    REQUIRE(v.size() == 1);
    CHECK_THAT(v[0].str(), Catch::Contains("write_bw_log '/etc/cron.d/x'"));
  }
  SECTION("a replay: the log, the files it names, replay_redirect and write_iolog") {
    std::ofstream(t.data + "/in.log") << "fio version 2 iolog\nmine add\n../outside/secret add\nmine read 0 4\n";
    auto v = check("[a]\nread_iolog=" + t.data + "/in.log\n");
    REQUIRE(v.size() == 1);
    CHECK_THAT(v[0].str(), Catch::Contains("file '../outside/secret'") && Catch::Contains(t.out + "/secret"));
    CHECK(check("[a]\nread_iolog=" + t.data + "/in.log\nreplay_redirect=mine\n").empty());
    v = check("[a]\nread_iolog=" + t.data + "/in.log\nreplay_redirect=" + t.out + "/secret\n");
    REQUIRE(v.size() == 1);
    CHECK_THAT(v[0].str(), Catch::Contains("file '" + t.out + "/secret'"));
    v = check("[a]\nread_iolog=" + t.out + "/secret\n");
    REQUIRE(!v.empty());
    CHECK_THAT(v[0].str(), Catch::Contains("read_iolog '" + t.out + "/secret'"));
    v = check("[a]\nsize=64k\nwrite_iolog=../x.log\n");
    REQUIRE(v.size() == 1);
    CHECK_THAT(v[0].str(), Catch::Contains("write_iolog '../x.log'"));
  }
  SECTION("only the jobs the filter selects") {
    const auto jobs = parse("[a]\nsize=64k\nfilename=/tmp/elsewhere/x\n");
    CHECK(fiokit::volumes::check_confined(jobs, c, [](const fiokit::jobs::JobSpec&) { return false; }).empty());
  }
}

TEST_CASE("a remote job file names at most 100000 files, counted before any is looked at", "[confine]") {
  Tree t;
  const Confinement c = t.conf();
  const std::string head = "[j]\nrw=read\nsize=4k\nioengine=null\nfilesize=4k\n";
  // 2 x 60000 files, all inside the data dir: allowed one by one, too many together.
  auto v = fiokit::volumes::check_confined(parse(head + "numjobs=2\nnrfiles=60000\n"), c, {});
  REQUIRE(v.size() == 1);
  CHECK_THAT(v[0].str(), Catch::Contains("job 'j' (remote.fio:1)") && Catch::Contains("numjobs=2 with nrfiles=60000") &&
                             Catch::Contains("to 120000;") && Catch::Contains("at most 100000"));
  CHECK(fiokit::volumes::check_confined(parse(head + "numjobs=2\nnrfiles=50000\n"), c, {}).empty());
  // As many as a run may plan (1048576; the red-team's 4.3e9 is a parse
  // error now): counted, not looked at one by one.
  const auto start = std::chrono::steady_clock::now();
  v = fiokit::volumes::check_confined(parse(head + "numjobs=16\nnrfiles=65536\n"), c, {});
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  REQUIRE(v.size() == 1);
  CHECK_THAT(v[0].str(), Catch::Contains("numjobs=16 with nrfiles=65536") && Catch::Contains("to 1048576;"));
}

TEST_CASE("runs/ stays refused when another mount reaches it", "[confine][root][mountns]") {
  // The data dir a bind mount of <volume>/fio: <volume>/fio/runs is the data
  // dir's runs/ under another name, and the volume is an allowed place. Made
  // in a private mount namespace of a child process, so nothing leaks out.
  // [root]: its own CTest entry (container_root_mountns), exit 77 a skip.
  fiokit::test::skip_unless_root("making bind mounts in a private mount namespace");
  Tree t;
  const std::string vol = t.root + "/vol", data2 = t.root + "/data2";
  fs::create_directories(vol);
  fs::create_directories(data2);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // 77: setup failed (no namespaces here); 1..: which check failed.
    if (unshare(CLONE_NEWNS) != 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        mount("tmpfs", vol.c_str(), "tmpfs", 0, nullptr) != 0)
      _exit(77);
    std::error_code ec;
    fs::create_directories(vol + "/fio/runs/OLD", ec);
    if (ec || mount((vol + "/fio").c_str(), data2.c_str(), nullptr, MS_BIND, nullptr) != 0) _exit(77);
    Confinement c;
    c.base_dir = data2;
    c.roots = {data2, vol};  // the volume allowed, as a benchmark mount or FIOKIT_REMOTE_ROOTS would be
    c.excluded = {data2 + "/runs"};
    const auto old = refuse_path(c, vol + "/fio/runs/OLD/evil.dat");
    if (!old || old->find("results of runs") == std::string::npos || old->find(vol + "/fio/runs") == std::string::npos) _exit(1);
    if (!refuse_path(c, vol + "/fio/runs")) _exit(2);
    if (!refuse_path(c, vol + "/fio/runs/new-dir/x")) _exit(3);
    if (!refuse_path(c, "runs/OLD/x")) _exit(4);
    if (refuse_path(c, vol + "/fio/bench.dat") || refuse_path(c, "bench.dat") || refuse_path(c, vol + "/runs-not/x")) _exit(5);
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) fiokit::test::skip("cannot make a private mount namespace with a tmpfs and a bind mount here");
  CHECK(WEXITSTATUS(status) == 0);
}

// open_confined judges the folder it really opens in, at the open: the same
// place rules as refuse_path on the parent's real path (read back from
// /proc/self/fd), a last symlink refused (O_NOFOLLOW), devices by fstat.
TEST_CASE("open_confined re-checks the place at the open", "[confine]") {
  using fiokit::volumes::open_confined;
  Tree t;
  Confinement c = t.conf();
  c.excluded = {t.data + "/runs"};
  fs::create_directories(t.data + "/runs");
  std::string why;
  auto open_ok = [&](const std::string& path, int flags) {
    why.clear();
    const int fd = open_confined(c, path, flags | O_CLOEXEC, 0644, &why);
    INFO(path << ": " << why);
    CHECK(fd >= 0);
    if (fd >= 0) ::close(fd);
  };
  auto refused = [&](const std::string& path, int flags, int err, const std::string& says) {
    why.clear();
    const int fd = open_confined(c, path, flags | O_CLOEXEC, 0644, &why);
    INFO(path << ": " << why);
    CHECK(fd == -err);
    if (fd >= 0) ::close(fd);
    CHECK_THAT(why, Catch::Contains(says));
  };
  open_ok(t.data + "/mine", O_RDONLY);
  open_ok(t.data + "/sub/new", O_WRONLY | O_CREAT);
  CHECK(fs::exists(t.data + "/sub/new"));
  // A folder that became a link to the outside: refused, nothing created there.
  fs::rename(t.data + "/sub", t.data + "/sub.old");
  fs::create_directory_symlink(t.out, t.data + "/sub");
  refused(t.data + "/sub/new", O_WRONLY | O_CREAT, EACCES, "is now '" + t.out + "/new'");
  CHECK(!fs::exists(t.out + "/new"));
  refused(t.data + "/sub/secret", O_RDONLY, EACCES, "outside the data dir");
  // '..' past the data dir, and runs/.
  refused(t.data + "/sub.old/../../outside/secret", O_RDONLY, EACCES, "outside the data dir");
  refused(t.data + "/runs/x", O_WRONLY | O_CREAT, EACCES, "results of runs");
  CHECK(!fs::exists(t.data + "/runs/x"));
  // A last symlink, even one pointing inside.
  fs::create_symlink(t.data + "/mine", t.data + "/link-in");
  refused(t.data + "/link-in", O_RDONLY, ELOOP, "symlink");
  // A character device (a link to /dev: the parent really is /dev).
  if (fs::exists("/dev/full")) {
    fs::create_directory_symlink("/dev", t.data + "/devdir");
    c.roots.push_back("/dev");
    refused(t.data + "/devdir/full", O_WRONLY, EACCES, "a character device");
    open_ok(t.data + "/devdir/null", O_WRONLY);  // /dev/null holds nobody's data
  }
  // Ordinary failures are -errno with nothing to add.
  why.clear();
  CHECK(open_confined(c, t.data + "/sub.old/none", O_RDONLY, 0, &why) == -ENOENT);
  CHECK(why.empty());
  CHECK(open_confined(c, t.data + "/nodir/none", O_RDONLY, 0, &why) == -ENOENT);
}
