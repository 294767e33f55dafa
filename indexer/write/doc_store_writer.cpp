#include "indexer/write/doc_store_writer.hpp"

#include "common/error.hpp"
#include "common/format/codec.hpp"
#include "common/format/format.hpp"

namespace fathom {

StoreBlockBuilder::StoreBlockBuilder(int compression_level)
    : context_(ZSTD_createCCtx()), level_(compression_level) {
  if (context_ == nullptr) throw IoError("zstd: cannot create a compression context");
}

StoreBlockBuilder::~StoreBlockBuilder() { ZSTD_freeCCtx(context_); }

void StoreBlockBuilder::Add(std::string_view title, std::string_view body,
                            std::vector<CompressedStoreBlock>& done) {
  codec::PutVarint(title.size(), raw_);
  raw_.append(title);
  codec::PutVarint(body.size(), raw_);
  raw_.append(body);
  ++documents_;
  if (raw_.size() >= kStoreBlockTarget) Flush(done);
}

void StoreBlockBuilder::Flush(std::vector<CompressedStoreBlock>& done) {
  if (documents_ == 0) return;
  if (raw_.size() > UINT32_MAX) throw InputError("a document is larger than 4 GiB");
  CompressedStoreBlock block;
  block.documents = documents_;
  block.raw_size = static_cast<std::uint32_t>(raw_.size());
  block.bytes.resize(ZSTD_compressBound(raw_.size()));
  const std::size_t size = ZSTD_compressCCtx(context_, block.bytes.data(), block.bytes.size(),
                                             raw_.data(), raw_.size(), level_);
  if (ZSTD_isError(size)) throw IoError(std::string("zstd: ") + ZSTD_getErrorName(size));
  block.bytes.resize(size);
  done.push_back(std::move(block));
  documents_ = 0;
  // A huge document should not pin its buffer for the rest of the build.
  if (raw_.capacity() > 4 * kStoreBlockTarget) {
    std::string().swap(raw_);
  } else {
    raw_.clear();
  }
}

DocStoreWriter::DocStoreWriter(const std::filesystem::path& dir, int compression_level)
    : file_(dir, format::kStoreFile), builder_(compression_level) {}

void DocStoreWriter::Add(std::string_view title, std::string_view body) {
  builder_.Add(title, body, done_);
  for (const auto& block : done_) AppendBlock(block);
  done_.clear();
}

void DocStoreWriter::FlushPending() {
  builder_.Flush(done_);
  for (const auto& block : done_) AppendBlock(block);
  done_.clear();
}

void DocStoreWriter::AppendBlock(const CompressedStoreBlock& block) {
  if (documents_ + block.documents > UINT32_MAX) {
    throw InputError("too many documents for the document store");
  }
  format::Put<std::uint64_t>(table_, file_.offset());
  format::Put<std::uint32_t>(table_, static_cast<std::uint32_t>(documents_));
  format::Put<std::uint32_t>(table_, block.raw_size);
  file_.Append(block.bytes);
  documents_ += block.documents;
  ++blocks_;
}

IndexFileRecord DocStoreWriter::Finish() {
  FlushPending();
  const std::uint64_t table_offset = file_.offset();
  file_.Append(table_);
  std::string trailer;
  format::Put<std::uint64_t>(trailer, table_offset);
  format::Put<std::uint64_t>(trailer, blocks_);
  format::Put<std::uint64_t>(trailer, documents_);
  file_.Append(trailer);
  return file_.Finish();
}

}  // namespace fathom
