// Builds JobSpecs from raw sections; see parse.hpp. Errors name the option,
// the file and the line; nothing is ignored silently.
#include "jobs/parse.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "jobs/engine_traits.hpp"
#include "jobs/options.hpp"
#include "jobs/report_limits.hpp"
#include "jobs/units.hpp"

namespace fiokit::jobs {
namespace {

constexpr size_t kMaxJobs = 4096;
constexpr uint64_t kMaxRunFiles = uint64_t{1} << 20;
// All errors of a job file are reported at once, up to kMaxReportedErrors: a
// typo in [global] repeats in every job, and a file of junk lines must not
// print (or keep in memory) one message per line.
constexpr size_t kMaxErrors = kMaxReportedErrors;

// The errors of one parse, in the order found, each once (an option of
// [global] fails the same way in every job that inherits it).
class ErrorList {
 public:
  void add(std::string msg) {
    if (std::find(msgs_.begin(), msgs_.end(), msg) == msgs_.end()) msgs_.push_back(std::move(msg));
  }
  bool full() const { return msgs_.size() >= kMaxErrors; }
  bool empty() const { return msgs_.empty(); }
  [[noreturn]] void raise(bool stopped_early) const {
    std::string all;
    for (const auto& m : msgs_) all += (all.empty() ? "" : "\n") + m;
    if (stopped_early) all += fmt::format("\nstopped after {} errors", msgs_.size());
    throw ParseError(all);
  }

