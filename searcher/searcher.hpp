// Searcher: the facade the command line (and tests, and benchmarks) use.
// query text -> parser (query tree) -> evaluator (per segment) -> top-k ->
// hits; plus stored documents for showing them. Document ids in hits are
// the snapshot's global ids.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/analysis/analyzer.hpp"
#include "common/bm25.hpp"
#include "common/read/doc_store.hpp"
#include "common/read/index_snapshot.hpp"
#include "searcher/eval/evaluator.hpp"
#include "searcher/eval/field_collector.hpp"
#include "searcher/query/query_tree.hpp"

namespace fathom {

struct SearchOptions {
  // Lucene's default total-hits threshold (TopScoreDocCollector).
  static constexpr std::uint64_t kDefaultCountUpTo = 1000;

  std::size_t k = 10;
  Bm25Params bm25;
  Algorithm algorithm = Algorithm::kAuto;
  // Only count the matching documents (no hits), every one of them.
  bool count_only = false;
  // Ranked queries count their matches exactly up to this many, then report
  // this many as a lower bound (total_exact false), as Lucene's total-hits
  // threshold does: pruned evaluation does not visit every match, and
  // counting them all would cost a second pass over the whole lists (see
  // CountExactlyUpTo). 0: only the matches ranking visited, a lower bound
  // (what a TREC run needs: no count at all); kCountAll: every match. A
  // query evaluated exhaustively (nested ones, --algorithm exhaustive) has
  // counted every match anyway, and says so.
  std::uint64_t count_exactly_up_to = kDefaultCountUpTo;
  // Hits in this order (searcher/eval/field_collector.hpp) instead of by
  // score. Every match is visited, except that top k by a numeric field
  // passes over blocks that cannot enter once count_exactly_up_to matches
  // are counted (the count is then a lower bound).
  std::vector<SortKey> sort;
  // Values counted over every match (which are then counted exactly).
  std::vector<FacetRequest> facets;
};

struct SearchResult {
  // The query as the flat evaluators take it; for a nested query (AND, OR,
  // parentheses, proximity), its positive words and phrases, which is what
  // snippets highlight.
  Query query;
  // The query as it was scored, which is what explain walks: the parsed
  // tree, or for a flat query the tree of `query` (TreeOf).
  QueryNode tree;
  std::vector<Hit> hits;
  std::uint64_t total_matches = 0;
  // false: total_matches is a lower bound (count_exactly_up_to, unless that
  // is 0).
  bool total_exact = true;
  std::vector<FacetResult> facets;  // one per SearchOptions::facets
  double milliseconds = 0;          // parse + evaluation, not snippets
};

// A flat query's result as every search path gives it (Searcher, topics,
// RM3): evaluated with options.k/bm25/algorithm/count_only, its matches
// counted exactly up to options.count_exactly_up_to (CountExactlyUpTo), and
// its tree for explain. milliseconds and warnings are the caller's.
// filters: per segment, the query's top-level filters (SegmentFilters), or
// nullptr for none.
SearchResult EvaluateFlat(const IndexSnapshot& snapshot, Query query, const SearchOptions& options,
                          const std::vector<SegmentFilter>* filters = nullptr);

// Not thread-safe: one Searcher per thread. Searchers may share a snapshot
// (it is only read), so that threads answer from the same index.
class Searcher {
 public:
  // Opens a snapshot of the index as it is now; throws fathom::Error
  // subclasses. The Searcher answers from that snapshot for its lifetime,
  // whatever later changes to the index. `hot`: how the lists queries
  // read are held (IndexReader). Preloaded by default: a searcher usually
  // answers many queries, each of which would otherwise pay page faults and
  // TLB misses on first touching them; a single query is answered sooner
  // from the plain mapping.
  explicit Searcher(const std::filesystem::path& index_dir, Residency hot = Residency::kPreloaded);
  explicit Searcher(std::shared_ptr<const IndexSnapshot> snapshot);

  // Parses the query language (searcher/query/query_tree.hpp); throws
  // QuerySyntaxError for a malformed query.
  SearchResult Search(std::string_view query_text, const SearchOptions& options);
  // The query's words and phrases (its leaves), parsed as Search parses
  // them, without evaluating it.
  Query Clauses(std::string_view query_text) { return Leaves(parser_.Parse(query_text).root); }

  const IndexSnapshot& snapshot() const { return *snapshot_; }
  const std::shared_ptr<const IndexSnapshot>& shared_snapshot() const { return snapshot_; }
  StoredDocument Document(DocId doc) const { return snapshot_->Document(doc); }

 private:
  std::shared_ptr<const IndexSnapshot> snapshot_;
  Analyzer analyzer_;
  QueryTreeParser parser_;
};

}  // namespace fathom
