// `fiokit container tool|plots|serve|aio`: the entrypoint of the four images,
// doing what fio-tools' run.sh, plot.sh and runall.sh did, without their
// hazards: no `rm -rf /tmp/fio-data/*` (every run gets its own new directory
// runs/<UTC time>-<PLOTNAME or job>/ and nothing in the data dir is touched),
// remote job files fetched with limits into a private folder and checked before
// they run, and signals honoured as PID 1 (the kernel ignores SIGTERM for PID 1
// unless a handler is installed, so `docker stop` would otherwise wait 10 s and
// SIGKILL). The env contract is in container_env.hpp, fetching in
// fetch/fetch.hpp, the remote-job rules in jobs/remote_policy.hpp (text) and
// volumes/confine.hpp (where paths resolve).
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/cluster_member.hpp"
#include "cli/commands.hpp"
#include "cli/container_env.hpp"
#include "cli/flags.hpp"
#include "cli/run_exec.hpp"
#include "engine/io_engine.hpp"
#include "engine/io_uring_engine.hpp"
#include "fetch/fetch.hpp"
#include "jobs/cmdline.hpp"
#include "jobs/cmdline_override.hpp"
#include "jobs/error.hpp"
#include "jobs/parse.hpp"
#include "jobs/remote_policy.hpp"
#include "plot/plot.hpp"
#include "results/run_dir.hpp"
#include "results/series_sink.hpp"
#include "volumes/confine.hpp"

namespace fiokit::cli {

// Declared in commands.hpp once the lead wires them; repeated here so this file
// builds on its own (identical redeclarations are harmless).
int cmd_plot(const std::vector<std::string>& args);
int cmd_serve(const std::vector<std::string>& args);
int cmd_container(const std::vector<std::string>& args);

namespace {
namespace fs = std::filesystem;
using namespace container;

const char* kContainerUsage =
    "usage: fiokit container tool|plots|serve|aio [ARGS ...]\n"
    "\n"
    "The entrypoint of the fiokit images (docker/README.md). The data dir is\n"
    "/tmp/fio-data (FIOKIT_DATA_DIR); nothing already in it is deleted or replaced.\n"
    "\n"
    "  tool   run JOBFILES; results go to a new DATA/runs/<UTC time>-<PLOTNAME or job>/\n"
    "         (ARGS: job options for every job, e.g. --runtime=10)\n"
    "  plots  graphs of the newest run (or FIOKIT_RUN) into its plots/; ARGS are\n"
    "         fio2gnuplot's (-t TITLE -b|-i -g -p PATTERN), run inside the run dir\n"
    "  serve  serve the data dir on 0.0.0.0:8000 (ARGS: fiokit serve options)\n"
    "  aio    tool, then plots (bandwidth, IOPS, latency titled PLOTNAME), then serve\n"
    "\n"
    "environment:\n"
    "  JOBFILES=\"a.fio b.fio\"    job files, relative to the data dir (or fetched)\n"
    "  REMOTEFILES=\"URL ...\"     fetched into the run dir before the run (https, 1 MiB,\n"
    "                            5 redirects); a fetched job file may not use exec_*,\n"
    "                            external engines, outside includes, ${VARIABLES},\n"
    "                            log paths outside the run dir, or any file that\n"
    "                            resolves (symlinks, '..') outside the data dir,\n"
    "                            FIOKIT_REMOTE_ROOTS and the `fiokit volumes`\n"
    "                            volumes, verify_dump, or over 100000 files in all\n"
    "  PLOTNAME=NAME             run directory label and graph title\n"
    "  FIOKIT_DATA_DIR=DIR       data dir (default /tmp/fio-data)\n"
    "  FIOKIT_RUN=ID             run for `plots` (default: the newest under runs/)\n"
    "  FIOKIT_CA_FILE=PEM        also trust these CA certificates for REMOTEFILES\n"
    "                            (a private CA; the system's stay trusted)\n"
    "  FIOKIT_ALLOW_HTTP=1       also fetch plain http:// URLs (an https URL that\n"
    "                            redirects to http is refused all the same)\n"
    "  FIOKIT_TRUST_REMOTE=1     run fetched job files without the checks above\n"
    "  FIOKIT_REMOTE_ROOTS=A:B   more folders a fetched job may use (absolute, existing)\n"
    "  FIOKIT_ALLOW_DEVICE=1     fetched jobs may also use devices, if in a place\n"
    "                            they may use anyway (data dir, those folders,\n"
    "                            benchmark volumes)\n"
    "  FIOKIT_BIND, FIOKIT_PORT  address and port for serve/aio (0.0.0.0, 8000)\n"
    "  FIOKIT_COORDINATOR=URL    tool/aio join a cluster run (docs/cluster-protocol.md)\n"
    "  FIOKIT_CLUSTER_RUN=NAME,  with all four set: start I/O with the other members,\n"
    "  FIOKIT_CLUSTER_SIZE=N,    post status every second, upload the run directory;\n"
    "  JOB_COMPLETION_INDEX=I    FIOKIT_INGEST_TOKEN is the coordinator's token\n";

// The fetch folder (Staging below) while it exists, for the signal handler,
// which may not allocate: a fixed buffer and a flag.
char g_staging_dir[4096];
volatile sig_atomic_t g_staging_set = 0;

// Removes the fetch folder from a signal handler, with calls a handler may
// make (open, getdents64, unlinkat, close, rmdir). The folder is flat: fetch
// writes files straight into it. Entries are unlinked as they are read, which
// getdents tolerates (entries not removed are still returned exactly once).
void remove_staging_in_handler() {
  if (!g_staging_set) return;
  const int fd = ::open(g_staging_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) {
    alignas(dirent64) char buf[4096];
    long n;
    while ((n = ::syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
      for (long off = 0; off < n;) {
        const auto* d = reinterpret_cast<const dirent64*>(buf + off);
        off += d->d_reclen;
        const char* name = d->d_name;
        if (!(name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0)))) ::unlinkat(fd, name, 0);
      }
    }
    ::close(fd);
  }
  ::rmdir(g_staging_dir);
}

// The exit code is the shell's for a death by that signal (143, 130), as
// if the default action had run, but the fetch folder goes first.
void exit_on_signal(int sig) {
  remove_staging_in_handler();
  _exit(128 + sig);
}

// PID 1 gets no default action for SIGTERM/SIGINT: give it one. `run` and
// `serve` block these signals and take them with sigwait while they work, so
// this handler only acts between phases (fetching, plotting).
void install_exit_on_signal() {
  struct sigaction sa {};
  sa.sa_handler = exit_on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);  // `run` leaves them blocked behind it
}