 private:
  std::vector<std::string> msgs_;
};

// kb_base changes how every size in the job reads, wherever it is written, so it
// is found first (the last one wins) and then applied to all options.
int find_kb_base(const std::vector<const RawOption*>& opts) {
  int kb = 1024;
  for (const auto* o : opts) {
    if (o->key != "kb_base") continue;
    const std::string v = o->value ? trim(*o->value) : "";
    if (v == "1024") kb = 1024;
    else if (v == "1000") kb = 1000;
    else fail_at(o->loc, fmt::format("invalid value for 'kb_base': '{}' (allowed: 1024, 1000)", v));
  }
  return kb;
}

void apply_one(const OptionCatalog& cat, JobSpec& spec, const RawOption& o, const ApplyCtx& ctx, std::vector<std::string>& warnings) {
  const OptionDef* d = cat.find(o.key);
  if (!d) {
    auto sug = cat.suggest(o.key);
    std::string msg = fmt::format("unknown option '{}' ({})", o.key, o.loc.str());
    if (!sug.empty()) msg += fmt::format("; did you mean '{}'?", sug[0]);
    throw ParseError(msg);
  }
  if (d->support == Support::unsupported) {
    // The name as written: "iomem" stays "iomem" even though fio calls it "mem".
    std::string msg = fmt::format("unsupported by fiokit: {} ({})", o.key, o.loc.str());
    if (!d->note.empty()) msg += "; " + d->note;
    throw ParseError(msg);
  }
  try {
    apply_option(*d, spec, o.value, ctx);
  } catch (const UnsupportedValue& e) {
    std::string msg = fmt::format("unsupported by fiokit: {}={} ({})", o.key, o.value ? trim(*o.value) : "", o.loc.str());
    if (*e.what()) msg += std::string("; ") + e.what();
    throw ParseError(msg);
  } catch (const ValueError& e) {
    fail_at(o.loc, fmt::format("invalid value for '{}': {}", d->name, e.what()));
  }
  const std::string given = o.value ? lower(trim(*o.value)) : d->valueless_as;
  const auto& qv = d->quiet_values;
  const bool quiet = std::find(qv.begin(), qv.end(), given) != qv.end() || std::find(qv.begin(), qv.end(), "*") != qv.end();
  if (d->support == Support::no_effect && !quiet)
    warnings.push_back(fmt::format("option '{}' has no effect in fiokit ({}){}", d->name, o.loc.str(),
                                   d->note.empty() ? "" : ": " + d->note));
  spec.given.emplace_back(o.key, o.value ? *o.value : std::string());
}

const RawOption* find_last(const OptionCatalog& cat, const std::vector<const RawOption*>& opts, std::string_view key) {
  const RawOption* r = nullptr;
  for (const auto* o : opts) {
    const OptionDef* d = cat.find(o->key);
    if (d && d->name == key) r = o;
  }
  return r;
}

// Cross-option checks: what one option cannot know about another.
void validate(const OptionCatalog& cat, const JobSpec& s, const std::vector<const RawOption*>& opts, const SourceLoc& section) {
  auto where = [&](std::string_view key) {
    const RawOption* o = find_last(cat, opts, key);
    return o ? o->loc : section;
  };
  for (int i = 0; i < 3; ++i) {
    const auto& split = s.bssplit.v[i];
    if (split.empty()) continue;
    uint64_t sum = 0;
    for (const auto& e : split) sum += e.percent;
    if (sum != 100)
      fail_at(where("bssplit"), fmt::format("invalid value for 'bssplit': the {} percentages add up to {}, not 100",
                                            dir_name(static_cast<Dir>(i)), sum));
  }
  for (int i = 0; i < 3; ++i) {
    const auto& z = s.random_distribution.v[i];
    if (z.kind != RandomDistribution::zoned && z.kind != RandomDistribution::zoned_abs) continue;
    uint64_t acc = 0, range = 0;
    for (const auto& e : z.zones) acc += e.access_pct, range += e.size;
    if (acc != 100)
      fail_at(where("random_distribution"),
              fmt::format("invalid value for 'random_distribution': zone access percentages add up to {}, not 100", acc));
    if (z.kind == RandomDistribution::zoned && range != 100)
      fail_at(where("random_distribution"),
              fmt::format("invalid value for 'random_distribution': zone range percentages add up to {}, not 100", range));
  }
  validate_dedupe(s, where);  // part dedupe: dedupe_mode=working_set's needs
  // The file-operation engines keep no file open, so any openfiles= holds.
  const EngineTraits& engine = engine_traits(s.ioengine);
  const bool file_op = engine.file_ops;
  if (s.openfiles && s.openfiles < s.nrfiles && !file_op)  // a cross-option refusal: openfiles alone cannot know nrfiles
    throw ParseError(fmt::format("unsupported by fiokit: openfiles={} ({}); fiokit keeps all nrfiles={} files open, "
                                 "use openfiles=0 or leave it out",
                                 s.openfiles, where("openfiles").str(), s.nrfiles));
  // io_submit_mode=offload (part latq): fio 3.33 refuses io_uring ("can't be
  // used with offloaded submit"); fiokit times the file-operation engines
  // inline only.
  if (s.io_submit_offload && s.ioengine == "io_uring")
    fail_at(where("io_submit_mode"), "io_submit_mode=offload cannot be used with ioengine=io_uring (as in fio 3.33): use a sync engine or libaio");
  // cpuio and exec move no bytes and set their own think time; the offload
  // threads would hand back 0-byte results as short I/Os (found in review).
  if (s.io_submit_offload && !engine.offload)
    fail_at(where("io_submit_mode"), fmt::format("io_submit_mode=offload is not supported with ioengine={}: use io_submit_mode=inline", s.ioengine));
  // fio 3.33 drops write_iolog with a warning when read_iolog is set ("read
  // iolog overrides write_iolog"); a recording that silently does not happen
  // is worse than an error.
  if (!s.write_iolog.empty() && !s.read_iolog.empty())
    fail_at(where("write_iolog"), "write_iolog cannot be used with read_iolog (fio 3.33 ignores write_iolog then): drop one of them");
  // fio 3.33 refuses both of these (measured): zonesize without strided zones,
  // and strided zones without a zonesize.
  const bool zbd = !s.zonemode_zbd_at.file.empty();
  // The zbd options parse only for zonemode=zbd jobs (which the run refuses);
  // elsewhere a value that turns one on is refused as before.
  for (const char* name : {"zonecapacity", "read_beyond_wp", "max_open_zones", "job_max_open_zones", "ignore_zone_limits",
                           "zone_reset_threshold", "zone_reset_frequency"}) {
    const RawOption* o = find_last(cat, opts, name);
    if (!zbd && o && o->value && trim(*o->value) != "0")
      throw ParseError(fmt::format("unsupported by fiokit: {}={} ({}); only with zonemode=zbd", name, trim(*o->value),
                                   o->loc.str()));
  }
  if (s.zonemode == ZoneMode::none && s.zonesize && !zbd)
    fail_at(where("zonesize"), "zonesize needs zonemode=strided (fio: --zonemode=none and --zonesize are not compatible)");
  if (s.zonemode == ZoneMode::strided && !s.zonesize)
    fail_at(where("zonemode"), "zonemode=strided needs zonesize (the bytes of I/O per zone)");
  if (s.iodepth_batch_submit > s.iodepth)
    fail_at(where("iodepth_batch"),  // the table's name; iodepth_batch_submit is its alias
            fmt::format("iodepth_batch={} is larger than iodepth={}", s.iodepth_batch_submit, s.iodepth));
  if (s.iodepth_batch_complete_max && s.iodepth_batch_complete_min > s.iodepth_batch_complete_max)
    fail_at(where("iodepth_batch_complete_min"), "iodepth_batch_complete_min is larger than iodepth_batch_complete_max");
  if (s.iodepth_low > s.iodepth)
    fail_at(where("iodepth_low"), fmt::format("iodepth_low={} is larger than iodepth={}", s.iodepth_low, s.iodepth));
  if (s.time_based && s.runtime_us == 0)
    fail_at(where("time_based"), "time_based needs a runtime (fio 3.33 would run until interrupted)");
  if (s.filesize.first > s.filesize.second)
    fail_at(where("filesize"), "filesize range is reversed");
  for (int i = 0; i < 3; ++i)
    if (s.bs.v[i] == 0) fail_at(where("bs"), "invalid value for 'bs': block size must be > 0");
  // fill_device without a size: fio 3.33 makes the region unbounded (size =
  // 2^64-1). A sequential writer or a reader of what the layout filled is
  // well defined; these are not (measured): a random writer allocates no
  // random map and runs no I/O at all (exit 0), with norandommap it writes at
  // an offset near 2^64 (EINVAL); a job that reads and writes runs until
  // either direction passes the filled file's end, whichever comes first.
  if (s.fill_device && !s.size && s.size_percent == 0 && s.filesize.first == 0) {
    const int dirs = s.does(Dir::read) + s.does(Dir::write) + s.does(Dir::trim);
    if (dirs > 1 || s.does(Dir::trim))
      fail_at(where("fill_device"), "fill_device without size= works for a write or a read job only (fio 3.33 runs this one until "
                                    "one direction passes the end of the filled file, whichever comes first): give size=");
    if (s.does(Dir::write) && s.is_random())
      fail_at(where("fill_device"), "fill_device with random writes needs size= (fio 3.33 cannot map an unbounded region: it runs "
                                    "no I/O at all, or with norandommap writes near offset 2^64)");
  }
  // ioengine=exec moves no bytes, so size= never ends it (fio 3.33 runs it
  // until interrupted then; measured): a runtime or an I/O count must. cpuio
  // may also end with its group's I/O jobs: check_cpuio_ends() below.
  if (engine.no_bytes && s.ioengine != "cpuio" && !s.runtime_us && !s.number_ios)
    fail_at(where("ioengine"), fmt::format("ioengine={} needs runtime= or number_ios= (it moves no bytes, so size= does not end it)", s.ioengine));
  check_xverify(s, where("experimental_verify"));
  if (s.verify_only && s.verify == VerifyKind::none)
    fail_at(where("verify_only"), "verify_only needs a verify= method");
  if (s.thinktime_spin_us > s.thinktime_us)
    fail_at(where("thinktime_spin"), "thinktime_spin is larger than thinktime");
  // Engine options exist only for the engines that read them; fio 3.33 drops a
  // job that gives, say, hipri with ioengine=psync ("Bad option"), wherever the
  // option is written relative to ioengine.
  for (const auto* o : opts) {
    const OptionDef* d = cat.find(o->key);
    if (!d || d->engines.empty()) continue;
    if (std::find(d->engines.begin(), d->engines.end(), s.ioengine) == d->engines.end()) {
      std::string list;
      for (const auto& e : d->engines) list += (list.empty() ? "" : ", ") + e;
      fail_at(o->loc, fmt::format("option '{}' applies only to ioengine={}, not ioengine={}", o->key, list, s.ioengine));
    }
  }
  // fio 3.33 refuses a job with both (cmdprio.c: "mutually exclusive").
  if (s.cmdprio_bssplit_given && (s.cmdprio_percentage[0] || s.cmdprio_percentage[1]))
    fail_at(where("cmdprio_bssplit"), "cmdprio_percentage and cmdprio_bssplit are mutually exclusive");
  if (s.verify == VerifyKind::pattern && s.verify_pattern.empty())
    fail_at(where("verify"), "verify=pattern needs verify_pattern=");
  if (s.bwavgtime_ms == 0) fail_at(where("bwavgtime"), "bwavgtime must be at least 1 ms");
  if (s.iopsavgtime_ms == 0) fail_at(where("iopsavgtime"), "iopsavgtime must be at least 1 ms");
  if (s.rate_cycle_ms == 0) fail_at(where("rate_cycle"), "rate_cycle must be at least 1 ms");
  // fio 3.33 compresses a histogram log's in-memory entries, which point to
  // the histograms, and prints those pointers as numbers (measured: rows like
  // "107, 93830367212688, 1, 4096, 0"), so no job gets a histogram log this way.
  if (s.log.hist && (s.log.compression || s.log.store_compressed))
    fail_at(where("write_hist_log"), fmt::format("write_hist_log cannot be used with {}: fio 3.33 writes memory addresses in "
                                                 "place of the histogram counts then; drop one of them",
                                                 s.log.store_compressed ? "log_store_compressed" : "log_compression"));
}

}  // namespace

// ioengine=cpuio moves no bytes, so size= never ends it: fio 3.33 runs such a
// job until interrupted (measured). It ends with runtime= or number_ios=, and,
// as in fio, beside the I/O jobs of its group: with exit_on_io_done=1 once no
// job that moves bytes is running or pending (fio's engines/cpu.c asks at each
// cycle; a 1 MiB write beside cpuload=10 ends after 1 cycle in both), or when
// an exitall job of its group ends (fio_terminate_threads). An I/O job in a
// later stonewall group is pending until this one ends, so exit_on_io_done
// would never fire (fio waits forever): refused like a job with no end.
namespace {
void check_cpuio_ends(const std::vector<JobSpec>& jobs) {
  for (const JobSpec& c : jobs) {
    if (c.ioengine != "cpuio" || c.runtime_us || c.number_ios || c.clone_index > 0) continue;
    const std::string* e = c.engine_options.find("exit_on_io_done");
    bool io_same = false, io_later = false, exitall = false;
    for (const JobSpec& j : jobs) {
      if (&j == &c) continue;
      if (j.group_id == c.group_id && j.exitall) exitall = true;
      if (engine_traits(j.ioengine).no_bytes) continue;  // fio skips FIO_NOIO jobs (cpuio, exec) here
      io_same |= j.group_id == c.group_id;
      io_later |= j.group_id > c.group_id;
    }
    if (exitall || (e && parse_bool(*e) && io_same && !io_later)) continue;
    std::string why = "it moves no bytes, so size= does not end it";
    if (e && parse_bool(*e))
      why = io_later ? "exit_on_io_done=1 waits for the I/O jobs of a later group, which wait for it"
                     : "exit_on_io_done=1 has no I/O job of its group to wait for";
    fail_at(c.ioengine_at, fmt::format("job '{}': ioengine=cpuio needs runtime= or number_ios= ({}), or exit_on_io_done=1 or "
                                       "exitall beside an I/O job of its group",
                                       c.name, why));
  }
}
}  // namespace

bool section_selected(const ParseRequest& req, const std::string& name) {
  return req.only_sections.empty() ||
         std::find(req.only_sections.begin(), req.only_sections.end(), name) != req.only_sections.end();
}

std::vector<const RawOption*> job_options(const std::vector<const RawOption*>& globals, const RawSection& sec) {
  std::vector<const RawOption*> opts = globals;
  for (const auto& o : sec.options) opts.push_back(&o);
  return opts;
}

// Every error of the job file at once, each with its file:line. fio 3.33
// reports every bad option of the first job that has one ("Bad option
// <numjob=2>", "Bad option <iodepht=4>", "failed parsing rw=randreadd"
// together, measured), then drops that job and stops: a typo in a later job
// shows only on the next try. fiokit goes on through every job. A section
// with a bad option skips the cross-option checks, which would only repeat
// its error in other words; at most kMaxErrors.
ParseResult build_jobs(const ParseRequest& req, const OptionCatalog& options) {
  ParseResult out;
  ErrorList errors;
  bool stopped = false;
  std::set<std::string> names_seen;
  int group = -1;
  bool first_job = true;
  uint64_t run_files = 0;
  for (size_t src = 0; src < req.sources.size(); ++src) {
    const JobSource& source = req.sources[src];
    std::vector<const RawOption*> globals;
    for (const auto& o : req.cli_globals) globals.push_back(&o);
    bool first_of_source = true;
    for (const RawSection& sec : source.sections) {
      if (errors.full()) {
        stopped = true;
        break;
      }
      if (sec.name == "global") {
        for (const auto& o : sec.options) globals.push_back(&o);
        continue;
      }
      if (!section_selected(req, sec.name)) continue;
      const std::vector<const RawOption*> opts = job_options(globals, sec);
      try {
        JobSpec spec;
        spec.name = sec.name;
        spec.defined_at = sec.loc;
        spec.job_file = source.file;
        ApplyCtx ctx{find_kb_base(opts)};
        bool bad_option = false;
        for (const auto* o : opts) {
          try {
            apply_one(options, spec, *o, ctx, out.warnings);
          } catch (const ParseError& e) {
            errors.add(e.what());
            bad_option = true;
            if (errors.full()) break;
          }
        }
        if (bad_option) {
          // Later wait_for= naming this job is not a second error.
          names_seen.insert(spec.name);
          first_job = false;
          first_of_source = false;
          continue;
        }
        if (const RawOption* e = find_last(options, opts, "ioengine")) spec.ioengine_at = e->loc;
        if (const RawOption* n = find_last(options, opts, "numa_cpu_nodes")) spec.numa.cpu_at = n->loc;
        if (const RawOption* n = find_last(options, opts, "numa_mem_policy")) spec.numa.mem_at = n->loc;
        if (const RawOption* z = find_last(options, opts, "zonemode"); z && z->value && trim(*z->value) == "zbd")
          spec.zonemode_zbd_at = z->loc;
        validate(options, spec, opts, sec.loc);
        // fio 3.33's --readonly refuses, at parse time, every job whose rw has
        // the write or trim bit ("has write or trim bit set, but fio is in
        // read-only mode"); fiokit names the job and the line of its rw.
        if (req.readonly && (spec.does(Dir::write) || spec.does(Dir::trim))) {
          const RawOption* rw = find_last(options, opts, "rw");
          fail_at(rw ? rw->loc : sec.loc,
                  fmt::format("job '{}' would {} (rw={}), but --readonly is given", spec.name,
                              spec.does(Dir::write) ? "write" : "trim", rw && rw->value ? trim(*rw->value) : "write"));
        }
        // "job options" as fio prints them: the section's own options; a
        // command-line job starts with its "name", as fio's getopt stored it.
        if (source.file.empty()) spec.job_options.emplace_back("name", sec.name);
        // fio 3.33 leaves out options written without a value ("stonewall",
        // "thread"; "thread=1" is listed).
        for (const auto& o : sec.options)
          if (o.value) spec.job_options.emplace_back(o.key, *o.value);
        spec.job_options_shown = !spec.job_options.empty() || !sec.options.empty();

        // A new job file starts a new group behind a stonewall, as fio runs files in turn.
        const bool new_source_group = first_of_source && src > 0 && !first_job;
        if (new_source_group) spec.stonewall = true;
        if (first_job || spec.stonewall || spec.new_group) ++group;
        spec.group_id = group;
        if (!spec.wait_for.empty() && !names_seen.count(spec.wait_for))
          fail_at(find_last(options, opts, "wait_for")->loc,
                  fmt::format("wait_for='{}' names no job defined before '{}'", spec.wait_for, spec.name));
        names_seen.insert(spec.name);
        // A 4 KiB job file with numjobs=4096 in every section would otherwise
        // ask for gigabytes of JobSpecs (found by fuzz/parse_fuzzer). 4096 is
        // numjobs' own maximum, so the limit applies to the whole run too.
        if (out.jobs.size() + spec.numjobs > kMaxJobs)
          fail_at(sec.loc, fmt::format("more than {} jobs in total (numjobs clones included)", kMaxJobs));
        // Planning names, stats and sizes every file: numjobs=4096 with
        // nrfiles=1048576 is 4.3e9 of them and never finished. fio 3.33 aborts
        // at setup already with 300000 files in one job (smalloc pool, assertion
        // in alloc_new_file); 1048576 in all (nrfiles' own maximum) is a clear error.
        const uint64_t files = spec.filenames.empty() ? std::max<uint32_t>(1, spec.nrfiles) : spec.filenames.size();
        run_files += files * spec.numjobs;
        if (run_files > kMaxRunFiles)
          fail_at(sec.loc, fmt::format("job '{}': numjobs={} with {} brings the run to {} files; fiokit plans at most {}",
                                       spec.name, spec.numjobs,
                                       spec.filenames.empty() ? fmt::format("nrfiles={}", spec.nrfiles)
                                                              : fmt::format("{} files in filename=", files),
                                       run_files, kMaxRunFiles));
        // fio 3.33 rejects a job whose steady-state settings differ from another
        // job's in its group, group_reporting or not ("steadystate options must
        // be consistent within reporting groups"); ss off in both is the same.
        if (!out.jobs.empty() && out.jobs.back().group_id == spec.group_id && (spec.ss.enabled() || out.jobs.back().ss.enabled()) &&
            !(spec.ss == out.jobs.back().ss))
          fail_at(sec.loc, fmt::format("job '{}': its steadystate, ss_dur and ss_ramp differ from job '{}' of the same group; "
                                       "give them the same, or start a new group (new_group or stonewall)",
                                       spec.name, out.jobs.back().name));
        for (uint32_t c = 0; c < spec.numjobs; ++c) {
          JobSpec clone = spec;
          clone.clone_index = static_cast<int>(c);
          // fio 3.33 clears stonewall on a job's clones (init.c, add_job), so
          // numjobs clones run together behind the first one's stonewall.
          if (c > 0) clone.stonewall = false;
          clone.job_index = static_cast<int>(out.jobs.size());
          out.jobs.push_back(std::move(clone));
        }
        first_job = false;
        first_of_source = false;
      } catch (const ParseError& e) {
        errors.add(e.what());
        names_seen.insert(sec.name);
        first_job = false;
        first_of_source = false;
      }
    }
    if (stopped) break;
  }
  if (!errors.empty()) errors.raise(stopped || errors.full());
  // fio's "global options": every option before the first --name and in any
  // [global] section, each key once, where it was first given, last value.
  auto add_global = [&](const RawOption& o) {
    if (!o.value) return;  // as in "job options": valueless options are not listed
    const std::string v = *o.value;
    for (auto& [k, old] : out.global_options)
      if (k == o.key) {
        old = v;
        return;
      }
    out.global_options.emplace_back(o.key, v);
  };
  for (const auto& o : req.cli_globals) add_global(o);
  for (const JobSource& source : req.sources)
    for (const RawSection& sec : source.sections)
      if (sec.name == "global")
        for (const auto& o : sec.options) add_global(o);
  check_cpuio_ends(out.jobs);
  if (out.jobs.empty()) {
    if (!req.only_sections.empty())
      throw ParseError("no job section matches --section=" + req.only_sections.front());
    throw ParseError("no jobs defined (give a job file or --name=JOB options)");
  }
  return out;
}

namespace {
// Shell-quotes a word when it needs it, so the printed command can be pasted.
std::string shell_word(const std::string& w) {
  if (!w.empty() && w.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=.,:/%@") ==
                        std::string::npos)
    return w;
  std::string q = "'";
  for (char c : w) q += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}
}  // namespace

std::string showcmd(const std::vector<JobSpec>& jobs) {
  std::string s = "fiokit run";
  for (const auto& j : jobs) {
    if (j.clone_index != 0) continue;  // numjobs is among the options
    s += " " + shell_word("--name=" + j.name);
    if (j.stonewall && j.job_index > 0) {
      bool explicit_sw = std::any_of(j.given.begin(), j.given.end(), [](auto& kv) { return kv.first == "stonewall" || kv.first == "wait_for_previous"; });
      if (!explicit_sw) s += " --stonewall";
    }
    for (const auto& [k, v] : j.given) {
      if (k == "name") continue;
      s += " " + shell_word(v.empty() ? "--" + k : "--" + k + "=" + v);
    }
  }
  return s;
}

}  // namespace fiokit::jobs
