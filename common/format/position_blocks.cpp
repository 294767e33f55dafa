#include "common/format/position_blocks.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "common/format/format.hpp"

namespace fathom::format {

namespace {
constexpr std::size_t kMostExtracted = 4;
}

void EncodePositions(const std::uint32_t* values, std::size_t count, EncodedPositions& out) {
  out.bytes.clear();
  out.block_offsets.clear();
  const std::size_t full = count / codec::kBlockSize;
  std::string blocks;
  for (std::size_t b = 0; b < full; ++b) {
    out.block_offsets.push_back(blocks.size());
    PackPatchedBlock(values + b * codec::kBlockSize, blocks);
  }
  if (count % codec::kBlockSize != 0) out.block_offsets.push_back(blocks.size());
  if (full > 0) codec::PutVarint(blocks.size(), out.bytes);
  out.bytes.append(blocks);
  for (std::size_t i = full * codec::kBlockSize; i < count; ++i) {
    codec::PutVarint(values[i], out.bytes);
  }
}

PositionReader::PositionReader(const std::uint8_t* begin, const std::uint8_t* end,
                               std::uint64_t count) noexcept
    : blocks_(begin),
      tail_(begin),
      end_(end),
      tail_count_(static_cast<std::uint32_t>(count % codec::kBlockSize)),
      block_(begin),
      reach_(begin) {
  if (count >= codec::kBlockSize) {
    std::uint64_t full_bytes = 0;
    const std::uint8_t* p = codec::GetVarint64(begin, end, &full_bytes);
    if (p == nullptr || full_bytes > static_cast<std::uint64_t>(end - p)) {
      blocks_ = tail_ = block_ = end;
      tail_count_ = 0;
      Damage(begin);
      return;
    }
    blocks_ = block_ = p;
    tail_ = p + full_bytes;
    Reached(p);
  }
}

void PositionReader::Damage(const std::uint8_t* at) noexcept {
  if (!damaged_) damage_at_ = at;
  damaged_ = true;
  reach_ = end_;  // how far a failed read went is not kept: all of it
}

void PositionReader::Seek(std::uint64_t mark) noexcept {
  const std::uint64_t offset = mark / codec::kBlockSize;
  if (offset > static_cast<std::uint64_t>(tail_ - blocks_)) {
    Damage(blocks_);
    return;
  }
  block_ = blocks_ + offset;
  in_block_ = mark % codec::kBlockSize;
}

void PositionReader::Skip(std::uint64_t n) noexcept { in_block_ += n; }

bool PositionReader::Normalize() noexcept {
  while (!damaged_ && block_ != tail_ && in_block_ >= codec::kBlockSize) {
    const std::uint8_t* next = decoded_ == block_ ? decoded_end_ : SkipPatchedBlock(block_, tail_);
    if (next == nullptr) {
      Damage(block_);
      break;
    }
    Reached(next);
    block_ = next;
    in_block_ -= codec::kBlockSize;
  }
  return !damaged_;
}

bool PositionReader::Decode() noexcept {
  const std::uint8_t* after;
  if (block_ == tail_) {
    after = tail_;
    for (std::uint32_t i = 0; i < tail_count_ && after != nullptr; ++i) {
      after = codec::GetVarint(after, end_, &values_[i]);
    }
  } else {
    after = UnpackPatchedBlock(block_, tail_, values_);
  }
  if (after == nullptr) {
    Damage(block_);
    return false;
  }
  decoded_ = block_;
  decoded_end_ = after;
  Reached(after);
  return true;
}

std::size_t PositionReader::Read(std::uint32_t* out, std::size_t n) noexcept {
  std::size_t done = 0;
  while (done < n && Normalize()) {
    const std::uint32_t length = LengthOf(block_);
    if (in_block_ >= length) {  // past the last value
      Damage(block_);
      break;
    }
    const std::size_t take = std::min<std::size_t>(n - done, length - in_block_);
    if (decoded_ != block_) {
      // A posting or two of a block not decoded (the usual case of a phrase
      // whose other terms are rarer): take the values out where they are
      // packed. A second read of the same block decodes it whole.
      if (block_ != tail_ && take <= kMostExtracted && extracted_ != block_) {
        const std::uint8_t* after = SkipPatchedBlock(block_, tail_);
        if (after == nullptr) {
          Damage(block_);
          break;
        }
        Reached(after);
        ExtractPatched(block_, in_block_, take, out + done);
        extracted_ = block_;
        in_block_ += take;
        done += take;
        continue;
      }
      if (!Decode()) break;
    }
    std::memcpy(out + done, values_ + in_block_, take * sizeof(std::uint32_t));
    in_block_ += take;
    done += take;
  }
  return done;
}

std::uint64_t PositionReader::mark() noexcept {
  Normalize();
  return PositionMark(static_cast<std::uint64_t>(block_ - blocks_), in_block_);
}

}  // namespace fathom::format
