// The cache behind `fiokit serve`'s series API: a chart zoom asks for the
// same log again and again, and several tabs ask at once, so every log version
// is indexed once (serve/log_scan.hpp: one streaming pass, ~150 bytes of
// index per 256 KiB of log) and every answer is computed once and shared, all
// within a byte budget. Nothing here holds a
// log's text or its rows: a 400 MB log answered to three tabs at once used to
// peak at 4.2 GB; now at the read block and the answers' points.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "serve/api.hpp"
#include "serve/confine.hpp"
#include "serve/log_scan.hpp"

namespace fiokit::serve {

struct SeriesQuery {
  size_t max_points = 2000;
  std::optional<uint64_t> from, to;
};

struct SeriesAnswer {
  std::vector<Series> series;
  size_t total_rows = 0;  // every row of the log, of every direction
  size_t bytes() const;
};

// Keyed by path and invalidated by size or mtime. One entry per path (a log
// rewritten while served replaces its entry instead of piling up stale ones)
// holding the log's index and its recent answers. Concurrent misses for the
// same log version wait for one index pass, and concurrent requests for the
// same answer (same version, max_points, from, to) wait for one computation
// (single flight): six tabs on one log index it once. At most max_scans
// passes over logs run at once, whatever the number of distinct requests, so
// memory stays bounded under any concurrency (each pass holds one read block
// and its buckets). Entries are kept within a byte budget (ServeOptions::
// log_cache_bytes), least recently used out first. A log under one read
// block (256 KiB) is answered without a slot, and slots go first come, first
// served. One peer address may have at most max_scans_per_peer scans queued or
// running (so one address flooding distinct queries puts at most that many
// ahead of anyone else), and none waits longer than scan_wait for its slot:
// past either, ScanBusy (serve answers 503 with Retry-After).
struct ScanBusy : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class LogCache {
 public:
  using Answer = std::shared_ptr<const SeriesAnswer>;
  static constexpr size_t kMaxScansPerPeer = 4;
  LogCache(size_t budget, size_t max_scans = 2, size_t max_scans_per_peer = kMaxScansPerPeer,
           std::chrono::milliseconds scan_wait = std::chrono::seconds(5))
      : budget_(budget), slots_free_(max_scans), max_per_peer_(max_scans_per_peer), scan_wait_(scan_wait) {}
  // The answer, or nullptr with err set (-errno) when the log cannot be
  // opened. Throws results::LogParseError for a malformed row,
  // std::system_error when a read fails and ScanBusy (see above) when `peer`
  // (the client's address; "" counts for no one) has too many scans queued
  // or the wait for a slot ran out.
  Answer get(const Root& root, const std::string& rel, const SeriesQuery& q, int& err, const std::string& peer = "");

  // For tests: index passes run so far (one per log version), answers
  // computed, log entries kept and their bytes.
  size_t parses() const { return parses_.load(); }
  size_t computed() const { return computed_.load(); }
  size_t entries() const {
    std::lock_guard<std::mutex> lk(m_);
    return lru_.size();
  }
  size_t bytes() const {
    std::lock_guard<std::mutex> lk(m_);
    return bytes_;
  }

 private:
  using Index = std::shared_ptr<const LogIndex>;
  struct Entry {
    std::string rel;
    int64_t mtime = 0;
    uint64_t size = 0;
    Index index;
    std::list<std::pair<std::string, Answer>> answers;  // most recent first
    size_t bytes = 0;
  };
  // One computation in progress; later askers wait on `done`.
  template <class T>
  struct Flight {
    std::promise<std::shared_ptr<const T>> promise;
    std::shared_future<std::shared_ptr<const T>> done = promise.get_future().share();
  };
  // Runs make() once per key among concurrent callers; the others wait.
  template <class T, class Make>
  std::shared_ptr<const T> once(std::map<std::string, std::shared_ptr<Flight<T>>>& flights, const std::string& key,
                                Make&& make);

  Entry* find_locked(const std::string& rel, int64_t mtime, uint64_t size);
  void keep(const std::string& rel, int64_t mtime, uint64_t size, const Index& index, const std::string& key,
            const Answer& answer);
  static size_t entry_bytes(const Entry& e);

  class ScanSlot;
  const size_t budget_;
  // Scan slots, handed out in ticket order (FIFO) under slot_m_.
  std::mutex slot_m_;
  std::condition_variable slot_cv_;
  size_t slots_free_;
  uint64_t next_ticket_ = 0, serving_ = 0;
  const size_t max_per_peer_;
  const std::chrono::milliseconds scan_wait_;
  std::map<std::string, size_t> per_peer_;  // under slot_m_: scans queued or running per peer
  std::set<uint64_t> abandoned_;            // under slot_m_: tickets whose wait ran out
  void skip_abandoned_locked() {
    while (abandoned_.erase(serving_)) ++serving_;
  }
  mutable std::mutex m_;
  std::list<Entry> lru_;
  size_t bytes_ = 0;
  std::map<std::string, std::shared_ptr<Flight<LogIndex>>> index_flights_;
  std::map<std::string, std::shared_ptr<Flight<SeriesAnswer>>> answer_flights_;
  std::atomic<size_t> parses_{0}, computed_{0};
};

}  // namespace fiokit::serve
