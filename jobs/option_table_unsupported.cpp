// Option table, the rest of fio 3.33's documented job options: those fiokit does
// not implement. Nothing here is silently ignored. Three honest answers:
//  - off_only / enum_only / int_only: the value that turns the feature off (or
//    fio's default, where that means "nothing happens") is accepted, because it
//    asks for exactly what fiokit does; any other value is refused as
//    "unsupported by fiokit: OPTION=VALUE".
//  - no_effect: accepted with a warning, only where the option cannot change
//    which I/O happens or what is measured (a clock choice, a log buffer size).
//  - unsupported: refused whenever it appears, with what to use instead.
// Names, aliases, types, defaults and ranges follow `fio --cmdhelp`.
#include <fmt/format.h>

#include <algorithm>

#include "jobs/options.hpp"

namespace fiokit::jobs {
namespace {

// Checks that `v` is well formed for `type` (a bad value is a plain error, not
// "unsupported"); returns it as a number where the type has one.
int64_t check_syntax(OptType type, const std::string& v, const ApplyCtx& c, TimeUnit unit) {
  switch (type) {
    case OptType::boolean: return parse_bool(v) ? 1 : 0;
    case OptType::flag:
    case OptType::integer: return parse_int(v, true);
    case OptType::size: return static_cast<int64_t>(parse_size(v, c.kb_base));
    case OptType::time: return static_cast<int64_t>(parse_time_us(v, unit));
    case OptType::real: return parse_double(v) != 0 ? 1 : 0;  // no float-to-int cast: 1e300 would overflow
    default: return 0;
  }
}

std::string join_names(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// Accepted only when the value means "off" (0 for booleans, numbers, sizes, times).
OptionDef off_only(std::string name, std::string help, std::string cat, OptType type, std::string instead = "",
                   TimeUnit unit = TimeUnit::s) {
  std::string why = instead.empty() ? "not implemented; only the value 0 (off) is accepted" : instead;
  Opt o(std::move(name), std::move(help));
  o.custom(type, [type, why, unit](JobSpec&, const std::string& v, const ApplyCtx& c) {
     if (check_syntax(type, v, c, unit) != 0) throw UnsupportedValue(why);
   })
      .def("0").unit(unit).cat(std::move(cat)).note("only 0 (off) is accepted");
  if (type == OptType::flag) o.valueless();
  return o;
}

// Accepted only for the listed enum values (the ones meaning what fiokit does).
OptionDef enum_only(std::string name, std::string help, std::string cat, std::vector<EnumValue> values,
                    std::vector<std::string> accepted, std::string def) {
  const std::string note = "only " + join_names(accepted) + (accepted.size() > 1 ? " are" : " is") + " accepted";
  Opt o(std::move(name), std::move(help));
  o.enumeration(std::move(values),
                [accepted, note](JobSpec&, const std::string& v, const ApplyCtx&) {
                  const std::string head = trim(v.substr(0, v.find(':')));
                  if (std::find(accepted.begin(), accepted.end(), head) == accepted.end() || head != trim(v))
                    throw UnsupportedValue(note);
                })
      .def(std::move(def)).cat(std::move(cat)).note(note);
  return o;
}

// Accepted only for one integer value (fio's default, where it means "as fiokit does").
OptionDef int_only(std::string name, std::string help, std::string cat, int64_t value, int64_t lo, int64_t hi) {
  Opt o(std::move(name), std::move(help));
  o.custom(OptType::integer, [value](JobSpec&, const std::string& v, const ApplyCtx&) {
     if (parse_int(v, true) != value) throw UnsupportedValue(fmt::format("only {} is accepted", value));
   })
      .range(lo, hi).def(std::to_string(value)).cat(std::move(cat)).note(fmt::format("only {} is accepted", value));
  return o;
}

// Accepted with a warning: the setter only checks the value's syntax.
OptionDef no_effect(std::string name, std::string help, std::string cat, OptType type, std::string why) {
  Opt o(std::move(name), std::move(help));
  o.custom(type, [type](JobSpec&, const std::string& v, const ApplyCtx& c) { check_syntax(type, v, c, TimeUnit::s); })
      .cat(std::move(cat)).no_effect(std::move(why));
  if (type == OptType::flag) o.valueless();
  return o;
}

// No warning for these values: they ask for what fiokit does, or fio itself
// ignores the option in every job fiokit can run. "*": every value. fio's own
// tests require an empty stderr, so a warning is kept only where fio would
// have done something fiokit does not.
OptionDef quiet(OptionDef d, std::vector<std::string> values) {
  d.quiet_values = std::move(values);
  return d;
}

OptionDef with_def(OptionDef d, std::string def) {
  d.def = std::move(def);
  return d;
}

// An option of zonemode=zbd jobs: it parses (syntax checked) so fio's zoned
// job files parse; parse.cpp refuses a non-zero value in a job that is not
// zonemode=zbd, and the run refuses zbd jobs (issue 15, part "parse").
OptionDef zbd_only(std::string name, std::string help, std::string cat, OptType type) {
  Opt o(std::move(name), std::move(help));
  o.custom(type, [type](JobSpec&, const std::string& v, const ApplyCtx& c) { check_syntax(type, v, c, TimeUnit::s); })
      .def("0").cat(std::move(cat)).note("only with zonemode=zbd, which parses but does not run");
  return o;
}

OptionDef unsupported(std::string name, std::string help, std::string cat, OptType type, std::string instead = "") {
  Opt o(std::move(name), std::move(help));
  o.type(type).cat(std::move(cat)).unsupported(std::move(instead));
  return o;
}

}  // namespace

void add_unsupported_options(std::vector<OptionDef>& t) {
  using T = OptType;
  const std::string timing = "Time related", files = "Target file/device", zones = "Zoned block devices",
                    iotype = "I/O type", buf = "Buffers and memory", sizes = "I/O size", depth = "I/O depth",
                    rate = "I/O rate", lat = "I/O latency", replay = "I/O replay", proc = "CPU and process",
                    ver = "Verification", ss = "Steady state", rep = "Measurements and reporting", logs = "Log files",
                    err = "Error handling", prof = "Profiles";

  // --- time ---
  {
    Opt o("clocksource", "Clock used for timestamps: gettimeofday, clock_gettime or cpu");
    o.enumeration({{"gettimeofday", "gettimeofday(2)"}, {"clock_gettime", "clock_gettime(2)"}, {"cpu", "the CPU's time stamp counter"}},
                  [](JobSpec&, const std::string&, const ApplyCtx&) {})
        .cat(timing).no_effect("fiokit always times I/O with clock_gettime(CLOCK_MONOTONIC)").quiet_for({"clock_gettime"});
    t.push_back(o);
  }
  t.push_back(no_effect("gtod_cpu", "CPU for a dedicated time-keeping thread", timing, T::integer,
                        "fiokit reads the clock in each worker and has no time-keeping thread"));

  // --- files ---
  t.push_back(quiet(with_def(no_effect("unique_filename", "Prefix file names with the client address (client/server mode)", files,
                                 T::boolean, "fiokit has no client/server mode"),
                       "1"), {"*"}));
  t.push_back(unsupported("opendir", "Use every file below this directory as a target", files, T::str, "list the files with filename=a:b"));
  t.push_back(enum_only("lockfile", "Lock the file around each I/O: none, exclusive or readwrite", files,
                        {{"none", "no locking"}, {"exclusive", "one I/O at a time"}, {"readwrite", "readers share, writers exclusive"}},
                        {"none"}, "none"));
  t.push_back(unsupported("ioscheduler", "Switch the device's I/O scheduler before the job", files, T::str,
                          "set /sys/block/DEV/queue/scheduler before running"));
  // create_serialize: option_table_xverify.cpp (issue 16, part xverify).
  t.push_back(with_def(unsupported("create_fsync", "fsync each file after laying it out", files, T::boolean), "1"));
  t.push_back(off_only("create_only", "Only lay out the files, do no I/O", files, T::boolean));
  t.push_back(off_only("allow_mounted_write", "Allow writes to a device that has a mounted file system", files, T::boolean,
                       "fiokit never writes to mounted devices"));
  t.push_back(off_only("file_append", "Start I/O at the end of each file", sizes, T::boolean));
  // fill_device: option_table_engines.cpp (issue 15, part engines).

  // --- zoned devices ---
  // zonemode=strided is implemented (jobs/JobSpec, engine/zones.hpp); zbd
  // needs a zoned block device's write pointers: it parses (parse.cpp notes
  // where, JobSpec::zonemode_zbd_at) and the run refuses it before any I/O.
  t.push_back(Opt("zonemode", "How zonesize/zonerange/zoneskip apply: none, strided or zbd")
                  .enumeration({{"none", "no zones"}, {"strided", "stride through zones"}, {"zbd", "zoned block device"}},
                               [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                                 s.zonemode = v == "strided" ? ZoneMode::strided : ZoneMode::none;
                               })
                  .def("none").cat(zones).note("zbd parses; a run refuses it (no zone management)"));
  t.push_back(Opt("zonerange", "Size of the region each zone covers (strided: 0 means zonesize)")
                  .size(&JobSpec::zonerange).def("0").cat(zones));
  t.push_back(Opt("zonesize", "Bytes of I/O per zone before moving on").size(&JobSpec::zonesize).def("0").cat(zones));
  t.push_back(zbd_only("zonecapacity", "Usable bytes per zone", zones, T::size));
  t.push_back(Opt("zoneskip", "Bytes skipped between zones").size(&JobSpec::zoneskip).def("0").cat(zones));
  t.push_back(zbd_only("read_beyond_wp", "Allow reads past a zone's write pointer", zones, T::boolean));
  t.push_back(zbd_only("max_open_zones", "Limit on zones open for writing", zones, T::integer));
  t.push_back(zbd_only("job_max_open_zones", "Per-job limit on zones open for writing", zones, T::integer));
  t.push_back(zbd_only("ignore_zone_limits", "Ignore the device's open-zone limits", zones, T::boolean));
  t.push_back(zbd_only("zone_reset_threshold", "Zone reset threshold, a fraction 0..1", zones, T::real));
  t.push_back(zbd_only("zone_reset_frequency", "Zone reset frequency, a fraction 0..1", zones, T::real));

  // --- I/O type ---
  t.push_back(off_only("atomic", "Atomic writes with O_DIRECT", iotype, T::boolean));
  t.push_back(Opt("unified_rw_reporting", "Report directions separately (none), summed (mixed) or both")
                  .enumeration({{"none", "per direction"}, {"mixed", "summed"}, {"both", "per direction and summed"},
                                {"0", "same as none"}, {"1", "same as mixed"}, {"2", "same as both"}},
                               [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                                 s.unified_rw_reporting = v == "mixed" || v == "1" ? 1 : v == "both" || v == "2" ? 2 : 0;
                               })
                  .def("none").cat(rep));
  t.push_back(enum_only("write_hint", "Write lifetime hint for the files", iotype,
                        {{"none", "no hint"}, {"short", "short"}, {"medium", "medium"}, {"long", "long"}, {"extreme", "extreme"}},
                        {"none"}, ""));
  t.push_back(off_only("write_barrier", "Make every Nth write a barrier write", iotype, T::integer));
  {
    OptionDef d = unsupported("sync_file_range", "Call sync_file_range every N writes (wait_before, write, wait_after:N)",
                              iotype, T::str, "use fsync=N or fdatasync=N");
    d.values = {{"wait_before", "SYNC_FILE_RANGE_WAIT_BEFORE"}, {"write", "SYNC_FILE_RANGE_WRITE"},
                {"wait_after", "SYNC_FILE_RANGE_WAIT_AFTER"}};
    t.push_back(std::move(d));
  }
  t.push_back(off_only("softrandommap", "Fall back to norandommap when the random map cannot be allocated", iotype, T::boolean,
                       "set norandommap explicitly"));

  // --- buffers and memory ---
  t.push_back(Opt("mem", "Where I/O buffers come from: malloc, shm, shmhuge, mmap, mmaphuge, mmapshared").alias("iomem")
                  .enumeration({{"malloc", "heap memory"}, {"shm", "System V shared memory"}, {"shmhuge", "shared memory, huge pages"},
                                {"mmap", "anonymous or file mmap"}, {"mmaphuge", "mmap of a hugetlbfs file"},
                                {"mmapshared", "shared anonymous mmap"}},
                               [](JobSpec&, const std::string& v, const ApplyCtx&) {
                                 if (trim(v) != "malloc") throw UnsupportedValue("fiokit allocates aligned heap buffers; use mem=malloc");
                               })
                  .param().def("malloc").note("only malloc is accepted").cat(buf));
  t.push_back(Opt("iomem_align", "Extra alignment of I/O buffers").alias("mem_align")
                  .custom(T::size, [](JobSpec&, const std::string& v, const ApplyCtx& c) {
                    if (parse_size(v, c.kb_base) != 0) throw UnsupportedValue("fiokit aligns buffers to the page size");
                  })
                  .def("0").note("only 0 is accepted (buffers are page aligned)").cat(buf));
  t.push_back(quiet(with_def(no_effect("hugepage-size", "Huge page size for mem=shmhuge/mmaphuge", buf, T::size,
                                 "only used by huge-page buffers, which fiokit does not use"),
                       "2097152"), {"*"}));
  t.push_back(off_only("lockmem", "Lock this much memory to simulate less RAM", buf, T::size));

  // --- depth and submission ---
  t.push_back(enum_only("thinktime_blocks_type", "When thinktime_blocks counts: complete or issue", rate,
                        {{"complete", "count completed I/Os"}, {"issue", "count issued I/Os"}}, {"complete"}, "complete"));

  // --- latency targets ---
  t.push_back(unsupported("max_latency", "Fail the job when an I/O takes longer than this; per direction", lat, T::time));

  // --- replay ---
  t.push_back(unsupported("merge_blktrace_file", "Output file for merged blktraces", replay, T::str));
  t.push_back(unsupported("merge_blktrace_scalars", "Time scale per merged trace, percent", replay, T::float_list));
  t.push_back(unsupported("merge_blktrace_iters", "Iterations per merged trace", replay, T::float_list));

  // --- processes and placement ---
  t.push_back(int_only("nice", "CPU nice value of the job", proc, 0, -20, 19));
  t.push_back(unsupported("cpumask", "CPU affinity as a bit mask", proc, T::integer, "use cpus_allowed=0,2-3"));
  t.push_back(unsupported("cgroup", "Run the job in this cgroup", proc, T::str));
  t.push_back(unsupported("cgroup_weight", "Block I/O weight of the job's cgroup", proc, T::integer));
  t.push_back(off_only("cgroup_nodelete", "Keep the job's cgroup afterwards", proc, T::boolean));
  t.push_back(unsupported("uid", "Switch to this user id", proc, T::integer));
  t.push_back(unsupported("gid", "Switch to this group id", proc, T::integer));

  // --- verification extras ---
  t.push_back(quiet(with_def(no_effect("verify_state_save", "Save verify progress when the job ends", ver, T::boolean,
                                 "fiokit does not write verify state files"),
                       "1"), {"0"}));
  t.push_back(off_only("verify_state_load", "Resume verification from a saved state", ver, T::boolean));
  t.push_back(Opt("trim_percentage", "Percent of verified blocks to trim").custom(T::integer, [](JobSpec&, const std::string& v, const ApplyCtx&) {
                    if (parse_int(v) != 0) throw UnsupportedValue("trim-then-verify is not implemented");
                  })
                  .range(0, 100).def("0").note("only 0 (off) is accepted").cat(ver));
  t.push_back(quiet(with_def(no_effect("trim_verify_zero", "Check that trimmed blocks read back as zeros", ver, T::boolean,
                                 "only used with trim_percentage, which must be 0"),
                       "1"), {"*"}));
  t.push_back(off_only("trim_backlog", "Trim after every N written blocks", ver, T::integer));
  t.push_back(off_only("trim_backlog_batch", "Blocks trimmed per trim_backlog", ver, T::integer));
  // experimental_verify: option_table_xverify.cpp (issue 16, part xverify).

  // --- reporting and logs ---
  t.push_back(quiet(with_def(no_effect("log_entries", "Initial number of entries of an in-memory log", logs, T::integer,
                                 "fiokit writes logs as it goes; the size of its buffers does not change them"),
                       "1024"), {"*"}));
  t.push_back(off_only("log_unix_epoch", "Log timestamps as Unix time", logs, T::boolean, "log times are relative to the job start"));
  t.push_back(off_only("log_alternate_epoch", "Log timestamps against another clock's epoch", logs, T::boolean,
                       "log times are relative to the job start"));
  t.push_back(off_only("log_alternate_epoch_clock_id", "clock_gettime clock for log_alternate_epoch", logs, T::integer));
  t.push_back(off_only("block_error_percentiles", "Histogram of trim block errors", rep, T::boolean));
  t.push_back(Opt("disk_util", "Report disk utilisation (the \"Disk stats\" block)").boolean(&JobSpec::disk_util)
                  .def("1").cat(rep));
  t.push_back(int_only("significant_figures", "Significant figures in normal output", rep, 4, 1, 10));

  // --- errors: continue_on_error, ignore_error, error_dump are in option_table_misc.cpp ---

  // --- profiles (fio's built-in benchmarks) and their options ---
  t.push_back(Opt("profile", "Run a built-in benchmark profile: tiobench or act").type(T::enumeration)
                  .values({{"tiobench", "tiotest-like"}, {"act", "Aerospike ACT-like"}}).cat(prof)
                  .unsupported("write the equivalent job file"));
  // fio 3.33 accepts these in any job and, without profile=, does nothing with
  // them (threads=4 still runs one job): accepted with a warning that says so.
  auto P = [&t, &prof](std::string name, std::string help, std::string profile, std::string hint = "") {
    t.push_back(no_effect(std::move(name), help + " [profile=" + profile + "]", prof, T::str,
                          "an option of fio's built-in " + profile + " profile; fio ignores it too without profile=" + profile +
                              hint));
  };
  P("device-names", "Devices to test", "act");
  P("load", "ACT load factor", "act");
  P("test-duration", "How long the ACT test runs", "act");
  P("threads-per-queue", "Threads per queue", "act");
  P("read-req-num-512-blocks", "Read size in 512-byte blocks", "act");
  P("large-block-op-kbytes", "Large block size in KiB", "act");
  P("prep", "Prepare the devices first", "act");
  t.back().valueless_ok = true;
  P("block", "Block size", "tiobench", "; for the block size use bs=");
  P("numruns", "Number of runs", "tiobench", "; to repeat a job use loops=");
  P("dir", "Directory to test in", "tiobench", "; for the directory use directory=");
  P("threads", "Number of threads", "tiobench", "; for several workers use numjobs=");
}

}  // namespace fiokit::jobs
