// Offset generation: the random map is a permutation for any size, keyed by
// the seed; the non-uniform distributions have the skew they promise; the
// random_generator, norandommap, randrepeat and randseed choices touch the
// blocks fio 3.33 touches (fio's t0020-t0022 checks, on real runs).
#include <catch2/catch.hpp>
#include <algorithm>
#include <fstream>
#include <numeric>
#include <set>
#include <sstream>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "engine/offsets.hpp"
#include "engine_test_util.hpp"

using namespace fiokit;

TEST_CASE("BlockPermutation is a bijection of [0, n) for awkward n") {
  for (uint64_t n : {1ull, 2ull, 3ull, 7ull, 64ull, 1000ull, 4097ull, 65537ull}) {
    engine::BlockPermutation p;
    p.init(n, 42);
    std::vector<char> seen(n, 0);
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t v = p.at(i);
      REQUIRE(v < n);
      REQUIRE_FALSE(seen[v]);
      seen[v] = 1;
    }
  }
  engine::BlockPermutation a, b;
  a.init(1000, 1);
  b.init(1000, 2);
  int same = 0;
  for (uint64_t i = 0; i < 1000; ++i) same += a.at(i) == b.at(i);
  CHECK(same < 20);
}

TEST_CASE("Rng::below is uniform enough and deterministic") {
  engine::Rng r1(5), r2(5);
  std::vector<int> hist(10, 0);
  for (int i = 0; i < 100000; ++i) {
    const uint64_t v = r1.below(10);
    REQUIRE(v == r2.below(10));
    ++hist[v];
  }
  for (int h : hist) CHECK(h == Approx(10000).epsilon(0.05));
}

namespace {
// Share of draws landing on the most popular `top` fraction of blocks.
double top_share(const jobs::RandomDistribution& d, uint64_t n, double top) {
  engine::BlockDistribution bd;
  bd.init(d, n, 9);
  engine::Rng r(3);
  std::vector<uint64_t> hits(n, 0);
  const int draws = 200000;
  for (int i = 0; i < draws; ++i) {
    const uint64_t b = bd.next(r);
    REQUIRE(b < n);
    ++hits[b];
  }
  std::sort(hits.rbegin(), hits.rend());
  const auto k = static_cast<size_t>(static_cast<double>(n) * top);
  return static_cast<double>(std::accumulate(hits.begin(), hits.begin() + static_cast<long>(k), uint64_t{0})) / draws;
}
}  // namespace

TEST_CASE("distributions: zipf and pareto are skewed, zoned honours its zones") {
  jobs::RandomDistribution uni;
  CHECK(top_share(uni, 1000, 0.1) < 0.15);
  jobs::RandomDistribution z;
  z.kind = jobs::RandomDistribution::zipf;
  z.param = 1.2;
  CHECK(top_share(z, 1000, 0.1) > 0.6);
  jobs::RandomDistribution p;
  p.kind = jobs::RandomDistribution::pareto;
  p.param = 0.2;  // 80% of accesses to 20% of the blocks
  // 1024 blocks: fio's multiplicative hash is then a bijection and the 80/20
  // promise holds; at 1000 blocks values collide as in fio (measured there:
  // 308 distinct blocks, 94.8% of the I/Os on the top 20%).
  CHECK(top_share(p, 1024, 0.2) == Approx(0.8).margin(0.03));
  CHECK(top_share(p, 1000, 0.2) == Approx(0.948).margin(0.02));
  jobs::RandomDistribution zo;
  zo.kind = jobs::RandomDistribution::zoned;
  zo.zones = {{60, 10}, {40, 90}};  // 60% of accesses to the first 10% of blocks
  engine::BlockDistribution bd;
  bd.init(zo, 1000, 1);
  engine::Rng r(1);
  int first = 0;
  for (int i = 0; i < 100000; ++i) first += bd.next(r) < 100;
  CHECK(first / 100000.0 == Approx(0.6).margin(0.01));
}

