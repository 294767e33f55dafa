// Query evaluation: matchers over posting cursors, the exhaustive
// document-at-a-time evaluator that scores every matching document (the
// reference oracle the pruning evaluators are tested against), and Evaluate,
// which picks an evaluator per query.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "common/bm25.hpp"
#include "common/read/index_reader.hpp"
#include "common/read/index_snapshot.hpp"
#include "common/read/posting_cursor.hpp"
#include "searcher/eval/topk.hpp"
#include "searcher/query/query.hpp"

namespace fathom {

// Iterates the documents one clause matches, with the clause's frequency
// there (term frequency, or number of phrase occurrences). Same contract as
// PostingCursor: doc() is kEndDoc when exhausted; NextGeq never moves back.
class Matcher {
 public:
  virtual ~Matcher() = default;
  virtual DocId doc() const = 0;
  virtual void Next() = 0;
  virtual void NextGeq(DocId target) = 0;
  virtual std::uint32_t frequency() = 0;
};

// The deleted documents of a segment as a matcher, so that evaluators drop
// them exactly where they drop documents an excluded clause matches (and a
// segment without deletions has no such matcher: no cost at all).
std::unique_ptr<Matcher> DeletedMatcher(const DeletedDocs& deleted);

// The statistics a segment is scored with: the whole collection's (stats)
// when the reader is one segment of several, else the reader's own.
// segment_frequency is the term's document frequency in the reader.
float ScoringIdf(const IndexReader& reader, const CollectionStats* stats, std::string_view term,
                 std::uint64_t segment_frequency);
double ScoringAverageLength(const IndexReader& reader, const CollectionStats* stats);

double ScoringAverageTitleLength(const IndexReader& reader, const CollectionStats* stats);

// BM25F's title stream of one word (QueryClause::title) in a segment: the
// cursor of its title term (none when no title of the segment holds it) and
// the titles' lengths.
class TitleStream {
 public:
  TitleStream(std::optional<PostingCursor> cursor, const format::DocLengths& lengths)
      : cursor_(std::move(cursor)), lengths_(lengths) {}
  // The word's frequency in doc's title and the title's length; (0, 0) when
  // the title does not hold it. Docs must not decrease.
  std::pair<std::uint32_t, std::uint32_t> At(DocId doc) {
    if (!cursor_) return {0, 0};
    cursor_->NextGeq(doc);
    if (cursor_->doc() != doc) return {0, 0};
    return {cursor_->frequency(), lengths_[doc]};
  }
  // Largest frequency in any title of the segment.
  std::uint32_t max_frequency() const { return cursor_ ? cursor_->max_frequency() : 0; }

