// fiokit's own flags, through the shipped binary: every subcommand suggests the
// closest flag for a misspelt one, names a missing or malformed value, exits 2
// with nothing on stdout, and prints its help (exit 0) from the same table;
// `fiokit run` still hands fio's job options (--name=... --rw=...) to jobs/,
// whatever their order among run's own flags.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "subprocess.hpp"

using fiokit::test::make_temp_dir;
using fiokit::test::Outcome;
using fiokit::test::run_fiokit;
namespace fs = std::filesystem;

namespace {

Outcome cmd(std::vector<std::string> args) { return run_fiokit({std::move(args)}); }

// A usage error: exit 2, stdout untouched, `message` on stderr.
void require_usage_error(const Outcome& o, const std::string& message) {
  INFO("stderr: " << o.err);
  CHECK(o.code == 2);
  CHECK(o.out.empty());
  CHECK(o.err.find(message) != std::string::npos);
}

}  // namespace

TEST_CASE("a misspelt flag suggests the closest flag of its own subcommand") {
  // run: its own flags are weighed before job options ...
  require_usage_error(cmd({"run", "--data_dir", "x", "--name=a"}), "did you mean '--data-dir'?");
  require_usage_error(cmd({"run", "--outptu=x", "--name=a"}), "did you mean '--output'?");
  require_usage_error(cmd({"run", "--max_jobs=2", "--name=a"}), "did you mean '--max-jobs'?");
  // ... and a job option still wins where it is the closer guess.
  require_usage_error(cmd({"run", "--name=a", "--numjob=2"}), "did you mean '--numjobs'?");
  require_usage_error(cmd({"run", "--name=a", "--b=4k"}), "did you mean '--bs'?");
  // No prefix guessing: --data is not taken for --data-dir.
  require_usage_error(cmd({"run", "--data=x", "--name=a"}), "unknown option '--data'");
  require_usage_error(cmd({"serve", "--prot", "1"}), "unknown option --prot; did you mean --port?");
  require_usage_error(cmd({"serve", "--acess-log"}), "did you mean --access-log?");
  require_usage_error(cmd({"plot", "--formt", "svg"}), "unknown option --formt; did you mean --format?");
  require_usage_error(cmd({"plot", "--min-time", "3"}), "did you mean --min_time?");
  require_usage_error(cmd({"compare", "--thresold", "iops=-5%", "a", "b"}), "did you mean --threshold?");
  require_usage_error(cmd({"volumes", "--jsn"}), "unknown option --jsn; did you mean --json?");
  require_usage_error(cmd({"container", "tol"}), "unknown image role 'tol'; did you mean 'tool'?");
  // Nothing close: no guess at all.
  const Outcome far = cmd({"serve", "--zzzzzzzz"});
  require_usage_error(far, "unknown option --zzzzzzzz");
  CHECK(far.err.find("did you mean") == std::string::npos);
  // One unknown letter in a getopt group is named alone, as getopt does.
  require_usage_error(cmd({"plot", "-bx"}), "unknown option -x");
}

TEST_CASE("a missing value, a value given to a switch and a bad number exit 2 naming the flag") {
  require_usage_error(cmd({"run", "--name=a", "--output"}), "option --output needs a value");
  require_usage_error(cmd({"run", "--parse-only=yes", "--name=a"}), "option --parse-only takes no value");
  require_usage_error(cmd({"run", "--repeat", "abc", "--name=a"}), "--repeat: 'abc' is not a number");
  require_usage_error(cmd({"run", "--status-interval=fast", "--name=a"}), "--status-interval");
  require_usage_error(cmd({"run", "--eta=sometimes", "--name=a"}), "--eta: 'sometimes' is not one of auto, always, never");
  require_usage_error(cmd({"serve", "--port"}), "option --port needs a value");
  require_usage_error(cmd({"serve", "--port", "abc"}), "--port needs a number 0-65535, got 'abc'");
  require_usage_error(cmd({"serve", "--access-log=1"}), "option --access-log takes no value");
  // plot names the flag as it was typed: -t, not Program_options' --title.
  require_usage_error(cmd({"plot", "-b", "-t"}), "option -t needs a value");
  require_usage_error(cmd({"plot", "-bt"}), "option -t needs a value");
  require_usage_error(cmd({"plot", "-b", "--title"}), "option --title needs a value");
  require_usage_error(cmd({"plot", "-b", "--min_time", "soon"}), "option -m: 'soon' is not a number");
  require_usage_error(cmd({"compare", "a", "b", "--alpha"}), "option --alpha needs a value");
  require_usage_error(cmd({"compare", "a", "b", "--alpha", "x"}), "--alpha: 'x' is not a non-negative number");
  require_usage_error(cmd({"compare", "a", "b", "--quiet=1"}), "option --quiet takes no value");
  require_usage_error(cmd({"volumes", "--json=1"}), "option --json takes no value");
}

