// Option table, issue 15's "misc" part: error handling (continue_on_error,
// ignore_error, error_dump). Names, values and defaults follow fio 3.33 as
// `fio --cmdhelp` shows them; the meaning is fio's td_error.c as its HOWTO
// and its behaviour describe it (an error is "non-fatal" when its type's bit
// is in continue_on_error and the error is in that type's list, EIO and
// EILSEQ by default). The engine applies them (engine/worker.cpp).
#include <fmt/format.h>

#include <cerrno>

#include "jobs/options.hpp"

namespace fiokit::jobs {
namespace {

// The names fio 3.33 accepts in ignore_error (its str2error: errno 1 to 34,
// the classic Unix errors); anything else must be given as a number.
struct ErrName {
  const char* name;
  int value;
};
constexpr ErrName kErrNames[] = {
    {"EPERM", EPERM},   {"ENOENT", ENOENT}, {"ESRCH", ESRCH},   {"EINTR", EINTR},     {"EIO", EIO},
    {"ENXIO", ENXIO},   {"E2BIG", E2BIG},   {"ENOEXEC", ENOEXEC}, {"EBADF", EBADF},   {"ECHILD", ECHILD},
    {"EAGAIN", EAGAIN}, {"ENOMEM", ENOMEM}, {"EACCES", EACCES}, {"EFAULT", EFAULT},   {"ENOTBLK", ENOTBLK},
    {"EBUSY", EBUSY},   {"EEXIST", EEXIST}, {"EXDEV", EXDEV},   {"ENODEV", ENODEV},   {"ENOTDIR", ENOTDIR},
    {"EISDIR", EISDIR}, {"EINVAL", EINVAL}, {"ENFILE", ENFILE}, {"EMFILE", EMFILE},   {"ENOTTY", ENOTTY},
    {"ETXTBSY", ETXTBSY}, {"EFBIG", EFBIG}, {"ENOSPC", ENOSPC}, {"ESPIPE", ESPIPE},   {"EROFS", EROFS},
    {"EMLINK", EMLINK}, {"EPIPE", EPIPE},   {"EDOM", EDOM},     {"ERANGE", ERANGE}};

int parse_errno(const std::string& t) {
  if (!t.empty() && t[0] == 'E') {
    for (const auto& e : kErrNames)
      if (t == e.name) return e.value;
    throw ValueError(fmt::format("unknown error name '{}' (fio knows EPERM ... ERANGE, errno 1 to 34; give others as numbers)", t));
  }
  // fio takes "-28" as 28 (errno values are positive either way).
  int64_t v = parse_int(t, true);
  if (v < 0) v = -v;
  if (v == 0 || v > 4095) throw ValueError(fmt::format("'{}' is not an error number (1 to 4095)", t));
  return static_cast<int>(v);
}

// "READ_LIST,WRITE_LIST,VERIFY_LIST", each list ':'-separated. A type with a
// list also gets its continue_on_error bit, as in fio. An empty list leaves
// the type as it was; as in fio, an empty entry ends its list.
void set_ignore_error(JobSpec& s, const std::string& v, const ApplyCtx&) {
  const auto types = split(trim(v), ',');
  if (types.size() > 3) throw ValueError(fmt::format("'{}' has {} lists; at most 3 (read,write,verify)", v, types.size()));
  for (size_t t = 0; t < types.size(); ++t) {
    std::vector<int> list;
    for (const auto& item : split(types[t], ':')) {
      const std::string e = trim(item);
      if (e.empty()) break;
      list.push_back(parse_errno(e));
    }
    if (list.empty()) continue;
    s.ignore_error[t] = std::move(list);
    s.continue_on_error |= 1u << t;
  }
}

}  // namespace

void add_misc_options(std::vector<OptionDef>& t) {
  const std::string err = "Error handling";
  t.push_back(Opt("continue_on_error", "Keep going after non-fatal errors of these types (EIO and EILSEQ, or ignore_error's lists)")
                  .enumeration({{"none", "stop at the first error"}, {"0", "same as none"}, {"read", "continue after read errors"},
                                {"write", "continue after write errors"}, {"io", "continue after read and write errors"},
                                {"verify", "continue after verify errors"}, {"all", "continue after any of these"},
                                {"1", "same as all"}},
                               [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                                 s.continue_on_error = v == "read" ? 1u : v == "write" ? 2u : v == "io" ? 3u
                                                       : v == "verify" ? 4u : v == "all" || v == "1" ? 7u : 0u;
                               })
                  .def("none").cat(err));
  t.push_back(Opt("ignore_error", "Errors to continue after, per type: READ,WRITE,VERIFY lists of names or numbers, ':'-separated "
                                  "(e.g. ,ENOSPC:122)")
                  .custom(OptType::str, set_ignore_error).cat(err));
  t.push_back(Opt("exit_what", "What exitall stops when this job ends: its group, every running job (later stonewall groups "
                                "still run), or all jobs")
                  .enumeration({{"group", "the job's reporting group"}, {"stonewall", "every running job"}, {"all", "every job"}},
                               [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                                 s.exit_what = v == "all" ? ExitWhat::all : v == "stonewall" ? ExitWhat::stonewall : ExitWhat::group;
                               })
                  .def("group").cat("CPU and process"));
  t.push_back(Opt("error_dump", "Print every error, also those continue_on_error lets pass").boolean(&JobSpec::error_dump).def("0").cat(err));
}

}  // namespace fiokit::jobs
