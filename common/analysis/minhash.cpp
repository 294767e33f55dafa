#include "common/analysis/minhash.hpp"

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <limits>

namespace fathom {
namespace {

// Order-sensitive mix of a shingle's three term hashes.
std::uint64_t ShingleHash(std::uint64_t first, std::uint64_t second, std::uint64_t third) {
  std::uint64_t h = first * 0x9E3779B97F4A7C15ull;
  h = (h ^ std::rotl(second, 21)) * 0xC2B2AE3D27D4EB4Full;
  h = (h ^ std::rotl(third, 42)) * 0x165667B19E3779F9ull;
  return h ^ (h >> 29);
}

// The i-th hash function: an odd multiplier and an offset per function, then
// a final mix (multiply-shift families are nearly min-wise independent for
// well-mixed inputs, and this costs two multiplications per value).
struct HashFamily {
  std::array<std::uint64_t, kMinHashes> multipliers;
  std::array<std::uint64_t, kMinHashes> offsets;
  HashFamily() {
    std::uint64_t state = 0x243F6A8885A308D3ull;  // fixed: sketches must be stable
    const auto next = [&] {
      state += 0x9E3779B97F4A7C15ull;
      std::uint64_t z = state;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      return z ^ (z >> 31);
    };
    for (std::size_t i = 0; i < kMinHashes; ++i) {
      multipliers[i] = next() | 1;
      offsets[i] = next();
    }
  }
};
const HashFamily kFamily;

}  // namespace

MinHasher::MinHasher() { minima_.fill(std::numeric_limits<std::uint64_t>::max()); }

void MinHasher::Add(std::string_view term) {
  const std::uint64_t hash = XXH3_64bits(term.data(), term.size());
  if (terms_ >= 2) {
    const std::uint64_t shingle = ShingleHash(previous_[0], previous_[1], hash);
    for (std::size_t i = 0; i < kMinHashes; ++i) {
      std::uint64_t h = shingle * kFamily.multipliers[i] + kFamily.offsets[i];
      h ^= h >> 32;
      minima_[i] = std::min(minima_[i], h);
    }
    ++shingles_;
  }
  previous_[0] = previous_[1];
  previous_[1] = hash;
  ++terms_;
}

MinHashSketch MinHasher::Finish() {
  MinHashSketch sketch;
  if (shingles_ >= kMinShingles) {
    sketch.shingles = shingles_;
    for (std::size_t i = 0; i < kMinHashes; ++i) {
      sketch.values[i] = static_cast<std::uint16_t>(minima_[i]);
    }
  }
  minima_.fill(std::numeric_limits<std::uint64_t>::max());
  terms_ = 0;
  shingles_ = 0;
  return sketch;
}

double EstimatedContainment(const MinHashSketch& a, const MinHashSketch& b) {
  if (a.shingles == 0 || b.shingles == 0) return 0;
  std::size_t equal = 0;
  for (std::size_t i = 0; i < kMinHashes; ++i) equal += a.values[i] == b.values[i];
  if (equal < kMinAgreeingValues) return 0;
  const double jaccard = static_cast<double>(equal) / kMinHashes;
  const double intersection =
      jaccard * (static_cast<double>(a.shingles) + b.shingles) / (1 + jaccard);
  return std::min(1.0, intersection / std::min(a.shingles, b.shingles));
}

bool AreNearDuplicates(const MinHashSketch& a, const MinHashSketch& b) {
  return EstimatedContainment(a, b) >= kMinContainment;
}

}  // namespace fathom
