// fio's compressed log format (see log_compress.hpp): binary samples packed
// and deflated a chunk at a time, and `--inflate-log` that reads any sequence
// of such streams back into fio's text rows.
#include "results/log_compress.hpp"

#include <zlib.h>

#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

namespace fiokit::results {
namespace {

// The ioprio class field (Linux ioprio.h: class << 13) and its realtime value.
constexpr unsigned kIoprioClassShift = 13;
constexpr unsigned kIoprioClassRt = 1;

char* put_le(char* p, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) *p++ = static_cast<char>((v >> (8 * i)) & 0xff);
  return p;
}

uint64_t get_le(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}


}  // namespace

// Decimal digits of v at p (at most 20); returns the end. Shared with
// log_sink.cpp, whose text rows are built the same way.
// Two digits per division, from a table: the per-I/O logs' writer spends
// most of its time here.
char* put_u64(char* p, uint64_t v) {
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  char tmp[20];
  char* t = tmp + sizeof tmp;
  while (v >= 100) {
    const auto r = static_cast<size_t>(v % 100) * 2;
    v /= 100;
    *--t = kPairs[r + 1];
    *--t = kPairs[r];
  }
  if (v >= 10) {
    const auto r = static_cast<size_t>(v) * 2;
    *--t = kPairs[r + 1];
    *--t = kPairs[r];
  } else {
    *--t = static_cast<char>('0' + v);
  }
  const auto n = static_cast<size_t>(tmp + sizeof tmp - t);
  std::memcpy(p, t, n);
  return p + n;
}

void encode_sample(std::string& out, const LogRow& row, SampleLayout layout) {
  uint32_t ddir = static_cast<uint32_t>(row.ddir);
  if (layout.offset) ddir |= kSampleOffsetBit;
  if (layout.prio) ddir |= kSamplePrioBit;
  // Built in place and appended once: the writer thread encodes millions of
  // samples a second for a null-engine job.
  char buf[kSampleOffsetBytes];
  char* p = put_le(buf, row.time_ms, 8);
  p = put_le(p, row.value, 8);
  p = put_le(p, ddir, 4);
  p = put_le(p, row.prio & 0xffff, 2);  // raw, as fio stores it; the reader formats it
  p = put_le(p, 0, 2);  // padding: fio's sample arrays are calloc'ed, so zero
  p = put_le(p, row.bs, 8);
  if (layout.offset) p = put_le(p, row.offset, 8);
  out.append(buf, p);
}

// fio 3.33 flush_samples(): the first sample's flag bits choose the layout and
// the format for the whole run of samples; value is printed as a signed
// 64-bit number ("%" PRId64), the rest unsigned.
void format_samples(std::string_view raw, std::string& out) {
  if (raw.size() < kSampleBytes) return;
  const auto* base = reinterpret_cast<const unsigned char*>(raw.data());
  const uint32_t flags = static_cast<uint32_t>(get_le(base + 16, 4));
  const SampleLayout layout{(flags & kSampleOffsetBit) != 0, (flags & kSamplePrioBit) != 0};
  const size_t n = raw.size() / layout.bytes();
  out.reserve(out.size() + n * 40);
  char line[8 * 24];
  for (size_t i = 0; i < n; ++i) {
    const unsigned char* s = base + i * layout.bytes();
    const uint64_t time = get_le(s, 8);
    const auto value = static_cast<int64_t>(get_le(s + 8, 8));
    const uint32_t ddir = static_cast<uint32_t>(get_le(s + 16, 4)) & ~(kSampleOffsetBit | kSamplePrioBit);
    const auto prio = static_cast<unsigned>(get_le(s + 20, 2));
    char* p = line;
    p = put_u64(p, time), *p++ = ',', *p++ = ' ';
    if (value < 0) *p++ = '-';
    p = put_u64(p, value < 0 ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value)), *p++ = ',', *p++ = ' ';
    p = put_u64(p, ddir), *p++ = ',', *p++ = ' ';
    p = put_u64(p, get_le(s + 24, 8)), *p++ = ',', *p++ = ' ';
    if (layout.offset) p = put_u64(p, get_le(s + 32, 8)), *p++ = ',', *p++ = ' ';
    if (layout.prio) {
      p = fmt::format_to(p, "0x{:04x}", prio);
    } else {
      *p++ = (prio >> kIoprioClassShift) == kIoprioClassRt ? '1' : '0';
    }
    *p++ = '\n';
    out.append(line, p);
  }
}

struct ChunkDeflater::State {
  z_stream zs{};
  bool ready = false;
};

ChunkDeflater::ChunkDeflater() : st_(std::make_unique<State>()) {
  if (deflateInit(&st_->zs, Z_BEST_SPEED) != Z_OK) throw std::runtime_error("log compression: zlib deflateInit failed");
  st_->ready = true;
}

ChunkDeflater::~ChunkDeflater() {
  if (st_->ready) deflateEnd(&st_->zs);
}

