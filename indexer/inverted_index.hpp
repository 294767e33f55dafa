// The in-memory inverted index built while reading the corpus: for every
// term, its documents, frequencies and positions, in document order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/analyzer.hpp"
#include "common/minhash.hpp"
#include "common/types.hpp"

namespace fathom {

// Positions of consecutive fields of one document are this far apart, so a
// phrase never matches across the end of the title and the start of the body.
inline constexpr std::uint32_t kFieldPositionGap = 100;

class InvertedIndex {
 public:
  struct TermPostings {
    std::vector<DocId> docs;
    std::vector<std::uint32_t> frequencies;
    // Per posting, `frequency` varints: first position, then gaps.
    std::string positions;
    std::uint64_t collection_frequency = 0;
    std::uint32_t last_position = 0;  // of the current document, for gaps
  };

  explicit InvertedIndex(Analyzer& analyzer) : analyzer_(analyzer) {}

  // Analyzes the next document (ids are assigned 0, 1, 2...) and returns its
  // length: the number of words indexed. Title words are also indexed as
  // field terms (common/fields.hpp), which do not count in the length.
  std::uint32_t AddDocument(std::string_view title, std::string_view body);

  std::uint64_t document_count() const { return lengths_.size(); }
  std::uint64_t total_length() const { return total_length_; }
  std::uint64_t posting_count() const { return posting_count_; }
  const std::vector<std::uint32_t>& lengths() const { return lengths_; }
  // MinHash sketch of each document's shingles.
  const std::vector<MinHashSketch>& sketches() const { return sketches_; }
  std::size_t term_count() const { return terms_.size(); }

  // Terms in byte order with their postings, for the segment writer.
  std::vector<std::pair<std::string_view, const TermPostings*>> SortedTerms() const;

 private:
  void AddPosting(const std::string& term, DocId doc, std::uint32_t position);

  Analyzer& analyzer_;
  std::unordered_map<std::string, TermPostings> terms_;
  std::vector<std::uint32_t> lengths_;
  std::vector<MinHashSketch> sketches_;
  MinHasher min_hasher_;
  std::uint64_t total_length_ = 0;
  std::uint64_t posting_count_ = 0;
  Token token_;
};

}  // namespace fathom
