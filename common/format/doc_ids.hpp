// docids: each document's external id, front-coded in blocks of
// kIdBlockIds (docs/FORMAT.md, "docids"). Consecutive ids of one corpus
// mostly share a long prefix ("12-0", "12-1"), so an entry is the length
// shared with the previous id, then the rest. The writer, the reader and
// the checker share this one implementation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fathom::format {

inline constexpr std::size_t kIdBlockIds = 32;

constexpr std::uint64_t IdBlockCount(std::uint64_t documents) {
  return (documents + kIdBlockIds - 1) / kIdBlockIds;
}

// Builds the entries id by id; the block offsets stay in memory (8 bytes
// per kIdBlockIds ids), the entries go to the caller as they are made.
class DocIdEncoder {
 public:
  // Appends id's entry to entries.
  void Add(std::string_view id, std::string& entries);
  // The payload's head: document count, entries' size, block offsets.
  std::string Head() const;

 private:
  std::uint64_t count_ = 0;
  std::uint64_t entries_size_ = 0;
  std::string previous_;
  std::vector<std::uint64_t> block_offsets_;
};

// A docids payload, its head checked.
class DocIdTable {
 public:
  DocIdTable() = default;
  // Checks the head against the document count: sizes, and block offsets
  // increasing within the entries. On failure returns false and sets
  // error_offset (from the payload's start) and error.
  bool Open(const std::uint8_t* payload, std::uint64_t size, std::uint64_t documents,
            std::uint64_t* error_offset, std::string* error);

  // Decodes doc's id into out; false on damaged entries (never reads
  // outside the payload). REQUIRES: doc < the document count.
  bool Find(std::uint64_t doc, std::string& out) const;

  // Walks every id in order, checking each entry (a block's first shares
  // nothing, shared lengths within the previous id, every entry within the
  // entries, each block where its offset says, no bytes left over).
  // Calls visit(doc, id) for each; on damage returns false with the
  // payload offset and what is wrong.
  template <typename Visit>
  bool ForEach(Visit&& visit, std::uint64_t* error_offset, std::string* error) const;

  std::uint64_t entries_offset() const { return entries_offset_; }

 private:
  // Decodes the entry at `at` onto id (holding the previous id); returns
  // the byte after it or nullptr.
  const std::uint8_t* Entry(const std::uint8_t* at, bool first_of_block, std::string& id) const;
  std::uint64_t BlockOffset(std::uint64_t block) const;

  std::uint64_t documents_ = 0;
  const std::uint8_t* blocks_ = nullptr;
  const std::uint8_t* entries_ = nullptr;
  std::uint64_t entries_size_ = 0;
  std::uint64_t entries_offset_ = 0;
};

template <typename Visit>
bool DocIdTable::ForEach(Visit&& visit, std::uint64_t* error_offset, std::string* error) const {
  std::string id;
  const std::uint8_t* at = entries_;
  for (std::uint64_t doc = 0; doc < documents_; ++doc) {
    const bool first = doc % kIdBlockIds == 0;
    if (first && BlockOffset(doc / kIdBlockIds) != static_cast<std::uint64_t>(at - entries_)) {
      *error_offset = entries_offset_ + static_cast<std::uint64_t>(at - entries_);
      *error = "id block " + std::to_string(doc / kIdBlockIds) + " is not where its offset says";
      return false;
    }
    const std::uint8_t* next = Entry(at, first, id);
    if (next == nullptr) {
      *error_offset = entries_offset_ + static_cast<std::uint64_t>(at - entries_);
      *error = "id entry of document " + std::to_string(doc) +
               " is malformed (runs past the entries, or shares more than the previous id)";
      return false;
    }
    at = next;
    visit(doc, std::string_view(id));
  }
  if (at != entries_ + entries_size_) {
    *error_offset = entries_offset_ + static_cast<std::uint64_t>(at - entries_);
    *error = "bytes after the last id entry";
    return false;
  }
  return true;
}

}  // namespace fathom::format
