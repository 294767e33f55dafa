#include "common/format/codec.hpp"

#include <array>
#include <cstring>
#include <utility>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace fathom::codec {
namespace {

constexpr std::size_t kLanes = 4;
constexpr std::size_t kPerLane = kBlockSize / kLanes;  // 32 values per lane

#ifdef __SSE2__
// Value row j (values 4j..4j+3, one per lane) of a block at kWidth bits:
// with j a constant, every shift is an immediate and the row is stored
// whole, so a prefix sum that loads it next forwards from the store.
template <std::uint32_t kWidth, std::size_t kRow>
inline void UnpackRow(const std::uint8_t* in, __m128i* out, __m128i mask) noexcept {
  constexpr std::size_t kBit = kRow * kWidth;
  constexpr std::size_t kWord = kBit / 32;
  constexpr std::size_t kShift = kBit % 32;
  const auto* words = reinterpret_cast<const __m128i*>(in);
  __m128i row = _mm_srli_epi32(_mm_loadu_si128(words + kWord), static_cast<int>(kShift));
  if constexpr (kShift + kWidth > 32) {
    row = _mm_or_si128(
        row, _mm_slli_epi32(_mm_loadu_si128(words + kWord + 1), static_cast<int>(32 - kShift)));
  }
  if constexpr (kWidth < 32) row = _mm_and_si128(row, mask);
  _mm_storeu_si128(out + kRow, row);
}

template <std::uint32_t kWidth, std::size_t... kRows>
inline void UnpackRows(const std::uint8_t* in, std::uint32_t* out,
                       std::index_sequence<kRows...>) noexcept {
  const __m128i mask = _mm_set1_epi32(static_cast<int>(kWidth == 32 ? ~0u : (1u << kWidth) - 1));
  (UnpackRow<kWidth, kRows>(in, reinterpret_cast<__m128i*>(out), mask), ...);
}
#endif

// in holds PackedBytes(kWidth) bytes at any alignment.
template <std::uint32_t kWidth>
void Unpack(const std::uint8_t* in, std::uint32_t* out) noexcept {
  if constexpr (kWidth == 0) {
    std::memset(out, 0, kBlockSize * sizeof(std::uint32_t));
  } else {
#ifdef __SSE2__
    UnpackRows<kWidth>(in, out, std::make_index_sequence<kPerLane>{});
#else
    constexpr std::uint32_t kMask = kWidth == 32 ? ~0u : (1u << kWidth) - 1;
    std::uint32_t words[kBlockSize];
    std::memcpy(words, in, PackedBytes(kWidth));  // little-endian host
    for (std::size_t j = 0; j < kPerLane; ++j) {
      const std::size_t bit = j * kWidth;
      const std::size_t word = bit / 32;
      const std::size_t shift = bit % 32;
      for (std::size_t lane = 0; lane < kLanes; ++lane) {
        std::uint32_t v = words[word * kLanes + lane] >> shift;
        if (shift + kWidth > 32) v |= words[(word + 1) * kLanes + lane] << (32 - shift);
        out[j * kLanes + lane] = v & kMask;
      }
    }
#endif
  }
}

using UnpackFn = void (*)(const std::uint8_t*, std::uint32_t*) noexcept;

template <std::size_t... kWidths>
constexpr std::array<UnpackFn, sizeof...(kWidths)> MakeUnpackers(std::index_sequence<kWidths...>) {
  return {&Unpack<static_cast<std::uint32_t>(kWidths)>...};
}

constexpr auto kUnpackers = MakeUnpackers(std::make_index_sequence<33>{});

}  // namespace

std::uint32_t MaxBitWidth(const std::uint32_t* values, std::size_t n) noexcept {
  std::uint32_t all = 0;
  for (std::size_t i = 0; i < n; ++i) all |= values[i];
  return all == 0 ? 0 : 32 - static_cast<std::uint32_t>(__builtin_clz(all));
}

