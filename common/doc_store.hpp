// Reads stored documents (title and text) from the zstd-compressed store.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/mmap_file.hpp"
#include "common/types.hpp"

namespace fathom {

struct StoredDocument {
  std::string title;
  std::string body;
};

class DocStore {
 public:
  // Validates the block table of a mapped, header-checked store file.
  // Throws CorruptIndexError naming the file.
  DocStore(const MmapFile& file, std::uint64_t document_count);

  // Decompresses the document's block; throws CorruptIndexError when the
  // block is damaged. Thread-safe (no shared decompression state).
  StoredDocument Get(DocId doc) const;

 private:
  struct Block {
    std::uint64_t offset;
    std::uint64_t compressed_size;
    std::uint32_t first_doc;
    std::uint32_t raw_size;
  };
  [[noreturn]] void Corrupt(const std::string& what) const;

  const MmapFile& file_;
  std::vector<Block> blocks_;
};

}  // namespace fathom
