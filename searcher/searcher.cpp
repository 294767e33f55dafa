#include "searcher/searcher.hpp"

#include <chrono>

namespace fathom {

Searcher::Searcher(const std::filesystem::path& index_dir)
    : reader_(index_dir),
      store_(reader_.store_file(), reader_.document_count()),
      analyzer_(reader_.meta().analysis),
      parser_(analyzer_) {}

SearchResult Searcher::Search(std::string_view query_text, const SearchOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  SearchResult result;
  result.query = parser_.Parse(query_text);
  EvalOptions eval_options;
  eval_options.k = options.k;
  eval_options.bm25 = options.bm25;
  eval_options.algorithm = options.algorithm;
  eval_options.count_only = options.count_only;
  EvalResult evaluated = Evaluate(reader_, result.query, eval_options);
  if (!evaluated.total_exact && options.exact_total) {
    eval_options.count_only = true;
    evaluated.total_matches = Evaluate(reader_, result.query, eval_options).total_matches;
    evaluated.total_exact = true;
  }
  result.hits = std::move(evaluated.hits);
  result.total_matches = evaluated.total_matches;
  result.total_exact = evaluated.total_exact;
  result.milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return result;
}

std::unordered_set<std::string> Searcher::HighlightTerms(const Query& query) {
  std::unordered_set<std::string> terms;
  for (const auto& clause : query.clauses) {
    if (clause.occur == Occur::kMustNot) continue;
    terms.insert(clause.terms.begin(), clause.terms.end());
  }
  return terms;
}

std::string Searcher::Snippet(const StoredDocument& document,
                              const std::unordered_set<std::string>& highlight_terms,
                              const HighlightStyle& style) {
  return MakeSnippet(document.body.empty() ? document.title : document.body, highlight_terms,
                     analyzer_, style);
}

}  // namespace fathom
