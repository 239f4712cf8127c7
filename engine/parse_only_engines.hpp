// Engines fiokit parses but does not run: fio's engines for hardware,
// libraries or services that are absent here (rbd, sg, nbd, http, rdma, ...).
// Each has a registry row without a factory (engine/registry.cpp) and its
// option table, so a job file written for one parses (--parse-only, --cmdhelp)
// as fio parses it, and `fiokit run` refuses it before any I/O with what it
// needs, naming the file and line of its ioengine=.
#pragma once
#include <string_view>
#include <vector>

#include "jobs/jobspec.hpp"
#include "jobs/options.hpp"

namespace fiokit::engine {

// The options of one parse-only engine (names, types, defaults and help as
// `fio --enghelp=ENGINE` and HOWTO give them); each definition's `engines`
// lists every engine that reads it.
std::vector<jobs::OptionDef> parse_only_option_defs(std::string_view engine);

// Throws jobs::ParseError (exit 2) for the first job that cannot run here: an
// engine without a factory ("ioengine=rbd needs librbd and a Ceph cluster (not
// available in fiokit) (job.fio:12)") or zonemode=zbd. Called before any file
// is planned or laid out.
void refuse_unrunnable(const std::vector<jobs::JobSpec>& jobs);

}  // namespace fiokit::engine
