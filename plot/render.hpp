// Renders Graph descriptions to PNG (pngcairo) and/or SVG with one gnuplot
// process per call. The gnuplot command is a parameter (DESIGN.md rule 11):
// tests pass "cat > FILE" to capture the exact script and compare it with a
// golden file. A render only counts when gnuplot exited 0 and every expected
// image exists and is non-empty, so a failed gnuplot never leaves a blank file
// passed off as a graph.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

#include "plot/graph.hpp"

namespace fiokit::plot {

enum class Format { png, svg, both };

// A plot that could not be made; exit_code follows the CLI rule (2 usage or
// input error, 1 gnuplot/I/O failure).
class PlotError : public std::runtime_error {
 public:
  PlotError(int exit_code, const std::string& what) : std::runtime_error(what), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

struct RenderOptions {
  // Run through /bin/sh -c in the output directory; gnuplot reads the script on
  // its standard input.
  std::string gnuplot_cmd = "gnuplot";
  Format format = Format::png;
  int width = 1280, height = 720;
  // false when gnuplot_cmd only captures the script (no images to check).
  bool check_outputs = true;
};

// Renders every graph that has data into out_dir (created if missing) and
// returns the image paths written. Graphs without lines or bars are skipped.
// Throws PlotError(1) when gnuplot is missing (naming the Debian package
// gnuplot-nox), exits non-zero, or leaves an expected image missing or empty.
std::vector<std::string> render_graphs(const std::vector<Graph>& graphs, const std::string& out_dir,
                                       const RenderOptions& opt);

// True when the graph has something to draw.
bool has_data(const Graph& g);

// Quotes a string for gnuplot: single quotes, embedded quotes doubled.
std::string gnuplot_quote(const std::string& s);

}  // namespace fiokit::plot