 private:
  std::optional<PostingCursor> cursor_;
  format::DocLengths lengths_;
};

// A word scored by BM25F: the same expression wherever it is evaluated, so
// that every evaluator gives the same bits.
struct TitleScoring {
  TitleStream stream;
  Bm25fScorer scorer;
  // REQUIRES: frequency and length are the word's in doc; docs do not decrease.
  Score At(DocId doc, std::uint32_t frequency, std::uint32_t length) {
    const auto [title_frequency, title_length] = stream.At(doc);
    return scorer(frequency, length, title_frequency, title_length);
  }
};
// A clause's weighted score in doc: BM25, or BM25F when it has a title
// stream. The one expression every evaluator and explain use.
inline Score ClauseScore(float weight, const Bm25Scorer& scorer, std::optional<TitleScoring>& title,
                         DocId doc, std::uint32_t frequency, std::uint32_t length) {
  if (title) [[unlikely]]
    return weight * title->At(doc, frequency, length);
  return weight * scorer(frequency, length);
}
// For a clause with `title` set; idf is the word's (ScoringIdf).
TitleScoring MakeTitleScoring(const IndexReader& reader, const QueryClause& clause,
                              Bm25Params params, const CollectionStats* stats, float idf);

// A matcher for the clause and its BM25 idf: the term's, or for a phrase
// the sum of its terms' (as Lucene scores phrases), with the statistics
// ScoringIdf picks. The matcher is nullptr when one of the terms is not in
// the index (the clause matches nothing).
struct ClauseMatcher {
  std::unique_ptr<Matcher> matcher;
  float idf = 0;
  // Set when the clause is a phrase of two pair words: its pair's list,
  // which holds exactly the phrase's documents and frequencies.
  std::optional<TermInfo> pair_list;
};
ClauseMatcher MakeMatcher(const IndexReader& reader, const QueryClause& clause,
                          const CollectionStats* stats = nullptr);
// Whether the phrase's terms i and i + 1 are matched through their word
// pair's list (common/analysis/fields.hpp) in this segment: an exact phrase,
// the two adjacent, both pair words of the index's language.
bool MatchedAsPair(const IndexReader& reader, const QueryClause& clause, std::size_t i);

// How top-k queries of optional terms (unions) are evaluated. Every
// algorithm returns the same hits; they differ in how much they skip.
enum class Algorithm {
  kAuto,        // the fastest for the query's shape (see Evaluate)
  kExhaustive,  // score every matching document (the oracle)
  kMaxScore,    // block-max MaxScore for unions
  kBmw,         // Block-Max WAND for unions
};
std::string_view AlgorithmName(Algorithm algorithm);
std::optional<Algorithm> ParseAlgorithm(std::string_view name);

// One pruned evaluator in particular, for tests and benchmarks: Evaluate
// picks by the query's shape, so without this a lone optional term never
// reaches MaxScore or BMW, nor a lone required term the leapfrog.
// No limit on counting: every match is counted.
inline constexpr std::uint64_t kCountAll = std::numeric_limits<std::uint64_t>::max();

enum class PrunedEvaluator {
  kPicked,       // Evaluate's choice (the query's shape, then `algorithm`)
  kSingleTerm,   // best-bound-first block scan: a lone term, nothing excluded
  kConjunction,  // block-max leapfrog: a query with a required clause
  kMaxScore,     // block-max MaxScore: a query without one
  kBmw,          // Block-Max WAND: a query without one
};

struct EvalOptions {
  std::size_t k = 10;
  Bm25Params bm25;
  Algorithm algorithm = Algorithm::kAuto;
  // Only count the matching documents: no scores, no hits. k = 0 implies it.
  bool count_only = false;
  // When the reader is one segment of several: the collection's statistics,
  // so that scores do not depend on how the index is segmented. Null: the
  // reader's own.
  const CollectionStats* stats = nullptr;
  // The reader's deleted documents: never hits, never counted. Null when
  // there are none, which costs the evaluators nothing.
  const DeletedDocs* deleted = nullptr;
  // The query's top-level filters over this reader (field_filter.hpp):
  // documents it does not admit are left out as deleted ones are, checked
  // only where a document would otherwise count. Null: no filter.
  const SegmentFilter* filter = nullptr;
  // Over a snapshot (EvaluateSegments): when set, segment i's filter
  // (SegmentFilters), given to its evaluation as `filter`.
  const std::vector<SegmentFilter>* filters = nullptr;
  // Hits must score above this to matter: the k-th best score of the
  // segments searched before, whose documents win ties (smaller ids). The
  // pruned evaluators start pruning from it and may leave out hits at or
  // below it; the exhaustive ones ignore it.
  Score threshold = -std::numeric_limits<Score>::infinity();
  // Runs this evaluator on every segment whose query it can take (as the
  // segment's terms leave it); the others get Evaluate's choice. Counting
  // and kExhaustive ignore it.
  PrunedEvaluator evaluator = PrunedEvaluator::kPicked;
  // Counting (count_only or k = 0) stops once it has found this many
  // matches, so that a count that only needs to know whether there are at
  // least this many costs about this many matches' postings, not the
  // lists'. It then returns a lower bound of at least count_limit with
  // total_exact false. Ranked evaluation and EvaluateExhaustive ignore it.
  std::uint64_t count_limit = kCountAll;
};

struct EvalResult {
  std::vector<Hit> hits;  // best first, at most k
  // Every document the query matches when total_exact; otherwise a lower
  // bound (the pruning evaluators stop counting what cannot rank; counting
  // stops at count_limit).
  std::uint64_t total_matches = 0;
  bool total_exact = true;
};

// Matches: all required clauses, none of the excluded ones, and (when there
// is no required clause) at least one optional clause. Score: the sum of the
// BM25 scores of the required and optional clauses that match.
EvalResult EvaluateExhaustive(const IndexReader& reader, const Query& query,
                              const EvalOptions& options);

// The same hits (ids and scores, bit for bit) as EvaluateExhaustive, with
// options.algorithm choosing how:
// - counting (count_only or k = 0): no scoring; a lone term is its document
//   frequency; conjunctions leapfrog without decoding frequencies; all stop
//   at count_limit.
// - one term: only the blocks whose block-max bound can enter the top k are
//   decoded, best bound first.
// - required clauses (`+a +b`, `+a b`, required phrases): leapfrog from the
//   rarest list, skipping blocks whose summed block-max bounds cannot enter.
// - optional clauses only (`a b`): MaxScore or BMW (auto: MaxScore).
// - a lone phrase: positions are decoded only for candidates whose smallest
//   term frequency could still score into the top k.
// options.evaluator forces one of them where it can take the query.
// kExhaustive runs EvaluateExhaustive. Pruned results have total_exact false.
EvalResult Evaluate(const IndexReader& reader, const Query& query, const EvalOptions& options);

// Evaluation over every segment of a snapshot: `evaluate` runs on each
// segment in manifest order with options extended by the collection's
// statistics (options.stats, unless set), the segment's deletions and the
// running k-th best score as threshold; hits are mapped to global ids and
// merged into one top k (score, then global id), counts summed.
using SegmentEvaluator = std::function<EvalResult(const IndexReader&, const EvalOptions&)>;
EvalResult EvaluateSegments(const IndexSnapshot& snapshot, const EvalOptions& options,
                            const SegmentEvaluator& evaluate);
// For EvalOptions::filters: the filters over each segment of the snapshot.
std::vector<SegmentFilter> SegmentFilters(const IndexSnapshot& snapshot,
                                          const std::vector<const FieldFilter*>& required,
                                          const std::vector<const FieldFilter*>& excluded);
// The documents a filter does not admit, as a matcher (what evaluators
// skip, like deleted documents): each NextGeq checks documents from its
// target on until one is left out.
std::unique_ptr<Matcher> RejectedMatcher(const SegmentFilter& filter, std::uint64_t document_count);
// Evaluate and EvaluateExhaustive over a snapshot: the same hits, ids and
// scores, as over one segment holding the same live documents in the same
// order (and the same deleted ones, which count in the statistics).
EvalResult Evaluate(const IndexSnapshot& snapshot, const Query& query, const EvalOptions& options);
EvalResult EvaluateExhaustive(const IndexSnapshot& snapshot, const Query& query,
                              const EvalOptions& options);

// Makes a ranked result's total_matches exact below `up_to` (Lucene's
// total-hits threshold): `result` is what Evaluate(snapshot, query,
// options) returned. When its count is not exact, the pruned evaluation
// counted only the matches it visited; if those are fewer than up_to, the
// matches are counted again without scoring, stopping at up_to
// (count_limit), so a query with many matches costs about up_to matches'
// postings more, never a pass over its whole lists. Afterwards either
// total_exact holds (always when there are at most max(up_to, options.k)
// matches), or there are more and total_matches is exactly
// max(up_to, options.k), a lower bound (the k hits asked for are always
// counted, as in Lucene).
// up_to = 0 leaves the result as it is (the matches ranking visited).
void CountExactlyUpTo(const IndexSnapshot& snapshot, const Query& query, EvalOptions options,
                      std::uint64_t up_to, EvalResult& result);

}  // namespace fathom
