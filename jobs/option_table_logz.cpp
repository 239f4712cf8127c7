// Option table, part "logz" (issue 15): fio's compressed logs. log_compression
// (the chunk size fio compresses its in-memory logs in), log_store_compressed
// (keep them compressed on disk as "<name>.log.fz", read back with
// --inflate-log) and log_compression_cpus (the CPUs of the thread doing it).
// Names, ranges and "no default" follow `fio --cmdhelp`; the stored format and
// the writer are results/log_compress.* and results/log_sink.cpp.
#include <fmt/format.h>

#include "jobs/options.hpp"

namespace fiokit::jobs {

void add_logz_options(std::vector<OptionDef>& t) {
  const std::string logs = "Log files";
  // fio 3.33 takes 1 KiB to 512 MiB (log_compression=0 is out of its range).
  // fio keeps every log in memory until the job ends and compresses it in
  // chunks to bound that memory; fiokit writes logs as the job runs, so its
  // memory is bounded either way and a text log comes out the same. The size
  // matters for log_store_compressed: each chunk of that many bytes of fio's
  // binary samples becomes one zlib stream of the .fz file.
  t.push_back(Opt("log_compression", "Compress stored logs in chunks of this size (bytes of fio's binary samples)")
                  .custom(OptType::size,
                          [](JobSpec& s, const std::string& v, const ApplyCtx& c) { s.log.compression = parse_size(v, c.kb_base); })
                  .range(1024, int64_t{512} << 20).cat(logs));
  t.push_back(Opt("log_store_compressed", "Store logs compressed in fio's format (NAME.log.fz; read with --inflate-log)")
                  .custom(OptType::boolean, [](JobSpec& s, const std::string& v, const ApplyCtx&) { s.log.store_compressed = parse_bool(v); })
                  .cat(logs));
  // fio pins its log compression thread; fiokit pins its log writer thread,
  // which compresses the stored logs and writes the others.
  t.push_back(Opt("log_compression_cpus", "CPUs of the thread that compresses and writes the logs: a list like 0,5,8-15")
                  .custom(OptType::str, [](JobSpec& s, const std::string& v, const ApplyCtx&) { s.log.compression_cpus = parse_cpu_list(v); })
                  .cat(logs));
}

}  // namespace fiokit::jobs
