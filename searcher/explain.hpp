// Explain: why a document scores what it does for a query, clause by clause.
#pragma once

#include <ostream>
#include <vector>

#include "common/bm25.hpp"
#include "common/index_snapshot.hpp"
#include "searcher/query.hpp"

namespace fathom {

struct ClauseExplanation {
  QueryClause clause;
  bool matched = false;
  std::uint32_t frequency = 0;           // term frequency, or occurrences of the phrase
  std::uint64_t document_frequency = 0;  // of a term; for a phrase, of its rarest term
  float idf = 0;                         // a phrase's is the sum of its terms'
  float length_norm = 0;                 // k1 · (1 - b + b · length / average length)
  Score contribution = 0;                // weight · idf · tf (k1 + 1) / (tf + length_norm)
};

struct Explanation {
  DocId doc = 0;
  std::uint32_t length = 0;
  double average_length = 0;
  Bm25Params params;
  bool matches = false;  // whether the query matches the document at all
  std::vector<ClauseExplanation> clauses;
  Score score = 0;  // sum of the contributions, as the evaluators compute it
};

// Computes the explanation from the postings directly (not from a result
// list), so any document (a global id of the snapshot) can be explained. The
// score equals what the evaluators return for the document, in the same
// floating-point order, with the collection's statistics.
Explanation Explain(const IndexSnapshot& snapshot, const Query& query, DocId doc,
                    Bm25Params params);

// A readable breakdown, one line per clause.
void PrintExplanation(std::ostream& out, const Explanation& explanation);

}  // namespace fathom
