// The ini layer: sections, comments, valueless options, include, expansion, and
// the structural errors fio 3.33 lets through.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>

#include "jobs/ini.hpp"
#include "test_expander.hpp"

using namespace fiokit::jobs;
namespace fs = std::filesystem;

namespace {
using fiokit::test::test_expander;

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "fiokit-ini-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path write(const std::string& name, const std::string& text) const {
    fs::path p = path / name;
    std::ofstream(p) << text;
    return p;
  }
};
}  // namespace

TEST_CASE("sections, comments and valueless options") {
  auto s = read_job_text("; head\n# also\n[global]\nrw=randread\n\n[job1]\n  bs = 8k ; trailing\ntime_based\n", "t.fio",
                         ".", test_expander());
  REQUIRE(s.size() == 2);
  CHECK(s[0].name == "global");
  CHECK(s[0].options[0].key == "rw");
  CHECK(*s[0].options[0].value == "randread");
  CHECK(s[1].name == "job1");
  CHECK(s[1].options[0].key == "bs");
  CHECK(*s[1].options[0].value == "8k");
  CHECK(s[1].options[0].loc.line == 7);
  CHECK_FALSE(s[1].options[1].value.has_value());
  CHECK(s[1].loc.str() == "t.fio:6");
}

TEST_CASE("structural errors name file and line") {
  auto ex = test_expander();
  CHECK_THROWS_WITH(read_job_text("bs=4k\n[x]\n", "a.fio", ".", ex), Catch::Contains("before any [section]") && Catch::Contains("a.fio:1"));
  CHECK_THROWS_WITH(read_job_text("[x\nbs=4k\n", "a.fio", ".", ex), Catch::Contains("unterminated") && Catch::Contains("a.fio:1"));
  CHECK_THROWS_WITH(read_job_text("[x]\n[y]\n[x]\n", "a.fio", ".", ex), Catch::Contains("duplicate") && Catch::Contains("a.fio:3"));
  CHECK_NOTHROW(read_job_text("[global]\n[x]\n[global]\n[y]\n", "a.fio", ".", ex));
  CHECK_THROWS_WITH(read_job_text("[x]\nsize=${NOPE}\n", "a.fio", ".", ex), Catch::Contains("NOPE") && Catch::Contains("a.fio:2"));
  CHECK_THROWS_WITH(read_job_text("[x]\n=4k\n", "a.fio", ".", ex), Catch::Contains("a.fio:2"));
  CHECK_THROWS_WITH(read_job_text("[]\n", "a.fio", ".", ex), Catch::Contains("empty section"));
}

TEST_CASE("environment and reserved keywords") {
  auto ex = test_expander({{"SIZE", "64m"}, {"N", "4"}});
  auto s = read_job_text("[x]\nsize=${SIZE}\nnumjobs=${N}\nbs=$pagesize\nmem=8*$mb_memory\nn=$ncpus\n"
                         "filename_format=$jobname.$jobnum\n",
                         "e.fio", ".", ex);
  const auto& o = s[0].options;
  CHECK(*o[0].value == "64m");
  CHECK(*o[1].value == "4");
  CHECK(*o[2].value == "4096");
  CHECK(*o[3].value == "(8*1000)");
  CHECK(*o[4].value == "2");
  CHECK(*o[5].value == "$jobname.$jobnum");  // option syntax, not a variable
}

TEST_CASE("include is relative to the including file and detects cycles") {
  TempDir d;
  fs::create_directories(d.path / "sub");
  d.write("sub/inc.fio", "iodepth=4\ninclude inner.fio\n");
  d.write("sub/inner.fio", "ioengine=libaio\n");
  auto top = d.write("top.fio", "[global]\ninclude sub/inc.fio\n[x]\nbs=4k\n");
  auto s = read_job_file(top.string(), test_expander());
  REQUIRE(s.size() == 2);
  REQUIRE(s[0].options.size() == 2);
  CHECK(s[0].options[0].key == "iodepth");
  CHECK(s[0].options[1].key == "ioengine");
  CHECK(s[0].options[1].loc.file.find("inner.fio") != std::string::npos);

  d.write("a.fio", "include b.fio\n");
  d.write("b.fio", "include a.fio\n");
  auto cyc = d.write("cyc.fio", "[x]\ninclude a.fio\n");
  CHECK_THROWS_WITH(read_job_file(cyc.string(), test_expander()), Catch::Contains("include cycle"));
  auto self = d.write("self.fio", "[x]\ninclude self.fio\n");
  CHECK_THROWS_WITH(read_job_file(self.string(), test_expander()), Catch::Contains("include cycle"));
  auto missing = d.write("missing.fio", "[x]\ninclude nope.fio\n");
  CHECK_THROWS_WITH(read_job_file(missing.string(), test_expander()), Catch::Contains("missing.fio:2"));
  d.write("sect.fio", "[y]\n");
  auto withsect = d.write("ws.fio", "[x]\ninclude sect.fio\n");
  CHECK_THROWS_WITH(read_job_file(withsect.string(), test_expander()), Catch::Contains("may not contain"));
}

