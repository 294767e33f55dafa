// Evaluation of any query tree (searcher/query/query_tree.hpp), exhaustively:
// every matching document is scored and offered to the top-k heap. Queries
// that flatten (searcher/query/query_tree.hpp: Flatten) go to the faster
// evaluators instead; this one handles nesting, expansions and proximity.
#pragma once

#include "common/read/index_reader.hpp"
#include "common/read/index_snapshot.hpp"
#include "searcher/eval/evaluator.hpp"
#include "searcher/query/query_tree.hpp"

namespace fathom {

// options: k (0 or count_only: only count, up to count_limit), bm25, and for one segment of
// several its deletions and the collection's statistics (the threshold is
// ignored: this evaluator does not prune).
EvalResult EvaluateTree(const IndexReader& reader, const QueryNode& root,
                        const EvalOptions& options);
// Calls visit(global doc, score) for every live document the tree matches,
// in global id order, scored as EvaluateTree scores it: what sorting by a
// field and counting facets need (options: bm25, stats; k is ignored).
// first_wanted, when set, gives for a match the first document from it on
// worth visiting (the match itself when it is); the matches in between are
// passed over unvisited, as sorting by a field passes over blocks that
// cannot enter its top k.
void ForEachMatch(const IndexSnapshot& snapshot, const QueryNode& root, const EvalOptions& options,
                  const std::function<void(DocId doc, Score score)>& visit,
                  const std::function<DocId(DocId doc)>& first_wanted = nullptr);
// The same within one segment (index into snapshot.segments()), for the
// documents of local ids [begin, end) only. REQUIRES: options.stats set
// when the snapshot has several segments (so that blocks visited one by one
// share one set of statistics).
void ForEachMatchIn(const IndexSnapshot& snapshot, std::size_t segment, const QueryNode& root,
                    const EvalOptions& options, DocId begin, DocId end,
                    const std::function<void(DocId doc, Score score)>& visit);
// Over every segment of a snapshot (EvaluateSegments).
EvalResult EvaluateTree(const IndexSnapshot& snapshot, const QueryNode& root,
                        const EvalOptions& options);

}  // namespace fathom
