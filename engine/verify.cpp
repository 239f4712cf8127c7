// Verify blocks (see verify.hpp). Layout of each verify interval:
//   0  u32 magic 0xf10c17e1      4  u16 kind      6  u16 header length (H)
//   8  u64 offset in the file   16  u32 interval length
//  20  u32 crc32c of bytes 0..19 and 24..39 (the header itself)
//  24  u64 seed of the payload  32  u64 reserved (0)
//  40  digest of the payload (Digest: crc32c, xxhash64, md5, sha1, sha256,
//      sha512, sha3-*), zero-padded to 32 bytes or to 64 for the digests longer
//      than 32; zero for pattern/meta, whose payload is compared byte for byte
//   H  payload: pseudo-random bytes from the seed, or verify_pattern repeated.
// verify=pattern is the exception: fio 3.33's "strict pattern" (its
// VERIFY_PATTERN_NO_HDR) writes no header at all, so neither does fiokit. The
// block is verify_pattern repeated from its first byte (each I/O restarts the
// pattern; verify_interval does not), with every %o piece replaced by the
// I/O's offset, 8 bytes little-endian (cut short at the pattern's end), and
// the check compares every byte: a file of the pattern written by anyone
// passes, as in fio (measured: bs=4k verify_pattern="abc" puts "abca" at 0
// and at 4096; "0x11%o" puts 11 00 10 00.. at 4096). Without a header a
// misplaced block is caught only by a %o pattern.
// H is 72 for every kind with a digest of 32 bytes or less (all kinds fiokit
// had before sha512/sha3-384/sha3-512, so their blocks are unchanged) and 104
// for those three.
// Checking order gives the most useful message: magic (zeroed or never written),
// header crc, offset and length (a misplaced block), then the payload digest.
// This is fiokit's own layout, not fio's: fio 3.33 rejects these blocks ("bad
// magic header 17e1, wanted acca") and fiokit rejects fio's. fio's is a 40-byte
// header (u16 magic 0xacca, u16 type, u32 len, u64 seed, u64 offset, times,
// thread, numberio, crc32c of the first 36 bytes) then a per-type digest field;
// its verify=xxhash is XXH32 with seed 1, sha1 stores host-order words, and its
// sha256/sha512 fields are not the standard digests (little-endian length;
// sha512 is never finalised), so matching fio means more than changing magic.
#include "engine/verify.hpp"

#include <cstring>

#include <fmt/format.h>

#include "engine/offsets.hpp"

