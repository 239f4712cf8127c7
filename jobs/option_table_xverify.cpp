// Option table, issue 16 part "xverify": experimental_verify (the verify
// phase replays the job's offset generator, engine/worker_xverify.cpp) and
// create_serialize (files laid out one job at a time, or all at once,
// volumes/layout.cpp), plus the cross-option check that refuses the
// experimental_verify jobs whose fio 3.33 figures fiokit does not reproduce.
#include <fmt/format.h>

#include "jobs/error.hpp"
#include "jobs/options.hpp"

namespace fiokit::jobs {

void add_xverify_options(std::vector<OptionDef>& t) {
  const std::string ver = "Verify", files = "Files";
  t.push_back(Opt("experimental_verify", "Verify by replaying the job's offsets instead of logging the writes")
                  .boolean(&JobSpec::experimental_verify).def("0").cat(ver));
  t.push_back(Opt("create_serialize", "Lay out one job's files before the next job's (0: every job's at once)")
                  .boolean(&JobSpec::create_serialize).def("1").cat(files));
}

// What fio 3.33 does with experimental_verify=1 is reproduced for a writing
// job whose offsets come from its own generator, re-seeded for the replay
// (engine/worker_xverify.cpp). Refused, because fio's figures there depend on
// state fiokit does not model: trims (fio reads a trimmed block back and
// expects zeros or the old data by its trim log), verify_only (a dry run
// followed by the replay), read_iolog (no generator to replay), randrepeat=0
// (fio does not re-seed, so it reads back blocks other than those written)
// and number_ios (fio counts the replayed reads in that budget too).
void check_xverify(const JobSpec& s, const SourceLoc& at) {
  if (!s.experimental_verify || s.verify == VerifyKind::none || !s.do_verify || !s.does(Dir::write)) return;
  auto refuse = [&](const std::string& what) {
    fail_at(at, fmt::format("unsupported by fiokit: experimental_verify=1 with {}; use experimental_verify=0", what));
  };
  if (s.does(Dir::trim)) refuse("trims (fio reads trimmed blocks back by its trim log)");
  if (s.verify_only) refuse("verify_only (fio does a dry run, then replays)");
  if (!s.read_iolog.empty()) refuse("read_iolog (there is no offset generator to replay)");
  if (!s.randrepeat) refuse("randrepeat=0 (fio does not re-seed for the replay and reads back other blocks than it wrote)");
  if (s.number_ios) refuse("number_ios (fio counts the replayed reads against it as writes)");
  // Measured: libaio iodepth=4 randwrite norandommap: fio 3.33 replays 19
  // reads without an error, fiokit stopped at the first rewritten block
  // (error 84 after 7). At depth 1 both stop with error 84 (3-4 reads).
  if (s.norandommap && s.is_random() && s.iodepth > 1)
    refuse("norandommap and iodepth > 1 (fio's replay then reads blocks in flight in another order and reports no rewritten block)");
}

}  // namespace fiokit::jobs
