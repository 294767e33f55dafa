#include "common/format/doc_ids.hpp"

#include <algorithm>

#include "common/format/codec.hpp"
#include "common/format/format.hpp"

namespace fathom::format {

namespace {
constexpr std::uint64_t kHeadSize = 16;  // u64 document count, u64 entries size
// An entry's first varint: shared × 16 + the rest's length, or 15 when the
// rest is 15 bytes or longer (its length less 15 follows as a varint).
constexpr std::uint64_t kRestInHead = 15;
}  // namespace

void DocIdEncoder::Add(std::string_view id, std::string& entries) {
  const bool first = count_ % kIdBlockIds == 0;
  if (first) block_offsets_.push_back(entries_size_);
  std::size_t shared = 0;
  if (!first) {
    const std::size_t most = std::min(previous_.size(), id.size());
    while (shared < most && previous_[shared] == id[shared]) ++shared;
  }
  const std::size_t before = entries.size();
  const std::uint64_t rest = id.size() - shared;
  codec::PutVarint(std::uint64_t{shared} * 16 + std::min(rest, kRestInHead), entries);
  if (rest >= kRestInHead) codec::PutVarint(rest - kRestInHead, entries);
  entries.append(id.substr(shared));
  entries_size_ += entries.size() - before;
  previous_.assign(id);
  ++count_;
}

std::string DocIdEncoder::Head() const {
  std::string head;
  Put<std::uint64_t>(head, count_);
  Put<std::uint64_t>(head, entries_size_);
  for (const std::uint64_t offset : block_offsets_) Put<std::uint64_t>(head, offset);
  return head;
}

bool DocIdTable::Open(const std::uint8_t* payload, std::uint64_t size, std::uint64_t documents,
                      std::uint64_t* error_offset, std::string* error) {
  const std::uint64_t blocks = IdBlockCount(documents);
  if (size < kHeadSize || format::Get<std::uint64_t>(payload) != documents) {
    *error_offset = 0;
    *error = "document count differs from the index's";
    return false;
  }
  entries_size_ = format::Get<std::uint64_t>(payload + 8);
  if ((size - kHeadSize) / 8 < blocks || size - kHeadSize - 8 * blocks != entries_size_) {
    *error_offset = 8;
    *error = "entries size does not match the file size";
    return false;
  }
  documents_ = documents;
  blocks_ = payload + kHeadSize;
  entries_offset_ = kHeadSize + 8 * blocks;
  entries_ = payload + entries_offset_;
  // Each entry takes at least a byte, so block offsets strictly increase.
  for (std::uint64_t b = 0; b < blocks; ++b) {
    const std::uint64_t offset = BlockOffset(b);
    if ((b == 0 && offset != 0) || (b > 0 && offset <= BlockOffset(b - 1)) ||
        offset >= entries_size_) {
      *error_offset = kHeadSize + 8 * b;
      *error = "id block offset " + std::to_string(b) + " is out of order or out of bounds";
      return false;
    }
  }
  return true;
}

std::uint64_t DocIdTable::BlockOffset(std::uint64_t block) const {
  return format::Get<std::uint64_t>(blocks_ + 8 * block);
}

const std::uint8_t* DocIdTable::Entry(const std::uint8_t* at, bool first_of_block,
                                      std::string& id) const {
  const std::uint8_t* end = entries_ + entries_size_;
  std::uint64_t head, rest;
  at = codec::GetVarint64(at, end, &head);
  if (at == nullptr) return nullptr;
  const std::uint64_t shared = head / 16;
  rest = head % 16;
  if (rest == kRestInHead) {
    std::uint64_t more = 0;
    at = codec::GetVarint64(at, end, &more);
    if (at == nullptr || more > UINT32_MAX) return nullptr;
    rest += more;
  }
  if (shared > id.size() || (first_of_block && shared != 0) ||
      rest > static_cast<std::uint64_t>(end - at)) {
    return nullptr;
  }
  id.resize(shared);
  id.append(reinterpret_cast<const char*>(at), rest);
  return at + rest;
}

bool DocIdTable::Find(std::uint64_t doc, std::string& out) const {
  out.clear();
  const std::uint8_t* at = entries_ + BlockOffset(doc / kIdBlockIds);
  for (std::uint64_t d = doc - doc % kIdBlockIds; d <= doc; ++d) {
    at = Entry(at, d % kIdBlockIds == 0, out);
    if (at == nullptr) return false;
  }
  return true;
}

}  // namespace fathom::format
