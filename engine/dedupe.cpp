// DedupeStream (see dedupe.hpp): the per-buffer duplicate draw, the repeat
// and working-set choices, and the working set's size.
#include "engine/dedupe.hpp"

#include <algorithm>

namespace fiokit::engine {

void DedupeStream::init(const Setup& s, uint64_t seed) {
  s_ = s;
  seed_ = seed;
  pos_ = uniques_ = dups_ = 0;
  // Two generators of their own, as fio keeps dedupe_state and the working
  // set's index state apart from the buffer data: the data of unique
  // buffer k does not depend on how many draws came before it.
  draw_.seed(mix64(seed ^ 0xded0ull));
  pick_.seed(mix64(seed ^ 0x5e70ull));
  if (s_.page_chunks == 0) s_.page_chunks = 1;
  if (s_.job_seeds.empty()) s_.global = false;
}

uint64_t DedupeStream::working_set_pages(const jobs::JobSpec& spec, uint64_t min_write) {
  if (!spec.dedupe_percentage || !spec.dedupe_working_set || min_write == 0) return 0;
  // fio: size x percentage / 100, then whole smallest writes (integer math).
  return spec.size * spec.dedupe_working_set_percentage / 100 / min_write;
}

StreamPos DedupeStream::page(uint64_t i) const {
  if (!s_.global) return {seed_, i * s_.page_chunks};
  const uint64_t jobs = s_.job_seeds.size();
  const uint64_t per_job = std::max<uint64_t>(s_.ws_pages / jobs, 1);
  const uint64_t run = i / per_job;
  if (run == 0) return {seed_, i * s_.page_chunks};
  return {s_.job_seeds[(s_.job_index + run) % jobs], (i - run * per_job) * s_.page_chunks};
}

StreamPos DedupeStream::next(uint64_t chunks) {
  // 100%: fio never advances its buffer generator, not even between the
  // chunks of a buffer: every chunk is the first.
  if (s_.percentage >= 100) {
    ++dups_;
    return {seed_, 0, 0};
  }
  if (s_.percentage && draw_.below(100) + 1 <= s_.percentage) {
    ++dups_;
    if (s_.working_set && s_.ws_pages) return page(pick_.below(s_.ws_pages));
    return {seed_, pos_};  // repeat: the next unique buffer's data
  }
  ++uniques_;
  const StreamPos p{seed_, pos_};
  pos_ += chunks;
  return p;
}

}  // namespace fiokit::engine
