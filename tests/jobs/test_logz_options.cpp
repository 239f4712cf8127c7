// Issue 15, part "logz": log_compression, log_store_compressed and
// log_compression_cpus parse as fio 3.33 reads them (its range 1 KiB..512 MiB,
// no explicit 0), land in JobSpec::log, and the one combination fio gets wrong
// (a histogram log compressed: fio prints pointers) is refused with file:line.
#include <catch2/catch.hpp>

#include "jobs/cmdline.hpp"
#include "jobs/options.hpp"
#include "jobs/parse.hpp"
#include "test_expander.hpp"

using namespace fiokit::jobs;

using fiokit::test::parse_job_text;
using fiokit::test::one_job;
using fiokit::test::option_error_of;

TEST_CASE("logz: defaults are off") {
  const JobSpec s = one_job("write_bw_log=x");
  CHECK(s.log.compression == 0);
  CHECK_FALSE(s.log.store_compressed);
  CHECK(s.log.compression_cpus.empty());
}

TEST_CASE("logz: log_compression takes a size within fio's range") {
  CHECK(one_job("log_compression=10K").log.compression == 10240);
  CHECK(one_job("log_compression=1024").log.compression == 1024);
  CHECK(one_job("log_compression=512m").log.compression == (uint64_t{512} << 20));
  CHECK(one_job("kb_base=1000\nlog_compression=10k").log.compression == 10000);
  // fio 3.33: "min value out of range: 0 (1024 min)" (measured), and 512 likewise.
  CHECK_THAT(option_error_of("log_compression=0"), Catch::Contains("log_compression") && Catch::Contains("t.fio:2"));
  CHECK_THAT(option_error_of("log_compression=512"), Catch::Contains("log_compression") && Catch::Contains("t.fio:2"));
  CHECK_THAT(option_error_of("log_compression=513m"), Catch::Contains("log_compression"));
  CHECK_THAT(option_error_of("log_compression=10kx"), Catch::Contains("invalid value for 'log_compression'"));
}

TEST_CASE("logz: log_store_compressed and log_compression_cpus") {
  CHECK(one_job("log_store_compressed=1").log.store_compressed);
  CHECK_FALSE(one_job("log_store_compressed=0").log.store_compressed);
  CHECK(one_job("log_compression=1m\nlog_compression_cpus=0,1").log.compression_cpus == std::vector<int>{0, 1});
  CHECK(one_job("log_compression_cpus=1-3").log.compression_cpus == std::vector<int>{1, 2, 3});
  CHECK_THAT(option_error_of("log_compression_cpus=3-1"), Catch::Contains("log_compression_cpus") && Catch::Contains("reversed"));
  CHECK_THAT(option_error_of("log_store_compressed=maybe"), Catch::Contains("log_store_compressed"));
  // Nothing is refused or warned about any more.
  CHECK(parse_job_text("[a]\nlog_compression=1m\nlog_store_compressed=1\nlog_compression_cpus=0\n").warnings.empty());
}

TEST_CASE("logz: a compressed histogram log is refused with file:line") {
  CHECK_THAT(option_error_of("write_hist_log=h\nlog_hist_msec=100\nlog_compression=1m"),
             Catch::Contains("t.fio:2") && Catch::Contains("log_compression") && Catch::Contains("memory addresses"));
  CHECK_THAT(option_error_of("log_store_compressed=1\nwrite_hist_log=h"), Catch::Contains("t.fio:3") && Catch::Contains("log_store_compressed"));
  CHECK_NOTHROW(one_job("write_hist_log=h\nlog_hist_msec=100"));
  CHECK_NOTHROW(one_job("write_bw_log=b\nlog_compression=1m\nlog_store_compressed=1"));
}
