// The in-memory inverted index a worker fills while analyzing documents: for
// every term, its documents, frequencies and positions, in document order.
// When it outgrows its share of the memory budget it is written out as a
// sorted run (indexer/write/posting_run.hpp) and cleared.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "common/analysis/analyzer.hpp"
#include "common/analysis/field_values.hpp"
#include "common/analysis/minhash.hpp"
#include "common/types.hpp"

namespace fathom {

// What the segment keeps of a document besides its postings.
struct DocumentSummary {
  std::uint32_t length = 0;        // words indexed (field terms not counted)
  std::uint32_t title_length = 0;  // of them, the title's (fieldlens)
  MinHashSketch sketch;
  std::vector<FieldValue> fields;  // typed values, by name (field_values.hpp)
};

class InvertedIndex {
 public:
  struct TermPostings {
    // What every token of the term touches comes first, in one cache line;
    // the lists grow only once per document (docs, frequencies) or are
    // written at their end (positions).
    std::string term;
    DocId last_doc = kEndDoc;
    std::uint32_t last_position = 0;  // of the current document, for gaps
    std::vector<DocId> docs;
    std::vector<std::uint32_t> frequencies;
    // Per posting, `frequency` varints: first position, then gaps.
    std::string positions;
  };

  explicit InvertedIndex(Analyzer& analyzer) : analyzer_(analyzer) {}

  // Analyzes a document. Ids must increase from one call to the next (they
  // need not be consecutive: workers take turns at batches of documents).
  // Title words are also indexed as field terms (common/analysis/fields.hpp), which
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
  // A document's terms are gathered first and then inverted with the hash
  // table's slots and records prefetched a few terms ahead: with a large
  // vocabulary nearly every look-up misses the cache, and this overlaps the
  // misses instead of waiting on each in turn.
  struct PendingTerm {
    std::uint32_t offset, length;  // in pending_bytes_
    std::uint32_t position;
    std::uint64_t hash;
  };
  void AddPending(std::string_view term, std::uint32_t position);
  void InvertPending(DocId doc);
  void AddPosting(std::string_view term, std::uint64_t hash, DocId doc, std::uint32_t position);
  TermPostings& Find(std::string_view term, std::uint64_t hash);
  void Grow(std::size_t at_least);

  Analyzer& analyzer_;
  // Open addressing, linear probing: a slot holds the term's hash (high 32
  // bits) and 1 + its index in terms_ (low 32 bits), 0 when empty. Probing
  // compares hashes in one array before touching any term, and a deque
  // never moves its terms as it grows (no transient doubling).
  std::vector<std::uint64_t> slots_;
  std::deque<TermPostings> terms_;
  std::vector<PendingTerm> pending_;
  std::string pending_bytes_;
  MinHasher min_hasher_;
  std::uint64_t posting_count_ = 0;
  std::uint64_t memory_bytes_ = 0;
  Token token_;
};

}  // namespace fathom
