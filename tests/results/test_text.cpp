// Normal and terse writers against fio 3.33 itself: fio runs a job with
// "--output-format=json+,normal" (or terse), fiokit reads the json+ back and
// renders normal/terse from it, and the text must equal fio's line for line
// (the job header with pid and time aside). Also fio's number shortening.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "fixtures.hpp"
#include "results/json_reader.hpp"
#include "results/json_writer.hpp"
#include "results/normal_writer.hpp"
#include "results/terse_writer.hpp"

using namespace fiokit::results;
using fiokit::testing::TempDir;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

// fio prints the JSON document and the other format in an order of its own;
// `other` is everything outside the JSON document.
struct FioOutput {
  std::string json, other;
};

std::optional<FioOutput> run_fio(const std::string& jobfile, const std::string& formats) {
  TempDir dir;
  fiokit::testing::write_text(dir.path + "/j.fio", jobfile);
  const auto out = fiokit::testing::run_capture("cd " + dir.path + " && fio --output-format=" + formats + " j.fio");
  if (!out) return std::nullopt;
  const size_t a = out->find("\n{\n");
  const size_t b = out->find("\n}\n", a);
  if (a == std::string::npos || b == std::string::npos) return std::nullopt;
  return FioOutput{out->substr(a + 1, b + 2 - a), out->substr(0, a + 1) + out->substr(b + 3)};
}

// Equal text, or equal "%f" numbers up to the last printed digit: the means and
// deviations went through fio's JSON (6 decimals in ns) on their way here.
bool same_field(const std::string& a, const std::string& b) {
  if (a == b) return true;
  if (a.find('.') == std::string::npos || b.find('.') == std::string::npos) return false;
  char *ea = nullptr, *eb = nullptr;
  const double x = std::strtod(a.c_str(), &ea), y = std::strtod(b.c_str(), &eb);
  if (std::string(ea) != std::string(eb)) return false;
  return std::fabs(x - y) <= 1.01e-6 + 1e-9 * std::fabs(y);
}

// Equal lines, except that a number with decimals may differ in its last
// digit: fio's means come from a running float update, ours from exact sums,
// and the two can fall on either side of a rounding edge ("76.87" / "76.88").
bool same_line(const std::string& a, const std::string& b) {
  if (a == b) return true;
  size_t i = 0, j = 0;
  const auto is_num = [](char c) { return (c >= '0' && c <= '9') || c == '.'; };
  while (i < a.size() && j < b.size()) {
    if (is_num(a[i]) && is_num(b[j])) {
      size_t ei = i, ej = j;
      while (ei < a.size() && is_num(a[ei])) ++ei;
      while (ej < b.size() && is_num(b[ej])) ++ej;
      const std::string x = a.substr(i, ei - i), y = b.substr(j, ej - j);
      if (x != y) {
        const size_t dot = x.find('.');
        if (dot == std::string::npos || y.find('.') == std::string::npos) return false;
        const double ulp = std::pow(10.0, -static_cast<double>(x.size() - dot - 1));
        if (std::fabs(std::strtod(x.c_str(), nullptr) - std::strtod(y.c_str(), nullptr)) > ulp * 1.01) return false;
      }
      i = ei, j = ej;
    } else if (a[i] == b[j]) {
      ++i, ++j;
    } else {
      return false;
    }
  }
  return i == a.size() && j == b.size();
}

const char* kPsyncJob =
    "[global]\nioengine=psync\nfilename=data.bin\nsize=4m\nbs=4k\n"
    "[rw]\nrw=randrw\nloops=4\n";
const char* kNullGroupJob =
    "[global]\nioengine=null\nsize=8m\nbs=4k\ngroup_reporting\nlat_percentiles=1\npercentile_list=50:99.5:99.999\n"
    "[a]\nrw=read\n[b]\nrw=write\nnumjobs=2\n";
// Several bw samples above 1 GiB/s: the bw line switches to MiB/s.
const char* kFastSampledJob = "[fast]\nioengine=null\nsize=1g\nrw=read\nbs=128k\ntime_based\nruntime=1500ms\n";
// Buffered writes: sub-2 us minimums with millisecond outliers, the cases that
// pick nsec/usec and shorten "max=2877.0k".
const char* kPsyncWritesJob =
    "[global]\nioengine=psync\nfilename=data.bin\nsize=8m\n[w4k]\nrw=write\nbs=4k\nloops=2\n"
    "[w512k]\nrw=randwrite\nbs=512k\nloops=2\n";
