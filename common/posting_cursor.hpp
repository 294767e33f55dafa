// PostingCursor: iterates one term's postings in document order.
//
// Contract (the evaluators depend on it, not on the codec):
// - doc() is the current document, kEndDoc once exhausted; a new cursor is
//   on its first posting.
// - Next() moves to the following posting. NextGeq(target) moves to the
//   first posting with doc >= target; it never moves backwards and skips
//   whole blocks through the skip table without decoding them.
// - frequency() and Positions() describe the current posting.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/codec.hpp"
#include "common/format.hpp"
#include "common/index_reader.hpp"
#include "common/types.hpp"

namespace fathom {

// The bytes of one posting list and what is needed to check them.
struct PostingListData {
  const std::uint8_t* postings;       // the term's skip table or first block
  const std::uint8_t* postings_end;   // exclusive bound of its posting bytes
  const std::uint8_t* positions;      // the term's first position
  const std::uint8_t* positions_end;  // exclusive bound of its position bytes
  std::uint32_t document_frequency;
  std::uint64_t document_count;  // doc ids must be below this
  const std::uint8_t* lengths;   // u32 per document, for derived block maxima
  std::uint64_t source_offset;   // where the list starts in its file, for messages
};

class PostingCursor {
 public:
  // Validates the term's skip table against its byte ranges; throws
  // CorruptIndexError naming the postings file when it does not fit.
  PostingCursor(const IndexReader& reader, const TermInfo& term);
  // The same over raw bytes; `source` names them in error messages.
  PostingCursor(const PostingListData& data, std::string_view source);

  DocId doc() const noexcept { return current_doc_; }
  std::uint32_t frequency() const noexcept { return frequencies_[index_]; }
  std::uint32_t document_frequency() const noexcept { return document_frequency_; }

  void Next() noexcept;
  void NextGeq(DocId target) noexcept;

  // Absolute positions of the current posting, in increasing order. Corrupt
  // position data yields fewer positions, never an out-of-bounds read.
  void Positions(std::vector<std::uint32_t>& out);

  // Block-max data for dynamic pruning.
  std::size_t block_count() const noexcept { return block_count_; }
  format::SkipEntry current_block() const noexcept { return SkipAt(block_); }
  std::uint32_t max_frequency() const noexcept { return max_frequency_; }

 private:
  format::SkipEntry SkipAt(std::size_t block) const noexcept {
    return block_count_ == 1 ? single_block_
                             : format::GetSkipEntry(skip_table_ + block * format::kSkipEntrySize);
  }
  void LoadBlock(std::size_t block) noexcept;

  const std::uint8_t* skip_table_;
  const std::uint8_t* blocks_;
  const std::uint8_t* blocks_end_;
  const std::uint8_t* positions_begin_;
  const std::uint8_t* positions_end_;
  std::uint32_t document_frequency_;
  std::uint64_t document_count_;
  std::size_t block_count_;
  std::uint32_t max_frequency_ = 0;
  // A list of one block stores no skip entry; this one is derived from the
  // decoded block when the cursor is created.
  format::SkipEntry single_block_{};

  std::size_t block_ = 0;       // loaded block
  std::size_t block_size_ = 0;  // postings in it
  std::size_t index_ = 0;       // current posting within the block
  DocId current_doc_ = kEndDoc;
  alignas(64) std::uint32_t docs_[codec::kBlockSize] = {};
  alignas(64) std::uint32_t frequencies_[codec::kBlockSize] = {};

  // Lazily advanced position pointer: at posting positions_index_ of block_.
  const std::uint8_t* positions_at_ = nullptr;
  std::size_t positions_index_ = 0;
};

}  // namespace fathom
