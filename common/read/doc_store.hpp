// Reads stored documents (title and text) from the zstd-compressed store.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/format/page_checksums.hpp"
#include "common/types.hpp"

namespace fathom {

struct StoredDocument {
  std::string title;
  std::string body;
};

// One document's record in a decompressed store block: its title, then its
// body, each a varint length and its bytes (docs/FORMAT.md, "store").
// Advances at; false when the record runs past end (never reads past it).
bool ParseStoredFields(const std::uint8_t*& at, const std::uint8_t* end,
                       std::array<std::string_view, 2>& fields) noexcept;

class DocStore {
 public:
  struct Block {
    std::uint64_t offset;  // absolute offset of the zstd frame
    std::uint64_t compressed_size;
    std::uint32_t first_doc;
    std::uint32_t raw_size;
  };

  // Validates the block table of a mapped, header-checked store file,
  // verifying its pages first (and each block's when it is read). Throws
  // CorruptIndexError naming the file.
  DocStore(const CheckedFile& file, std::uint64_t document_count);

  // Decompresses the document's block; throws CorruptIndexError when the
  // block is damaged. Thread-safe (no shared decompression state).
  StoredDocument Get(DocId doc) const;

  // For the index checker: the block table, where it starts in the file, and
  // one block decompressed (exactly raw_size bytes, or CorruptIndexError).
  const std::vector<Block>& blocks() const { return blocks_; }
  std::uint64_t table_offset() const { return table_offset_; }
  std::string RawBlock(std::size_t block) const;

 private:
  [[noreturn]] void Corrupt(const std::string& what) const;

  const CheckedFile& file_;
  std::uint64_t document_count_ = 0;
  std::uint64_t table_offset_ = 0;
  std::vector<Block> blocks_;
};

}  // namespace fathom
