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
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "jobs/jobspec.hpp"
#include "volumes/iolog.hpp"

namespace fiokit::volumes {

struct Confinement;  // volumes/confine.hpp

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
  bool exists = false;     // at planning time, or laid out by an earlier job of the run
};

// The paths of one job's files, as plan_files names them, without touching
// the filesystem (plan_files opens a block device to learn its size): for
// checks that must judge a path before anything opens it (volumes/confine).
std::vector<std::string> file_paths(const jobs::JobSpec& job);

// Paths and regions for one job (one clone: clone_index picks $jobnum and the
// offset_increment share). `diskless` engines (null) get regions without
// touching the filesystem. Throws LayoutError.
std::vector<FileTarget> plan_files(const jobs::JobSpec& job, bool diskless);

// One job's files, planned once before the run and handed to everything that
// needs them (preflight, the volume and disk reports, the engine), so they all
// see the same paths and regions: a file that appears or grows between the
// preflight and the run cannot make the checked plan and the run's differ.
// fio 3.33 also sizes every job's files before the first job starts
// (create_serialize=1, its default): each job as the earlier jobs' layouts
// leave its files, which plan_run models without touching the disk.
struct FilePlan {
  bool diskless = false;  // the engine opens no file (null): regions only
  std::vector<FileTarget> targets;
  // read_iolog: the log, read and checked once here; its files are the
  // targets (offset 0, size = the log's furthest I/O), in the log's order.
  std::shared_ptr<const IoLog> replay;
  int err = 0;            // the plan failed: its LayoutError's errno (EIO for another failure)
  std::string error;      // and its message ("job 'NAME': ...")
};
// One FilePlan per job, indexed like the jobs it was made from.
using RunPlan = std::vector<FilePlan>;

// Which engines touch no file: the engine traits table's answer
// (jobs/engine_traits.hpp) unless a caller (a test) passes its own.
using DisklessFn = std::function<bool(const jobs::JobSpec&)>;
bool diskless_engine(const jobs::JobSpec& job);

// Plans every job's files; never throws for a job whose plan fails (that is
// recorded in its FilePlan, reported by preflight and by the job's run).
RunPlan plan_run(const std::vector<jobs::JobSpec>& jobs, const DisklessFn& diskless = diskless_engine);

// The files a job's I/O will touch, for reports made before the run (layout
// lines, disk stats, volumes): none for a diskless engine (null), and none when
// the plan failed, since the job's own run reports that failure as its error.
const std::vector<FileTarget>& planned_files_or_none(const FilePlan& plan);

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
  // fill_device (fio 3.33's extend_file): no fallocate and no ftruncate, the
  // file is only created; when bytes are needed they are written until the
  // file system says ENOSPC or EDQUOT, which ends the layout without error.
  bool fill_device = false;
  // A remote job's run (cli/container): files are opened with open_confined
  // (volumes/confine.hpp), which judges their place again at the open. Null
  // for every other run, which opens by path as before.
  const Confinement* confine = nullptr;
};

// Makes `t.path` cover [0, t.offset + t.size). Creates it (with the marker) when
// missing; extends a file fiokit created; leaves a user's file alone when it is
// long enough and throws LayoutError when it is not. Returns true when it wrote.
bool lay_out_file(const FileTarget& t, const LayoutOptions& o);

// The created-by-fiokit marker.
bool created_by_fiokit(const std::string& path);
bool created_by_fiokit(int fd);
int mark_created(int fd);  // 0 or -errno
// Deletes `path` only when fiokit created it; returns false (and leaves the file)
// otherwise. unlink= and unlink_each_loop= go through here. With a remote
// job's confinement, the file is judged and removed inside its folder as
// open_confined opens it (unlink_confined): a folder swapped for a symlink
// since the check leaves whatever it now points at alone.
bool remove_created_file(const std::string& path, const Confinement* c = nullptr);

}  // namespace fiokit::volumes
