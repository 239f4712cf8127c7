// The graphs of a sweep (fio-plot's signature): IOPS, mean latency and p99
// completion latency against the x dimension (iodepth when swept), one line
// per value of the line dimension (numjobs when swept), and an x × line heat
// map of IOPS; one set per combination of any further dimensions. Figures are
// read from each point's own results.json (the sub-run is an ordinary run
// directory), so the graphs show what the runs measured, not a copy.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "plot/graph.hpp"
#include "plot/render.hpp"
#include "results/sweep.hpp"

namespace fiokit::plot {

// Figures of each point of `m`, in its order: read from the point's sub-run
// results.json under sweep_dir, else the manifest's copy; nullopt for a point
// that has neither (not run, or its results unreadable).
std::vector<std::optional<results::PointFigures>> sweep_figures(const std::string& sweep_dir,
                                                                const results::SweepManifest& m);

// The graphs, as data (no gnuplot): names sweep-iops, sweep-lat-mean,
// sweep-lat-p99 and sweep-heatmap-iops, suffixed "-OPT_VALUE..." per
// combination of further dimensions. Empty when no dimension has two values.
std::vector<Graph> make_sweep_graphs(const results::SweepManifest& m,
                                     const std::vector<std::optional<results::PointFigures>>& figures);

// Reads sweep_dir/sweep.json and renders its graphs into out_dir. Returns the
// images written. Throws results::SweepError for an unreadable manifest,
// PlotError(2) when there is nothing to draw, PlotError(1) when gnuplot fails.
std::vector<std::string> plot_sweep(const std::string& sweep_dir, const std::string& out_dir,
                                    const RenderOptions& opt);

}  // namespace fiokit::plot