TEST_CASE("every subcommand's --help exits 0 and lists its flags") {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"run", {"--output FILE", "--data-dir DIR", "--status-interval TIME", "--repeat N", "--readonly", "--max-jobs"}},
      {"plot", {"-t [ --title ] TITLE", "-p [ --pattern ] GLOB", "-M [ --max_time ] SEC", "--format", "--gnuplot-cmd"}},
      {"serve", {"--port N", "--bind ADDR", "--access-log"}},
      {"compare", {"--threshold M=P", "--baseline-dir DIR", "--junit FILE", "clat_p99=+20%"}},
      {"volumes", {"--json", "--all"}},
      {"container", {"tool|plots|serve|aio", "JOBFILES"}},
  };
  for (const auto& [name, needles] : cases) {
    INFO(name);
    const Outcome o = cmd({name, "--help"});
    CHECK(o.code == 0);
    CHECK(o.err.empty());
    for (const std::string& n : needles) {
      INFO(n);
      CHECK(o.out.find(n) != std::string::npos);
    }
  }
  // -G is parsed (to refuse it with a reason) but not advertised.
  CHECK(cmd({"plot", "--help"}).out.find("Global") == std::string::npos);
  require_usage_error(cmd({"plot", "-b", "-G", "avg"}), "-G/--Global (.global files) is not supported");
}

TEST_CASE("fio's command-line jobs still reach jobs/, mixed with run's own flags in any order") {
  const Outcome plain = cmd({"run", "--name=a", "--rw=read", "--size=1m", "--ioengine=null"});
  REQUIRE(plain.code == 0);
  CHECK(plain.out.find("a: (groupid=0") != std::string::npos);
  // Run flags between job options, a job option's value as the next argument
  // ("--bs 8k", as fio's getopt takes it) and a run flag's value likewise.
  const std::string dir = make_temp_dir("flags");
  const Outcome mixed = cmd({"run", "--name=a", "--output-format", "json", "--rw=read", "--bs", "8k", "--output",
                                dir + "/out.json", "--size=1m", "--ioengine=null"});
  REQUIRE(mixed.code == 0);
  CHECK(mixed.out.empty());
  std::ifstream in(dir + "/out.json");
  const auto doc = nlohmann::json::parse(in);
  CHECK(doc["jobs"][0]["jobname"] == "a");
  CHECK(doc["jobs"][0]["read"]["io_bytes"] == 1024 * 1024);
  CHECK(doc["jobs"][0]["read"]["total_ios"] == 128);  // 8k blocks: --bs took "8k"
  // fio's one-dash spelling of a job option is still a job option.
  const Outcome dash = cmd({"run", "--showcmd", "--name=a", "-rw=randread"});
  CHECK(dash.code == 0);
  CHECK(dash.out == "fiokit run --name=a --rw=randread\n");
  fs::remove_all(dir);
}

TEST_CASE("run's flags are last-wins in command-line order, as fio's") {
  const std::vector<std::string> job = {"--name=a", "--size=64k", "--ioengine=null"};
  auto run_with = [&](std::vector<std::string> flags) {
    flags.insert(flags.begin(), "run");
    flags.insert(flags.end(), job.begin(), job.end());
    const Outcome o = cmd(flags);
    REQUIRE(o.code == 0);
    return o.out;
  };
  CHECK(run_with({"--output-format=json", "--minimal"}).rfind("3;", 0) == 0);  // terse
  CHECK(nlohmann::json::parse(run_with({"--minimal", "--output-format=json"}))["jobs"].size() == 1);
  CHECK(nlohmann::json::parse(run_with({"--output-format=terse", "--output-format=json"}))["jobs"].size() == 1);
  // A bare --cmdhelp describes every option, as `fio --cmdhelp iodepth` does;
  // it does not take the next argument as its value.
  const Outcome all = cmd({"run", "--cmdhelp", "iodepth"});
  CHECK(all.code == 0);
  CHECK(all.out.find("bsrange") != std::string::npos);
  CHECK(all.out.find("rwmixread") != std::string::npos);
}