// Queue depth > 1: slat lines, depth and submit/complete distributions.
const char* kAsyncDepthJob =
    "[global]\nioengine=libaio\nfilename=data.bin\nsize=4m\nbs=4k\niodepth=16\niodepth_batch_submit=4\n"
    "slat_percentiles=1\n[q]\nrw=randrw\nrwmixread=70\nloops=2\n";
const char* kTwoGroupsJob =
    "[global]\nioengine=null\nsize=1m\nbs=4k\n[a]\nrw=read\n[b]\nrw=write\nstonewall\n[c]\nrw=randrw\n";

}  // namespace

TEST_CASE("fio number shortening as fio prints it") {
  CHECK(format_fio_number(22877.6, 4, 1000, "") == "22.9k");
  CHECK(format_fio_number(2731000, 4, 1000, "") == "2731k");
  CHECK(format_fio_number(1024000, 4, 1000, "") == "1024k");
  CHECK(format_fio_number(116, 4, 1000, "") == "116");
  CHECK(format_fio_number(93750000.0, 4, 1024, "B") == "89.4MiB");
  CHECK(format_fio_number(93750000.0, 4, 1000, "B") == "93.8MB");
  CHECK(format_fio_number(67108864, 4, 1024, "B") == "64.0MiB");
  CHECK(format_fio_number(4194304, 4, 1024, "B") == "4096KiB");
  CHECK(format_fio_number(4194304, 4, 1000, "B") == "4194kB");
  CHECK(format_fio_number(187506688, 4, 1024, "B") == "179MiB");
  CHECK(format_fio_number(187506688, 4, 1000, "B") == "188MB");
  CHECK(format_fio_number(11166914969.0, 4, 1024, "B") == "10.4GiB");
  // Rounding that would need a fifth digit moves up a unit.
  CHECK(format_fio_number(9999.7 * 1024, 4, 1024, "B") == "9.77MiB");
}

TEST_CASE("job header line as fio prints it before the run") {
  JobResult j;
  j.name = "job2";
  j.rw = "randrw";
  j.ioengine = "psync";
  CHECK(format_job_header(j) ==
        "job2: (g=0): rw=randrw, bs=(R) 4096B-4096B, (W) 4096B-4096B, (T) 4096B-4096B, ioengine=psync, iodepth=1");
}

TEST_CASE("normal output equals fio 3.33's for the same numbers", "[fio]") {
  if (!fiokit::testing::have_program("fio")) {
    WARN("fio not installed: skipped");
    return;
  }
  for (const char* job : {kPsyncJob, kNullGroupJob, kTwoGroupsJob, kFastSampledJob, kPsyncWritesJob, kAsyncDepthJob}) {
    const auto fio = run_fio(job, "json+,normal");
    REQUIRE(fio);
    const RunResult run = read_fio_json(fio->json);
    const auto theirs = lines_of(fio->other);
    const auto ours = lines_of(write_normal(run));
    // fio's text starts with the header of the first reported job.
    size_t start = 0;
    while (start < theirs.size() && theirs[start].find("(groupid=") == std::string::npos) ++start;
    REQUIRE(start < theirs.size());
    REQUIRE(ours.size() == theirs.size() - start);
    for (size_t i = 1; i < ours.size(); ++i) {
      INFO("line " << i);
      if (ours[i].find("(groupid=") != std::string::npos) continue;
      INFO(ours[i] << "\n" << theirs[start + i]);
      CHECK(same_line(ours[i], theirs[start + i]));
    }
    // Job headers differ only in pid and time.
    for (size_t i = 0; i < ours.size(); ++i)
      if (ours[i].find("(groupid=") != std::string::npos)
        CHECK(ours[i].substr(0, ours[i].find("pid=")) == theirs[start + i].substr(0, theirs[start + i].find("pid=")));
  }
}

TEST_CASE("terse v3 equals fio 3.33's field for field", "[fio]") {
  if (!fiokit::testing::have_program("fio")) {
    WARN("fio not installed: skipped");
    return;
  }
  for (const char* job : {kPsyncJob, kNullGroupJob, kTwoGroupsJob, kPsyncWritesJob, kAsyncDepthJob}) {
    const auto fio = run_fio(job, "json+,terse");
    REQUIRE(fio);
    const RunResult run = read_fio_json(fio->json);
    std::vector<std::string> theirs;
    for (const auto& l : lines_of(fio->other))
      if (l.rfind("3;", 0) == 0) theirs.push_back(l);
    const auto ours = lines_of(write_terse(run));
    REQUIRE(ours.size() == run.jobs.size());
    REQUIRE(theirs.size() == ours.size());
    const auto split = [](const std::string& s) {
      std::vector<std::string> f;
      std::istringstream in(s);
      std::string x;
      while (std::getline(in, x, ';')) f.push_back(x);
      return f;
    };
    for (size_t line = 0; line < ours.size(); ++line) {
      const auto a = split(ours[line]), b = split(theirs[line]);
      CHECK(a.size() == b.size());
      CHECK((a.size() == 121 || a.size() == 121 + 9 * run.disk_util.size()));
      for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
        if (i == 1) continue;  // fio version
        INFO("line " << line << " field " << i + 1 << ": " << a[i] << " vs " << b[i]);
        CHECK(same_field(a[i], b[i]));
      }
    }
  }
}

