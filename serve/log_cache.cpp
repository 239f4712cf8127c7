// The series cache (see log_cache.hpp for what it keeps and why).
#include "serve/log_cache.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

#include "util/fd.hpp"

namespace fiokit::serve {

namespace {

constexpr size_t kAnswersPerLog = 32;  // zoom levels of one log kept at once

// A log this small is read in one block: indexing and answering it cost about
// what a cache hit costs, so it never waits for a scan slot. Six zooms of a
// 160 MB log held both slots and made the first request for another run's
// 18-byte log wait 0.88 s instead of ~2 ms.
constexpr uint64_t kSlotFree = 256u << 10;  // build_log_index's default block

}  // namespace

// Holds a scan slot for a scope (released on a throw too). Slots go to
// waiters in arrival order (a ticket each), so one client's burst of distinct
// zooms cannot keep overtaking another client's request.
class LogCache::ScanSlot {
 public:
  ScanSlot(LogCache& c, const std::string& peer) : c_(c), peer_(peer) {
    std::unique_lock<std::mutex> lk(c_.slot_m_);
    counted_ = !peer_.empty() && c_.max_per_peer_ > 0;
    if (counted_) {
      size_t& mine = c_.per_peer_[peer_];
      if (mine >= c_.max_per_peer_)
        throw ScanBusy("your address already has " + std::to_string(mine) + " log scans queued or running");
      ++mine;
    }
    const uint64_t ticket = c_.next_ticket_++;
    if (!c_.slot_cv_.wait_for(lk, c_.scan_wait_, [&] { return ticket == c_.serving_ && c_.slots_free_ > 0; })) {
      // Given up: the ticket is skipped when its turn comes.
      c_.abandoned_.insert(ticket);
      c_.skip_abandoned_locked();
      uncount_locked();
      lk.unlock();
      c_.slot_cv_.notify_all();
      throw ScanBusy("the log scans are busy");
    }
    --c_.slots_free_;
    ++c_.serving_;
    c_.skip_abandoned_locked();
    lk.unlock();
    c_.slot_cv_.notify_all();  // the next ticket may take another free slot
  }
  ~ScanSlot() {
    {
      std::lock_guard<std::mutex> lk(c_.slot_m_);
      ++c_.slots_free_;
      uncount_locked();
    }
    c_.slot_cv_.notify_all();
  }
  ScanSlot(const ScanSlot&) = delete;
  ScanSlot& operator=(const ScanSlot&) = delete;