TEST_CASE("normal:dev has fio 3.33's shape: a narrow bell, hashed over the whole file") {
  // fio 3.33, 4096 blocks, 4096 draws of normal:20 (the differential case
  // dist-normal): 1536 distinct blocks, each tenth of the file ~10% of the
  // I/Os. 1000 blocks, 100000 draws: normal:5 199 distinct, normal:20 221.
  auto shape = [](double dev, uint64_t n, int draws) {
    jobs::RandomDistribution nd;
    nd.kind = jobs::RandomDistribution::normal;
    nd.param = dev;
    engine::BlockDistribution bd;
    bd.init(nd, n, 1);
    engine::Rng r(7);
    std::vector<int> hits(n, 0), tenth(10, 0);
    for (int i = 0; i < draws; ++i) {
      const uint64_t b = bd.next(r);
      REQUIRE(b < n);
      ++hits[b];
      ++tenth[b * 10 / n];
    }
    const auto distinct = std::count_if(hits.begin(), hits.end(), [](int h) { return h > 0; });
    return std::pair(static_cast<double>(distinct), tenth);
  };
  const auto [d20, tenths] = shape(20, 4096, 4096);
  CHECK(d20 == Approx(1536).epsilon(0.05));
  for (int t : tenths) CHECK(t / 4096.0 == Approx(0.10).margin(0.03));  // no central bell
  CHECK(shape(5, 1000, 100000).first == Approx(199).epsilon(0.05));
  CHECK(shape(20, 1000, 100000).first == Approx(221).epsilon(0.05));
}

TEST_CASE("Lfsr taps give a full period for every width a unit test can walk") {
  // A Galois LFSR with these taps must return to its start after exactly
  // 2^k - 1 steps and not before; widths above 24 are trusted to XAPP052.
  for (int bits = 3; bits <= 24; ++bits) {
    const uint64_t mask = engine::Lfsr::taps_mask(bits), period = (uint64_t{1} << bits) - 1;
    uint64_t s = 1, steps = 0;
    do {
      s = (s >> 1) ^ ((0 - (s & 1)) & mask);
      ++steps;
    } while (s != 1 && steps <= period);
    INFO("width " << bits);
    CHECK(steps == period);
  }
}

TEST_CASE("Lfsr yields every block once per pass and repeats the pass after restart") {
  for (uint64_t n : {1ull, 2ull, 3ull, 7ull, 8ull, 256ull, 1000ull, 4097ull, 65537ull}) {
    engine::Lfsr l;
    l.init(n, 0x89);
    std::vector<uint64_t> first;
    std::vector<char> seen(n, 0);
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t b = l.next();
      REQUIRE(b < n);
      REQUIRE_FALSE(seen[b]);
      seen[b] = 1;
      first.push_back(b);
    }
    l.restart();
    for (uint64_t i = 0; i < n; ++i) REQUIRE(l.next() == first[i]);
  }
}

TEST_CASE("Tausworthe (taus88 and lfsr258) is deterministic per seed and uniform over blocks") {
  for (bool wide : {false, true}) {
    INFO("wide=" << wide);
    engine::Tausworthe a, b, c;
    a.seed(7, wide);
    b.seed(7, wide);
    c.seed(8, wide);
    std::vector<int> hist(16, 0);
    int same_as_other_seed = 0;
    for (int i = 0; i < 160000; ++i) {
      const uint64_t v = a.below(16);
      REQUIRE(v == b.below(16));
      same_as_other_seed += v == c.below(16);
      ++hist[v];
    }
    for (int h : hist) CHECK(h == Approx(10000).epsilon(0.05));
    CHECK(same_as_other_seed < 160000 / 16 * 1.2);  // independent streams agree ~1/16 of the time
    // The raw output never sticks (a component at a bad state would).
    std::vector<uint64_t> raw;
    for (int i = 0; i < 1000; ++i) raw.push_back(a.next());
    std::sort(raw.begin(), raw.end());
    CHECK(std::unique(raw.begin(), raw.end()) - raw.begin() == 1000);
  }
}

