// Option table, issue 15 part "parse": numa_cpu_nodes and numa_mem_policy
// (fio's NUMA placement, HOWTO "numa_cpu_nodes"). Both are parsed here into
// JobSpec::numa (node lists as numbers, the policy as the kernel's MPOL_*
// mode); engine/numa.cpp checks the nodes exist and applies them in the
// worker's thread, so a job file written for a 2-node machine parses
// everywhere and is refused, with the node and the line, where the node is
// missing.
#include <fmt/format.h>

#include <set>

#include "jobs/options.hpp"

namespace fiokit::jobs {
namespace {

// "0", "0-1", "0,2-3" or "all" (all=true, no list), as fio's
// numa_parse_nodestring takes them.
std::vector<int> parse_nodes(const std::string& text, bool& all) {
  const std::string t = trim(text);
  all = t == "all";
  if (all) return {};
  std::set<int> nodes;
  for (const auto& part : split(t, ',')) {
    const std::string p = trim(part);
    if (p.empty()) throw ValueError("empty entry in NUMA node list '" + text + "'");
    const size_t dash = p.find('-');
    const int64_t lo = parse_int(p.substr(0, dash)), hi = dash == std::string::npos ? lo : parse_int(p.substr(dash + 1));
    if (lo < 0 || hi < lo) throw ValueError("bad NUMA node range '" + p + "'");
    if (hi >= 1024) throw ValueError("NUMA node " + std::to_string(hi) + " is above 1023");
    for (int64_t n = lo; n <= hi; ++n) nodes.insert(static_cast<int>(n));
  }
  return {nodes.begin(), nodes.end()};
}

void set_mem_policy(JobSpec& s, const std::string& value, const ApplyCtx&) {
  const std::string v = trim(value);
  const size_t colon = v.find(':');
  const std::string mode = trim(v.substr(0, colon));
  const bool has_nodes = colon != std::string::npos;
  static const std::pair<const char*, int> kModes[] = {{"default", 0}, {"prefer", 1}, {"bind", 2}, {"interleave", 3}, {"local", 4}};
  int m = -1;
  for (const auto& [name, num] : kModes)
    if (mode == name) m = num;
  if (m < 0) throw ValueError("'" + mode + "' is not a memory policy (allowed: default, prefer, bind, interleave, local)");
  JobSpec::Numa& n = s.numa;
  n.mem_mode = m;
  n.mem_all = false;
  n.mem_nodes.clear();
  if (m == 0 || m == 4) {
    if (has_nodes) throw ValueError(fmt::format("numa_mem_policy={} takes no node list", mode));
    return;
  }
  if (!has_nodes) throw ValueError(fmt::format("numa_mem_policy={} needs a node list ({}:0)", mode, mode));
  n.mem_nodes = parse_nodes(v.substr(colon + 1), n.mem_all);
  if (m == 1 && (n.mem_all || n.mem_nodes.size() != 1))
    throw ValueError("numa_mem_policy=prefer takes exactly one node (prefer:0)");
}

}  // namespace

void add_parse_options(std::vector<OptionDef>& t) {
  const std::string proc = "CPU and process";
  t.push_back(Opt("numa_cpu_nodes", "Run on these NUMA nodes' CPUs: a list like 0,2-3, or all")
                  .custom(OptType::str, [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                    s.numa.cpu_nodes = parse_nodes(v, s.numa.cpu_all);
                  })
                  .cat(proc));
  t.push_back(Opt("numa_mem_policy", "NUMA memory policy: default, local, prefer:N, bind:LIST or interleave:LIST")
                  .custom(OptType::str, set_mem_policy)
                  .values({{"default", "the process's policy"}, {"prefer", "prefer one node"}, {"bind", "only these nodes"},
                           {"interleave", "round-robin over these nodes"}, {"local", "the node the thread runs on"}})
                  .cat(proc));
}

}  // namespace fiokit::jobs
