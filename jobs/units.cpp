// Value parsing for fio job files; see units.hpp for the rules and why we are
// stricter than fio 3.33. Every failure throws ValueError with a message that
// says what was expected; the caller adds the option name and file:line.
#include "jobs/units.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "jobs/error.hpp"

namespace fiokit::jobs {

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.emplace_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string lower(std::string_view s) {
  std::string r(s);
  for (auto& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

namespace {

constexpr double kMaxExact = 9007199254740992.0;  // 2^53: beyond it doubles skip integers

// Multiplier of a size suffix, case-insensitive, per kb_base (see units.hpp).
std::optional<double> size_multiplier(std::string_view suffix, int kb_base) {
  std::string s = lower(suffix);
  if (s.empty() || s == "b") return 1.0;
  if (!s.empty() && s.back() == 'b') s.pop_back();  // "kb", "kib" == "k", "ki"
  const std::string prefixes = "kmgtp";
  if (s.empty() || prefixes.find(s[0]) == std::string::npos) return std::nullopt;
  const int power = static_cast<int>(prefixes.find(s[0])) + 1;
  bool iec = false;
  if (s.size() == 2 && s[1] == 'i') iec = true;
  else if (s.size() != 1) return std::nullopt;
  // kb_base=1024 keeps fio's legacy inversion: "k" is 1024 and "ki" is 1000.
  const bool binary = (kb_base == 1024) ? !iec : iec;
  return std::pow(binary ? 1024.0 : 1000.0, power);
}

std::optional<double> time_multiplier_us(std::string_view suffix, TimeUnit def) {
  std::string s = lower(suffix);
  if (s.empty()) return static_cast<double>(static_cast<uint64_t>(def));
  if (s == "us" || s == "usec") return 1.0;
  if (s == "ms" || s == "msec") return 1e3;
  if (s == "s" || s == "sec") return 1e6;
  if (s == "m" || s == "min") return 60e6;
  if (s == "h") return 3600e6;
  if (s == "d") return 86400e6;
  return std::nullopt;
}

struct Number {
  double value;
  bool fractional;
  std::string suffix;
};

// Splits "12.5kib" into number and suffix; accepts 0x hex (no suffix then).
Number split_number(std::string_view t) {
  if (t.empty()) throw ValueError("empty value");
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    uint64_t v = 0;
    size_t i = 2;
    for (; i < t.size() && std::isxdigit(static_cast<unsigned char>(t[i])); ++i) {
      if (v >> 60) throw ValueError("'" + std::string(t) + "' is too large");
      v = v * 16 + static_cast<uint64_t>(std::isdigit(static_cast<unsigned char>(t[i]))
                                             ? t[i] - '0'
                                             : std::tolower(static_cast<unsigned char>(t[i])) - 'a' + 10);
    }
    if (i != t.size()) throw ValueError("'" + std::string(t) + "' is not a hexadecimal number");
    return {static_cast<double>(v), false, ""};
  }
  size_t i = 0;
  bool digits = false, frac = false;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, digits = true;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, digits = true, frac = true;
  }
  if (!digits) throw ValueError("'" + std::string(t) + "' is not a number");
  // strtod, not std::stod: 400 digits overflow to HUGE_VAL instead of throwing
  // std::out_of_range past the parser's error handling (found by fuzzing).
  const std::string number(t.substr(0, i));
  double v = std::strtod(number.c_str(), nullptr);
  if (!std::isfinite(v) || v >= kMaxExact * 1024) throw ValueError("'" + std::string(t) + "' is too large");
  return {v, frac, std::string(t.substr(i))};
}

// Recursive-descent evaluator for fio's parenthesised arithmetic.
class Expr {
 public:
  Expr(std::string_view s, int kb_base, bool time_ctx) : s_(s), kb_base_(kb_base), time_(time_ctx) {}
  double run() {
    double v = sum();
    skip();
    if (pos_ != s_.size()) bad("unexpected '" + std::string(1, s_[pos_]) + "'");
    return v;
  }

 private:
  [[noreturn]] void bad(const std::string& why) {
    // A hostile value can be 1 MiB long: quote its start, not all of it.
    const std::string shown = s_.size() <= 80 ? std::string(s_) : std::string(s_.substr(0, 64)) + "...(" + std::to_string(s_.size()) + " chars)";
    throw ValueError("bad arithmetic in '" + shown + "': " + why);
  }
  void skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool eat(char c) {
    skip();
    if (pos_ < s_.size() && s_[pos_] == c) return ++pos_, true;
    return false;
  }
  double sum() {
    double v = product();
    for (;;) {
      if (eat('+')) v += product();
      else if (eat('-')) v -= product();
      else return v;
    }
  }
  double product() {
    double v = power();
    for (;;) {
      if (eat('*')) v *= power();
      else if (eat('/')) {
        double d = power();
        if (d == 0) bad("division by zero");
        v /= d;
      } else if (eat('%')) {
        double d = power();
        if (d == 0) bad("modulus by zero");
        v = std::fmod(v, d);
      } else return v;
    }
  }
  // Every rule that calls itself holds one level of depth_ while it does:
  // "1^1^1..." and "----1" recurse without a parenthesis, and 200000 of them
  // overflowed the stack (SIGSEGV) before power() and unary() counted too.
  struct Deeper {
    Expr& e;
    explicit Deeper(Expr& x) : e(x) {
      if (++e.depth_ > kMaxDepth) e.bad("nested too deeply (more than " + std::to_string(kMaxDepth) + " levels of (), ^ or sign)");
    }
    ~Deeper() { --e.depth_; }
    Deeper(const Deeper&) = delete;
    Deeper& operator=(const Deeper&) = delete;
  };
  static constexpr int kMaxDepth = 64;
  double power() {
    double b = unary();
    if (eat('^')) {
      Deeper d(*this);
      return std::pow(b, power());
    }
    return b;
  }
  double unary() {
    if (eat('-')) {
      Deeper d(*this);
      return -unary();
    }
    if (eat('+')) {
      Deeper d(*this);
      return unary();
    }
    return primary();
  }
  double primary() {
    if (eat('(')) {
      Deeper d(*this);
      double v = sum();
      if (!eat(')')) bad("missing ')'");
      return v;
    }
    skip();
    size_t start = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.')) ++pos_;
    if (start == pos_) bad(pos_ < s_.size() ? "unexpected '" + std::string(1, s_[pos_]) + "'" : "value missing");
    Number n = split_number(s_.substr(start, pos_ - start));
    auto mult = time_ ? time_multiplier_us(n.suffix, TimeUnit::us) : size_multiplier(n.suffix, kb_base_);
    if (!mult) bad("unknown unit '" + n.suffix + "'");
    return n.value * *mult;
  }
  std::string_view s_;
  size_t pos_ = 0;
  int depth_ = 0;
  int kb_base_;
  bool time_;
};

uint64_t to_whole(double v, std::string_view text, const char* what) {
  if (!std::isfinite(v) || v < 0) throw ValueError("'" + std::string(text) + "' is negative; " + what + " must be >= 0");
  if (v >= kMaxExact) throw ValueError("'" + std::string(text) + "' is too large");
  if (std::fabs(v - std::round(v)) > 1e-6)
    throw ValueError("'" + std::string(text) + "' is not a whole number of " + what);
  return static_cast<uint64_t>(std::llround(v));
}

bool is_expression(std::string_view t) { return !t.empty() && t.front() == '(' ; }

}  // namespace

double eval_expression(std::string_view text, int kb_base, bool time_context) {
  return Expr(text, kb_base, time_context).run();
}

uint64_t parse_size(std::string_view text, int kb_base) {
  const std::string t = trim(text);
  if (t.empty()) throw ValueError("a size is required");
  if (t[0] == '-') throw ValueError("'" + t + "' is negative; sizes must be >= 0");
  if (is_expression(t)) return to_whole(eval_expression(t, kb_base, false), t, "bytes");
  Number n = split_number(t);
  auto mult = size_multiplier(n.suffix, kb_base);
  if (!mult)
    throw ValueError("'" + t + "' has an unknown unit '" + n.suffix + "' (use k, m, g, t, p with optional i/b)");
  if (n.fractional)
    throw ValueError("'" + t + "' has a fraction; write a whole number of bytes or a smaller unit " +
                     "(fio 3.33 would silently read it as " + std::to_string(static_cast<uint64_t>(n.value)) + " byte(s))");
  return to_whole(n.value * *mult, t, "bytes");
}

SizeOrPercent parse_size_or_percent(std::string_view text, int kb_base) {
  const std::string t = trim(text);
  if (!t.empty() && t.back() == '%') {
    double p = parse_double(t.substr(0, t.size() - 1));
    if (!(p > 0 && p <= 100)) throw ValueError("percentage '" + t + "' must be in (0, 100]");
    return {0, p};
  }
  return {parse_size(t, kb_base), 0};
}

int64_t parse_int(std::string_view text, bool allow_negative) {
  const std::string t = trim(text);
  if (t.empty()) throw ValueError("a number is required");
  bool neg = false;
  std::string_view body = t;
  if (!is_expression(t) && t[0] == '-') {
    if (!allow_negative) throw ValueError("'" + t + "' is negative; expected a number >= 0");
    neg = true;
    body.remove_prefix(1);
  }
  double v;
  if (is_expression(body)) {
    v = eval_expression(body, 1024, false);
  } else {
    Number n = split_number(body);
    auto mult = size_multiplier(n.suffix, 1024);
    if (!mult) throw ValueError("'" + t + "' is not a whole number (unexpected '" + n.suffix + "')");
    if (n.fractional) throw ValueError("'" + t + "' is not a whole number");
    v = n.value * *mult;
  }
  if (v < 0 && !allow_negative) throw ValueError("'" + t + "' is negative; expected a number >= 0");
  const uint64_t mag = to_whole(std::fabs(v), t, "units");
  if (mag > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) throw ValueError("'" + t + "' is too large");
  const int64_t r = static_cast<int64_t>(mag);
  return (neg != (v < 0)) ? -r : r;
}

uint64_t parse_time_us(std::string_view text, TimeUnit default_unit) {
  const std::string t = trim(text);
  if (t.empty()) throw ValueError("a time is required");
  if (t[0] == '-') throw ValueError("'" + t + "' is negative; times must be >= 0");
  if (is_expression(t)) return to_whole(eval_expression(t, 1024, true), t, "microseconds");
  Number n = split_number(t);
  auto mult = time_multiplier_us(n.suffix, default_unit);
  if (!mult) throw ValueError("'" + t + "' has an unknown time unit '" + n.suffix + "' (use us, ms, s, m, h, d)");
  if (n.fractional) throw ValueError("'" + t + "' has a fraction; use a smaller unit (e.g. 1500ms)");
  return to_whole(n.value * *mult, t, "microseconds");
}

bool parse_bool(std::string_view text) {
  const std::string t = trim(text);
  if (t == "1") return true;
  if (t == "0") return false;
  throw ValueError("'" + t + "' is not a boolean (use 1 or 0)");
}

double parse_double(std::string_view text) {
  const std::string t = trim(text);
  if (t.empty()) throw ValueError("a number is required");
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(t, &used);
  } catch (const std::exception&) {
    throw ValueError("'" + t + "' is not a number");
  }
  if (used != t.size() || !std::isfinite(v)) throw ValueError("'" + t + "' is not a number");
  return v;
}

std::pair<uint64_t, uint64_t> parse_size_range(std::string_view text, int kb_base) {
  const std::string t = trim(text);
  size_t sep = t.find_first_of("-:", 1);
  if (sep == std::string::npos) {
    uint64_t v = parse_size(t, kb_base);
    return {v, v};
  }
  uint64_t lo = parse_size(t.substr(0, sep), kb_base);
  uint64_t hi = parse_size(t.substr(sep + 1), kb_base);
  if (lo > hi) std::swap(lo, hi);
  return {lo, hi};
}

std::vector<std::optional<std::string>> split_per_direction(std::string_view text) {
  std::vector<std::optional<std::string>> out(3);
  auto parts = split(text, ',');
  if (parts.size() > 3) throw ValueError("at most three comma-separated values (read,write,trim)");
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string p = trim(parts[i]);
    if (!p.empty()) out[i] = p;
  }
  // A last value not followed by a comma applies to the later directions too.
  const std::string& last = parts.back();
  if (!trim(last).empty())
    for (size_t i = parts.size(); i < 3; ++i) out[i] = trim(last);
  return out;
}

}  // namespace fiokit::jobs
