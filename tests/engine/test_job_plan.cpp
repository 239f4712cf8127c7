// JobPlan, IoQueue and Pacer tested alone: a plan built from a parsed job file
// (the real parser) must make the hot-path choices the loop relies on; the
// queue must move units and count depths as fio's IO depths lines do; the
// pacer must charge rate costs and count think blocks on a fake clock.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine/io_queue.hpp"
#include "engine/job_plan.hpp"
#include "engine/pacer.hpp"
#include "jobs/ini.hpp"
#include "jobs/parse.hpp"

using namespace fiokit;
using engine::Dir;
using engine::JobPlan;

namespace {

std::vector<jobs::JobSpec> parse(const std::string& text) {
  jobs::ParseRequest req;
  req.sources.push_back({"plan.fio", jobs::read_job_text(text, "plan.fio", ".", jobs::Expander::from_system())});
  return jobs::build_jobs(req, engine::option_catalog()).jobs;
}

std::vector<volumes::FileTarget> one_file(uint64_t size) {
  volumes::FileTarget t;
  t.path = "/nonexistent/plan.dat";  // JobPlan opens nothing
  t.size = size;
  return {t};
}

JobPlan plan_of(const std::string& text, uint64_t size = 1 << 20, engine::EngineFeatures feat = {}) {
  const auto jobs = parse(text);
  REQUIRE(!jobs.empty());
  return JobPlan(jobs[0], one_file(size), feat, engine::job_seed(jobs[0]));
}

}  // namespace

TEST_CASE("JobPlan: a fixed-size randread takes the inline random-map path") {
  const JobPlan p = plan_of("[j]\nioengine=null\nrw=randread\nbs=4k\nsize=1m\n");
  CHECK(p.random);
  CHECK(p.use_map);
  CHECK_FALSE(p.use_bitmap);
  CHECK(p.fast_rand);
  CHECK_FALSE(p.fast_seq);
  CHECK_FALSE(p.mixed);
  CHECK_FALSE(p.writes);
  CHECK(p.fixed_bs);
  CHECK(p.fixed_dir == Dir::read);
  CHECK(p.fixed_len == 4096);
  CHECK(p.unit_bytes == 4096);
  CHECK(p.max_blocks == 256);
  CHECK(p.loop_limit_bytes == (1u << 20));
  CHECK(p.buf_len == 4096);
  CHECK(p.queue.depth == 1);
  CHECK_FALSE(p.rated);
  CHECK_FALSE(p.thinking);
}

TEST_CASE("JobPlan: a sequential write takes the inline sequential path and stamps its buffers") {
  const JobPlan p = plan_of("[j]\nioengine=null\nrw=write\nbs=8k\nsize=1m\n");
  CHECK(p.fast_seq);
  CHECK_FALSE(p.fast_rand);
  CHECK(p.fixed_dir == Dir::write);
  CHECK(p.fixed_len == 8192);
  CHECK(p.writes);
  CHECK(p.stamp_writes);  // scramble_buffers=1 is fio's default
  CHECK_FALSE(plan_of("[j]\nioengine=null\nrw=write\nsize=1m\nzero_buffers=1\n").stamp_writes);
}

TEST_CASE("JobPlan: bssplit fills cumulative tables and leaves the fast paths") {
  const JobPlan p = plan_of("[j]\nioengine=null\nrw=randrw\nbssplit=4k/20:8k:16k\nsize=1m\n");
  CHECK(p.mixed);
  CHECK_FALSE(p.fixed_bs);
  CHECK_FALSE(p.fast_rand);
  CHECK_FALSE(p.fast_seq);
  // Entries without a percentage share what the others leave: 40 each.
  const std::vector<std::pair<uint32_t, uint64_t>> want{{20, 4096}, {60, 8192}, {100, 16384}};
  CHECK(p.bssplit_cum[0] == want);
  CHECK(p.bssplit_cum[1] == want);
  CHECK(p.min_len[0] == 4096);
  CHECK(p.max_len == 16384);
  CHECK(p.buf_len == 16384);
  // I/Os longer than the map's 4k block: fio's bitmap random map.
  CHECK(p.use_bitmap);
}

TEST_CASE("JobPlan: depth and batch limits follow fio's defaults and options") {
  JobPlan p = plan_of("[j]\nioengine=null\nrw=read\nsize=1m\niodepth=32\n");
  CHECK(p.queue.depth == 32);
  CHECK(p.queue.batch_submit == 1);  // fio: iodepth_batch_submit defaults to 1
  CHECK(p.queue.complete_min == 1);
  CHECK(p.queue.complete_max == 1);  // defaults to _min, not to iodepth
  CHECK(p.queue.low_water == 32);
  CHECK_FALSE(p.queue.polling);
  p = plan_of("[j]\nioengine=null\nrw=read\nsize=1m\niodepth=16\niodepth_batch_submit=4\niodepth_low=8\niodepth_batch_complete_min=2\n"
              "iodepth_batch_complete_max=64\n");
  CHECK(p.queue.batch_submit == 4);
  CHECK(p.queue.low_water == 8);
  CHECK(p.queue.complete_min == 2);
  CHECK(p.queue.complete_max == 16);  // never above iodepth
  p = plan_of("[j]\nioengine=null\nrw=read\nsize=1m\niodepth=8\niodepth_batch_complete_min=0\niodepth_batch_complete_max=0\n");
  CHECK(p.queue.polling);
}

