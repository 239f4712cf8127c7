// Value syntax of fio job files, written from fio's HOWTO ("Parameter types"):
// sizes with k/m/g/t/p suffixes interpreted per kb_base, times with d/h/m/s/ms/us
// suffixes and a per-option default unit, booleans, ranges, percentages and the
// parenthesised arithmetic fio documents. Stricter than fio 3.33 on purpose:
// trailing junk ("4kfoo"), fractions of a byte ("1.5k") and negative sizes are
// errors here, where fio silently truncates or wraps.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fiokit::jobs {

enum class TimeUnit : uint64_t { us = 1, ms = 1000, s = 1000000 };

// Size in bytes. kb_base 1024 (fio's default): k=1024, ki=1000; kb_base 1000: k=1000, ki=1024.
uint64_t parse_size(std::string_view text, int kb_base = 1024);
// Size, or a percentage ("50%") where the option allows one.
struct SizeOrPercent {
  uint64_t bytes = 0;
  double percent = 0;  // > 0 when given as a percentage (0 < p <= 100)
  bool is_percent() const { return percent > 0; }
};
SizeOrPercent parse_size_or_percent(std::string_view text, int kb_base = 1024);
// Plain integer, no unit suffix ("iodepth=8x" is an error). Accepts 0x hex and
// parenthesised arithmetic. Negative values allowed only if allow_negative.
int64_t parse_int(std::string_view text, bool allow_negative = false);
// Time in microseconds; a bare number is in default_unit. "(expr)" is in us, as fio documents.
uint64_t parse_time_us(std::string_view text, TimeUnit default_unit);
// 0/1 only, as fio (fio refuses "true").
bool parse_bool(std::string_view text);
double parse_double(std::string_view text);
// "lo-hi" or "lo:hi" of sizes; swapped when lo > hi, as fio documents.
std::pair<uint64_t, uint64_t> parse_size_range(std::string_view text, int kb_base = 1024);
// fio's per-direction lists ("8k,32k,"): a value not followed by a comma applies
// to the later directions too; an empty element keeps the default (nullopt).
std::vector<std::optional<std::string>> split_per_direction(std::string_view text);
// Evaluates fio arithmetic: + - * / % ^ and parentheses; numbers may carry size
// suffixes (kb_base) or, with time_context, time suffixes (default us).
double eval_expression(std::string_view text, int kb_base, bool time_context);

std::string trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);
bool iequals(std::string_view a, std::string_view b);
std::string lower(std::string_view s);

}  // namespace fiokit::jobs