namespace {
using fiokit::test::run_one;

// The offsets of one run of `j`, in issue order (null engine: no files).
std::vector<uint64_t> offsets_of(const jobs::JobSpec& j) {
  std::vector<std::vector<engine::TraceRecord>> tr;
  const auto r = run_one(j, &tr);
  INFO(r.jobs.at(0).error_message);
  REQUIRE(r.jobs.at(0).error == 0);
  std::vector<uint64_t> v;
  for (const auto& t : tr.at(0)) v.push_back(t.offset);
  return v;
}

// fio's t0020-t0022 job: 1 MiB of 4 KiB random reads on the null engine.
jobs::JobSpec t002x(bool norandommap, jobs::RandomGenerator g) {
  jobs::JobSpec j;  // make_job() inlined here trips GCC 12's false -Wrestrict
  j.name = std::string(4, 't');
  j.ioengine = std::string("null");
  j.rw = jobs::RwMode::randread;
  j.size = 1 << 20;
  j.bs = {{4096, 4096, 4096}};
  j.norandommap = norandommap;
  j.random_generator = g;
  return j;
}

size_t distinct(std::vector<uint64_t> v) {
  std::sort(v.begin(), v.end());
  return static_cast<size_t>(std::unique(v.begin(), v.end()) - v.begin());
}

size_t sequential_pairs(const std::vector<uint64_t>& v) {
  size_t n = 0;
  for (size_t i = 1; i < v.size(); ++i) n += v[i] == v[i - 1] + 4096;
  return n;
}
}  // namespace

TEST_CASE("random_generator=lfsr touches every block exactly once per loop, even with norandommap (fio t0021)") {
  using G = jobs::RandomGenerator;
  for (bool nrm : {true, false}) {
    INFO("norandommap=" << nrm);
    auto j = t002x(nrm, G::lfsr);
    j.loops = 2;
    const auto v = offsets_of(j);
    REQUIRE(v.size() == 512);
    const std::vector<uint64_t> loop1(v.begin(), v.begin() + 256), loop2(v.begin() + 256, v.end());
    CHECK(distinct(loop1) == 256);
    for (uint64_t o : loop1) CHECK((o % 4096 == 0 && o < (1u << 20)));
    CHECK(sequential_pairs(loop1) <= 10);  // t0021's bound: not a sequential walk
    CHECK(loop2 == loop1);                 // fio resets its LFSR to the seed each loop
  }
}

TEST_CASE("tausworthe: norandommap repeats blocks (fio t0022); the random map visits each once (t0020)") {
  using G = jobs::RandomGenerator;
  for (G g : {G::tausworthe, G::tausworthe64}) {
    const auto free_draws = offsets_of(t002x(true, g));
    REQUIRE(free_draws.size() == 256);
    CHECK(distinct(free_draws) < 256);
    CHECK(distinct(free_draws) > 128);  // 256 draws from 256 blocks: ~162 distinct
    CHECK(sequential_pairs(free_draws) <= 10);
    const auto mapped = offsets_of(t002x(false, g));
    CHECK(distinct(mapped) == 256);
    CHECK(sequential_pairs(mapped) <= 10);
  }
}

TEST_CASE("randrepeat and randseed: the same seed repeats the sequence, loops repeat it, randrepeat=0 does not") {
  const auto base = t002x(false, jobs::RandomGenerator::tausworthe);
  CHECK(offsets_of(base) == offsets_of(base));  // randrepeat=1 (default): the same every run
  auto seeded = base;
  seeded.randseed = 1234;
  seeded.randseed_set = true;
  CHECK(offsets_of(seeded) == offsets_of(seeded));
  CHECK(offsets_of(seeded) != offsets_of(base));  // fio 3.33 ignores randseed here; its HOWTO says it seeds
  auto fresh = base;
  fresh.randrepeat = false;
  CHECK(offsets_of(fresh) != offsets_of(fresh));
  fresh.allrandrepeat = true;  // every generator repeatable again
  CHECK(offsets_of(fresh) == offsets_of(fresh));
  // loops=2, as measured with fio 3.33's write_iolog: randrepeat=1 re-seeds
  // between loops (the same order twice), randrepeat=0 does not.
  for (bool repeat : {true, false}) {
    auto j = base;
    j.loops = 2;
    j.randrepeat = repeat;
    const auto v = offsets_of(j);
    REQUIRE(v.size() == 512);
    const std::vector<uint64_t> loop1(v.begin(), v.begin() + 256), loop2(v.begin() + 256, v.end());
    CHECK(distinct(loop1) == 256);
    CHECK(distinct(loop2) == 256);
    CHECK((loop1 == loop2) == repeat);
  }
}

