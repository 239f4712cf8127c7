// `fiokit volumes` as a user reads it (issue 17 item 7): it never suggests a
// job at "/", /proc or /sys (the root filesystem gets a writable scratch
// directory on it instead), --all repeats no mount point, and the table's
// columns stay aligned whatever the length of a mount point.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "volume_test_util.hpp"
#include "volumes/listing.hpp"

using namespace fiokit;

namespace {

std::string cli(const std::string& args, int* rc = nullptr) { return test::sh(std::string(VOLUMES_CLI) + " " + args, rc); }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

bool bad_suggestion(const std::string& s) {
  return s == "directory=/" || s.rfind("directory=/proc", 0) == 0 || s.rfind("directory=/sys", 0) == 0;
}

}  // namespace

TEST_CASE("suggest_directory never answers /, /proc or /sys", "[volumes]") {
  std::string why;
  const std::string root = volumes::suggest_directory("/", "ext4", why);
  if (root.empty()) {
    CHECK(why == "name a directory");
  } else {
    CHECK(root != "/");
    struct stat a {}, b {};
    REQUIRE(::stat("/", &a) == 0);
    REQUIRE(::stat(root.c_str(), &b) == 0);
    CHECK(a.st_dev == b.st_dev);  // on the root filesystem itself
    CHECK(S_ISDIR(b.st_mode));
  }
  why.clear();
  CHECK(volumes::suggest_directory("/proc", "proc", why).empty());
  CHECK(why == "not a volume");
  why.clear();
  CHECK(volumes::suggest_directory("/sys/fs/cgroup", "tmpfs", why).empty());
  CHECK(why == "not a volume");
  CHECK(volumes::suggest_directory("/dev/pts", "devpts", why).empty());
  why.clear();
  CHECK(volumes::suggest_directory("/data", "xfs", why) == "/data");
  CHECK(why.empty());
}

TEST_CASE("suggest_directory for / takes a writable directory of the root filesystem", "[volumes]") {
  // A directory of our own under /var/tmp (on the root filesystem on most
  // systems): $TMPDIR, when it lies there, is the first choice.
  std::string tmpl = "/var/tmp/fiokit-listing-XXXXXX";
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  struct stat a {}, b {};
  REQUIRE(::stat("/", &a) == 0);
  REQUIRE(::stat(tmpl.c_str(), &b) == 0);
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  ::setenv("TMPDIR", tmpl.c_str(), 1);
  std::string why;
  const std::string got = volumes::suggest_directory("/", "ext4", why);
  if (old) ::setenv("TMPDIR", saved.c_str(), 1);
  else ::unsetenv("TMPDIR");
  ::rmdir(tmpl.c_str());
  if (a.st_dev != b.st_dev) {
    WARN("/var/tmp is not on the root filesystem here: $TMPDIR there is rightly passed over");
    CHECK(got != tmpl);
    return;
  }
  CHECK(got == tmpl);
}

TEST_CASE("unique_mount_points keeps one row per mount point, the last mounted", "[volumes]") {
  const auto ms = volumes::parse_mountinfo(
      "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
      "30 27 0:5 / /dev/pts rw - devpts devpts rw\n"
      "31 27 0:6 / /dev/shm rw - tmpfs tmpfs rw\n"
      "40 27 0:7 / /dev/pts rw - devpts devpts rw,gid=5\n"
      "41 27 0:6 / /data rw - tmpfs tmpfs rw\n");
  const auto u = volumes::unique_mount_points(ms);
  REQUIRE(u.size() == 4);
  std::set<std::string> points;
  for (const auto& m : u) points.insert(m.mount_point);
  CHECK(points.size() == 4);
  const auto pts = std::find_if(u.begin(), u.end(), [](const auto& m) { return m.mount_point == "/dev/pts"; });
  REQUIRE(pts != u.end());
  CHECK(pts->id == 40);
}

TEST_CASE("fiokit volumes: no suggestion at /, /proc or /sys, no repeated rows, aligned columns", "[volumes][cli]") {
  for (const std::string args : {"", "--all", "/", "/proc"}) {
    INFO("fiokit volumes " << args);
    int rc = -1;
    const auto j = nlohmann::json::parse(cli("--json " + args, &rc));
    CHECK(rc == 0);
    std::set<std::string> rows;
    for (const auto& v : j["volumes"]) {
      const std::string s = v["suggested_job"].get<std::string>();
      CHECK_FALSE(bad_suggestion(s));
      if (args.empty() || args == "--all") CHECK(rows.insert(v["mount_point"].get<std::string>()).second);
    }
    // The table: every row's columns start where the header's do.
    const auto lines = lines_of(cli(args + " 2>/dev/null", &rc));
    CHECK(rc == 0);
    if (lines.empty() || lines[0].rfind("MOUNT", 0) != 0) continue;  // PATH mode prints details, not a table
    const std::string& head = lines[0];
    const size_t fs_col = head.find("FSTYPE"), dev_col = head.find("DEVICE"), sug_col = head.find("SUGGESTED");
    REQUIRE(fs_col != std::string::npos);
    for (size_t i = 1; i < lines.size(); ++i) {
      INFO(lines[i]);
      // A mount point too long for its column stands alone, its row below,
      // starting with blanks up to the next column.
      if (lines[i].find("  ") == std::string::npos) {
        CHECK(lines[i].size() > fs_col - 2);
        REQUIRE(i + 1 < lines.size());
        CHECK(lines[i + 1].find_first_not_of(' ') == fs_col);
        continue;
      }
      REQUIRE(lines[i].size() > sug_col);
      CHECK(lines[i][fs_col - 1] == ' ');
      CHECK(lines[i][fs_col] != ' ');   // left-aligned cells start at the column
      CHECK(lines[i][dev_col - 1] == ' ');
      CHECK(lines[i][sug_col - 1] == ' ');
      CHECK(lines[i][sug_col] != ' ');
      CHECK(lines[i].find("directory=/ ") == std::string::npos);
      CHECK_FALSE(bad_suggestion(lines[i].substr(sug_col)));
    }
  }
}
