// The one place fiokit talks to gnuplot, through gnuplot-iostream (the only
// file that includes it). gnuplot-iostream's own popen/pclose drops gnuplot's
// exit status, so the process is started here (fork/exec of /bin/sh -c CMD in
// the output directory, script on a pipe) and handed to gnuplot-iostream as a
// FILE*; after the stream closes we wait for the exit status ourselves. Data go
// inline ('-' blocks via send1d) so a captured script is self-contained and can
// be re-run with plain `gnuplot FILE`.
#include <gnuplot-iostream.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <fcntl.h>
#include <cstring>
#include <filesystem>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot/render.hpp"
#include "util/fd.hpp"

namespace fiokit::plot {

namespace fs = std::filesystem;

std::string gnuplot_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "''";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  out += "'";
  return out;
}

bool has_data(const Graph& g) {
  if (!g.heat.empty()) return true;
  if (!g.bar_columns.empty()) return !g.bars.empty();
  for (const Line& l : g.lines)
    if (!l.points.empty()) return true;
  return false;
}

namespace {

const char* kMissingHint = "install the Debian package gnuplot-nox (apt-get install gnuplot-nox)";

// First word of a shell command, when it names a program to look up in PATH.
std::string program_of(const std::string& cmd) {
  size_t b = cmd.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = cmd.find_first_of(" \t;|&<>", b);
  return cmd.substr(b, e == std::string::npos ? std::string::npos : e - b);
}

bool found_in_path(const std::string& prog) {
  if (prog.find('/') != std::string::npos) return ::access(prog.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  for (;;) {
    const size_t colon = p.find(':', start);
    std::string dir = p.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (dir.empty()) dir = ".";
    if (::access((dir + "/" + prog).c_str(), X_OK) == 0) return true;
    if (colon == std::string::npos) return false;
    start = colon + 1;
  }
}

// A child running CMD under /bin/sh with its stdin on a pipe. SIGPIPE is
// blocked in this thread while the pipe is open so a gnuplot that dies early
// turns our writes into EPIPE errors (then a non-zero exit status) instead of
// killing fiokit; a pending SIGPIPE is consumed before the mask is restored.
class ShellPipe {
 public:
  ShellPipe(const std::string& cmd, const std::string& cwd) {
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask_);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      const int err = errno;
      restore_mask();
      throw PlotError(1, std::string("cannot create a pipe to gnuplot: ") + std::strerror(err));
    }
    util::Fd rd(fds[0]), wr(fds[1]);
    const pid_t pid = ::fork();
    if (pid < 0) {
      const int err = errno;  // rd and wr close themselves
      restore_mask();
      throw PlotError(1, std::string("cannot start gnuplot: fork: ") + std::strerror(err));
    }
    if (pid == 0) {
      // Child: async-signal-safe calls only.
      if (::chdir(cwd.c_str()) != 0) ::_exit(126);
      if (::dup2(rd.get(), 0) < 0) ::_exit(126);
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    rd.reset();  // the child's end
    pid_ = pid;
    fh_ = ::fdopen(wr.get(), "w");
    if (!fh_) {
      wr.reset();  // gnuplot sees end of input, so wait() returns
      wait();
      throw PlotError(1, "cannot open the pipe to gnuplot");
    }
    wr.release();  // the FILE* owns it now (gnuplot-iostream fcloses it)
  }
  ShellPipe(const ShellPipe&) = delete;
  ShellPipe& operator=(const ShellPipe&) = delete;
  ~ShellPipe() {
    if (pid_ > 0) wait();
  }
  FILE* file() const { return fh_; }
  // Call after the FILE* was closed (gnuplot-iostream fcloses it). Returns the
  // wait status.
  int wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE)) {
      const timespec zero{0, 0};
      sigtimedwait(&pipe_set, nullptr, &zero);
    }
    restore_mask();
    return status;
  }

 private:
  void restore_mask() { pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr); }
  sigset_t old_mask_{};
  pid_t pid_ = -1;
  FILE* fh_ = nullptr;
};

struct Target {
  const char* ext;
  const char* terminal;  // printf-style: width, height
};

void write_terminal(gnuplotio::Gnuplot& gp, const Target& t, const RenderOptions& opt) {
  gp << "set terminal " << t.terminal << " noenhanced size " << opt.width << "," << opt.height
     << " font 'DejaVu Sans,10'" << (std::strcmp(t.ext, "svg") == 0 ? " dynamic background '#ffffff'" : "")
     << "\n";
}

