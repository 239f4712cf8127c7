// libFuzzer target for the iolog reader (read_iolog=): arbitrary bytes are a
// fio "version 2/3 iolog" someone else wrote (fio, a script, a REMOTEFILES
// job). IoLogError is the reader's documented answer to a bad log; anything
// else escaping, a crash, a sanitizer report or a hang is a finding, and so is
// an accepted log whose entries break what the replay relies on (a file index
// outside the file list, an I/O past its file's extent, an I/O of 0 bytes).
// The replay options come from the input's length, so seeds stay plain logs.
// Built only with -DFIOKIT_FUZZ=ON and clang (see scripts/fuzz).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "volumes/iolog.hpp"

namespace {
[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "iolog_fuzzer: %s\n", what);
  std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fiokit::volumes::ReplayOptions o;
  o.scale = 1 + size % 3;
  o.align = (size & 4) ? 4096 : 0;
  o.time_scale = (size & 8) ? 1 : 100;  // 1: delays times 100, the overflow-prone way
  o.no_stall = (size & 16) != 0;
  o.skip = static_cast<uint8_t>((size >> 5) & 0xf);
  o.redirect = (size & 512) ? "target" : "";
  try {
    const auto log = fiokit::volumes::parse_iolog(text, "fuzz.log", o);
    if (log.version != 2 && log.version != 3) finding("a log of no version was accepted");
    if (log.extent.size() != log.files.size()) finding("extent and files disagree");
    for (const auto& e : log.entries) {
      if (e.kind == fiokit::volumes::IoLogEntry::wait) continue;
      if (e.file >= log.files.size()) finding("an entry names no file");
      if (e.kind <= fiokit::volumes::IoLogEntry::trim) {
        if (e.len == 0) finding("an I/O of 0 bytes");
        if (e.offset + e.len > log.extent[e.file]) finding("an I/O beyond its file's extent");
        if (e.len > log.max_len) finding("an I/O longer than max_len");
      }
    }
  } catch (const fiokit::volumes::IoLogError&) {
  }
  return 0;
}