TEST_CASE("a read observer sees every include before it is opened and every option") {
  TempDir d;
  fs::create_directories(d.path / "sub");
  d.write("sub/inc.fio", "iodepth=4\ninclude inner.fio\n");
  d.write("sub/inner.fio", "direct=1\n");
  auto top = d.write("top.fio", "[global]\ninclude sub/inc.fio\n[x]\nbs=4k\n");
  std::vector<IncludeRef> incs;
  std::vector<std::string> keys;
  ReadObserver obs;
  obs.on_include = [&](const IncludeRef& r) {
    incs.push_back(r);
    return true;
  };
  obs.on_option = [&](const RawOption& o) { keys.push_back(o.key); };
  auto s = read_job_file(top.string(), test_expander(), obs);
  REQUIRE(incs.size() == 2);
  CHECK(incs[0].written == "sub/inc.fio");
  CHECK(incs[0].loc == SourceLoc{top.string(), 2});
  CHECK(incs[1].written == "inner.fio");
  CHECK(incs[1].canonical == fs::weakly_canonical(d.path / "sub/inner.fio").string());
  CHECK(keys == std::vector<std::string>{"iodepth", "direct", "bs"});
  CHECK(s[0].options.size() == 2);

  // Refusing an include skips it: neither opened nor read, so a missing file is no error.
  obs.on_include = [&](const IncludeRef& r) { return r.written != "inner.fio"; };
  keys.clear();
  std::filesystem::remove(d.path / "sub/inner.fio");
  s = read_job_file(top.string(), test_expander(), obs);
  CHECK(keys == std::vector<std::string>{"iodepth", "bs"});
}

TEST_CASE("includes nest at most kMaxIncludeDepth deep, for every job file") {
  // fio follows any depth; fiokit stops one past the limit, at the include line
  // that goes too deep, before that file is resolved or opened.
  TempDir d;
  constexpr int kLimit = kMaxIncludeDepth;
  auto chain = [&](int depth, const std::string& tag) {
    for (int i = 1; i < depth; ++i)
      d.write(tag + std::to_string(i) + ".inc", "bs=4k\ninclude " + tag + std::to_string(i + 1) + ".inc\n");
    d.write(tag + std::to_string(depth) + ".inc", "iodepth=" + std::to_string(depth) + "\n");
    return d.write(tag + ".fio", "[x]\ninclude " + tag + "1.inc\n");
  };
  SECTION("exactly the limit reads every file") {
    const auto s = read_job_file(chain(kLimit, "ok").string(), test_expander());
    REQUIRE(s.size() == 1);
    CHECK(s[0].options.size() == static_cast<size_t>(kLimit));
    CHECK(*s[0].options.back().value == std::to_string(kLimit));
  }
  SECTION("one deeper is an error naming the include line") {
    const std::string deep = "deep" + std::to_string(kLimit + 1) + ".inc";
    const std::string from = (d.path / ("deep" + std::to_string(kLimit) + ".inc")).string() + ":2";
    CHECK_THROWS_WITH(read_job_file(chain(kLimit + 1, "deep").string(), test_expander()),
                      Catch::Contains("nests deeper than " + std::to_string(kLimit)) && Catch::Contains(deep) && Catch::Contains(from));
  }
  SECTION("the file past the limit is never looked at, even by an observer") {
    const auto top = chain(kLimit + 1, "obs");
    ReadObserver obs;
    int asked = 0;
    obs.on_include = [&](const IncludeRef&) { return ++asked > 0; };
    CHECK_THROWS(read_job_file(top.string(), test_expander(), obs));
    CHECK(asked == kLimit);
  }
  SECTION("job text from stdin or a test has the same limit") {
    chain(kLimit + 1, "txt");
    CHECK_THROWS_WITH(read_job_text("[x]\ninclude txt1.inc\n", "t.fio", d.path.string(), test_expander()),
                      Catch::Contains("nests deeper than"));
  }
}
