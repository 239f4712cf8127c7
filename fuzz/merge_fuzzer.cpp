// libFuzzer target for the cluster merge (results/cluster_merge.hpp): the
// coordinator merges results.json files that members uploaded, and `fiokit
// merge` files from anywhere, so arbitrary bytes are one member's results.
// They are merged as a done member beside a fixed valid one, then as a failed
// member (whose unreadable results must be noted, never thrown). The
// documented answer to text the merge cannot read is std::runtime_error (for a
// summed member); anything else escaping, a crash, a sanitizer report, a hang
// or a blow-up is a finding, and so is a merged document that the results
// reader (what serve, compare and plot use) cannot read back. Built only with
// -DFIOKIT_FUZZ=ON and clang (see scripts/fuzz).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "results/cluster_merge.hpp"
#include "results/cluster_offline.hpp"
#include "results/json_reader.hpp"

namespace {
using namespace fiokit;

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "merge_fuzzer: %s\n", what.c_str());
  std::abort();
}

const char* kValid =
    R"({"fio version":"fio-3.33","jobs":[{"jobname":"j","groupid":0,"error":0,"read":{"io_bytes":8192,)"
    R"("bw_bytes":4096,"bw":4,"iops":1.5,"runtime":2000,"total_ios":2,"clat_ns":{"min":1000,"max":2000,)"
    R"("mean":1500.0,"stddev":707.1,"N":2,"percentile":{"50.000000":1004,"99.000000":2024},)"
    R"("bins":{"1004":1,"2024":1}}}}]})";

void check_merged(const std::string& merged, const char* how) {
  try {
    (void)results::read_fio_json(merged);
    (void)results::format_merge_summary(merged);
  } catch (const std::exception& e) {
    finding(std::string(how) + ": the merged document does not read back: " + e.what());
  }
}

results::ClusterMember member(int index, const char* state, std::string text) {
  results::ClusterMember m;
  m.index = index;
  m.host = "h" + std::to_string(index);
  m.state = state;
  m.started_unix_ns = index * 1000;
  m.results_json = std::move(text);
  return m;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const results::ClusterMeta meta{"fuzz", 2, 1, false};
  try {
    check_merged(results::merge_cluster_results(meta, {member(0, "done", kValid), member(1, "done", text)}), "done");
  } catch (const std::runtime_error&) {
    // the documented refusal of results it cannot read
  }
  std::string merged;
  try {
    merged = results::merge_cluster_results(meta, {member(0, "done", kValid), member(1, "failed", text)});
  } catch (const std::exception& e) {
    finding(std::string("a failed member's results stopped the merge: ") + e.what());
  }
  check_merged(merged, "failed");
  (void)results::cluster_results_host(text);
  return 0;
}
