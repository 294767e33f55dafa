// The building blocks the evaluators share: the phrase matcher, and
// ClauseCursor, one scoring clause (a term or a phrase) with the BM25 upper
// bounds that dynamic pruning needs, over the whole list and per block.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "common/bm25.hpp"
#include "common/contract.hpp"
#include "common/read/index_reader.hpp"
#include "common/read/posting_cursor.hpp"
#include "searcher/eval/evaluator.hpp"
#include "searcher/query/query.hpp"

namespace fathom::eval {

// Upper bounds are computed in float like the scores they bound, in another
// order; this factor keeps them above any score despite rounding.
inline constexpr float kBoundSlack = 1.0f + 1e-5f;

// No threshold yet (the top k is not full): nothing may be pruned.
inline constexpr float kNoThreshold = -std::numeric_limits<float>::infinity();

// The threshold pruning decisions compare with: a little below the k-th
// score, so that a document whose score differs from it only by float
// rounding (summed in another order) is always evaluated exactly.
inline float PruneBelow(float threshold) {
  return threshold == kNoThreshold ? kNoThreshold : threshold - std::abs(threshold) * 1e-6f;
}

// Smallest frequency f >= 1 with bound(f) > need, for a bound that grows
// with f; max_frequency + 1 when none up to max_frequency does. A binary
// search: a block's frequencies can reach the thousands.
template <class Bound>
std::uint32_t SmallestFrequencyAbove(const Bound& bound, std::uint32_t max_frequency, float need) {
  if (need == kNoThreshold || bound(1) > need) return 1;
  std::uint32_t low = 2, high = max_frequency + 1;  // answer in [low, high]
  while (low < high) {
    const std::uint32_t mid = low + (high - low) / 2;
    if (bound(mid) > need) {
      high = mid;
    } else {
      low = mid + 1;
    }
  }
  return low;
}

// The postings of term's loaded block in [from, end) that can still beat
// `need`: frequency at least min_frequency, then bound(frequency, length)
// above need with the document's own length. The lengths of those left are
// loaded together, so that their cache misses overlap instead of stalling
// one candidate at a time. Writes their indexes to out; returns how many.
template <class Bound>
std::size_t ViablePostings(const IndexReader& reader, PostingCursor& term, std::size_t from,
                           std::size_t end, std::uint32_t min_frequency, const Bound& bound,
                           float need, std::uint32_t* out) {
  const std::uint32_t* docs = term.block_docs();
  const std::uint32_t* frequencies = term.block_frequencies();
  std::uint32_t candidates[codec::kBlockSize];
  std::uint32_t candidate_frequencies[codec::kBlockSize];
  std::uint32_t lengths[codec::kBlockSize];
  float bounds[codec::kBlockSize];
  std::size_t n = 0;
  for (std::size_t i = from; i < end; ++i) {
    candidates[n] = static_cast<std::uint32_t>(i);
    candidate_frequencies[n] = frequencies[i];
    n += frequencies[i] >= min_frequency ? 1 : 0;
  }
  for (std::size_t c = 0; c < n; ++c) lengths[c] = reader.length(docs[candidates[c]]);
  // Bounded in a loop of their own, which the compiler vectorizes: in the
  // compacting loop below, each division waited for the one before.
  for (std::size_t c = 0; c < n; ++c) bounds[c] = bound(candidate_frequencies[c], lengths[c]);
  std::size_t count = 0;
  for (std::size_t c = 0; c < n; ++c) {
    out[count] = candidates[c];
    count += bounds[c] > need ? 1 : 0;
  }
  return count;
}

// A lead list's postings, from its current one to the last whose document
// is at most a stretch's end in its block, that can still reach the
// threshold on their own (ViablePostings), found for the whole stretch at
// once: the lead of a lone phrase, of a conjunction, of MaxScore.
struct ViableLeadPostings {
  std::uint32_t index[codec::kBlockSize];
  std::size_t count = 0;
  std::size_t next = 0;  // first of index[] not yet passed
  std::size_t last = 0;  // the last posting considered
  std::size_t block = SIZE_MAX;
  bool stale = true;  // the window or threshold changed

