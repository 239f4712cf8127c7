// libFuzzer target for the results.json reader: arbitrary bytes are a
// results.json that serve and compare read from a run made anywhere (fiokit,
// fio 3.33's json / json+, hand edits, a truncated copy). The bytes are written
// to a file and read the way `fiokit compare` reads it (results::load_run:
// read_fio_json, job_samples_of, the percentile check on the raw document);
// RunLoadError is the documented answer to text that is not fio's schema.
// Anything else escaping, a crash, a sanitizer report, a hang or a memory
// blow-up is a finding. A run that loads then goes through what its readers
// do with it: the gate (compare_runs and its four reports), the summaries and
// every writer (fiokit's own output of a run it read), serve's JSON API body
// and table rows; and what fiokit writes must read back. The same bytes also
// go through the json+ latency-bin reader `fiokit serve` uses for its
// histogram pages (read_json_plus_dists; std::runtime_error is its answer to
// text that is not JSON), then through what serve does with the tracks (the
// per-metric sums, percentiles, coarser views). Built only with
// -DFIOKIT_FUZZ=ON and clang (see scripts/fuzz).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "results/compare.hpp"
#include "results/gate_report.hpp"
#include "results/json_reader.hpp"
#include "results/json_writer.hpp"
#include "results/latency_dist.hpp"
#include "results/normal_writer.hpp"
#include "results/repeats.hpp"
#include "results/run_source.hpp"
#include "results/summary.hpp"
#include "results/terse_writer.hpp"
#include "serve/api.hpp"

namespace {
using namespace fiokit;

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "json_fuzzer: %s\n", what.c_str());
  std::abort();
}

// One file per fuzzing process (libFuzzer's -fork/-jobs run several), under
// $TMPDIR (scripts/fuzz points it into build-fuzz/). Never destroyed, so the
// exit handler that removes it can still read it.
const std::string& scratch_file() {
  static const std::string* const path = [] {
    const char* tmp = std::getenv("TMPDIR");
    auto* p = new std::string(std::string(tmp && *tmp ? tmp : "/tmp") + "/fiokit-json-fuzzer." +
                              std::to_string(::getpid()) + ".json");
    std::atexit([] { ::unlink(scratch_file().c_str()); });
    return p;
  }();
  return *path;
}

// What fiokit does with a run it read, beyond reading it.
void use_run(const results::RunResult& run) {
  (void)results::summarize_run(run);
  (void)results::write_normal(run);
  (void)results::write_terse(run);
  (void)serve::summary_rows(run);
  serve::RunInfo info;
  info.id = "fuzz";
  info.results_file = "results.json";
  info.result = std::make_shared<const results::RunResult>(run);
  (void)serve::render_run_json(info);
  // fiokit's own json+ of a run it read is a results.json someone will read.
  for (bool plus : {false, true}) {
    const std::string again = results::write_json(run, plus);
    try {
      (void)results::read_fio_json(again);
    } catch (const std::exception& e) {
      finding(std::string("write_json(plus=") + (plus ? "1" : "0") + ") output does not read back: " + e.what());
    }
  }
}
// serve's /hist pages on a json+ document: the bins of each job's latencies.
void use_dists(std::string_view text) {
  std::vector<results::DistTrack> tracks;
  try {
    tracks = results::read_json_plus_dists(text);
  } catch (const std::runtime_error&) {
    return;
  }
  for (const auto& t : tracks) {
    if (t.ddir < 0 || t.ddir > 2) finding("read_json_plus_dists gave a direction outside 0..2");
    if (t.dist.coarseness < 0 || t.dist.coarseness > 6) finding("read_json_plus_dists gave a coarseness outside 0..6");
    if (t.dist.total() == 0) continue;
    uint64_t last = 0;
    for (double p : {1.0, 50.0, 99.9, 100.0}) {
      const uint64_t v = results::dist_percentile(t.dist, p);
      if (v < last) finding("dist_percentile decreases with p");
      last = v;
    }
    if (t.dist.coarseness < 6 && t.dist.coarsened(6).total() != t.dist.total()) finding("coarsened() lost counts");
  }
  try {
    (void)results::sum_tracks(tracks);
  } catch (const std::invalid_argument&) {
    // add(): a coarser track cannot be split into finer bins (documented).
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& file = scratch_file();
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out) finding("cannot write " + file);
  }
  use_dists(std::string_view(reinterpret_cast<const char*>(data), size));
  results::LoadedRun run;
  try {
    run = results::load_run(file);
  } catch (const results::RunLoadError& e) {
    if (std::string(e.what()).rfind(file, 0) != 0) finding(std::string("RunLoadError does not name the file: ") + e.what());
    // serve lists an unreadable run with its error, which quotes the input
    // (any bytes): the JSON API must still render.
    auto info = std::make_shared<serve::RunInfo>();
    info->id = "fuzz";
    info->error = e.what();
    (void)serve::render_run_json(*info);
    (void)serve::render_runs_json({info});
    return 0;
  }
  if (run.runs.size() != 1 || run.samples.size() != 1) finding("one file gave other than one run");

  // A run is always comparable with itself; the gate and its reports run on it.
  if (!results::incomparable_reasons(run, run, results::default_compared_options()).empty())
    finding("a run is not comparable with itself");
  const results::Comparison c = results::compare_runs(run, run, results::CompareOptions{});
  (void)results::render_gate_table(c);
  (void)results::render_gate_markdown(c);
  (void)results::render_gate_junit(c);
  (void)results::render_gate_json(c);
  (void)results::summarize_repeats(run.runs);

  use_run(run.runs.front());
  return 0;
}
