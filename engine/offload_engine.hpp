// io_submit_mode=offload (engine/offload_engine.cpp): wraps the job's engine
// so that iodepth submit threads, each with its own instance of it at depth 1,
// issue the I/Os the job's loop queues, as fio 3.33's offload mode does.
#pragma once
#include <memory>

#include "engine/io_engine.hpp"

namespace fiokit::engine {

// `inner` is the job's engine row (it must have a factory); the registry's
// rows live for the whole program.
std::unique_ptr<IoEngine> make_offload_engine(const EngineInfo& inner);

}  // namespace fiokit::engine