  // REQUIRES: the lead's current document is at most stretch_end.
  template <class Bound>
  void Find(const IndexReader& reader, PostingCursor& term, DocId stretch_end,
            std::uint32_t min_frequency, const Bound& bound, float need) {
    block = term.block_index();
    stale = false;
    count = next = 0;
    const std::uint32_t* docs = term.block_docs();
    std::size_t end = term.index_in_block();
    while (end < term.block_size() && docs[end] <= stretch_end) ++end;
    FATHOM_REQUIRE(end > term.index_in_block(), "Find from a posting inside the stretch");
    last = end - 1;
    count =
        ViablePostings(reader, term, term.index_in_block(), end, min_frequency, bound, need, index);
  }
  // Whether Find's stretch holds the lead's current posting.
  bool Covers(const PostingCursor& term) const {
    return !stale && block == term.block_index() && last >= term.index_in_block();
  }
  enum class Step { kHere, kMoved, kNoneLeft };
  // Moves the lead to its first viable posting at or after its current one:
  // kHere when that is the current one, kNoneLeft (the lead unmoved) when
  // none is left in the stretch, whose last doc is then last_doc().
  // REQUIRES: Covers(term).
  Step Advance(PostingCursor& term) {
    FATHOM_REQUIRE(Covers(term), "Advance within the stretch Find considered");
    const std::size_t at = term.index_in_block();
    while (next < count && index[next] < at) ++next;
    if (next == count) return Step::kNoneLeft;
    if (index[next] == at) return Step::kHere;
    term.MoveInBlock(index[next]);
    return Step::kMoved;
  }
  DocId last_doc(const PostingCursor& term) const { return term.block_docs()[last]; }
};

// Documents where the terms occur at their relative offsets (or, with a
// slop, near them: Lucene's sloppy phrases). A term may be a word pair
// standing for two adjacent words (MakeMatcher; common/analysis/fields.hpp):
// a phrase of one pair is that pair's list, whose frequency is the
// phrase's. Candidates come from a leapfrog conjunction driven by the
// rarest term; positions are decoded only for documents that contain every
// term, and (with pruning set) only when the smallest term frequency there
// could still score into the top k: the phrase cannot occur more often
// than its rarest word (or pair). A far more frequent word of a longer
// phrase is looked up only in documents where the others occur at their
// offsets.
class PhraseMatcher final : public Matcher {
 public:
  // With slop 0, the terms at exactly their offsets; with slop > 0, within
  // that many positions of them, in any order.
  PhraseMatcher(std::vector<PostingCursor> cursors, std::vector<std::uint32_t> offsets,
                std::uint32_t slop = 0);

  DocId doc() const override { return doc_; }
  void Next() override { Settle(doc_ == kEndDoc ? kEndDoc : doc_ + 1); }
  void NextGeq(DocId target) override {
    if (target > doc_ || doc_ == kEndDoc) Settle(target);
  }
  std::uint32_t frequency() override { return frequency_; }

  // Skips candidates whose bound weight * scorer(min tf, length) is at most
  // PruneBelow(*threshold). The pointee is read at every candidate.
  void SetPruning(const float* threshold, const Bm25Scorer& scorer, float weight,
                  const IndexReader* reader) {
    threshold_ = threshold;
    scorer_ = scorer;
    weight_ = weight;
    reader_ = reader;
  }
  // Skips candidates the filter does not admit before decoding their
  // positions (they could never count). Null: none.
  void SetFilter(const SegmentFilter* filter) { filter_ = filter; }
  // Smallest document frequency of the terms: the cost of the conjunction.
  std::uint64_t cost() const { return cursors_[order_[0]].document_frequency(); }

 private:
  void Settle(DocId target);
  std::uint32_t CountOccurrences();
  std::uint32_t CountSloppyOccurrences();
  // With pruning on, moves the lead (the rarest term) to its next posting
  // that could still enter the top k on its own frequency and length: the
  // phrase occurs at most as often as each of its words, so the others are
  // passed over without moving the other lists. A block's list of such
  // postings stays a superset of what can enter while the threshold rises.
  void PassOverWeakLead();
  // Whether the phrase, occurring at most `most` times in doc, scores
  // below the pruning threshold there.
  bool CannotEnter(std::uint32_t most, DocId doc) const {
    return weight_ * (*scorer_)(most, reader_->length(doc)) * kBoundSlack <=
           PruneBelow(*threshold_);
  }

