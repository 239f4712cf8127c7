// fiokit: dispatches to one subcommand. No exception leaves main: whatever a
// subcommand throws is reported on stderr and turned into a non-zero exit code
// (2 for a cli::UsageError or a jobs::ParseError: nothing ran).
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "cli/flags.hpp"
#include "jobs/error.hpp"

namespace {
const char* kUsage =
    "usage: fiokit <command> [options]\n"
    "\n"
    "commands:\n"
    "  run        run fio job files (or --name=... command-line jobs)\n"
    "  plot       graphs from fio-format logs (fio2gnuplot's flags, or a run directory)\n"
    "  serve      browse runs, graphs and raw files over HTTP (port 8000)\n"
    "  compare    CI performance gate: compare a run against a baseline\n"
    "  sweep      run a job over a matrix of option values (--iodepth 1,2,4 --numjobs 1,2)\n"
    "  volumes    list mounted volumes worth benchmarking, or describe PATHs\n"
    "  merge      merge several hosts' results into one (cluster runs, or fio json+ files)\n"
    "  container  entrypoint of the images: tool, plots, serve or aio (JOBFILES, REMOTEFILES, PLOTNAME)\n"
    "\n"
    "  fiokit <command> --help   help for one command\n"
    "  fiokit --version          print the version\n"
    "  fiokit --inflate-log=FILE print a compressed fio log (NAME.log.fz) as text\n";
}

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    fmt::print(stderr, "{}", kUsage);
    return fiokit::cli::kExitUsage;
  }
  const std::string cmd = args.front();
  args.erase(args.begin());
  try {
    if (cmd == "--version" || cmd == "version") {
      fmt::print("fiokit {}\n", FIOKIT_VERSION);
      return 0;
    }
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
      fmt::print("{}", kUsage);
      return 0;
    }
    if (cmd == "run") return fiokit::cli::cmd_run(args);
    // fio's spelling, `fio --inflate-log=FILE`, works as `fiokit --inflate-log=FILE` too.
    if (cmd.rfind("--inflate-log", 0) == 0) {
      args.insert(args.begin(), cmd);
      return fiokit::cli::cmd_run(args);
    }
    if (cmd == "serve") return fiokit::cli::cmd_serve(args);
    if (cmd == "plot") return fiokit::cli::cmd_plot(args);
    if (cmd == "container") return fiokit::cli::cmd_container(args);
    if (cmd == "compare") return fiokit::cli::cmd_compare(args);
    if (cmd == "volumes") return fiokit::cli::cmd_volumes(args);
    if (cmd == "sweep") return fiokit::cli::cmd_sweep(args);
    if (cmd == "merge") return fiokit::cli::cmd_merge(args);
    fmt::print(stderr, "fiokit: unknown command '{}'\n{}", cmd, kUsage);
    return fiokit::cli::kExitUsage;
  } catch (const fiokit::cli::UsageError& e) {
    fmt::print(stderr, "fiokit: {}\n", e.what());
    return fiokit::cli::kExitUsage;
  } catch (const fiokit::jobs::ParseError& e) {
    // A job file's errors come all at once, one per line: each line gets the
    // prefix, so every one reads (and greps) as its own message.
    const std::string_view all = e.what();
    for (size_t pos = 0; pos <= all.size();) {
      const size_t end = std::min(all.find('\n', pos), all.size());
      fmt::print(stderr, "fiokit: {}\n", all.substr(pos, end - pos));
      pos = end + 1;
    }
    return fiokit::cli::kExitUsage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "fiokit: {}\n", e.what());
    return fiokit::cli::kExitFailed;
  }
}
