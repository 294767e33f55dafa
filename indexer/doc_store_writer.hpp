// Writes the document store: stored titles and text, zstd-compressed in
// blocks of several documents so that showing one result decompresses a
// few kilobytes, not the whole store.
#pragma once

#include <zstd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "indexer/file_writer.hpp"

namespace fathom {

// Uncompressed bytes gathered before a block is compressed.
inline constexpr std::size_t kStoreBlockTarget = 32 * 1024;

class DocStoreWriter {
 public:
  explicit DocStoreWriter(const std::filesystem::path& dir, int compression_level = 3);
  ~DocStoreWriter();
  DocStoreWriter(const DocStoreWriter&) = delete;
  DocStoreWriter& operator=(const DocStoreWriter&) = delete;

  // Stores the next document (ids are implicit: 0, 1, 2...).
  void Add(std::string_view title, std::string_view body);
  IndexFileRecord Finish();

 private:
  void FlushBlock();

  FileWriter file_;
  ZSTD_CCtx* context_;
  int level_;
  std::string raw_;
  std::string compressed_;
  std::string table_;
  std::uint64_t documents_ = 0;
  std::uint64_t block_first_doc_ = 0;
  std::uint64_t blocks_ = 0;
};

}  // namespace fathom