  std::vector<PostingCursor> cursors_;
  std::vector<std::uint32_t> offsets_;
  std::vector<std::size_t> order_;
  // Settle aligns order_'s first aligned_terms_ terms on a candidate before
  // its positions are read. In an exact phrase of three or more terms, a
  // term kDeferredTermRatio times as frequent as the rarest (`of` in "song
  // of songs") is deferred: moved to the candidate only when the aligned
  // terms' positions leave a start for it to confirm, so its doc ids are
  // not decoded for every candidate. deferred_[i]: cursor i is.
  std::size_t aligned_terms_ = 0;
  std::vector<char> deferred_;
  std::vector<std::vector<std::uint32_t>> positions_;
  std::vector<std::uint32_t> starts_;  // phrase starts still possible
  // CountOccurrences' order of the terms after the anchor, and their
  // frequencies in the current document.
  std::vector<std::pair<std::uint32_t, std::size_t>> confirm_order_;
  std::uint32_t slop_;
  std::vector<std::pair<std::int64_t, std::size_t>> events_;  // sloppy: (shifted position, term)
  DocId doc_ = kEndDoc;
  std::uint32_t frequency_ = 0;
  const float* threshold_ = nullptr;
  std::optional<Bm25Scorer> scorer_;
  float weight_ = 1;
  const IndexReader* reader_ = nullptr;
  const SegmentFilter* filter_ = nullptr;
  ViableLeadPostings viable_;  // the lead's, in its current block
};

// One scoring clause. Exactly one of term and phrase is set; the branch on
// it is taken the same way for the whole query, so it predicts perfectly.
class ClauseCursor {
 public:
  // `slot` is the clause's place in the exhaustive evaluator's summation
  // order, so that pruned evaluators can sum scores in that same order.
  ClauseCursor(PostingCursor cursor, const Bm25Scorer& scorer, float weight, std::size_t slot,
               bool compute_bounds, std::optional<TitleScoring> title = std::nullopt);
  ClauseCursor(std::unique_ptr<PhraseMatcher> phrase, const Bm25Scorer& scorer, float weight,
               std::size_t slot);

  DocId doc() const { return term_ ? term_->doc() : phrase_->doc(); }
  void Next() {
    if (term_) {
      term_->Next();
    } else {
      phrase_->Next();
    }
  }
  void NextGeq(DocId target) {
    if (term_) {
      term_->NextGeq(target);
    } else {
      phrase_->NextGeq(target);
    }
  }
  std::uint32_t frequency() { return term_ ? term_->frequency() : phrase_->frequency(); }
  // The clause's score in the current document, as EvaluateExhaustive
  // computes it (same expression, so the same bits).
  Score ScoreAt(std::uint32_t length) {
    return ClauseScore(weight_, scorer_, title_, doc(), frequency(), length);
  }

  // Bound on ScoreAt over the whole list: the largest block bound, found
  // on first use (it reads every block's skip entry, which a conjunction's
  // required terms never need).
  float max_score() const {
    if (!max_score_known_) {
      max_score_ = ExactMaxScore();
      max_score_known_ = true;
    }
    return max_score_;
  }
  // A bound on ScoreAt over the whole list that costs nothing: the list's
  // largest frequency in a document of one word.
  float loose_max_score() const {
    if (max_score_known_ || !term_) return max_score_;
    return weight_ * UnweightedBound(term_->max_frequency(), 1) * kBoundSlack;
  }
  // Bound on ScoreAt over the block holding `target` (the first block whose
  // last doc is >= target), read from its skip entry without decoding.
  // Targets must not decrease. Phrases have no blocks: their bound is
  // max_score() up to kEndDoc.
  float BlockMaxScore(DocId target) {
    if (!term_) return max_score_;
    if (shallow_block_ >= term_->block_count() || term_->LastDocOf(shallow_block_) < target) {
      shallow_block_ = term_->FindBlock(target, shallow_block_);
      bound_block_ = SIZE_MAX;
    }
    if (bound_block_ != shallow_block_) {
      block_bound_ = shallow_block_ < term_->block_count() ? BlockBound(shallow_block_) : 0.0f;
      bound_block_ = shallow_block_;
    }
    return block_bound_;
  }
  // The block BlockMaxScore last looked at (block_count() when none).
  std::size_t shallow_block() const { return shallow_block_; }
  // Last doc of the block BlockMaxScore last looked at (kEndDoc: none).
  DocId block_last_doc() const {
    return term_ && shallow_block_ < term_->block_count() ? term_->LastDocOf(shallow_block_)
                                                          : kEndDoc;
  }
  // Bound on ScoreAt over a block: the best score of its impact pairs.
  float BlockBound(std::size_t block) const {
    format::Impact impacts[format::kMaxImpacts];
    return PairsBound(impacts, term_->ImpactsOf(block, impacts));
  }
  // Bound on ScoreAt where the (frequency, length) pairs are the only ones.
  float PairsBound(const format::Impact* pairs, std::size_t count) const {
    float best = 0;
    for (std::size_t i = 0; i < count; ++i) {
      best = std::max(best, UnweightedBound(pairs[i].frequency, pairs[i].length));
    }
    return weight_ * best * kBoundSlack;
  }
  // A looser bound from the skip entry alone: the block's largest frequency
  // with its shortest length. Cheaper; at least BlockBound.
  float LooseBlockBound(std::size_t block) const {
    const format::SkipEntry skip = term_->SkipOf(block);
    return weight_ * UnweightedBound(skip.max_frequency, skip.min_length) * kBoundSlack;
  }

