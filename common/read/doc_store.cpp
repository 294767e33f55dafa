#include "common/read/doc_store.hpp"

#include <zstd.h>

#include <algorithm>
#include <memory>

#include "common/error.hpp"
#include "common/format/codec.hpp"
#include "common/format/format.hpp"

namespace fathom {

void DocStore::Corrupt(const std::string& what) const {
  throw CorruptIndexError(file_.path().string() + ": " + what);
}

DocStore::DocStore(const CheckedFile& file, std::uint64_t document_count)
    : file_(file), document_count_(document_count) {
  const std::uint8_t* data = file.data();
  const std::uint64_t data_end = file.size() - format::kFooterSize;
  if (data_end < format::kHeaderSize + format::kStoreTrailerSize)
    Corrupt("too short for its trailer");
  file.Verify(data_end - format::kStoreTrailerSize, data_end);
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
  file.Verify(table_offset, table_end);
  table_offset_ = table_offset;
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

std::string DocStore::RawBlock(std::size_t index) const {
  const Block& block = blocks_[index];
  file_.Verify(block.offset, block.offset + block.compressed_size);
  // raw_size comes from disk: the buffer grows with what the frame really
  // decodes to instead of being allocated up front, so a damaged entry
  // cannot make one look-up allocate gigabytes.
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> context(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (context == nullptr) throw IoError("zstd: cannot create a decompression context");
  std::string raw(std::min<std::size_t>(block.raw_size, std::size_t{1} << 20), '\0');
  ZSTD_inBuffer input{file_.data() + block.offset, block.compressed_size, 0};
  std::size_t produced = 0;
  const auto damaged = [&] {
    Corrupt("offset " + std::to_string(block.offset) + ": block " + std::to_string(index) +
            " does not decompress to its recorded " + std::to_string(block.raw_size) + " bytes");
  };
  while (true) {
    ZSTD_outBuffer output{raw.data(), raw.size(), produced};
    const std::size_t rc = ZSTD_decompressStream(context.get(), &output, &input);
    if (ZSTD_isError(rc)) damaged();
    produced = output.pos;
    if (rc == 0) break;  // frame complete
    if (produced == raw.size()) {
      if (raw.size() == block.raw_size) {
        // Full, yet the frame goes on: it holds more than recorded, unless
        // it is only the frame's end that remains.
        char probe;
        ZSTD_outBuffer extra{&probe, 1, 0};
        const std::size_t end = ZSTD_decompressStream(context.get(), &extra, &input);
        if (ZSTD_isError(end) || extra.pos != 0 || end != 0) damaged();
        break;
      }
      raw.resize(std::min<std::size_t>(block.raw_size, raw.size() * 2));
    } else if (input.pos == input.size) {
      damaged();  // input used up before the frame ended
    }
  }
  if (produced != block.raw_size || input.pos != input.size) damaged();
  return raw;
}

bool ParseStoredFields(const std::uint8_t*& at, const std::uint8_t* end,
                       std::array<std::string_view, 2>& fields) noexcept {
  for (auto& field : fields) {
    std::uint32_t size = 0;
    at = codec::GetVarint(at, end, &size);
    if (at == nullptr || size > static_cast<std::size_t>(end - at)) return false;
    field = std::string_view(reinterpret_cast<const char*>(at), size);
    at += size;
  }
  return true;
}

StoredDocument DocStore::Get(DocId doc) const {
  if (doc >= document_count_) Corrupt("document " + std::to_string(doc) + " is not stored");
  auto it = std::upper_bound(blocks_.begin(), blocks_.end(), doc,
                             [](DocId d, const Block& b) { return d < b.first_doc; });
  if (it == blocks_.begin()) Corrupt("document " + std::to_string(doc) + " is not stored");
  const Block& block = *(it - 1);
  const std::string raw = RawBlock(static_cast<std::size_t>(it - 1 - blocks_.begin()));
  const auto* p = reinterpret_cast<const std::uint8_t*>(raw.data());
  const auto* end = p + raw.size();
  std::array<std::string_view, 2> fields;
  for (DocId d = block.first_doc; d <= doc; ++d) {
    if (!ParseStoredFields(p, end, fields)) break;
    if (d == doc) return {std::string(fields[0]), std::string(fields[1])};
  }
  Corrupt("record of document " + std::to_string(doc) + " is damaged");
}

}  // namespace fathom
