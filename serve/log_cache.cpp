// The parsed-log cache (see log_cache.hpp for what it keeps and why).
#include "serve/log_cache.hpp"

#include <sys/stat.h>

#include "util/fd.hpp"

namespace fiokit::serve {

LogCache::Rows LogCache::get(const Root& root, const std::string& rel, int& err) {
  const int raw = root.open_beneath(rel);
  if (raw < 0) {
    err = raw;
    return nullptr;
  }
  util::Fd fd(raw);
  struct stat st;
  ::fstat(fd.get(), &st);
  const int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  const auto size = static_cast<uint64_t>(st.st_size);
  std::shared_ptr<Flight> flight;
  bool mine = false;
  {
    std::lock_guard<std::mutex> lk(m_);
    for (auto it = lru_.begin(); it != lru_.end(); ++it) {
      if (it->rel == rel && it->mtime == mtime && it->size == size) {
        lru_.splice(lru_.begin(), lru_, it);
        return lru_.front().rows;
      }
    }
    auto& f = flights_[rel];
    if (!f || f->mtime != mtime || f->size != size) {
      // None in flight, or one for an older version of the file: ours
      // replaces it in the map (its waiters keep their own pointer).
      f = std::make_shared<Flight>();
      f->mtime = mtime;
      f->size = size;
      f->done = f->promise.get_future().share();
      mine = true;
    }
    flight = f;
  }
  if (!mine) {
    const Outcome& o = flight->done.get();  // rethrows the parse error
    err = o.err;
    return o.rows;
  }
  Outcome o;
  try {
    std::string text;
    o.err = read_fd(fd.release(), text, max_file_);
    if (o.err >= 0) {
      auto rows = std::make_shared<std::vector<results::LogRow>>();
      results::parse_log_text(text, rel, *rows);
      o.rows = std::move(rows);
    }
  } catch (...) {
    flight->promise.set_exception(std::current_exception());
    finish(rel, flight, o);
    throw;
  }
  flight->promise.set_value(o);
  finish(rel, flight, o);
  err = o.err;
  return o.rows;
}

// Takes the flight out of the map (unless a newer one replaced it) and keeps
// a successful parse as the one entry for rel.
void LogCache::finish(const std::string& rel, const std::shared_ptr<Flight>& flight, const Outcome& o) {
  std::lock_guard<std::mutex> lk(m_);
  ++parses_;
  if (auto it = flights_.find(rel); it != flights_.end() && it->second == flight) flights_.erase(it);
  if (!o.rows) return;
  for (auto it = lru_.begin(); it != lru_.end(); ++it) {
    if (it->rel == rel) {
      bytes_ -= it->bytes;
      lru_.erase(it);
      break;
    }
  }
  const size_t b = o.rows->capacity() * sizeof(results::LogRow) + rel.size() + sizeof(Entry);
  if (b > budget_) return;
  lru_.push_front({rel, flight->mtime, flight->size, o.rows, b});
  bytes_ += b;
  while (bytes_ > budget_) {
    bytes_ -= lru_.back().bytes;
    lru_.pop_back();
  }
}

}  // namespace fiokit::serve
