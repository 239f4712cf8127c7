// The compare page's gate section: each picked run against the first (the
// baseline) through the same compare gate as `fiokit compare` (verdict,
// repeats per side, regressions, invalid reasons, the too-few-repeats
// warning), and warnings when the runs differ in the options that decide what
// is measured (rw, bs, iodepth, ioengine, rate caps). Run files are read
// through the served Root only, so a symlink cannot pull in outside data.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "results/compare.hpp"
#include "results/run_source.hpp"
#include "serve/confine.hpp"
#include "serve/run_index.hpp"

namespace fiokit::serve {

// The most distinct runs one compare page takes: each is parsed (every
// repeat), so the count bounds the request's memory and time.
constexpr size_t kCompareMaxRuns = 16;

// The run ids of a compare request, from run=ID parameters then runs=A,B,...,
// in order with duplicates dropped. Empty with *error set beyond kCompareMaxRuns.
std::vector<std::string> compare_ids(const std::vector<std::string>& run_params, const std::string& runs_list,
                                     std::string* error);

// The run as the gate reads it, through the root: every
// repeats/<N>/results.json when the run has them (`fiokit run --repeat N`),
// else its results file; from a small cache while every file's mtime and
// size are as when it was parsed. Throws results::RunLoadError naming the file.
std::shared_ptr<const results::LoadedRun> load_gate_run(const Root& root, const RunInfo& r);

// Held while a compare page is computed: at most two at a time (each may
// hold many parsed runs), more requests wait.
class CompareSlot {
 public:
  CompareSlot();
  ~CompareSlot();
  CompareSlot(const CompareSlot&) = delete;
  CompareSlot& operator=(const CompareSlot&) = delete;
};

// One HTML list item, escaped.
std::string list_item(const std::string& text);
// The list items of one comparison (the gate's rows and the sweep pages'
// points): why it is invalid, each metric that did not pass with its reason,
// each improvement.
std::string comparison_items(const results::Comparison& c);

// How many runs the gate has parsed (cache misses), for the tests.
uint64_t compare_gate_loads();

// Options whose difference makes two runs measure different things; the page
// warns about them (the CLI gate refuses them, with the rest of its list).
const std::vector<std::string>& compare_warning_options();

// HTML: <section class="gate"> with one row per compared run, and a
// <div class="warnings"> when options differ. "" for fewer than two runs.
// Runs are parsed once and cached by their files' mtime and size; at most two
// sections are computed at a time (more requests wait).
std::string render_gate_section(const Root& root, const std::vector<std::shared_ptr<const RunInfo>>& runs);

}  // namespace fiokit::serve
