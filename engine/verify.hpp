// Verify: what a written block carries so a later read can prove it is the
// block that belongs there. verify=pattern blocks are the verify_pattern alone,
// as fio 3.33 writes them. Every other verify block (verify_interval bytes, default
// the block size) starts with a header: magic, the block's offset in the file,
// its length, the seed its payload was generated from, and a digest of the
// payload (crc32c, md5, sha1, sha256, sha512, sha3-224/256/384/512, xxhash64, or
// for pattern/meta the expected bytes themselves). A flipped byte fails the
// digest; a zeroed block fails the
// magic; a block copied to another offset fails the offset check even though
// its checksum is intact.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "jobs/jobspec.hpp"

// OpenSSL's context types, declared here so that only verify_sums.cpp includes
// <openssl/evp.h>.
struct evp_md_ctx_st;
struct evp_md_st;

namespace fiokit::engine {

// One reusable digest context for a verify kind: OpenSSL EVP for md5, sha1,
// sha256, sha512 and sha3-*, libxxhash for xxhash, the CPU's crc32c. The EVP
// context is allocated once here, not per block: digests run on every verified
// I/O. Not thread-safe; each worker owns its Verifier. A copy gets a context of
// its own.
class Digest {
 public:
  Digest() = default;
  explicit Digest(jobs::VerifyKind kind);
  Digest(const Digest& o) : Digest(o.kind_) {}
  Digest& operator=(const Digest& o);
  ~Digest();
  // false for a kind no library here computes (crc7, crc16, crc32, crc64).
  bool supported() const;
  // Bytes compute() writes: 0 for none/pattern/meta/null.
  size_t size() const { return size_; }
  void compute(const uint8_t* p, size_t n, uint8_t* out) const;

 private:
  jobs::VerifyKind kind_ = jobs::VerifyKind::none;
  size_t size_ = 0;
  evp_md_st* md_ = nullptr;       // fetched once (EVP_MD_fetch), freed with us
  evp_md_ctx_st* ctx_ = nullptr;  // reused for every block
};

class Verifier {
 public:
  // false when verify=none or the kind is not implemented (message in *why).
  bool init(const jobs::JobSpec& spec, std::string* why);
  bool enabled() const { return kind_ != jobs::VerifyKind::none; }
  // Fills buf[0..len) as the block at `offset` generated from `seed`.
  void make_block(uint8_t* buf, uint32_t len, uint64_t offset, uint64_t seed) const;
  // 0 when buf holds the block that belongs at `offset`; otherwise EILSEQ and a
  // description of the first mismatch in *what.
  int check_block(const uint8_t* buf, uint32_t len, uint64_t offset, std::string* what) const;

 private:
  // verify=pattern (fio's "strict pattern", no header): the block is the
  // pattern repeated from its first byte, %o pieces holding its offset.
  void make_pattern_block(uint8_t* buf, uint32_t len, uint64_t offset) const;
  int check_pattern_block(const uint8_t* buf, uint32_t len, uint64_t offset, std::string* what) const;
  // pattern_ with the %o pieces set to `offset` (pattern_ itself when none).
  const std::string& pattern_at(uint64_t offset) const;
  void make_interval(uint8_t* buf, uint32_t len, uint64_t offset, uint64_t seed) const;
  int check_interval(const uint8_t* buf, uint32_t len, uint64_t offset, std::string* what) const;
  jobs::VerifyKind kind_ = jobs::VerifyKind::none;
  uint32_t interval_ = 0;
  uint32_t header_ = 0;  // 72, or more for the digests longer than 32 bytes
  std::string pattern_;
  std::vector<uint32_t> pattern_offs_;  // where %o pieces sit in pattern_
  mutable std::string pasted_;          // pattern_at's scratch (a Verifier is per thread)
  Digest digest_;
};

// One-shot checksums (verify_sums.cpp): crc32c written from RFC 3720, the rest
// through the libraries, as Digest computes them.
uint32_t crc32c(const uint8_t* p, size_t n, uint32_t crc = 0);
uint64_t xxhash64(const uint8_t* p, size_t n, uint64_t seed = 0);
void md5(const uint8_t* p, size_t n, uint8_t out[16]);
void sha256(const uint8_t* p, size_t n, uint8_t out[32]);

}  // namespace fiokit::engine
