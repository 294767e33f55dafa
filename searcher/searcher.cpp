#include "searcher/searcher.hpp"

#include <chrono>

#include "searcher/eval/tree_evaluator.hpp"

namespace fathom {

Searcher::Searcher(const std::filesystem::path& index_dir)
    : Searcher(std::make_shared<const IndexSnapshot>(index_dir)) {}

Searcher::Searcher(std::shared_ptr<const IndexSnapshot> snapshot)
    : snapshot_(std::move(snapshot)),
      analyzer_(snapshot_->analysis()),
      parser_(analyzer_, *snapshot_) {}

SearchResult Searcher::Search(std::string_view query_text, const SearchOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  SearchResult result;
  ParsedQuery parsed = parser_.Parse(query_text);
  EvalOptions eval_options;
  eval_options.k = options.k;
  eval_options.bm25 = options.bm25;
  eval_options.algorithm = options.algorithm;
  eval_options.count_only = options.count_only;
  EvalResult evaluated;
  if (!Flatten(parsed.root, result.query)) {
    // Nesting, expansions inside boolean structure, or proximity: evaluated
    // exhaustively, so its count is exact at no extra cost.
    result.query = Leaves(parsed.root);
    evaluated = EvaluateTree(*snapshot_, parsed.root, eval_options);
    result.tree = std::move(parsed.root);
  } else {
    result.tree = TreeOf(result.query);
    evaluated = Evaluate(*snapshot_, result.query, eval_options);
    if (!options.count_only) {
      CountExactlyUpTo(*snapshot_, result.query, eval_options, options.count_exactly_up_to,
                       evaluated);
    }
  }
  result.query.warnings = std::move(parsed.warnings);
  result.hits = std::move(evaluated.hits);
  result.total_matches = evaluated.total_matches;
  result.total_exact = evaluated.total_exact;
  result.milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace fathom
