// See quickstart.hpp. Also the quickstart's plotting step: `fiokit plot RUN`
// without its notes about empty logs, which a psync job always leaves (fio
// writes a _slat log that stays empty when no submission latency is
// measured); a first-time user reads them as something gone wrong.
#include "cli/quickstart.hpp"

#include <stdlib.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <system_error>

#include "plot/plot.hpp"

namespace fiokit::cli {

std::string make_quickstart_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/fiokit-quickstart-XXXXXX";
  if (!mkdtemp(tmpl.data())) throw std::system_error(errno, std::generic_category(), "cannot create " + tmpl);
  const std::string data = tmpl + "/data";
  if (::mkdir(data.c_str(), 0755) != 0) throw std::system_error(errno, std::generic_category(), "cannot create " + data);
  return tmpl;
}

int plot_quickstart_run(const std::string& run_dir) {
  try {
    const plot::PlotSummary s = plot::plot_run_dir(run_dir, "", plot::PlotOptions{});
    for (const std::string& n : s.notes)
      if (!n.ends_with(": empty log, skipped")) std::fprintf(stderr, "fiokit plot: %s\n", n.c_str());
    for (const std::string& img : s.images) std::printf("%s\n", img.c_str());
    return 0;
  } catch (const plot::PlotError& e) {
    std::fprintf(stderr, "fiokit plot: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fiokit plot: %s\n", e.what());
    return 1;
  }
}

}  // namespace fiokit::cli
