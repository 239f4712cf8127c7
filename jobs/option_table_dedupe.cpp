// Option table, part "dedupe" (issue 15): dedupe_percentage, dedupe_mode,
// dedupe_working_set_percentage and dedupe_global, the share of write buffers
// that repeat earlier data and how the repeats are chosen (the generator is
// engine/dedupe.*, the buffers engine/io_buffers.*). Names, defaults and
// ranges follow `fio --cmdhelp` of 3.33; the checks fio 3.33 makes when it
// sets a job up (a working set needs size=, one file, and room beside the
// duplicates) are in jobs/parse.cpp's cross-option pass.
#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include "jobs/error.hpp"
#include "jobs/options.hpp"

namespace fiokit::jobs {

void add_dedupe_options(std::vector<OptionDef>& t) {
  const std::string buf = "Buffers and memory";
  t.push_back(Opt("dedupe_percentage", "Percent of write buffers that repeat earlier data (turns refill_buffers on)")
                  .integer(&JobSpec::dedupe_percentage).range(0, 100).cat(buf));
  t.push_back(Opt("dedupe_mode", "How duplicate buffers are made: repeat or working_set")
                  .enumeration({{"repeat", "repeat previous page"},
                                {"working_set", "choose a page randomly from the working set of dedupe_working_set_percentage"}},
                               [](JobSpec& s, const std::string& v, const ApplyCtx&) { s.dedupe_working_set = v == "working_set"; })
                  .def("repeat").cat(buf));
  t.push_back(Opt("dedupe_working_set_percentage",
                  "Working set of dedupe_mode=working_set, percent of size= in smallest writes")
                  .integer(&JobSpec::dedupe_working_set_percentage).range(0, 100).def("5").cat(buf));
  t.push_back(Opt("dedupe_global", "Share the dedupe working set between the jobs that set it")
                  .boolean(&JobSpec::dedupe_global).def("0").cat(buf));
}

}  // namespace fiokit::jobs

namespace fiokit::jobs {

// fio 3.33 refuses these when it sets the job up (exit 1 there, with these
// reasons); fiokit refuses them at parse time with the option's file:line.
// A working set of 0 pages (fio indexes an empty array: every duplicate
// becomes one unrelated block) is refused too.
void validate_dedupe(const JobSpec& s, const std::function<SourceLoc(std::string_view)>& where) {
  if (!s.dedupe_percentage || !s.dedupe_working_set) return;
  if (!s.size)
    fail_at(where("dedupe_mode"), s.size_percent ? "dedupe_mode=working_set needs size= in bytes (not a percentage)"
                                                 : "dedupe_mode=working_set needs size= (fio: pregenerated dedupe working set requires size to be set)");
  const size_t files = std::max<size_t>(s.nrfiles, s.filenames.size());
  if (files != 1)
    fail_at(where("dedupe_mode"), fmt::format("dedupe_mode=working_set works on one file per job, but the job has {}", files));
  if (s.dedupe_working_set_percentage + s.dedupe_percentage > 100)
    fail_at(where("dedupe_working_set_percentage"),
            fmt::format("dedupe_percentage={} cannot be reached: dedupe_working_set_percentage={} of size are unique pages, "
                        "and the two add up to more than 100",
                        s.dedupe_percentage, s.dedupe_working_set_percentage));
  uint64_t min_write = s.bs[Dir::write];
  if (s.bsrange[Dir::write].first) min_write = std::min(min_write, s.bsrange[Dir::write].first);
  for (const auto& e : s.bssplit[Dir::write]) min_write = std::min(min_write, e.bs);
  if (min_write && s.size * s.dedupe_working_set_percentage / 100 / min_write == 0)
    fail_at(where("dedupe_working_set_percentage"),
            fmt::format("the dedupe working set is empty: {}% of size={} holds no whole block of {} bytes",
                        s.dedupe_working_set_percentage, s.size, min_write));
}

}  // namespace fiokit::jobs
