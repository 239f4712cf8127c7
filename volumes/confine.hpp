// Where a job from a job file someone else wrote (REMOTEFILES) may do I/O: the
// data dir, the folders the user lists in FIOKIT_REMOTE_ROOTS, and mounts
// `fiokit volumes` lists as benchmark targets (worth_benchmarking; never the
// root filesystem or a system partition: /boot, /var, /home...). A path is
// judged where the kernel will take it, not as written: relative to the run's
// working directory, every symlink on the existing prefix followed (also a
// dangling last one, which O_CREAT would follow to create its target), '..'
// applied after that, so "../../../dev/loop0", "/proc/self/root/dev/loop0"
// and a symlink in the data dir pointing out all land where they really point. Paths through /proc are
// refused outright: /proc/PID/root and /proc/PID/fd/N are links the kernel
// resolves in another process's view, which a path check here cannot see.
// Block and character devices need FIOKIT_ALLOW_DEVICE=1 on top (/dev/null
// and /dev/zero hold nobody's data and stay allowed).
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "jobs/error.hpp"
#include "jobs/jobspec.hpp"
#include "volumes/layout.hpp"
#include "volumes/mounts.hpp"

namespace fiokit::volumes {

// The resolution of a path the way open(2) would walk it (see the top).
struct ResolvedPath {
  std::string path;        // absolute, no '.', '..' or symlink on its existing prefix
  bool via_proc = false;   // the walk went through /proc (refused: see the top)
  bool loops = false;      // more than 40 symlinks (ELOOP for the kernel too)
};
ResolvedPath resolve_path(const std::string& path, const std::string& base_dir);

struct Confinement {
  std::string base_dir;               // where relative names start: the run's working dir
  std::vector<std::string> roots;     // resolved: the data dir first, then FIOKIT_REMOTE_ROOTS
  // Inside the roots but still refused: the data dir's runs/, where earlier
  // runs' results live (serve shows them; a job writing there could rewrite them).
  std::vector<std::string> excluded;
  std::vector<MountEntry> mounts;     // the mount table, for the benchmark-target rule
  bool allow_device = false;          // FIOKIT_ALLOW_DEVICE=1
  // The data dir (also the base dir), extra roots and this process's mounts.
  static Confinement for_remote(const std::string& data_dir, const std::vector<std::string>& extra_roots, bool allow_device);
};

// nullopt when the job may use `path`; otherwise why not, naming where the
// path resolved to and the environment variable that would allow it.
std::optional<std::string> refuse_path(const Confinement& c, const std::string& path);

// Opens `path` (as open(2) would: relative to the working directory) for a
// remote job's run, checking again at the moment of opening what refuse_path
// checked before the run, so nobody who can write into an allowed place can
// swap a folder for a symlink in between: the parent folder is opened
// (O_PATH), its real place read back from /proc/self/fd and judged by the same
// rules (roots, runs/ excluded, benchmark volumes), and the file opened inside
// that very folder (openat, O_NOFOLLOW: a last symlink is refused too); the
// device rule is applied before and after. Returns the descriptor, or -errno;
// when the place is refused (-EACCES, -ELOOP, -EISDIR) *why says why, "" for
// an ordinary failure (strerror then says it).
int open_confined(const Confinement& c, const std::string& path, int flags, mode_t mode, std::string* why);

// Removes `path` for a remote job's run (filedelete, unlink=) the way
// open_confined opens it: inside its pinned folder, judged where it really
// is, a last symlink never followed (unlinkat removes the link itself, not
// what it points at). With only_created, only a regular file that carries
// fiokit's created marker. 0, or -errno with *why set when the place is
// refused (-EACCES) or the file is not one fiokit created (-EPERM).
int unlink_confined(const Confinement& c, const std::string& path, bool only_created, std::string* why);

struct ConfineViolation {
  std::string job;       // job name
  jobs::SourceLoc loc;   // the job's section
  std::string what;      // "file 'x'", "directory 'd'", "bw log 'p'"
  std::string why;
  // "job 'w' (job.fio:3): file '../x' resolves to '/tmp/x', outside ..."
  std::string str() const;
};

// Checks every job `applies` selects, touching nothing but stat/lstat: each
// directory= entry, each file the run will open (file_paths: the plan's own
// naming, with numjobs clones, $jobname and directory= joined) and each log
// prefix, which must stay inside the run directory (relative, no '..': the
// job name stands in for a valueless write_*_log).
// How many files and directories the jobs of remote job files may name in all
// (numjobs clones included). Past it check_confined reports one violation,
// worked out arithmetically, and enumerates nothing.
constexpr uint64_t kMaxRemoteFiles = 100000;

std::vector<ConfineViolation> check_confined(const std::vector<jobs::JobSpec>& jobs, const Confinement& c,
                                             const std::function<bool(const jobs::JobSpec&)>& applies);

}  // namespace fiokit::volumes
