// --debug=parse (fio's debug category "parse"): one line per job option as it
// is read, with what it was read as where that is not plain from the text.
// fio's own test suite (t/steadystate_tests.py) checks these lines for the
// steady-state limit ("set steady state IOPS threshold to 10.000000"), so that
// wording is fio's; the rest of the line is fiokit's. Issue 15, part ss.
#pragma once
#include <string>

#include "jobs/ini.hpp"
#include "jobs/options.hpp"

namespace fiokit::jobs {

// "parse: ss=iops:10 (command line): set steady state IOPS threshold to
// 10.000000". Never throws: a value that does not parse is only echoed (the
// parse proper reports it).
std::string describe_option(const OptionCatalog& cat, const RawOption& o);

}  // namespace fiokit::jobs
