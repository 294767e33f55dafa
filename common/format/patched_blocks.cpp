#include "common/format/patched_blocks.hpp"

#include <bit>

namespace fathom::format {

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
  const std::size_t bytes = PatchedBlockBytes(width, exceptions);
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

void UnpackPatchedBlockUnchecked(const std::uint8_t* in, std::uint32_t* values) noexcept {
  const std::uint32_t width = in[0];
  const std::uint32_t exceptions = in[1];
  codec::UnpackBlock(in + 2, width, values);
  const std::uint8_t* indexes = in + 2 + codec::PackedBytes(width);
  const std::uint8_t* highs = indexes + exceptions;
  // SkipPatchedBlock refused exceptions at width 32, so the shift is defined.
  for (std::uint32_t e = 0; e < exceptions; ++e) {
    values[indexes[e] % codec::kBlockSize] |= static_cast<std::uint32_t>(highs[e]) << width;
  }
}

}  // namespace fathom::format
