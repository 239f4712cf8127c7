// Verify: what a written block carries so a later read can prove it is the
// block that belongs there. Every verify block (verify_interval bytes, default
// the block size) starts with a header: magic, the block's offset in the file,
// its length, the seed its payload was generated from, and a checksum of the
// payload (crc32c, md5, sha256, xxhash64, or for pattern/meta the expected bytes
// themselves). A flipped byte fails the checksum; a zeroed block fails the
// magic; a block copied to another offset fails the offset check even though
// its checksum is intact.
#pragma once
#include <cstdint>
#include <string>

#include "jobs/jobspec.hpp"

namespace fiokit::engine {

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
  void make_interval(uint8_t* buf, uint32_t len, uint64_t offset, uint64_t seed) const;
  int check_interval(const uint8_t* buf, uint32_t len, uint64_t offset, std::string* what) const;
  jobs::VerifyKind kind_ = jobs::VerifyKind::none;
  uint32_t interval_ = 0;
  std::string pattern_;
};

// Checksums (verify_sums.cpp), written from the published specifications.
uint32_t crc32c(const uint8_t* p, size_t n, uint32_t crc = 0);
uint64_t xxhash64(const uint8_t* p, size_t n, uint64_t seed = 0);
void md5(const uint8_t* p, size_t n, uint8_t out[16]);
void sha256(const uint8_t* p, size_t n, uint8_t out[32]);

}  // namespace fiokit::engine
