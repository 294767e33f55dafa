// Intersecting two decoded blocks of doc ids (PostingCursor::block_docs).
//
// A scalar merge takes one branch per id whose direction is random on lists
// of similar density, so most of its time is mispredictions. Four ids of
// each run are compared all against all instead (Schlegel, Willhalm and
// Lehner 2011; Lemire, Boytsov and Kurz's "SIMD Compression and the
// Intersection of Sorted Integers", 2016), with one data-dependent step per
// four ids: whichever quad ends first is done.
#pragma once

#include <cstddef>
#include <cstdint>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace fathom::eval {

// Counts the ids common to a[i, a_size) and b[j, b_size), both strictly
// increasing, and with kWrite writes them to out in increasing order.
// Advances i and j until one run is used up (i == a_size or j == b_size).
// No id left in the other run is an uncounted id of the used-up run, so the
// caller moves to the used-up list's next block and seeks the other to it.
// Without kWrite, out is not used (it may be null). With kWrite, out has
// room for a_size - i ids and overlaps neither run (a quad of a is read
// again after ids are written when only b's quad advances).
template <bool kWrite>
std::size_t IntersectBlocks(const std::uint32_t* a, std::size_t& i, std::size_t a_size,
                            const std::uint32_t* b, std::size_t& j, std::size_t b_size,
                            std::uint32_t* out) noexcept {
  std::size_t found = 0;
#ifdef __SSE2__
  // Every id written is a's, and at most one per id of a read so far: out
  // is written below a_size - i (at entry) even with four stores a step.
  while (i + 4 <= a_size && j + 4 <= b_size) {
    const __m128i quad_a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i));
    const __m128i quad_b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + j));
    __m128i equal = _mm_cmpeq_epi32(quad_a, quad_b);
    equal = _mm_or_si128(
        equal, _mm_cmpeq_epi32(quad_a, _mm_shuffle_epi32(quad_b, _MM_SHUFFLE(0, 3, 2, 1))));
    equal = _mm_or_si128(
        equal, _mm_cmpeq_epi32(quad_a, _mm_shuffle_epi32(quad_b, _MM_SHUFFLE(1, 0, 3, 2))));
    equal = _mm_or_si128(
        equal, _mm_cmpeq_epi32(quad_a, _mm_shuffle_epi32(quad_b, _MM_SHUFFLE(2, 1, 0, 3))));
    const unsigned in_b = static_cast<unsigned>(_mm_movemask_ps(_mm_castsi128_ps(equal)));
    if constexpr (kWrite) {
      for (unsigned k = 0; k < 4; ++k) {
        out[found] = a[i + k];
        found += (in_b >> k) & 1u;
      }
    } else {
      constexpr std::uint32_t kBitsIn = 0x3221'2110;  // bits set in 0..7, 4 bits each
      found += ((kBitsIn >> (4 * (in_b & 7u))) & 0xFu) + (in_b >> 3);
    }
    // A quad whose last id is not above the other's has met every id of
    // the other run it can equal.
    // Which one is random on lists of similar density: the steps are
    // computed as numbers, not taken as branches.
    const std::uint32_t a_last = a[i + 3], b_last = b[j + 3];
    const std::size_t a_done = a_last <= b_last, b_done = b_last <= a_last;
    i += 4 * a_done;
    j += 4 * b_done;
  }
#endif
  while (i < a_size && j < b_size) {
    const std::uint32_t x = a[i], y = b[j];
    if constexpr (kWrite) out[found] = x;
    found += x == y ? 1 : 0;
    i += x <= y ? 1 : 0;
    j += y <= x ? 1 : 0;
  }
  return found;
}

}  // namespace fathom::eval
