// `fiokit sweep` without running anything: the matrix expansion (order, size,
// refused lists), point names, the manifest's round trip, the choice of graph
// axes, and the graphs as data (one line per numjobs, a heat map cell per
// point, a gap where a point has no figures).
#include <catch2/catch.hpp>

#include <cmath>

#include "plot/sweep_graphs.hpp"
#include "results/sweep.hpp"

using namespace fiokit;
using results::SweepDimension;

TEST_CASE("expand_sweep: every combination, the last dimension fastest", "[sweep]") {
  const std::vector<SweepDimension> dims = {{"iodepth", {"1", "2", "4"}}, {"numjobs", {"1", "2"}}};
  const auto pts = results::expand_sweep(dims);
  REQUIRE(pts.size() == 6);
  CHECK(results::point_key(pts[0]) == "iodepth=1 numjobs=1");
  CHECK(results::point_key(pts[1]) == "iodepth=1 numjobs=2");
  CHECK(results::point_key(pts[2]) == "iodepth=2 numjobs=1");
  CHECK(results::point_key(pts[5]) == "iodepth=4 numjobs=2");
  CHECK(results::point_label(pts[5]) == "iodepth_4-numjobs_2");
  // Three dimensions: 2 x 1 x 3.
  const auto three = results::expand_sweep({{"bs", {"4k", "64k"}}, {"rw", {"randread"}}, {"iodepth", {"1", "8", "64"}}});
  REQUIRE(three.size() == 6);
  CHECK(results::point_key(three[3]) == "bs=64k rw=randread iodepth=1");
  // No dimension: the job as it is, once.
  CHECK(results::expand_sweep({}).size() == 1);
  CHECK_THROWS_AS(results::expand_sweep({{"iodepth", {}}}), results::SweepError);
}

TEST_CASE("split_sweep_values refuses empty lists and empty values, naming the option", "[sweep]") {
  CHECK(results::split_sweep_values("bs", "4k, 64k") == std::vector<std::string>{"4k", "64k"});
  CHECK(results::split_sweep_values("iodepth", "8") == std::vector<std::string>{"8"});
  for (const char* bad : {"", " ", "1,,4", "4,", ",4"}) {
    try {
      results::split_sweep_values("iodepth", bad);
      FAIL("accepted '" << bad << "'");
    } catch (const results::SweepError& e) {
      CHECK(std::string(e.what()).find("--iodepth") != std::string::npos);
    }
  }
}

namespace {

results::SweepManifest sample_manifest() {
  results::SweepManifest m;
  m.version = "0.1.0";
  m.job_files = {"job.fio"};
  m.dimensions = {{"numjobs", {"1", "2"}}, {"iodepth", {"1", "4", "16"}}};
  for (const auto& p : results::expand_sweep(m.dimensions)) m.points.push_back({p, "ok", "runs/x-" + results::point_label(p), "", 0, std::nullopt});
  for (size_t i = 0; i < m.points.size(); ++i)
    m.points[i].figures = results::PointFigures{1000.0 * static_cast<double>(i + 1), 4096000.0 * static_cast<double>(i + 1),
                                                2000.0 + static_cast<double>(i), 9000.0, 100};
  m.started_ms = 1700000000000;
  return m;
}

}  // namespace

TEST_CASE("the manifest reads back as written", "[sweep]") {
  auto m = sample_manifest();
  m.points[4].status = "failed";
  m.points[4].error = "job 'x' failed: EIO";
  m.points[4].exit_code = 1;
  m.points[5].status = "skipped";
  m.points[5].figures.reset();
  m.points[5].run.clear();
  m.interrupted = true;
  const auto back = results::read_sweep_manifest(results::write_sweep_manifest(m));
  REQUIRE(back.dimensions.size() == 2);
  CHECK(back.dimensions[1].option == "iodepth");
  CHECK(back.dimensions[1].values == std::vector<std::string>{"1", "4", "16"});
  REQUIRE(back.points.size() == 6);
  CHECK(back.points[4].status == "failed");
  CHECK(back.points[4].error == "job 'x' failed: EIO");
  CHECK(back.points[4].exit_code == 1);
  CHECK(back.points[5].status == "skipped");
  CHECK_FALSE(back.points[5].figures);
  REQUIRE(back.points[2].figures);
  CHECK(back.points[2].figures->iops == 3000.0);
  CHECK(results::point_key(back.points[3].settings) == "numjobs=2 iodepth=1");
  CHECK(back.interrupted);
  CHECK_THROWS_AS(results::read_sweep_manifest("{\"points\": []}"), results::SweepError);
  CHECK_THROWS_AS(results::read_sweep_manifest("not json"), results::SweepError);
}

