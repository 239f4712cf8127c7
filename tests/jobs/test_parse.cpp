// From sections to JobSpecs: merging, cloning, groups, the option table's errors
// and suggestions, and --showcmd parsing back to equal specs.
#include <catch2/catch.hpp>

#include "jobs/cmdline.hpp"
#include "jobs/options.hpp"
#include "jobs/parse.hpp"
#include "test_expander.hpp"

using namespace fiokit::jobs;

using fiokit::test::parse_command_line;
using fiokit::test::parse_jobs;

namespace {
Expander plain() { return fiokit::test::test_expander(); }
}  // namespace

TEST_CASE("global sections apply to the jobs below them only") {
  auto jobs = parse_jobs("[a]\n[global]\nsize=1m\n[b]\n[c]\nsize=2m\n");
  REQUIRE(jobs.size() == 3);
  CHECK(jobs[0].size == 0);
  CHECK(jobs[1].size == 1048576);
  CHECK(jobs[2].size == 2097152);
}

TEST_CASE("numjobs clones share a group; stonewall and new_group start groups") {
  auto jobs = parse_jobs("[a]\nnumjobs=3\n[b]\n[c]\nstonewall\n[d]\nnew_group\n");
  REQUIRE(jobs.size() == 6);
  CHECK(jobs[0].clone_index == 0);
  CHECK(jobs[2].clone_index == 2);
  CHECK(jobs[2].name == "a");
  CHECK(jobs[2].job_index == 2);
  CHECK(jobs[3].group_id == 0);
  CHECK(jobs[4].group_id == 1);
  CHECK(jobs[4].stonewall);
  CHECK(jobs[5].group_id == 2);
  CHECK_FALSE(jobs[5].stonewall);
}

TEST_CASE("wait_for must name an earlier job") {
  CHECK(parse_jobs("[a]\n[b]\nwait_for=a\n")[1].wait_for == "a");
  CHECK_THROWS_WITH(parse_jobs("[a]\nwait_for=b\n[b]\n"), Catch::Contains("t.fio:2"));
}

TEST_CASE("unknown options suggest the nearest name") {
  CHECK_THROWS_WITH(parse_jobs("[a]\nnumjob=2\n"),
                    Catch::Contains("unknown option 'numjob' (t.fio:2); did you mean 'numjobs'?"));
  CHECK_THROWS_WITH(parse_command_line({"--name=a", "--fileszie=1m"}), Catch::Contains("did you mean '--filesize'?"));
}

