// Report formats of one comparison: the JUnit XML validates against junit.xsd
// with xmllint and carries one test case per job x direction x metric, with
// regressions as <failure> and invalid data as <error>; Markdown and the
// terminal table show every metric; the JSON report holds the same numbers.
// Reports are written by `fiokit compare`, as CI would.
#include <catch2/catch.hpp>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "fixtures.hpp"

using namespace fiokit;
using namespace fiokit::cmptest;

namespace {

struct Reports {
  TempDir dir;
  Outcome outcome;
  std::string junit, markdown, json;
};

// Baseline 5 repeats at 1000 IOPS; current 5 repeats at `iops` (and `error`).
void run_reports(Reports& r, double iops, int error = 0, const std::string& name = "job1") {
  std::vector<results::RunResult> base, cur;
  for (int i = 0; i < 5; ++i) {
    FakeJob b;
    b.name = name;
    b.iops = 1000 + i;
    base.push_back(make_run({b}));
    FakeJob c = b;
    c.iops = iops + i;
    c.error = error;
    cur.push_back(make_run({c}));
  }
  write_run_dir(r.dir.path + "/base", base);
  write_run_dir(r.dir.path + "/cur", cur);
  r.junit = r.dir.path + "/junit.xml";
  r.markdown = r.dir.path + "/report.md";
  r.json = r.dir.path + "/report.json";
  r.outcome = run_compare({r.dir.path + "/base", r.dir.path + "/cur", "--junit", r.junit, "--markdown", r.markdown,
                           "--json", r.json});
}

Outcome xmllint(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"/usr/bin/xmllint"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv);
}

double xpath_count(const std::string& file, const std::string& expr) {
  const Outcome o = xmllint({"--xpath", "count(" + expr + ")", file});
  return std::stod(o.out);
}

size_t count_lines_starting(const std::string& text, const std::string& prefix) {
  size_t n = 0, pos = 0;
  while (pos < text.size()) {
    const size_t end = text.find('\n', pos);
    if (text.compare(pos, prefix.size(), prefix) == 0) ++n;
    pos = end == std::string::npos ? text.size() : end + 1;
  }
  return n;
}

}  // namespace

TEST_CASE("JUnit reports validate against the JUnit schema", "[reports]") {
  if (!have_program("xmllint")) {
    WARN("xmllint (libxml2-utils) not installed: skipping JUnit schema validation");
    return;
  }
  SECTION("the schema rejects malformed JUnit, so validation can fail") {
    TempDir d;
    write_text(d.path + "/bad.xml",
               "<testsuites><testsuite name=\"s\" tests=\"1\"><testcase classname=\"c\">"
               "<failure/><failure/></testcase></testsuite></testsuites>");
    CHECK(xmllint({"--noout", "--schema", JUNIT_XSD, d.path + "/bad.xml"}).code != 0);
  }
  SECTION("pass: every metric a passing test case") {
    Reports r;
    run_reports(r, 1000);
    CHECK(r.outcome.code == 0);
    const Outcome v = xmllint({"--noout", "--schema", JUNIT_XSD, r.junit});
    INFO(v.err);
    CHECK(v.code == 0);
    // 7 metrics of the read direction, plus the validity test case.
    CHECK(xpath_count(r.junit, "//testcase[@classname='job1.read']") == 7);
    CHECK(xpath_count(r.junit, "//failure") == 0);
    CHECK(xpath_count(r.junit, "//error") == 0);
    CHECK(xpath_count(r.junit, "//testcase[@name='validity']") == 1);
    CHECK(xpath_count(r.junit, "/testsuites/testsuite[@tests='8']") == 1);
  }
  SECTION("regression: failures for the regressed metrics") {
    Reports r;
    run_reports(r, 500);
    CHECK(r.outcome.code == 1);
    CHECK(xmllint({"--noout", "--schema", JUNIT_XSD, r.junit}).code == 0);
    CHECK(xpath_count(r.junit, "//testcase[@name='iops']/failure[@type='regression']") == 1);
    CHECK(xpath_count(r.junit, "//testcase[@name='bw']/failure") == 1);
    CHECK(xpath_count(r.junit, "/testsuites/testsuite[@failures='2']") == 1);
  }
  SECTION("invalid: errors, and names that need escaping") {
    Reports r;
    run_reports(r, 1000, 5, "a<b>&\"c\"");
    CHECK(r.outcome.code == 2);
    const Outcome v = xmllint({"--noout", "--schema", JUNIT_XSD, r.junit});
    INFO(v.err);
    CHECK(v.code == 0);
    CHECK(xpath_count(r.junit, "//error[@type='invalid']") >= 1);
    CHECK(xpath_count(r.junit, "//testcase[starts-with(@name, 'validity')]/error") >= 1);
  }
}