 private:
  void uncount_locked() {
    if (!counted_) return;
    auto it = c_.per_peer_.find(peer_);
    if (it != c_.per_peer_.end() && --it->second == 0) c_.per_peer_.erase(it);
    counted_ = false;
  }
  LogCache& c_;
  const std::string peer_;
  bool counted_ = false;
};

namespace {
}  // namespace

size_t SeriesAnswer::bytes() const {
  size_t b = sizeof(*this);
  for (const Series& s : series) b += sizeof(Series) + (s.t.capacity() + s.v.capacity()) * sizeof(uint64_t);
  return b;
}

template <class T, class Make>
std::shared_ptr<const T> LogCache::once(std::map<std::string, std::shared_ptr<Flight<T>>>& flights,
                                        const std::string& key, Make&& make) {
  std::shared_ptr<Flight<T>> f;
  bool mine = false;
  {
    std::lock_guard<std::mutex> lk(m_);
    auto& slot = flights[key];
    if (!slot) {
      slot = std::make_shared<Flight<T>>();
      mine = true;
    }
    f = slot;
  }
  if (!mine) return f->done.get();  // rethrows the owner's error
  auto forget = [&] {
    std::lock_guard<std::mutex> lk(m_);
    if (auto it = flights.find(key); it != flights.end() && it->second == f) flights.erase(it);
  };
  try {
    std::shared_ptr<const T> v = make();
    f->promise.set_value(v);
    forget();
    return v;
  } catch (...) {
    f->promise.set_exception(std::current_exception());
    forget();
    throw;
  }
}

LogCache::Answer LogCache::get(const Root& root, const std::string& rel, const SeriesQuery& q, int& err,
                               const std::string& peer) {
  const int raw = root.open_beneath(rel);
  if (raw < 0) {
    err = raw;
    return nullptr;
  }
  const util::Fd fd(raw);
  struct stat st;
  ::fstat(fd.get(), &st);
  const int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  const auto size = static_cast<uint64_t>(st.st_size);
  const size_t mp = std::max<size_t>(q.max_points, 2);
  const std::string version = fmt::format("{}\n{}\n{}", rel, mtime, size);
  const std::string key = fmt::format("{}:{}:{}", mp, q.from ? std::to_string(*q.from) : "-",
                                      q.to ? std::to_string(*q.to) : "-");
  {
    std::lock_guard<std::mutex> lk(m_);
    if (Entry* e = find_locked(rel, mtime, size)) {
      for (auto it = e->answers.begin(); it != e->answers.end(); ++it) {
        if (it->first == key) {
          e->answers.splice(e->answers.begin(), e->answers, it);
          return e->answers.front().second;
        }
      }
    }
  }
  return once(answer_flights_, version + "\n" + key, [&]() -> std::shared_ptr<const SeriesAnswer> {
    Index index;
    {
      std::lock_guard<std::mutex> lk(m_);
      if (Entry* e = find_locked(rel, mtime, size)) index = e->index;
    }
    if (!index) {
      index = once(index_flights_, version, [&]() -> Index {
        std::optional<ScanSlot> slot;
        if (size > kSlotFree) slot.emplace(*this, peer);
        auto built = std::make_shared<const LogIndex>(build_log_index(fd.get(), size, rel));
        ++parses_;
        keep(rel, mtime, size, built, "", nullptr);
        return built;
      });
    }
    auto answer = std::make_shared<SeriesAnswer>();
    {
      std::optional<ScanSlot> slot;
      if (size > kSlotFree) slot.emplace(*this, peer);
      answer->series = scan_series(fd.get(), *index, rel, mp, q.from, q.to);
    }
    answer->total_rows = index->total_rows;
    ++computed_;
    keep(rel, mtime, size, index, key, answer);
    return answer;
  });
}

LogCache::Entry* LogCache::find_locked(const std::string& rel, int64_t mtime, uint64_t size) {
  for (auto it = lru_.begin(); it != lru_.end(); ++it) {
    if (it->rel == rel && it->mtime == mtime && it->size == size) {
      lru_.splice(lru_.begin(), lru_, it);
      return &lru_.front();
    }
  }
  return nullptr;
}

size_t LogCache::entry_bytes(const Entry& e) {
  size_t b = sizeof(Entry) + e.rel.size() + (e.index ? e.index->bytes() : 0);
  for (const auto& [k, a] : e.answers) b += k.size() + 64 + a->bytes();
  return b;
}

// Records an index (and an answer, unless key is empty) as the one entry for
// rel, dropping an entry of an older version, then evicts least recently used
// entries past the budget (the new one too if it alone is over it).
void LogCache::keep(const std::string& rel, int64_t mtime, uint64_t size, const Index& index, const std::string& key,
                    const Answer& answer) {
  std::lock_guard<std::mutex> lk(m_);
  Entry* e = nullptr;
  for (auto it = lru_.begin(); it != lru_.end(); ++it) {
    if (it->rel != rel) continue;
    if (it->mtime == mtime && it->size == size) {
      lru_.splice(lru_.begin(), lru_, it);
      e = &lru_.front();
    } else {
      bytes_ -= it->bytes;
      lru_.erase(it);
    }
    break;
  }
  if (!e) {
    lru_.push_front({rel, mtime, size, index, {}, 0});
    e = &lru_.front();
  }
  bytes_ -= e->bytes;
  if (!e->index) e->index = index;
  if (answer) {
    bool have = false;
    for (const auto& kv : e->answers) have = have || kv.first == key;
    if (!have) e->answers.emplace_front(key, answer);
    while (e->answers.size() > kAnswersPerLog) e->answers.pop_back();
  }
  e->bytes = entry_bytes(*e);
  bytes_ += e->bytes;
  while (bytes_ > budget_ && !lru_.empty()) {
    bytes_ -= lru_.back().bytes;
    lru_.pop_back();
  }
}

}  // namespace fiokit::serve
