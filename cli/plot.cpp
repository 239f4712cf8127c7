// `fiokit plot`: argument handling for the plot stage. Two forms:
//   fio2gnuplot's flags, as the fio-tools genplots image used them
//     fiokit plot -t TITLE -b|-i -g -p PATTERN [-o NAME] [-d DIR] [-m MIN] [-M MAX]
//   (logs are looked up in the current directory, like fio2gnuplot), and
//   fiokit's own: `fiokit plot RUN_DIR` and `fiokit plot --compare DIR1 DIR2 ...`.
// A hand parser, because fio2gnuplot's getopt style (-bg, -tTITLE) and a
// trailing list of directories do not fit Boost.Program_options' model well.
// Usage errors exit 2, unreadable input 2 (file:line), gnuplot failures 1.
#include <charconv>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "plot/plot.hpp"

namespace fiokit::cli {

int cmd_plot(const std::vector<std::string>& args);

namespace {

constexpr int kOk = 0, kFailed = 1, kUsage = 2;

const char* kPlotUsage =
    "usage: fiokit plot RUN_DIR [options]                 graphs of a run into RUN_DIR/plots\n"
    "       fiokit plot --compare DIR1 DIR2 ... [options]  the same logs across runs\n"
    "       fiokit plot -b|-i|-p PATTERN [-g] [options]    fio2gnuplot style, logs in the current directory\n"
    "\n"
    "fio2gnuplot options:\n"
    "  -b, --bandwidth        bandwidth logs (*_bw.log, *_bw.N.log)\n"
    "  -i, --iops             IOPS logs (*_iops.log, *_iops.N.log)\n"
    "  -p, --pattern GLOB     logs matching GLOB (takes precedence over -b/-i for selection)\n"
    "  -g, --gnuplot          render images; without it the gnuplot script is written to DIR/NAME.gnuplot\n"
    "  -o, --outputfile NAME  base name of the combined graphs (default: from the pattern, else 'result')\n"
    "  -d, --outputdir DIR    where images go (default: current directory; RUN_DIR/plots for a run)\n"
    "  -t, --title TITLE      title of the graphs (default: the run's name)\n"
    "  -m, --min_time SEC     leave out samples before SEC seconds\n"
    "  -M, --max_time SEC     leave out samples at or after SEC seconds\n"
    "  -v, --verbose, -k, --keep   accepted for compatibility\n"
    "fiokit options:\n"
    "  --format png|svg|both  image format (default png)\n"
    "  --size WxH             image size in pixels (default 1280x720)\n"
    "  --gnuplot-cmd CMD      command that reads the gnuplot script on stdin (default gnuplot)\n"
    "  -h, --help             this help\n";

struct UsageError {
  std::string message;
};

double parse_seconds(const std::string& opt, const std::string& v) {
  double d = 0;
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (ec != std::errc() || p != v.data() + v.size() || d < 0)
    throw UsageError{"option " + opt + ": '" + v + "' is not a number of seconds >= 0"};
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
  // Options that take a value, short and long spellings.
  struct Opt {
    char s;
    const char* l;
    bool value;
  };
  static const Opt kOpts[] = {
      {'t', "title", true},      {'b', "bandwidth", false}, {'i', "iops", false},     {'g', "gnuplot", false},
      {'p', "pattern", true},    {'o', "outputfile", true}, {'d', "outputdir", true}, {'m', "min_time", true},
      {'M', "max_time", true},   {'v', "verbose", false},   {'k', "keep", false},     {'h', "help", false},
      {'G', "Global", true},     {0, "format", true},       {0, "size", true},        {0, "gnuplot-cmd", true},
      {0, "compare", false},
  };
  auto apply = [&p](const Opt& o, const std::string& v) {
    const std::string name = o.s ? std::string("-") + o.s : std::string("--") + o.l;
    switch (o.s) {
      case 't': p.title = v; return;
      case 'b': p.bw = true; return;
      case 'i': p.iops = true; return;
      case 'g': p.render = true; return;
      case 'p': p.pattern = v; return;
      case 'o': p.output_name = v; return;
      case 'd': p.output_dir = v; return;
      case 'm': p.min_time = parse_seconds(name, v); return;
      case 'M': p.max_time = parse_seconds(name, v); return;
      case 'v': case 'k': return;
      case 'h': p.help = true; return;
      case 'G': throw UsageError{"-G/--Global (.global files) is not supported: fiokit reads the logs themselves"};
      default: break;
    }
    const std::string l = o.l;
    if (l == "format") {
      if (v == "png") p.format = plot::Format::png;
      else if (v == "svg") p.format = plot::Format::svg;
      else if (v == "both") p.format = plot::Format::both;
      else throw UsageError{"option --format: '" + v + "' is not png, svg or both"};
    } else if (l == "size") {
      int w = 0, h = 0;
      char extra = 0;
      if (std::sscanf(v.c_str(), "%dx%d%c", &w, &h, &extra) != 2 || w < 200 || h < 150 || w > 10000 || h > 10000)
        throw UsageError{"option --size: '" + v + "' is not WIDTHxHEIGHT (200x150 to 10000x10000)"};
      p.width = w;
      p.height = h;
    } else if (l == "gnuplot-cmd") {
      p.gnuplot_cmd = v;
    } else if (l == "compare") {
      p.compare = true;
    }
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      p.positional.insert(p.positional.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      break;
    }
    if (a.size() > 2 && a.compare(0, 2, "--") == 0) {
      std::string key = a.substr(2), val;
      const size_t eq = key.find('=');
      const bool has_eq = eq != std::string::npos;
      if (has_eq) {
        val = key.substr(eq + 1);
        key.resize(eq);
      }
      const Opt* found = nullptr;
      for (const Opt& o : kOpts)
        if (key == o.l) found = &o;
      if (!found) throw UsageError{"unknown option --" + key};
      if (found->value && !has_eq) {
        if (i + 1 >= args.size()) throw UsageError{"option --" + key + " needs a value"};
        val = args[++i];
      } else if (!found->value && has_eq) {
        throw UsageError{"option --" + key + " takes no value"};
      }
      apply(*found, val);
      continue;
    }
    if (a.size() > 1 && a[0] == '-') {
      // getopt style: flags may be grouped (-bg) and a value may be attached (-tTITLE).
      for (size_t j = 1; j < a.size(); ++j) {
        const Opt* found = nullptr;
        for (const Opt& o : kOpts)
          if (o.s && o.s == a[j]) found = &o;
        if (!found) throw UsageError{std::string("unknown option -") + a[j]};
        if (!found->value) {
          apply(*found, "");
          continue;
        }
        std::string val = a.substr(j + 1);
        if (val.empty()) {
          if (i + 1 >= args.size()) throw UsageError{std::string("option -") + a[j] + " needs a value"};
          val = args[++i];
        }
        apply(*found, val);
        break;
      }
      continue;
    }
    p.positional.push_back(a);
  }
  if (p.max_time >= 0 && p.max_time <= p.min_time)
    throw UsageError{"-M/--max_time must be greater than -m/--min_time"};
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
    if (p.positional.size() < 2) throw UsageError{"--compare needs at least two run directories"};
    print_summary(plot::plot_compare(p.positional, p.output_dir.value_or("."), opt));
    return kOk;
  }
  if (!p.positional.empty()) {
    if (p.positional.size() > 1)
      throw UsageError{"one run directory expected (use --compare DIR1 DIR2 ... to compare runs)"};
    if (p.pattern || p.bw || p.iops) throw UsageError{"give either RUN_DIR or -b/-i/-p, not both"};
    print_summary(plot::plot_run_dir(p.positional[0], p.output_dir.value_or(""), opt));
    return kOk;
  }
  if (!p.pattern && !p.bw && !p.iops)
    throw UsageError{"nothing to plot: give RUN_DIR, --compare DIR..., or -b, -i or -p PATTERN"};
  if (p.bw && p.iops && !p.pattern) throw UsageError{"-b and -i select different logs; give one, or -p"};
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
      std::fputs(kPlotUsage, stdout);
      return kOk;
    }
    return run(p);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "fiokit plot: %s\n%s", e.message.c_str(), kPlotUsage);
    return kUsage;
  } catch (const plot::PlotError& e) {
    std::fprintf(stderr, "fiokit plot: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fiokit plot: %s\n", e.what());
    return kFailed;
  }
}

}  // namespace fiokit::cli
