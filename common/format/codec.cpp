#include "common/format/codec.hpp"

#include <array>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace fathom::codec {
namespace {

constexpr std::size_t kLanes = 4;
constexpr std::size_t kPerLane = kBlockSize / kLanes;  // 32 values per lane

template <std::uint32_t kWidth>
void Unpack(const std::uint32_t* in, std::uint32_t* out) noexcept {
  if constexpr (kWidth == 0) {
    std::memset(out, 0, kBlockSize * sizeof(std::uint32_t));
  } else {
    constexpr std::uint32_t kMask = kWidth == 32 ? ~0u : (1u << kWidth) - 1;
    for (std::size_t j = 0; j < kPerLane; ++j) {
      const std::size_t bit = j * kWidth;
      const std::size_t word = bit / 32;
      const std::size_t shift = bit % 32;
      for (std::size_t lane = 0; lane < kLanes; ++lane) {
        std::uint32_t v = in[word * kLanes + lane] >> shift;
        if (shift + kWidth > 32) v |= in[(word + 1) * kLanes + lane] << (32 - shift);
        out[j * kLanes + lane] = v & kMask;
      }
    }
  }
}

using UnpackFn = void (*)(const std::uint32_t*, std::uint32_t*) noexcept;

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
  // Copy to aligned words first: blocks sit at arbitrary byte offsets.
  alignas(64) std::uint32_t words[kBlockSize];
  std::memcpy(words, in, PackedBytes(width));
  kUnpackers[width](words, values);
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

void PrefixSum(std::uint32_t* values, std::size_t n, std::uint32_t base) noexcept {
  std::size_t i = 0;
#ifdef __SSE2__
  __m128i carry = _mm_set1_epi32(static_cast<int>(base));
  for (; i + 4 <= n; i += 4) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(values + i));
    v = _mm_add_epi32(v, _mm_slli_si128(v, 4));
    v = _mm_add_epi32(v, _mm_slli_si128(v, 8));
    v = _mm_add_epi32(v, carry);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(values + i), v);
    carry = _mm_shuffle_epi32(v, 0xFF);  // broadcast the last sum
  }
  base = i > 0 ? values[i - 1] : base;
#endif
  for (; i < n; ++i) values[i] = base += values[i];
}

}  // namespace fathom::codec
