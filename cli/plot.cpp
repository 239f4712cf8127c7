// `fiokit plot`: argument handling for the plot stage. Two forms:
//   fio2gnuplot's flags, as the fio-tools genplots image used them
//     fiokit plot -t TITLE -b|-i -g -p PATTERN [-o NAME] [-d DIR] [-m MIN] [-M MAX]
//   (logs are looked up in the current directory, like fio2gnuplot), and
//   fiokit's own: `fiokit plot RUN_DIR` and `fiokit plot --compare DIR1 DIR2 ...`.
// Flags go through Program_options in getopt style (cli/flags.hpp), so
// fio2gnuplot's -bg and -tTITLE spellings keep working; a trailing list of
// directories is the positional rest. Usage errors exit 2, unreadable input 2
// (file:line), gnuplot failures 1.
#include <charconv>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "cli/flags.hpp"
#include "plot/sweep_graphs.hpp"
#include "plot/plot.hpp"

namespace fiokit::cli {

int cmd_plot(const std::vector<std::string>& args);

namespace {

constexpr int kOk = 0, kFailed = 1, kUsage = 2;

// fio2gnuplot's flags with its short letters and long names, then fiokit's.
po::options_description fio2gnuplot_flags() {
  po::options_description d("fio2gnuplot options");
  d.add_options()
      ("bandwidth,b", po::bool_switch(), "bandwidth logs (*_bw.log, *_bw.N.log)")
      ("iops,i", po::bool_switch(), "IOPS logs (*_iops.log, *_iops.N.log)")
      ("pattern,p", po::value<std::string>()->value_name("GLOB"), "logs matching GLOB (takes precedence over -b/-i for selection)")
      ("gnuplot,g", po::bool_switch(), "render images; without it the gnuplot script is written to DIR/NAME.gnuplot")
      ("outputfile,o", po::value<std::string>()->value_name("NAME"), "base name of the combined graphs (default: from the pattern, else 'result')")
      ("outputdir,d", po::value<std::string>()->value_name("DIR"), "where images go (default: current directory; RUN_DIR/plots for a run)")
      ("title,t", po::value<std::string>()->value_name("TITLE"), "title of the graphs (default: the run's name)")
      ("min_time,m", po::value<std::string>()->value_name("SEC"), "leave out samples before SEC seconds")
      ("max_time,M", po::value<std::string>()->value_name("SEC"), "leave out samples at or after SEC seconds")
      ("verbose,v", po::bool_switch(), "accepted for compatibility")
      ("keep,k", po::bool_switch(), "accepted for compatibility");
  return d;
}

po::options_description fiokit_plot_flags() {
  po::options_description d("fiokit options");
  d.add_options()
      ("compare", po::bool_switch(), "the same logs of the run directories DIR1 DIR2 ... in one graph each")
      ("format", po::value<std::string>()->value_name("png|svg|both"), "image format (default png)")
      ("size", po::value<std::string>()->value_name("WxH"), "image size in pixels (default 1280x720)")
      ("gnuplot-cmd", po::value<std::string>()->value_name("CMD"), "command that reads the gnuplot script on stdin (default gnuplot)")
      ("help,h", po::bool_switch(), "this help");
  return d;
}

// Both groups in one description, so --help lines their columns up.
po::options_description visible_plot_flags() {
  po::options_description d;
  d.add(fio2gnuplot_flags()).add(fiokit_plot_flags());
  return d;
}

const std::string& plot_usage() {
  static const std::string text =
      "usage: fiokit plot RUN_DIR [options]                 graphs of a run into RUN_DIR/plots\n"
      "       fiokit plot --compare DIR1 DIR2 ... [options]  the same logs across runs\n"
      "       fiokit plot -b|-i|-p PATTERN [-g] [options]    fio2gnuplot style, logs in the current directory\n"
      "\n" +
      describe_flags(visible_plot_flags());
  return text;
}

// Everything `fiokit plot` parses: the flags of the help text, and
// fio2gnuplot's -G, which is refused with a reason rather than "unknown".
const po::options_description& plot_flags() {
  static const po::options_description all = [] {
    po::options_description refused;
    refused.add_options()("Global,G", po::value<std::string>(), "");
    po::options_description d;
    d.add(visible_plot_flags()).add(refused);
    return d;
  }();
  return all;
}

double parse_seconds(const std::string& opt, const std::string& v) {
  double d = 0;
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (ec != std::errc() || p != v.data() + v.size() || d < 0)
    throw UsageError("option " + opt + ": '" + v + "' is not a number of seconds >= 0");
  return d;
}

// fio2gnuplot's rule for naming graphs after a pattern: globs become dashes,
// ".log" goes, no leading or trailing dash.
std::string name_from_pattern(std::string s) {
  auto replace_all = [&s](const std::string& from, const std::string& to) {
    for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
  };
  replace_all("-*-", "-");
  for (char& c : s)
    if (c == '*' || c == '?' || c == '/' || c == '[' || c == ']') c = '-';
  replace_all("--", "-");
  replace_all(".log", "");
  if (!s.empty() && s.back() == '-') s.pop_back();
  if (!s.empty() && s.front() == '-') s.erase(0, 1);
  return s.empty() ? "default" : s;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct Parsed {
  bool help = false, bw = false, iops = false, render = false, compare = false;
  std::optional<std::string> pattern, output_name, output_dir, title, gnuplot_cmd;
  double min_time = 0, max_time = -1;
  plot::Format format = plot::Format::png;
  int width = 1280, height = 720;
  std::vector<std::string> positional;
};

Parsed parse_args(const std::vector<std::string>& args) {
  Parsed p;
  ParsedFlags pf = parse_flags(args, plot_flags(), FlagStyle::getopt);
  for (const po::option& o : pf.flags) {
    const std::string& l = o.string_key;
    const std::string v = flag_value(o);
    if (l == "title") p.title = v;
    else if (l == "bandwidth") p.bw = true;
    else if (l == "iops") p.iops = true;
    else if (l == "gnuplot") p.render = true;
    else if (l == "pattern") p.pattern = v;
    else if (l == "outputfile") p.output_name = v;
    else if (l == "outputdir") p.output_dir = v;
    else if (l == "min_time") p.min_time = parse_seconds("-m", v);  // fio2gnuplot's name for it
    else if (l == "max_time") p.max_time = parse_seconds("-M", v);
    else if (l == "help") p.help = true;
    else if (l == "Global") throw UsageError("-G/--Global (.global files) is not supported: fiokit reads the logs themselves");
    else if (l == "format") {
      if (v == "png") p.format = plot::Format::png;
      else if (v == "svg") p.format = plot::Format::svg;
      else if (v == "both") p.format = plot::Format::both;
      else throw UsageError("option --format: '" + v + "' is not png, svg or both");
    } else if (l == "size") {
      int w = 0, h = 0;
      char extra = 0;
      if (std::sscanf(v.c_str(), "%dx%d%c", &w, &h, &extra) != 2 || w < 200 || h < 150 || w > 10000 || h > 10000)
        throw UsageError("option --size: '" + v + "' is not WIDTHxHEIGHT (200x150 to 10000x10000)");
      p.width = w;
      p.height = h;
    } else if (l == "gnuplot-cmd") {
      p.gnuplot_cmd = v;
    } else if (l == "compare") {
      p.compare = true;
    }
    // verbose, keep: accepted for compatibility, no effect
  }
  p.positional = std::move(pf.rest);
  if (p.max_time >= 0 && p.max_time <= p.min_time)
    throw UsageError("-M/--max_time must be greater than -m/--min_time");
  return p;
}

void print_summary(const plot::PlotSummary& s) {
  for (const std::string& n : s.notes) std::fprintf(stderr, "fiokit plot: %s\n", n.c_str());
  for (const std::string& img : s.images) std::printf("%s\n", img.c_str());
}

int run(const Parsed& p) {
  plot::PlotOptions opt;
  opt.render.format = p.format;
  opt.render.width = p.width;
  opt.render.height = p.height;
  if (p.gnuplot_cmd) opt.render.gnuplot_cmd = *p.gnuplot_cmd;
  opt.graph.min_time_s = p.min_time;
  opt.graph.max_time_s = p.max_time;
  opt.graph.columns = p.width;
  if (p.title) opt.graph.title = *p.title;

  if (p.compare) {
    if (p.positional.size() < 2) throw UsageError("--compare needs at least two run directories");
    print_summary(plot::plot_compare(p.positional, p.output_dir.value_or("."), opt));
    return kOk;
  }
  if (!p.positional.empty()) {
    if (p.positional.size() > 1)
      throw UsageError("one run directory expected (use --compare DIR1 DIR2 ... to compare runs)");
    if (p.pattern || p.bw || p.iops) throw UsageError("give either RUN_DIR or -b/-i/-p, not both");
    if (results::is_sweep_dir(p.positional[0])) {  // a `fiokit sweep` directory: its graphs
      try {
        print_summary({plot::plot_sweep(p.positional[0], p.output_dir.value_or(p.positional[0] + "/plots"), opt.render), {}});
      } catch (const results::SweepError& e) {
        throw plot::PlotError(2, e.what());
      }
      return kOk;
    }
    print_summary(plot::plot_run_dir(p.positional[0], p.output_dir.value_or(""), opt));
    return kOk;
  }
  if (!p.pattern && !p.bw && !p.iops)
    throw UsageError("nothing to plot: give RUN_DIR, --compare DIR..., or -b, -i or -p PATTERN");
  if (p.bw && p.iops && !p.pattern) throw UsageError("-b and -i select different logs; give one, or -p");
  if (p.bw) opt.kind = results::LogKind::bw;
  if (p.iops) opt.kind = results::LogKind::iops;

  std::vector<std::string> globs;
  if (p.pattern) globs = {*p.pattern};
  else if (p.bw) globs = {"*_bw.log", "*_bw.*.log"};  // fio's per-job names too
  else globs = {"*_iops.log", "*_iops.*.log"};
  std::vector<std::string> logs;
  for (const std::string& g : globs) {
    auto found = plot::find_logs(".", g);
    logs.insert(logs.end(), found.begin(), found.end());
  }
  if (logs.empty()) {
    std::string list;
    for (const std::string& g : globs) list += (list.empty() ? "'" : " or '") + g + "'";
    std::fprintf(stderr, "fiokit plot: no log file matches %s in the current directory\n", list.c_str());
    return kUsage;
  }
  const std::string name = p.output_name ? *p.output_name : p.pattern ? name_from_pattern(*p.pattern) : "result";
  const std::string dir = p.output_dir.value_or(".");
  if (!p.render) {
    // fio2gnuplot without -g renders nothing; we leave the script, which
    // renders the same images with `gnuplot NAME.gnuplot` run inside DIR.
    opt.render.gnuplot_cmd = "cat > " + shell_quote(name + ".gnuplot");
    opt.render.check_outputs = false;
    plot::plot_logs(logs, dir, name, opt);
    std::fprintf(stderr, "fiokit plot: wrote %s/%s.gnuplot (add -g to render images)\n", dir.c_str(), name.c_str());
    return kOk;
  }
  print_summary(plot::plot_logs(logs, dir, name, opt));
  return kOk;
}

}  // namespace

int cmd_plot(const std::vector<std::string>& args) {
  try {
    const Parsed p = parse_args(args);
    if (p.help) {
      std::fputs(plot_usage().c_str(), stdout);
      return kOk;
    }
    return run(p);
  } catch (const UsageError& e) {
    return report_usage_error("plot", e, plot_usage().c_str());
  } catch (const plot::PlotError& e) {
    std::fprintf(stderr, "fiokit plot: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fiokit plot: %s\n", e.what());
    return kFailed;
  }
}

}  // namespace fiokit::cli