TEST_CASE("randrepeat=1: every loop repeats the first's directions and sizes too, as fio re-seeds") {
  std::vector<std::vector<engine::TraceRecord>> tr;
  auto j = t002x(false, jobs::RandomGenerator::tausworthe);
  j.rw = jobs::RwMode::randrw;
  for (auto& r : j.bsrange.v) r = {4096, 16384};
  j.loops = 2;
  for (bool repeat : {true, false}) {
    INFO("randrepeat=" << repeat);
    j.randrepeat = repeat;
    tr.clear();
    const auto r = run_one(j, &tr);
    REQUIRE(r.jobs.at(0).error == 0);
    const auto& v = tr.at(0);
    // The loops split where the first one's bytes reach the size.
    size_t first = 0;
    for (uint64_t bytes = 0; first < v.size() && bytes < j.size; ++first) bytes += v[first].len;
    REQUIRE(v.size() > first);
    bool same = v.size() == 2 * first;  // loop 2 with other sizes may take another number of I/Os
    for (size_t i = 0; same && i < first; ++i)
      same = same && v[i].ddir == v[first + i].ddir && v[i].len == v[first + i].len;
    CHECK(same == repeat);
  }
}

TEST_CASE("coverage per loop matches fio 3.33's for each generator and map setting", "[fio]") {
  if (!test::fio_available()) {
    FAIL("fio is not installed: run the [fio] cases through CTest's engine_fio entry, which skips without it");
  }
  using G = jobs::RandomGenerator;
  test::TempDir d;
  for (auto [nrm, g, name] : {std::tuple{true, G::lfsr, "lfsr"}, std::tuple{false, G::lfsr, "lfsr"},
                              std::tuple{true, G::tausworthe, "tausworthe"}, std::tuple{false, G::tausworthe, "tausworthe"}}) {
    INFO("norandommap=" << nrm << " random_generator=" << name);
    // fio's own record of what it issued: write_iolog (version 3: "TIME FILE read OFFSET LEN" rows).
    const std::string log = fmt::format("{}/io-{}-{}.log", d.path, name, nrm ? 1 : 0);  // fio appends to an existing log
    const auto ran = test::run_shell(fmt::format("cd {} && fio --name=test --ioengine=null --filesize=1M --rw=randread --norandommap={} "
                                                 "--random_generator={} --loops=2 --write_iolog={} >/dev/null 2>&1",
                                                 d.path, nrm ? 1 : 0, name, log));
    REQUIRE(ran);
    std::vector<uint64_t> fio;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
      std::istringstream f(line);
      std::string time, file, act;
      uint64_t off = 0;
      if (f >> time >> file >> act >> off && act == "read") fio.push_back(off);
    }
    auto j = t002x(nrm, g);
    j.loops = 2;
    const auto ours = offsets_of(j);
    REQUIRE(fio.size() == 512);
    REQUIRE(ours.size() == 512);
    auto loop = [](const std::vector<uint64_t>& v, int k) { return std::vector<uint64_t>(v.begin() + k * 256, v.begin() + (k + 1) * 256); };
    for (int k = 0; k < 2; ++k) {
      // Full coverage exactly where fio has it; repeats where fio repeats.
      CHECK((distinct(loop(fio, k)) == 256) == (distinct(loop(ours, k)) == 256));
    }
    CHECK((loop(fio, 0) == loop(fio, 1)) == (loop(ours, 0) == loop(ours, 1)));
  }
}

