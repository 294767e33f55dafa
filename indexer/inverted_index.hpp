// The in-memory inverted index a worker fills while analyzing documents: for
// every term, its documents, frequencies and positions, in document order.
// When it outgrows its share of the memory budget it is written out as a
// sorted run (indexer/posting_run.hpp) and cleared.
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

// What the segment keeps of a document besides its postings.
struct DocumentSummary {
  std::uint32_t length = 0;  // words indexed (field terms not counted)
  MinHashSketch sketch;
};

class InvertedIndex {
 public:
  struct TermPostings {
    std::vector<DocId> docs;
    std::vector<std::uint32_t> frequencies;
    // Per posting, `frequency` varints: first position, then gaps.
    std::string positions;
    std::uint32_t last_position = 0;  // of the current document, for gaps
  };

  explicit InvertedIndex(Analyzer& analyzer) : analyzer_(analyzer) {}

  // Analyzes a document. Ids must increase from one call to the next (they
  // need not be consecutive: workers take turns at batches of documents).
  // Title words are also indexed as field terms (common/fields.hpp), which
  // do not count in the length.
  DocumentSummary AddDocument(DocId doc, std::string_view title, std::string_view body);

  bool empty() const { return terms_.empty(); }
  std::size_t term_count() const { return terms_.size(); }
  std::uint64_t posting_count() const { return posting_count_; }
  // Estimated heap bytes held, counting the slack of growing containers:
  // what the memory budget is checked against.
  std::uint64_t memory_bytes() const { return memory_bytes_; }

  // Terms in byte order with their postings, for writing a run.
  std::vector<std::pair<std::string_view, const TermPostings*>> SortedTerms() const;
  // Frees everything, for the next run.
  void Clear();

 private:
  void AddPosting(const std::string& term, DocId doc, std::uint32_t position);

  Analyzer& analyzer_;
  std::unordered_map<std::string, TermPostings> terms_;
  MinHasher min_hasher_;
  std::uint64_t posting_count_ = 0;
  std::uint64_t memory_bytes_ = 0;
  Token token_;
};

}  // namespace fathom
