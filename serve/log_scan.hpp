// The series API's work on a log without holding it: one streaming pass
// builds a small index of the file (per block of lines: where it starts, its
// rows and time range per direction), and each chart request streams only the
// blocks its time window touches, keeping per pixel column the min and max row
// and per direction the count, min, max and mean. Memory is the index (about
// 150 bytes per 256 KiB of log) plus one read block and the answer's points,
// whatever the log's size; the answer equals serve::downsample_log over the
// whole parsed log, to the point (tests/serve/test_series_stream.cpp).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "serve/api.hpp"

namespace fiokit::serve {

struct LogIndex {
  struct Block {
    uint64_t offset = 0, bytes = 0;
    size_t first_line = 1;
    // Per direction: rows of that direction before this block (the
    // ordinal of its first one), rows in it, and their time range.
    std::array<uint64_t, 3> before{}, rows{};
    std::array<uint64_t, 3> tmin{UINT64_MAX, UINT64_MAX, UINT64_MAX}, tmax{};
  };
  std::vector<Block> blocks;
  uint64_t total_rows = 0;
  std::array<uint64_t, 3> dir_rows{};
  // Per direction, the ordinal of the row results::repeated_final_rows leaves
  // out (UINT64_MAX: none), and the time range of the rows without it.
  std::array<uint64_t, 3> stale{UINT64_MAX, UINT64_MAX, UINT64_MAX};
  std::array<uint64_t, 3> t0{UINT64_MAX, UINT64_MAX, UINT64_MAX}, t1{};
  size_t bytes() const { return sizeof(*this) + blocks.capacity() * sizeof(Block); }
};

// Reads the log [0, size) by descriptor once. Throws results::LogParseError
// (path:line) for a malformed row, std::system_error for a failed read.
LogIndex build_log_index(int fd, uint64_t size, const std::string& path, size_t block = 256u << 10);

// downsample_log's answer for the rows of the indexed log, streamed from fd:
// a whole-log view reads every block once; a window [from, to] reads the
// blocks whose time range meets it, twice (its rows' time range first, then
// the buckets).
std::vector<Series> scan_series(int fd, const LogIndex& index, const std::string& path, size_t max_points,
                                std::optional<uint64_t> from = std::nullopt, std::optional<uint64_t> to = std::nullopt);

}  // namespace fiokit::serve
