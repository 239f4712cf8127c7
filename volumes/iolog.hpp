// Reading fio's I/O logs (read_iolog): the text of a version 2 or 3 iolog into
// the entries a replay issues, with the replay_* options applied, every line
// checked before any I/O. Here and not in engine/ because a log names the
// files a job uses, which volumes plans (and preflight checks, and the remote
// confinement judges) before the run; the engine replays the entries
// (engine/worker_replay.cpp).
//
// The format, as fio 3.33 reads it (iolog.c; written by write_iolog, see
// engine/iolog_writer.hpp): a first line starting "fio version 2 iolog" or
// "fio version 3 iolog", then per line
//   [TIME] NAME add|open|close
//   [TIME] NAME read|write|trim|sync|datasync OFFSET LENGTH
//   NAME wait MS 0                       (version 2 only)
// TIME (version 3) is in microseconds: fio's writer stamps lines with
// utime_since_now and its reader sleeps that many microseconds (usec_sleep),
// although its HOWTO says milliseconds. The gap to the previous line's TIME
// (0 for the first line, or when time goes backwards) is the delay before the
// entry, times 100/replay_time_scale; fio waits that long after issuing the
// previous entry. "wait MS" waits until MS milliseconds after the job started.
// replay_scale divides offsets, then replay_align rounds them down;
// replay_redirect sends every file's entries to one path. fio skips a bad line
// with a message (and crashes on an unknown file name); fiokit stops at the
// first one with the log's path and line. A header line repeated further down
// starts a new section (numjobs clones appending to one write_iolog).
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "jobs/jobspec.hpp"

namespace fiokit::volumes {

// A bad log: the message starts "PATH:LINE: ".
struct IoLogError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct IoLogEntry {
  enum Kind : uint8_t { read = 0, write = 1, trim = 2, sync = 3, datasync = 4, wait = 5, open = 6, close = 7 };
  uint64_t offset = 0;    // after replay_scale and replay_align
  uint64_t delay_us = 0;  // before this entry (scaled); wait: ms after the job's start
  uint32_t len = 0;
  uint32_t file = 0;      // index into IoLog::files
  uint32_t line = 0;      // in the log, for messages
  Kind kind = read;
};

struct IoLog {
  std::string path;                 // the log, as named by read_iolog
  int version = 0;                  // 2 or 3
  std::vector<std::string> files;   // the paths the job opens (directory= and replay_redirect applied)
  std::vector<IoLogEntry> entries;  // in log order; skipped kinds left out
  std::vector<uint64_t> extent;     // per file: the end of its furthest read/write/trim
  uint64_t ios[3] = {};             // read, write, trim entries
  uint64_t max_len = 0;             // the longest I/O
  bool does(jobs::Dir d) const { return ios[static_cast<int>(d)] > 0; }
};

// What a job's options do to its log.
struct ReplayOptions {
  std::string directory;            // directory=: prefixed to every name (fio's add_file)
  std::string redirect;             // replay_redirect
  uint64_t scale = 1, align = 0;
  uint32_t time_scale = 100;
  uint8_t skip = 0;                 // bits 1 << Dir, 8 = sync and datasync
  bool no_stall = false;
  static ReplayOptions of(const jobs::JobSpec& job);
};

// Parses `text` (the log's contents; `path` only names it in messages).
// Throws IoLogError.
IoLog parse_iolog(std::string_view text, const std::string& path, const ReplayOptions& o);
// The log of one clone (a read_iolog ':' list gives clone N the N-th name,
// wrapping), read from disk and parsed. Throws IoLogError (also when it cannot
// be read, or is a binary blktrace, which fiokit does not replay).
IoLog read_iolog(const jobs::JobSpec& job);
// The file name a clone replays.
std::string iolog_name(const jobs::JobSpec& job);

}  // namespace fiokit::volumes
