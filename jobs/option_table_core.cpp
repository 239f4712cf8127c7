// Option table, core part: job description, units, files, sizes, timing and
// groups. Help texts are fiokit's own words; names, aliases, defaults and ranges
// follow fio's HOWTO so job files mean the same thing here.
#include <fmt/format.h>

#include "jobs/options.hpp"

namespace fiokit::jobs {

std::vector<std::string> split_file_list(const std::string& v) {
  std::vector<std::string> out(1);
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size() && v[i + 1] == ':') {
      out.back() += ':';
      ++i;
    } else if (v[i] == ':') {
      out.emplace_back();
    } else {
      out.back() += v[i];
    }
  }
  return out;
}

namespace {
// A file list with no empty entry ("a::b" is a mistake, not two names).
std::vector<std::string> split_colon_list(const std::string& v) {
  std::vector<std::string> out = split_file_list(v);
  for (const auto& f : out)
    if (f.empty()) throw ValueError("empty name in list '" + v + "'");
  return out;
}
}  // namespace

void add_core_options(std::vector<OptionDef>& t) {
  const std::string desc = "Job description", units = "Units", files = "Target file/device",
                    sizes = "I/O size", timing = "Time related", groups = "Job grouping";
  t.push_back(Opt("name", "Name of the job; a new --name starts a new job on the command line").str(&JobSpec::name).cat(desc));
  t.push_back(Opt("description", "Free-text description of the job").str(&JobSpec::description).cat(desc));
  t.push_back(Opt("kb_base", "How k/m/g suffixes read: 1024 (k=1024, fio's default) or 1000 (SI; ki=1024)")
                  .enumeration({{"1024", "k means 1024, ki means 1000 (compatibility)"},
                                {"1000", "k means 1000, ki means 1024 (SI/IEC)"}},
                               [](JobSpec& s, const std::string& v, const ApplyCtx&) { s.kb_base = std::stoi(v); })
                  .def("1024").cat(units));
  t.push_back(Opt("unit_base", "Report bandwidth in bytes (8), bits (1) or auto (0)")
                  .enumeration({{"0", "auto"}, {"8", "bytes"}, {"1", "bits"}},
                               [](JobSpec& s, const std::string& v, const ApplyCtx&) { s.unit_base = std::stoi(v); })
                  .def("0").cat(units));

  t.push_back(Opt("filename", "Target file(s) or device(s); several separated by ':' ('\\:' for a colon in a name)")
                  .custom(OptType::str, [](JobSpec& s, const std::string& v, const ApplyCtx&) { s.filenames = split_colon_list(v); })
                  .cat(files));
  t.push_back(Opt("directory", "Directory (or ':'-separated directories) in which the job's files are made")
                  .custom(OptType::str, [](JobSpec& s, const std::string& v, const ApplyCtx&) { s.directories = split_colon_list(v); })
                  .cat(files));
  t.push_back(Opt("filename_format", "Pattern for generated file names ($jobname, $jobnum, $filenum, $clientuid)")
                  .str(&JobSpec::filename_format).def("$jobname.$jobnum.$filenum").cat(files));
  t.push_back(Opt("nrfiles", "Number of files per job").alias("nr_files").integer(&JobSpec::nrfiles).range(1, 1 << 20).def("1").cat(files));
  // Values below nrfiles are refused in parse.cpp's validate(): fiokit keeps every file open.
  t.push_back(Opt("openfiles", "Number of files kept open at once (0: all; fiokit keeps all open, so 0 or >= nrfiles)")
                  .integer(&JobSpec::openfiles).def("0").cat(files));
  t.push_back(Opt("file_service_type", "How the next file is picked: random, roundrobin[:N], sequential, zipf:t, pareto:t, normal:s")
                  .enumeration({{"random", "pick a random file"}, {"roundrobin", "round robin over open files"},
                                {"sequential", "finish one file before the next"}, {"zipf", "zipf-distributed file choice"},
                                {"pareto", "pareto-distributed file choice"}, {"normal", "normal-distributed file choice"},
                                {"gauss", "alias of normal"}},
                               [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                                 std::string head = v.substr(0, v.find(':'));
                                 std::string tail = v.find(':') == std::string::npos ? "" : v.substr(v.find(':') + 1);
                                 static const std::pair<const char*, FileServiceType> kinds[] = {
                                     {"random", FileServiceType::random}, {"roundrobin", FileServiceType::roundrobin},
                                     {"sequential", FileServiceType::sequential}, {"zipf", FileServiceType::zipf},
                                     {"pareto", FileServiceType::pareto}, {"normal", FileServiceType::normal},
                                     {"gauss", FileServiceType::normal}};
                                 for (auto& [n, k] : kinds)
                                   if (head == n) s.file_service_type = k;
                                 if (s.file_service_type == FileServiceType::zipf || s.file_service_type == FileServiceType::pareto ||
                                     s.file_service_type == FileServiceType::normal) {
                                   if (tail.empty()) throw ValueError(head + " needs a parameter, e.g. " + head + ":1.2");
                                   s.file_service_param = parse_double(tail);
                                 } else if (!tail.empty()) {
                                   int64_t n = parse_int(tail);
                                   if (n < 1) throw ValueError("switch count must be >= 1");
                                   s.file_service_nr = static_cast<uint32_t>(n);
                                 }
                               })
                  .param().def("roundrobin").cat(files));
  t.push_back(Opt("create_on_open", "Create files when they are first opened for I/O, not before").boolean(&JobSpec::create_on_open).def("0").cat(files));
  t.push_back(Opt("allow_file_create", "Allow creating files that do not exist").boolean(&JobSpec::allow_file_create).def("1").cat(files));
  t.push_back(Opt("unlink", "Delete the job's files when it is done").boolean(&JobSpec::unlink).def("0").cat(files));
  t.push_back(Opt("unlink_each_loop", "Delete the job's files after each loop").boolean(&JobSpec::unlink_each_loop).def("0").cat(files));
  t.push_back(Opt("invalidate", "Drop the page cache of the files before I/O starts").boolean(&JobSpec::invalidate).def("1").cat(files));
  t.push_back(Opt("pre_read", "Read the files into the page cache before the measured I/O").boolean(&JobSpec::pre_read).def("0").cat(files));
  t.push_back(Opt("overwrite", "Lay the file out with writes before a write job (fiokit: 0 only)")
                  .custom(OptType::boolean, [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                    s.overwrite = parse_bool(v);
                    if (s.overwrite)
                      throw UnsupportedValue("fiokit does not pre-write new files before a write job; lay the file out "
                                             "first with a rw=write job to write over existing data");
                  })
                  .def("0").cat(files));
  t.push_back(Opt("fallocate", "How files are preallocated: none, native, posix, keep, truncate (0/1 as fio)")
                  .enumeration({{"none", "no preallocation"}, {"native", "fallocate(2), falling back to none"},
                                {"posix", "posix_fallocate(3)"}, {"keep", "fallocate with FALLOC_FL_KEEP_SIZE"},
                                {"truncate", "extend with ftruncate"}, {"0", "same as none"}, {"1", "same as posix"}},
                               [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                                 s.fallocate = v == "none" || v == "0" ? FallocateMode::none
                                               : v == "posix" || v == "1" ? FallocateMode::posix
                                               : v == "keep"              ? FallocateMode::keep
                                               : v == "truncate"          ? FallocateMode::truncate
                                                                          : FallocateMode::native;
                               })
                  .def("native").cat(files));

  t.push_back(Opt("size", "Total bytes of I/O per job, or a percentage of the file/device").size_percent(&JobSpec::size, &JobSpec::size_percent).cat(sizes));
  t.push_back(Opt("filesize", "Size of each file; a range lo-hi picks a size per file")
                  .custom(OptType::range, [](JobSpec& s, const std::string& v, const ApplyCtx& c) { s.filesize = parse_size_range(v, c.kb_base); })
                  .cat(sizes));
  t.push_back(Opt("io_size", "Bytes of I/O to do, when different from size").alias("io_limit")
                  .size_percent(&JobSpec::io_size, &JobSpec::io_size_percent).cat(sizes));
  t.push_back(Opt("offset", "Start offset in each file, in bytes or percent").alias("fileoffset").size_percent(&JobSpec::offset, &JobSpec::offset_percent).def("0").cat(sizes));
  t.push_back(Opt("offset_align", "Alignment of a percentage offset").size(&JobSpec::offset_align).def("0").cat(sizes));
  t.push_back(Opt("offset_increment", "Extra offset per clone (job number x increment)")
                  .size_percent(&JobSpec::offset_increment, &JobSpec::offset_increment_percent).def("0").cat(sizes));
  t.push_back(Opt("number_ios", "Stop after this many I/Os").integer(&JobSpec::number_ios).def("0").cat(sizes));
  t.push_back(Opt("loops", "Repeat the job this many times").integer(&JobSpec::loops).range(1, UINT32_MAX).def("1").cat(sizes));

  t.push_back(Opt("runtime", "Stop the job after this long").alias("timeout").time(&JobSpec::runtime_us, TimeUnit::s).def("0").cat(timing));
  t.push_back(Opt("time_based", "Run for the whole runtime, repeating the workload as needed").flag(&JobSpec::time_based).cat(timing));
  t.push_back(Opt("ramp_time", "Run this long before measuring").time(&JobSpec::ramp_time_us, TimeUnit::s).def("0").cat(timing));
  t.push_back(Opt("startdelay", "Wait this long (or a random time in lo-hi) before starting")
                  .custom(OptType::range,
                          [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                            size_t sep = v.find_first_of("-:", 1);
                            if (sep == std::string::npos) {
                              uint64_t one = parse_time_us(v, TimeUnit::s);
                              s.startdelay_us = {one, one};
                            } else {
                              uint64_t a = parse_time_us(v.substr(0, sep), TimeUnit::s), b = parse_time_us(v.substr(sep + 1), TimeUnit::s);
                              s.startdelay_us = {std::min(a, b), std::max(a, b)};
                            }
                          })
                  .unit(TimeUnit::s).def("0").cat(timing));

  t.push_back(Opt("numjobs", "Run this many clones of the job").integer(&JobSpec::numjobs).range(1, 4096).def("1").cat(groups));
  t.push_back(Opt("stonewall", "Wait for all earlier jobs to finish before starting; starts a new group")
                  .alias("wait_for_previous").flag(&JobSpec::stonewall).cat(groups));
  t.push_back(Opt("new_group", "Start a new reporting group").flag(&JobSpec::new_group).cat(groups));
  t.push_back(Opt("wait_for", "Start only after the named earlier job has finished").str(&JobSpec::wait_for).cat(groups));
  t.push_back(Opt("exitall", "When one job finishes, stop all others").flag(&JobSpec::exitall).cat(groups));
  t.push_back(Opt("exitall_on_error", "When one job fails, stop all others").flag(&JobSpec::exitall_on_error).cat(groups));
  t.push_back(Opt("thread", "Run jobs as threads (fiokit always uses threads; accepted for fio compatibility)")
                  .flag(&JobSpec::thread).cat(groups));
}

}  // namespace fiokit::jobs
