// fio-style command-line jobs; see cmdline.hpp.
#include "jobs/cmdline.hpp"

#include <fmt/format.h>

#include "jobs/options.hpp"
#include "jobs/units.hpp"

namespace fiokit::jobs {
namespace {

constexpr uint64_t kFioRealMaxJobs = 4096;

uint64_t parse_max_jobs(const std::string& v) {
  int64_t n = 0;
  try {
    n = parse_int(v);
  } catch (const ValueError& e) {
    throw ParseError(fmt::format("--max-jobs: '{}' is not a number of jobs: {}", v, e.what()));
  }
  if (n < 1 || static_cast<uint64_t>(n) > kFioRealMaxJobs)
    throw ParseError(fmt::format("--max-jobs: {} is out of range (1 to {}, fio's limit)", n, kFioRealMaxJobs));
  return static_cast<uint64_t>(n);
}

}  // namespace

std::optional<std::string> max_jobs_warning(const std::optional<uint64_t>& max_jobs, size_t njobs) {
  if (!max_jobs || njobs <= *max_jobs) return std::nullopt;
  return fmt::format("--max-jobs={}: the job files define {} jobs (numjobs clones included); fio 3.33 ignores "
                     "--max-jobs and runs them all, and so does fiokit",
                     *max_jobs, njobs);
}

CmdlineJobs split_cmdline(const std::vector<std::string>& args, const Expander& ex, const OptionCatalog& options) {
  CmdlineJobs out;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    // fio's getopt also takes long options with one dash ("-rw=randread", seen
    // in many scripts); a job option written that way means the same here.
    if (a.size() > 2 && a[0] == '-' && a[1] != '-' && options.find(a.substr(1, a.find('=') - 1))) a = "-" + a;
    if (a == "-" || a.rfind("--", 0) != 0) {
      if (!a.empty() && a[0] == '-' && a != "-")
        throw ParseError(fmt::format("unknown argument '{}' (job options are written --name=value)", a));
      out.job_files.push_back(a);
      continue;
    }
    std::string body = a.substr(2);
    size_t eq = body.find('=');
    std::string key = body.substr(0, eq);
    if (key == "max-jobs") {
      std::string v;
      if (eq != std::string::npos) v = body.substr(eq + 1);
      else if (i + 1 < args.size()) v = args[++i];
      out.max_jobs = parse_max_jobs(v);
      continue;
    }
    SourceLoc loc{"command line: " + a, 0};
    const OptionDef* d = options.find(key);
    RawOption opt{key, std::nullopt, loc};
    if (eq != std::string::npos) {
      opt.value = ex.expand(body.substr(eq + 1), loc);
    } else if (d && !d->valueless_ok && i + 1 < args.size()) {
      // "--bs 4k", as fio's getopt accepts. The location is made before the
      // value is expanded: built in the same call as args[++i], its args[i] was
      // read before the increment with GCC ("command line: --bs --bs").
      const std::string& value = args[++i];
      opt.loc.file = "command line: " + a + " " + value;
      opt.value = ex.expand(value, opt.loc);
    }
    if (!d) {
      auto sug = options.suggest(key);
      std::string msg = fmt::format("unknown option '--{}' (command line)", key);
      if (!sug.empty()) msg += fmt::format("; did you mean '--{}'?", sug[0]);
      throw ParseError(msg);
    }
    if (key == "name") {
      if (!opt.value || opt.value->empty()) fail_at(loc, "--name needs a job name");
      out.sections.push_back({*opt.value, loc, {}, ""});
      continue;
    }
    if (out.sections.empty()) out.globals.push_back(std::move(opt));
    else out.sections.back().options.push_back(std::move(opt));
  }
  return out;
}

ParseRequest make_request(CmdlineJobs cl, const Expander& ex, std::vector<std::string> only_sections,
                          const OptionCatalog* check_keys) {
  ReadObserver obs;
  if (check_keys) obs.is_known = [check_keys](const std::string& key) { return check_keys->find(key) != nullptr; };
  ParseRequest req;
  req.only_sections = std::move(only_sections);
  req.cli_globals = std::move(cl.globals);
  // A "--name=global" section acts on the command-line jobs after it, as in a file.
  if (!cl.sections.empty()) req.sources.push_back({"", std::move(cl.sections)});
  for (const auto& f : cl.job_files) req.sources.push_back({f, read_job_file(f, ex, obs)});
  return req;
}

}  // namespace fiokit::jobs
