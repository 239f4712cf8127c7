// ioengine=filecreate, filestat and filedelete: metadata benchmarks, as fio
// 3.33's engines/fileoperations.c defines them. The measured operation is one
// per file and pass: filecreate opens the file with O_CREAT|O_RDWR (mode 0600,
// as fio), filestat calls stat/lstat/statx (stat_type=), filedelete unlinks
// it. The job's I/Os are fake (no data moves, fio's FIO_FAKEIO): they count
// bytes and I/Os but carry no latency (FIO_NOSTATS); the operation's own time
// is the job's clat, recorded by Worker::complete_fileop. filecreate needs no
// laid-out file (diskless); filestat and filedelete work on the files the job
// lays out first, exactly as fio does, and open no descriptor. filedelete only
// ever unlinks the job's own files, and preflight refuses a job whose file
// exists without fiokit's created-file marker (a user's file) unless
// --allow-clobber, so it cannot delete data nobody asked it to.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <vector>

#include <fmt/format.h>

#include "engine/io_loop.hpp"
#include "volumes/confine.hpp"

namespace fiokit::engine {
namespace {

enum class FileOp { create, stat, remove };
enum class StatType { stat = 1, lstat = 2, statx = 3 };

struct FilestatOptions {
  StatType stat_type = StatType::stat;
  bool operator==(const FilestatOptions&) const = default;
};

// filestat's one option, spelled and valued as fio 3.33's stat_type.
const jobs::OwnedOptions<FilestatOptions>& filestat_options() {
  using jobs::Opt;
  static const jobs::OwnedOptions<FilestatOptions> table({
      jobs::owned_custom<FilestatOptions>(
          Opt("stat_type", "Specify stat system call type to measure lookup/getattr performance")
              .values({{"stat", "Use stat(2)"}, {"lstat", "Use lstat(2)"}, {"statx", "Use statx(2) if exists"}})
              .def("stat").engines({"filestat"}).cat("I/O engine specific (filestat)"),
          jobs::OptType::enumeration,
          [](FilestatOptions& o, const std::string& v, const jobs::ApplyCtx&) {
            const std::string t = jobs::trim(v);
            if (t == "stat") o.stat_type = StatType::stat;
            else if (t == "lstat") o.stat_type = StatType::lstat;
            else if (t == "statx") o.stat_type = StatType::statx;
            else throw jobs::ValueError(fmt::format("'{}' is not one of stat, lstat, statx", t));
          }),
  });
  return table;
}

template <FileOp Op>
class FileOpEngine final : public EngineBase<FileOpEngine<Op>> {
 public:
  // io_loop.hpp: completions go through Worker::complete_fileop.
  static constexpr bool kFileOp = true;

  std::string_view name() const override {
    return Op == FileOp::create ? "filecreate" : Op == FileOp::stat ? "filestat" : "filedelete";
  }
  int init(const EngineSetup& s) override {
    paths_ = s.paths;
    confine_ = s.confine;
    done_.assign(paths_.size(), false);
    if constexpr (Op == FileOp::stat) {
      try {
        stat_type_ = filestat_options().read(s.options).stat_type;
      } catch (const std::exception& e) {
        hint_ = fmt::format("filestat: {}", e.what());
        return -EINVAL;
      }
    }
    return 0;
  }
  void start_pass() override { done_.assign(done_.size(), false); }
  QueueResult queue(IoUnit& u) override {
    u.result = u.len;
    if (u.file >= done_.size() || done_[u.file]) return QueueResult::completed;
    done_[u.file] = true;
    const int rc = operate(paths_[u.file]);
    if (rc < 0) u.result = rc;
    return QueueResult::completed;
  }
  int commit() override { return 0; }
  int reap(unsigned, unsigned) override { return 0; }
  IoUnit* event(unsigned) override { return nullptr; }
  uint64_t take_op_ns() {
    const uint64_t t = op_ns_;
    op_ns_ = 0;
    return t;
  }
  std::string error_hint() const override { return hint_; }
  const char* io_error_hint(int) const override {
    if (!refused_.empty()) return refused_.c_str();  // a remote job's file, refused by open_confined / unlink_confined
    return Op == FileOp::create ? " (filecreate: open with O_CREAT failed)"
           : Op == FileOp::stat ? " (filestat: stat failed)"
                                : " (filedelete: unlink failed)";
  }

 private:
  // The timed part is the system call alone, as fio times it (statx: fio
  // resolves the path with realpath() inside its timed region, and so does
  // this). 0 or -errno.
  int operate(const std::string& path) {
    refused_.clear();  // io_error_hint speaks of this operation's file only
    if constexpr (Op == FileOp::create) {
      const bool existed = ::access(path.c_str(), F_OK) == 0;
      const uint64_t t0 = now_ns();
      // A remote job's run opens through open_confined (its checks are
      // then part of the timed call; only such runs pay for them).
      std::string why;
      const int fd = confine_ ? volumes::open_confined(*confine_, path, O_CREAT | O_RDWR | O_CLOEXEC, 0600, &why)
                              : ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
      op_ns_ = now_ns() - t0;
      if (fd < 0) {
        if (!why.empty()) refused_ = fmt::format(" (filecreate: {})", why);
        return confine_ ? fd : -errno;
      }
      // The marker lets unlink=1 remove what this job created, and only that.
      if (!existed) (void)volumes::mark_created(fd);
      ::close(fd);
      return 0;
    } else if constexpr (Op == FileOp::stat) {
      struct stat st {};
      int rc;
      const uint64_t t0 = now_ns();
      if (stat_type_ == StatType::stat) {
        rc = ::stat(path.c_str(), &st);
      } else if (stat_type_ == StatType::lstat) {
        rc = ::lstat(path.c_str(), &st);
      } else {
        struct statx sx {};
        char* abs = ::realpath(path.c_str(), nullptr);
        rc = abs ? ::statx(AT_FDCWD, abs, 0, STATX_ALL, &sx) : -1;
        std::free(abs);
      }
      op_ns_ = now_ns() - t0;
      return rc == 0 ? 0 : -errno;
    } else {
      // A remote job's file is removed inside its pinned, re-judged folder
      // (unlink_confined), as filecreate opens it; only such runs pay for it.
      std::string why;
      const uint64_t t0 = now_ns();
      const int rc = confine_ ? volumes::unlink_confined(*confine_, path, false, &why) : ::unlink(path.c_str()) == 0 ? 0 : -errno;
      op_ns_ = now_ns() - t0;
      if (!why.empty()) refused_ = fmt::format(" (filedelete: {})", why);
      return rc;
    }
  }

  std::vector<std::string> paths_;
  const volumes::Confinement* confine_ = nullptr;  // EngineSetup::confine
  std::vector<bool> done_;  // the operation was done on this file in this pass
  uint64_t op_ns_ = 0;
  std::string refused_;  // why the confinement refused the last file, as io_error_hint's text
  StatType stat_type_ = StatType::stat;
  std::string hint_;
};

}  // namespace

std::unique_ptr<IoEngine> make_filecreate_engine() { return std::make_unique<FileOpEngine<FileOp::create>>(); }
std::unique_ptr<IoEngine> make_filestat_engine() { return std::make_unique<FileOpEngine<FileOp::stat>>(); }
std::unique_ptr<IoEngine> make_filedelete_engine() { return std::make_unique<FileOpEngine<FileOp::remove>>(); }
std::vector<jobs::OptionDef> filestat_option_defs() { return filestat_options().defs(); }

}  // namespace fiokit::engine
