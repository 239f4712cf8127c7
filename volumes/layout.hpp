// File layout of one job: which paths it uses (filename, directory, nrfiles,
// filename_format), which byte region of each it does I/O on (size, filesize,
// offset, offset_increment), and making those files exist with the length and
// content the job needs. The one rule that shapes this file: fiokit never
// truncates, extends, overwrites or deletes a file it did not create. Files it
// creates carry a marker (the user.fiokit xattr), so a later run may extend or
// delete them; a user's file that is too small for a read job is an error.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "jobs/jobspec.hpp"

namespace fiokit::volumes {

// A layout problem a user can fix (file too small, cannot create, no size): the
// message names the job, the path and what to do. The run reports it as a
// failed job (exit code 1).
struct LayoutError : std::runtime_error {
  int err;  // errno, or EINVAL for a configuration problem
  LayoutError(const std::string& m, int e) : std::runtime_error(m), err(e) {}
};

struct FileTarget {
  std::string path;
  uint64_t offset = 0;     // first byte of the I/O region
  uint64_t size = 0;       // bytes in the I/O region
  bool is_device = false;  // block or character device: never laid out
  bool exists = false;     // at planning time
};

// Paths and regions for one job (one clone: clone_index picks $jobnum and the
// offset_increment share). `diskless` engines (null) get regions without
// touching the filesystem. Throws LayoutError.
std::vector<FileTarget> plan_files(const jobs::JobSpec& job, bool diskless);
// The files a job's I/O will touch, for reports made before the run (layout
// lines, disk stats): none for a diskless engine (null), and none when the plan
// fails, since the job's own layout reports that failure as its error.
std::vector<FileTarget> planned_files_or_none(const jobs::JobSpec& job);

// Expands filename_format for file `filenum` of the job.
std::string expand_filename_format(const jobs::JobSpec& job, uint32_t filenum);

// Fills `buf` (len bytes) with the content a laid-out file holds at byte `offset`.
using LayoutFill = std::function<void(uint8_t* buf, size_t len, uint64_t offset)>;

struct LayoutOptions {
  bool need_data = false;  // reads will happen: the bytes must be written, not holes
  jobs::FallocateMode fallocate = jobs::FallocateMode::native;
  bool allow_create = true;
  bool direct = false;     // write the layout with O_DIRECT when the job is direct
  LayoutFill fill;         // empty: zeros
  // Checked between 1 MiB writes: a stop request ends a long layout with
  // LayoutError(EINTR); the bytes written so far stay (the file is ours).
  const std::atomic<bool>* stop = nullptr;
};

// Makes `t.path` cover [0, t.offset + t.size). Creates it (with the marker) when
// missing; extends a file fiokit created; leaves a user's file alone when it is
// long enough and throws LayoutError when it is not. Returns true when it wrote.
bool lay_out_file(const FileTarget& t, const LayoutOptions& o);

// The created-by-fiokit marker.
bool created_by_fiokit(const std::string& path);
int mark_created(int fd);  // 0 or -errno
// Deletes `path` only when fiokit created it; returns false (and leaves the file)
// otherwise. unlink= and unlink_each_loop= go through here.
bool remove_created_file(const std::string& path);

}  // namespace fiokit::volumes