TEST_CASE("rw=read:12k issues size/bs I/Os, wrapping over the same offsets as fio 3.33") {
  // fio 3.33, size=4m bs=4k rw=read:12k: 1024 I/Os, four passes over the 256
  // offsets 0, 16k, ..., 4080k (the differential case rw-read-skip).
  auto j = t002x(false, jobs::RandomGenerator::tausworthe);
  j.rw = jobs::RwMode::read;
  j.size = 4 << 20;
  j.rw_modifier = 12 * 1024;
  const auto v = offsets_of(j);
  REQUIRE(v.size() == 1024);
  for (size_t i = 0; i < v.size(); ++i) CHECK(v[i] == (i % 256) * 16384);
}

std::vector<uint64_t> blocks_of(const jobs::JobSpec& j) {
  std::vector<uint64_t> b;
  for (uint64_t o : offsets_of(j)) b.push_back(o / 4096);
  return b;
}

TEST_CASE("rw=read:-8k walks backwards as fio 3.33 does, wrapping to the end and across loops") {
  // fio 3.33 (null engine, size=64k bs=4k), blocks from a lat log's offsets:
  // read:-8k 0 14 13 ... 1 0; read:-12k 0 13 11 ... 1 13 11 ...; read:-4k
  // block 0 every time; loops=2 goes on where loop 1 ended (... 1 0 14 ...).
  auto j = t002x(false, jobs::RandomGenerator::tausworthe);
  j.rw = jobs::RwMode::read;
  j.size = 64 << 10;
  j.rw_modifier = -8 * 1024;
  std::vector<uint64_t> want{0};
  for (uint64_t b = 14; b >= 1; --b) want.push_back(b);
  want.push_back(0);
  CHECK(blocks_of(j) == want);
  j.loops = 2;
  auto twice = want;
  for (size_t i = 1; i < want.size(); ++i) twice.push_back(want[i]);
  twice.push_back(14);
  CHECK(blocks_of(j) == twice);
  j.loops = 1;
  j.rw_modifier = -12 * 1024;
  CHECK(blocks_of(j) == std::vector<uint64_t>{0, 13, 11, 9, 7, 5, 3, 1, 13, 11, 9, 7, 5, 3, 1, 13});
  j.rw_modifier = -4 * 1024;
  CHECK(blocks_of(j) == std::vector<uint64_t>(16, 0));
}

TEST_CASE("rw=read:-8k in a region that starts inside a larger file starts where fio does") {
  // fio 3.33, a 128k file, offset=32k size=64k read:-8k: blocks 14 13 ... 8
  // then 22 21 ... 14 (the first offset takes the region's size as an end;
  // the wrap goes to min(file size, region size) past the region's start).
  test::TempDir d;
  const std::string path = d.path + "/f128";
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(128 * 1024, 'x');
  }
  auto j = test::make_job("psync", jobs::RwMode::read, d.path, 64 * 1024);
  j.directories.clear();
  j.filenames = {path};
  j.offset = 32 * 1024;
  j.rw_modifier = -8 * 1024;
  CHECK(blocks_of(j) == std::vector<uint64_t>{14, 13, 12, 11, 10, 9, 8, 22, 21, 20, 19, 18, 17, 16, 15, 14});
}

