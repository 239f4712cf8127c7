// The embedded quickstart job of `fiokit run --quickstart` (README's first
// command): small, done in seconds, in a directory fiokit makes for it, so it
// can run on any machine without touching anything the user owns.
#pragma once
#include <string>

namespace fiokit::cli {

// Sequential write for a second, then random read and random write side by side, with bw,
// IOPS and latency logs. Files go to ${FIOKIT_QUICKSTART_DIR} and are removed
// afterwards (unlink=1): fiokit created them, in a directory it created.
inline constexpr const char* kQuickstartJob = R"(; fiokit quickstart: a small, fast tour of a volume.
[global]
directory=${FIOKIT_QUICKSTART_DIR}
ioengine=psync
size=16m
bs=4k
write_bw_log
write_iops_log
write_lat_log
log_avg_msec=100

[seq-write]
rw=write
bs=128k
runtime=1
time_based
unlink=1

[rand-read]
stonewall
rw=randread
runtime=2
time_based
unlink=1

[rand-write]
rw=randwrite
runtime=2
time_based
unlink=1
)";

// Makes a new directory for the quickstart (under $TMPDIR or /tmp) with a
// data/ folder inside, and returns its path.
std::string make_quickstart_dir();

// Plots the quickstart's run directory as `fiokit plot RUN_DIR` does (images
// on stdout, errors on stderr, its exit code), leaving out the notes about
// empty logs.
int plot_quickstart_run(const std::string& run_dir);

}  // namespace fiokit::cli