TEST_CASE("normal output names a job's error in its header") {
  RunResult run = fiokit::testing::make_run();
  run.jobs[1].error = 28;
  run.jobs[1].error_message = "write /dev/full: No space left on device";
  run.jobs[1].pid = 77;
  const std::string text = write_normal(run);
  CHECK(text.find("job2: (groupid=0, jobs=1): err=28 (write /dev/full: No space left on device): pid=77: ") !=
        std::string::npos);
  CHECK(text.find("job1: (groupid=0, jobs=1): err= 0: pid=1234: ") != std::string::npos);
}

// description= as fio 3.33 prints it (stat.c's normal, terse and JSON
// output, checked against fio itself in tests/fidelity group fixes2): a line
// right after the job's header, a last terse field, "desc" after the
// latency keys; nothing at all for a job without one. A group shows its
// first job's description.
TEST_CASE("description: the Description line, the last terse field and \"desc\"") {
  RunResult run = fiokit::testing::make_run();
  run.jobs[0].description = "nightly [seq] check";
  const auto normal = lines_of(write_normal(run));
  size_t header = 0;
  while (header < normal.size() && normal[header].find("job1: (groupid=") != 0) ++header;
  REQUIRE(header + 1 < normal.size());
  CHECK(normal[header + 1] == "  Description  : [nightly [seq] check]");
  size_t n = 0;
  for (const auto& l : normal) n += l.find("Description") != std::string::npos;
  CHECK(n == 1);  // job2 has none
  const auto terse = lines_of(write_terse(run));
  REQUIRE(terse.size() == 2);
  CHECK(terse[0].substr(terse[0].rfind(';')) == ";nightly [seq] check");
  CHECK(std::count(terse[0].begin(), terse[0].end(), ';') == std::count(terse[1].begin(), terse[1].end(), ';') + 1);
  const std::string json = write_json(run, false);
  CHECK(json.find("\"latency_window\" : 0,\n      \"desc\" : \"nightly [seq] check\"") != std::string::npos);
  const RunResult back = read_fio_json(json);
  CHECK(back.jobs[0].description == "nightly [seq] check");
  CHECK(back.jobs[1].description.empty());
  for (auto& jr : run.jobs) jr.group_reporting = true;
  run.jobs[1].description = "second";
  const std::string merged = write_json(run, false);
  CHECK(merged.find("\"desc\" : \"nightly [seq] check\"") != std::string::npos);
  CHECK(merged.find("second") == std::string::npos);
}

TEST_CASE("normal output lists the volumes fiokit recorded, and nothing for fio's runs") {
  fiokit::results::RunResult run;
  CHECK(fiokit::results::write_normal(run).find("Volumes") == std::string::npos);
  run.extras["volume.0.path"] = "/data";
  run.extras["volume.0.mount_point"] = "/data";
  run.extras["volume.0.fstype"] = "ext4";
  run.extras["volume.0.device"] = "vdb";
  run.extras["volume.0.rotational"] = "0";
  run.extras["volume.0.capacity"] = std::to_string(10ull << 30);
  run.extras["volume.0.free"] = std::to_string(5ull << 30);
  run.extras["volume.0.jobs"] = "a,b";
  run.extras["volume.1.fstype"] = "tmpfs";
  run.extras["volume.1.path"] = "/tmp";
  const std::string text = fiokit::results::write_normal(run);
  CHECK(text.find("Volumes (fiokit):\n  /data: ext4 on vdb, non-rotational, 5.0 GiB free of 10.0 GiB, jobs: a,b\n") !=
        std::string::npos);
  CHECK(text.find("  /tmp: tmpfs\n") != std::string::npos);
  // Extras read from an edited results.json: a size that is not a number is
  // left out (it once threw std::invalid_argument out of the writer).
  run.extras["volume.2.fstype"] = "xfs";
  run.extras["volume.2.path"] = "/x";
  run.extras["volume.2.capacity"] = "lots";
  run.extras["volume.2.free"] = "";
  CHECK(fiokit::results::write_normal(run).find("  /x: xfs\n") != std::string::npos);
}