TEST_CASE("rw=randread:4: a random offset every 4 I/Os, the first included; identical repeats it") {
  // fio 3.33 (size=64k bs=4k randread:4): blocks 0 1 2 3 11 12 13 14 13 14 15 7 ...
  // and with rw_sequencer=identical 0 0 0 0 11 11 11 11 ...; a sequential step
  // past the end draws a random block (15 then 7), it does not wrap to 0.
  auto j = t002x(false, jobs::RandomGenerator::tausworthe);
  j.size = 64 << 10;
  j.rw_modifier = 4;
  j.loops = 8;  // more runs of 4, more chances to meet the end of the file
  const auto v = offsets_of(j);
  REQUIRE(v.size() == 16 * 8);
  size_t at_end = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i % 4 == 0 || v[i - 1] + 4096 == v[i]) continue;
    CHECK(v[i - 1] + 4096 == j.size);  // only the end of the file breaks a run
    ++at_end;
  }
  CHECK(at_end > 0);
  j.rw_sequencer = jobs::RwSequencer::identical;
  const auto w = offsets_of(j);
  REQUIRE(w.size() == 16 * 8);
  for (size_t i = 0; i < w.size(); ++i)
    if (i % 4) CHECK(w[i] == w[i - 1]);
  CHECK(distinct(w) > 1);
}

TEST_CASE("RandomMap finds the next free block and marks free runs like a plain bitmap") {
  for (uint64_t n : {1ull, 63ull, 64ull, 65ull, 4097ull, 300000ull}) {
    INFO("n=" << n);
    engine::RandomMap m;
    m.init(n);
    std::vector<char> ref(n, 0);
    engine::Rng r(n);
    uint64_t done = 0;
    while (done < n) {
      const uint64_t b = r.below(n), want = r.below(20) + 1;
      // The reference: first clear at or after b, else from 0.
      uint64_t f = b;
      while (f < n && ref[f]) ++f;
      if (f == n)
        for (f = 0; f < n && ref[f]; ++f) {
        }
      REQUIRE(m.next_free(b) == f);
      REQUIRE(f < n);
      uint64_t k = 0;
      while (k < want && f + k < n && !ref[f + k]) ref[f + k++] = 1;
      REQUIRE(m.set_run(f, want) == k);
      done += k;
      REQUIRE(m.test(f));
    }
    CHECK(m.next_free(0) == engine::RandomMap::kNone);
    m.clear();
    CHECK(m.next_free(n - 1) == n - 1);
  }
}

TEST_CASE("rw=read:96k ends a pass where the next I/O would not fit, and wraps only at the file's end, as fio 3.33") {
  // Measured with fio 3.33, size=8m bs=64k: read:96k 51 I/Os (fio's t0007
  // in small: no short 52nd I/O, no wrap); read:64k 128 (the hole reaches
  // the end exactly: two passes); read:96k with io_size=16m 256 and with
  // loops=2 102 (an over pass ends the loop unless io_size asks for more).
  auto j = t002x(false, jobs::RandomGenerator::tausworthe);
  j.rw = jobs::RwMode::read;
  j.size = 8 << 20;
  j.bs = {{65536, 65536, 65536}};
  j.rw_modifier = 96 * 1024;
  auto v = offsets_of(j);
  REQUIRE(v.size() == 51);
  for (size_t i = 0; i < v.size(); ++i) CHECK(v[i] == i * 160 * 1024);
  j.io_size = 16 << 20;
  CHECK(offsets_of(j).size() == 256);
  j.io_size = 0;
  j.loops = 2;
  CHECK(offsets_of(j).size() == 102);
  j.loops = 1;
  j.rw_modifier = 64 * 1024;
  v = offsets_of(j);
  REQUIRE(v.size() == 128);
  CHECK(v[64] == 0);
}

