// Integer codecs for posting lists.
//
// Full blocks of 128 values are bit-packed with one width per block in a
// 4-lane interleaved layout: value i lives in lane i % 4, and each lane's 32
// values form their own little-endian bit stream whose 32-bit words are
// interleaved across the lanes. Unpacking then works on four independent
// lanes at once: one SSE2 register holds a row of four consecutive values
// (the layout of SIMD-BP128, Lemire and Boytsov 2015). Partial blocks and
// small headers use LEB128 varints.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace fathom::codec {

inline constexpr std::size_t kBlockSize = 128;

// Bytes a packed block of the given bit width occupies.
constexpr std::size_t PackedBytes(std::uint32_t width) { return 16 * width; }

// Smallest width (0..32) that holds every one of the n values.
std::uint32_t MaxBitWidth(const std::uint32_t* values, std::size_t n) noexcept;

// Appends 128 values, each < 2^width, packed into PackedBytes(width) bytes.
// REQUIRES: width >= MaxBitWidth(values, 128).
void PackBlock(const std::uint32_t* values, std::uint32_t width, std::string& out);

// Reads PackedBytes(width) bytes from in (any alignment) into 128 values.
// REQUIRES: width <= 32.
void UnpackBlock(const std::uint8_t* in, std::uint32_t width, std::uint32_t* values) noexcept;

// Values [first, first + n) of a block packed at width, without unpacking
// the others: value i is lane i % 4's value i / 4 (the layout above).
// REQUIRES: width <= 32, first + n <= kBlockSize, PackedBytes(width)
// bytes at in.
void UnpackValues(const std::uint8_t* in, std::uint32_t width, std::size_t first, std::size_t n,
                  std::uint32_t* values) noexcept;

// Longest varint encoding of a 32-bit value.
inline constexpr std::size_t kMaxVarintBytes = 5;

inline void PutVarint(std::uint64_t value, std::string& out) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// Decodes a varint of at most 32 bits from [in, end). Returns the byte after
// it, or nullptr when the bytes run out or the value does not fit.
inline const std::uint8_t* GetVarint(const std::uint8_t* in, const std::uint8_t* end,
                                     std::uint32_t* value) noexcept {
  std::uint32_t result = 0;
  for (unsigned shift = 0; shift < 35 && in < end; shift += 7) {
    const std::uint8_t byte = *in++;
    if (shift == 28 && byte > 0x0F) return nullptr;
    result |= static_cast<std::uint32_t>(byte & 0x7F) << shift;
    if (byte < 0x80) {
      *value = result;
      return in;
    }
  }
  return nullptr;
}

// Decodes a varint of at most 64 bits from [in, end). Returns the byte after
// it, or nullptr when the bytes run out or the value does not fit.
inline const std::uint8_t* GetVarint64(const std::uint8_t* in, const std::uint8_t* end,
                                       std::uint64_t* value) noexcept {
  std::uint64_t result = 0;
  for (unsigned shift = 0; shift < 70 && in < end; shift += 7) {
    const std::uint8_t byte = *in++;
    if (shift == 63 && byte > 0x01) return nullptr;
    result |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
    if (byte < 0x80) {
      *value = result;
      return in;
    }
  }
  return nullptr;
}

// Unchecked decode for data already validated. REQUIRES: a well-formed varint.
inline const std::uint8_t* GetVarintUnchecked(const std::uint8_t* in,
                                              std::uint32_t* value) noexcept {
  std::uint32_t result = *in & 0x7F;
  unsigned shift = 7;
  while (*in++ >= 0x80) {
    result |= static_cast<std::uint32_t>(*in & 0x7F) << shift;
    shift += 7;
  }
  *value = result;
  return in;
}

// values[i] = base + values[0] + ... + values[i] modulo 2^32 (doc gaps to doc
// ids), four lanes at a time where SSE2 is available (every x86-64 CPU).
// Returns whether every gap from index first_checked (0 or 1) on is
// positive: the ids then increase unless a sum wrapped, which the caller
// rules out from the gaps' widths or their 64-bit total.
bool PrefixSum(std::uint32_t* values, std::size_t n, std::uint32_t base,
               std::size_t first_checked) noexcept;

// Skips n varints in [in, end) by counting their last bytes (high bit
// clear), eight bytes at a time. Returns the byte after the n-th, or nullptr
// when fewer than n end before `end`.
inline const std::uint8_t* SkipVarints(const std::uint8_t* in, const std::uint8_t* end,
                                       std::uint64_t n) noexcept {
  constexpr std::uint64_t kHighBits = 0x8080808080808080ull;
  while (end - in >= 8) {
    std::uint64_t word;
    std::memcpy(&word, in, 8);
    // Popcount of the eight high bits by a multiply: portable builds have
    // no popcnt instruction, and the libgcc call is several times slower.
    const std::uint64_t ends = (((~word & kHighBits) >> 7) * 0x0101010101010101ull) >> 56;
    // The word may end inside the next varint: finish byte by byte.
    if (ends >= n) break;
    n -= ends;
    in += 8;
  }
  for (; n > 0; ++in) {
    if (in == end) return nullptr;
    if (*in < 0x80) --n;
  }
  return in;
}

}  // namespace fathom::codec
