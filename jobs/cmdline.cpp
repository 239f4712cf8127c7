// fio-style command-line jobs; see cmdline.hpp.
#include "jobs/cmdline.hpp"

#include <fmt/format.h>

#include "jobs/options.hpp"

namespace fiokit::jobs {

CmdlineJobs split_cmdline(const std::vector<std::string>& args,
                          const std::function<bool(const std::string&)>& is_run_option,
                          const std::function<bool(const std::string&)>& run_option_needs_value,
                          const Expander& ex) {
  CmdlineJobs out;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    // fio's getopt also takes long options with one dash ("-rw=randread", seen
    // in many scripts); a job option written that way means the same here.
    if (a.size() > 2 && a[0] == '-' && a[1] != '-' && find_option(a.substr(1, a.find('=') - 1))) a = "-" + a;
    if (a == "-" || a.rfind("--", 0) != 0) {
      if (!a.empty() && a[0] == '-' && a != "-")
        throw ParseError(fmt::format("unknown argument '{}' (job options are written --name=value)", a));
      out.job_files.push_back(a);
      continue;
    }
    std::string body = a.substr(2);
    size_t eq = body.find('=');
    std::string key = body.substr(0, eq);
    if (is_run_option(key)) {
      if (eq == std::string::npos && run_option_needs_value(key)) ++i;
      continue;
    }
    SourceLoc loc{"command line: " + a, 0};
    const OptionDef* d = find_option(key);
    RawOption opt{key, std::nullopt, loc};
    if (eq != std::string::npos) {
      opt.value = ex.expand(body.substr(eq + 1), loc);
    } else if (d && !d->valueless_ok && i + 1 < args.size()) {
      // "--bs 4k", as fio's getopt accepts.
      opt.value = ex.expand(args[++i], SourceLoc{"command line: " + a + " " + args[i], 0});
      opt.loc.file = "command line: " + a + " " + args[i];
    }
    if (!d) {
      auto sug = suggest_options(key);
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

ParseRequest make_request(CmdlineJobs cl, const Expander& ex, std::vector<std::string> only_sections) {
  ParseRequest req;
  req.only_sections = std::move(only_sections);
  req.cli_globals = std::move(cl.globals);
  // A "--name=global" section acts on the command-line jobs after it, as in a file.
  if (!cl.sections.empty()) req.sources.push_back({"", std::move(cl.sections)});
  for (const auto& f : cl.job_files) req.sources.push_back({f, read_job_file(f, ex)});
  return req;
}

}  // namespace fiokit::jobs
