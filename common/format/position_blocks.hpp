// postings.pos (format 6): one term's positions as a single stream of
// values (for each posting, in posting order: its first position, then the
// gaps to its next positions), cut into blocks of 128 values. Full blocks
// use patched bit-packing (PFor: one width for most values, the few larger
// ones patched in afterwards), as Lucene's PForUtil does for positions; the
// last partial block is varints. docs/FORMAT.md, "postings.pos", is the
// byte-level specification; this header is its one implementation, shared
// by the writer, the posting cursor and the checker.
//
// A place in the stream is a "mark": the byte offset of its block from the
// term's first block, times 128, plus the value's index in the block. Skip
// entries store the mark of their block's first posting's first position.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/format/codec.hpp"
#include "common/format/patched_blocks.hpp"

namespace fathom::format {

inline constexpr std::uint64_t PositionMark(std::uint64_t block_offset, std::uint64_t index) {
  return block_offset * codec::kBlockSize + index;
}

// Most values a term's position bytes can hold (a full block of 128 takes at
// least 2 bytes): bounds what damaged frequencies can make a reader allocate.
constexpr std::uint64_t MostPositionValues(std::uint64_t bytes) {
  return bytes * (codec::kBlockSize / 2) + codec::kBlockSize;
}

// A term's positions, encoded.
struct EncodedPositions {
  std::string bytes;
  // Byte offset of each block from the first block.
  std::vector<std::uint64_t> block_offsets;
  // The mark of value `index` of the stream. REQUIRES: index < values encoded.
  std::uint64_t MarkOf(std::uint64_t index) const {
    return PositionMark(block_offsets[index / codec::kBlockSize], index % codec::kBlockSize);
  }
};

// Encodes a term's value stream (`count` values): a varint of the full
// blocks' byte length when count >= 128, the full blocks, then the
// count % 128 remaining values as varints.
void EncodePositions(const std::uint32_t* values, std::size_t count, EncodedPositions& out);

// Reads a term's value stream, in order or from a mark. Damaged bytes end
// the stream early (Read returns fewer values, damaged() is set), never read
// outside [begin, end). Keeps the last decoded block, so that reading the
// postings of one block decodes it once.
class PositionReader {
 public:
  PositionReader() = default;
  // [begin, end): the term's position bytes; count: its collection frequency.
  PositionReader(const std::uint8_t* begin, const std::uint8_t* end, std::uint64_t count) noexcept;

  // Moves to a mark (a skip entry's positions_offset).
  void Seek(std::uint64_t mark) noexcept;
  // Moves n values on without decoding the blocks passed.
  void Skip(std::uint64_t n) noexcept;
  // Reads up to n values into out; returns how many (fewer only at the end
  // of the stream or on damage).
  std::size_t Read(std::uint32_t* out, std::size_t n) noexcept;
  // The mark of the next value.
  std::uint64_t mark() noexcept;
  // Where the reader is, to come back to without a seek's checks.
  struct Place {
    const std::uint8_t* block;
    std::uint64_t in_block;
  };
  Place place() const noexcept { return {block_, in_block_}; }
  // REQUIRES: a place this reader was at.
  void Restore(Place place) noexcept {
    block_ = place.block;
    in_block_ = place.in_block;
  }

  // One past the furthest byte the reader has read since it was made (for
  // a damaged stream, the end): every byte a value read so far came from,
  // or that moved the reader, lies before it and at or after where reading
  // started. A caller that verifies bytes verifies up to here.
  const std::uint8_t* reach() const noexcept { return reach_; }
  bool damaged() const noexcept { return damaged_; }
  // Where the stream ended early (for messages), or null.
  const std::uint8_t* damage_at() const noexcept { return damage_at_; }

 private:
  std::uint32_t LengthOf(const std::uint8_t* block) const noexcept {
    return block == tail_ ? tail_count_ : static_cast<std::uint32_t>(codec::kBlockSize);
  }
  // Moves past full blocks while the index is beyond them; false on damage.
  bool Normalize() noexcept;
  bool Decode() noexcept;
  void Reached(const std::uint8_t* at) noexcept {
    if (at > reach_) reach_ = at;
  }
  void Damage(const std::uint8_t* at) noexcept;

  const std::uint8_t* blocks_ = nullptr;  // the first block
  const std::uint8_t* tail_ = nullptr;    // the varint tail (where full blocks end)
  const std::uint8_t* end_ = nullptr;
  std::uint32_t tail_count_ = 0;
  const std::uint8_t* block_ = nullptr;        // the current block
  std::uint64_t in_block_ = 0;                 // the next value's index in it
  const std::uint8_t* decoded_ = nullptr;      // the block values_ holds
  const std::uint8_t* decoded_end_ = nullptr;  // and the byte after it
  const std::uint8_t* extracted_ = nullptr;    // the last block read in place
  const std::uint8_t* damage_at_ = nullptr;
  const std::uint8_t* reach_ = nullptr;
  bool damaged_ = false;
  alignas(64) std::uint32_t values_[codec::kBlockSize] = {};
};

}  // namespace fathom::format
