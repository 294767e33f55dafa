#include "indexer/doc_store_writer.hpp"

#include "common/codec.hpp"
#include "common/error.hpp"
#include "common/format.hpp"

namespace fathom {

DocStoreWriter::DocStoreWriter(const std::filesystem::path& dir, int compression_level)
    : file_(dir, format::kStoreFile), context_(ZSTD_createCCtx()), level_(compression_level) {
  if (context_ == nullptr) throw IoError("zstd: cannot create a compression context");
}

DocStoreWriter::~DocStoreWriter() { ZSTD_freeCCtx(context_); }

void DocStoreWriter::Add(std::string_view title, std::string_view body) {
  codec::PutVarint(title.size(), raw_);
  raw_.append(title);
  codec::PutVarint(body.size(), raw_);
  raw_.append(body);
  ++documents_;
  if (raw_.size() >= kStoreBlockTarget) FlushBlock();
}

void DocStoreWriter::FlushBlock() {
  if (documents_ == block_first_doc_) return;
  if (raw_.size() > UINT32_MAX) throw InputError("a document is larger than 4 GiB");
  compressed_.resize(ZSTD_compressBound(raw_.size()));
  const std::size_t size = ZSTD_compressCCtx(context_, compressed_.data(), compressed_.size(),
                                             raw_.data(), raw_.size(), level_);
  if (ZSTD_isError(size)) throw IoError(std::string("zstd: ") + ZSTD_getErrorName(size));
  format::Put<std::uint64_t>(table_, file_.offset());
  format::Put<std::uint32_t>(table_, static_cast<std::uint32_t>(block_first_doc_));
  format::Put<std::uint32_t>(table_, static_cast<std::uint32_t>(raw_.size()));
  file_.Append(std::string_view(compressed_.data(), size));
  raw_.clear();
  block_first_doc_ = documents_;
  ++blocks_;
}

IndexFileRecord DocStoreWriter::Finish() {
  FlushBlock();
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
