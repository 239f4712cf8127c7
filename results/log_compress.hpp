// fio's compressed log format, both ways: what fio 3.33 writes with
// log_store_compressed=1 (a "<name>.log.fz" file) and what `fio --inflate-log`
// reads back. Such a file is NOT compressed text: it is a plain concatenation
// of zlib streams, each holding a run of fio's in-memory log samples (struct
// io_sample, 32 bytes; 40 with log_offset), and --inflate-log turns every
// stream's samples into the usual text rows.
// encode_sample packs LogRows into that binary layout, ChunkDeflater makes one
// zlib stream of a chunk of them, and inflate_log reads any such file (fio's
// or fiokit's) back into text exactly as fio prints it, a stream at a time, so
// a multi-GiB log never sits in memory whole.
#pragma once
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "results/log_sink.hpp"

namespace fiokit::results {

// fio 3.33's struct io_sample (iolog.h), as it lies in memory on the 64-bit
// little-endian machines fio and fiokit run on; the .fz file is a raw copy of
// it (fio never converts it):
//   0  u64 time (ms)        8  u64 value (printed signed)
//   16 u32 ddir | flags     20 u16 ioprio     22 2 bytes padding (zero)
//   24 u64 bs               32 u64 offset (only with log_offset=1)
// The flags are the top bits of ddir: 0x80000000 "has offset", 0x40000000
// "has priority" (log_prio=1: the priority column is the raw ioprio in hex;
// without it fio prints 1 when the ioprio's class is realtime, else 0).
inline constexpr size_t kSampleBytes = 32;
inline constexpr size_t kSampleOffsetBytes = 40;
inline constexpr uint32_t kSampleOffsetBit = 0x80000000u;
inline constexpr uint32_t kSamplePrioBit = 0x40000000u;

struct SampleLayout {
  bool offset = false;  // log_offset=1
  bool prio = false;    // log_prio=1
  size_t bytes() const { return offset ? kSampleOffsetBytes : kSampleBytes; }
};

// Appends row as one binary sample to out. Without log_prio the row's prio is
// the printed 0/1 realtime flag, stored as an ioprio of class realtime (1 << 13)
// or 0, so fio prints it back the same.
void encode_sample(std::string& out, const LogRow& row, SampleLayout layout);

// Appends fio's text rows for whole binary samples (a multiple of the sample
// size as the first sample's flags say; a trailing fraction is left out), in
// fio's format: "time, value, ddir, bs[, offset], prio".
void format_samples(std::string_view raw, std::string& out);

// Decimal digits of v written at p (at most 20, no terminator); returns the
// end. The text writers of log_sink.cpp and format_samples share it.
char* put_u64(char* p, uint64_t v);

// One zlib stream (header, deflate, adler32) per call, as fio's compression
// worker makes one per flushed chunk. fio deflates at zlib's default level;
// fiokit at the fastest, because its writer must keep up with a null-engine
// job's millions of rows a second while it runs (at the default level it fell
// 250 MB behind on 2 busy cores); any level inflates to the same bytes. Reuses
// its state between chunks (deflateReset) so small chunks stay cheap.
class ChunkDeflater {
 public:
  ChunkDeflater();
  ~ChunkDeflater();
  ChunkDeflater(const ChunkDeflater&) = delete;
  ChunkDeflater& operator=(const ChunkDeflater&) = delete;
  // The compressed stream of `raw`. Throws std::runtime_error on a zlib error
  // (only out of memory in practice).
  const std::string& deflate(std::string_view raw);

 private:
  struct State;
  std::unique_ptr<State> st_;
  std::string out_;
};

struct InflateStats {
  uint64_t streams = 0;        // complete zlib/gzip streams read
  uint64_t samples = 0;        // samples printed
  bool truncated = false;      // the data ends inside a stream (e.g. a killed run)
  uint64_t partial_bytes = 0;  // bytes of a sample cut off at a stream's end
  std::string error;           // non-empty: not a compressed log (zlib's message, with the byte offset)
};

// Reads the concatenated streams from `read` (fills the buffer, returns the
// bytes read, 0 at the end) and hands fio's text rows to `emit`, a stream's
// samples as they inflate. Stops at the first corrupt stream (stats.error);
// what came before it has been emitted.
InflateStats inflate_log(const std::function<size_t(char*, size_t)>& read,
                         const std::function<void(std::string_view)>& emit);

// `fio --inflate-log=FILE`: prints the text log to out. Returns 0 when the
// whole file inflated, 1 (with a message on err naming the file) when it
// cannot be read, is not a compressed log, or ends inside a stream or sample
// (the rows before that are printed: a SIGKILLed run's log is still useful).
int inflate_log_file(const std::string& path, std::FILE* out, std::FILE* err);

}  // namespace fiokit::results
