// What turns `fiokit serve` into the coordinator of cluster runs
// (docs/cluster-protocol.md) and its limits. Kept apart from server.hpp so the
// coordinator's files need not see the server, nor the server theirs.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace fiokit::serve {

struct ClusterOptions {
  // Empty: no coordinator; /api/cluster/ answers 404 and serve stays read-only.
  std::string token;
  // How long a run waits for all its members to join, and how long a member
  // that started may stay silent before it is marked failed.
  std::chrono::milliseconds timeout{300000};
  uint64_t max_file_bytes = 1ull << 30;  // one uploaded file or status snapshot (--ingest-max-bytes)
  uint64_t max_json_bytes = 1u << 20;    // a join or done body
  // The start time is the last join + start_delay, so every member's next
  // poll sees it well before it comes.
  std::chrono::milliseconds start_delay{2000};
  // How often timeouts are checked, and how often at most the incomplete
  // results.json of a run in progress is rewritten.
  std::chrono::milliseconds tick{200};
  std::chrono::milliseconds live_refresh{2000};
  bool enabled() const { return !token.empty(); }
};

}  // namespace fiokit::serve
