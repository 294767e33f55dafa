#include "searcher/searcher.hpp"

#include <chrono>

#include "searcher/eval/tree_evaluator.hpp"

namespace fathom {

Searcher::Searcher(const std::filesystem::path& index_dir)
    : Searcher(std::make_shared<const IndexSnapshot>(index_dir)) {}

namespace {

EvalOptions EvalOptionsOf(const SearchOptions& options) {
  EvalOptions eval;
  eval.k = options.k;
  eval.bm25 = options.bm25;
  eval.algorithm = options.algorithm;
  eval.count_only = options.count_only;
  return eval;
}

}  // namespace

SearchResult EvaluateFlat(const IndexSnapshot& snapshot, Query query,
                          const SearchOptions& options) {
  const EvalOptions eval = EvalOptionsOf(options);
  EvalResult evaluated = Evaluate(snapshot, query, eval);
  if (!options.count_only) {
    CountExactlyUpTo(snapshot, query, eval, options.count_exactly_up_to, evaluated);
  }
  SearchResult result;
  result.query = std::move(query);
  result.tree = TreeOf(result.query);
  result.hits = std::move(evaluated.hits);
  result.total_matches = evaluated.total_matches;
  result.total_exact = evaluated.total_exact;
  return result;
}

Searcher::Searcher(std::shared_ptr<const IndexSnapshot> snapshot)
    : snapshot_(std::move(snapshot)),
      analyzer_(snapshot_->analysis()),
      parser_(analyzer_, *snapshot_) {}

SearchResult Searcher::Search(std::string_view query_text, const SearchOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  SearchResult result;
  ParsedQuery parsed = parser_.Parse(query_text);
  if (!Flatten(parsed.root, result.query)) {
    // Nesting, expansions inside boolean structure, or proximity: evaluated
    // exhaustively, so its count is exact at no extra cost.
    result.query = Leaves(parsed.root);
    EvalResult evaluated = EvaluateTree(*snapshot_, parsed.root, EvalOptionsOf(options));
    result.tree = std::move(parsed.root);
    result.hits = std::move(evaluated.hits);
    result.total_matches = evaluated.total_matches;
    result.total_exact = evaluated.total_exact;
  } else {
    result = EvaluateFlat(*snapshot_, std::move(result.query), options);
  }
  result.query.warnings = std::move(parsed.warnings);
  result.milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace fathom
