// The parsed-log cache behind `fiokit serve`'s series API: a chart zoom asks
// for the same log again and again, and several tabs ask at once, so a parse
// is shared by every request for that log version and kept within a budget.
#pragma once
#include <atomic>
#include <cstdint>
#include <future>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "results/log_reader.hpp"
#include "serve/confine.hpp"

namespace fiokit::serve {

// Parsed logs, kept for repeated chart requests (zooming asks for the same log
// again), keyed by path and invalidated by size or mtime. One entry per path:
// a newer parse replaces the old one (a log rewritten while served would
// otherwise pile up stale copies). Concurrent misses for the same path, size
// and mtime wait for one parse (single flight) instead of each parsing a
// copy: six browser tabs on one 100 MB log parsed it six times, 2 GB at peak.
// Entries are kept within a byte budget of parsed rows (ServeOptions::
// log_cache_bytes, 256 MiB), least recently used out first; a log bigger than
// that is parsed for its request and not kept.
class LogCache {
 public:
  using Rows = std::shared_ptr<const std::vector<results::LogRow>>;
  // budget: bytes of parsed rows kept; max_file: the largest log read.
  LogCache(size_t budget, size_t max_file) : budget_(budget), max_file_(max_file) {}
  // Returns rows or sets err (-errno); throws results::LogParseError.
  Rows get(const Root& root, const std::string& rel, int& err);

  // For tests: how many parses ran, and what is kept.
  size_t parses() const { return parses_.load(); }
  size_t entries() const {
    std::lock_guard<std::mutex> lk(m_);
    return lru_.size();
  }
  size_t bytes() const {
    std::lock_guard<std::mutex> lk(m_);
    return bytes_;
  }

 private:
  struct Outcome {
    Rows rows;
    int err = 0;
  };
  struct Flight {
    int64_t mtime = 0;
    uint64_t size = 0;
    std::promise<Outcome> promise;
    std::shared_future<Outcome> done;
  };
  struct Entry {
    std::string rel;
    int64_t mtime;
    uint64_t size;
    Rows rows;
    size_t bytes;
  };
  void finish(const std::string& rel, const std::shared_ptr<Flight>& flight, const Outcome& o);

  const size_t budget_, max_file_;
  mutable std::mutex m_;
  std::list<Entry> lru_;
  size_t bytes_ = 0;
  std::map<std::string, std::shared_ptr<Flight>> flights_;
  std::atomic<size_t> parses_{0};
};

}  // namespace fiokit::serve
