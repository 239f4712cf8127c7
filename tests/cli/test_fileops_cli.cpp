// The file-operation engines through the fiokit binary: filedelete refuses,
// before anything runs, a job whose file a user made (exit 2 naming the file
// and the job file's line), and fio 3.33's own example job files for these
// engines run here with small sizes ([fio-examples]: they are read from fio's
// source package, so that case is its own CTest entry and skips without it).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "subprocess.hpp"

using fiokit::test::make_temp_dir;
using fiokit::test::run_fiokit;
namespace fs = std::filesystem;

TEST_CASE("filedelete never deletes a file fiokit did not create") {
  const std::string dir = make_temp_dir("fileops");
  std::ofstream(dir + "/precious.0") << std::string(4096, 'p');
  std::ofstream(dir + "/del.fio") << "[d]\nioengine=filedelete\nfilename_format=precious.$filenum\nfilesize=4k\n";
  auto o = run_fiokit({{"run", "--eta=never", "--output-format=json", "del.fio"}, "", dir});
  CHECK(o.code == 2);
  CHECK(o.out.empty());
  CHECK_THAT(o.err, Catch::Contains("precious.0") && Catch::Contains("would delete it") && Catch::Contains("--allow-clobber"));
  CHECK(fs::file_size(dir + "/precious.0") == 4096);
  // The files the job lays out itself are its to delete.
  std::ofstream(dir + "/own.fio") << "[d]\nioengine=filedelete\nfilename_format=own.$filenum\nnrfiles=3\nfilesize=4k\n";
  auto ok = run_fiokit({{"run", "--eta=never", "--output-format=json", "own.fio"}, "", dir});
  CHECK(ok.code == 0);
  CHECK_FALSE(fs::exists(dir + "/own.0"));
  CHECK(fs::file_size(dir + "/precious.0") == 4096);
  fs::remove_all(dir);
}

TEST_CASE("fio's example job files for the file-operation engines run", "[fio-examples]") {
  const fs::path src = "/var/tmp/fiokit-fio-src/fio-3.33/examples";
  if (!fs::exists(src / "filecreate-ioengine.fio")) fiokit::test::skip("fio 3.33's source package is not unpacked at " + src.string());
  for (const char* name : {"filecreate-ioengine.fio", "filestat-ioengine.fio", "filedelete-ioengine.fio"}) {
    INFO(name);
    const std::string dir = make_temp_dir("fioex");
    // Small: 20 files a job instead of thousands (the file's own nrfiles=
    // line would win over --nrfiles, as in fio, so the copy is edited).
    std::ifstream in(src / name);
    std::string text, line;
    while (std::getline(in, line)) text += (line.rfind("nrfiles=", 0) == 0 ? std::string("nrfiles=20") : line) + "\n";
    std::ofstream(fs::path(dir) / name) << text;
    auto o = run_fiokit({{"run", "--eta=never", "--output-format=json", name}, "", dir});
    REQUIRE(o.code == 0);
    const auto doc = nlohmann::json::parse(o.out);
    REQUIRE(doc["jobs"].size() >= 6);
    for (const auto& j : doc["jobs"]) {
      CHECK(j["error"] == 0);
      CHECK(j["read"]["total_ios"] == 20);
      CHECK(j["read"]["clat_ns"]["N"] == 20);
    }
    fs::remove_all(dir);
  }
}
