// Volume info: mountinfo parsing and path -> mount lookup, filesystem
// signatures from magic bytes, describe() checked against df and /sys, the
// "fiokit" extras a run stores, and `fiokit volumes` (text and --json) run as
// a program. Mount-dependent cases carry the [root] tag.
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "volume_test_util.hpp"
#include "volumes/device_info.hpp"
#include "volumes/mounts.hpp"

using namespace fiokit;
using fiokit::test::TempDir;

namespace {

uint64_t df_field(const std::string& path, const char* field) {
  std::string out = test::sh(std::string("df -B1 --output=") + field + " '" + path + "' | tail -1");
  return std::strtoull(out.c_str(), nullptr, 10);
}

std::string cli(const std::string& args, int* rc = nullptr) { return test::sh(std::string(VOLUMES_CLI) + " " + args, rc); }

}  // namespace

TEST_CASE("mountinfo lines are parsed with escapes, optional fields and the super options", "[volumes]") {
  const std::string text =
      "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard\n"
      "40 27 0:45 / /mnt/my\\040data rw,nosuid shared:5 master:1 - tmpfs tmpfs rw,size=8192k\n"
      "41 27 7:3 /sub /srv ro,relatime - xfs /dev/loop3 ro,attr2\n"
      "garbage line\n";
  auto ms = volumes::parse_mountinfo(text);
  REQUIRE(ms.size() == 3);
  CHECK(ms[1].mount_point == "/mnt/my data");
  CHECK(ms[1].fstype == "tmpfs");
  CHECK(ms[1].super_options == "rw,size=8192k");
  CHECK(ms[2].major == 7);
  CHECK(ms[2].minor == 3);
  CHECK(ms[2].root == "/sub");
  CHECK(ms[2].read_only());
  CHECK_FALSE(ms[0].read_only());
}

TEST_CASE("find_mount picks the deepest mount holding a path, even a path that does not exist yet", "[volumes]") {
  TempDir d;
  const auto ms = volumes::read_mounts();
  REQUIRE(!ms.empty());
  auto m = volumes::find_mount(ms, d.path + "/not/yet/there");
  REQUIRE(m);
  // Independent answer: df names the same mount point.
  std::string target = test::sh("df --output=target '" + d.path + "' | tail -1");
  while (!target.empty() && target.back() == '\n') target.pop_back();
  CHECK(m->mount_point == target);
}

TEST_CASE("filesystem and partition-table signatures are found by their magic bytes", "[volumes]") {
  TempDir d;
  struct Case {
    const char* name;
    size_t offset;
    std::string magic;
  };
  const Case cases[] = {{"ext2/3/4", 1080, std::string("\x53\xef", 2)}, {"xfs", 0, "XFSB"},
                        {"btrfs", 65600, "_BHRfS_M"},                 {"swap", 4086, "SWAPSPACE2"},
                        {"LUKS", 0, "LUKS\xba\xbe"},                   {"GPT", 512, "EFI PART"},
                        {"MBR", 510, std::string("\x55\xaa", 2)}};
  for (const auto& c : cases) {
    std::string img(70000, '\0');
    img.replace(c.offset, c.magic.size(), c.magic);
    const std::string p = d.path + "/img";
    test::write_file(p, img);
    INFO(c.name);
    CHECK(volumes::detect_signature(p) == c.name);
  }
  test::write_file(d.path + "/zero", std::string(70000, '\0'));
  CHECK(volumes::detect_signature(d.path + "/zero").empty());
  // mkfs.ext4 output is recognised too, when e2fsprogs is there.
  int rc = 0;
  test::sh("truncate -s 8M '" + d.path + "/e' && mkfs.ext4 -q -F '" + d.path + "/e' >/dev/null 2>&1", &rc);
  if (rc == 0) CHECK(volumes::detect_signature(d.path + "/e") == "ext2/3/4");
  CHECK(volumes::detect_signature(d.path + "/missing").rfind("unreadable", 0) == 0);
}

TEST_CASE("describe matches df for capacity and free space and names the filesystem", "[volumes]") {
  TempDir d;
  auto v = volumes::describe(d.path);
  CHECK(v.exists);
  CHECK(v.capacity_bytes == df_field(d.path, "size"));
  const uint64_t df_free = df_field(d.path, "avail");
  CHECK(v.free_bytes <= df_free + (64u << 20));  // the filesystem is shared with other tests
  CHECK(v.free_bytes + (64u << 20) >= df_free);
  std::string fstype = test::sh("df --output=fstype '" + d.path + "' | tail -1");
  while (!fstype.empty() && fstype.back() == '\n') fstype.pop_back();
  CHECK(v.fstype == fstype);
  if (!v.device.empty()) {
    // The block device's queue settings come from sysfs.
    const std::string q = "/sys/block/" + v.disk + "/queue/";
    CHECK(std::to_string(v.logical_block_size) + "\n" == test::sh("cat " + q + "logical_block_size"));
    CHECK(v.rotational.has_value());
  }
  auto ex = volumes::to_extras(v, "volume.0.");
  CHECK(ex.at("volume.0.fstype") == v.fstype);
  CHECK(ex.at("volume.0.capacity") == std::to_string(v.capacity_bytes));
  CHECK(nlohmann::json::parse(volumes::to_json(v)).at("capacity") == v.capacity_bytes);
}