  // Bound on the unweighted score where the word occurs frequency times in
  // a document of this length: BM25's, or BM25F's with the title stream at
  // its largest (title_part_bound_).
  float UnweightedBound(std::uint32_t frequency, std::uint32_t length) const {
    if (!title_) return scorer_(frequency, length);
    const Bm25fScorer& f = title_->scorer;
    return f.FromPseudoFrequency(f.PseudoFrequency(frequency, length, 0, 0) + title_part_bound_);
  }

  std::uint64_t cost() const { return term_ ? term_->document_frequency() : phrase_->cost(); }
  std::size_t slot() const { return slot_; }
  PostingCursor* term() { return term_ ? &*term_ : nullptr; }
  bool is_term() const { return term_.has_value(); }
  // A word scored by BM25F (QueryClause::title), not by scorer().
  bool scored_with_title() const { return title_.has_value(); }
  PhraseMatcher* phrase() { return phrase_.get(); }
  const PhraseMatcher* phrase() const { return phrase_.get(); }
  const Bm25Scorer& scorer() const { return scorer_; }
  float weight() const { return weight_; }

 private:
  float ExactMaxScore() const;

  std::optional<PostingCursor> term_;
  std::unique_ptr<PhraseMatcher> phrase_;
  Bm25Scorer scorer_;
  std::optional<TitleScoring> title_;
  float title_part_bound_ = 0;
  float weight_;
  std::size_t slot_;
  mutable float max_score_ = std::numeric_limits<float>::infinity();
  mutable bool max_score_known_ = true;  // a term's, when bounds are wanted, on first use
  std::size_t shallow_block_ = 0;
  std::size_t bound_block_ = SIZE_MAX;  // the block block_bound_ is of
  float block_bound_ = 0;
};

// A query turned into cursors, in the exhaustive evaluator's order: slots
// 0..required.size()-1 are the required clauses, then the optional ones.
struct PreparedQuery {
  std::vector<ClauseCursor> required;
  std::vector<ClauseCursor> optional;
  std::vector<std::unique_ptr<Matcher>> excluded;
  bool matches_nothing = false;  // a required clause has a term not in the index
  // EvalOptions::deleted. Also the first of `excluded` (a matcher), so that
  // deleted documents are skipped wherever excluded ones are; kept here for
  // what tests documents out of order or counts by bitmap.
  const DeletedDocs* deleted = nullptr;
  // EvalOptions::filter; also a matcher of `excluded` (RejectedMatcher).
  const SegmentFilter* filter = nullptr;
  float threshold = kNoThreshold;  // EvalOptions::threshold: where pruning starts
  std::size_t slots() const { return required.size() + optional.size(); }
  // Whether an excluded clause or a filter (not only deletions) may remove
  // documents.
  bool excludes_clauses() const { return excluded.size() > (deleted != nullptr ? 1 : 0); }
  // Whether only deletions and the filter remove documents: what IsLeftOut
  // answers for any document, in any order.
  bool excludes_only_left_out() const {
    return excluded.size() == (deleted != nullptr ? 1u : 0u) + (filter != nullptr ? 1u : 0u);
  }
};
// compute_bounds: whether to compute max_score (a pass over the skip table).
PreparedQuery Prepare(const IndexReader& reader, const Query& query, const EvalOptions& options,
                      bool compute_bounds);

// Whether doc is deleted or not admitted by the filter, in any order of
// docs.
inline bool IsLeftOut(const PreparedQuery& prepared, DocId doc) {
  return (prepared.deleted != nullptr && prepared.deleted->contains(doc)) ||
         (prepared.filter != nullptr && !prepared.filter->Admits(doc));
}

// Whether an excluded clause matches doc, or doc is deleted. Docs must not
// decrease.
inline bool IsExcluded(std::vector<std::unique_ptr<Matcher>>& excluded, DocId doc) {
  for (auto& matcher : excluded) {
    matcher->NextGeq(doc);
    if (matcher->doc() == doc) return true;
  }
  return false;
}

// The evaluators of searcher/eval/algorithm/, one per file; Evaluate
// dispatches to them.
EvalResult CountMatches(const IndexReader& reader, const Query& query, const EvalOptions& options);
EvalResult TopKSingleTerm(const IndexReader& reader, PreparedQuery& prepared, std::size_t k);
EvalResult TopKConjunction(const IndexReader& reader, PreparedQuery& prepared, std::size_t k);
EvalResult TopKMaxScore(const IndexReader& reader, PreparedQuery& prepared, std::size_t k);
EvalResult TopKBmw(const IndexReader& reader, PreparedQuery& prepared, std::size_t k);

}  // namespace fathom::eval
