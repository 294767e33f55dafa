// Query evaluation: matchers over posting cursors, and the exhaustive
// document-at-a-time evaluator that scores every matching document. It is
// the reference oracle that faster (pruning) evaluators are tested against.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "common/bm25.hpp"
#include "common/index_reader.hpp"
#include "common/posting_cursor.hpp"
#include "searcher/query.hpp"
#include "searcher/topk.hpp"

namespace fathom {

// Iterates the documents one clause matches, with the clause's frequency
// there (term frequency, or number of phrase occurrences). Same contract as
// PostingCursor: doc() is kEndDoc when exhausted; NextGeq never moves back.
class Matcher {
 public:
  virtual ~Matcher() = default;
  virtual DocId doc() const = 0;
  virtual void Next() = 0;
  virtual void NextGeq(DocId target) = 0;
  virtual std::uint32_t frequency() = 0;
};

// A matcher for the clause and its BM25 idf: the term's, or for a phrase
// the sum of its terms' (as Lucene scores phrases). The matcher is nullptr
// when one of the terms is not in the index (the clause matches nothing).
struct ClauseMatcher {
  std::unique_ptr<Matcher> matcher;
  float idf = 0;
};
ClauseMatcher MakeMatcher(const IndexReader& reader, const QueryClause& clause);

struct EvalOptions {
  std::size_t k = 10;
  Bm25Params bm25;
};

struct EvalResult {
  std::vector<Hit> hits;            // best first, at most k
  std::uint64_t total_matches = 0;  // every document the query matches
};

// Matches: all required clauses, none of the excluded ones, and (when there
// is no required clause) at least one optional clause. Score: the sum of the
// BM25 scores of the required and optional clauses that match.
EvalResult EvaluateExhaustive(const IndexReader& reader, const Query& query,
                              const EvalOptions& options);

}  // namespace fathom
