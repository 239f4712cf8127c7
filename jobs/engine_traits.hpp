// The one table of what each engine needs and does (its traits), read by
// every stage that must know: the parser (which options make sense), the
// layout and preflight (does it need files, does it hold descriptors), the
// run (does it move bytes) and the worker. It lives in jobs/ because jobs/
// may include nothing of engine/ (DESIGN.md's pipeline direction) while
// volumes/ and engine/ may include jobs/; engine/registry.cpp takes each
// registered engine's EngineFeatures from here, so nobody keeps a second list
// of engine names (the review found `ioengine == "cpuio"` in three places and
// a copied list of the engines that hold no descriptor).
#pragma once
#include <string_view>

namespace fiokit::jobs {

struct EngineTraits {
  bool sync = false;         // queue() always completes at once: no slat, no reap
  bool diskless = false;     // needs no files at all: no layout, no descriptor (null, filecreate, cpuio, exec)
  bool needs_fds = true;     // false: no descriptor is held open for I/O (null and the file-operation engines)
  // fio's FIO_NOSTATS (the file-operation engines): I/Os are counted, not
  // timed, and fio's latency buckets stay all zero.
  bool no_io_stats = false;
  // fio's FIO_NOIO (cpuio, exec): I/Os are counted and timed but move no
  // bytes, so no size ends the job (runtime= or number_ios= must) and fio
  // never adds to a direction's runtime (bw, iops and runtime read 0).
  bool no_bytes = false;
  // The engine fakes its data I/O (null): a verify read passes, an fsync=N
  // is handed to it and completes at once, as fio 3.33 does.
  bool fakes_io = false;
  // io_submit_mode=offload may hand its I/Os to submit threads (false for
  // the engines that time something else than a read or write).
  bool offload = true;
  // The engine's I/Os are operations on files (create, stat, unlink) rather
  // than reads and writes of their bytes.
  bool file_ops = false;
};

// The traits of the engine fio names `name`; an engine fiokit does not know
// (or only parses) gets the defaults, those of a plain file engine.
const EngineTraits& engine_traits(std::string_view name);

}  // namespace fiokit::jobs