TEST_CASE("volume_extras describes each volume the jobs use once and names its jobs", "[volumes]") {
  TempDir jobs_dir, d;
  auto jobs = test::parse_job_file(jobs_dir.path, "[global]\nsize=64k\ndirectory=" + d.path + "\n[a]\nrw=read\n[b]\nrw=write\nnumjobs=2\n[n]\nioengine=null\n");
  auto ex = volumes::volume_extras(jobs);
  CHECK(ex.at("volume.0.jobs") == "a, b");
  CHECK(ex.at("volume.0.fstype") == volumes::describe(d.path).fstype);
  CHECK(ex.count("volume.1.fstype") == 0);
}

TEST_CASE("fiokit volumes PATH --json describes the path; bad options exit 2", "[volumes][cli]") {
  TempDir d;
  int rc = -1;
  const std::string out = cli("--json '" + d.path + "'", &rc);
  CHECK(rc == 0);
  auto j = nlohmann::json::parse(out);
  REQUIRE(j.at("volumes").size() == 1);
  const auto& v = j["volumes"][0];
  CHECK(v.at("path") == d.path);
  CHECK(v.at("fstype") == volumes::describe(d.path).fstype);
  CHECK(v.at("suggested_job") == "directory=" + d.path);
  CHECK(v.at("capacity").get<uint64_t>() == df_field(d.path, "size"));
  cli("--bogus 2>/dev/null", &rc);
  CHECK(rc == 2);
}

TEST_CASE("control characters in a path survive into the JSON", "[volumes][cli]") {
  // The hand-written escaper of `fiokit volumes --json` dropped bytes below
  // 0x20 from suggested_job, so the suggested directory was not the path.
  TempDir d;
  const std::string odd = d.path + "/tab\there\x01ctl";
  REQUIRE(::mkdir(odd.c_str(), 0755) == 0);
  int rc = -1;
  const std::string out = cli("--json '" + odd + "'", &rc);
  CHECK(rc == 0);
  const auto j = nlohmann::json::parse(out);
  REQUIRE(j.at("volumes").size() == 1);
  CHECK(j["volumes"][0].at("path") == odd);
  CHECK(j["volumes"][0].at("suggested_job") == "directory=" + odd);
  // The VolumeInfo document on its own, with a control character in a label.
  volumes::VolumeInfo v = volumes::describe(odd);
  v.model = "disk\x1b[31m\n";
  const auto one = nlohmann::json::parse(volumes::to_json(v));
  CHECK(one.at("model") == v.model);
  CHECK(one.at("path") == odd);
}

TEST_CASE("fiokit volumes leaves out pseudo filesystems", "[volumes][cli]") {
  int rc = -1;
  auto j = nlohmann::json::parse(cli("--json", &rc));
  CHECK(rc == 0);
  for (const auto& v : j.at("volumes")) {
    const std::string mp = v.at("mount_point");
    INFO(mp);
    CHECK(mp.rfind("/proc", 0) != 0);
    CHECK(mp.rfind("/sys", 0) != 0);
    CHECK(!volumes::is_pseudo_fs(v.at("fstype")));
  }
}

TEST_CASE("fiokit volumes lists a mounted tmpfs with O_DIRECT support and a ramfs without", "[root][volumes][cli]") {
  FIOKIT_REQUIRE_ROOT();
  test::Mount t("tmpfs", "size=8m");
  test::Mount r("ramfs", "");
  FIOKIT_REQUIRE_MOUNTED(t);
  FIOKIT_REQUIRE_MOUNTED(r);
  int rc = -1;
  auto j = nlohmann::json::parse(cli("--json", &rc));
  CHECK(rc == 0);
  const nlohmann::json* tj = nullptr;
  const nlohmann::json* rj = nullptr;
  for (const auto& v : j.at("volumes")) {
    if (v.at("mount_point") == t.path()) tj = &v;
    if (v.at("mount_point") == r.path()) rj = &v;
  }
  REQUIRE(tj);
  REQUIRE(rj);
  CHECK(tj->at("fstype") == "tmpfs");
  CHECK(tj->at("capacity") == 8u << 20);
  CHECK(tj->at("suggested_job") == "directory=" + t.path());
  CHECK(rj->at("o_direct") == false);
  // tmpfs gained O_DIRECT in Linux 6.6; the listing agrees with a direct open.
  const bool direct_ok = volumes::probe_o_direct(t.path()) == 1;
  CHECK(tj->at("o_direct") == direct_ok);
  const std::string text = cli("");
  CHECK(text.find(t.path()) != std::string::npos);
  CHECK(text.find("MOUNT") != std::string::npos);
}

TEST_CASE("describe on a loop-mounted ext4 reports the loop device, its sector size and backing file", "[root][volumes]") {
  FIOKIT_REQUIRE_ROOT();
  test::LoopDevice loop(32, 4096, true, true);
  if (!loop.ok(true)) {
    WARN("skipping: " << loop.error);
    return;
  }
  auto v = volumes::describe(loop.mnt.path + "/file-to-be");
  CHECK(v.fstype == "ext4");
  CHECK(v.mount_point == loop.mnt.path);
  CHECK(v.mount_source == loop.dev);
  CHECK("/dev/" + v.device == loop.dev);
  CHECK(v.logical_block_size == 4096);
  CHECK(v.loop_backing_file == loop.image);
  CHECK(v.capacity_bytes == df_field(loop.mnt.path, "size"));
  auto dv = volumes::describe(loop.dev);
  CHECK(dv.is_block_device);
  CHECK(dv.capacity_bytes == 32u << 20);
  CHECK(dv.mount_point == loop.mnt.path);
}
