// VerifyBacklog (see verify_backlog.hpp): fio 3.33's verify_backlog choice
// of the next block to read back, and its log of written blocks.
#include "engine/verify_backlog.hpp"

#include <iterator>

namespace fiokit::engine {

uint64_t VerifyBacklog::log_write(uint32_t file, uint64_t offset, uint32_t len) {
  const Entry e{offset, len, file, ++seq_, false};
  if (fifo_) {
    list_.push_back(e);
    return e.seq;
  }
  // fio's tree: every entry of the same file that the new write overlaps
  // leaves the log (it will be verified as part of the new write).
  auto it = tree_.lower_bound({file, offset});
  if (it != tree_.begin()) {
    auto prev = std::prev(it);
    if (prev->first.first == file && prev->second.offset + prev->second.len > offset) it = prev;
  }
  while (it != tree_.end() && it->first.first == file && it->second.offset < offset + len) it = tree_.erase(it);
  tree_.emplace(std::pair(file, offset), e);
  return e.seq;
}

void VerifyBacklog::write_done(uint32_t file, uint64_t offset, uint64_t seq, bool ok) {
  if (fifo_) {
    if (list_.empty() || seq < list_.front().seq) return;  // already verified
    const uint64_t i = seq - list_.front().seq;
    if (i >= list_.size()) return;
    if (ok) list_[i].done = true;
    else list_.erase(list_.begin() + static_cast<std::ptrdiff_t>(i));
    return;
  }
  auto it = tree_.find({file, offset});
  if (it == tree_.end() || it->second.seq != seq) return;  // replaced by a later write, or verified
  if (ok) it->second.done = true;
  else tree_.erase(it);
}

bool VerifyBacklog::next(Entry* out) {
  const uint64_t hist = pending();
  if (!hist) return false;
  if (!batch_left_) {
    if (hist % backlog_ != 0 || last_read_) return false;
    batch_left_ = batch_;
  }
  if (!pop(out)) return false;
  --batch_left_;
  return true;
}

bool VerifyBacklog::pop(Entry* out) {
  if (fifo_) {
    if (list_.front().done == false) return false;  // its write is in flight
    *out = list_.front();
    list_.pop_front();
    return true;
  }
  auto it = tree_.begin();
  if (!it->second.done) return false;
  *out = it->second;
  tree_.erase(it);
  return true;
}

std::vector<VerifyBacklog::Entry> VerifyBacklog::take_all() {
  std::vector<Entry> all;
  all.reserve(pending());
  if (fifo_) {
    all.assign(list_.begin(), list_.end());
    list_.clear();
  } else {
    for (auto& [k, e] : tree_) all.push_back(e);
    tree_.clear();
  }
  return all;
}

}  // namespace fiokit::engine
