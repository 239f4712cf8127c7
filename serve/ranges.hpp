// Byte ranges for `fiokit serve`'s raw files (RFC 9110 section 14), resolved
// by fiokit rather than by cpp-httplib 0.11.4, which neither clamps a range to
// the file (a Content-Length larger than the body, a Content-Range past the
// end) nor bounds a multipart answer (a thousand overlapping ranges make a
// response a thousand times the file). The front layer takes the Range header
// away from httplib; the file route calls resolve_range with the file size.
#pragma once
#include <cstdint>
#include <string_view>

namespace fiokit::serve {

struct RangeAnswer {
  enum Kind {
    full,           // 200 with the whole file: no Range, an invalid one, or several ranges
    partial,        // 206 with [offset, offset + length)
    unsatisfiable,  // 416 with "Content-Range: bytes */SIZE"
  };
  Kind kind = full;
  uint64_t offset = 0;
  uint64_t length = 0;
};

// `header` is the Range value ("" when absent). A header that does not parse
// as "bytes=" ranges is ignored (RFC 9110 14.2: a server MAY ignore Range), so
// is a set of several ranges when at least one is satisfiable: fiokit never
// sends multipart/byteranges, so an answer is never larger than the file. Only
// when every range lies past the end (or is an empty suffix "-0") is it 416.
RangeAnswer resolve_range(std::string_view header, uint64_t size);

}  // namespace fiokit::serve
