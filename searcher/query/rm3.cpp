#include "searcher/query/rm3.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <utility>

#include "searcher/searcher.hpp"

namespace fathom {
namespace {

using TermWeights = std::vector<std::pair<std::string, double>>;

// Anserini's feedback-term filter, minus the document-frequency part.
bool IsFeedbackTerm(std::string_view term) {
  if (term.size() < 2 || term.size() > 20) return false;
  return std::all_of(term.begin(), term.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

// Keeps the n heaviest entries; equal weights keep the smaller term.
void PruneToSize(TermWeights& weights, std::size_t n) {
  std::sort(weights.begin(), weights.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (weights.size() > n) weights.resize(n);
}

}  // namespace

SearcherFeedbackSource::SearcherFeedbackSource(const Searcher& searcher)
    : searcher_(searcher), analyzer_(searcher.snapshot().analysis()) {}

std::uint64_t SearcherFeedbackSource::document_count() const {
  return searcher_.snapshot().document_count();
}

std::uint64_t SearcherFeedbackSource::document_frequency(std::string_view term) const {
  return searcher_.snapshot().DocumentFrequency(term);
}

std::vector<std::string> SearcherFeedbackSource::DocumentTerms(DocId doc) {
  const StoredDocument document = searcher_.Document(doc);
  std::vector<std::string> terms;
  for (const std::string* text : {&document.title, &document.body}) {
    analyzer_.Reset(*text);
    Token token;
    while (analyzer_.Next(token)) terms.push_back(std::move(token.term));
  }
  return terms;
}

Query ExpandRm3(const Query& query, const std::vector<Hit>& ranked, FeedbackSource& source,
                const Rm3Params& params) {
  // The relevance model: each feedback document's pruned term distribution,
  // weighted by the document's score.
  const std::size_t docs = std::min(params.feedback_docs, ranked.size());
  const double max_df = params.max_document_ratio * static_cast<double>(source.document_count());
  std::unordered_map<std::string, bool> usable;  // filter verdict per term, df looked up once
  std::map<std::string, double> model;
  for (std::size_t i = 0; i < docs; ++i) {
    std::unordered_map<std::string, double> counts;
    for (std::string& term : source.DocumentTerms(ranked[i].doc)) {
      auto [it, inserted] = usable.try_emplace(term, false);
      if (inserted) {
        it->second =
            IsFeedbackTerm(term) && static_cast<double>(source.document_frequency(term)) <= max_df;
      }
      if (it->second) counts[std::move(term)] += 1;
    }
    TermWeights vector(counts.begin(), counts.end());
    PruneToSize(vector, params.feedback_terms);
    double norm = 0;
    for (const auto& [term, count] : vector) norm += count;
    if (norm <= 0) continue;
    for (const auto& [term, count] : vector) {
      model[term] += count / norm * static_cast<double>(ranked[i].score);
    }
  }
  TermWeights expansion(model.begin(), model.end());
  PruneToSize(expansion, params.feedback_terms);
  double model_norm = 0;
  for (const auto& [term, weight] : expansion) model_norm += weight;
  if (model_norm <= 0) return query;

  // The original query's distribution: each clause by its weight (a term's
  // count in the query), phrases included as units.
  double query_norm = 0;
  for (const QueryClause& clause : query.clauses) {
    if (clause.occur != Occur::kMustNot) query_norm += clause.weight;
  }
  const double w = params.original_query_weight;
  Query expanded;
  expanded.warnings = query.warnings;
  for (QueryClause clause : query.clauses) {
    if (clause.occur != Occur::kMustNot) {
      double weight = query_norm > 0 ? w * clause.weight / query_norm : 0;
      if (!clause.is_phrase()) {
        if (const auto it = model.find(clause.terms[0]); it != model.end()) {
          const auto in_expansion =
              std::find_if(expansion.begin(), expansion.end(),
                           [&](const auto& entry) { return entry.first == clause.terms[0]; });
          if (in_expansion != expansion.end()) {
            weight += (1 - w) * in_expansion->second / model_norm;
            in_expansion->second = 0;  // merged: not added again below
          }
        }
      }
      clause.weight = static_cast<float>(weight);
    }
    expanded.clauses.push_back(std::move(clause));
  }
  for (const auto& [term, weight] : expansion) {
    if (weight <= 0) continue;
    QueryClause clause = QueryNode::Leaf(Occur::kShould, {term}, {0});
    clause.weight = static_cast<float>((1 - w) * weight / model_norm);
    clause.source = term;
    expanded.clauses.push_back(std::move(clause));
  }
  return expanded;
}

SearchResult SearchWithRm3(const Searcher& searcher, FeedbackSource& source, Query query,
                           const SearchOptions& options, const Rm3Params& params) {
  EvalOptions eval;
  eval.bm25 = options.bm25;
  eval.algorithm = options.algorithm;
  eval.k = std::max(options.k, params.feedback_docs);
  const EvalResult first = Evaluate(searcher.snapshot(), query, eval);
  return EvaluateFlat(searcher.snapshot(), ExpandRm3(query, first.hits, source, params), options);
}

}  // namespace fathom