TEST_CASE("JobPlan: generators and limits") {
  CHECK_FALSE(plan_of("[j]\nioengine=null\nrw=randread\nsize=1m\nnorandommap\n").fast_rand);
  const JobPlan l = plan_of("[j]\nioengine=null\nrw=randread\nsize=1m\nrandom_generator=lfsr\n");
  CHECK(l.lfsr);
  CHECK_FALSE(l.fast_rand);
  CHECK_FALSE(l.use_bitmap);
  CHECK_FALSE(plan_of("[j]\nioengine=null\nrw=randread\nsize=1m\nrandom_distribution=zipf:1.2\n").fast_rand);
  CHECK(plan_of("[j]\nioengine=null\nrw=read\nsize=1m\nio_size=3m\n").loop_limit_bytes == 3u << 20);
  CHECK(plan_of("[j]\nioengine=null\nrw=read\nsize=1m\nnumber_ios=7\n").loop_limit_ios == 7);
  const JobPlan z = plan_of("[j]\nioengine=null\nrw=read\nsize=1m\nzonemode=strided\nzonesize=256k\nzoneskip=256k\n");
  CHECK(z.zoned);
  CHECK_FALSE(z.fast_seq);
}

TEST_CASE("JobPlan: with filesize= the region is the file and size= the budget over the files") {
  // fio 3.33, filesize=4m size=2m: 2 MiB of I/O over a 4 MiB region.
  CHECK(plan_of("[j]\nioengine=null\nrw=randread\nfilesize=4m\nsize=2m\n", 4 << 20).loop_limit_bytes == 2u << 20);
  // size= larger than the files: the files' total, as fio.
  CHECK(plan_of("[j]\nioengine=null\nrw=read\nfilesize=4m\nsize=8m\n", 4 << 20).loop_limit_bytes == 4u << 20);
  CHECK(plan_of("[j]\nioengine=null\nrw=read\nfilesize=4m\n", 4 << 20).loop_limit_bytes == 4u << 20);
  // io_size= still wins.
  CHECK(plan_of("[j]\nioengine=null\nrw=read\nfilesize=4m\nsize=2m\nio_size=1m\n", 4 << 20).loop_limit_bytes == 1u << 20);
  // Without filesize= the region is size= itself.
  CHECK(plan_of("[j]\nioengine=null\nrw=read\nsize=1m\n", 1 << 20).loop_limit_bytes == 1u << 20);
}

TEST_CASE("JobPlan: seeds repeat per job and differ per clone") {
  const auto jobs = parse("[j]\nioengine=null\nrw=randread\nsize=1m\nnumjobs=2\nrandseed=42\n");
  REQUIRE(jobs.size() == 2);
  const auto files = one_file(1 << 20);
  const JobPlan a(jobs[0], files, {}, engine::job_seed(jobs[0]));
  const JobPlan a2(jobs[0], files, {}, engine::job_seed(jobs[0]));
  const JobPlan b(jobs[1], files, {}, engine::job_seed(jobs[1]));
  CHECK(a.seed == a2.seed);
  CHECK(a.seed != b.seed);
}

TEST_CASE("JobPlan: rate costs, thinktime and the engine's features") {
  engine::EngineFeatures sync;
  sync.sync = true;
  const JobPlan p = plan_of("[j]\nioengine=psync\nrw=randrw\nsize=1m\nrate_iops=1000,500\nrate=,1m\nthinktime=10\n", 1 << 20, sync);
  CHECK(p.rated);
  CHECK(p.thinking);
  CHECK(p.sync_engine);
  CHECK(p.rate_ns_per_io[0] == 1'000'000);
  CHECK(p.rate_ns_per_io[1] == 2'000'000);
  CHECK(p.rate_ns_per_byte[1] == Approx(1e9 / (1 << 20)));
  CHECK(p.rate_ns_per_byte[0] == 0);
  CHECK(plan_of("[j]\nioengine=null\nrw=read\nsize=1m\nrate_min=1k\n").min_rate);
}

TEST_CASE("JobPlan: verify choices") {
  const JobPlan w = plan_of("[j]\nioengine=null\nrw=write\nsize=1m\nverify=crc32c\n");
  CHECK(w.verify);
  CHECK(w.stamp_writes);
  CHECK_FALSE(w.verifying_reads);
  const JobPlan r = plan_of("[j]\nioengine=null\nrw=read\nsize=1m\nverify=crc32c\n");
  CHECK(r.verifying_reads);
  CHECK_FALSE(r.stamp_writes);
}

