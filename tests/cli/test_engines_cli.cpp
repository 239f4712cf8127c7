// Issue 15, part "engines", through the fiokit binary. fill_device: on a
// 1 MiB tmpfs ([root]: mounted per case, exit 77 with the reason when it
// cannot be) a write job ends at the first ENOSPC with the figures fio 3.33
// gives (257 writes of 4k, 1 MiB written, error 0, exit 0; 260 at iodepth 4),
// a read job reads what its layout could fill; the jobs fio cannot run
// sensibly without size= are refused with the option and the line.
#include <sys/mount.h>

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "subprocess.hpp"

using fiokit::test::make_temp_dir;
using fiokit::test::run_fiokit;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A tmpfs of `size` on a fresh temp dir, unmounted and removed at the end.
struct Tmpfs {
  std::string path;
  Tmpfs(const std::string& tag, const std::string& size) {
    fiokit::test::skip_unless_root("mounting a small tmpfs");
    path = make_temp_dir(tag);
    if (::mount("none", path.c_str(), "tmpfs", 0, ("size=" + size).c_str()) != 0) {
      const std::string why = std::strerror(errno);
      fs::remove(path);
      fiokit::test::skip("mount -t tmpfs -o size=" + size + ": " + why);
    }
  }
  ~Tmpfs() {
    (void)::umount2(path.c_str(), MNT_DETACH);
    std::error_code ec;
    fs::remove(path, ec);
  }
  Tmpfs(const Tmpfs&) = delete;
  Tmpfs& operator=(const Tmpfs&) = delete;
};

struct Figures {
  int code;
  std::string err;
  json job;
};

Figures run_json(const std::string& dir, std::vector<std::string> args) {
  // The run's record goes elsewhere: on the tmpfs it would not fit either.
  const std::string data = make_temp_dir("fill-data");
  std::vector<std::string> a{"run", "--eta=never", "--output-format=json", "--data-dir=" + data};
  a.insert(a.end(), args.begin(), args.end());
  auto o = run_fiokit({a, "", dir});
  fs::remove_all(data);
  UNSCOPED_INFO(o.err);
  Figures f{o.code, o.err, {}};
  if (o.code == 0 || o.code == 1) f.job = json::parse(o.out)["jobs"][0];
  return f;
}

}  // namespace

TEST_CASE("fill_device: a write job ends at ENOSPC without an error, as fio 3.33", "[root]") {
  const Tmpfs mnt("fill", "1m");
  SECTION("sequential, no size: 256 writes fill 1 MiB, the 257th finds it full") {
    auto f = run_json(mnt.path, {"--name=fill", "--filename=" + mnt.path + "/f", "--rw=write", "--bs=4k", "--fill_device=1"});
    REQUIRE(f.code == 0);
    CHECK(f.job["error"] == 0);
    CHECK(f.job["write"]["io_bytes"] == 1 << 20);
    CHECK(f.job["write"]["total_ios"] == 257);
    CHECK(f.job["write"]["clat_ns"]["N"] == 256);  // the failed write carries no latency
    CHECK(fs::file_size(mnt.path + "/f") == 1u << 20);
    CHECK_THAT(f.err, Catch::Contains("No space left on device") && Catch::Contains("fill_device"));
  }
  SECTION("the alias fill_fs, io_uring at iodepth 4: the 4 writes in flight at the first ENOSPC count too") {
    auto f = run_json(mnt.path, {"--name=fill", "--filename=" + mnt.path + "/f", "--rw=write", "--bs=4k", "--fill_fs=1",
                                 "--ioengine=io_uring", "--iodepth=4"});
    if (f.code == 1 && f.err.find("io_uring") != std::string::npos) fiokit::test::skip("io_uring unavailable: " + f.err);
    REQUIRE(f.code == 0);
    CHECK(f.job["error"] == 0);
    CHECK(f.job["write"]["io_bytes"] == 1 << 20);
    CHECK(f.job["write"]["total_ios"] == 260);
  }
  SECTION("size= larger than the file system: the same end, and no free-space refusal before the run") {
    auto f = run_json(mnt.path, {"--name=fill", "--filename=" + mnt.path + "/f", "--rw=write", "--bs=4k", "--fill_device=1", "--size=4m"});
    REQUIRE(f.code == 0);
    CHECK(f.job["write"]["io_bytes"] == 1 << 20);
    CHECK(f.job["write"]["total_ios"] == 257);
  }
  SECTION("size= that fits: a plain job of that size, no ENOSPC") {
    auto f = run_json(mnt.path, {"--name=fill", "--filename=" + mnt.path + "/f", "--rw=write", "--bs=4k", "--fill_device=1", "--size=512k"});
    REQUIRE(f.code == 0);
    CHECK(f.job["write"]["io_bytes"] == 512 << 10);
    CHECK(f.job["write"]["total_ios"] == 128);
    CHECK(f.err.find("No space left") == std::string::npos);
  }
  SECTION("a read job reads what its layout could fill") {
    auto f = run_json(mnt.path, {"--name=fill", "--filename=" + mnt.path + "/f", "--rw=read", "--bs=4k", "--fill_device=1"});
    REQUIRE(f.code == 0);
    CHECK(f.job["error"] == 0);
    CHECK(f.job["read"]["io_bytes"] == 1 << 20);
    CHECK(f.job["read"]["total_ios"] == 256);
  }
  SECTION("without fill_device the same job fails with ENOSPC") {
    auto f = run_json(mnt.path, {"--name=nofill", "--filename=" + mnt.path + "/f", "--rw=write", "--bs=4k", "--size=4m"});
    // Refused before any I/O (the files need more than is free), exit 2.
    CHECK(f.code == 2);
  }
}

