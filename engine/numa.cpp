// NUMA placement of a job (see numa.hpp). fio applies numa_cpu_nodes with
// libnuma's numa_run_on_node_mask (the union of the nodes' CPUs as the
// thread's affinity) and numa_mem_policy with numa_set_* (set_mempolicy on
// the calling thread, before its buffers are allocated); fiokit makes the
// same two calls itself in the worker's thread, so the I/O buffers the worker
// allocates afterwards follow the policy.
#include "engine/numa.hpp"

#include <fmt/format.h>
#include <linux/mempolicy.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include "engine/io_engine.hpp"
#include "engine/run.hpp"
#include "jobs/error.hpp"
#include "jobs/units.hpp"

namespace fiokit::engine {
namespace {

// "0-1,4" (sysfs list format) -> {0, 1, 4}; empty on a read error.
std::vector<int> read_list(const std::string& path) {
  std::ifstream f(path);
  std::string text;
  if (!f || !std::getline(f, text)) return {};
  std::set<int> out;
  for (const auto& part : jobs::split(jobs::trim(text), ',')) {
    if (jobs::trim(part).empty()) continue;
    const size_t dash = part.find('-');
    const int lo = std::stoi(part.substr(0, dash)), hi = dash == std::string::npos ? lo : std::stoi(part.substr(dash + 1));
    for (int n = lo; n <= hi; ++n) out.insert(n);
  }
  return {out.begin(), out.end()};
}

std::vector<int> resolve(bool all, const std::vector<int>& nodes) { return all ? online_numa_nodes() : nodes; }

}  // namespace

std::vector<int> online_numa_nodes() {
  auto v = read_list("/sys/devices/system/node/online");
  return v.empty() ? std::vector<int>{0} : v;
}

void check_numa_nodes(const jobs::JobSpec& j) {
  const auto online = online_numa_nodes();
  auto check = [&](const std::vector<int>& nodes, const char* option, const jobs::SourceLoc& at) {
    for (int n : nodes)
      if (std::find(online.begin(), online.end(), n) == online.end()) {
        std::string have;
        for (int o : online) have += (have.empty() ? "" : ",") + std::to_string(o);
        throw jobs::ParseError(fmt::format("job '{}': {} names NUMA node {}, which this machine does not have "
                                           "(online nodes: {}) ({})",
                                           j.name, option, n, have, at.str()));
      }
  };
  check(j.numa.cpu_nodes, "numa_cpu_nodes", j.numa.cpu_at);
  check(j.numa.mem_nodes, "numa_mem_policy", j.numa.mem_at);
}

void apply_numa(const jobs::JobSpec& j) {
  const auto cpu_nodes = resolve(j.numa.cpu_all, j.numa.cpu_nodes);
  if (!cpu_nodes.empty()) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int n : cpu_nodes)
      for (int c : read_list(fmt::format("/sys/devices/system/node/node{}/cpulist", n)))
        if (c < CPU_SETSIZE) CPU_SET(c, &set);
    if (CPU_COUNT(&set) == 0)  // no sysfs node directory: a kernel without NUMA, all CPUs are node 0's
      for (int c = 0; c < CPU_SETSIZE && c < static_cast<int>(sysconf(_SC_NPROCESSORS_CONF)); ++c) CPU_SET(c, &set);
    if (int e = pthread_setaffinity_np(pthread_self(), sizeof(set), &set); e != 0)
      throw SetupError(fmt::format("job '{}': numa_cpu_nodes: cannot pin the thread: {}", j.name, std::strerror(e)), e);
  }
  if (j.numa.mem_mode < 0) return;
  const auto mem_nodes = resolve(j.numa.mem_all, j.numa.mem_nodes);
  unsigned long mask[1024 / (8 * sizeof(unsigned long))] = {};
  for (int n : mem_nodes) mask[n / (8 * sizeof(unsigned long))] |= 1UL << (n % (8 * sizeof(unsigned long)));
  const bool with_nodes = j.numa.mem_mode != MPOL_DEFAULT && j.numa.mem_mode != MPOL_LOCAL;
  if (syscall(SYS_set_mempolicy, j.numa.mem_mode, with_nodes ? mask : nullptr, with_nodes ? 1024UL : 0UL) != 0) {
    const int e = errno;
    throw SetupError(fmt::format("job '{}': numa_mem_policy: set_mempolicy: {}", j.name, std::strerror(e)), e);
  }
}

}  // namespace fiokit::engine
