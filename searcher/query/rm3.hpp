// Pseudo-relevance feedback with RM3, as Anserini implements it
// (io.anserini.rerank.lib.Rm3Reranker): the top feedback documents' term
// distributions, weighted by their retrieval scores, give a relevance model;
// its best terms, mixed with the original query, form a weighted query that
// is run again over the whole index.
//
//   doc vector   raw term counts of a feedback document, keeping terms of
//                2-20 characters in [a-z0-9] that occur in at most 10% of
//                the documents (Anserini's stop-word heuristic), pruned to
//                the feedback_terms most frequent
//   model(t)     sum over feedback docs d of count(t, d) / |d| * score(d),
//                pruned to the feedback_terms best, scaled to sum 1
//   query(t)     original_query_weight * q(t) + (1 - w) * model(t), q the
//                query's term counts scaled to sum 1
//
// Ties in the pruning (equal weights) keep the smaller term, so runs are
// reproducible (Anserini leaves them to its sort).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/analysis/analyzer.hpp"
#include "searcher/eval/topk.hpp"
#include "searcher/query/query.hpp"

namespace fathom {

class Searcher;

struct Rm3Params {
  std::size_t feedback_docs = 10;
  std::size_t feedback_terms = 10;
  float original_query_weight = 0.5f;
  // Terms in a larger share of the documents are never expansion terms.
  double max_document_ratio = 0.1;
};

// What RM3 reads from an index.
class FeedbackSource {
 public:
  virtual ~FeedbackSource() = default;
  virtual std::uint64_t document_count() const = 0;
  virtual std::uint64_t document_frequency(std::string_view term) const = 0;
  // The document's indexed terms, one per occurrence.
  virtual std::vector<std::string> DocumentTerms(DocId doc) = 0;
};

// Reads a Searcher's index: stored title and body re-analyzed with the
// index's own analysis settings (Fathom stores no term vectors).
class SearcherFeedbackSource : public FeedbackSource {
 public:
  explicit SearcherFeedbackSource(const Searcher& searcher);
  std::uint64_t document_count() const override;
  std::uint64_t document_frequency(std::string_view term) const override;
  std::vector<std::string> DocumentTerms(DocId doc) override;

 private:
  const Searcher& searcher_;
  Analyzer analyzer_;
};

// The expanded query for query, given its ranked results (best first).
// Phrases and excluded clauses of the original are kept as they are, and
// required terms stay required; every other clause becomes a weighted
// optional term. With no usable feedback the query is returned unchanged.
Query ExpandRm3(const Query& query, const std::vector<Hit>& ranked, FeedbackSource& source,
                const Rm3Params& params = {});

struct SearchOptions;
struct SearchResult;
// Evaluates query, expands it with RM3 from its results, and returns the
// results of the expanded query (both passes through Evaluate, whose pruning
// bounds account for clause weights).
SearchResult SearchWithRm3(const Searcher& searcher, FeedbackSource& source, Query query,
                           const SearchOptions& options, const Rm3Params& params = {});

}  // namespace fathom
