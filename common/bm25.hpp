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

// How BM25F weighs a text field's own stream (Robertson and Zaragoza, "The
// Probabilistic Relevance Framework: BM25 and Beyond", 2009, section 3.6).
struct FieldWeighting {
  float weight = 1.0f;  // a field occurrence counts this many document occurrences
  float b = 0.4f;       // length normalization within the field
  bool operator==(const FieldWeighting&) const = default;
};

// BM25F over two streams of a document: all its words (which include the
// field's) and one field's words. Each stream's frequency is divided by the
// stream's length normalization and weighted; the sum saturates once, so a
// word in the title and the body is not counted as two independent pieces
// of evidence the way two summed BM25 scores would count it. With no
// field occurrence the score is BM25's (in another float order).
class Bm25fScorer {
 public:
  Bm25fScorer(Bm25Params params, float idf, double average_length, FieldWeighting field,
              double average_field_length)
      : weight_(idf * (params.k1 + 1.0f)),
        k1_(params.k1),
        base_(1.0f - params.b),
        length_factor_(average_length > 0 ? params.b / static_cast<float>(average_length) : 0.0f),
        field_weight_(field.weight),
        field_base_(1.0f - field.b),
        field_length_factor_(
            average_field_length > 0 ? field.b / static_cast<float>(average_field_length) : 0.0f) {}

  // The streams' weighted, normalized frequencies summed: BM25F's tf.
  float PseudoFrequency(std::uint32_t frequency, std::uint32_t length,
                        std::uint32_t field_frequency, std::uint32_t field_length) const noexcept {
    float tf =
        static_cast<float>(frequency) / (base_ + length_factor_ * static_cast<float>(length));
    if (field_frequency > 0) {
      tf += field_weight_ * static_cast<float>(field_frequency) / FieldNormalization(field_length);
    }
    return tf;
  }
  // The field stream's length normalization, 1 - b + b · length / average.
  float FieldNormalization(std::uint32_t field_length) const noexcept {
    return field_base_ + field_length_factor_ * static_cast<float>(field_length);
  }
  Score FromPseudoFrequency(float tf) const noexcept { return weight_ * tf / (tf + k1_); }
  Score operator()(std::uint32_t frequency, std::uint32_t length, std::uint32_t field_frequency,
                   std::uint32_t field_length) const noexcept {
    return FromPseudoFrequency(PseudoFrequency(frequency, length, field_frequency, field_length));
  }
  // Bound on the field stream's part where the field frequency is at most
  // max_field_frequency: the field is at least as long as the word's
  // occurrences in it, and f / (base + factor * f) grows with f.
  float FieldPartBound(std::uint32_t max_field_frequency) const noexcept {
    // No field occurrence adds nothing (and with b = 1 the expression
    // below would be 0 / 0).
    if (max_field_frequency == 0) return 0.0f;
    const float f = static_cast<float>(max_field_frequency);
    return field_weight_ * f / (field_base_ + field_length_factor_ * f);
  }
  float weight() const { return weight_; }

 private:
  float weight_;
  float k1_;
  float base_;
  float length_factor_;
  float field_weight_;
  float field_base_;
  float field_length_factor_;
};

}  // namespace fathom
