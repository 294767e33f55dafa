// Values bit-packed at one fixed width, the layout of document lengths
// (`doclens`, `fieldlens`) and of field columns (`fields`): value i takes
// bits [i × width, (i + 1) × width) of the packed bytes, least significant
// bit first, and zero padding follows, so that any value is read with one
// unaligned 8-byte load (two for widths over 56 bits) wherever it sits
// (docs/FORMAT.md). One place for the layout: the writers, the readers and
// `check` share it.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace fathom::format {

// Zero bytes after the packed values that the loads may read.
inline constexpr std::size_t kPackedPadding = 16;

// The fewest bits that hold largest (0 for 0).
inline unsigned BitsFor(std::uint64_t largest) {
  return static_cast<unsigned>(std::bit_width(largest));
}

// Bytes that count values of width bits take: the bits rounded up to whole
// bytes, the padding, rounded up to a multiple of 8.
inline std::size_t PackedBytes(std::uint64_t count, unsigned width) {
  const std::uint64_t bytes = (count * width + 7) / 8 + kPackedPadding;
  return static_cast<std::size_t>((bytes + 7) & ~std::uint64_t{7});
}

// All ones in the low width bits. REQUIRES: width <= 64.
inline std::uint64_t WidthMask(unsigned width) {
  return width >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1;
}

// Value index of the packed bytes. REQUIRES: mask == WidthMask(width);
// packed holds PackedBytes(n, width) bytes for some n > index.
inline std::uint64_t GetPacked(const std::uint8_t* packed, std::uint64_t index, unsigned width,
                               std::uint64_t mask) noexcept {
  const std::uint64_t bit = index * width;
  const std::uint8_t* at = packed + (bit >> 3);
  const unsigned shift = bit & 7;
  std::uint64_t word;
  std::memcpy(&word, at, sizeof word);
  word >>= shift;
  if (shift + width > 64) word |= std::uint64_t{at[8]} << (64 - shift);
  return word & mask;
}

// Sets value index, whose bits must still be zero. REQUIRES: value <=
// WidthMask(width); packed as for GetPacked.
inline void PutPacked(std::uint8_t* packed, std::uint64_t index, unsigned width,
                      std::uint64_t value) noexcept {
  const std::uint64_t bit = index * width;
  std::uint8_t* at = packed + (bit >> 3);
  const unsigned shift = bit & 7;
  std::uint64_t word;
  std::memcpy(&word, at, sizeof word);
  word |= value << shift;
  std::memcpy(at, &word, sizeof word);
  if (shift + width > 64) at[8] |= static_cast<std::uint8_t>(value >> (64 - shift));
}

// Whether every bit after count values of width bits is zero, as the
// writer leaves it: what `check` verifies of the padding.
inline bool PackedPaddingIsZero(const std::uint8_t* packed, std::uint64_t count, unsigned width) {
  const std::uint64_t used_bits = count * width;
  const std::size_t total = PackedBytes(count, width);
  std::size_t byte = static_cast<std::size_t>(used_bits / 8);
  if (used_bits % 8 != 0) {
    if ((packed[byte] >> (used_bits % 8)) != 0) return false;
    ++byte;
  }
  for (; byte < total; ++byte) {
    if (packed[byte] != 0) return false;
  }
  return true;
}

}  // namespace fathom::format
