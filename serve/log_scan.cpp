// Streaming index and downsampling of one fio log (see log_scan.hpp). The
// rules are downsample_log's (serve/api.cpp), restated for a stream: rows of a
// direction in [from, to] (inclusive) without the stale final row; at most
// max_points of them are kept whole, more are cut into max_points/2 buckets
// over their own time range, each keeping its first-seen minimum and maximum
// row in file order. Because a bucket needs that time range before its first
// row, a window is read twice; the whole-log range comes from the index.
#include "serve/log_scan.hpp"

#include <algorithm>

#include "results/log_reader.hpp"

namespace fiokit::serve {

namespace {

constexpr size_t kDirs = 3;

// Per direction, what the index pass needs to find the stale final row
// (results::repeated_final_rows: a windowed last row whose time does not
// advance past the row before it) and the time range without it.
struct Tail {
  bool has_last = false, has_before = false;
  uint64_t last_t = 0, last_bs = 0, before_t = 0;
  uint64_t min_all = UINT64_MAX, max_all = 0;
  uint64_t min_excl = UINT64_MAX, max_excl = 0;  // every row but the last
};

bool touches(const LogIndex::Block& b, uint64_t lo, uint64_t hi) {
  for (size_t d = 0; d < kDirs; ++d) {
    if (b.rows[d] && b.tmin[d] <= hi && b.tmax[d] >= lo) return true;
  }
  return false;
}

// Calls f(row, ordinal-in-its-direction) for every row in [lo, hi] but the
// stale ones, reading only runs of blocks that touch the range.
template <class F>
void for_each_in_range(int fd, const LogIndex& index, const std::string& path, uint64_t lo, uint64_t hi, F&& f) {
  const auto& blocks = index.blocks;
  for (size_t i = 0; i < blocks.size();) {
    if (!touches(blocks[i], lo, hi)) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j + 1 < blocks.size() && touches(blocks[j + 1], lo, hi)) ++j;
    std::array<uint64_t, kDirs> ord = blocks[i].before;
    results::LogBlockReader rd(fd, path, blocks[i].offset, blocks[j].offset + blocks[j].bytes, blocks[i].first_line);
    while (rd.next()) {
      results::for_each_log_row(rd.text(), path, rd.first_line(), [&](const results::LogRow& r, int) {
        const auto d = static_cast<size_t>(r.ddir);
        const uint64_t o = ord[d]++;
        if (o == index.stale[d] || r.time_ms < lo || r.time_ms > hi) return;
        f(r, o);
      });
    }
    i = j + 1;
  }
}

struct Pick {
  uint64_t pos = UINT64_MAX, t = 0, v = 0;
};

}  // namespace

LogIndex build_log_index(int fd, uint64_t size, const std::string& path, size_t block) {
  LogIndex idx;
  std::array<Tail, kDirs> tails;
  std::array<uint64_t, kDirs> count{};
  results::LogBlockReader rd(fd, path, 0, size, 1, block);
  while (rd.next()) {
    LogIndex::Block b;
    b.offset = rd.offset();
    b.bytes = rd.text().size();
    b.first_line = rd.first_line();
    b.before = count;
    results::for_each_log_row(rd.text(), path, rd.first_line(), [&](const results::LogRow& r, int) {
      const auto d = static_cast<size_t>(r.ddir);
      ++b.rows[d];
      b.tmin[d] = std::min(b.tmin[d], r.time_ms);
      b.tmax[d] = std::max(b.tmax[d], r.time_ms);
      Tail& t = tails[d];
      if (t.has_last) {
        t.has_before = true;
        t.before_t = t.last_t;
        t.min_excl = std::min(t.min_excl, t.last_t);
        t.max_excl = std::max(t.max_excl, t.last_t);
      }
      t.has_last = true;
      t.last_t = r.time_ms;
      t.last_bs = r.bs;
      t.min_all = std::min(t.min_all, r.time_ms);
      t.max_all = std::max(t.max_all, r.time_ms);
      ++count[d];
      ++idx.total_rows;
    });
    idx.blocks.push_back(b);
  }
  for (size_t d = 0; d < kDirs; ++d) {
    const Tail& t = tails[d];
    idx.dir_rows[d] = count[d];
    if (t.has_before && t.last_bs == 0 && t.last_t <= t.before_t) {
      idx.stale[d] = count[d] - 1;
      idx.t0[d] = t.min_excl;
      idx.t1[d] = t.max_excl;
    } else {
      idx.t0[d] = t.min_all;
      idx.t1[d] = t.max_all;
    }
  }
  idx.blocks.shrink_to_fit();
  return idx;
}

