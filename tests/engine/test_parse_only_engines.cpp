// Engines fiokit parses but does not run (rbd, sg, http, net, ...): a job for
// one parses with its engine's options checked like any other option, an
// option of another engine is refused with file:line, and the run refuses the
// job before any I/O with what the engine needs and where its ioengine= is.
// zonemode=zbd likewise parses and is refused by the run.
#include <catch2/catch.hpp>

#include "engine/io_engine.hpp"
#include "engine/parse_only_engines.hpp"
#include "jobs/error.hpp"
#include "jobs/ini.hpp"
#include "jobs/parse.hpp"
#include "jobs/test_expander.hpp"

using namespace fiokit;

using fiokit::test::parse_error_of;
using fiokit::test::parse_job_text;

namespace {

std::string refusal_of(const std::string& text) {
  try {
    engine::refuse_unrunnable(parse_job_text(text).jobs);
  } catch (const jobs::ParseError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("a job for a parse-only engine parses, with its options checked") {
  auto r = parse_job_text("[global]\nioengine=rbd\nclientname=admin\npool=rbd\nrbdname=fio_test\nbusy_poll=1\n[j]\nrw=randwrite\n");
  REQUIRE(r.jobs.size() == 1);
  CHECK(r.jobs[0].ioengine == "rbd");
  CHECK(r.jobs[0].ioengine_at.str() == "t.fio:2");
  // Shared options serve every engine that reads them (pool: rbd, rados, dfs).
  CHECK_NOTHROW(parse_job_text("[j]\nioengine=dfs\npool=p\ncont=c\nchunk_size=1m\n"));
  CHECK_NOTHROW(parse_job_text("[j]\nioengine=net\nhostname=h\nport=8888\nprotocol=udp\nlisten\n"));
  CHECK_NOTHROW(parse_job_text("[j]\nioengine=net\nproto=tcpv6\n"));  // fio's alias
  // io_uring_cmd reads io_uring's options through io_uring's own table.
  CHECK_NOTHROW(parse_job_text("[j]\nioengine=io_uring_cmd\ncmd_type=nvme\nfixedbufs\nsqthread_poll=1\nnonvectored=1\n"));
  // Bad values are errors with file:line, as for any option.
  CHECK_THAT(parse_error_of("[j]\nioengine=rbd\nbusy_poll=maybe\n"), Catch::StartsWith("invalid value for 'busy_poll'") &&
                                                                   Catch::Contains("t.fio:3"));
  CHECK_THAT(parse_error_of("[j]\nioengine=net\nport=http\n"), Catch::Contains("'port'") && Catch::Contains("t.fio:3"));
  CHECK_THAT(parse_error_of("[j]\nioengine=net\nprotocol=sctp\n"), Catch::Contains("allowed: tcp, tcpv6, udp, udpv6, unix"));
  CHECK_THAT(parse_error_of("[j]\nioengine=io_uring_cmd\ncmd_type=scsi\n"), Catch::Contains("allowed: nvme"));
  // An option of another engine is refused where it is written.
  CHECK_THAT(parse_error_of("[j]\nioengine=psync\nrbdname=x\n"),
             Catch::Contains("option 'rbdname' applies only to ioengine=rbd, not ioengine=psync") && Catch::Contains("t.fio:3"));
  CHECK_THAT(parse_error_of("[j]\nioengine=rados\nrbdname=x\n"), Catch::Contains("applies only to ioengine=rbd"));
  // Engines outside the hardware list stay refused as before.
  CHECK_THAT(parse_error_of("[j]\nioengine=mmap\n"), Catch::StartsWith("unsupported by fiokit: ioengine=mmap (t.fio:2)"));
  CHECK_THAT(parse_error_of("[j]\nioengine=external:/x.so\n"), Catch::StartsWith("unsupported by fiokit: ioengine=external:/x.so"));
}

TEST_CASE("the run refuses a parse-only engine with what it needs and where, before anything else") {
  CHECK_THAT(refusal_of("[global]\nbs=4k\n[j]\nioengine=rbd\npool=p\n"),
             Catch::Equals("job 'j': ioengine=rbd needs librbd and a Ceph cluster (not available in fiokit) (t.fio:4)"));
  CHECK_THAT(refusal_of("[j]\nioengine=sg\nfilename=/dev/sg0\n"), Catch::Contains("ioengine=sg needs SCSI") &&
                                                                      Catch::Contains("(t.fio:2)"));
  // Every parse-only row has a reason to give.
  for (const auto& row : engine::registered_engines()) {
    if (row.make) continue;
    INFO(row.name);
    CHECK_THAT(refusal_of(std::string("[j]\nioengine=") + row.name + "\n"),
               Catch::Contains(std::string("ioengine=") + row.name + " needs ") && Catch::Contains("(not available in fiokit)"));
  }
  CHECK_THAT(refusal_of("[j]\nzonemode=zbd\nzonesize=256M\nmax_open_zones=32\nfilename=/dev/nullb0\n"),
             Catch::Contains("zonemode=zbd needs zone management") && Catch::Contains("(t.fio:2)"));
  // Runnable jobs pass.
  CHECK_NOTHROW(engine::refuse_unrunnable(parse_job_text("[j]\nioengine=psync\n[k]\nioengine=null\nzonemode=strided\nzonesize=4k\n").jobs));
}

TEST_CASE("parse-only engines show their options as fio's --enghelp does") {
  auto names = [](std::string_view engine) {
    std::vector<std::string> v;
    for (const auto& d : engine::parse_only_option_defs(engine)) v.push_back(d.name);
    return v;
  };
  // fio 3.33 --enghelp=rbd / rados / nbd / e4defrag (Debian's build has them).
  CHECK_THAT(names("rbd"), Catch::UnorderedEquals(std::vector<std::string>{"clustername", "rbdname", "pool", "clientname", "busy_poll"}));
  CHECK_THAT(names("rados"),
             Catch::UnorderedEquals(std::vector<std::string>{"clustername", "pool", "clientname", "conf", "busy_poll", "touch_objects"}));
  CHECK_THAT(names("nbd"), Catch::UnorderedEquals(std::vector<std::string>{"uri"}));
  CHECK_THAT(names("e4defrag"), Catch::UnorderedEquals(std::vector<std::string>{"donorname", "inplace"}));
  CHECK(names("libpmem").empty());
  const jobs::OptionDef* proto = engine::option_catalog().find("proto");
  REQUIRE(proto != nullptr);
  CHECK(proto->name == "protocol");
  CHECK(proto->def == "tcp");
}
