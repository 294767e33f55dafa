// PostingCursor: iterates one term's postings in document order.
//
// Contract (the evaluators depend on it, not on the codec):
// - doc() is the current document, kEndDoc once exhausted; a new cursor is
//   on its first posting.
// - Next() moves to the following posting. NextGeq(target) moves to the
//   first posting with doc >= target; it never moves backwards and skips
//   whole blocks through the skip table without decoding them.
// - frequency() and Positions() describe the current posting. Frequencies
//   are decoded only when first asked for in a block, so conjunctions and
//   counting that never score a block never unpack its frequencies.
// - Block-level access (block_count, LastDocOf, SkipOf, ImpactsOf,
//   FindBlock, SeekBlock) lets dynamic pruning bound a block's scores from
//   its skip entry and impact record and skip it without decoding anything.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/contract.hpp"
#include "common/format/codec.hpp"
#include "common/format/format.hpp"
#include "common/format/position_blocks.hpp"
#include "common/read/index_reader.hpp"
#include "common/types.hpp"

namespace fathom {

// The bytes of one posting list and what is needed to check them.
struct PostingListData {
  const std::uint8_t* postings;       // the term's skip table or first block
  const std::uint8_t* postings_end;   // exclusive bound of its posting bytes
  const std::uint8_t* positions;      // the term's first position
  const std::uint8_t* positions_end;  // exclusive bound of its position bytes
  std::uint32_t document_frequency;
  std::uint64_t collection_frequency;  // the number of positions
  std::uint64_t document_count;        // doc ids must be below this
  format::DocLengths lengths;          // for derived block maxima
  std::uint64_t source_offset;         // where the list starts in its file, for messages
  // Where a long list's validated headers are remembered (null: nowhere,
  // for raw bytes that are read once).
  ValidatedLists* validated = nullptr;
};

class PostingCursor {
 public:
  // Verifies the pages of the term's skip table and impact records against
  // their checksums, and validates its skip entries against its byte
  // ranges; each block's pages and headers are verified when the cursor
  // first loads it (Next, NextGeq, SeekBlock: a query that skips a block
  // never reads it), its positions' pages on the first call to Positions.
  // Throws CorruptIndexError naming the file when any fails.
  PostingCursor(const IndexReader& reader, const TermInfo& term);
  // The same over raw bytes, which their caller vouches for (no page
  // checksums); `source` names them in error messages and outlives the
  // cursor.
  PostingCursor(const PostingListData& data, std::string_view source);

  DocId doc() const noexcept { return current_doc_; }
  std::uint32_t frequency() const noexcept {
    if (!frequencies_ready_) DecodeFrequencies();
    return frequencies_[index_];
  }
  std::uint32_t document_frequency() const noexcept { return document_frequency_; }

  // The fast paths are inline: evaluators call them once per posting.
  void Next() {
    if (++index_ < block_size_) {
      current_doc_ = docs_[index_];
    } else {
      NextBlock();
    }
  }
  void NextGeq(DocId target) {
    if (current_doc_ >= target) return;
    SeekSlow(target);
  }

  // Absolute positions of the current posting, in increasing order. Corrupt
  // position data yields fewer positions, never an out-of-bounds read. The
  // first call verifies the term's position pages (CorruptIndexError).
  void Positions(std::vector<std::uint32_t>& out);

  // Block-max data for dynamic pruning.
  std::size_t block_count() const noexcept { return block_count_; }
  format::SkipEntry current_block() const noexcept { return SkipAt(block_); }
  std::uint32_t max_frequency() const noexcept { return max_frequency_; }
  // The block the cursor is in (block_count() once exhausted).
  std::size_t block_index() const noexcept { return block_; }
  // Skip entry of any block (derived for a single-block list).
  // REQUIRES: block < block_count().
  format::SkipEntry SkipOf(std::size_t block) const noexcept { return SkipAt(block); }
  // The block's impact pairs (docs/FORMAT.md) into out, which has room for
  // format::kMaxImpacts; returns their number. A single-block list, or a
  // damaged record, gives the one pair (max_frequency, min_length).
  // REQUIRES: block < block_count().
  std::size_t ImpactsOf(std::size_t block, format::Impact* out) const noexcept;
  // The pairs of all the blocks' impact records that no other pair
  // dominates (ValidatedLists::Facts::frontier), for a long list its reader
  // remembers; null for others. Computed once per process and list.
  const std::vector<format::Impact>* ListImpacts() const;
  DocId LastDocOf(std::size_t block) const noexcept {
    return block_count_ == 1 ? single_block_.last_doc : skip_table_.LastDocAt(block);
  }
  // The first block at or after `from` whose last doc is >= target, or
  // block_count(). Reads skip entries only; gallops over long distances.
  std::size_t FindBlock(DocId target, std::size_t from) const noexcept;
  // Moves to the first posting of `block` (block_count() to end the list)
  // without decoding the blocks in between. REQUIRES: block >= block_index().
  void SeekBlock(std::size_t block) {
    if (block != block_ || index_ != 0) LoadBlock(block);
  }
  // The loaded block's last doc, which LoadBlock checks is its skip
  // entry's, read from the decoded ids (in cache) instead of the skip
  // table. REQUIRES: doc() != kEndDoc.
  DocId loaded_last_doc() const noexcept {
    FATHOM_REQUIRE(block_size_ > 0 && block_ < block_count_, "a loaded block");
    return docs_[block_size_ - 1];
  }
  // The current posting's index in the loaded block.
  std::size_t index_in_block() const noexcept { return index_; }
  // Moves to posting `index` of the loaded block, for evaluators that pick
  // a block's candidates from block_docs() / block_frequencies().
  // REQUIRES: index_in_block() <= index < block_size().
  void MoveInBlock(std::size_t index) noexcept {
    FATHOM_REQUIRE(index >= index_ && index < block_size_, "MoveInBlock within the block, forward");
    index_ = index;
    current_doc_ = docs_[index];
  }
  // Postings of the loaded block, for evaluators that score whole blocks:
  // doc ids and (decoded on demand) frequencies.
  std::size_t block_size() const noexcept { return block_size_; }
  const std::uint32_t* block_docs() const noexcept { return docs_; }
  const std::uint32_t* block_frequencies() const noexcept {
    if (!frequencies_ready_) DecodeFrequencies();
    return frequencies_;
  }

