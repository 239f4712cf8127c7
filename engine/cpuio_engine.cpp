// ioengine=cpuio: burns CPU instead of doing I/O, as fio 3.33's engines/cpu.c
// defines it, so a job file can load the CPUs beside its I/O jobs (fio's
// examples/cpuio.fio). Each "I/O" is one burn cycle: cpumode=noop spins on
// the clock for cpuchunks microseconds (50 ms by default), cpumode=qsort sorts
// a 1 MiB table of pseudo-random integers four ways (fio's stress_qsort). After
// each cycle the job sleeps thinktime = cycle * (100 - cpuload) / cpuload, so
// the CPU is busy cpuload percent of the time: at cpuload=50, about ten cycles
// a second (fio sets thinktime_blocks=1 and thinktime_spin=0 over what the job
// says; qsort re-derives the think time from each sort's measured length).
// Like fio's FIO_NOIO engines, a cycle counts as an I/O of the job's first
// direction with its latency (clat = lat, no slat) and moves no bytes, so
// neither size= nor bytes end the job: runtime= or number_ios= do (the parser
// asks for one). exit_on_io_done=1 ends it once every job of the run that does
// real I/O has ended (never when there is none, as in fio).
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <vector>

#include <fmt/format.h>

#include "engine/io_loop.hpp"

namespace fiokit::engine {
namespace {

struct CpuioOptions {
  uint32_t cpuload = 0;        // percent; 0 is fio's "needs rate" error
  uint32_t cpuchunks = 50000;  // fio's cpucycle, microseconds
  bool qsort = false;          // cpumode=qsort (noop otherwise)
  bool exit_on_io_done = false;
  bool operator==(const CpuioOptions&) const = default;
};

const jobs::OwnedOptions<CpuioOptions>& cpuio_options() {
  using jobs::Opt;
  const std::string cat = "I/O engine specific (cpuio)";
  auto uint_opt = [](uint32_t CpuioOptions::*m) {
    return [m](CpuioOptions& o, const std::string& v, const jobs::ApplyCtx&) {
      o.*m = static_cast<uint32_t>(jobs::parse_int(v, false));
    };
  };
  static const jobs::OwnedOptions<CpuioOptions> table({
      jobs::owned_custom<CpuioOptions>(Opt("cpuload", "Use this percentage of CPU").range(0, UINT32_MAX).engines({"cpuio"}).cat(cat),
                                       jobs::OptType::integer, uint_opt(&CpuioOptions::cpuload)),
      jobs::owned_custom<CpuioOptions>(Opt("cpuchunks", "Length of the CPU burn cycles (usecs)").range(0, UINT32_MAX).def("50000")
                                           .engines({"cpuio"}).cat(cat),
                                       jobs::OptType::integer, uint_opt(&CpuioOptions::cpuchunks)),
      jobs::owned_custom<CpuioOptions>(
          Opt("cpumode", "Stress mode").values({{"noop", "NOOP instructions"}, {"qsort", "QSORT computation"}}).def("noop")
              .engines({"cpuio"}).cat(cat),
          jobs::OptType::enumeration,
          [](CpuioOptions& o, const std::string& v, const jobs::ApplyCtx&) {
            const std::string t = jobs::trim(v);
            if (t != "noop" && t != "qsort") throw jobs::ValueError(fmt::format("'{}' is not one of noop, qsort", t));
            o.qsort = t == "qsort";
          }),
      jobs::owned_custom<CpuioOptions>(Opt("exit_on_io_done", "Exit when IO threads finish").def("0").engines({"cpuio"}).cat(cat),
                                       jobs::OptType::boolean,
                                       [](CpuioOptions& o, const std::string& v, const jobs::ApplyCtx&) { o.exit_on_io_done = jobs::parse_bool(v); }),
  });
  return table;
}

// fio's mwc32 (Marsaglia's multiply-with-carry), seeded as fio seeds it, so
// the table sorted is fio's table.
uint32_t mwc32(uint32_t& w, uint32_t& z) {
  z = 36969 * (z & 65535) + (z >> 16);
  w = 18000 * (w & 65535) + (w >> 16);
  return (z << 16) + w;
}

int cmp_i32(const void* a, const void* b) {
  const int32_t x = *static_cast<const int32_t*>(a), y = *static_cast<const int32_t*>(b);
  return x > y ? 1 : x < y ? -1 : 0;
}
int cmp_i32_rev(const void* a, const void* b) { return cmp_i32(b, a); }
int cmp_i8(const void* a, const void* b) { return *static_cast<const int8_t*>(a) - *static_cast<const int8_t*>(b); }

class CpuioEngine final : public EngineBase<CpuioEngine> {
 public:
  // io_loop.hpp: completions go through Worker::complete_noio (no bytes).
  static constexpr bool kNoIo = true;

