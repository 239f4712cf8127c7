// Option table, engine part: ioengine, and the options of the engines fiokit
// does not run. fiokit runs psync, pvsync, sync, libaio, io_uring and null,
// and each of those keeps its own options beside its code (engine/*_engine.cpp,
// added to a parse by engine::option_catalog()). Every other engine fio 3.33
// knows is refused as "unsupported by fiokit: ioengine=NAME", and the options
// that only those engines read are listed (refused) here, so a job file written
// for them fails on a clear line instead of an "unknown option". Engine options
// carry `engines`, which parse.cpp's cross-option pass checks against the job's
// ioengine, as fio does.
#include <fmt/format.h>

#include <algorithm>

#include "jobs/options.hpp"

namespace fiokit::jobs {
namespace {

const std::vector<EnumValue> kSupportedEngines = {
    {"psync", "pread/pwrite, one I/O at a time"},
    {"pvsync", "preadv/pwritev, one I/O at a time"},
    {"sync", "read/write after lseek, one I/O at a time"},
    {"libaio", "Linux native asynchronous I/O (use with direct=1)"},
    {"io_uring", "Linux io_uring submission/completion rings"},
    {"null", "no data transfer; measures fiokit's own overhead"},
    {"filecreate", "each file's creation (open O_CREAT) is the measured operation"},
    {"filestat", "each file's stat (stat_type=) is the measured operation"},
    {"filedelete", "each file's unlink is the measured operation"},
    {"ftruncate", "each write truncates the file to its offset"},
    {"falloc", "writes fallocate their range, reads fallocate with KEEP_SIZE, trims punch holes"},
    {"posixaio", "POSIX asynchronous I/O (aio_read/aio_write, aio_suspend)"},
    {"cpuio", "burns CPU (cpuload= percent, cpumode=noop|qsort); moves no data"},
    {"exec", "runs program= for the job's runtime (SIGTERM at its end, SIGKILL grace_time later); moves no data"}};

// fio 3.34's directory engines: fio 3.33, the reference fiokit's figures are
// checked against, has none, so there is nothing to match yet.
constexpr const char* kNotIn333 =
    "fio 3.33, which fiokit matches, has no directory engines (they came with fio 3.34); "
    "use ioengine=filecreate, filestat or filedelete";

// Engines fio 3.33 documents that fiokit does not implement, with the nearest
// supported engine where one exists.
const std::vector<std::pair<std::string, std::string>> kOtherEngines = {
    {"vsync", "use ioengine=pvsync"}, {"pvsync2", "use ioengine=pvsync"}, {"io_uring_cmd", "use ioengine=io_uring"},
    {"solarisaio", ""}, {"windowsaio", ""}, {"mmap", "use ioengine=psync"},
    {"splice", "use ioengine=psync"}, {"sg", ""}, {"libzbc", ""}, {"net", ""}, {"netsplice", ""},
    {"rdma", ""}, {"e4defrag", ""}, {"rados", ""}, {"rbd", ""}, {"http", ""},
    {"gfapi", ""}, {"gfapi_async", ""}, {"libhdfs", ""}, {"mtd", ""}, {"pmemblk", ""}, {"dev-dax", ""}, {"external", ""},
    {"libpmem", ""}, {"ime_psync", ""}, {"ime_psyncv", ""},
    {"ime_aio", ""}, {"libiscsi", ""}, {"nbd", ""}, {"libcufile", ""}, {"dfs", ""}, {"nfs", ""},
    {"xnvme", ""}, {"guasi", ""}, {"binject", ""}, {"syslet-rw", ""}, {"librpma_apm_client", ""},
    {"librpma_apm_server", ""}, {"librpma_gpspm_client", ""}, {"librpma_gpspm_server", ""},
    // Older and newer fio engines that real job files still name.
    {"fusion-aw-sync", ""}, {"sheepdog", ""}, {"libblkio", ""}, {"dircreate", kNotIn333}, {"dirstat", kNotIn333},
    {"dirdelete", kNotIn333}, {"filexattr", ""}, {"libhipfile", ""}, {"skeleton_external", ""}, {"cpp_null", "use ioengine=null"}};

void set_ioengine(JobSpec& s, const std::string& value, const ApplyCtx&) {
  const std::string v = trim(value);
  for (const auto& e : kSupportedEngines)
    if (v == e.name) {
      s.ioengine = v;
      return;
    }
  // "external:/path/engine.so" loads code: never, and it is not a typo either.
  const std::string head = v.substr(0, v.find(':'));
  for (const auto& [name, instead] : kOtherEngines)
    if (head == name) throw UnsupportedValue(instead);
  std::string allowed;
  for (const auto& e : kSupportedEngines) allowed += (allowed.empty() ? "" : ", ") + e.name;
  throw ValueError(fmt::format("'{}' is not an I/O engine fio knows (fiokit runs: {})", v, allowed));
}

}  // namespace

void add_engine_options(std::vector<OptionDef>& t) {
  const std::string eng = "I/O engine";
  t.push_back(Opt("ioengine", "How I/O is issued: psync, pvsync, sync, libaio, io_uring, null or a file-operation engine; other fio engines are refused")
                  .custom(OptType::str, set_ioengine).values(kSupportedEngines).def("psync").cat(eng));

  // The options of the engines fiokit runs (hipri, nonvectored,
  // userspace_reap, ...) live beside their engines (engine/*_engine.cpp) and
  // reach the parser through engine::option_catalog().

  // cmdprio_* (shared by io_uring and libaio) are in option_table_prio.cpp.
  const std::string prio = "I/O engine specific (io_uring, libaio)";
  t.push_back(Opt("nowait", "Issue I/O with RWF_NOWAIT").type(OptType::boolean).cat(prio)
                  .unsupported("not implemented"));
  t.push_back(Opt("hipri_percentage", "Percent of pvsync2 I/Os sent with RWF_HIPRI").type(OptType::integer).range(0, 100)
                  .cat("I/O engine specific (pvsync2)").unsupported("ioengine=pvsync2 is not implemented"));

  // Every engine of fio 3.33 that fiokit knows either runs (cpuio and exec
  // keep their options in engine/cpuio_engine.cpp and engine/exec_engine.cpp)
  // or parses (the hardware engines: engine/parse_only_engines.cpp).
}

}  // namespace fiokit::jobs
