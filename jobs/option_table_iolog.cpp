// Option table, I/O-log part (issue 15): write_iolog records every issued I/O
// in fio's iolog format, read_iolog replays such a log, and the replay_*
// options reshape the replay (timing, offsets, the target, skipped kinds).
// Names, defaults and ranges follow fio 3.33 (`fio --cmdhelp`); the help texts
// are fiokit's own. Only the values are checked here; the log itself is read
// when the job's files are planned (volumes/iolog.hpp), where a bad line is an
// error naming the log's file and line.
#include <fmt/format.h>

#include "jobs/options.hpp"

namespace fiokit::jobs {
namespace {

// replay_skip=read,write,trim,sync (fio's str_replay_skip_cb: a comma list of
// exactly these words; anything else is an error).
uint8_t parse_replay_skip(const std::string& v) {
  uint8_t bits = 0;
  for (const auto& raw : split(v, ',')) {
    const std::string w = trim(raw);
    if (w == "read") bits |= 1u << static_cast<int>(Dir::read);
    else if (w == "write") bits |= 1u << static_cast<int>(Dir::write);
    else if (w == "trim") bits |= 1u << static_cast<int>(Dir::trim);
    else if (w == "sync") bits |= 8u;
    else throw ValueError(fmt::format("'{}' is not an I/O kind replay_skip knows (read, write, trim, sync)", w));
  }
  return bits;
}

// A log path: not empty, no control characters (it is printed in messages).
Setter log_path(std::string JobSpec::*m, const char* opt) {
  return [m, opt](JobSpec& s, const std::string& v, const ApplyCtx&) {
    const std::string p = trim(v);
    if (p.empty()) throw ValueError(fmt::format("{} needs a file name", opt));
    s.*m = p;
  };
}

}  // namespace

void add_iolog_options(std::vector<OptionDef>& t) {
  const std::string cat = "I/O replay";
  t.push_back(Opt("write_iolog", "Record every issued I/O in this file (fio's iolog format, version 3)")
                  .custom(OptType::str, log_path(&JobSpec::write_iolog, "write_iolog"))
                  .note("relative paths go into the run directory, like the other logs; jobs naming the same file append to it")
                  .cat(cat));
  t.push_back(Opt("read_iolog", "Replay the I/O of this iolog (fio versions 2 and 3) instead of generating it")
                  .custom(OptType::str, [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                    const std::string p = trim(v);
                    if (p.empty()) throw ValueError("read_iolog needs a file name");
                    for (const auto& name : split_file_list(p))
                      if (name == "-")
                        throw UnsupportedValue("a log on stdin: give the log as a file (stdin may carry the job file)");
                      else if (name.empty())
                        throw ValueError("read_iolog has an empty name in its ':' list");
                    s.read_iolog = p;
                  })
                  .note("a ':' list gives clone N of numjobs the N-th log; binary blktrace input is refused")
                  .cat(cat));
  t.push_back(Opt("read_iolog_chunked", "Read the replay log in parts as the replay goes")
                  .custom(OptType::boolean, [](JobSpec&, const std::string& v, const ApplyCtx&) { (void)parse_bool(v); })
                  .def("0")
                  .no_effect("fiokit reads the log once, compactly, before the job starts (24 bytes per entry)")
                  .quiet_for({"0"})
                  .cat(cat));
  t.push_back(Opt("replay_no_stall", "Replay as fast as possible, ignoring the log's timestamps and waits")
                  .boolean(&JobSpec::replay_no_stall).def("0").cat(cat));
  t.push_back(Opt("replay_time_scale", "Scale the log's time between I/Os: percent of the recorded speed (200: twice as fast)")
                  .integer(&JobSpec::replay_time_scale).min(1).def("100").cat(cat));
  t.push_back(Opt("replay_redirect", "Replay every logged file's I/O on this one file or device")
                  .custom(OptType::str, log_path(&JobSpec::replay_redirect, "replay_redirect")).cat(cat));
  t.push_back(Opt("replay_align", "Round replayed offsets down to a multiple of this (a power of 2)")
                  .custom(OptType::size, [](JobSpec& s, const std::string& v, const ApplyCtx& c) {
                    const uint64_t a = parse_size(v, c.kb_base);
                    if (a & (a - 1)) throw ValueError(fmt::format("replay_align={} is not a power of 2", trim(v)));
                    s.replay_align = a;
                  })
                  .cat(cat));
  t.push_back(Opt("replay_scale", "Divide replayed offsets by this").integer(&JobSpec::replay_scale).def("1").cat(cat));
  t.push_back(Opt("replay_skip", "Do not replay these I/O kinds: a comma list of read, write, trim, sync")
                  .custom(OptType::str, [](JobSpec& s, const std::string& v, const ApplyCtx&) { s.replay_skip = parse_replay_skip(v); })
                  .cat(cat));
}

}  // namespace fiokit::jobs
