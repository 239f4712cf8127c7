// See disk_stats.hpp. Field order of /sys/block/<disk>/stat (kernel
// Documentation/block/stat.rst): read I/Os, read merges, read sectors, read
// ticks, write I/Os, write merges, write sectors, write ticks, in_flight,
// io_ticks, time_in_queue, then discard and flush fields we do not report.
#include "engine/disk_stats.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "volumes/device_info.hpp"
#include "volumes/layout.hpp"

namespace fiokit::engine {
namespace {

uint64_t now_ms() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

bool read_counters(const std::string& disk, DiskCounters& c) {
  std::ifstream in("/sys/block/" + disk + "/stat");
  std::string line;
  if (!in || !std::getline(in, line)) return false;
  c.name = disk;
  return parse_disk_stat(line, c);
}

}  // namespace

bool parse_disk_stat(const std::string& line, DiskCounters& out) {
  std::istringstream ss(line);
  uint64_t f[11];
  for (auto& v : f)
    if (!(ss >> v)) return false;
  out.read_ios = f[0];
  out.read_merges = f[1];
  out.read_ticks = f[3];
  out.write_ios = f[4];
  out.write_merges = f[5];
  out.write_ticks = f[7];
  out.io_ticks = f[9];
  out.in_queue = f[10];
  return true;
}

results::DiskUtil disk_util_between(const DiskCounters& a, const DiskCounters& b, uint64_t elapsed_ms) {
  auto d = [](uint64_t x, uint64_t y) { return y >= x ? y - x : 0; };
  results::DiskUtil u;
  u.name = b.name;
  u.read_ios = d(a.read_ios, b.read_ios);
  u.write_ios = d(a.write_ios, b.write_ios);
  u.read_merges = d(a.read_merges, b.read_merges);
  u.write_merges = d(a.write_merges, b.write_merges);
  u.read_ticks = d(a.read_ticks, b.read_ticks);
  u.write_ticks = d(a.write_ticks, b.write_ticks);
  u.in_queue = d(a.in_queue, b.in_queue);
  u.util = elapsed_ms ? std::min(100.0, 100.0 * static_cast<double>(d(a.io_ticks, b.io_ticks)) /
                                            static_cast<double>(elapsed_ms))
                      : 0.0;
  return u;
}

DiskStats::DiskStats(const volumes::RunPlan& plan) {
  std::set<std::string> disks;
  for (const auto& job_plan : plan) {
    for (const auto& t : volumes::planned_files_or_none(job_plan)) {
      // The file may not exist yet: describe the directory it will be made in.
      std::filesystem::path p(t.path);
      std::error_code ec;
      const std::string where = std::filesystem::exists(p, ec) ? p.string() : p.parent_path().string();
      const auto info = volumes::describe(where.empty() ? "." : where);
      const std::string disk = info.disk.empty() ? info.device : info.disk;
      if (!disk.empty() && std::filesystem::exists("/sys/block/" + disk + "/stat", ec)) disks.insert(disk);
    }
  }
  for (const auto& d : disks) {
    DiskCounters c;
    if (read_counters(d, c)) before_.push_back(c);
  }
  start_ms_ = now_ms();
}

std::vector<results::DiskUtil> DiskStats::finish() const {
  std::vector<results::DiskUtil> out;
  const uint64_t elapsed = now_ms() - start_ms_;
  for (const auto& b : before_) {
    DiskCounters a;
    if (read_counters(b.name, a)) out.push_back(disk_util_between(b, a, elapsed));
  }
  return out;
}

}  // namespace fiokit::engine
