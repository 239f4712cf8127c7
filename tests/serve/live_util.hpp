// Helpers of the live-page and /metrics tests: json+ documents from the real
// `fiokit run`, fixture run directories (cluster runs as the coordinator lays
// them out, docs/cluster-protocol.md; local runs with a checkpoint), a strict
// parser of the Prometheus text format 0.0.4 written here from the format's
// description, and a background `fiokit run` with a data dir.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fiokit::servetest {

// `fiokit run --output-format=json+` of a short psync random-read job on a
// 4 MiB file in `work` (rate_iops caps it, so documents differ by host).
nlohmann::json real_json_plus(const std::string& work, const std::string& name, int rate_iops);

// What a json+ document says of one job name and direction, summed over the
// jobs of that name: the figures the server must derive.
struct DocFigures {
  uint64_t ios = 0, bytes = 0, runtime_ms = 0, lat_count = 0;
  double lat_sum_ns = 0;
  std::map<uint64_t, uint64_t> bins;  // bin value (ns) -> count, from clat_ns "bins"
};
DocFigures doc_figures(const nlohmann::json& doc, const std::string& job, const std::string& dir);
// The longest job_runtime of the document (ms).
uint64_t doc_runtime_ms(const nlohmann::json& doc);
// fio's percentile rule over bins (value -> count).
uint64_t bins_percentile(const std::map<uint64_t, uint64_t>& bins, double p);

// The same document a second later: every job's `dir` got `ios` more I/Os of
// 4 KiB, all in the bin of value bin_ns, and the snapshot time t_ms.
nlohmann::json advanced(nlohmann::json doc, const std::string& dir, uint64_t ios, uint64_t bin_ns, int64_t t_ms);
// Marks a document a checkpoint of a run still going, taken at t_ms.
nlohmann::json as_checkpoint(nlohmann::json doc, int64_t t_ms);

void write_json_file(const std::string& path, const nlohmann::json& j);
// Sets a file's (or directory's) mtime to `seconds_ago` before now.
void set_age(const std::string& path, int64_t seconds_ago);

// A cluster.json member.
struct Member {
  int index;
  std::string host, state;
  int exit_code = 0;
  std::string error;
};
nlohmann::json cluster_json(const std::string& run, const std::string& state, const std::vector<Member>& members);

// One sample of the exposition.
struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;  // unescaped values
  double value = 0;
};
struct Exposition {
  std::vector<PromSample> samples;
  std::map<std::string, std::string> types;  // family -> TYPE
  std::map<std::string, std::string> helps;  // family -> HELP
};
// Parses strictly: every line a HELP/TYPE comment or a sample; names and
// label names valid; label values quoted with only \\ \" \n escapes; values
// floats; one TYPE per family, before its samples; a family's samples
// together; no series twice; the text ends with a line feed. Histograms:
// per series, le bounds ascending with counts never decreasing, +Inf last and
// equal to _count, _sum present. Throws std::runtime_error naming the line.
Exposition parse_exposition(const std::string& text);
// Samples of `name` whose labels include all of `want`.
std::vector<const PromSample*> find_samples(const Exposition& e, const std::string& name,
                                            const std::map<std::string, std::string>& want);

// `fiokit run ARGS...` in the background (stdout/stderr to /dev/null).
pid_t spawn_fiokit_run(const std::vector<std::string>& args);
// The one run directory under data/runs/ with a results.json (waits up to
// `seconds`); "" when none appeared.
std::string wait_run_dir(const std::string& data, int seconds);

}  // namespace fiokit::servetest
