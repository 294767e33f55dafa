// Writes the document store: stored titles and text, zstd-compressed in
// blocks of several documents so that showing one result decompresses a
// few kilobytes, not the whole store. Blocks may be compressed by the
// indexing workers (StoreBlockBuilder), in parallel, and appended in order.
#pragma once

#include <zstd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "indexer/write/file_writer.hpp"

namespace fathom {

// Uncompressed bytes gathered before a block is compressed.
inline constexpr std::size_t kStoreBlockTarget = 32 * 1024;
inline constexpr int kStoreCompressionLevel = 3;

struct CompressedStoreBlock {
  std::uint32_t documents = 0;
  std::uint32_t raw_size = 0;
  std::string bytes;  // one zstd frame
};

// Gathers consecutive documents into blocks and compresses them.
class StoreBlockBuilder {
 public:
  explicit StoreBlockBuilder(int compression_level = kStoreCompressionLevel);
  ~StoreBlockBuilder();
  StoreBlockBuilder(const StoreBlockBuilder&) = delete;
  StoreBlockBuilder& operator=(const StoreBlockBuilder&) = delete;

  // Adds the next document; completes a block into `done` when the block
  // reaches kStoreBlockTarget bytes.
  void Add(std::string_view title, std::string_view body, std::vector<CompressedStoreBlock>& done);
  // Completes the pending block, if any.
  void Flush(std::vector<CompressedStoreBlock>& done);

 private:
  ZSTD_CCtx* context_;
  int level_;
  std::string raw_;
  std::uint32_t documents_ = 0;
};

class DocStoreWriter {
 public:
  explicit DocStoreWriter(const std::filesystem::path& dir,
                          int compression_level = kStoreCompressionLevel);
  DocStoreWriter(const DocStoreWriter&) = delete;
  DocStoreWriter& operator=(const DocStoreWriter&) = delete;

  // Stores the next document (ids are implicit: 0, 1, 2...).
  void Add(std::string_view title, std::string_view body);
  // Stores the next block's documents. REQUIRES: no Add since the last
  // block boundary (call FlushPending first when mixing).
  void AppendBlock(const CompressedStoreBlock& block);
  // Completes the block Add is filling, so AppendBlock may follow.
  void FlushPending();
  IndexFileRecord Finish();
  // REQUIRES: Finish() was called.
  const std::vector<std::uint64_t>& page_checksums() const { return file_.page_checksums(); }

 private:
  FileWriter file_;
  StoreBlockBuilder builder_;
  std::vector<CompressedStoreBlock> done_;
  std::string table_;
  std::uint64_t documents_ = 0;
  std::uint64_t blocks_ = 0;
};

}  // namespace fathom