TEST_CASE("graph axes: iodepth across, one line per numjobs, whatever the order given", "[sweep]") {
  const auto m = sample_manifest();  // numjobs first, iodepth second
  const auto axes = results::sweep_axes(m);
  CHECK(axes.x == 1);
  CHECK(axes.lines == 0);
  std::vector<std::optional<results::PointFigures>> figs;
  for (const auto& p : m.points) figs.push_back(p.figures);
  figs[2].reset();  // numjobs=1 iodepth=16 did not run: a gap, not a zero
  const auto graphs = plot::make_sweep_graphs(m, figs);
  REQUIRE(graphs.size() == 4);
  const plot::Graph& iops = graphs[0];
  CHECK(iops.name == "sweep-iops");
  CHECK(iops.logx2);
  REQUIRE(iops.lines.size() == 2);  // numjobs=1 and numjobs=2
  CHECK(iops.lines[0].title == "numjobs=1");
  CHECK(iops.lines[1].title == "numjobs=2");
  CHECK(iops.lines[0].points.size() == 2);
  CHECK(iops.lines[1].points.size() == 3);
  CHECK(iops.lines[1].points[2] == plot::Point{16.0, 6000.0});
  CHECK(iops.lines[0].style != iops.lines[1].style);
  CHECK(graphs[1].name == "sweep-lat-mean");
  CHECK(graphs[1].lines[0].points[0].second == Approx(2.0));  // 2000 ns in us
  CHECK(graphs[2].name == "sweep-lat-p99");
  const plot::Graph& heat = graphs[3];
  CHECK(heat.name == "sweep-heatmap-iops");
  REQUIRE(heat.heat.size() == 2);
  REQUIRE(heat.heat[0].size() == 3);
  CHECK(heat.heat[1][0] == 4000.0);
  CHECK(std::isnan(heat.heat[0][2]));
}

TEST_CASE("text values are placed in order and labelled; a third dimension splits the graphs", "[sweep]") {
  results::SweepManifest m;
  m.dimensions = {{"rw", {"randread", "randwrite"}}, {"bs", {"4k", "64k"}}, {"iodepth", {"1", "2"}}};
  for (const auto& p : results::expand_sweep(m.dimensions)) m.points.push_back({p, "ok", "", "", 0, results::PointFigures{1, 1, 1, 1, 1}});
  const auto axes = results::sweep_axes(m);
  CHECK(axes.x == 2);      // iodepth
  CHECK(axes.lines == 0);  // the first other dimension with two values: rw
  std::vector<std::optional<results::PointFigures>> figs;
  for (const auto& p : m.points) figs.push_back(p.figures);
  const auto graphs = plot::make_sweep_graphs(m, figs);
  REQUIRE(graphs.size() == 8);  // 4 per bs value
  CHECK(graphs[0].name == "sweep-iops-bs_4k");
  CHECK(graphs[4].name == "sweep-iops-bs_64k");
  CHECK(graphs[0].title.find("bs=4k") != std::string::npos);
  CHECK_FALSE(graphs[0].logx2);  // 1..2 spans less than a factor of 4

  results::SweepManifest bs;
  bs.dimensions = {{"bs", {"4k", "64k", "1m"}}};
  for (const auto& p : results::expand_sweep(bs.dimensions)) bs.points.push_back({p, "ok", "", "", 0, results::PointFigures{1, 1, 1, 1, 1}});
  const auto g = plot::make_sweep_graphs(bs, {bs.points[0].figures, bs.points[1].figures, bs.points[2].figures});
  REQUIRE(g.size() == 3);  // no second dimension: no heat map
  REQUIRE(g[0].xtics.size() == 3);
  CHECK(g[0].xtics[2] == std::pair<double, std::string>{2.0, "1m"});
}