void PackBlock(const std::uint32_t* values, std::uint32_t width, std::string& out) {
  std::array<std::uint32_t, kBlockSize> words{};
  for (std::size_t j = 0; j < kPerLane; ++j) {
    const std::size_t bit = j * width;
    const std::size_t word = bit / 32;
    const std::size_t shift = bit % 32;
    for (std::size_t lane = 0; lane < kLanes; ++lane) {
      const std::uint32_t v = values[j * kLanes + lane];
      words[word * kLanes + lane] |= v << shift;
      if (shift + width > 32) words[(word + 1) * kLanes + lane] |= v >> (32 - shift);
    }
  }
  const std::size_t bytes = PackedBytes(width);
  const std::size_t start = out.size();
  out.resize(start + bytes);
  std::memcpy(out.data() + start, words.data(), bytes);  // little-endian host
}

void UnpackBlock(const std::uint8_t* in, std::uint32_t width, std::uint32_t* values) noexcept {
  kUnpackers[width](in, values);
}

void UnpackValues(const std::uint8_t* in, std::uint32_t width, std::size_t first, std::size_t n,
                  std::uint32_t* values) noexcept {
  if (width == 0) {
    std::memset(values, 0, n * sizeof(std::uint32_t));
    return;
  }
  const std::uint64_t mask = width == 32 ? ~0u : (1u << width) - 1;
  const auto word_at = [in](std::size_t word, std::size_t lane) {
    std::uint32_t value;
    std::memcpy(&value, in + 4 * (word * kLanes + lane), 4);
    return std::uint64_t{value};
  };
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t lane = (first + k) % kLanes;
    const std::size_t bit = (first + k) / kLanes * width;
    const std::size_t word = bit / 32, shift = bit % 32;
    std::uint64_t value = word_at(word, lane) >> shift;
    if (shift + width > 32) value |= word_at(word + 1, lane) << (32 - shift);
    values[k] = static_cast<std::uint32_t>(value & mask);
  }
}

bool PrefixSum(std::uint32_t* values, std::size_t n, std::uint32_t base,
               std::size_t first_checked) noexcept {
  std::size_t i = 0;
  bool zero_gap = false;
#ifdef __SSE2__
  // Two rows at a time: each row's sums within itself and the second's
  // share of the first are independent of the carry, so the loop-carried
  // chain (add the carry, broadcast the last sum) is taken once per eight
  // values instead of once per four.
  const __m128i zero = _mm_setzero_si128();
  __m128i carry = _mm_set1_epi32(static_cast<int>(base));
  __m128i zero_lanes = zero;
  // Lane 0 of the first row made nonzero for the check when it is exempt.
  __m128i exempt = _mm_cvtsi32_si128(first_checked > 0 ? 1 : 0);
  const auto row_sums = [](__m128i v) {
    v = _mm_add_epi32(v, _mm_slli_si128(v, 4));
    return _mm_add_epi32(v, _mm_slli_si128(v, 8));
  };
  for (; i + 8 <= n; i += 8) {
    auto* at = reinterpret_cast<__m128i*>(values + i);
    const __m128i first = _mm_loadu_si128(at);
    const __m128i second = _mm_loadu_si128(at + 1);
    zero_lanes = _mm_or_si128(zero_lanes, _mm_cmpeq_epi32(_mm_or_si128(first, exempt), zero));
    zero_lanes = _mm_or_si128(zero_lanes, _mm_cmpeq_epi32(second, zero));
    exempt = zero;
    const __m128i first_sums = row_sums(first);
    const __m128i second_sums =
        _mm_add_epi32(row_sums(second), _mm_shuffle_epi32(first_sums, 0xFF));
    _mm_storeu_si128(at, _mm_add_epi32(first_sums, carry));
    const __m128i second_out = _mm_add_epi32(second_sums, carry);
    _mm_storeu_si128(at + 1, second_out);
    carry = _mm_shuffle_epi32(second_out, 0xFF);  // broadcast the last sum
  }
  zero_gap = _mm_movemask_epi8(zero_lanes) != 0;
  base = i > 0 ? values[i - 1] : base;
#endif
  for (; i < n; ++i) {
    zero_gap |= values[i] == 0 && i >= first_checked;
    values[i] = base += values[i];
  }
  return !zero_gap;
}

}  // namespace fathom::codec
