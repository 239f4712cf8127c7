// Option table, I/O part: what the job does to its files. Direction and mix
// (rw, rwmix*), block sizes (bs, bsrange, bssplit, ba), random offsets
// (random_distribution, percentage_random, seeds), queue depth and batching,
// rate limits and think time, sync options, buffer contents and verification.
// Names, aliases, defaults and ranges follow fio 3.33 as its HOWTO documents and
// `fio --cmdhelp` shows them; the help texts are fiokit's own words.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

#include "jobs/options.hpp"

namespace fiokit::jobs {
namespace {

// Allowed-value check for options whose value is more than one word (per
// direction, or with ":param"): the generic enum check in apply_option only
// sees the whole string.
void check_kind(const char* option, const std::string& head, const std::vector<EnumValue>& values) {
  for (const auto& e : values)
    if (e.name == head) return;
  std::string allowed;
  for (const auto& e : values) allowed += (allowed.empty() ? "" : ", ") + e.name;
  // Did-you-mean as apply_option gives for one-word values (zipff -> zipf).
  const std::string typo = lower(trim(head));
  std::optional<size_t> best;
  std::string guess;
  for (const auto& e : values)
    if (auto dist = typo.size() < 2 ? std::nullopt : suggestion_distance(typo, e.name); dist && (!best || *dist < *best))
      best = dist, guess = e.name;
  throw ValueError(fmt::format("'{}' is not a valid value for {}{} (allowed: {})", head, option,
                               guess.empty() ? "" : fmt::format("; did you mean '{}'?", guess), allowed));
}

// Splits "a/b" into its two halves; `b` is empty when there is no slash.
std::pair<std::string, std::string> split_slash(const std::string& s) {
  size_t p = s.find('/');
  if (p == std::string::npos) return {trim(s), ""};
  return {trim(s.substr(0, p)), trim(s.substr(p + 1))};
}

uint32_t parse_percent_int(const std::string& t, const char* what) {
  const int64_t v = parse_int(t);
  if (v > 100) throw ValueError(fmt::format("{} '{}' is above 100", what, t));
  return static_cast<uint32_t>(v);
}

// One direction of bssplit: "4k/50:1k/:32k/" (a blank percentage shares what
// the given ones leave, evenly; the first blanks take the rounding remainder).
std::vector<BsSplitEntry> parse_bssplit_dir(const std::string& text, int kb_base) {
  std::vector<BsSplitEntry> out;
  std::vector<size_t> blanks;
  uint64_t given = 0;
  for (const auto& item : split(text, ':')) {
    if (trim(item).empty()) throw ValueError("empty entry in '" + text + "' (write bs/percent:bs/percent)");
    auto [bs, pct] = split_slash(item);
    BsSplitEntry e;
    e.bs = parse_size(bs, kb_base);
    if (e.bs == 0) throw ValueError("block size 0 in '" + text + "'");
    if (pct.empty()) {
      blanks.push_back(out.size());
    } else {
      e.percent = parse_percent_int(pct, "percentage");
      given += e.percent;
    }
    out.push_back(e);
  }
  if (out.size() > 64) throw ValueError("at most 64 block sizes per direction");
  if (given > 100) throw ValueError(fmt::format("percentages in '{}' add up to {}, more than 100", text, given));
  if (!blanks.empty()) {
    const uint64_t left = 100 - given;
    for (size_t i = 0; i < blanks.size(); ++i)
      out[blanks[i]].percent = static_cast<uint32_t>(left / blanks.size() + (i < left % blanks.size() ? 1 : 0));
  }
  return out;
}

const std::vector<EnumValue> kDistributions = {
    {"random", "uniform random offsets"},
    {"zipf", "zipf:theta[:center]; theta > 0 and not 1"},
    {"pareto", "pareto:power[:center]; 0 < power < 1"},
    {"normal", "normal:deviation[:center]; deviation in percent of the range"},
    {"zoned", "zoned:access%/range%:...; ranges in percent of the file"},
    {"zoned_abs", "zoned_abs:access%/size:...; ranges as absolute sizes"}};

// One direction of random_distribution. `inherit` is the previous direction's
// kind: fio's own example writes "zoned:50/5:30/15:20/,50/10:50/90", naming
// the kind once and giving only zones for the later directions.
RandomDistribution parse_distribution(const std::string& text, int kb_base, RandomDistribution::Kind inherit) {
  RandomDistribution d;
  size_t colon = text.find(':');
  std::string head = trim(text.substr(0, colon));
  std::string tail = colon == std::string::npos ? "" : text.substr(colon + 1);
  if (head.find('/') != std::string::npos &&
      (inherit == RandomDistribution::zoned || inherit == RandomDistribution::zoned_abs)) {
    head = inherit == RandomDistribution::zoned ? "zoned" : "zoned_abs";
    tail = text;
  }
  check_kind("random_distribution", head, kDistributions);
  if (head == "random") {
    if (!trim(tail).empty()) throw ValueError("'random' takes no parameter");
    return d;
  }
  if (head == "zoned" || head == "zoned_abs") {
    d.kind = head == "zoned" ? RandomDistribution::zoned : RandomDistribution::zoned_abs;
    if (trim(tail).empty()) throw ValueError(head + " needs zones, e.g. " + head + (head == "zoned" ? ":60/10:40/90" : ":60/1g:40/3g"));
    const auto zones = split(tail, ':');
    uint64_t range_sum = 0;
    for (size_t i = 0; i < zones.size(); ++i) {
      auto [acc, range] = split_slash(zones[i]);
      if (acc.empty() || zones[i].find('/') == std::string::npos) throw ValueError("zone '" + zones[i] + "' must be access%/range");
      RandomDistribution::Zone zone{parse_percent_int(acc, "access percentage"), 0};
      if (range.empty()) {
        // A blank range in the last zone takes the rest of the file, as in
        // fio's "zoned:50/5:30/15:20/".
        if (d.kind != RandomDistribution::zoned || i + 1 != zones.size())
          throw ValueError("only the last zone of 'zoned' may leave its range blank");
        if (range_sum > 100) throw ValueError("zone ranges add up to more than 100");
        zone.size = 100 - range_sum;
      } else {
        zone.size = d.kind == RandomDistribution::zoned ? parse_percent_int(range, "range percentage") : parse_size(range, kb_base);
      }
      range_sum += zone.size;
      d.zones.push_back(zone);
    }
    if (d.zones.size() > 256) throw ValueError("at most 256 zones");
    return d;
  }
  d.kind = head == "zipf" ? RandomDistribution::zipf : head == "pareto" ? RandomDistribution::pareto : RandomDistribution::normal;
  auto parts = split(tail, ':');
  if (colon == std::string::npos || trim(parts[0]).empty())
    throw ValueError(head + " needs a parameter, e.g. " + head + (head == "normal" ? ":10" : head == "zipf" ? ":1.2" : ":0.3") +
                     " (fio 3.33 accepts it without one)");
  if (parts.size() > 2) throw ValueError("too many ':' parameters in '" + text + "'");
  d.param = parse_double(parts[0]);
  if (d.kind == RandomDistribution::zipf && (d.param <= 0 || d.param == 1.0))
    throw ValueError("zipf theta must be > 0 and not 1");
  if (d.kind == RandomDistribution::pareto && (d.param <= 0 || d.param >= 1))
    throw ValueError("pareto power must be between 0 and 1 (exclusive)");
  if (d.kind == RandomDistribution::normal && (d.param < 0 || d.param > 100))
    throw ValueError("normal deviation must be in 0..100");
  if (parts.size() == 2) {
    double c = parse_double(parts[1]);
    if (c < 0 || c > 1) throw ValueError("distribution center must be in 0..1");
    d.center = c;
  }
  return d;
}

void set_random_distribution(JobSpec& s, const std::string& v, const ApplyCtx& c) {
  auto parts = split_per_direction(v);
  auto kind = RandomDistribution::random;
  for (int i = 0; i < 3; ++i) {
    if (!parts[i]) continue;
    s.random_distribution.v[i] = parse_distribution(*parts[i], c.kb_base, kind);
    kind = s.random_distribution.v[i].kind;
  }
}

// fio's pattern syntax for buffer_pattern / verify_pattern: pieces written one
// after another, each 0x-hex bytes, a "quoted string", or a decimal number.
// fio 3.33 stores a decimal in as few bytes as hold it, least significant
// first (measured: verify_pattern=305419896 writes 78 56 34 12, -1 writes
// ff ff ff ff, 0 one zero byte), and refuses one outside int's range. %o, for
// verify_pattern only (offsets != nullptr), reserves 8 zero bytes where the
// I/O's offset is pasted, little-endian, when the block is filled or checked
// (fio keeps at most 8 of them). 'file' contents: not supported.
std::vector<uint8_t> parse_pattern(const std::string& text, std::vector<uint32_t>* offsets = nullptr) {
  std::vector<uint8_t> out;
  const std::string t = trim(text);
  if (t.empty()) throw ValueError("empty pattern");
  size_t i = 0;
  auto push_hex = [&](const std::string& hex) {
    std::string h = hex.size() % 2 ? "0" + hex : hex;
    for (size_t k = 0; k < h.size(); k += 2) out.push_back(static_cast<uint8_t>(std::stoul(h.substr(k, 2), nullptr, 16)));
  };
  while (i < t.size()) {
    const char c = t[i];
    if (c == '"') {
      size_t end = t.find('"', i + 1);
      if (end == std::string::npos) throw ValueError("unterminated string in pattern '" + t + "'");
      out.insert(out.end(), t.begin() + static_cast<long>(i) + 1, t.begin() + static_cast<long>(end));
      i = end + 1;
    } else if (c == '\'') {
      throw UnsupportedValue("patterns read from a file ('name') are not supported; write the bytes as 0x... or \"text\"");
    } else if (c == '%') {
      if (!offsets) throw UnsupportedValue("%o (block offset) patterns are not supported here (fio takes them in verify_pattern only)");
      if (t.compare(i, 2, "%o") != 0) throw ValueError(fmt::format("unknown format in pattern '{}' (only %o, the block offset)", t));
      if (offsets->size() == 8) throw ValueError("more than 8 %o in pattern '" + t + "'");
      offsets->push_back(static_cast<uint32_t>(out.size()));
      out.insert(out.end(), 8, 0);
      i += 2;
    } else if (c == '0' && i + 1 < t.size() && (t[i + 1] == 'x' || t[i + 1] == 'X')) {
      size_t j = i + 2;
      while (j < t.size() && std::isxdigit(static_cast<unsigned char>(t[j]))) ++j;
      if (j == i + 2) throw ValueError("'0x' without hex digits in pattern '" + t + "'");
      push_hex(t.substr(i + 2, j - i - 2));
      i = j;
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '-') {
      size_t j = i + 1;
      while (j < t.size() && std::isdigit(static_cast<unsigned char>(t[j]))) ++j;
      if (c == '-' && j == i + 1) throw ValueError("'-' without digits in pattern '" + t + "'");
      const int64_t v = parse_int(t.substr(i, j - i), true);
      if (v < INT32_MIN || v > INT32_MAX) throw ValueError("decimal pattern piece out of int range (fio takes -2147483648..2147483647)");
      // Negative numbers keep their 32-bit two's complement form.
      auto u = static_cast<uint32_t>(static_cast<int32_t>(v));
      if (u == 0) out.push_back(0);
      for (; u; u >>= 8) out.push_back(static_cast<uint8_t>(u & 0xff));
      i = j;
    } else {
      throw ValueError(fmt::format("unexpected '{}' in pattern '{}' (use 0x..., \"text\" or a number)", c, t));
    }
  }
  if (out.size() > 4096) throw ValueError("pattern longer than 4096 bytes");
  return out;
}

// Per-direction setter: applies `one` to each direction the text gives.
template <class T, class F>
Setter per_dir(PerDir<T> JobSpec::*m, F one) {
  return [m, one](JobSpec& s, const std::string& v, const ApplyCtx& c) {
    auto parts = split_per_direction(v);
    for (int i = 0; i < 3; ++i)
      if (parts[i]) (s.*m).v[i] = one(*parts[i], c);
  };
}

const std::vector<EnumValue> kRwModes = {
    {"read", "sequential reads"}, {"write", "sequential writes"}, {"trim", "sequential trims"},
    {"randread", "random reads"}, {"randwrite", "random writes"}, {"randtrim", "random trims"},
    {"rw", "sequential mix of reads and writes"}, {"readwrite", "same as rw"}, {"randrw", "random mix of reads and writes"},
    {"trimwrite", "trim then write each block, sequentially"}, {"randtrimwrite", "trim then write each block, random offsets"}};

void set_rw(JobSpec& s, const std::string& v, const ApplyCtx& c) {
  const size_t colon = v.find(':');
  const std::string head = trim(v.substr(0, colon));
  static const std::pair<const char*, RwMode> modes[] = {
      {"read", RwMode::read}, {"write", RwMode::write}, {"trim", RwMode::trim}, {"randread", RwMode::randread},
      {"randwrite", RwMode::randwrite}, {"randtrim", RwMode::randtrim}, {"rw", RwMode::rw}, {"readwrite", RwMode::rw},
      {"randrw", RwMode::randrw}, {"trimwrite", RwMode::trimwrite}, {"randtrimwrite", RwMode::randtrimwrite}};
  for (const auto& [n, m] : modes)
    if (head == n) s.rw = m;
  if (colon == std::string::npos) {
    s.rw_modifier = 0;
    return;
  }
  // fio 3.33 reads the modifier as an I/O count for random patterns (atoi:
  // "randread:8k" silently becomes 8) and as a signed byte count for
  // sequential ones ("write:4k" leaves a 4k hole, "read:-8k" steps back).
  // fiokit refuses the count with a unit rather than guess as atoi does.
  const std::string mod = trim(v.substr(colon + 1));
  const bool random = s.rw == RwMode::randread || s.rw == RwMode::randwrite || s.rw == RwMode::randtrim ||
                      s.rw == RwMode::randrw || s.rw == RwMode::randtrimwrite;
  if (random) {
    if (mod.empty() || !std::all_of(mod.begin(), mod.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
      throw ValueError(fmt::format("'{}': for a random pattern the modifier is a count of I/Os per random offset "
                                   "(e.g. {}:8); fio would read '{}' as {}",
                                   v, head, mod, std::atoi(mod.c_str())));
    s.rw_modifier = parse_int(mod);
    // fio 3.33 turns randread:0 into a sequential read; refuse it instead.
    if (s.rw_modifier == 0) throw ValueError(fmt::format("'{}': the count of I/Os per random offset must be at least 1", v));
    return;
  }
  const bool back = mod.rfind('-', 0) == 0;
  const auto bytes = static_cast<int64_t>(parse_size(back ? mod.substr(1) : mod, c.kb_base));
  s.rw_modifier = back ? -bytes : bytes;
}

}  // namespace

// cpus_allowed, verify_async_cpus, log_compression_cpus: "0,5,8-15" -> sorted,
// unique CPU numbers. fio 3.33 takes the same lists and ignores what it cannot
// read ("0,,1", "0:1", "-1" run unpinned; "3-1" fails the job at start with
// EINVAL); fiokit refuses each at parse time, the option named by the caller.
std::vector<int> parse_cpu_list(const std::string& text) {
  std::set<int> cpus;
  for (const auto& part : split(text, ',')) {
    const std::string p = trim(part);
    if (p.empty()) throw ValueError("empty entry in CPU list '" + text + "'");
    size_t dash = p.find('-');
    int64_t lo = parse_int(p.substr(0, dash)), hi = dash == std::string::npos ? lo : parse_int(p.substr(dash + 1));
    if (hi < lo) throw ValueError("reversed CPU range '" + p + "'");
    if (hi >= 4096) throw ValueError("CPU number " + std::to_string(hi) + " is above 4095");
    for (int64_t c = lo; c <= hi; ++c) cpus.insert(static_cast<int>(c));
  }
  return {cpus.begin(), cpus.end()};
}

void add_io_options(std::vector<OptionDef>& t) {
  const std::string iotype = "I/O type", bsz = "Block size", rnd = "Random I/O", depth = "I/O depth",
                    rate = "I/O rate", buf = "Buffers and memory", ver = "Verification", cpu = "CPU and process";

  // --- direction and mix ---
  t.push_back(Opt("rw", "Kind of I/O: read, write, trim, randread, randwrite, randtrim, rw, randrw, trimwrite, randtrimwrite; "
                        "':N' sets the offset modifier")
                  .alias("readwrite").enumeration(kRwModes, set_rw).param().def("read").cat(iotype));
  t.push_back(Opt("rw_sequencer", "How the rw=...:N modifier changes offsets: sequential (N I/Os per seek) or identical (same offset N times)")
                  .enumeration({{"sequential", "new offset every N I/Os"}, {"identical", "repeat the same offset N times"}},
                               [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                                 s.rw_sequencer = v == "identical" ? RwSequencer::identical : RwSequencer::sequential;
                               })
                  .def("sequential").cat(iotype));
  t.push_back(Opt("rwmixread", "Percent of a mixed workload that reads").integer(&JobSpec::rwmixread).range(0, 100).def("50").cat(iotype));
  t.push_back(Opt("rwmixwrite", "Percent of a mixed workload that writes (sets rwmixread to 100 minus this)")
                  .custom(OptType::integer, [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                    s.rwmixread = 100 - static_cast<uint32_t>(parse_int(v));
                  })
                  .range(0, 100).def("50").cat(iotype));
  t.push_back(Opt("direct", "Open files with O_DIRECT, bypassing the page cache").boolean(&JobSpec::direct).def("0").cat(iotype));
  t.push_back(Opt("buffered", "Use the page cache (the opposite of direct)")
                  .custom(OptType::boolean, [](JobSpec& s, const std::string& v, const ApplyCtx&) { s.direct = !parse_bool(v); })
                  .def("1").cat(iotype));
  t.push_back(Opt("sync", "Synchronous writes: none/0, or sync/1 (O_SYNC); dsync (O_DSYNC) is not supported")
                  .enumeration({{"none", "normal writes"}, {"0", "same as none"}, {"sync", "open with O_SYNC"},
                                {"1", "same as sync"}, {"dsync", "open with O_DSYNC (not supported by fiokit)"}},
                               [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                                 if (v == "dsync") throw UnsupportedValue("use sync=1 (O_SYNC) or fdatasync=N");
                                 s.sync_io = v == "sync" || v == "1";
                               })
                  .def("none").cat(iotype));
  t.push_back(Opt("fsync", "Call fsync after every N writes (0: never)").integer(&JobSpec::fsync).def("0").cat(iotype));
  t.push_back(Opt("fdatasync", "Call fdatasync after every N writes (0: never)").integer(&JobSpec::fdatasync).def("0").cat(iotype));
  t.push_back(Opt("end_fsync", "fsync the files when the job's writes are done").boolean(&JobSpec::end_fsync).def("0").cat(iotype));
  t.push_back(Opt("fsync_on_close", "fsync each file when it is closed").boolean(&JobSpec::fsync_on_close).def("0").cat(iotype));

  // --- block sizes ---
  t.push_back(Opt("bs", "Block size of each I/O; read,write,trim may differ (bs=4k,64k)")
                  .alias("blocksize")
                  .custom(OptType::per_dir_size, per_dir(&JobSpec::bs, [](const std::string& p, const ApplyCtx& c) {
                            // fio 3.33 reads "bs=4k-8k" as 4k; the writer most likely meant a range.
                            if (p.find('-', 1) != std::string::npos)
                              throw ValueError("'" + p + "' is not a size; for a range of block sizes use bsrange=" + p);
                            return parse_size(p, c.kb_base);
                          }))
                  .min(1).def("4096").cat(bsz));
  t.push_back(Opt("bsrange", "Random block size between lo and hi, per direction (bsrange=4k-64k,8k-16k)")
                  .alias("blocksize_range")
                  .custom(OptType::per_dir_range, per_dir(&JobSpec::bsrange, [](const std::string& p, const ApplyCtx& c) {
                            auto r = parse_size_range(p, c.kb_base);
                            if (r.first == 0) throw ValueError("block size 0 in range '" + p + "'");
                            return r;
                          }))
                  .cat(bsz));
  t.push_back(Opt("bssplit", "Weighted block sizes: bs/percent:bs/percent, per direction with commas; blank percents share the rest")
                  .custom(OptType::bssplit, per_dir(&JobSpec::bssplit, [](const std::string& p, const ApplyCtx& c) {
                            return parse_bssplit_dir(p, c.kb_base);
                          }))
                  .cat(bsz));
  t.push_back(Opt("ba", "Align random offsets to this boundary (default: the block size); per direction")
                  .alias("blockalign").per_dir_size(&JobSpec::blockalign).min(1).cat(bsz));
  t.push_back(Opt("bs_unaligned", "Allow any size within bsrange, not just multiples of the smallest")
                  .alias("blocksize_unaligned").flag(&JobSpec::bs_unaligned).cat(bsz));
  t.push_back(Opt("bs_is_seq_rand", "Read the bs pair as sequential,random sizes instead of read,write")
                  .boolean(&JobSpec::bs_is_seq_rand).def("0").cat(bsz));

  // --- random offsets ---
  t.push_back(Opt("norandommap", "Pick random offsets without tracking which blocks were done").flag(&JobSpec::norandommap).cat(rnd));
  t.push_back(Opt("randrepeat", "Seed the offset generator the same way each run").boolean(&JobSpec::randrepeat).def("1").cat(rnd));
  t.push_back(Opt("allrandrepeat", "Seed every random generator the same way each run, even with randrepeat=0")
                  .boolean(&JobSpec::allrandrepeat).def("0").cat(rnd));
  t.push_back(Opt("randseed", "Seed for the random generators (fio's default is 0x89)")
                  .custom(OptType::integer, [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                    s.randseed = static_cast<uint64_t>(parse_int(v));
                    s.randseed_set = true;
                  })
                  .min(0).def("0x89").cat(rnd));
  t.push_back(Opt("fadvise_hint", "posix_fadvise advice at each open: 0 none, 1 from the rw pattern (RANDOM for random jobs, "
                                   "SEQUENTIAL otherwise), random, sequential")
                  .enumeration({{"0", "no advice"}, {"1", "from the rw pattern"}, {"random", "POSIX_FADV_RANDOM"},
                                {"sequential", "POSIX_FADV_SEQUENTIAL"}},
                               [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                                 s.fadvise_hint = v == "0" ? FadviseHint::none
                                                  : v == "random" ? FadviseHint::random
                                                  : v == "sequential" ? FadviseHint::sequential
                                                                      : FadviseHint::from_rw;
                               })
                  .def("1").cat(rnd));
  t.push_back(Opt("random_generator", "Generator for random offsets: tausworthe, lfsr, tausworthe64")
                  .enumeration({{"tausworthe", "fio's default 32-bit generator"}, {"lfsr", "linear feedback shift register; visits each block once per loop, even with norandommap"},
                                {"tausworthe64", "64-bit variant for very large files"}},
                               [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                                 s.random_generator = v == "lfsr" ? RandomGenerator::lfsr
                                                      : v == "tausworthe64" ? RandomGenerator::tausworthe64
                                                                            : RandomGenerator::tausworthe;
                               })
                  .def("tausworthe").cat(rnd));
  t.push_back(Opt("random_distribution", "Offset distribution: random, zipf:t, pareto:h, normal:dev (optional :center), "
                                         "zoned:acc/pct:..., zoned_abs:acc/size:...; per direction with commas")
                  .custom(OptType::custom, set_random_distribution)
                  .values(kDistributions).def("random").cat(rnd));
  t.push_back(Opt("percentage_random", "Percent of a random workload's I/Os that are random (the rest sequential); per direction")
                  .custom(OptType::per_dir_size,
                          [](JobSpec& s, const std::string& v, const ApplyCtx& c) {
                            per_dir(&JobSpec::percentage_random, [](const std::string& p, const ApplyCtx&) {
                              return parse_percent_int(p, "percentage_random");
                            })(s, v, c);
                            s.percentage_random_set = true;
                          })
                  .range(0, 100).def("100,100,100").cat(rnd));

  // --- queue depth ---
  t.push_back(Opt("iodepth", "Number of I/Os kept in flight (async engines)").integer(&JobSpec::iodepth).range(1, 65536).def("1").cat(depth));
  t.push_back(Opt("iodepth_batch", "Submit this many I/Os at once (0: as many as are queued)")
                  .alias("iodepth_batch_submit").integer(&JobSpec::iodepth_batch_submit).def("1").cat(depth));
  t.push_back(Opt("iodepth_batch_complete_min", "Reap at least this many completions at a time")
                  .alias("iodepth_batch_complete").integer(&JobSpec::iodepth_batch_complete_min).def("1").cat(depth));
  t.push_back(Opt("iodepth_batch_complete_max", "Reap at most this many completions at a time (default: iodepth)")
                  .integer(&JobSpec::iodepth_batch_complete_max).cat(depth));
  t.push_back(Opt("iodepth_low", "Refill the queue only when it has drained to this depth (default: iodepth)")
                  .integer(&JobSpec::iodepth_low).cat(depth));

  // --- rate and think time ---
  t.push_back(Opt("rate", "Bandwidth cap in bytes/s; per direction (rate=1m,500k)").per_dir_size(&JobSpec::rate).cat(rate));
  t.push_back(Opt("rate_min", "Fail the job if bandwidth falls below this; per direction")
                  .alias("ratemin").per_dir_size(&JobSpec::rate_min).cat(rate));
  auto per_dir_int = [](PerDir<uint64_t> JobSpec::*m) {
    return per_dir(m, [](const std::string& p, const ApplyCtx&) { return static_cast<uint64_t>(parse_int(p)); });
  };
  t.push_back(Opt("rate_iops", "IOPS cap; per direction").custom(OptType::per_dir_size, per_dir_int(&JobSpec::rate_iops)).cat(rate));
  t.push_back(Opt("rate_iops_min", "Fail the job if IOPS fall below this; per direction")
                  .custom(OptType::per_dir_size, per_dir_int(&JobSpec::rate_iops_min)).cat(rate));
  t.push_back(Opt("rate_process", "How rated I/O is spaced: linear (even gaps) or poisson (random arrivals)")
                  .enumeration({{"linear", "evenly spaced"}, {"poisson", "Poisson arrivals"}},
                               [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                                 s.rate_process = v == "poisson" ? RateProcess::poisson : RateProcess::linear;
                               })
                  .def("linear").cat(rate));
  t.push_back(Opt("rate_cycle", "Window in milliseconds over which rate_min/rate_iops_min are averaged")
                  .alias("ratecycle").integer(&JobSpec::rate_cycle_ms).def("1000").cat(rate));
  t.push_back(Opt("rate_ignore_thinktime", "Keep the rate after think time instead of catching up")
                  .boolean(&JobSpec::rate_ignore_thinktime).def("0").cat(rate));
  t.push_back(Opt("thinktime", "Pause after I/Os (bare number in microseconds)").time(&JobSpec::thinktime_us, TimeUnit::us).def("0").cat(rate));
  t.push_back(Opt("thinktime_spin", "Busy-spin this part of thinktime instead of sleeping (bare number in microseconds)")
                  .time(&JobSpec::thinktime_spin_us, TimeUnit::us).def("0").cat(rate));
  t.push_back(Opt("thinktime_blocks", "Think after this many I/Os").integer(&JobSpec::thinktime_blocks).def("1").cat(rate));
  t.push_back(Opt("thinktime_iotime", "Think after this much I/O time (bare number in seconds)")
                  .time(&JobSpec::thinktime_iotime_us, TimeUnit::s).def("0").cat(rate));

  // --- buffer contents ---
  t.push_back(Opt("zero_buffers", "Fill write buffers with zeros").flag(&JobSpec::zero_buffers).cat(buf));
  t.push_back(Opt("refill_buffers", "Refill write buffers before every write").flag(&JobSpec::refill_buffers).cat(buf));
  t.push_back(Opt("scramble_buffers", "Lightly change buffers per write to defeat naive dedupe").boolean(&JobSpec::scramble_buffers).def("1").cat(buf));
  t.push_back(Opt("buffer_compress_percentage", "Make write buffers compressible to about this percent")
                  .integer(&JobSpec::buffer_compress_percentage).range(0, 100).cat(buf));
  t.push_back(Opt("buffer_compress_chunk", "Granularity of the compressible regions (0: the block size)")
                  .size(&JobSpec::buffer_compress_chunk).def("512").cat(buf));
  // dedupe_percentage and its options: option_table_dedupe.cpp.
  t.push_back(Opt("buffer_pattern", "Fill write buffers with a pattern: 0xHEX, \"text\", decimal, concatenated")
                  .custom(OptType::str, [](JobSpec& s, const std::string& v, const ApplyCtx&) { s.buffer_pattern = parse_pattern(v); })
                  .cat(buf));

  // --- verification ---
  const std::vector<EnumValue> kVerify = {
      {"0", "no verification"}, {"md5", "md5 checksum header"}, {"crc64", "crc64 header"}, {"crc32", "crc32 header"},
      {"crc32c-intel", "crc32c header (hardware assisted)"}, {"crc32c", "crc32c header"}, {"crc16", "crc16 header"},
      {"crc7", "crc7 header"}, {"sha1", "sha1 header"}, {"sha256", "sha256 header"}, {"sha512", "sha512 header"},
      {"sha3-224", "sha3-224 header"}, {"sha3-256", "sha3-256 header"}, {"sha3-384", "sha3-384 header"},
      {"sha3-512", "sha3-512 header"}, {"xxhash", "xxhash header"}, {"meta", "block metadata only (obsolete in fio)"},
      {"pattern", "compare with verify_pattern"}, {"null", "accept every block (testing)"}};
  t.push_back(Opt("verify", "Check written data: a checksum kind, pattern, or 0 for none")
                  .enumeration(kVerify,
                               [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                                 static const std::pair<const char*, VerifyKind> kinds[] = {
                                     {"0", VerifyKind::none}, {"md5", VerifyKind::md5}, {"crc64", VerifyKind::crc64},
                                     {"crc32", VerifyKind::crc32}, {"crc32c-intel", VerifyKind::crc32c_intel},
                                     {"crc32c", VerifyKind::crc32c}, {"crc16", VerifyKind::crc16}, {"crc7", VerifyKind::crc7},
                                     {"sha1", VerifyKind::sha1}, {"sha256", VerifyKind::sha256}, {"sha512", VerifyKind::sha512},
                                     {"sha3-224", VerifyKind::sha3_224}, {"sha3-256", VerifyKind::sha3_256},
                                     {"sha3-384", VerifyKind::sha3_384}, {"sha3-512", VerifyKind::sha3_512},
                                     {"xxhash", VerifyKind::xxhash}, {"meta", VerifyKind::meta},
                                     {"pattern", VerifyKind::pattern}, {"null", VerifyKind::null}};
                                 // fio's crc7/crc16/crc32/crc64 have no Debian library and no
                                 // fiokit implementation: refused here, with file:line, instead
                                 // of failing the job once it starts.
                                 if (v == "crc64" || v == "crc32" || v == "crc16" || v == "crc7")
                                   throw UnsupportedValue("fiokit verifies with crc32c, md5, sha1, sha256, sha512, sha3-224, "
                                                          "sha3-256, sha3-384, sha3-512, xxhash, pattern or meta");
                                 for (const auto& [n, k] : kinds)
                                   if (v == n) s.verify = k;
                               })
                  .def("0").cat(ver));
  t.push_back(Opt("do_verify", "Run the verify pass after writing (when verify is set)").boolean(&JobSpec::do_verify).def("1").cat(ver));
  t.push_back(Opt("verify_only", "Only read back and verify earlier written data; write nothing").flag(&JobSpec::verify_only).cat(ver));
  t.push_back(Opt("verify_fatal", "Stop the job at the first verify failure").boolean(&JobSpec::verify_fatal).def("0").cat(ver));
  t.push_back(Opt("verify_dump", "Save the good and bad block contents on a verify failure").boolean(&JobSpec::verify_dump).def("0").cat(ver));
  t.push_back(Opt("verify_backlog", "Verify after every N written blocks instead of at the end").integer(&JobSpec::verify_backlog).cat(ver));
  t.push_back(Opt("verify_backlog_batch", "How many blocks each backlog verify checks (default: verify_backlog)")
                  .integer(&JobSpec::verify_backlog_batch).cat(ver));
  t.push_back(Opt("verify_interval", "Put a verify header every N bytes (default: the block size)")
                  .size(&JobSpec::verify_interval).min(80).cat(ver));
  t.push_back(Opt("verify_offset", "Move the verify header N bytes into the block").size(&JobSpec::verify_offset).min(40).cat(ver));
  t.push_back(Opt("verify_pattern", "Pattern written and checked by verify=pattern: 0xHEX, \"text\", decimal, concatenated")
                  .custom(OptType::str, [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                    s.verify_pattern_offsets.clear();
                    s.verify_pattern = parse_pattern(v, &s.verify_pattern_offsets);
                    // fio 3.33 turns verify on when verify_pattern comes with no verify=
                    // before it, as its header+pattern kind (measured: write 4 blocks
                    // with only verify_pattern=0x5a, 4 verify reads): fiokit's
                    // header+pattern kind is meta. A later verify= still overrides.
                    if (std::none_of(s.given.begin(), s.given.end(), [](const auto& g) { return g.first == "verify"; }))
                      s.verify = VerifyKind::meta;
                  })
                  .cat(ver));

  // --- CPU placement and errors ---
  t.push_back(Opt("cpus_allowed", "CPUs the job may run on: a list like 0,5,8-15")
                  .custom(OptType::str, [](JobSpec& s, const std::string& v, const ApplyCtx&) { s.cpus_allowed = parse_cpu_list(v); })
                  .cat(cpu));
  t.push_back(Opt("cpus_allowed_policy", "shared: every clone may use all listed CPUs; split: one CPU per clone")
                  .enumeration({{"shared", "all clones share the set"}, {"split", "each clone gets its own CPU"}},
                               [](JobSpec& s, const std::string& v, const ApplyCtx&) {
                                 s.cpus_allowed_policy = v == "split" ? CpusAllowedPolicy::split : CpusAllowedPolicy::shared;
                               })
                  .def("shared").cat(cpu));
}

}  // namespace fiokit::jobs
