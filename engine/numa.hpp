// numa_cpu_nodes / numa_mem_policy at run time (issue 15, part "parse"): the
// nodes a job names are checked against the machine before any I/O, then
// the worker's thread is pinned to those nodes' CPUs and given the memory
// policy, with sched_setaffinity and set_mempolicy(2) directly (no libnuma:
// the two system calls are all fio's use of it comes down to).
#pragma once
#include <vector>

#include "jobs/jobspec.hpp"

namespace fiokit::engine {

// The machine's online NUMA nodes (/sys/devices/system/node/online); {0} on a
// kernel without NUMA, which is one node.
std::vector<int> online_numa_nodes();
// Throws jobs::ParseError naming the node, the option and its file:line when
// the job names a node this machine does not have.
void check_numa_nodes(const jobs::JobSpec& j);
// In the worker's thread: affinity to the nodes' CPUs, then the memory
// policy. Throws SetupError with errno when the kernel refuses either.
void apply_numa(const jobs::JobSpec& j);

}  // namespace fiokit::engine