void say(const std::string& msg) { fmt::print(stderr, "fiokit container: {}\n", msg); }

// A private folder for downloads, outside the data dir so an interrupted fetch
// leaves nothing there; removed when done (it holds only what we wrote).
struct Staging {
  std::string dir;
  Staging() {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/fiokit-remote-XXXXXX";
    if (tmpl.size() >= sizeof g_staging_dir) throw UsageError("TMPDIR is too long for a folder for REMOTEFILES: " + tmpl);
    if (!mkdtemp(tmpl.data())) throw UsageError("cannot create a folder for REMOTEFILES under " + fs::path(tmpl).parent_path().string());
    dir = tmpl;
    std::memcpy(g_staging_dir, dir.c_str(), dir.size() + 1);
    g_staging_set = 1;
  }
  ~Staging() {
    // No signal handler in between: it would see the flag and find half a folder.
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    g_staging_set = 0;
    std::error_code ec;
    fs::remove_all(dir, ec);
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;
};

void fetch_remote_files(const Settings& s, const std::string& dir) {
  fetch::FetchOptions opt;
  opt.allow_http = s.allow_http;
  opt.ca_file = s.ca_file;
  for (const std::string& url : s.remotefiles) {
    say("fetching " + url);
    try {
      const fetch::Fetched f = fetch::fetch_url(url, dir, opt);
      say(fmt::format("fetched {} ({} bytes{})", f.name, f.bytes, f.final_url != fetch::parse_url(url, s.allow_http).str() ? ", from " + f.final_url : ""));
    } catch (const fetch::FetchError& e) {
      throw UsageError(std::string("REMOTEFILES: ") + e.what());
    }
  }
}

const char* kNoEnvHint =
    "job files fetched through REMOTEFILES see no environment variables (write the value in the job file, or "
    "set FIOKIT_TRUST_REMOTE=1 if you trust its source)";

[[noreturn]] void refuse(const std::string& report) {
  throw UsageError("refusing a remote job file (fetched through REMOTEFILES):" + report +
                   "\nRun it anyway only if you trust its source: FIOKIT_TRUST_REMOTE=1");
}

// Before parsing for the run: the text of every fetched job file and its
// includes (jobs/remote_policy), with no environment, each path option judged
// where it resolves (volumes/confine).
void check_remote(const std::vector<JobFile>& files, const std::string& dir, const volumes::Confinement& c) {
  const auto ex = jobs::Expander::without_environment(kNoEnvHint);
  const jobs::PathRule rule = [&](const std::string&, const std::string& path) { return volumes::refuse_path(c, path); };
  std::string report;
  for (const JobFile& f : files) {
    if (!f.remote) continue;
    for (const jobs::RemoteViolation& v : jobs::check_remote_job(f.path, dir, ex, rule)) report += "\n  " + v.str();
  }
  if (!report.empty()) refuse(report);
}

// After parsing, before anything is opened: the files the engine will open for
// the fetched files' jobs (what only the parsed job shows: directory= joined
// with filename=, $jobname and $jobnum in filename_format, numjobs clones, a
// valueless log named after the job). Checked before the run starts, so a path
// a job would create during the run (jobs create files, never symlinks) is
// judged as it is now.
void check_remote_jobs(const std::vector<jobs::JobSpec>& jobs, const std::vector<JobFile>& files, const volumes::Confinement& c) {
  std::vector<std::string> remote;
  for (const JobFile& f : files)
    if (f.remote) remote.push_back(f.path);
  const auto is_remote = [&](const jobs::JobSpec& j) { return std::find(remote.begin(), remote.end(), j.job_file) != remote.end(); };
  std::string report;
  for (const volumes::ConfineViolation& v : volumes::check_confined(jobs, c, is_remote)) report += "\n  " + v.str();
  // The parsed job as well as the text (jobs/remote_policy.cpp): a remote
  // job never runs a command or a program, wherever its engine came from.
  for (const jobs::JobSpec& j : jobs)
    if (is_remote(j) && (j.ioengine == "exec" || !j.exec_prerun.empty() || !j.exec_postrun.empty()))
      report += fmt::format("\n  job '{}' ({}) would run a command or program (ioengine=exec, exec_prerun, exec_postrun)", j.name, j.job_file);
  if (!report.empty()) refuse(report);
}

// Fetched files that are not job files (includes, verify patterns) end up in
// the run dir too; the job files themselves were copied by execute_run.
void keep_fetched_files(const std::string& staging, const std::string& run_dir) {
  for (const std::string& msg : results::keep_files(run_dir, staging)) say(msg);
}

// podman's and Docker's (>= 25) default seccomp profiles make io_uring_setup
// fail. The engine reports the failure per job; here, where we know we are the
// container entrypoint, we warn before the run with the engine's own probe and hint.
void warn_if_io_uring_blocked(const std::vector<jobs::JobSpec>& jobs) {
  bool wants = false;
  for (const auto& j : jobs) wants = wants || j.ioengine == "io_uring";
  if (!wants) return;
  const engine::IoUringProbe p = engine::probe_io_uring();
  if (p.status == engine::IoUringProbe::Status::blocked || p.status == engine::IoUringProbe::Status::disabled) say(p.hint);
}

// tool: fetch, resolve, check, run. Returns the exit code; *run_dir gets the run dir.
int run_tool(const Settings& s, const std::vector<std::string>& extra, std::string* run_dir) {
  std::error_code ec;
  if (!fs::is_directory(s.data_dir, ec))
    throw UsageError("data dir '" + s.data_dir + "' does not exist (mount one: -v /tmp/fio-data:/tmp/fio-data)");
  // A cluster member (FIOKIT_COORDINATOR and the rest, cli/cluster_member.hpp),
  // its settings checked before anything is fetched.
  std::optional<cluster::MemberConfig> member = cluster::container_member_config(system_env());
  std::optional<Staging> staging;
  if (!s.remotefiles.empty()) {
    staging.emplace();
    fetch_remote_files(s, staging->dir);
  }
  const std::vector<JobFile> files = resolve_job_files(s, staging ? staging->dir : "");
  const bool checked = staging && !s.trust_remote;
  std::optional<volumes::Confinement> confinement;
  if (s.trust_remote) {
    if (staging) say("FIOKIT_TRUST_REMOTE=1: fetched job files run without checks");
  } else if (staging) {
    confinement = volumes::Confinement::for_remote(s.data_dir, s.remote_roots, s.allow_device);
    check_remote(files, staging->dir, *confinement);
  }

  // Relative names in the job files (filename=, directory=) mean the data dir,
  // as they did when fio-tools ran `fio $JOBFILES` there.
  if (chdir(s.data_dir.c_str()) != 0) throw UsageError("cannot enter the data dir '" + s.data_dir + "'");
  std::vector<std::string> args = extra;
  for (const JobFile& f : files) args.push_back(f.path);
  const auto ex = jobs::Expander::from_system();
  auto cl = jobs::split_cmdline(args, ex, engine::option_catalog());
  ExecArgs ea;
  ea.job_files = cl.job_files;
  const auto req = jobs::make_request(std::move(cl), ex, {});
  auto parsed = jobs::build_jobs(req, engine::option_catalog());
  if (checked) check_remote_jobs(parsed.jobs, files, *confinement);
  for (const auto& w : parsed.warnings) fmt::print(stderr, "fiokit: warning: {}\n", w);
  for (const auto& w : jobs::cmdline_override_warnings(req, engine::option_catalog())) fmt::print(stderr, "fiokit: warning: {}\n", w);
  warn_if_io_uring_blocked(parsed.jobs);
  ea.formats = {"normal"};
  ea.data_dir = s.data_dir;
  ea.run_label = s.plotname;
  if (member) member->job_sha256 = cluster::job_sha256(args, ea.job_files, {});
  ea.cluster = std::move(member);
  // Checked above before the run; checked again at each open, so a folder
  // swapped for a symlink in between (by anyone who can write into an allowed
  // place) is refused then too. Local job files run as before.
  if (checked) {
    ea.confine = &*confinement;
    std::vector<std::string> remote;
    for (const JobFile& f : files)
      if (f.remote) remote.push_back(f.path);
    ea.confine_applies = [remote](const jobs::JobSpec& j) { return std::find(remote.begin(), remote.end(), j.job_file) != remote.end(); };
  }
  std::string dir;
  const int rc = execute_run(parsed.jobs, ea, &dir);
  install_exit_on_signal();
  if (staging && !dir.empty()) keep_fetched_files(staging->dir, dir);
  if (!dir.empty()) say("run directory " + dir);
  if (run_dir) *run_dir = dir;
  return rc;
}

std::string utc_stamp() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

// The run `plots` draws: FIOKIT_RUN, else the newest run (run ids start with
// their UTC time, so the greatest name is the newest). Empty when the data dir
// holds no runs.
std::string plot_target(const Settings& s) {
  const fs::path runs = fs::path(s.data_dir) / "runs";
  if (!s.run.empty()) {
    for (const fs::path& p : {runs / s.run, fs::path(s.data_dir) / s.run, fs::path(s.run)}) {
      std::error_code ec;
      if (fs::is_directory(p, ec)) return p.string();
    }
    throw UsageError("FIOKIT_RUN: no run '" + s.run + "' under " + runs.string());
  }
  std::vector<std::string> ids;
  std::error_code ec;
  for (fs::directory_iterator it(runs, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_directory() && it->path().filename().string()[0] != '.') ids.push_back(it->path().filename().string());
  if (ids.empty()) return "";
  return (runs / *std::max_element(ids.begin(), ids.end())).string();
}

bool has_output_dir(const std::vector<std::string>& args) {
  for (const std::string& a : args)
    if (a.rfind("-d", 0) == 0 || a.rfind("--outputdir", 0) == 0) return true;
  return false;
}

int run_plots(const Settings& s, const std::vector<std::string>& args) {
  const std::string target = plot_target(s);
  const bool legacy = target.empty();  // fio logs straight in the data dir, as fio-tools left them
  const std::string dir = legacy ? s.data_dir : target;
  if (legacy) {
    std::error_code ec;
    bool logs = false;
    for (fs::directory_iterator it(s.data_dir, ec), end; !ec && it != end; it.increment(ec))
      logs = logs || it->path().extension() == ".log";
    if (!logs)
      throw UsageError("nothing to plot: no runs under " + (fs::path(s.data_dir) / "runs").string() + " and no .log files in " +
                       s.data_dir + (list_job_files(s.data_dir).empty() ? "" : " (run the job files first: fiokit-tool)"));
  }
  // A new folder in the user's data dir, never one that may hold their files.
  std::string out = legacy ? "plots-" + utc_stamp() : "plots";
  // fio2gnuplot's flags on a run whose job file writes no fio logs: its globs
  // ('*_bw*') read the per-second series fiokit keeps (RUN/series) instead,
  // and the images still go to RUN/plots. (`fiokit plot RUN` falls back alone.)
  std::string where = dir;
  bool from_series = false;
  if (!legacy && !args.empty() && !args.front().empty() && args.front()[0] == '-' &&
      !plot::find_graph_logs(target, &from_series).empty() && from_series) {
    where = (fs::path(target) / results::kSeriesDir).string();
    out = "../plots";
  }
  if (chdir(where.c_str()) != 0) throw UsageError("cannot enter '" + where + "'");
  say("plotting " + where);
  if (args.empty()) {
    if (!legacy) {
      std::vector<std::string> a{target};
      if (!s.plotname.empty()) a.insert(a.end(), {"-t", s.plotname});
      return cmd_plot(a);
    }
    const std::string title = s.plotname.empty() ? "FIO" : s.plotname;
    const int bw = cmd_plot({"-t", title + "-bw", "-b", "-g", "-d", out});
    const int iops = cmd_plot({"-t", title + "-iops", "-i", "-g", "-d", out});
    return bw == kExitOk || iops == kExitOk ? kExitOk : std::max(bw, iops);  // a job may log only one kind
  }
  std::vector<std::string> a = args;
  const bool fio2gnuplot_style = !args.front().empty() && args.front()[0] == '-';
  if (fio2gnuplot_style && !has_output_dir(args)) {
    std::error_code ec;
    fs::create_directories(out, ec);
    a.insert(a.end(), {"-d", out});
  }
  return cmd_plot(a);
}

int run_serve(const Settings& s, const std::vector<std::string>& extra) {
  std::vector<std::string> a{s.data_dir, "--bind", s.bind, "--port", std::to_string(s.port)};
  a.insert(a.end(), extra.begin(), extra.end());
  return cmd_serve(a);
}

int run_aio(const Settings& s, const std::vector<std::string>& extra) {
  std::string run_dir;
  const int rc = run_tool(s, extra, &run_dir);
  if (rc == kExitUsage || rc >= 128 || run_dir.empty()) return rc;
  if (rc != kExitOk) say("the run failed (exit " + std::to_string(rc) + "); plotting and serving what it wrote");
  std::vector<std::string> a{run_dir};
  if (!s.plotname.empty()) a.insert(a.end(), {"-t", s.plotname});
  if (const int prc = cmd_plot(a); prc != kExitOk) say("plotting failed (exit " + std::to_string(prc) + "); serving the run anyway");
  return run_serve(s, {});
}

}  // namespace

int cmd_container(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    fmt::print(args.empty() ? stderr : stdout, "{}", kContainerUsage);
    return args.empty() ? kExitUsage : kExitOk;
  }
  install_exit_on_signal();
  const std::string mode = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    Settings s = read_settings(system_env());
    // Absolute from here on: the phases change the working directory.
    s.data_dir = fs::absolute(s.data_dir).lexically_normal().string();
    if (mode == "tool") return run_tool(s, rest, nullptr);
    if (mode == "plots") return run_plots(s, rest);
    if (mode == "serve") return run_serve(s, rest);
    if (mode == "aio") return run_aio(s, rest);
    const auto guess = closest_name(mode, {"tool", "plots", "serve", "aio"});
    fmt::print(stderr, "fiokit container: unknown image role '{}'{}\n{}", mode,
               guess ? "; did you mean '" + *guess + "'?" : "", kContainerUsage);
    return kExitUsage;
  } catch (const UsageError& e) {
    say(e.what());
    return kExitUsage;
  } catch (const jobs::ParseError& e) {
    say(e.what());
    return kExitUsage;
  }
}

}  // namespace fiokit::cli
