// The I/O priority options (issue 15, part prio) as the parser reads them:
// prio/prioclass, cmdprio_percentage/cmdprio_class/cmdprio per direction
// ("a,b"; one value serves both), cmdprio_bssplit in fio's two formats
// (sorted by block size, 0% entries dropped, written order kept within one
// size), and the refusals: out-of-range values fio would clamp, both
// cmdprio_percentage and cmdprio_bssplit, cmdprio_* on a non-aio engine.
#include <catch2/catch.hpp>

#include "jobs/options.hpp"
#include "jobs/parse.hpp"
#include "test_expander.hpp"

using namespace fiokit::jobs;

using fiokit::test::parse_jobs;

TEST_CASE("prio / prioclass: given or not, and their ranges") {
  JobSpec j = parse_jobs("[a]\n")[0];
  CHECK_FALSE(j.ioprio_given);
  j = parse_jobs("[a]\nprio=4\n")[0];
  CHECK((j.ioprio_given && j.prio == 4 && j.prioclass == 0));
  j = parse_jobs("[a]\nprioclass=3\n")[0];
  CHECK((j.ioprio_given && j.prio == 0 && j.prioclass == 3));
  CHECK_THROWS_WITH(parse_jobs("[a]\nprio=8\n"), Catch::Contains("t.fio:2"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nprioclass=4\n"), Catch::Contains("t.fio:2"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nprio=-1\n"), Catch::Contains("t.fio:2"));
}

TEST_CASE("cmdprio_percentage / cmdprio_class / cmdprio: one value for both directions, or read,write") {
  JobSpec j = parse_jobs("[a]\nioengine=libaio\ncmdprio_percentage=30\n")[0];
  CHECK((j.cmdprio_percentage[0] == 30 && j.cmdprio_percentage[1] == 30));
  CHECK((j.cmdprio_class[0] == 0 && j.cmdprio_level[0] == 0));  // not given: the engine uses RT/0
  j = parse_jobs("[a]\nioengine=io_uring\ncmdprio_percentage=50,20\ncmdprio_class=3,2\ncmdprio=5\n")[0];
  CHECK((j.cmdprio_percentage[0] == 50 && j.cmdprio_percentage[1] == 20));
  CHECK((j.cmdprio_class[0] == 3 && j.cmdprio_class[1] == 2));
  CHECK((j.cmdprio_level[0] == 5 && j.cmdprio_level[1] == 5));
  CHECK_THROWS_WITH(parse_jobs("[a]\nioengine=libaio\ncmdprio_percentage=101\n"), Catch::Contains("t.fio:3"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nioengine=libaio\ncmdprio_class=0\n"), Catch::Contains("out of range 1..3"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nioengine=libaio\ncmdprio=8\n"), Catch::Contains("out of range 0..7"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nioengine=libaio\ncmdprio=1,2,3\n"), Catch::Contains("read,write"));
  // fio drops the job ("Bad option") when the engine has no such option.
  CHECK_THROWS_WITH(parse_jobs("[a]\ncmdprio_percentage=10\n"),
                    Catch::Contains("applies only to ioengine=io_uring, libaio") && Catch::Contains("t.fio:2"));
}

TEST_CASE("cmdprio_bssplit: fio's two formats, sorted by size, 0% entries dropped") {
  JobSpec j = parse_jobs("[a]\nioengine=libaio\ncmdprio_bssplit=64k/25/1/1:4k/10:64k/75/3/2:1024k/0\n")[0];
  REQUIRE(j.cmdprio_bssplit_given);
  const auto& r = j.cmdprio_bssplit[0];
  REQUIRE(r.size() == 3);
  CHECK((r[0].bs == 4096 && r[0].perc == 10 && r[0].ioprio == -1));
  CHECK((r[1].bs == 65536 && r[1].perc == 25 && r[1].ioprio == ((1 << 13) | 1)));
  CHECK((r[2].bs == 65536 && r[2].perc == 75 && r[2].ioprio == ((3 << 13) | 2)));
  CHECK(j.cmdprio_bssplit[1] == r);  // one list serves writes too
  // class 0 in an entry means best effort, as fio's ioprio_value.
  j = parse_jobs("[a]\nioengine=libaio\ncmdprio_bssplit=4k/50/0/3,8k/20\n")[0];
  CHECK(j.cmdprio_bssplit[0].at(0).ioprio == ((2 << 13) | 3));
  CHECK((j.cmdprio_bssplit[1].at(0).bs == 8192 && j.cmdprio_bssplit[1].at(0).perc == 20));
  CHECK_THROWS_WITH(parse_jobs("[a]\nioengine=libaio\ncmdprio_bssplit=4k/60:4k/50\n"), Catch::Contains("over 100"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nioengine=libaio\ncmdprio_bssplit=4k/50/4/1\n"), Catch::Contains("class"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nioengine=libaio\ncmdprio_bssplit=4k/50/1/9\n"), Catch::Contains("level"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nioengine=libaio\ncmdprio_bssplit=4k/50/1\n"), Catch::Contains("bs/percent"));
  CHECK_THROWS_WITH(parse_jobs("[a]\nioengine=libaio\ncmdprio_bssplit=4k/50\ncmdprio_percentage=10\n"),
                    Catch::Contains("mutually exclusive") && Catch::Contains("t.fio:3"));
}
