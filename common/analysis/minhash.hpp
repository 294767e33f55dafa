// MinHash sketches for near-duplicate detection (Broder 1997), with b-bit
// values (Li and König 2010) to keep them small.
//
// A document is the set of its overlapping 3-term shingles. Its sketch keeps,
// for each of kMinHashes hash functions, the smallest hash over the shingles
// (low 16 bits stored), plus the number of shingles. The fraction of equal
// sketch values estimates the Jaccard similarity J of two shingle sets, and
// with the set sizes, the containment of the smaller set in the larger:
// |A ∩ B| = J (|A| + |B|) / (1 + J). Containment, not Jaccard, is what makes
// "the same article plus a page of ads" a near copy.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace fathom {

inline constexpr std::size_t kMinHashes = 32;

struct MinHashSketch {
  std::uint32_t shingles = 0;  // 0: too short to judge
  std::array<std::uint16_t, kMinHashes> values{};
};

// Bytes of one sketch on disk: u32 shingle count, then the u16 values.
inline constexpr std::size_t kSketchBytes = 4 + 2 * kMinHashes;

// Documents with fewer shingles get no sketch: short texts share shingles by
// chance, and a two-line note is not "a copy" of anything.
inline constexpr std::uint32_t kMinShingles = 16;
// Near duplicates: at least this share of the smaller document's shingles
// appear in the larger one...
inline constexpr double kMinContainment = 0.8;
// ...and at least this many sketch values agree (J >= 1/4, so the larger is
// at most about four times the smaller: a quotation in a long text is not a
// copy of it).
inline constexpr std::size_t kMinAgreeingValues = 8;

class MinHasher {
 public:
  MinHasher();
  // Feeds the next term of the document, in order.
  void Add(std::string_view term);
  // The sketch; resets for the next document.
  MinHashSketch Finish();

 private:
  std::array<std::uint64_t, kMinHashes> minima_;
  std::uint64_t previous_[2] = {0, 0};
  std::uint32_t terms_ = 0;
  std::uint32_t shingles_ = 0;
};

// Estimated containment of the smaller document's shingles in the larger's,
// in [0, 1]; 0 when either has no sketch.
double EstimatedContainment(const MinHashSketch& a, const MinHashSketch& b);
bool AreNearDuplicates(const MinHashSketch& a, const MinHashSketch& b);

}  // namespace fathom