 private:
  PostingCursor(const PostingListData& data, std::string_view source,
                const CheckedFile* postings_file);
  format::SkipEntry SkipAt(std::size_t block) const noexcept {
    return block_count_ == 1 ? single_block_ : skip_table_.At(block);
  }
  // Verifies the block's pages and headers first (CorruptIndexError).
  void LoadBlock(std::size_t block);
  // Verifies the postings' pages holding [begin, end) (none for raw bytes).
  void VerifyBytes(const std::uint8_t* begin, const std::uint8_t* end) const;
  // Past the last posting: at the end of the list, or on damaged data.
  void EndList() noexcept;
  void NextBlock();
  void SeekSlow(DocId target);
  void DecodeFrequencies() const noexcept;
  // Verifies the positions' pages holding [begin, end) (nothing for a
  // cursor over raw bytes). Inline: a phrase reads positions in every
  // document it checks, nearly always within pages this cursor verified
  // the call before.
  void VerifyPositions(const std::uint8_t* begin, const std::uint8_t* end) const {
    const auto from = reinterpret_cast<std::uintptr_t>(begin);
    const auto to = reinterpret_cast<std::uintptr_t>(end);
    if (from >= positions_verified_from_ && to <= positions_verified_to_) return;
    VerifyPositionPages(begin, end);
  }
  void VerifyPositionPages(const std::uint8_t* begin, const std::uint8_t* end) const;

  format::SkipTable skip_table_;  // of a list of more than one block
  // The end of the skip table: impact records and blocks are at offsets
  // from here, the records up to first_block_offset_.
  const std::uint8_t* blocks_;
  std::uint32_t first_block_offset_ = 0;
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
  // Filled by DecodeFrequencies from frequency_bytes_ (a patched block)
  // the first time the block's frequencies are needed.
  alignas(64) mutable std::uint32_t frequencies_[codec::kBlockSize] = {};
  mutable bool frequencies_ready_ = true;
  const std::uint8_t* frequency_bytes_ = nullptr;

  // Where a long list's validation and impact frontier are remembered
  // (null for a list not remembered), and the list's offset (there, and in
  // error messages).
  ValidatedLists* validated_ = nullptr;
  std::uint64_t source_offset_ = 0;

  // The postings' file, whose pages LoadBlock verifies (null for a cursor
  // over raw bytes), and what error messages name it by.
  const CheckedFile* postings_file_ = nullptr;
  std::string_view source_;
  // The positions' file, whose pages Positions verifies as it reads them
  // (null for a cursor over raw bytes, which its caller vouches for).
  const CheckedFile* positions_file_ = nullptr;
  // Addresses of whole pages of the positions' file this cursor verified
  // (or all of its raw bytes): VerifyPositions passes over reads inside.
  mutable std::uintptr_t positions_verified_from_ = 0;
  mutable std::uintptr_t positions_verified_to_ = 0;
  std::uint64_t collection_frequency_;
  // The term's position stream, opened by the first call to Positions and
  // then advanced lazily: it is at the first position of posting
  // positions_index_ of block positions_block_ (none yet: SIZE_MAX).
  format::PositionReader positions_;
  bool positions_open_ = false;
  std::size_t positions_block_ = SIZE_MAX;
  std::size_t positions_index_ = 0;
  // Where the last posting read began, so that asking again rereads it.
  format::PositionReader::Place last_read_place_{};
  std::size_t last_read_block_ = SIZE_MAX, last_read_index_ = 0;
};

}  // namespace fathom