  std::string_view name() const override { return "cpuio"; }
  int init(const EngineSetup& s) override {
    try {
      opt_ = cpuio_options().read(s.options);
    } catch (const std::exception& e) {
      hint_ = fmt::format("cpuio: {}", e.what());
      return -EINVAL;
    }
    if (opt_.cpuload == 0) {
      hint_ = "cpu thread needs rate (cpuload=)";  // fio's words
      return -EINVAL;
    }
    opt_.cpuload = std::min<uint32_t>(opt_.cpuload, 100);
    io_jobs_running_ = s.io_jobs_running;
    think_ns_ = think_for(opt_.cpuchunks);
    if (opt_.qsort) {
      uint32_t w = 521288629u, z = 362436069u;
      table_.resize(kQsortInts);
      for (auto& v : table_) v = static_cast<int32_t>(mwc32(w, z));
    }
    return 0;
  }
  QueueResult queue(IoUnit& u) override {
    if (opt_.exit_on_io_done && io_jobs_running_ && !io_jobs_running_()) {
      u.result = -ECANCELED;  // not a cycle: the job ends (fio's td->done)
      return QueueResult::completed;
    }
    u.result = 0;
    if (opt_.qsort) {
      const uint64_t t0 = now_ns();
      std::qsort(table_.data(), table_.size(), sizeof(int32_t), cmp_i32);
      std::qsort(table_.data(), table_.size(), sizeof(int32_t), cmp_i32_rev);
      std::qsort(table_.data(), table_.size() * 4, 1, cmp_i8);
      std::qsort(table_.data(), table_.size(), sizeof(int32_t), cmp_i32_rev);
      // fio re-derives its think time from how long this sort took.
      think_ns_ = think_for((now_ns() - t0) / 1000);
    } else {
      const uint64_t t0 = now_ns(), cycle = uint64_t{opt_.cpuchunks} * 1000;
      while (now_ns() - t0 < cycle) {
      }
    }
    return QueueResult::completed;
  }
  int commit() override { return 0; }
  int reap(unsigned, unsigned) override { return 0; }
  IoUnit* event(unsigned) override { return nullptr; }
  std::string error_hint() const override { return hint_; }
  uint64_t think_override_ns() const override { return think_ns_; }
  bool overrides_think() const override { return true; }


 private:
  static constexpr size_t kQsortInts = 256 * 1024;  // fio's qsort_size: 1 MiB of int32
  // thinktime = cycle * (100 - cpuload) / cpuload, in microseconds as fio.
  uint64_t think_for(uint64_t cycle_us) const { return cycle_us * (100 - opt_.cpuload) / opt_.cpuload * 1000; }

  CpuioOptions opt_;
  std::vector<int32_t> table_;
  uint64_t think_ns_ = 0;
  std::function<bool()> io_jobs_running_;
  std::string hint_;
};

}  // namespace

std::unique_ptr<IoEngine> make_cpuio_engine() { return std::make_unique<CpuioEngine>(); }
std::vector<jobs::OptionDef> cpuio_option_defs() { return cpuio_options().defs(); }

}  // namespace fiokit::engine
