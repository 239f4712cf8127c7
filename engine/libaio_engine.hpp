// ioengine=libaio's typed options (libaio_engine.cpp), read from a job's
// checked option text with the engine's own table.
#pragma once
#include "jobs/jobspec.hpp"

namespace fiokit::engine {

struct LibaioOptions {
  bool userspace_reap = false;  // reap from the kernel's completion ring without io_getevents
  bool operator==(const LibaioOptions&) const = default;
};

// The options of a job parsed with engine::option_catalog(); ValueError for
// an option that is not libaio's.
LibaioOptions read_libaio_options(const jobs::EngineOptionValues& v);

}  // namespace fiokit::engine
