// Range header resolution for raw files (see ranges.hpp): a small hand parser
// of "bytes=" first-last / first- / -suffix lists with optional whitespace
// around the commas, saturating on huge numbers instead of overflowing.
#include "serve/ranges.hpp"

#include <limits>
#include <vector>

namespace fiokit::serve {

namespace {

constexpr uint64_t kHuge = std::numeric_limits<uint64_t>::max();
// More ranges than any client needs for one file; past this the header is
// ignored rather than scanned further (the request head is capped anyway).
constexpr size_t kMaxRanges = 64;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads digits at s[i...]; a value that does not fit saturates at kHuge, which
// lies past every file and so resolves as unsatisfiable, never as a wrap.
bool read_number(std::string_view s, size_t& i, uint64_t& v) {
  if (i >= s.size() || !is_digit(s[i])) return false;
  v = 0;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    const auto d = static_cast<uint64_t>(s[i] - '0');
    v = v > (kHuge - d) / 10 ? kHuge : v * 10 + d;
  }
  return true;
}

void skip_ows(std::string_view s, size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
}

struct Spec {
  bool suffix;     // "-N": the last N bytes
  uint64_t first;  // or the suffix length
  uint64_t last;   // kHuge when open-ended
};

bool parse_specs(std::string_view h, std::vector<Spec>& out) {
  constexpr std::string_view unit = "bytes=";
  if (h.size() < unit.size()) return false;
  for (size_t k = 0; k < unit.size(); ++k) {
    const char c = h[k] >= 'A' && h[k] <= 'Z' ? static_cast<char>(h[k] - 'A' + 'a') : h[k];
    if (c != unit[k]) return false;
  }
  size_t i = unit.size();
  for (;;) {
    skip_ows(h, i);
    Spec sp{false, 0, kHuge};
    if (i < h.size() && h[i] == '-') {
      ++i;
      sp.suffix = true;
      if (!read_number(h, i, sp.first)) return false;
    } else {
      if (!read_number(h, i, sp.first)) return false;
      if (i >= h.size() || h[i] != '-') return false;
      ++i;
      if (i < h.size() && is_digit(h[i])) {
        read_number(h, i, sp.last);
        if (sp.last < sp.first) return false;  // "5-3" makes the whole header invalid
      }
    }
    if (out.size() == kMaxRanges) return false;
    out.push_back(sp);
    skip_ows(h, i);
    if (i == h.size()) return true;
    if (h[i] != ',') return false;
    ++i;
  }
}

}  // namespace

RangeAnswer resolve_range(std::string_view header, uint64_t size) {
  RangeAnswer a;
  std::vector<Spec> specs;
  if (header.empty() || !parse_specs(header, specs)) return a;
  size_t satisfiable = 0;
  for (const Spec& sp : specs) {
    // Satisfiable: a first byte inside the file, or a non-empty suffix of a
    // non-empty file.
    if (sp.suffix ? (sp.first > 0 && size > 0) : sp.first < size) ++satisfiable;
  }
  if (satisfiable == 0) {
    a.kind = RangeAnswer::unsatisfiable;
    return a;
  }
  if (specs.size() > 1) return a;  // several ranges: the whole file, once
  const Spec& sp = specs.front();
  a.kind = RangeAnswer::partial;
  if (sp.suffix) {
    a.length = sp.first < size ? sp.first : size;
    a.offset = size - a.length;
  } else {
    a.offset = sp.first;
    const uint64_t last = sp.last < size ? sp.last : size - 1;
    a.length = last - sp.first + 1;
  }
  return a;
}

}  // namespace fiokit::serve