const std::string& ChunkDeflater::deflate(std::string_view raw) {
  z_stream& zs = st_->zs;
  if (deflateReset(&zs) != Z_OK) throw std::runtime_error("log compression: zlib deflateReset failed");
  // deflateBound is the worst case for one Z_FINISH call, so one call ends
  // the stream (zlib guarantees Z_STREAM_END then).
  out_.resize(deflateBound(&zs, static_cast<uLong>(raw.size())));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  zs.avail_in = static_cast<uInt>(raw.size());
  zs.next_out = reinterpret_cast<Bytef*>(out_.data());
  zs.avail_out = static_cast<uInt>(out_.size());
  const int rc = ::deflate(&zs, Z_FINISH);
  if (rc != Z_STREAM_END) throw std::runtime_error(fmt::format("log compression: zlib deflate failed ({})", rc));
  out_.resize(out_.size() - zs.avail_out);
  return out_;
}

// fio 3.33 iolog_file_inflate(): a file of unknown many streams, each read to
// its Z_STREAM_END and then the next begun (zlib or gzip header: windowBits
// 15 + 32), every stream's samples printed as one run (flush_samples). Here a
// stream's samples are printed as they inflate, a buffer at a time, instead
// of after the whole stream, so memory stays bounded; the text is the same.
InflateStats inflate_log(const std::function<size_t(char*, size_t)>& read,
                         const std::function<void(std::string_view)>& emit) {
  InflateStats st;
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) {
    st.error = "zlib inflateInit2 failed";
    return st;
  }
  std::vector<char> in(1 << 20);
  std::string raw;    // inflated bytes of the current stream not yet printed
  std::string text;
  size_t sample = 0;  // the current stream's sample size, 0 until its first sample
  uint64_t consumed = 0, stream_start = 0;
  bool in_stream = false, eof = false;
  auto print_whole = [&](bool end) {
    if (sample == 0 && raw.size() >= kSampleBytes)
      sample = (static_cast<uint32_t>(get_le(reinterpret_cast<const unsigned char*>(raw.data()) + 16, 4)) & kSampleOffsetBit)
                   ? kSampleOffsetBytes : kSampleBytes;
    if (sample == 0 && !end) return;
    const size_t whole = sample ? raw.size() / sample * sample : 0;
    text.clear();
    format_samples(std::string_view(raw).substr(0, whole), text);
    if (!text.empty()) emit(text);
    st.samples += sample ? whole / sample : 0;
    raw.erase(0, whole);
    if (end) {
      st.partial_bytes += raw.size();
      raw.clear();
      sample = 0;
    }
  };
  std::vector<char> out(256 << 10);
  while (!eof || zs.avail_in > 0) {
    if (zs.avail_in == 0) {
      const size_t n = read(in.data(), in.size());
      if (n == 0) {
        eof = true;
        continue;
      }
      zs.next_in = reinterpret_cast<Bytef*>(in.data());
      zs.avail_in = static_cast<uInt>(n);
    }
    if (!in_stream) {
      in_stream = true;
      stream_start = consumed;
    }
    const uInt before = zs.avail_in;
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = ::inflate(&zs, Z_NO_FLUSH);
    consumed += before - zs.avail_in;
    raw.append(out.data(), out.size() - zs.avail_out);
    if (rc == Z_STREAM_END) {
      print_whole(true);
      ++st.streams;
      in_stream = false;
      inflateReset(&zs);
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      st.error = fmt::format("not a compressed fio log: zlib error {} ({}) in the stream at byte {}", rc,
                             zs.msg ? zs.msg : "no message", stream_start);
      print_whole(false);
      break;
    } else {
      print_whole(false);
    }
  }
  if (st.error.empty() && in_stream) {
    st.truncated = true;
    print_whole(true);
  }
  inflateEnd(&zs);
  return st;
}

int inflate_log_file(const std::string& path, std::FILE* out, std::FILE* err) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    fmt::print(err, "fiokit: --inflate-log: cannot open {}: {}\n", path, std::strerror(errno));
    return 1;
  }
  bool read_failed = false;
  int read_errno = 0;
  bool write_failed = false;
  const InflateStats st = inflate_log(
      [&](char* buf, size_t n) {
        const size_t got = std::fread(buf, 1, n, f);
        if (got == 0 && std::ferror(f)) read_failed = true, read_errno = errno;
        return got;
      },
      [&](std::string_view text) {
        if (std::fwrite(text.data(), 1, text.size(), out) != text.size()) write_failed = true;
      });
  std::fclose(f);
  if (std::fflush(out) != 0) write_failed = true;
  if (read_failed) {
    fmt::print(err, "fiokit: --inflate-log: cannot read {}: {}\n", path, std::strerror(read_errno));
    return 1;
  }
  if (write_failed) {
    fmt::print(err, "fiokit: --inflate-log: cannot write the inflated log of {}\n", path);
    return 1;
  }
  if (!st.error.empty()) {
    fmt::print(err, "fiokit: --inflate-log: {}: {}\n", path, st.error);
    return 1;
  }
  if (st.truncated) {
    fmt::print(err, "fiokit: --inflate-log: {} ends inside a compressed chunk (was the run killed?); the {} samples before it are printed\n",
               path, st.samples);
    return 1;
  }
  if (st.partial_bytes) {
    fmt::print(err, "fiokit: --inflate-log: {}: {} bytes at the end of a chunk do not make a whole sample; left out\n", path,
               st.partial_bytes);
    return 1;
  }
  return 0;
}

}  // namespace fiokit::results