TEST_CASE("bad values name option, file and line") {
  CHECK_THROWS_WITH(parse_jobs("[a]\nnumjobs=8x\n"), Catch::Contains("'numjobs'") && Catch::Contains("t.fio:2"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nsize=-5\n"), Catch::Contains("'size'") && Catch::Contains("t.fio:2"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nruntime=-1\n"), Catch::Contains("'runtime'"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nnumjobs=0\n"), Catch::Contains("minimum"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nkb_base=512\n"), Catch::Contains("kb_base"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nunlink\n"), Catch::Contains("requires a value"));
}

TEST_CASE("kb_base applies to every size in the job") {
  auto jobs = parse_jobs("[a]\nsize=1m\nkb_base=1000\n");
  CHECK(jobs[0].size == 1000000);
}

TEST_CASE("filename lists honour escaped colons") {
  auto jobs = parse_jobs("[a]\nfilename=/dev/dsk/foo@3,0\\:c:/tmp/b\n");
  REQUIRE(jobs[0].filenames.size() == 2);
  CHECK(jobs[0].filenames[0] == "/dev/dsk/foo@3,0:c");
  CHECK(jobs[0].filenames[1] == "/tmp/b");
}

TEST_CASE("command-line jobs: globals before the first --name") {
  auto jobs = parse_command_line({"--size=1m", "--name=a", "--numjobs=2", "--name=b", "--size", "2m"});
  REQUIRE(jobs.size() == 3);
  CHECK(jobs[0].size == 1048576);
  CHECK(jobs[2].name == "b");
  CHECK(jobs[2].size == 2097152);
}

TEST_CASE("showcmd parses back to the same jobs") {
  const char* text = "[global]\nsize=1m\nfilename=a\\:b:c\n[x]\nnumjobs=2\ntime_based\nruntime=3\n"
                     "[y]\nstonewall\ndescription=two words\n";
  auto jobs = parse_jobs(text);
  std::string cmd = showcmd(jobs);
  // Split the printed command back into words (single-quoted words as the shell would).
  std::vector<std::string> words;
  std::string cur;
  bool quoted = false, any = false;
  for (size_t i = 0; i < cmd.size(); ++i) {
    char c = cmd[i];
    if (c == '\'') { quoted = !quoted; any = true; continue; }
    if (c == '\\' && !quoted && i + 1 < cmd.size()) { cur += cmd[++i]; continue; }
    if (c == ' ' && !quoted) { if (any || !cur.empty()) words.push_back(cur); cur.clear(); any = false; continue; }
    cur += c;
  }
  words.push_back(cur);
  REQUIRE(words.at(0) == "fiokit");
  REQUIRE(words.at(1) == "run");
  words.erase(words.begin(), words.begin() + 2);
  auto back = parse_command_line(words);
  REQUIRE(back.size() == jobs.size());
  for (size_t i = 0; i < jobs.size(); ++i) {
    JobSpec a = jobs[i], b = back[i];
    a.defined_at = b.defined_at = {};
    a.job_file = b.job_file = "";
    b.given = a.given;  // order of the text differs; every parsed field must not
    b.job_options = a.job_options;  // fio's "job options": what the section said, not the values
    b.job_options_shown = a.job_options_shown;
    CHECK(a == b);
  }
}

TEST_CASE("job options: fio lists a section's valued options, and shows {} for valueless ones only") {
  auto jobs = parse_jobs("[global]\nsize=1m\n[a]\n[b]\nnew_group\n[c]\nbs=8k\nstonewall\n");
  REQUIRE(jobs.size() == 3);
  CHECK_FALSE(jobs[0].job_options_shown);
  CHECK(jobs[1].job_options_shown);
  CHECK(jobs[1].job_options.empty());
  CHECK(jobs[2].job_options_shown);
  CHECK(jobs[2].job_options == std::vector<std::pair<std::string, std::string>>{{"bs", "8k"}});
}

TEST_CASE("every table entry is well formed") {
  for (const auto& d : fiokit::test::catalog().options()) {
    INFO(d.name);
    CHECK_FALSE(d.help.empty());
    CHECK(fiokit::test::catalog().find(d.name) == &d);
    if (d.support != Support::unsupported) {
      CHECK(static_cast<bool>(d.set));
      if (!d.def.empty()) {
        // The documented default must parse, and must equal the JobSpec's own default.
        JobSpec s, fresh;
        CHECK_NOTHROW(apply_option(d, s, d.def, ApplyCtx{}));
        // "was it given" flags record the writing, not the value.
        s.randseed_set = s.percentage_random_set = false;
        CHECK(s == fresh);
      }
    }
  }
}

TEST_CASE("--max-jobs is accepted as fio 3.33 accepts it: no limit, but a warning when exceeded") {
  auto split = [](const std::vector<std::string>& args) {
    return split_cmdline(args, plain(), fiokit::test::catalog());
  };
  // fio's test runner passes --max-jobs=16; both spellings, before or after jobs.
  CHECK(split({"--max-jobs=16", "--name=a"}).max_jobs == 16u);
  auto sp = split({"--name=a", "--max-jobs", "3", "--size=1m"});
  CHECK(sp.max_jobs == 3u);
  REQUIRE(sp.sections.size() == 1);
  CHECK(sp.sections[0].options.size() == 1);  // "3" was the value, not a job file
  CHECK(sp.job_files.empty());
  CHECK_FALSE(split({"--name=a"}).max_jobs);
  // fio 3.33 takes any value (even "abc" or 0) and ignores it; fiokit says what is wrong.
  for (std::string bad : {"abc", "0", "-1", "4097", "8x", ""}) {
    INFO(bad);
    CHECK_THROWS_AS(split({"--max-jobs=" + bad, "--name=a"}), ParseError);
  }
  // fio runs every job whatever --max-jobs says (measured: --max-jobs=1 with
  // three jobs runs three); fiokit does too, with a warning.
  auto cl = split({"--max-jobs=2", "--name=a", "--numjobs=2", "--name=b"});
  const auto built = build_jobs(make_request(cl, plain(), {}), fiokit::test::catalog());
  REQUIRE(built.jobs.size() == 3);
  const auto w = max_jobs_warning(cl.max_jobs, built.jobs.size());
  REQUIRE(w);
  CHECK(w->find("--max-jobs=2") != std::string::npos);
  CHECK(w->find("3 jobs") != std::string::npos);
  CHECK_FALSE(max_jobs_warning(std::optional<uint64_t>(3), 3));
  CHECK_FALSE(max_jobs_warning(std::nullopt, 100));
}
