// Option table, flow part (issue 15): flow control between jobs (flow_id,
// flow, flow_sleep, and fio's deprecated flow_watermark) and
// serialize_overlap. What the engine does with them is in engine/flow.hpp and
// the I/O loop; names, defaults and ranges follow `fio --cmdhelp` of 3.33.
#include <climits>

#include "jobs/options.hpp"

namespace fiokit::jobs {

void add_flow_options(std::vector<OptionDef>& t) {
  const std::string io = "I/O flow", depth = "I/O depth";
  t.push_back(Opt("flow_id", "Flow group of the job: jobs with the same flow_id share flow control")
                  .integer(&JobSpec::flow_id).range(0, INT_MAX).def("0").cat(io));
  // fio 3.33 reads a negative weight (pre-3.x job files used signed flow
  // values around a shared counter) as 2^32 minus it, which gives that job
  // the whole flow and stalls the others; fiokit refuses it instead (the
  // range check names the option and the line).
  t.push_back(Opt("flow", "Weight of the job in its flow group: jobs keep their I/O counts in the ratio of their weights (0: off)")
                  .integer(&JobSpec::flow).range(0, 1000).def("0").cat(io)
                  .note("0..1000; the negative weights of old fio versions are refused: give each job its share, e.g. flow=1 and flow=8"));
  t.push_back(Opt("flow_sleep", "Microseconds to sleep, after waiting for the I/Os in flight, when flow control holds the job back (0: retry at once)")
                  .integer(&JobSpec::flow_sleep_us).def("0").cat(io));
  // fio 3.33 accepts it, prints "Option flow_watermark is deprecated" and
  // ignores it: the weights of flow= replaced the watermark.
  t.push_back(Opt("flow_watermark", "Deprecated (fio 3.33 ignores it): the high watermark of the old signed flow counter")
                  .custom(OptType::integer, [](JobSpec&, const std::string& v, const ApplyCtx&) { (void)parse_int(v, true); })
                  .cat(io).no_effect("deprecated and ignored by fio 3.33 as well; flow= weights replaced it"));

  // fio 3.33 checks only the job's own I/Os unless io_submit_mode=offload;
  // fiokit checks per job in both modes (README, Differences from fio).
  t.push_back(Opt("serialize_overlap", "Hold back an I/O that overlaps one of the job's I/Os in flight until that one completes")
                  .boolean(&JobSpec::serialize_overlap).def("0").cat(depth));
}

}  // namespace fiokit::jobs
