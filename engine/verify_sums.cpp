// Digests for verify. MD5, SHA-1, SHA-256, SHA-512 and SHA3-224/256/384/512
// come from libcrypto's EVP interface and xxHash64 from libxxhash (Debian's
// maintained, vectorised implementations instead of hand-written ones); CRC-32C
// (Castagnoli, reflected polynomial 0x82F63B78; RFC 3720 appendix B) stays
// here because it is a few lines and uses the CPU's crc32 instruction, which
// no Debian library offers for this polynomial. Correctness is pinned by the
// standard test vectors in tests/engine/test_verify.cpp. Speed matters: as in
// fio, verify reads are measured, digest time included, so each Digest keeps
// one EVP context for all its blocks instead of allocating one per block.
#include <array>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <utility>

#include <openssl/evp.h>
#include <xxhash.h>

#include "engine/verify.hpp"

namespace fiokit::engine {
namespace {

constexpr std::array<uint32_t, 256> make_crc32c_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr auto kCrc32c = make_crc32c_table();

uint64_t rd64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

uint32_t crc32c_table(const uint8_t* p, size_t n, uint32_t crc) {
  for (size_t i = 0; i < n; ++i) crc = kCrc32c[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return crc;
}

#if defined(__x86_64__)
// SSE4.2's crc32 instruction computes exactly this polynomial (Castagnoli),
// 8 bytes per instruction. fio's verify=crc32c uses it when the CPU has it
// (HOWTO: "will automatically use hardware acceleration"); the table version
// costs ~10x the CPU, which made fiokit's verify phases measurably slower than
// fio's for the same job.
__attribute__((target("sse4.2"))) uint32_t crc32c_sse42(const uint8_t* p, size_t n, uint32_t crc) {
  uint64_t c = crc;
  for (; n >= 8; p += 8, n -= 8) c = __builtin_ia32_crc32di(c, rd64(p));
  auto c32 = static_cast<uint32_t>(c);
  for (; n; ++p, --n) c32 = __builtin_ia32_crc32qi(c32, *p);
  return c32;
}
#endif

using Crc32cFn = uint32_t (*)(const uint8_t*, size_t, uint32_t);

Crc32cFn pick_crc32c() {
#if defined(__x86_64__)
  __builtin_cpu_init();  // we may run before libgcc's own constructor
  if (__builtin_cpu_supports("sse4.2")) return crc32c_sse42;
#endif
  return crc32c_table;
}

const Crc32cFn kCrc32cImpl = pick_crc32c();

}  // namespace

uint32_t crc32c(const uint8_t* p, size_t n, uint32_t crc) { return ~kCrc32cImpl(p, n, ~crc); }

uint64_t xxhash64(const uint8_t* p, size_t n, uint64_t seed) { return XXH64(p, n, seed); }

void md5(const uint8_t* p, size_t n, uint8_t out[16]) { Digest(jobs::VerifyKind::md5).compute(p, n, out); }

void sha256(const uint8_t* p, size_t n, uint8_t out[32]) { Digest(jobs::VerifyKind::sha256).compute(p, n, out); }

namespace {

// OpenSSL's name for each EVP kind; nullptr for the kinds computed elsewhere.
const char* evp_name(jobs::VerifyKind k) {
  using K = jobs::VerifyKind;
  switch (k) {
    case K::md5: return "MD5";
    case K::sha1: return "SHA1";
    case K::sha256: return "SHA256";
    case K::sha512: return "SHA512";
    case K::sha3_224: return "SHA3-224";
    case K::sha3_256: return "SHA3-256";
    case K::sha3_384: return "SHA3-384";
    case K::sha3_512: return "SHA3-512";
    default: return nullptr;
  }
}

}  // namespace

Digest::Digest(jobs::VerifyKind kind) : kind_(kind) {
  using K = jobs::VerifyKind;
  if (const char* name = evp_name(kind)) {
    // Fetched once: EVP_DigestInit_ex2 with a fetched EVP_MD skips the
    // per-call implicit fetch that EVP_md5() and friends cost in OpenSSL 3.
    md_ = EVP_MD_fetch(nullptr, name, nullptr);
    ctx_ = EVP_MD_CTX_new();
    if (!md_ || !ctx_) {
      EVP_MD_free(md_);
      EVP_MD_CTX_free(ctx_);
      throw std::runtime_error(std::string("libcrypto has no ") + name + " digest (OpenSSL provider not loaded?)");
    }
    size_ = static_cast<size_t>(EVP_MD_get_size(md_));
  } else if (kind == K::xxhash) {
    size_ = 8;
  } else if (kind == K::crc32c || kind == K::crc32c_intel) {
    size_ = 4;
  }
}

Digest& Digest::operator=(const Digest& o) {
  if (this != &o) {
    Digest fresh(o.kind_);
    std::swap(kind_, fresh.kind_);
    std::swap(size_, fresh.size_);
    std::swap(md_, fresh.md_);
    std::swap(ctx_, fresh.ctx_);
  }
  return *this;
}

Digest::~Digest() {
  EVP_MD_CTX_free(ctx_);
  EVP_MD_free(md_);
}

bool Digest::supported() const {
  using K = jobs::VerifyKind;
  switch (kind_) {
    case K::crc7:
    case K::crc16:
    case K::crc32:
    case K::crc64: return false;
    default: return true;
  }
}

void Digest::compute(const uint8_t* p, size_t n, uint8_t* out) const {
  using K = jobs::VerifyKind;
  if (ctx_) {
    // Re-initialising with the same EVP_MD keeps the provider's context: no
    // allocation per block. These calls fail only on allocation failure or a
    // broken provider, which the constructor already ruled out.
    unsigned len = 0;
    if (EVP_DigestInit_ex2(ctx_, md_, nullptr) != 1 || EVP_DigestUpdate(ctx_, p, n) != 1 || EVP_DigestFinal_ex(ctx_, out, &len) != 1)
      throw std::runtime_error("libcrypto digest failed");
    return;
  }
  if (kind_ == K::xxhash) {
    const uint64_t h = XXH64(p, n, 0);
    std::memcpy(out, &h, 8);  // host (little-endian) order, as fiokit always stored it
  } else if (kind_ == K::crc32c || kind_ == K::crc32c_intel) {
    const uint32_t c = crc32c(p, n);
    std::memcpy(out, &c, 4);
  }
}

}  // namespace fiokit::engine
