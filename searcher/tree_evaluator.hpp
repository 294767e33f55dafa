// Evaluation of any query tree (searcher/query_tree.hpp), exhaustively:
// every matching document is scored and offered to the top-k heap. Queries
// that flatten (searcher/query_tree.hpp: Flatten) go to the faster
// evaluators instead; this one handles nesting, expansions and proximity.
#pragma once

#include "common/index_reader.hpp"
#include "searcher/evaluator.hpp"
#include "searcher/query_tree.hpp"

namespace fathom {

EvalResult EvaluateTree(const IndexReader& reader, const QueryNode& root, std::size_t k,
                        Bm25Params params);

}  // namespace fathom
