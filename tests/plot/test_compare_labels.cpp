// The compare stats chart's x labels must not overlap (issue 17 item 5): run
// ids make labels like "20261120T100000Z-baseline: randread-job read", which
// stood side by side on top of each other from two runs on. Rendered by the
// real gnuplot as SVG, laid out by headless Chromium: a script measures every
// x tic label's box (getBoundingClientRect, transforms applied) and the test
// checks that no two boxes intersect and that each lies inside the image.
// Tagged [browser]: CTest's plot-browser entry skips (77) without chromium or
// gnuplot.
#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>

#include "plot_test_util.hpp"

using plottest::TempDir;

namespace {

const char* kChromium = "/usr/bin/chromium";

struct Box {
  std::string text;
  double left, top, right, bottom;
};

// Lays the SVG out in Chromium and returns the boxes of the texts containing
// `marker` (our labels all hold it), as the page's script measured them.
std::vector<Box> label_boxes(const TempDir& tmp, const std::string& svg_file, const std::string& marker, Box& image) {
  std::string svg = plottest::read_file(svg_file);
  const size_t start = svg.find("<svg");
  REQUIRE(start != std::string::npos);
  svg = svg.substr(start);
  const std::string page = "<!doctype html><html><body style=\"margin:0\">" + svg +
                           "<pre id=\"boxes\"></pre><script>\n"
                           "var out = [];\n"
                           "document.querySelectorAll('svg text').forEach(function (t) {\n"
                           "  if (t.textContent.indexOf('" + marker + "') < 0) return;\n"
                           "  var r = t.getBoundingClientRect();\n"
                           "  out.push([r.left, r.top, r.right, r.bottom].map(function (v) { return v.toFixed(1); })"
                           ".join(' ') + ' ' + t.textContent);\n"
                           "});\n"
                           "var svgBox = document.querySelector('svg').getBoundingClientRect();\n"
                           "document.getElementById('boxes').textContent = 'SVG ' + [svgBox.left, svgBox.top, "
                           "svgBox.right, svgBox.bottom].map(function (v) { return v.toFixed(1); }).join(' ') + '\\n' + "
                           "out.join('\\n');\n"
                           "</script></body></html>\n";
  plottest::write_file(tmp / "labels.html", page);
  const auto r = plottest::run_command(
      std::string("timeout 120 ") + kChromium +
          " --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking"
          " --disable-component-update --disable-sync --disable-dev-shm-usage --user-data-dir=" +
          plottest::shell_quote(tmp / "profile") + " --window-size=1400,900 --virtual-time-budget=3000 --dump-dom " +
          plottest::shell_quote("file://" + tmp / "labels.html") + " 2>/dev/null",
      tmp.path());
  const std::regex pre(R"(<pre id="boxes">([\s\S]*?)</pre>)");
  std::smatch m;
  REQUIRE(std::regex_search(r.out, m, pre));
  std::vector<Box> boxes;
  const std::string text = m[1];
  // The image's own box: the SVG scales to the window, so bounds are relative to it.
  std::smatch sm;
  REQUIRE(std::regex_search(text, sm, std::regex(R"(SVG (-?[0-9.]+) (-?[0-9.]+) (-?[0-9.]+) (-?[0-9.]+))")));
  image = {"SVG", std::stod(sm[1]), std::stod(sm[2]), std::stod(sm[3]), std::stod(sm[4])};
  const std::regex line(R"((-?[0-9.]+) (-?[0-9.]+) (-?[0-9.]+) (-?[0-9.]+) ([^\n]+))");
  for (std::sregex_iterator it(text.begin(), text.end(), line), end; it != end; ++it) {
    const auto& x = *it;
    if (x[5] == "SVG") continue;
    boxes.push_back({x[5], std::stod(x[1]), std::stod(x[2]), std::stod(x[3]), std::stod(x[4])});
  }
  return boxes;
}

bool intersect(const Box& a, const Box& b) {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

}  // namespace

TEST_CASE("the compare stats chart's x labels do not overlap", "[browser][gnuplot]") {
  REQUIRE(plottest::have_program("gnuplot"));
  REQUIRE(plottest::have_program(kChromium));
  // Two, three and four runs with long ids: the widths where labels collided.
  for (int runs = 2; runs <= 4; ++runs) {
    TempDir tmp;
    std::vector<std::string> args{"--compare"};
    for (int i = 0; i < runs; ++i) {
      const std::string id = "2026112" + std::to_string(i) + "T100000Z-baseline-run";
      std::filesystem::create_directories(tmp / id);
      plottest::write_file(tmp / id + "/randread-job_bw.1.log", plottest::synthetic_log(200, 10, 300'000 + 1000 * i));
      args.push_back(id);
    }
    args.insert(args.end(), {"-d", "cmp", "--format", "svg"});
    const auto r = plottest::run_plot(args, tmp.path());
    INFO(runs << " runs: " << r.err);
    REQUIRE(r.exit_code == 0);
    const std::string svg = tmp / "cmp/compare-bw-stats.svg";
    REQUIRE(plottest::file_exists(svg));
    Box image{};
    const std::vector<Box> boxes = label_boxes(tmp, svg, ": randread-job", image);
    // One label per run (the title names the runs too, but not the job).
    REQUIRE(boxes.size() == static_cast<size_t>(runs));
    for (size_t a = 0; a < boxes.size(); ++a) {
      INFO(boxes[a].text << ": " << boxes[a].left << "," << boxes[a].top << " - " << boxes[a].right << ","
                         << boxes[a].bottom);
      CHECK(boxes[a].right - boxes[a].left > 1);
      CHECK(boxes[a].left >= image.left);  // not cut off at the image's edges
      CHECK(boxes[a].right <= image.right);
      CHECK(boxes[a].bottom <= image.bottom);
      for (size_t b = a + 1; b < boxes.size(); ++b) {
        INFO("against " << boxes[b].text);
        CHECK_FALSE(intersect(boxes[a], boxes[b]));
      }
    }
  }
}
