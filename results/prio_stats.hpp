// Per-priority latency stats as fio 3.33 reports them (issue 15, part prio):
// which report entries carry them, how a group_reporting merge and the
// unified_rw "mixed" direction pool them, and when a direction shows them.
//
// fio's rules (stat.c, observed with cmdprio_percentage and prio=):
// - an entry (a job, or a group_reporting group) keeps per-priority stats
//   only when a member used cmdprio_* or the members' prio/prioclass differ;
// - pooling goes member by member, direction by direction: a member with a
//   per-priority table adds each slot to the entry's slot of the same ioprio
//   (added in first-seen order); a member without one adds its whole
//   direction (clat, or lat with lat_percentiles) under its own ioprio;
// - the mixed direction pools the entry's three directions the same way;
// - a direction shows its "prios" (JSON) and "clat prio C/L" lines (normal
//   output) only when at least two priorities have samples, and then lists
//   the ones that have samples, in table order.
// The slots hold the very values the totals hold (same histograms' inputs),
// so their counts add up to the direction's total exactly.
#pragma once
#include <vector>

#include "results/run_result.hpp"

namespace fiokit::results {

// The entry's per-priority tables from its members (report order): sets
// `entry.dirs[d].prios` for every direction, or clears them when fio would
// keep none.
void pool_prio_stats(JobResult& entry, const std::vector<const JobResult*>& members);

// The mixed direction's table of an entry (already pooled), as fio builds it.
std::vector<PrioStat> mixed_prio_stats(const JobResult& entry);

// The slots a direction shows; empty when fewer than two have samples.
std::vector<const PrioStat*> shown_prios(const std::vector<PrioStat>& prios);

}  // namespace fiokit::results