TEST_CASE("IoQueue: units, batches and fio's depth counters") {
  engine::IoQueue q;
  engine::IoQueue::Limits lim;
  lim.depth = 4;
  lim.batch_submit = 2;
  std::vector<uint8_t> arena(4 * 512);
  q.init(lim, arena.data(), 512);
  results::DepthStats st;
  q.bind_stats(&st);
  REQUIRE(q.units().size() == 4);
  CHECK(q.units()[3].buf == arena.data() + 3 * 512);
  CHECK(q.units()[2].index == 2);
  CHECK(q.free_count() == 4);
  CHECK(q.has_room());

  engine::IoUnit& a = q.next_free();
  CHECK(a.index == 0);  // unit 0 first
  q.take_free();
  CHECK_FALSE(q.add_queued(&a));
  engine::IoUnit& b = q.next_free();
  q.take_free();
  CHECK(q.add_queued(&b));  // the batch is full
  q.submitted(1234);
  CHECK(a.issue_ns == 1234);
  CHECK(b.issue_ns == 1234);
  CHECK(q.inflight() == 2);
  CHECK(q.queued() == 0);
  CHECK(st.submit_calls == 1);
  CHECK(st.submit[1] == 1);  // a submit of 2: the 1-4 bucket
  CHECK(st.level[1] == 2);   // two I/Os counted at depth 2

  // A failed commit hands the batch back.
  engine::IoUnit& c = q.next_free();
  q.take_free();
  q.add_queued(&c);
  CHECK(q.free_count() == 1);
  q.unqueue_all();
  CHECK(q.free_count() == 2);
  CHECK(q.queued() == 0);

  // Reaping: the caller frees the unit after accounting it.
  q.reaped();
  q.put_free(&a);
  q.count_complete(1);
  CHECK(q.inflight() == 1);
  CHECK(st.complete_calls == 1);
  CHECK(st.complete[1] == 1);

  // An fsync=N sync counts one I/O at depth inflight+1; with a sync engine
  // also one submit and one completion.
  q.count_sync(false);
  CHECK(st.level[1] == 3);
  CHECK(st.submit_calls == 1);
  q.count_sync(true);
  CHECK(st.submit_calls == 2);
  CHECK(st.complete_calls == 2);

  CHECK(engine::IoQueue::bucket_of(0) == 0);
  CHECK(engine::IoQueue::bucket_of(5) == 2);
  CHECK(engine::IoQueue::bucket_of(64) == 5);
  CHECK(engine::IoQueue::bucket_of(65) == 6);
  CHECK(engine::IoQueue::level_of(1) == 0);
  CHECK(engine::IoQueue::level_of(32) == 5);
  CHECK(engine::IoQueue::level_of(1000) == 6);
}

TEST_CASE("IoQueue: full and room follow iodepth") {
  engine::IoQueue q;
  engine::IoQueue::Limits lim;
  lim.depth = 2;
  q.init(lim, nullptr, 0);
  results::DepthStats st;
  q.bind_stats(&st);
  for (int i = 0; i < 2; ++i) {
    engine::IoUnit& u = q.next_free();
    q.take_free();
    q.add_queued(&u);
  }
  CHECK_FALSE(q.has_room());
  CHECK_FALSE(q.full());  // queued is not in flight yet
  q.submitted(1);
  CHECK(q.full());
  q.abandon_inflight();
  CHECK(q.inflight() == 0);
}

TEST_CASE("Pacer: rate_iops charges one period per I/O and makes up for a stall, as fio") {
  const auto jobs = parse("[j]\nioengine=null\nrw=read\nsize=1m\nrate_iops=1000\nrate_cycle=100\n");
  const JobPlan p(jobs[0], one_file(1 << 20), {}, 1);
  engine::Pacer pc;
  pc.init(jobs[0], p);
  const uint64_t t0 = 1'000'000'000;
  pc.start(t0);
  CHECK(pc.due(Dir::read) == t0);
  pc.charge(Dir::read, 4096);
  CHECK(pc.due(Dir::read) == t0 + 1'000'000);
  pc.charge(Dir::read, 4096);
  CHECK(pc.due(Dir::read) == t0 + 2'000'000);
  // A stall of 5 s: the job stays on its schedule, so the ~5000 I/Os it
  // missed are due at once (fio: the next I/O time comes from the bytes
  // issued since the start; rate_cycle only paces rate_min's checks).
  pc.charge(Dir::read, 4096);
  CHECK(pc.due(Dir::read) == t0 + 3'000'000);
  CHECK(pc.due(Dir::write) == t0);  // other directions keep their own clock
}

TEST_CASE("Pacer: rate= charges per byte, thinktime counts blocks") {
  const auto jobs = parse("[j]\nioengine=null\nrw=write\nsize=1m\nrate=1m\nthinktime=300\nthinktime_spin=100\nthinktime_blocks=3\n");
  const JobPlan p(jobs[0], one_file(1 << 20), {}, 1);
  engine::Pacer pc;
  pc.init(jobs[0], p);
  pc.start(0);
  pc.charge(Dir::write, 4096);
  CHECK(pc.due(Dir::write) == 3'906'250);  // 4096 B at 1 MiB/s
  CHECK(pc.think_ns() == 300'000);
  CHECK(pc.think_spin_ns() == 100'000);
  std::vector<bool> v;
  for (int i = 0; i < 7; ++i) v.push_back(pc.count_io());
  CHECK(v == std::vector<bool>{false, false, true, false, false, true, false});
}
