// Natural-language queries: TREC topics, questions, claims. Batch mode reads
// them as text, not in the query language: every word is an optional term
// (a bag of words, as Anserini and the TREC tools run topics), so a topic's
// "-dash" excludes nothing, "AND" is a word, and "real-gas" scores documents
// with either word instead of only those with the phrase.
//
// Two defaults, measured on the judged collections (bench/README.md,
// "Search quality"):
// - stop words are dropped from the query (the language's built-in list,
//   when the index keeps them): "the", "of" match nearly every document and
//   only add noise to the ranking;
// - title matches weigh more: each word also scores, with title_weight, as
//   its field term title:word (see common/analysis/fields.hpp). BM25F (one
//   score over the document and its title streams, common/bm25.hpp) is the
//   alternative, measured below the title clause on every collection with
//   titles, so not the default.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "common/analysis/analyzer.hpp"
#include "searcher/query/query.hpp"
#include "searcher/query/rm3.hpp"
#include "searcher/searcher.hpp"

namespace fathom {

struct NaturalQueryOptions {
  bool drop_stop_words = true;
  // Weight of a word's title:word clause relative to the word's own clause;
  // 0 turns title clauses off.
  float title_weight = 0.25f;
  // Set: each word is scored by BM25F with its title stream weighted so,
  // instead of a title clause.
  std::optional<FieldWeighting> bm25f_title;
};

class NaturalQueryBuilder {
 public:
  // index: the analysis the index was built with.
  NaturalQueryBuilder(const AnalysisSettings& index, NaturalQueryOptions options);

  // One optional clause per distinct term, weighted by its count (as
  // Flatten weighs a repeated word), in order of first appearance, each
  // followed by its title clause (or scored with its title stream by
  // BM25F). A query of stop words only keeps them.
  Query Build(std::string_view text);

 private:
  NaturalQueryOptions options_;
  Analyzer analyzer_;                        // the index's analysis
  std::unique_ptr<Analyzer> stop_analyzer_;  // the same, dropping stop words
};

// Batch search of natural-language topics, optionally with RM3 feedback.
class TopicSearcher {
 public:
  TopicSearcher(Searcher& searcher, NaturalQueryOptions options, bool rm3);
  SearchResult Search(std::string_view topic, const SearchOptions& options);

 private:
  Searcher& searcher_;
  NaturalQueryBuilder builder_;
  bool rm3_;
  SearcherFeedbackSource feedback_;
};

}  // namespace fathom
