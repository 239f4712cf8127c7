// CmdPrio's tables from the JobSpec (see cmdprio.hpp for fio 3.33's rules).
#include "engine/cmdprio.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace fiokit::engine {
namespace {

// The slot of `ioprio` in a direction's table, added when new (fio keeps one
// per distinct value, the job's own first).
uint8_t slot_of(std::vector<results::PrioStat>& prios, uint16_t ioprio) {
  for (size_t i = 0; i < prios.size(); ++i)
    if (prios[i].ioprio == ioprio) return static_cast<uint8_t>(i);
  prios.push_back(results::PrioStat{ioprio, {}});
  return static_cast<uint8_t>(prios.size() - 1);
}

}  // namespace

int set_thread_ioprio(uint16_t value) {
  constexpr int kWhoProcess = 1;  // IOPRIO_WHO_PROCESS; who = 0 is the calling thread
  if (syscall(SYS_ioprio_set, kWhoProcess, 0, static_cast<int>(value)) != 0) return -errno;
  return 0;
}

bool CmdPrio::init(const jobs::JobSpec& spec, uint16_t job_ioprio, std::array<results::DirStats, 3>& dirs) {
  bssplit_ = spec.cmdprio_bssplit_given;
  active_ = false;
  for (int d = 0; d < 2; ++d) {
    const auto dir = static_cast<jobs::Dir>(d);
    // cmdprio_class not given: realtime, as fio.
    const uint32_t cls = spec.cmdprio_class[d] ? spec.cmdprio_class[d] : 1;
    const uint16_t implicit = ioprio_value(cls, spec.cmdprio_level[d]);
    std::vector<results::PrioStat>& prios = dirs[d].prios;
    prios.clear();
    perc_[d] = {};
    bs_[d].clear();
    if (!spec.does(dir)) continue;
    if (!bssplit_) {
      if (!spec.cmdprio_percentage[d]) continue;
      prios.push_back(results::PrioStat{job_ioprio, {}});
      perc_[d] = {spec.cmdprio_percentage[d], implicit, slot_of(prios, implicit)};
      active_ = true;
      continue;
    }
    const auto& split = spec.cmdprio_bssplit[d];
    if (split.empty()) continue;
    prios.push_back(results::PrioStat{job_ioprio, {}});
    for (const auto& s : split) {  // sorted by bs, 0% entries dropped (option_table_prio.cpp)
      if (bs_[d].empty() || bs_[d].back().bs != s.bs) bs_[d].push_back(BsEntry{s.bs, 0, {}});
      const uint16_t v = s.ioprio < 0 ? implicit : static_cast<uint16_t>(s.ioprio);
      bs_[d].back().entries.push_back(Entry{s.perc, v, slot_of(prios, v)});
      bs_[d].back().total += s.perc;
    }
    active_ = true;
  }
  return active_;
}

}  // namespace fiokit::engine