TEST_CASE("Markdown, table and JSON reports hold every metric", "[reports]") {
  Reports r;
  run_reports(r, 500, 0, "mix|ed");
  REQUIRE(r.outcome.code == 1);
  const std::string md = read_text(r.markdown);
  CHECK_THAT(md, Catch::StartsWith("### :x: fiokit compare: REGRESSION"));
  CHECK_THAT(md, Catch::Contains("| job | dir | metric | baseline | current | change | threshold | p | verdict |"));
  // Header, separator and 7 metric rows; the job's '|' escaped so the table holds.
  CHECK(count_lines_starting(md, "| ") == 8);
  CHECK(count_lines_starting(md, "| mix\\|ed | read |") == 7);
  CHECK_THAT(md, Catch::Contains("**regression**"));

  CHECK_THAT(r.outcome.out, Catch::StartsWith("fiokit compare: REGRESSION (exit 1)"));
  CHECK_THAT(r.outcome.out, Catch::Contains("verdict"));
  CHECK(count_lines_starting(r.outcome.out, "mix|ed") == 7);

  const auto doc = nlohmann::json::parse(read_text(r.json));
  CHECK(doc["verdict"] == "regression");
  CHECK(doc["exit_code"] == 1);
  CHECK(doc["baseline"]["samples"] == 5);
  REQUIRE(doc["metrics"].size() == 7);
  const auto& iops = doc["metrics"][0];
  CHECK(iops["metric"] == "iops");
  CHECK(iops["baseline"]["median"].get<double>() == Approx(1002));
  CHECK(iops["current"]["median"].get<double>() == Approx(502));
  CHECK(iops["current"]["values"].size() == 5);
  CHECK(iops["p_value"].get<double>() == Approx(1.0 / 252));
  CHECK(iops["verdict"] == "regression");
  CHECK(iops["test"] == "mann-whitney exact");
}

TEST_CASE("--json - keeps stdout pure JSON", "[reports]") {
  TempDir d;
  write_run_dir(d.path + "/a", {make_run({FakeJob{}})});
  const Outcome o = run_compare({d.path + "/a", d.path + "/a", "--json", "-"});
  CHECK(o.code == 0);
  const auto doc = nlohmann::json::parse(o.out);
  CHECK(doc["verdict"] == "pass");
  CHECK_THAT(o.err, Catch::Contains("fiokit compare: PASS"));
}

TEST_CASE("a comparison that cannot start still writes its reports", "[reports]") {
  TempDir d;
  write_run_dir(d.path + "/cur", {make_run({FakeJob{}})});
  const std::string junit = d.path + "/j.xml", md = d.path + "/r.md";
  // No baseline in an empty store, and an unreadable baseline: both invalid, both reported.
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--baseline-dir", d.path + "/store", d.path + "/cur"}, {d.path + "/missing", d.path + "/cur"}}) {
    std::vector<std::string> all = args;
    all.insert(all.end(), {"--junit", junit, "--markdown", md});
    const Outcome o = run_compare(all);
    INFO(o.err);
    CHECK(o.code == 2);
    CHECK_THAT(read_text(md), Catch::Contains("INVALID"));
    if (have_program("xmllint")) {
      CHECK(xmllint({"--noout", "--schema", JUNIT_XSD, junit}).code == 0);
      CHECK(xpath_count(junit, "//error[@type='invalid']") == 1);
    }
  }
}