TEST_CASE("fill_device without size= is refused where fio 3.33 cannot run it sensibly") {
  for (const char* rw : {"randwrite", "rw", "randrw", "trim"}) {
    INFO(rw);
    auto o = run_fiokit({{"run", "--parse-only", "--name=x", std::string("--rw=") + rw, "--fill_device=1"}});
    CHECK(o.code == 2);
    CHECK_THAT(o.err, Catch::Contains("fill_device") && Catch::Contains("size="));
  }
  // With a size they parse, and a sequential writer or a reader parses without.
  for (const char* rw : {"randwrite", "rw", "write", "read", "randread"}) {
    INFO(rw);
    auto o = run_fiokit({{"run", "--parse-only", "--name=x", std::string("--rw=") + rw, "--fill_device=1",
                          std::string(rw) == "write" || std::string(rw) == "read" || std::string(rw) == "randread" ? "--bs=4k" : "--size=1m"}});
    CHECK(o.code == 0);
  }
  // In a job file the refusal names the file and the line.
  const std::string dir = make_temp_dir("fill-parse");
  std::ofstream(dir + "/f.fio") << "[f]\nrw=randwrite\nfill_device=1\n";
  auto o = run_fiokit({{"run", "--parse-only", "f.fio"}, "", dir});
  CHECK(o.code == 2);
  CHECK_THAT(o.err, Catch::Contains("f.fio:3"));
  fs::remove_all(dir);
}

// fio's examples/cpuio.fio (read from fio's source package, shortened to a
// 1 s runtime in a temp copy: its own runtime= outranks the command line):
// both stonewalled groups of two burners run, count cycles, move no bytes.
TEST_CASE("fio's examples/cpuio.fio runs", "[fio-examples]") {
  const fs::path src = "/var/tmp/fiokit-fio-src/fio-3.33/examples/cpuio.fio";
  if (!fs::exists(src)) fiokit::test::skip("fio 3.33's source package is not unpacked at " + src.parent_path().string());
  std::string text = fiokit::test::slurp(src);
  const auto at = text.find("runtime=15");
  REQUIRE(at != std::string::npos);
  text.replace(at, 10, "runtime=1");
  const std::string dir = make_temp_dir("cpuio-example");
  std::ofstream(dir + "/cpuio.fio") << text;
  auto o = run_fiokit({{"run", "--eta=never", "--output-format=json", "cpuio.fio"}, "", dir});
  INFO(o.err);
  REQUIRE(o.code == 0);
  const json doc = json::parse(o.out);
  REQUIRE(doc["jobs"].size() == 4);
  for (const auto& j : doc["jobs"]) {
    INFO(j["jobname"]);
    CHECK(j["error"] == 0);
    CHECK(j["read"]["io_bytes"] == 0);
    CHECK(j["read"]["total_ios"].get<uint64_t>() >= 1);
    CHECK(j["read"]["clat_ns"]["N"] == j["read"]["total_ios"]);
  }
  fs::remove_all(dir);
}

TEST_CASE("cpuio: no cpuload is fio's job error; no runtime or number_ios is refused") {
  auto o = run_fiokit({{"run", "--eta=never", "--output-format=json", "--name=c", "--ioengine=cpuio", "--runtime=1"}});
  CHECK(o.code == 1);
  CHECK_THAT(o.err, Catch::Contains("cpu thread needs rate (cpuload=)"));
  auto p = run_fiokit({{"run", "--parse-only", "--name=c", "--ioengine=cpuio", "--cpuload=10"}});
  CHECK(p.code == 2);
  CHECK_THAT(p.err, Catch::Contains("ioengine=cpuio needs runtime= or number_ios="));
  auto q = run_fiokit({{"run", "--parse-only", "--name=c", "--ioengine=psync", "--cpuload=10", "--runtime=1"}});
  CHECK(q.code == 2);
  CHECK_THAT(q.err, Catch::Contains("applies only to ioengine=cpuio"));
}
