#include "common/format/position_blocks.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace fathom::format {

void PackPatchedBlock(const std::uint32_t* values, std::string& out) {
  constexpr std::size_t kN = codec::kBlockSize;
  std::uint32_t count_of_width[33] = {};
  for (std::size_t i = 0; i < kN; ++i) ++count_of_width[std::bit_width(values[i])];
  std::uint32_t max_width = 32;
  while (max_width > 0 && count_of_width[max_width] == 0) --max_width;
  // Bytes of each candidate width: the packed low bits, then per exception
  // one index byte and the varint of its high bits.
  std::uint32_t width = max_width;
  std::uint64_t best = codec::PackedBytes(max_width);
  for (std::uint32_t w = 0; w < max_width; ++w) {
    std::uint64_t bytes = codec::PackedBytes(w);
    for (std::uint32_t k = w + 1; k <= max_width; ++k) {
      bytes += std::uint64_t{count_of_width[k]} * (1 + (k - w + 6) / 7);
    }
    if (bytes < best) {
      best = bytes;
      width = w;
    }
  }
  std::uint32_t low[kN];
  std::uint8_t indexes[kN];
  std::uint32_t highs[kN];
  std::size_t exceptions = 0;
  const std::uint32_t mask = width == 32 ? ~0u : (1u << width) - 1;
  for (std::size_t i = 0; i < kN; ++i) {
    low[i] = values[i] & mask;
    if (width < 32 && (values[i] >> width) != 0) {
      indexes[exceptions] = static_cast<std::uint8_t>(i);
      highs[exceptions++] = values[i] >> width;
    }
  }
  out.push_back(static_cast<char>(width));
  out.push_back(static_cast<char>(exceptions));
  codec::PackBlock(low, width, out);
  out.append(reinterpret_cast<const char*>(indexes), exceptions);
  for (std::size_t e = 0; e < exceptions; ++e) codec::PutVarint(highs[e], out);
}

namespace {
// The header's width and exception count, checked; null when malformed.
const std::uint8_t* BlockHeader(const std::uint8_t* in, const std::uint8_t* end,
                                std::uint32_t* width, std::uint32_t* exceptions) noexcept {
  if (end - in < 2) return nullptr;
  *width = in[0];
  *exceptions = in[1];
  if (*width > 32 || *exceptions > codec::kBlockSize || (*width == 32 && *exceptions > 0)) {
    return nullptr;
  }
  if (static_cast<std::size_t>(end - in - 2) < codec::PackedBytes(*width) + *exceptions) {
    return nullptr;
  }
  return in + 2;
}
}  // namespace

const std::uint8_t* UnpackPatchedBlock(const std::uint8_t* in, const std::uint8_t* end,
                                       std::uint32_t* values) noexcept {
  std::uint32_t width, exceptions;
  const std::uint8_t* packed = BlockHeader(in, end, &width, &exceptions);
  if (packed == nullptr) return nullptr;
  codec::UnpackBlock(packed, width, values);
  const std::uint8_t* indexes = packed + codec::PackedBytes(width);
  const std::uint8_t* p = indexes + exceptions;
  int previous = -1;
  for (std::uint32_t e = 0; e < exceptions; ++e) {
    const int index = indexes[e];
    if (index >= static_cast<int>(codec::kBlockSize) || index <= previous) return nullptr;
    previous = index;
    std::uint32_t high;
    p = codec::GetVarint(p, end, &high);
    if (p == nullptr || high == 0) return nullptr;
    const std::uint64_t value = (std::uint64_t{high} << width) | values[index];
    if (value > UINT32_MAX) return nullptr;
    values[index] = static_cast<std::uint32_t>(value);
  }
  return p;
}

const std::uint8_t* SkipPatchedBlock(const std::uint8_t* in, const std::uint8_t* end) noexcept {
  std::uint32_t width, exceptions;
  const std::uint8_t* packed = BlockHeader(in, end, &width, &exceptions);
  if (packed == nullptr) return nullptr;
  return codec::SkipVarints(packed + codec::PackedBytes(width) + exceptions, end, exceptions);
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
    if (decoded_ != block_ && !Decode()) break;
    const std::size_t take = std::min<std::size_t>(n - done, length - in_block_);
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
