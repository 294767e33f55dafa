#include "searcher/searcher.hpp"

#include <chrono>

#include "searcher/eval/field_collector.hpp"
#include "searcher/eval/tree_evaluator.hpp"

namespace fathom {

Searcher::Searcher(const std::filesystem::path& index_dir, Residency hot)
    : Searcher(std::make_shared<const IndexSnapshot>(index_dir, hot)) {}

namespace {

// Blocks of a segment visited before the others when sorting by a field
// (FieldCollector::BlocksToVisitFirst), at most: each costs building the
// query's matchers again.
constexpr std::size_t kBlocksToVisitFirst = 16;

EvalOptions EvalOptionsOf(const SearchOptions& options) {
  EvalOptions eval;
  eval.k = options.k;
  eval.bm25 = options.bm25;
  eval.algorithm = options.algorithm;
  eval.count_only = options.count_only;
  return eval;
}

// A query whose filters stand at its top level, each required or
// excluded, beside words and phrases that decide the matches on their own:
// one of them required, or, when no filter is required, any. The filters
// then become documents the flat evaluators leave out (as they leave out
// deleted ones), so they keep all their pruning. False for any other shape,
// which the tree evaluator answers with the filters as matchers: `w
// +year:2001` matches every document of 2001, w only adds to the score, as
// a required clause makes the optional ones optional everywhere.
bool SplitTopLevelFilters(const QueryNode& root, QueryNode& rest,
                          std::vector<const FieldFilter*>& required,
                          std::vector<const FieldFilter*>& excluded) {
  const QueryNode& group = Unwrapped(root);
  rest = QueryNode();
  bool any_required = false, any_optional = false;
  for (const QueryNode& child : group.children) {
    if (child.kind == QueryNode::Kind::kFilter) {
      if (child.occur == Occur::kShould) return false;
      (child.occur == Occur::kMust ? required : excluded).push_back(&*child.filter);
      continue;
    }
    any_required = any_required || child.occur == Occur::kMust;
    any_optional = any_optional || child.occur == Occur::kShould;
    rest.children.push_back(child);
  }
  // `+(a b) +filter`: the union of a and b among what the filter admits,
  // which is the union's own flat form.
  if (rest.children.size() == 1 && rest.children[0].occur == Occur::kMust &&
      rest.children[0].kind == QueryNode::Kind::kGroup) {
    QueryNode inner = std::move(rest.children[0]);
    inner.occur = Occur::kShould;
    rest = std::move(inner);
    return !required.empty() || !excluded.empty();
  }
  const bool decides = any_required || (required.empty() && any_optional);
  return decides && (!required.empty() || !excluded.empty());
}

}  // namespace

SearchResult EvaluateFlat(const IndexSnapshot& snapshot, Query query, const SearchOptions& options,
                          const std::vector<SegmentFilter>* filters) {
  EvalOptions eval = EvalOptionsOf(options);
  eval.filters = filters;
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
  QueryNode rest;
  std::vector<const FieldFilter*> required, excluded;
  if (!options.sort.empty() || !options.facets.empty()) {
    // Every match, in any order the fields give, and its values counted.
    // Filters stay matchers of the tree here: visiting every match, a
    // selective filter's set of documents leads the iteration.
    const std::size_t k = options.count_only ? 0 : options.k;
    FieldCollector collector(*snapshot_, options.sort, options.facets, k);
    TopK top(options.sort.empty() ? k : 0);
    // One set of collection statistics for every segment and block visited.
    EvalOptions eval = EvalOptionsOf(options);
    std::optional<CollectionStats> stats;
    if (eval.stats == nullptr && snapshot_->segments().size() > 1) {
      eval.stats = &stats.emplace(*snapshot_);
    }
    // Top k by a numeric field passes over blocks of documents whose values
    // cannot enter, once the matches are counted as far as the counting
    // rule asks (SearchOptions::count_exactly_up_to).
    // The blocks whose values are the best are visited first (the newest
    // documents, for dates that grow as documents are added), then the rest
    // in document order, passing over those visited and, once counting
    // allows, those that cannot enter.
    const auto add = [&](DocId doc, Score score) {
      collector.Add(doc, score);
      if (options.sort.empty() && k > 0) top.Push(doc, score);
    };
    std::function<DocId(DocId)> first_wanted;
    if (collector.can_skip()) {
      // A filter's matcher reads its column whole when it is built, so
      // building the matchers again for each block costs more than it saves.
      const bool may_pass_over =
          options.count_exactly_up_to != kCountAll && !HasFilter(parsed.root);
      for (std::size_t s = 0; may_pass_over && s < snapshot_->segments().size(); ++s) {
        const DocId count = static_cast<DocId>(snapshot_->segments()[s].reader->document_count());
        for (const std::size_t block : collector.BlocksToVisitFirst(s, kBlocksToVisitFirst)) {
          if (collector.matches() >= options.count_exactly_up_to &&
              !collector.BlockMayEnter(s, block)) {
            break;
          }
          const DocId end = std::min(count, format::KeyBoundsBlockStart(block + 1));
          ForEachMatchIn(*snapshot_, s, parsed.root, eval, format::KeyBoundsBlockStart(block), end,
                         add);
          collector.MarkVisited(s, block);
        }
      }
      first_wanted = [&](DocId doc) {
        return collector.FirstThatMayEnter(doc, collector.matches() >= options.count_exactly_up_to);
      };
    }
    ForEachMatch(*snapshot_, parsed.root, eval, add, first_wanted);
    result.query = Leaves(parsed.root);
    result.tree = std::move(parsed.root);
    result.hits = options.sort.empty() ? top.TakeSorted() : collector.TopHits();
    result.total_matches = collector.matches();
    result.total_exact = !collector.skipped();
    result.facets = collector.Facets();
  } else if (SplitTopLevelFilters(parsed.root, rest, required, excluded) &&
             Flatten(rest, result.query)) {
    const std::vector<SegmentFilter> filters = SegmentFilters(*snapshot_, required, excluded);
    QueryNode tree = std::move(parsed.root);
    result = EvaluateFlat(*snapshot_, std::move(result.query), options, &filters);
    result.tree = std::move(tree);
  } else if (!Flatten(parsed.root, result.query)) {
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
