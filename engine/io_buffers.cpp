// IoBuffers (see io_buffers.hpp): allocation and the buffer-content options.
#include "engine/io_buffers.hpp"
#include "engine/run.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "engine/job_plan.hpp"
#include "engine/offsets.hpp"

namespace fiokit::engine {

bool IoBuffers::refills(const jobs::JobSpec& spec) {
  if (spec.refill_buffers || spec.dedupe_percentage) return true;
  // fio 3.33 turns refill_buffers on for a compress percentage below 100
  // unless the job sets refill_buffers itself (measured: 50% on 1 MiB in 4k
  // writes, 256 distinct blocks; one buffer written over and over would be
  // 1). dedupe_percentage always refills: fio sets it when it reads
  // dedupe_percentage, and a job that turned it off again would write one
  // block over and over, which no dedupe benchmark means.
  if (spec.buffer_compress_percentage == 0 || spec.buffer_compress_percentage >= 100) return false;
  for (const auto& kv : spec.given)
    if (kv.first == "refill_buffers") return false;
  return true;
}

uint64_t IoBuffers::buffer_seed(const jobs::JobSpec& spec) {
  return mix64(job_seed(spec) ^ mix64(0xb0f5eedull + static_cast<uint64_t>(spec.job_index)));
}

void IoBuffers::allocate(const jobs::JobSpec& spec, size_t unit_len, uint32_t count, uint64_t seed, uint64_t min_write,
                         const std::vector<uint64_t>& job_seeds) {
  spec_ = &spec;
  seed_ = seed;
  // Exact numerics (fio 3.33's fill of a write buffer, HOWTO and observed):
  // with a compress percentage below 100 or any dedupe percentage the buffer
  // is cut in chunks of min(smallest write, buffer_compress_chunk) (0: the
  // smallest write); each chunk is random data from the next seed of the
  // job's stream for its first len x (100 - compress) / 100 bytes, then
  // buffer_pattern (or zeros). compress=100 alone means zero buffers; with
  // dedupe fio turns it into 0 (zero_buffers, which dedupe ignores).
  const uint32_t pct = std::min(100u, spec.buffer_compress_percentage);
  chunked_ = spec.dedupe_percentage || (pct > 0 && pct < 100);
  compress_ = pct >= 100 ? 0 : pct;
  const uint64_t mw = min_write ? min_write : unit_len;
  chunk_ = static_cast<size_t>(spec.buffer_compress_chunk ? std::min<uint64_t>(mw, spec.buffer_compress_chunk) : mw);
  chunk_ = std::max<size_t>(1, chunk_);
  DedupeStream::Setup ds;
  ds.percentage = std::min(100u, spec.dedupe_percentage);
  ds.working_set = spec.dedupe_working_set;
  ds.ws_pages = DedupeStream::working_set_pages(spec, mw);
  ds.page_chunks = std::max<uint64_t>(1, mw / chunk_);
  ds.global = spec.dedupe_global;
  if (spec.dedupe_global) ds.job_seeds = job_seeds;
  ds.job_index = static_cast<size_t>(spec.job_index);
  stream_.init(ds, seed);

  const size_t total = unit_len * count;
  if (int e = arena_.allocate(total, kBufAlign); e != 0)
    throw SetupError(fmt::format("job '{}': cannot allocate {} bytes of I/O buffers", spec.name, total), -e);
  // As fio fills every I/O unit once at start (from the same stream).
  for (uint32_t i = 0; i < count; ++i) refill(arena_.data() + static_cast<size_t>(i) * unit_len, unit_len, i * unit_len);
}

void IoBuffers::fill(uint8_t* p, size_t n, uint64_t offset) const {
  const jobs::JobSpec& spec = *spec_;
  // fio's order: a pattern wins over zero_buffers (and compress=100, which
  // fio turns into zero_buffers).
  if (!spec.buffer_pattern.empty()) {
    const auto& pat = spec.buffer_pattern;
    for (size_t i = 0; i < n; ++i) p[i] = pat[(offset + i) % pat.size()];
    return;
  }
  if (spec.zero_buffers || spec.buffer_compress_percentage >= 100) {
    std::memset(p, 0, n);
    return;
  }
  Rng r(seed_ ^ mix64(offset + 0xb0f));
  for (size_t i = 0; i < n; i += 8) {
    const uint64_t v = r.next();
    std::memcpy(p + i, &v, std::min<size_t>(8, n - i));
  }
}

void IoBuffers::refill(uint8_t* p, size_t n, uint64_t key) {
  if (!chunked_) {
    fill(p, n, key);
    return;
  }
  fill_chunks(p, n, stream_.next((n + chunk_ - 1) / chunk_));
}

void IoBuffers::fill_chunks(uint8_t* p, size_t n, StreamPos at) const {
  const auto& pat = spec_->buffer_pattern;
  for (size_t c = 0, k = 0; c < n; c += chunk_, ++k) {
    const size_t len = std::min(chunk_, n - c);
    const size_t rnd = len * (100 - compress_) / 100;
    Rng r(mix64(at.seed ^ mix64(at.pos + k * at.stride)));
    for (size_t i = 0; i < rnd; i += 8) {
      const uint64_t v = r.next();
      std::memcpy(p + c + i, &v, std::min<size_t>(8, rnd - i));
    }
    uint8_t* rest = p + c + rnd;
    if (pat.empty()) std::memset(rest, 0, len - rnd);
    else
      for (size_t i = 0; i < len - rnd; ++i) rest[i] = pat[i % pat.size()];  // fio copies the pattern from its start
  }
}

void IoBuffers::scramble(uint8_t* p, uint32_t len, uint64_t offset, uint64_t nth_io) {
  const uint64_t v = mix64(offset ^ (nth_io << 20));
  for (uint32_t pos = 0; pos + 8 <= len; pos += 512) std::memcpy(p + pos, &v, 8);
}

}  // namespace fiokit::engine
