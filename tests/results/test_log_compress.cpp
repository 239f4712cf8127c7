// fio's compressed log format (results/log_compress.*): the binary sample
// layout byte by byte, the text --inflate-log prints for it, files of many
// zlib (and gzip) streams, damaged files, the LogSink writing NAME.log.fz a
// chunk at a time, and (tagged [fio], run with LABELS fio) real fio 3.33
// inflating what fiokit stored into the very text fiokit's text logs hold.
#include <catch2/catch.hpp>

#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "fixtures.hpp"
#include "results/log_compress.hpp"
#include "results/log_sink.hpp"

using namespace fiokit::results;
using fiokit::testing::read_text;
using fiokit::testing::TempDir;
namespace fs = std::filesystem;

namespace {

std::string inflate_all(const std::string& data, InflateStats* stats = nullptr) {
  size_t pos = 0;
  std::string text;
  const InflateStats st = inflate_log(
      [&](char* buf, size_t n) {
        // Small reads, so streams and samples straddle the input buffers.
        const size_t k = std::min({n, data.size() - pos, size_t{7}});
        std::copy_n(data.data() + pos, k, buf);
        pos += k;
        return k;
      },
      [&](std::string_view t) { text.append(t); });
  if (stats) *stats = st;
  return text;
}

std::string gzip(const std::string& raw) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, static_cast<uLong>(raw.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  zs.avail_in = static_cast<uInt>(raw.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(out.size() - zs.avail_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace

TEST_CASE("log compress: a sample is fio's struct io_sample, byte for byte") {
  std::string raw;
  encode_sample(raw, {1234, 5678, 1, 4096, 0, 0}, {});
  REQUIRE(raw.size() == 32);
  const std::string want("\xd2\x04\0\0\0\0\0\0" "\x2e\x16\0\0\0\0\0\0" "\x01\0\0\0" "\0\0" "\0\0" "\0\x10\0\0\0\0\0\0", 32);
  CHECK(raw == want);
  raw.clear();
  encode_sample(raw, {1, 2, 0, 512, 0x123456789aULL, 0}, {true, false});
  REQUIRE(raw.size() == 40);
  CHECK(static_cast<unsigned char>(raw[19]) == 0x80);  // the offset flag, top bit of ddir
  CHECK(raw.substr(32) == std::string("\x9a\x78\x56\x34\x12\0\0\0", 8));
  raw.clear();
  encode_sample(raw, {1, 2, 0, 512, 0, 0x2003}, {false, true});
  CHECK(static_cast<unsigned char>(raw[19]) == 0x40);  // the priority flag
  CHECK(raw.substr(20, 2) == std::string("\x03\x20", 2));
}

TEST_CASE("log compress: samples print as fio's text rows") {
  std::string raw, text;
  encode_sample(raw, {0, 2654, 1, 4096, 0, 0}, {true, false});
  encode_sample(raw, {7, 50, 1, 4096, 4096, 0x2001}, {true, false});  // realtime: 1
  encode_sample(raw, {8, 51, 1, 4096, 8192, 0x4001}, {true, false});  // stored raw, printed 0 (idle)
  CHECK(raw.substr(40 + 20, 2) == std::string("\x01\x20", 2));  // the second sample's raw ioprio
  format_samples(raw, text);
  CHECK(text == "0, 2654, 1, 4096, 0, 0\n7, 50, 1, 4096, 4096, 1\n8, 51, 1, 4096, 8192, 0\n");
  raw.clear(), text.clear();
  encode_sample(raw, {3, static_cast<uint64_t>(-5), 2, 8192, 0, 0}, {});
  format_samples(raw, text);
  CHECK(text == "3, -5, 2, 8192, 0\n");  // fio prints the value signed
  raw.clear(), text.clear();
  encode_sample(raw, {3, 9, 0, 512, 0, 0x2003}, {false, true});
  format_samples(raw + "\x01\x02", text);  // a trailing fraction of a sample is left out
  CHECK(text == "3, 9, 0, 512, 0x2003\n");
}

TEST_CASE("log compress: a file of many zlib and gzip streams inflates in order") {
  ChunkDeflater d;
  std::string file, want;
  for (int chunk = 0; chunk < 3; ++chunk) {
    std::string raw;
    for (uint64_t i = 0; i < 100; ++i) {
      const uint64_t n = static_cast<uint64_t>(chunk) * 100 + i;
      encode_sample(raw, {n, n * 3, 1, 4096, n * 4096, 0}, {true, false});
      want += std::to_string(n) + ", " + std::to_string(n * 3) + ", 1, 4096, " + std::to_string(n * 4096) + ", 0\n";
    }
    file += chunk == 1 ? gzip(raw) : d.deflate(raw);
  }
  // A zlib header (deflate, 32 KiB window, check bits), as fio's deflateInit
  // makes; fio uses the default level, fiokit the fastest: the same format.
  const auto h0 = static_cast<unsigned char>(file[0]), h1 = static_cast<unsigned char>(file[1]);
  CHECK(h0 == 0x78);
  CHECK((h0 * 256 + h1) % 31 == 0);
  InflateStats st;
  CHECK(inflate_all(file, &st) == want);
  CHECK(st.streams == 3);
  CHECK(st.samples == 300);
  CHECK_FALSE(st.truncated);
  CHECK(st.error.empty());
  CHECK(inflate_all("", &st).empty());  // fio stores an empty file for a log without rows
  CHECK(st.error.empty());
}

TEST_CASE("log compress: a damaged file prints what precedes the damage and says what is wrong") {
  ChunkDeflater d;
  std::string a, b;
  for (uint64_t i = 0; i < 50; ++i) encode_sample(a, {i, i, 0, 4096, 0, 0}, {});
  for (uint64_t i = 50; i < 100; ++i) encode_sample(b, {i, i, 0, 4096, 0, 0}, {});
  const std::string first = d.deflate(a);
  const std::string second = d.deflate(b);
  InflateStats st;
  // Cut inside the second stream: a killed run's last chunk.
  const std::string cut = inflate_all(first + second.substr(0, second.size() / 2), &st);
  CHECK(st.truncated);
  CHECK(st.error.empty());
  CHECK(cut.rfind("49, 49, 0, 4096, 0\n") != std::string::npos);
  CHECK(st.samples >= 50);
  // Not compressed at all: the text log itself.
  inflate_all("0, 1, 0, 4096, 0\n", &st);
  CHECK_THAT(st.error, Catch::Contains("not a compressed fio log") && Catch::Contains("byte 0"));
  // Garbage after a good stream: its samples, then the error at its offset.
  const std::string text = inflate_all(first + "garbage!", &st);
  CHECK(st.streams == 1);
  CHECK(text.rfind("49, 49, 0, 4096, 0\n") != std::string::npos);
  CHECK_THAT(st.error, Catch::Contains("byte " + std::to_string(first.size())));
}

TEST_CASE("log compress: inflate_log_file exits 1 naming the file") {
  TempDir dir;
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  CHECK(inflate_log_file(dir.path + "/missing.log.fz", out, err) == 1);
  std::rewind(err);
  char buf[512] = {};
  CHECK(std::fread(buf, 1, sizeof buf - 1, err) > 0);
  CHECK_THAT(std::string(buf), Catch::Contains("missing.log.fz") && Catch::Contains("cannot open"));
  std::fclose(out);
  std::fclose(err);
}

TEST_CASE("log sink: log_store_compressed writes NAME.log.fz a chunk per zlib stream") {
  TempDir dir;
  LogConfig cfg;
  cfg.dir = dir.path;
  cfg.bw_prefix = "z";
  cfg.lat_prefix = "z";
  cfg.with_offset = true;
  cfg.store_compressed = true;
  cfg.compress_chunk = 1024;  // 25 samples of 40 bytes per stream
  auto sink = LogSink::open(cfg);
  std::string want;
  for (uint64_t i = 0; i < 1000; ++i) {
    sink->append(LogKind::bw, {i / 10, 1000 + i, 1, 4096, i * 4096, 0});
    want += std::to_string(i / 10) + ", " + std::to_string(1000 + i) + ", 1, 4096, " + std::to_string(i * 4096) + ", 0\n";
  }
  sink->close();
  for (const char* k : {"bw", "lat", "clat", "slat"}) CHECK(fs::exists(dir.path + "/z_" + std::string(k) + ".1.log.fz"));
  CHECK_FALSE(fs::exists(dir.path + "/z_bw.1.log"));
  CHECK(fs::file_size(dir.path + "/z_lat.1.log.fz") == 0);  // no rows: empty, as fio's
  InflateStats st;
  CHECK(inflate_all(read_text(dir.path + "/z_bw.1.log.fz"), &st) == want);
  CHECK(st.streams == 40);  // 1000 samples / 25 per chunk
  // Compressed, not text: 1000 rows of 40 bytes take far less.
  CHECK(fs::file_size(dir.path + "/z_bw.1.log.fz") < 40000 / 4);
}

TEST_CASE("log sink: shared compressed logs of two jobs hold both jobs' streams") {
  TempDir dir;
  LogConfig cfg;
  cfg.dir = dir.path;
  cfg.iops_prefix = "s";
  cfg.per_job = false;
  cfg.store_compressed = true;
  cfg.compress_chunk = 4096;
  LogSink::truncate_shared(cfg);
  auto a = LogSink::open(cfg);
  auto b = LogSink::open(cfg);
  for (uint64_t i = 0; i < 300; ++i) {
    a->append(LogKind::iops, {i, 1, 0, 4096, 0, 0});
    b->append(LogKind::iops, {i, 2, 0, 4096, 0, 0});
  }
  a->close();
  b->close();
  const std::string text = inflate_all(read_text(dir.path + "/s_iops.log.fz"));
  size_t ones = 0, twos = 0;
  for (size_t p = 0; (p = text.find(", 1, 0, 4096", p)) != std::string::npos; ++p) ++ones;
  for (size_t p = 0; (p = text.find(", 2, 0, 4096", p)) != std::string::npos; ++p) ++twos;
  CHECK(ones == 300);
  CHECK(twos == 300);
}

TEST_CASE("log sink: fio --inflate-log reads fiokit's stored log as fiokit's text log", "[fio]") {
  if (!fiokit::testing::have_program("fio")) {
    WARN("SKIP: fio is not installed");
    return;
  }
  TempDir dir;
  auto write = [&](bool compressed) {
    LogConfig cfg;
    cfg.dir = dir.path;
    cfg.lat_prefix = compressed ? "c" : "t";
    cfg.with_offset = true;
    cfg.store_compressed = compressed;
    cfg.compress_chunk = 2048;
    auto sink = LogSink::open(cfg);
    for (uint64_t i = 0; i < 500; ++i) sink->append(LogKind::clat, {i / 7, 20000 + i * 13, static_cast<int>(i % 2), 4096, i * 8192, 0});
    sink->close();
  };
  write(false);
  write(true);
  const std::string out = dir.path + "/inflated.txt";
  REQUIRE(std::system(("cd '" + dir.path + "' && fio --inflate-log=c_clat.1.log.fz > inflated.txt").c_str()) == 0);
  CHECK(read_text(out) == read_text(dir.path + "/t_clat.1.log"));
}