namespace fiokit::engine {
namespace {

constexpr uint32_t kMagic = 0xf10c17e1;
constexpr uint32_t kDigestAt = 40;
constexpr uint32_t kMinInterval = 128;

template <class T>
void put(uint8_t* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}
template <class T>
T get(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

uint32_t header_crc(const uint8_t* h) { return crc32c(h + 24, 16, crc32c(h, 20)); }

}  // namespace

bool Verifier::init(const jobs::JobSpec& spec, std::string* why) {
  using K = jobs::VerifyKind;
  kind_ = spec.verify;
  switch (kind_) {
    case K::none:
      return true;
    case K::crc32c:
    case K::crc32c_intel:
    case K::md5:
    case K::sha1:
    case K::sha256:
    case K::sha512:
    case K::sha3_224:
    case K::sha3_256:
    case K::sha3_384:
    case K::sha3_512:
    case K::xxhash:
    case K::pattern:
    case K::meta:
      break;
    default:
      *why = "this verify= method is not implemented by fiokit; use crc32c, md5, sha1, sha256, sha512, sha3-224, sha3-256, "
             "sha3-384, sha3-512, xxhash, pattern or meta";
      kind_ = K::none;
      return false;
  }
  digest_ = Digest(kind_);
  header_ = kind_ == K::pattern ? 0 : kDigestAt + (digest_.size() > 32 ? 64 : 32);
  const uint64_t bs = spec.bs[spec.does(jobs::Dir::write) ? jobs::Dir::write : jobs::Dir::read];
  interval_ = static_cast<uint32_t>(spec.verify_interval ? spec.verify_interval : bs);
  if (interval_ < kMinInterval && kind_ != K::pattern) {
    *why = fmt::format("verify needs blocks (or verify_interval) of at least {} bytes, got {}", kMinInterval, interval_);
    kind_ = K::none;
    return false;
  }
  pattern_.assign(spec.verify_pattern.begin(), spec.verify_pattern.end());
  if (kind_ == K::pattern && pattern_.empty()) pattern_ = std::string(1, '\xaa');
  pattern_offs_ = spec.verify_pattern_offsets;
  return true;
}

const std::string& Verifier::pattern_at(uint64_t offset) const {
  if (pattern_offs_.empty()) return pattern_;
  pasted_ = pattern_;
  for (uint32_t at : pattern_offs_)
    for (uint32_t k = 0; k < 8 && at + k < pasted_.size(); ++k) pasted_[at + k] = static_cast<char>((offset >> (8 * k)) & 0xff);
  return pasted_;
}

void Verifier::make_pattern_block(uint8_t* buf, uint32_t len, uint64_t offset) const {
  const std::string& p = pattern_at(offset);
  const uint32_t n = static_cast<uint32_t>(p.size());
  if (n == 1) {
    std::memset(buf, static_cast<uint8_t>(p[0]), len);
    return;
  }
  uint32_t i = std::min(n, len);
  std::memcpy(buf, p.data(), i);
  // Double the copied run until the block is full (as many memcpys as bits).
  while (i < len) {
    const uint32_t c = std::min(i, len - i);
    std::memcpy(buf + i, buf, c);
    i += c;
  }
}

// fio 3.33 reports a bad strict-pattern block on stderr as
//   fio: got pattern '5b', wanted '5a'. Bad bits 1
//   fio: bad pattern block offset 100
//   pattern: verify failed at file F offset 20480, length ... (requested block: offset=20480, length=4096, ...)
// and ends the job with error 84 (EILSEQ); the same facts, on one line, here.
int Verifier::check_pattern_block(const uint8_t* buf, uint32_t len, uint64_t offset, std::string* what) const {
  const std::string& p = pattern_at(offset);
  const auto* want = reinterpret_cast<const uint8_t*>(p.data());
  const size_t n = p.size();
  for (uint32_t i = 0, m = 0; i < len; ++i) {
    if (buf[i] != want[m]) [[unlikely]] {
      const uint32_t at = interval_ ? i / interval_ * interval_ : 0;
      *what = fmt::format("got pattern '{:02x}', wanted '{:02x}'. Bad bits {}; bad pattern block offset {}: verify failed at offset {}, "
                          "length {} (requested block: offset={}, length={})",
                          buf[i], want[m], __builtin_popcount(static_cast<unsigned>(buf[i] ^ want[m])), i - at, offset + at,
                          std::min(interval_, len - at), offset, len);
      return EILSEQ;
    }
    if (++m == n) m = 0;
  }
  return 0;
}

void Verifier::make_block(uint8_t* buf, uint32_t len, uint64_t offset, uint64_t seed) const {
  if (header_ == 0) return make_pattern_block(buf, len, offset);
  for (uint32_t i = 0; i < len; i += interval_) make_interval(buf + i, std::min(interval_, len - i), offset + i, seed + i);
}

int Verifier::check_block(const uint8_t* buf, uint32_t len, uint64_t offset, std::string* what) const {
  if (header_ == 0) return check_pattern_block(buf, len, offset, what);
  for (uint32_t i = 0; i < len; i += interval_)
    if (int e = check_interval(buf + i, std::min(interval_, len - i), offset + i, what); e) return e;
  return 0;
}

void Verifier::make_interval(uint8_t* b, uint32_t len, uint64_t offset, uint64_t seed) const {
  if (len < header_) {  // a tail shorter than a header: plain pattern of the seed
    std::memset(b, static_cast<int>(seed & 0xff), len);
    return;
  }
  uint8_t* payload = b + header_;
  const uint32_t plen = len - header_;
  if (!pattern_.empty()) {
    const std::string& p = pattern_at(offset);
    for (uint32_t i = 0; i < plen; ++i) payload[i] = static_cast<uint8_t>(p[i % p.size()]);
  } else {
    Rng r(seed);
    uint32_t i = 0;
    for (; i + 8 <= plen; i += 8) put<uint64_t>(payload + i, r.next());
    for (; i < plen; ++i) payload[i] = static_cast<uint8_t>(r.next());
  }
  std::memset(b, 0, header_);
  put<uint32_t>(b, kMagic);
  put<uint16_t>(b + 4, static_cast<uint16_t>(kind_));
  put<uint16_t>(b + 6, static_cast<uint16_t>(header_));
  put<uint64_t>(b + 8, offset);
  put<uint32_t>(b + 16, len);
  put<uint64_t>(b + 24, seed);
  put<uint32_t>(b + 20, header_crc(b));
  if (digest_.size()) digest_.compute(payload, plen, b + kDigestAt);
}

int Verifier::check_interval(const uint8_t* b, uint32_t len, uint64_t offset, std::string* what) const {
  if (len < header_) return 0;
  if (get<uint32_t>(b) != kMagic) {
    *what = fmt::format("no verify header at offset {} (bad magic {:#x}: block zeroed, overwritten or never written)", offset, get<uint32_t>(b));
    return EILSEQ;
  }
  if (get<uint32_t>(b + 20) != header_crc(b)) {
    *what = fmt::format("corrupt verify header at offset {}", offset);
    return EILSEQ;
  }
  if (get<uint64_t>(b + 8) != offset) {
    *what = fmt::format("block at offset {} carries the header of offset {} (misplaced block)", offset, get<uint64_t>(b + 8));
    return EILSEQ;
  }
  if (get<uint32_t>(b + 16) != len) {
    *what = fmt::format("block at offset {} was written {} bytes long, read {}", offset, get<uint32_t>(b + 16), len);
    return EILSEQ;
  }
  const uint8_t* payload = b + header_;
  const uint32_t plen = len - header_;
  bool ok = true;
  if (digest_.size()) {
    uint8_t d[64];  // the longest digest (sha512, sha3-512)
    digest_.compute(payload, plen, d);
    ok = std::memcmp(d, b + kDigestAt, digest_.size()) == 0;
  } else {  // pattern, meta: regenerate the payload and compare
    const uint64_t seed = get<uint64_t>(b + 24);
    const std::string& pat = pattern_at(offset);
    Rng r(seed);
    for (uint32_t i = 0; i < plen; ++i) {
      uint8_t want;
      if (!pattern_.empty()) {
        want = static_cast<uint8_t>(pat[i % pat.size()]);
      } else {
        if (i % 8 == 0 && i + 8 <= plen) {
          const uint64_t v = r.next();
          if (std::memcmp(&v, payload + i, 8) != 0) {
            *what = fmt::format("payload mismatch in block at offset {} near byte {}", offset, header_ + i);
            return EILSEQ;
          }
          i += 7;
          continue;
        }
        want = static_cast<uint8_t>(r.next());
      }
      if (payload[i] != want) {
        *what = fmt::format("payload mismatch in block at offset {} at byte {}", offset, header_ + i);
        return EILSEQ;
      }
    }
  }
  if (!ok) {
    *what = fmt::format("checksum mismatch in block at offset {} (data changed after it was written)", offset);
    return EILSEQ;
  }
  return 0;
}

}  // namespace fiokit::engine
