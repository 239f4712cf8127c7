// How many errors one parse reports. A parse reports every error of the job
// files at once (one per line of the ParseError's message), up to this many:
// enough for any file a person wrote, bounded for a file of junk. The reader
// (ini.cpp) keeps as many unknown options per section, so the errors are the
// same whether it drops the rest or not. Its own header so that changing it
// rebuilds only the reader and the parse.
#pragma once
#include <cstddef>

namespace fiokit::jobs {

constexpr size_t kMaxReportedErrors = 20;

}  // namespace fiokit::jobs
