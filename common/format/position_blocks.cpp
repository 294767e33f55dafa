#include "common/format/position_blocks.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "common/format/format.hpp"

namespace fathom::format {

namespace {
constexpr std::size_t kMostExtracted = 4;
}

void PackPatchedBlock(const std::uint32_t* values, std::string& out) {
  constexpr std::size_t kN = codec::kBlockSize;
  std::uint32_t count_of_width[33] = {};
  for (std::size_t i = 0; i < kN; ++i) ++count_of_width[std::bit_width(values[i])];
  std::uint32_t max_width = 32;
  while (max_width > 0 && count_of_width[max_width] == 0) --max_width;
  // Bytes of each candidate width: the packed low bits, then two bytes per
  // exception (its index and its high bits, at most 8 of them).
  std::uint32_t width = max_width;
  std::uint64_t best = codec::PackedBytes(max_width);
  std::uint64_t exceptions_above = 0;  // values wider than w
  for (std::uint32_t w = max_width; w-- > 0 && max_width - w <= kMaxExceptionBits;) {
    exceptions_above += count_of_width[w + 1];
    const std::uint64_t bytes = codec::PackedBytes(w) + 2 * exceptions_above;
    if (bytes <= best) {
      best = bytes;
      width = w;
    }
  }
  std::uint32_t low[kN];
  char exceptions[2 * kN];
  std::size_t count = 0;
  const std::uint32_t mask = width == 32 ? ~0u : (1u << width) - 1;
  for (std::size_t i = 0; i < kN; ++i) {
    low[i] = values[i] & mask;
    if (width < 32 && (values[i] >> width) != 0) {
      exceptions[count] = static_cast<char>(i);
      exceptions[kN + count++] = static_cast<char>(values[i] >> width);
    }
  }
  out.push_back(static_cast<char>(width));
  out.push_back(static_cast<char>(count));
  codec::PackBlock(low, width, out);
  out.append(exceptions, count);
  out.append(exceptions + kN, count);
}

const std::uint8_t* UnpackPatchedBlock(const std::uint8_t* in, const std::uint8_t* end,
                                       std::uint32_t* values) noexcept {
  const std::uint8_t* after = SkipPatchedBlock(in, end);
  if (after == nullptr) return nullptr;
  const std::uint32_t width = in[0];
  const std::uint32_t exceptions = in[1];
  codec::UnpackBlock(in + 2, width, values);
  const std::uint8_t* indexes = in + 2 + codec::PackedBytes(width);
  const std::uint8_t* highs = indexes + exceptions;
  int previous = -1;
  for (std::uint32_t e = 0; e < exceptions; ++e) {
    const int index = indexes[e];
    if (index >= static_cast<int>(codec::kBlockSize) || index <= previous || highs[e] == 0 ||
        (width > 24 && (highs[e] >> (32 - width)) != 0)) {  // over 32 bits
      return nullptr;
    }
    previous = index;
    values[index] |= static_cast<std::uint32_t>(highs[e]) << width;
  }
  return after;
}

const std::uint8_t* SkipPatchedBlock(const std::uint8_t* in, const std::uint8_t* end) noexcept {
  if (end - in < 2) return nullptr;
  const std::uint32_t width = in[0];
  const std::uint32_t exceptions = in[1];
  if (width > 32 || exceptions > codec::kBlockSize || (exceptions > 0 && width == 32)) {
    return nullptr;
  }
  const std::size_t bytes = 2 + codec::PackedBytes(width) + 2 * std::size_t{exceptions};
  if (static_cast<std::size_t>(end - in) < bytes) return nullptr;
  return in + bytes;
}

void ExtractPatched(const std::uint8_t* block, std::uint64_t first, std::size_t n,
                    std::uint32_t* out) noexcept {
  const std::uint32_t width = block[0];
  const std::uint32_t exceptions = block[1];
  const std::uint8_t* packed = block + 2;
  codec::UnpackValues(packed, width, first, n, out);
  const std::uint8_t* indexes = packed + codec::PackedBytes(width);
  for (std::uint32_t e = 0; e < exceptions; ++e) {
    const std::uint64_t index = indexes[e];
    if (index >= first && index < first + n) {
      out[index - first] |= static_cast<std::uint32_t>(indexes[exceptions + e]) << width;
    }
  }
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
      block_(begin) {
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
  }
}

void PositionReader::Damage(const std::uint8_t* at) noexcept {
  if (!damaged_) damage_at_ = at;
  damaged_ = true;
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
        if (SkipPatchedBlock(block_, tail_) == nullptr) {
          Damage(block_);
          break;
        }
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
