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
  EvalResult evaluated = EvaluateExhaustive(reader_, result.query, {options.k, options.bm25});
  result.hits = std::move(evaluated.hits);
  result.total_matches = evaluated.total_matches;
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