TEST_CASE("bssplit with the random map: blocks trimmed to the free run, io_bytes exactly size, as fio 3.33") {
  // fio 3.33, randread bssplit=4k/50:32k/50 on 16 MiB: 16777216 bytes in
  // 1268-1383 I/Os (randseed 1..3), a mean block of 12.1k-13.2k where the
  // drawn sizes alone average 18k; sizes 8k, 12k, ... 28k appear. Before the
  // map trimmed, fiokit overshot size and kept the mean at 18k.
  std::vector<std::vector<engine::TraceRecord>> tr;
  auto j = t002x(false, jobs::RandomGenerator::tausworthe);
  j.size = 16 << 20;
  j.bssplit[jobs::Dir::read] = {{4096, 50}, {32768, 50}};
  for (uint64_t seed : {1, 2, 3}) {
    j.randseed = seed;
    j.randseed_set = true;
    tr.clear();
    const auto r = run_one(j, &tr);
    REQUIRE(r.jobs.at(0).error == 0);
    CHECK(r.jobs[0].dirs[0].io_bytes == j.size);
    std::vector<char> seen(j.size / 4096, 0);
    std::set<uint32_t> lens;
    for (const auto& t : tr.at(0)) {
      lens.insert(t.len);
      REQUIRE(t.len % 4096 == 0);
      for (uint64_t b = t.offset / 4096; b < (t.offset + t.len) / 4096; ++b) {
        REQUIRE_FALSE(seen[b]);  // each block exactly once: trimmed, never overlapping
        seen[b] = 1;
      }
    }
    CHECK(std::count(seen.begin(), seen.end(), 1) == static_cast<long>(seen.size()));
    const double mean = static_cast<double>(j.size) / static_cast<double>(tr[0].size());
    CHECK(mean > 11.5 * 1024);
    CHECK(mean < 14.0 * 1024);
    CHECK(lens.count(8192));
    CHECK(lens.count(12288));
  }
  // bssplit=16k/50:64k/50: the map's block is the smallest entry, so offsets
  // stay 16k-aligned (fio's min_bs), not 4k (bs's default).
  j.bssplit[jobs::Dir::read] = {{16384, 50}, {65536, 50}};
  tr.clear();
  REQUIRE(run_one(j, &tr).jobs.at(0).dirs[0].io_bytes == j.size);
  for (const auto& t : tr.at(0)) CHECK((t.offset % 16384 == 0 && t.len % 16384 == 0));
}

TEST_CASE("file_service_type zipf/pareto/normal: fio 3.33's shares over the files") {
  // fio 3.33, nrfiles=8 filesize=1m randread norandommap number_ios=20000
  // (write_iolog): zipf:1.2 one file 90.7%, the next ones 3.8 1.8 1.2 ...;
  // pareto:0.2 73.4 8.6 5.0 3.6 ...; normal:20 a bell over the middle files,
  // 38.6 38.8 10.8 10.7 0.6 0.5 (unhashed, as fio keeps file ranks). zipf
  // and pareto rotate the ranks by a seed-drawn offset that can split the
  // hottest 1024 values over two files, so for them the top two files'
  // sum is compared (fio 94.5 and 82.0), which the split does not move much.
  using F = jobs::FileServiceType;
  auto j = t002x(true, jobs::RandomGenerator::tausworthe);
  j.nrfiles = 8;
  j.size = 8 << 20;
  j.number_ios = 20000;
  j.io_size = uint64_t{10} << 30;
  for (auto [fst, param, want] : {std::tuple{F::zipf, 1.2, std::vector<double>{90.7, 3.8, 1.8, 1.2}},
                                  std::tuple{F::pareto, 0.2, std::vector<double>{73.4, 8.6, 5.0, 3.6}},
                                  std::tuple{F::normal, 20.0, std::vector<double>{38.8, 38.6, 10.8, 10.7}}}) {
    INFO("file_service_type " << static_cast<int>(fst));
    j.file_service_type = fst;
    j.file_service_param = param;
    std::vector<std::vector<engine::TraceRecord>> tr;
    REQUIRE(run_one(j, &tr).jobs.at(0).error == 0);
    std::vector<double> per(8, 0);
    for (const auto& t : tr.at(0)) per.at(t.file) += 100.0 / static_cast<double>(tr[0].size());
    std::sort(per.rbegin(), per.rend());
    if (fst == F::normal) {
      for (size_t i = 0; i < want.size(); ++i) CHECK(per[i] == Approx(want[i]).margin(2.0));
    } else {
      CHECK(per[0] + per[1] == Approx(want[0] + want[1]).margin(3.0));
      CHECK(per[0] > 60);
    }
  }
}
