#include "searcher/query/natural_query.hpp"

#include <chrono>
#include <unordered_map>
#include <utility>

#include "common/analysis/fields.hpp"
#include "common/error.hpp"
#include "searcher/eval/evaluator.hpp"

namespace fathom {
namespace {

std::unique_ptr<Analyzer> StopAnalyzer(const AnalysisSettings& index) {
  if (!index.stop_words.empty()) return nullptr;  // the index already drops its own
  AnalysisSettings settings = index;
  try {
    settings.stop_words = DefaultStopWords(index.language);
  } catch (const InputError&) {
    return nullptr;  // no built-in list for this language
  }
  return std::make_unique<Analyzer>(settings);
}

void AddTerms(Analyzer& analyzer, std::string_view text, std::vector<std::string>& order,
              std::unordered_map<std::string, float>& counts) {
  analyzer.Reset(text);
  Token token;
  while (analyzer.Next(token)) {
    if (counts[token.term]++ == 0) order.push_back(token.term);
  }
}

}  // namespace

NaturalQueryBuilder::NaturalQueryBuilder(const AnalysisSettings& index, NaturalQueryOptions options)
    : options_(options),
      analyzer_(index),
      stop_analyzer_(options.drop_stop_words ? StopAnalyzer(index) : nullptr) {}

Query NaturalQueryBuilder::Build(std::string_view text) {
  std::vector<std::string> order;
  std::unordered_map<std::string, float> counts;
  if (stop_analyzer_) AddTerms(*stop_analyzer_, text, order, counts);
  if (order.empty()) AddTerms(analyzer_, text, order, counts);
  Query query;
  if (order.size() > kMaxQueryTerms) {
    query.warnings.push_back("the topic has " + std::to_string(order.size()) +
                             " distinct words; the first " + std::to_string(kMaxQueryTerms) +
                             " are searched");
    order.resize(kMaxQueryTerms);
  }
  for (const std::string& term : order) {
    QueryClause clause = QueryNode::Leaf(Occur::kShould, {term}, {0});
    clause.weight = counts[term];
    clause.source = term;
    if (options_.bm25f_title) {
      clause.title = options_.bm25f_title;
    } else if (options_.title_weight > 0) {
      query.clauses.push_back(clause);
      clause.terms = {FieldTerm(kTitleField, term)};
      clause.weight *= options_.title_weight;
      clause.source = clause.terms[0];
    }
    query.clauses.push_back(std::move(clause));
  }
  return query;
}

TopicSearcher::TopicSearcher(Searcher& searcher, NaturalQueryOptions options, bool rm3)
    : searcher_(searcher),
      builder_(searcher.snapshot().analysis(), options),
      rm3_(rm3),
      feedback_(searcher) {}

SearchResult TopicSearcher::Search(std::string_view topic, const SearchOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  Query query = builder_.Build(topic);
  SearchResult result;
  if (rm3_) {
    result = SearchWithRm3(searcher_, feedback_, std::move(query), options);
  } else {
    result = EvaluateFlat(searcher_.snapshot(), std::move(query), options);
  }
  result.milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace fathom