void write_lines(gnuplotio::Gnuplot& gp, const Graph& g) {
  size_t drawn = 0;
  for (const Line& l : g.lines) drawn += l.points.empty() ? 0 : 1;
  gp << "set grid\n";
  // Many legend entries would cover the data: put them under the plot.
  gp << (drawn + g.hlines.size() > 4 ? "set key below\n" : "set key top right opaque box\n");
  gp << "set autoscale xfix\n";
  if (g.log_x) gp << "set logscale x 10\n";
  gp << "set yrange [0:*]\n";
  if (g.logx2) gp << "set logscale x 2\nset offsets graph 0.03, graph 0.03, 0, 0\n";
  if (!g.xtics.empty()) {
    gp << "set xtics (";
    for (size_t i = 0; i < g.xtics.size(); ++i)
      gp << (i ? ", " : "") << gnuplot_quote(g.xtics[i].second) << " " << g.xtics[i].first;
    gp << ")\n";
  }
  gp << "plot ";
  bool first = true;
  for (const Line& l : g.lines) {
    if (l.points.empty()) continue;
    gp << (first ? "" : ", \\\n     ") << "'-' using 1:2 with " << l.style << " title "
       << gnuplot_quote(l.title);
    first = false;
  }
  for (const HLine& h : g.hlines) {
    gp << (first ? "" : ", \\\n     ") << h.y << " with " << h.style << " title " << gnuplot_quote(h.title);
    first = false;
  }
  gp << "\n";
  for (const Line& l : g.lines)
    if (!l.points.empty()) gp.send1d(l.points);
}

// Whether the x labels of a bar chart fit side by side: each cluster gets an
// equal slot of the plot's width (about the image minus 150 px of margins),
// and DejaVu Sans at 10 pt averages under 7 px per character. When they do
// not fit (compare graphs label "RUN-ID: job read", 35 characters, which
// overlapped from two runs on), they stand vertical, ending at their tic:
// vertical labels never touch while a slot is wider than one text line
// (14 px); gnuplot sizes the bottom margin to the rotated labels.
bool bar_labels_fit(const Graph& g, int width) {
  size_t longest = 0;
  for (const BarGroup& b : g.bars) longest = std::max(longest, b.label.size());
  const double slot = std::max(1.0, static_cast<double>(width) - 150.0) / static_cast<double>(std::max<size_t>(1, g.bars.size()));
  return static_cast<double>(longest) * 7.0 + 12.0 <= slot;
}

void write_bars(gnuplotio::Gnuplot& gp, const Graph& g, int width) {
  static const char* colors[] = {"#9ecae1", "#3182bd", "#08519c", "#fdae6b"};
  gp << "set grid ytics\n"
        "set key top right opaque box\n"
        "set style data histograms\n"
        "set style histogram clustered gap 1\n"
        "set style fill solid 1.0 border -1\n"
        "set yrange [0:*]\n";
  if (!bar_labels_fit(g, width)) gp << "set xtics rotate by 90 right scale 0\n";
  else gp << "set xtics scale 0\n";
  gp << "$bars << EOD\n";
  for (const BarGroup& b : g.bars) {
    std::string label = b.label;
    for (char& c : label)
      if (c == '"') c = '\'';
    gp << '"' << label << '"';
    for (double v : b.values) gp << ' ' << v;
    gp << "\n";
  }
  gp << "EOD\n";
  gp << "plot ";
  for (size_t i = 0; i < g.bar_columns.size(); ++i) {
    gp << (i ? ", \\\n     " : "") << (i ? "''" : "$bars") << " using " << i + 2 << (i ? "" : ":xtic(1)")
       << " title " << gnuplot_quote(g.bar_columns[i]) << " lc rgb '" << colors[i % 4] << "'";
  }
  gp << "\n";
}