std::vector<Series> scan_series(int fd, const LogIndex& index, const std::string& path, size_t max_points,
                                std::optional<uint64_t> from, std::optional<uint64_t> to) {
  max_points = std::max<size_t>(max_points, 2);
  const uint64_t lo = from.value_or(0), hi = to.value_or(UINT64_MAX);
  std::array<uint64_t, kDirs> count{}, t0{UINT64_MAX, UINT64_MAX, UINT64_MAX}, t1{};
  if (!from && !to) {
    for (size_t d = 0; d < kDirs; ++d) {
      count[d] = index.dir_rows[d] - (index.stale[d] != UINT64_MAX ? 1 : 0);
      t0[d] = index.t0[d];
      t1[d] = index.t1[d];
    }
  } else if (lo <= hi) {
    for_each_in_range(fd, index, path, lo, hi, [&](const results::LogRow& r, uint64_t) {
      const auto d = static_cast<size_t>(r.ddir);
      ++count[d];
      t0[d] = std::min(t0[d], r.time_ms);
      t1[d] = std::max(t1[d], r.time_ms);
    });
  }

  const size_t buckets = max_points / 2;
  std::array<Series, kDirs> out;
  std::array<ValueSum, kDirs> sums;
  std::array<std::vector<Pick>, kDirs> lows, highs;
  std::array<double, kDirs> width{};
  for (size_t d = 0; d < kDirs; ++d) {
    out[d].ddir = static_cast<int>(d);
    out[d].rows = count[d];
    out[d].min = UINT64_MAX;
    if (count[d] == 0) continue;
    if (count[d] <= max_points) {
      out[d].t.reserve(count[d]);
      out[d].v.reserve(count[d]);
    } else {
      lows[d].resize(buckets);
      highs[d].resize(buckets);
      // In double, as downsample_log: t1 - t0 + 1 wraps for a 0..2^64-1 span.
      width[d] = (static_cast<double>(t1[d] - t0[d]) + 1.0) / static_cast<double>(buckets);
    }
  }
  if (count[0] + count[1] + count[2] > 0) {
    for_each_in_range(fd, index, path, lo, hi, [&](const results::LogRow& r, uint64_t pos) {
      const auto d = static_cast<size_t>(r.ddir);
      Series& s = out[d];
      sums[d].add(r.value);
      s.min = std::min(s.min, r.value);
      s.max = std::max(s.max, r.value);
      if (count[d] <= max_points) {
        s.t.push_back(r.time_ms);
        s.v.push_back(r.value);
        return;
      }
      // Outside the counted range only if the file changed between the
      // passes: left out rather than cast out of range.
      if (r.time_ms < t0[d] || r.time_ms > t1[d]) return;
      size_t b = static_cast<size_t>(static_cast<double>(r.time_ms - t0[d]) / width[d]);
      b = std::min(b, buckets - 1);
      Pick& l = lows[d][b];
      Pick& h = highs[d][b];
      if (l.pos == UINT64_MAX || r.value < l.v) l = {pos, r.time_ms, r.value};
      if (h.pos == UINT64_MAX || r.value > h.v) h = {pos, r.time_ms, r.value};
    });
  }
  std::vector<Series> result;
  for (size_t d = 0; d < kDirs; ++d) {
    if (count[d] == 0) continue;
    Series& s = out[d];
    s.mean = sums[d].mean();
    if (count[d] > max_points) {
      for (size_t b = 0; b < buckets; ++b) {
        const Pick& l = lows[d][b];
        const Pick& h = highs[d][b];
        if (l.pos == UINT64_MAX) continue;
        const Pick& first = l.pos <= h.pos ? l : h;
        const Pick& second = l.pos <= h.pos ? h : l;
        s.t.push_back(first.t);
        s.v.push_back(first.v);
        if (second.pos != first.pos) {
          s.t.push_back(second.t);
          s.v.push_back(second.v);
        }
      }
    }
    result.push_back(std::move(s));
  }
  return result;
}

}  // namespace fiokit::serve
