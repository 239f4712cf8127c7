// `fiokit merge RUN_DIR|RESULTS.json ... --out DIR`: the cluster merge of
// docs/cluster-protocol.md done offline, from members' run directories, a
// coordinator's run dir, or json+ files of real fio run on several hosts.
// Argument handling, the never-clobber check and exit codes only: inputs and
// the summary are results/cluster_offline's, the merge results/cluster_merge's.
// Exit codes: 0 merged, 1 an input could not be read or the output written,
// 2 bad arguments (an existing DIR/results.json without --force among them).
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/flags.hpp"
#include "results/cluster_merge.hpp"
#include "results/cluster_offline.hpp"
#include "results/run_dir.hpp"

namespace fiokit::cli {
namespace {

namespace fs = std::filesystem;

const char* kUsage = "usage: fiokit merge RUN_DIR|RESULTS.json ... --out DIR [--force] [--run NAME]\n";

const po::options_description& merge_flags() {
  static const po::options_description desc = [] {
    po::options_description d("options");
    d.add_options()
        ("out", po::value<std::string>()->value_name("DIR"), "write DIR/results.json (DIR is created when missing)")
        ("force", po::bool_switch(), "replace an existing DIR/results.json")
        ("run", po::value<std::string>()->value_name("NAME"), "the merged run's name (default: DIR's name)")
        ("help,h", po::bool_switch(), "this help");
    return d;
  }();
  return desc;
}

void print_help() {
  fmt::print(
      "{}\n"
      "Merges the results of one job run on several hosts into one results.json, as\n"
      "the cluster coordinator does (docs/cluster-protocol.md): every host's jobs in\n"
      "fio's \"jobs\" (tagged with \"hostname\"), and under \"cluster\" the members, the\n"
      "failed ones, the start skew and per job name and direction the sums of I/Os,\n"
      "bytes, IOPS and bandwidth, the per-host IOPS spread, and latency percentiles\n"
      "computed from the summed json+ bins (never averaged; with plain json inputs\n"
      "\"percentiles_exact\" is false and none are given).\n\n"
      "Each argument is one member (index = its position): a run directory (its\n"
      "results.json; host from a `hostname` file in it, else the results, else the\n"
      "directory's name) or a results file, e.g. `fio --output-format=json+` output\n"
      "from each host. A coordinator's run dir (cluster.json, hosts/) is merged again\n"
      "alone. A member whose results are an incomplete checkpoint or hold a failed\n"
      "job is listed as failed and left out of the sums.\n\n{}",
      kUsage, describe_flags(merge_flags()));
}

}  // namespace

int cmd_merge(const std::vector<std::string>& args) {
  std::string out_dir, run_name;
  bool force = false;
  std::vector<std::string> inputs;
  results::MergeInputs in;
  try {
    ParsedFlags pf = parse_flags(args, merge_flags(), FlagStyle::long_only, false, "fiokit merge --help");
    for (const po::option& o : pf.flags) {
      if (o.string_key == "out") out_dir = flag_value(o);
      else if (o.string_key == "force") force = true;
      else if (o.string_key == "run") run_name = flag_value(o);
      else if (o.string_key == "help") {
        print_help();
        return kExitOk;
      }
    }
    inputs = std::move(pf.rest);
    if (out_dir.empty()) throw UsageError("--out DIR is required (where the merged results.json goes)");
    if (inputs.empty()) throw UsageError("no RUN_DIR or RESULTS.json to merge");
    std::error_code ec;
    if (const fs::path t = fs::path(out_dir) / "results.json"; fs::exists(t, ec) && !force)
      throw UsageError("--out " + out_dir + ": " + t.string() + " exists; pass --force to replace it (nothing was written)");
    in = results::read_merge_inputs(inputs);
  } catch (const UsageError& e) {
    return report_usage_error("merge", e, kUsage);
  } catch (const results::MergeArgumentError& e) {
    return report_usage_error("merge", UsageError(e.what()), kUsage);
  } catch (const std::exception& e) {
    fmt::print(stderr, "fiokit merge: {}\n", e.what());
    return kExitFailed;
  }
  const fs::path target = fs::path(out_dir) / "results.json";
  if (!run_name.empty()) in.meta.run = run_name;
  if (in.meta.run.empty()) in.meta.run = fs::absolute(fs::path(out_dir).lexically_normal()).filename().string();
  try {
    const std::string merged = results::merge_cluster_results(in.meta, in.members);
    fs::create_directories(out_dir);
    results::write_file_atomic(out_dir, "results.json", merged);
    fmt::print("{}", results::format_merge_summary(merged));
    fmt::print("merged results: {}\n", target.string());
  } catch (const std::exception& e) {
    fmt::print(stderr, "fiokit merge: {}\n", e.what());
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace fiokit::cli
