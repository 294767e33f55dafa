// Okapi BM25, the ranking function. The indexer needs it too (block-max
// bounds are BM25 upper bounds), so it lives in common/.
#pragma once

#include <cmath>
#include <cstdint>

#include "common/types.hpp"

namespace fathom {

struct Bm25Params {
  float k1 = 0.9f;  // term-frequency saturation (Anserini's default)
  float b = 0.4f;   // length normalization strength
};

// idf as Lucene computes it: never negative, even for terms in most documents.
inline float Bm25Idf(std::uint64_t doc_count, std::uint64_t doc_freq) {
  const double n = static_cast<double>(doc_count);
  const double df = static_cast<double>(doc_freq);
  return static_cast<float>(std::log(1.0 + (n - df + 0.5) / (df + 0.5)));
}

// Scores one term (or phrase) in one document. Precomputes what depends only
// on the query term and collection, so the per-posting work is one division.
class Bm25Scorer {
 public:
  Bm25Scorer(Bm25Params params, float idf, double average_length)
      : weight_(idf * (params.k1 + 1.0f)),
        k1_(params.k1),
        length_factor_(average_length > 0 ? params.b / static_cast<float>(average_length) : 0.0f),
        base_(params.k1 * (1.0f - params.b)) {}

  Score operator()(std::uint32_t frequency, std::uint32_t length) const noexcept {
    const float tf = static_cast<float>(frequency);
    const float norm = base_ + k1_ * length_factor_ * static_cast<float>(length);
    return weight_ * tf / (tf + norm);
  }

  float weight() const { return weight_; }

 private:
  float weight_;
  float k1_;
  float length_factor_;
  float base_;
};

}  // namespace fathom
