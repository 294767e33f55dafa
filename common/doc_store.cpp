#include "common/doc_store.hpp"

#include <zstd.h>

#include <algorithm>

#include "common/codec.hpp"
#include "common/error.hpp"
#include "common/format.hpp"

namespace fathom {

void DocStore::Corrupt(const std::string& what) const {
  throw CorruptIndexError(file_.path().string() + ": " + what);
}

DocStore::DocStore(const MmapFile& file, std::uint64_t document_count) : file_(file) {
  const std::uint8_t* data = file.data();
  const std::uint64_t data_end = file.size() - format::kFooterSize;
  if (data_end < format::kHeaderSize + format::kStoreTrailerSize)
    Corrupt("too short for its trailer");
  const std::uint8_t* trailer = data + data_end - format::kStoreTrailerSize;
  const auto table_offset = format::Get<std::uint64_t>(trailer);
  const auto block_count = format::Get<std::uint64_t>(trailer + 8);
  const auto stored_docs = format::Get<std::uint64_t>(trailer + 16);
  const std::uint64_t table_end = data_end - format::kStoreTrailerSize;
  if (stored_docs != document_count || table_offset < format::kHeaderSize ||
      table_offset > table_end ||
      (table_end - table_offset) / format::kStoreBlockEntrySize != block_count ||
      (table_end - table_offset) % format::kStoreBlockEntrySize != 0) {
    Corrupt("block table does not match the file");
  }
  blocks_.resize(block_count);
  for (std::uint64_t i = 0; i < block_count; ++i) {
    const std::uint8_t* entry = data + table_offset + i * format::kStoreBlockEntrySize;
    blocks_[i].offset = format::Get<std::uint64_t>(entry);
    blocks_[i].first_doc = format::Get<std::uint32_t>(entry + 8);
    blocks_[i].raw_size = format::Get<std::uint32_t>(entry + 12);
  }
  for (std::uint64_t i = 0; i < block_count; ++i) {
    const std::uint64_t end = i + 1 < block_count ? blocks_[i + 1].offset : table_offset;
    if (blocks_[i].offset < format::kHeaderSize || blocks_[i].offset >= end ||
        (i == 0 ? blocks_[i].first_doc != 0 : blocks_[i].first_doc <= blocks_[i - 1].first_doc) ||
        blocks_[i].first_doc >= document_count) {
      Corrupt("block table entry " + std::to_string(i) + " is out of order or out of bounds");
    }
    blocks_[i].compressed_size = end - blocks_[i].offset;
  }
  if (document_count > 0 && block_count == 0) Corrupt("no blocks for a non-empty store");
}

StoredDocument DocStore::Get(DocId doc) const {
  auto it = std::upper_bound(blocks_.begin(), blocks_.end(), doc,
                             [](DocId d, const Block& b) { return d < b.first_doc; });
  if (it == blocks_.begin()) Corrupt("document " + std::to_string(doc) + " is not stored");
  const Block& block = *(it - 1);
  std::string raw(block.raw_size, '\0');
  const std::size_t size =
      ZSTD_decompress(raw.data(), raw.size(), file_.data() + block.offset, block.compressed_size);
  if (ZSTD_isError(size) || size != block.raw_size) {
    Corrupt("block at offset " + std::to_string(block.offset) + " does not decompress");
  }
  const auto* p = reinterpret_cast<const std::uint8_t*>(raw.data());
  const auto* end = p + raw.size();
  StoredDocument document;
  for (DocId d = block.first_doc; d <= doc; ++d) {
    std::uint32_t title_length = 0;
    std::uint32_t body_length = 0;
    p = codec::GetVarint(p, end, &title_length);
    if (p == nullptr || static_cast<std::uint64_t>(end - p) < title_length) break;
    const auto* title = p;
    p += title_length;
    p = codec::GetVarint(p, end, &body_length);
    if (p == nullptr || static_cast<std::uint64_t>(end - p) < body_length) break;
    if (d == doc) {
      document.title.assign(reinterpret_cast<const char*>(title), title_length);
      document.body.assign(reinterpret_cast<const char*>(p), body_length);
      return document;
    }
    p += body_length;
  }
  Corrupt("record of document " + std::to_string(doc) + " is damaged");
}

}  // namespace fathom
