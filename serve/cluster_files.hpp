// The files members send to the coordinator, kept under their run's
// hosts/<index>/ (docs/cluster-protocol.md). A body is streamed to
// PATH.part and renamed to PATH only when whole, so a reader (or a restarted
// coordinator) never takes a half-sent file for a sent one. Paths are checked
// by cluster::check_member_path first; on top of that every directory is
// made and opened one component at a time without following a symlink, and
// the open .part file must resolve inside hosts/<index>/ (Root::holds_fd,
// serve/confine.hpp) before a byte is written.
#pragma once
#include <cstdint>
#include <string>

#include "util/fd.hpp"

namespace fiokit::serve::cluster {

class IncomingFile {
 public:
  // Opens host_dir/rel.part for writing (replacing an earlier, unfinished
  // one), making the directories of rel below host_dir. Throws
  // std::system_error naming rel.
  IncomingFile(const std::string& host_dir, const std::string& rel);
  // Removes the .part file unless commit() ran.
  ~IncomingFile();
  IncomingFile(const IncomingFile&) = delete;
  IncomingFile& operator=(const IncomingFile&) = delete;
  // Throws std::system_error naming rel (ENOSPC, EIO, ...).
  void write(const char* data, size_t n);
  uint64_t size() const { return size_; }
  // Closes the .part file and renames it to rel (replacing an earlier copy
  // the same member sent). Throws std::system_error naming rel.
  void commit();
  // Writes what is buffered: part_path() then holds every byte received.
  // Throws std::system_error naming rel.
  void flush();
  // The .part file's path, for readers that parse it before commit().
  const std::string& part_path() const { return part_path_; }

 private:
  std::string rel_, name_, part_name_, part_path_;
  util::Fd dir_, fd_;
  std::string buf_;  // cpp-httplib hands a body over 4 KiB at a time: written 1 MiB at a time
  uint64_t size_ = 0;
  bool committed_ = false;
};

// The size of host_dir/rel when it is a regular file inside host_dir, else -errno.
int64_t member_file_size(const std::string& host_dir, const std::string& rel);

// Reads a status snapshot (fiokit's json+ document) without building it in
// memory: false with *error set when it is not one JSON object; else true
// with *started_unix_ns = its "fiokit"."cluster"."started_unix_ns" (0 when
// absent).
bool scan_status(const std::string& path, int64_t* started_unix_ns, std::string* error);

// Makes host_dir (and its parents below data_dir/runs) when missing.
// Throws std::system_error naming it.
void make_host_dir(const std::string& host_dir);

}  // namespace fiokit::serve::cluster
