// IoLogWriter: write_iolog, the record of every I/O a job issues in fio's
// iolog format, so fio (read_iolog) or fiokit can replay it. fio 3.33 writes
// version 3 (measured; its HOWTO still describes version 2): a first line
// "fio version 3 iolog", then one line per event, each led by the
// microseconds since the log was opened:
//   T NAME add          every file of the job, when the log opens
//   T NAME open|close   at each pass over the files (a loop, a verify phase)
//   T NAME read|write|trim OFFSET LENGTH   when the I/O is issued, in issue order
//   T NAME sync|datasync OFFSET 0          fsync=N, fdatasync=N, end_fsync
// A sync line's offset means nothing (fio prints its reused io_u's last
// offset, that of the job's previous I/O); fiokit writes the same.
// The file is opened for appending, as fio does ("a"): numjobs clones naming
// one log add one section each, each starting with its own header. Unlike
// fio's 8 KiB stdio buffer, which can split a line between two clones'
// writes, fiokit only ever writes whole lines in one append.
#pragma once
#include <cstdint>
#include <string>

#include "jobs/jobspec.hpp"
#include "util/fd.hpp"

namespace fiokit::engine {

class IoLogWriter {
 public:
  // The log's path: relative names go into run_dir, as the other logs do.
  static std::string path_for(const jobs::JobSpec& spec, const std::string& run_dir);
  // Opens (creating, appending) and writes the header; `start_ns` is time 0
  // of the log. Throws std::system_error naming the path.
  void open(const std::string& path, uint64_t start_ns);
  bool is_open() const { return fd_.get() >= 0; }
  // One line; `now_ns` on the clock of start_ns.
  void file(const std::string& name, const char* action, uint64_t now_ns);
  void io(const std::string& name, const char* action, uint64_t offset, uint64_t len, uint64_t now_ns);
  // Writes what is buffered; throws std::system_error when the disk refuses.
  void flush();
  void close();  // flush, then close (throws as flush)
  ~IoLogWriter();

 private:
  void stamp(uint64_t now_ns);
  util::Fd fd_;
  std::string path_;
  std::string buf_;
  uint64_t start_ns_ = 0;
};

}  // namespace fiokit::engine
