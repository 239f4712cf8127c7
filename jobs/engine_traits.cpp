// See engine_traits.hpp: the table itself, one row per engine fiokit runs.
#include "jobs/engine_traits.hpp"

#include <utility>

namespace fiokit::jobs {

const EngineTraits& engine_traits(std::string_view name) {
  static const EngineTraits kDefault{};
  // Designated initializers: a row says only where it differs from a plain
  // file engine (psync's traits but for sync).
  static const std::pair<std::string_view, EngineTraits> kTable[] = {
      {"null", {.diskless = true, .needs_fds = false, .fakes_io = true}},
      {"sync", {.sync = true}},
      {"psync", {.sync = true}},
      {"pvsync", {.sync = true}},
      // fio 3.33 refuses io_submit_mode=offload with io_uring.
      {"io_uring", {.offload = false}},
      {"libaio", {}},
      {"posixaio", {}},
      // No descriptor is opened for I/O; filecreate has no file laid out
      // either (it creates them).
      {"filecreate", {.sync = true, .diskless = true, .needs_fds = false, .no_io_stats = true, .offload = false, .file_ops = true}},
      {"filestat", {.sync = true, .needs_fds = false, .no_io_stats = true, .offload = false, .file_ops = true}},
      {"filedelete", {.sync = true, .needs_fds = false, .no_io_stats = true, .offload = false, .file_ops = true}},
      // ftruncate/fallocate per I/O, timed as sync I/O.
      {"ftruncate", {.sync = true}},
      {"falloc", {.sync = true}},
      // Burn CPU or run a program; move no bytes (fio's FIO_NOIO), no files.
      {"cpuio", {.sync = true, .diskless = true, .needs_fds = false, .no_bytes = true, .offload = false}},
      {"exec", {.sync = true, .diskless = true, .needs_fds = false, .no_bytes = true, .offload = false}},
  };
  for (const auto& [n, t] : kTable)
    if (n == name) return t;
  return kDefault;
}

}  // namespace fiokit::jobs
