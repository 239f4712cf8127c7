// IoBuffers (see io_buffers.hpp): allocation and the buffer-content options.
#include "engine/io_buffers.hpp"
#include "engine/run.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "engine/offsets.hpp"

namespace fiokit::engine {
namespace {
}  // namespace

void IoBuffers::allocate(const jobs::JobSpec& spec, size_t unit_len, uint32_t count, uint64_t seed) {
  spec_ = &spec;
  seed_ = seed;
  const size_t total = unit_len * count;
  if (int e = arena_.allocate(total, kBufAlign); e != 0)
    throw SetupError(fmt::format("job '{}': cannot allocate {} bytes of I/O buffers", spec.name, total), -e);
  for (uint32_t i = 0; i < count; ++i) fill(arena_.data() + static_cast<size_t>(i) * unit_len, unit_len, i * unit_len);
}

void IoBuffers::fill(uint8_t* p, size_t n, uint64_t offset) const {
  const jobs::JobSpec& spec = *spec_;
  if (spec.zero_buffers) {
    std::memset(p, 0, n);
    return;
  }
  if (!spec.buffer_pattern.empty()) {
    const auto& pat = spec.buffer_pattern;
    for (size_t i = 0; i < n; ++i) p[i] = pat[(offset + i) % pat.size()];
    return;
  }
  Rng r(seed_ ^ mix64(offset + 0xb0f));
  const uint32_t pct = std::min(100u, spec.buffer_compress_percentage);
  const size_t chunk = std::max<size_t>(1, spec.buffer_compress_chunk);
  for (size_t c = 0; c < n; c += chunk) {
    const size_t len = std::min(chunk, n - c);
    // buffer_compress_percentage: that share of each chunk is zeros, the rest random.
    const size_t rnd = len - len * pct / 100;
    for (size_t i = 0; i < rnd; i += 8) {
      const uint64_t v = r.next();
      std::memcpy(p + c + i, &v, std::min<size_t>(8, rnd - i));
    }
    std::memset(p + c + rnd, 0, len - rnd);
  }
}

void IoBuffers::scramble(uint8_t* p, uint32_t len, uint64_t offset, uint64_t nth_io) {
  const uint64_t v = mix64(offset ^ (nth_io << 20));
  for (uint32_t pos = 0; pos + 8 <= len; pos += 512) std::memcpy(p + pos, &v, 8);
}

}  // namespace fiokit::engine
