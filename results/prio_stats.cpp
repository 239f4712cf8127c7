// See prio_stats.hpp for fio 3.33's rules.
#include "results/prio_stats.hpp"

namespace fiokit::results {
namespace {

void add_slot(std::vector<PrioStat>& into, uint32_t ioprio, const LatencyHistogram& h) {
  for (PrioStat& p : into)
    if (p.ioprio == ioprio) {
      p.hist.merge(h);
      return;
    }
  into.push_back(PrioStat{ioprio, h});
}

// One member's direction `d` into `into` (fio's sum_clat_prio_stats).
void add_member_dir(std::vector<PrioStat>& into, const JobResult& m, const DirStats& d) {
  if (d.prios.empty()) {
    add_slot(into, m.ioprio, m.lat_percentiles ? d.lat : d.clat);
    return;
  }
  for (const PrioStat& p : d.prios) add_slot(into, p.ioprio, p.hist);
}

}  // namespace

void pool_prio_stats(JobResult& entry, const std::vector<const JobResult*>& members) {
  bool keep = false;
  for (const JobResult* m : members) {
    if (m->ioprio != members.front()->ioprio) keep = true;
    for (const DirStats& d : m->dirs)
      if (!d.prios.empty()) keep = true;
  }
  for (int d = 0; d < kDirs; ++d) {
    std::vector<PrioStat> pooled;
    if (keep)
      for (const JobResult* m : members) add_member_dir(pooled, *m, m->dirs[d]);
    entry.dirs[d].prios = std::move(pooled);
  }
  entry.ioprio = members.front()->ioprio;
}

std::vector<PrioStat> mixed_prio_stats(const JobResult& entry) {
  std::vector<PrioStat> out;
  for (const DirStats& d : entry.dirs) add_member_dir(out, entry, d);
  return out;
}

std::vector<const PrioStat*> shown_prios(const std::vector<PrioStat>& prios) {
  std::vector<const PrioStat*> out;
  for (const PrioStat& p : prios)
    if (p.hist.count()) out.push_back(&p);
  if (out.size() < 2) out.clear();
  return out;
}

}  // namespace fiokit::results