// A heat map (a sweep's iodepth x numjobs): one filled box per cell with a
// value, coloured on a white-to-blue scale, the value printed in it. Boxes
// from "col row value" rows rather than a matrix image, so a cell without a
// value (a point that did not run) is simply left out: gnuplot warns on
// every missing value of a matrix.
void write_heat(gnuplotio::Gnuplot& gp, const Graph& g) {
  auto tics = [&](const char* axis, const std::vector<std::string>& labels) {
    gp << "set " << axis << " (";
    for (size_t i = 0; i < labels.size(); ++i) gp << (i ? ", " : "") << gnuplot_quote(labels[i]) << " " << i;
    gp << ") scale 0\n";
  };
  gp << "unset key\nset palette defined (0 '#deebf7', 1 '#6baed6', 2 '#08306b')\n";
  if (!g.heat_unit.empty()) gp << "set cblabel " << gnuplot_quote(g.heat_unit) << "\n";
  gp << "set cbrange [0:*]\n";
  gp << "set xrange [-0.5:" << g.heat_columns.size() - 0.5 << "]\nset yrange [-0.5:" << g.heat_rows.size() - 0.5
     << "]\n";
  tics("xtics", g.heat_columns);
  tics("ytics", g.heat_rows);
  gp << "$heat << EOD\n";
  for (size_t r = 0; r < g.heat.size(); ++r)
    for (size_t c = 0; c < g.heat[r].size(); ++c)
      if (!std::isnan(g.heat[r][c])) gp << c << " " << r << " " << std::to_string(g.heat[r][c]) << "\n";
  gp << "EOD\n";
  gp << "plot $heat using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder fc palette notitle, \\\n"
        "     $heat using 1:2:(sprintf('%.0f', $3)) with labels font ',9' tc rgb '#d62728' notitle\n";
}

}  // namespace

std::vector<std::string> render_graphs(const std::vector<Graph>& graphs, const std::string& out_dir,
                                       const RenderOptions& opt) {
  std::vector<const Graph*> todo;
  for (const Graph& g : graphs)
    if (has_data(g)) todo.push_back(&g);
  std::vector<std::string> outputs;
  if (todo.empty()) return outputs;
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) throw PlotError(1, "cannot create output directory " + out_dir + ": " + ec.message());

  const std::string prog = program_of(opt.gnuplot_cmd);
  if (prog.find("gnuplot") != std::string::npos && !found_in_path(prog))
    throw PlotError(1, "gnuplot not found ('" + prog + "' is not in PATH): " + kMissingHint);

  std::vector<Target> targets;
  if (opt.format != Format::svg) targets.push_back({"png", "pngcairo"});
  if (opt.format != Format::png) targets.push_back({"svg", "svg"});

  ShellPipe child(opt.gnuplot_cmd, out_dir);
  bool stream_ok = true;
  {
    gnuplotio::Gnuplot gp(child.file());
    // 7 significant digits: far below a pixel, and stable text for golden files.
    gp << std::defaultfloat << std::setprecision(7);
    gp << "# fiokit plot: " << todo.size() * targets.size() << " image(s)\n";
    for (const Graph* g : todo) {
      for (const Target& t : targets) {
        const std::string file = g->name + "." + t.ext;
        outputs.push_back((fs::path(out_dir) / file).string());
        gp << "reset\n";
        write_terminal(gp, t, opt);
        gp << "set encoding utf8\n";
        gp << "set output " << gnuplot_quote(file) << "\n";
        gp << "set title " << gnuplot_quote(g->title) << "\n";
        if (!g->xlabel.empty()) gp << "set xlabel " << gnuplot_quote(g->xlabel) << "\n";
        gp << "set ylabel " << gnuplot_quote(g->ylabel) << "\n";
        if (!g->heat.empty()) write_heat(gp, *g);
        else if (g->bar_columns.empty()) write_lines(gp, *g);
        else write_bars(gp, *g, opt.width);
      }
    }
    // Closing the output makes the terminal finish the last file before exit.
    gp << "unset output\n";
    gp.flush();
    stream_ok = !gp.fail();
  }  // gnuplot-iostream closes the pipe here; gnuplot sees EOF and exits.
  const int status = child.wait();
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
    throw PlotError(1, "gnuplot command '" + opt.gnuplot_cmd + "' not found: " + kMissingHint);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string how = WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                              : "was killed by signal " + std::to_string(WTERMSIG(status));
    throw PlotError(1, "gnuplot ('" + opt.gnuplot_cmd + "') " + how + " while rendering into " + out_dir +
                           " (see its messages above)");
  }
  if (!stream_ok) throw PlotError(1, "writing the script to gnuplot ('" + opt.gnuplot_cmd + "') failed");
  if (!opt.check_outputs) return {};
  for (const std::string& out : outputs) {
    struct stat st {};
    if (::stat(out.c_str(), &st) != 0 || st.st_size == 0)
      throw PlotError(1, "gnuplot exited 0 but did not write " + out + " (or wrote an empty file)");
  }
  return outputs;
}

}  // namespace fiokit::plot
