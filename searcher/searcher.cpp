#include "searcher/searcher.hpp"

#include <chrono>

#include "searcher/tree_evaluator.hpp"

namespace fathom {

Searcher::Searcher(const std::filesystem::path& index_dir)
    : reader_(index_dir),
      store_(reader_.store_file(), reader_.document_count()),
      analyzer_(reader_.meta().analysis),
      parser_(analyzer_, reader_) {}

SearchResult Searcher::Search(std::string_view query_text, const SearchOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  SearchResult result;
  ParsedQuery parsed = parser_.Parse(query_text);
  if (!Flatten(parsed.root, result.query)) {
    // Nesting, expansions inside boolean structure, or proximity.
    result.query = Leaves(parsed.root);
    result.query.warnings = std::move(parsed.warnings);
    EvalResult evaluated =
        EvaluateTree(reader_, parsed.root, options.count_only ? 0 : options.k, options.bm25);
    result.hits = std::move(evaluated.hits);
    result.total_matches = evaluated.total_matches;
    result.milliseconds =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return result;
  }
  result.query.warnings = std::move(parsed.warnings);
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

}  // namespace fathom
