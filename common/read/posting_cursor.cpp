#include "common/read/posting_cursor.hpp"

#include <algorithm>
#include <bit>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/error.hpp"
#include "common/format/impacts.hpp"
#include "common/format/patched_blocks.hpp"

namespace fathom {

namespace {
// Lists of fewer blocks are checked at every use: cheaply, and without
// filling the memo with the many rare words.
constexpr std::size_t kRememberedListBlocks = 16;

PostingListData DataOf(const IndexReader& reader, const TermInfo& term) {
  const std::uint8_t* postings = reader.postings_file().data();
  const std::uint8_t* positions = reader.positions_file().data();
  return {postings + term.entry.postings_offset,
          postings + term.postings_end,
          positions + term.entry.positions_offset,
          positions + term.positions_end,
          term.entry.document_frequency,
          term.entry.collection_frequency,
          reader.document_count(),
          reader.lengths(),
          term.entry.postings_offset,
          &reader.validated_lists()};
}

}  // namespace

PostingCursor::PostingCursor(const IndexReader& reader, const TermInfo& term)
    : PostingCursor(DataOf(reader, term), reader.postings_file().path().native(),
                    &reader.postings_file()) {
  positions_file_ = &reader.positions_file();
}

PostingCursor::PostingCursor(const PostingListData& data, std::string_view source)
    : PostingCursor(data, source, nullptr) {}

PostingCursor::PostingCursor(const PostingListData& data, std::string_view source,
                             const CheckedFile* postings_file)
    : document_frequency_(data.document_frequency),
      document_count_(data.document_count),
      block_count_((data.document_frequency + codec::kBlockSize - 1) / codec::kBlockSize),
      collection_frequency_(data.collection_frequency) {
  const auto corrupt = [&](const std::string& what) {
    throw CorruptIndexError(std::string(source) + ": posting list at offset " +
                            std::to_string(data.source_offset) + ": " + what);
  };
  if (document_frequency_ == 0) corrupt("empty posting list");
  // Pages are verified before their bytes are read: here the skip table and
  // the impact records (a one-block list: its block); each block's own
  // pages when LoadBlock first decodes it, so a query that skips most of a
  // frequent word's blocks never reads, nor hashes, their pages.
  postings_file_ = postings_file;
  source_ = source;
  source_offset_ = data.source_offset;
  // At most `bytes` from `from`, within the list.
  const auto upto = [&](const std::uint8_t* from, std::size_t bytes) {
    return from + std::min<std::size_t>(bytes, static_cast<std::size_t>(data.postings_end - from));
  };
  blocks_ = data.postings;
  if (block_count_ > 1) {
    VerifyBytes(data.postings, upto(data.postings, format::kSkipHeaderSize));
    if (!skip_table_.Open(data.postings, data.postings_end, block_count_)) {
      corrupt("skip table malformed or out of bounds");
    }
    blocks_ += skip_table_.size();
    // Entries are read eight bytes at a time, past the last one.
    VerifyBytes(data.postings, upto(blocks_, format::kSkipReadPast));
  } else {
    VerifyBytes(data.postings, data.postings_end);
  }
  blocks_end_ = data.postings_end;
  positions_begin_ = data.positions;
  positions_end_ = data.positions_end;
  const std::uint64_t block_bytes = static_cast<std::uint64_t>(blocks_end_ - blocks_);
  const std::uint64_t position_bytes =
      static_cast<std::uint64_t>(positions_end_ - positions_begin_);
  if (block_count_ == 1) {
    // Decode to derive the entry; last_doc stays kEndDoc until then, which
    // also disables LoadBlock's consistency check for this one block.
    single_block_.last_doc = kEndDoc;
    single_block_.max_frequency = 1;
  }
  // Validate every skip entry and block header once, so decoding needs no
  // checks. Impact records lie in order before the first block. A long
  // list is walked at its first use in the process only: walking it costs a
  // query on a frequent word a tenth of its time.
  const bool remember = data.validated != nullptr && block_count_ >= kRememberedListBlocks;
  const ValidatedLists::Facts* known =
      remember ? data.validated->Find(data.source_offset) : nullptr;
  if (remember) {
    validated_ = data.validated;
  }
  first_block_offset_ = block_count_ > 1 ? SkipAt(0).block_offset : 0;
  if (first_block_offset_ > block_bytes) corrupt("skip entry 0 is inconsistent");
  VerifyBytes(blocks_, blocks_ + first_block_offset_);  // the impact records
  if (known != nullptr) {
    max_frequency_ = known->max_frequency;
  } else {
    std::uint64_t previous_offset = 0;
    std::uint64_t previous_impacts = 0;
    DocId previous_last = 0;
    for (std::size_t b = 0; b < block_count_; ++b) {
      const format::SkipEntry skip = SkipAt(b);
      if (skip.block_offset < previous_offset || skip.block_offset >= block_bytes ||
          (b > 0 && skip.last_doc <= previous_last) ||
          skip.positions_offset / codec::kBlockSize > position_bytes || skip.max_frequency == 0 ||
          (block_count_ > 1 && skip.last_doc >= document_count_) ||
          skip.impacts_offset < previous_impacts || skip.impacts_offset > first_block_offset_) {
        corrupt("skip entry " + std::to_string(b) + " is inconsistent");
      }
      previous_impacts = skip.impacts_offset;
      previous_offset = skip.block_offset;
      previous_last = skip.last_doc;
      max_frequency_ = std::max(max_frequency_, skip.max_frequency);
    }
    if (remember) data.validated->Add(data.source_offset, max_frequency_);
  }
  LoadBlock(0);
  if (block_count_ == 1) {
    single_block_.last_doc = block_size_ > 0 ? docs_[block_size_ - 1] : 0;
    const std::uint32_t* frequencies = block_frequencies();
    single_block_.max_frequency =
        *std::max_element(frequencies, frequencies + std::max<std::size_t>(block_size_, 1));
    single_block_.min_length = UINT32_MAX;
    for (std::size_t i = 0; i < block_size_; ++i) {
      single_block_.min_length = std::min(single_block_.min_length, data.lengths[docs_[i]]);
    }
    max_frequency_ = single_block_.max_frequency;
  }
}

std::size_t PostingCursor::ImpactsOf(std::size_t block, format::Impact* out) const noexcept {
  const format::SkipEntry skip = SkipAt(block);
  if (block_count_ > 1) {
    // A record ends where the next one starts; the last, at the first block.
    const std::uint32_t end =
        block + 1 < block_count_ ? skip_table_.ImpactsOffsetAt(block + 1) : first_block_offset_;
    const std::size_t count =
        format::GetImpacts(blocks_ + skip.impacts_offset, blocks_ + end, skip.min_length, out);
    if (count > 0) return count;
  }
  out[0] = {skip.max_frequency, skip.min_length};
  return 1;
}

const std::vector<format::Impact>* PostingCursor::ListImpacts() const {
  if (validated_ == nullptr) return nullptr;
  return &validated_->Frontier(source_offset_, [this] {
    ImpactFrontier frontier(max_frequency_);
    format::Impact block_pairs[format::kMaxImpacts];
    for (std::size_t b = 0; b < block_count_; ++b) {
      const std::size_t count = ImpactsOf(b, block_pairs);
      for (std::size_t i = 0; i < count; ++i) frontier.Add(block_pairs[i]);
    }
    return frontier.Take();
  });
}

void PostingCursor::VerifyBytes(const std::uint8_t* begin, const std::uint8_t* end) const {
  if (postings_file_ == nullptr) return;
  postings_file_->Verify(static_cast<std::uint64_t>(begin - postings_file_->data()),
                         static_cast<std::uint64_t>(end - postings_file_->data()));
}

void PostingCursor::EndList() noexcept {
  block_ = block_count_;
  block_size_ = 0;
  current_doc_ = kEndDoc;
  frequencies_[0] = 0;
  frequencies_ready_ = true;
}

void PostingCursor::LoadBlock(std::size_t block) {
  block_ = block;
  index_ = 0;
  if (block >= block_count_) {
    EndList();
    return;
  }
  const format::SkipEntry skip = SkipAt(block);
  const DocId base = block == 0 ? 0 : SkipAt(block - 1).last_doc;
  const std::uint8_t* in = blocks_ + skip.block_offset;
  block_size_ =
      std::min<std::size_t>(codec::kBlockSize, document_frequency_ - block * codec::kBlockSize);
  // The skip entries' offsets increase (checked when the cursor was made),
  // so the block ends where the next one starts.
  const std::uint8_t* block_end =
      block + 1 < block_count_ ? blocks_ + skip_table_.BlockOffsetAt(block + 1) : blocks_end_;
  VerifyBytes(in, block_end);
  if (block_size_ == codec::kBlockSize) {
    // Two patched blocks: doc gaps, then frequencies. Their headers give
    // their sizes, so decoding needs no bounds checks once they fit.
    const std::uint8_t* frequencies = format::SkipPatchedBlock(in, block_end);
    if (frequencies == nullptr || format::SkipPatchedBlock(frequencies, block_end) == nullptr) {
      throw CorruptIndexError(std::string(source_) + ": posting list at offset " +
                              std::to_string(source_offset_) + ": block " + std::to_string(block) +
                              " has a bad header or is truncated");
    }
    format::UnpackPatchedBlockUnchecked(in, docs_);
    frequency_bytes_ = in + format::PatchedBlockBytes(in[0], in[1]);
    frequencies_ready_ = false;
  } else {
    // The tail block is varint-coded; decode with bounds checks (it is at
    // most 127 postings), treating damage as the end of the list.
    const std::uint8_t* p = in;
    for (std::size_t i = 0; i < block_size_ && p != nullptr; ++i) {
      p = format::GetTailPosting(p, blocks_end_, &docs_[i], &frequencies_[i]);
    }
    if (p == nullptr) {
      EndList();
      return;
    }
    frequencies_ready_ = true;
  }
  // Every gap but the list's first must be positive, and the sums must not
  // wrap around: then the ids increase, and with the last one below the
  // document count every id is a valid index into doclens. A full block's
  // gaps are below 2^(width + exception bits), so 128 of them cannot wrap
  // from most bases; only others are summed in 64 bits first.
  bool may_wrap = true;
  if (block_size_ == codec::kBlockSize) {
    const std::uint32_t gap_bits = in[0] + (in[1] > 0 ? format::kMaxExceptionBits : 0);
    may_wrap = gap_bits + 7 >= 32 || std::uint64_t{base} + (std::uint64_t{1} << (gap_bits + 7)) >
                                         (std::uint64_t{1} << 32);
  }
  bool damaged = false;
  if (may_wrap) {
    std::uint64_t total = base;
    for (std::size_t i = 0; i < block_size_; ++i) total += docs_[i];
    damaged = total >= document_count_;
  }
  if (!damaged) {
    const std::size_t first_checked = block == 0 ? 1 : 0;  // doc 0 may start the list
    damaged = !codec::PrefixSum(docs_, block_size_, base, first_checked) ||
              docs_[block_size_ - 1] >= document_count_ ||
              (skip.last_doc != kEndDoc && docs_[block_size_ - 1] != skip.last_doc);
  }
  if (damaged) {
    // Blocks disagree with their skip entry or the collection: the data is
    // damaged. Ending the list here keeps every doc id in bounds and
    // NextGeq's scan inside the block.
    EndList();
    return;
  }
  current_doc_ = docs_[0];
}

void PostingCursor::DecodeFrequencies() const noexcept {
  format::UnpackPatchedBlockUnchecked(frequency_bytes_, frequencies_);
  for (std::size_t i = 0; i < codec::kBlockSize; ++i) frequencies_[i] += 1;
  frequencies_ready_ = true;
}

std::size_t PostingCursor::FindBlock(DocId target, std::size_t from) const noexcept {
  // Conjunctions mostly move to the next block or two: look there first,
  // then gallop and binary-search, so long jumps cost O(log distance).
  std::size_t block = from;
  for (int i = 0; i < 4; ++i, ++block) {
    if (block >= block_count_ || LastDocOf(block) >= target) return block;
  }
  std::size_t step = 4;
  std::size_t low = block;  // LastDocOf(low - 1) < target
  while (block < block_count_ && LastDocOf(block) < target) {
    low = block + 1;
    block += step;
    step *= 2;
  }
  std::size_t high = std::min(block, block_count_);  // answer is in [low, high]
  while (low < high) {
    const std::size_t mid = low + (high - low) / 2;
    if (LastDocOf(mid) < target) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return low;
}

void PostingCursor::NextBlock() { LoadBlock(block_ + 1); }

void PostingCursor::SeekSlow(DocId target) {
  if (loaded_last_doc() < target) {
    LoadBlock(FindBlock(target, block_ + 1));
    if (current_doc_ >= target) return;
  }
  // The target is inside this block: some posting at or after index_ is at
  // least target. Conjunctions seek mostly within blocks, over tens of
  // postings, so they are compared eight at a time from the aligned group
  // of eight that holds index_: the postings before index_ are below
  // target, and those after the block's end (stale ids in a shorter block)
  // come after the one that is not.
#if defined(__SSE2__)
  static_assert(codec::kBlockSize % 8 == 0, "groups of eight fill a block");
  const __m128i flip = _mm_set1_epi32(INT32_MIN);  // unsigned order as signed
  const __m128i bound = _mm_xor_si128(_mm_set1_epi32(static_cast<int>(target)), flip);
  std::size_t group = index_ & ~std::size_t{7};
  while (true) {
    const auto* at = reinterpret_cast<const __m128i*>(docs_ + group);
    const __m128i low = _mm_cmplt_epi32(_mm_xor_si128(_mm_loadu_si128(at), flip), bound);
    const __m128i high = _mm_cmplt_epi32(_mm_xor_si128(_mm_loadu_si128(at + 1), flip), bound);
    // Two mask bits a posting, set where it is below target.
    const auto below = static_cast<unsigned>(_mm_movemask_epi8(_mm_packs_epi32(low, high)));
    if (below != 0xffff) {
      index_ = group + static_cast<std::size_t>(std::countr_zero(~below)) / 2;
      break;
    }
    group += 8;
  }
#else
  while (docs_[index_] < target) ++index_;
#endif
  current_doc_ = docs_[index_];
}

void PostingCursor::VerifyPositionPages(const std::uint8_t* begin, const std::uint8_t* end) const {
  if (positions_file_ == nullptr) {
    positions_verified_from_ = reinterpret_cast<std::uintptr_t>(positions_begin_);
    positions_verified_to_ = reinterpret_cast<std::uintptr_t>(positions_end_);
    return;
  }
  const auto from = static_cast<std::uint64_t>(begin - positions_file_->data());
  const auto to = static_cast<std::uint64_t>(end - positions_file_->data());
  positions_file_->Verify(from, to);
  if (from >= to) return;
  // The pages Verify vouched for; joined to those before when they touch,
  // so that a read crossing into the next page keeps the pages behind it.
  const auto file = reinterpret_cast<std::uintptr_t>(positions_file_->data());
  const std::uintptr_t pages_from = file + (from >> format::kPageSizeLog2 << format::kPageSizeLog2);
  const std::uintptr_t pages_to =
      file +
      std::min<std::uint64_t>((((to - 1) >> format::kPageSizeLog2) + 1) << format::kPageSizeLog2,
                              positions_file_->size());
  if (pages_from <= positions_verified_to_ && pages_to >= positions_verified_from_) {
    positions_verified_from_ = std::min(positions_verified_from_, pages_from);
    positions_verified_to_ = std::max(positions_verified_to_, pages_to);
  } else {
    positions_verified_from_ = pages_from;
    positions_verified_to_ = pages_to;
  }
}

void PostingCursor::Positions(std::vector<std::uint32_t>& out) {
  out.clear();
  if (current_doc_ == kEndDoc) return;
  // Only the pages this call reads are verified, not the term's whole
  // position data: a phrase of `of` reads its positions in a few documents.
  // How far a read goes depends on the bytes read (block headers, varints),
  // so the reader is bounded by the list and its values are used only
  // once the range it reached is verified.
  if (!positions_open_) {
    positions_ = format::PositionReader(positions_begin_, positions_end_, collection_frequency_);
    positions_open_ = true;
    VerifyPositions(positions_begin_, positions_.reach());  // the length of its full blocks
  }
  if (!frequencies_ready_) DecodeFrequencies();
  if (last_read_block_ == block_ && last_read_index_ == index_) {
    positions_.Restore(last_read_place_);  // the same posting again
    positions_index_ = index_;
  } else if (positions_block_ != block_ || positions_index_ > index_) {
    positions_.Seek(SkipAt(block_).positions_offset);
    positions_block_ = block_;
    positions_index_ = 0;
  }
  // Pass the positions of the block's earlier postings without decoding
  // the position blocks they fill.
  std::uint64_t skip = 0;
  for (; positions_index_ < index_; ++positions_index_) skip += frequencies_[positions_index_];
  positions_.Skip(skip);
  const std::uint8_t* read_from = positions_.place().block;
  last_read_place_ = positions_.place();
  last_read_block_ = block_;
  last_read_index_ = index_;
  const std::uint64_t most = std::min<std::uint64_t>(
      collection_frequency_,
      format::MostPositionValues(static_cast<std::uint64_t>(positions_end_ - positions_begin_)));
  out.resize(static_cast<std::size_t>(std::min<std::uint64_t>(frequencies_[index_], most)));
  out.resize(positions_.Read(out.data(), out.size()));
  VerifyPositions(read_from, positions_.reach());
  positions_index_ = index_ + 1;
  // The first value is the first position; the others are gaps.
  for (std::size_t i = 1; i < out.size(); ++i) out[i] += out[i - 1];
}

}  // namespace fathom
