// What the pruning evaluators share (searcher/eval/algorithm/*.cpp): the
// rules that keep them equal to EvaluateExhaustive bit for bit. Documents
// are visited in increasing id order (or, for a single term, with ties
// broken the same way by TopK), a document is pruned only when an upper
// bound of its score is below the k-th best score, and a document that is
// scored is scored by summing its clauses' scores in the exhaustive
// evaluator's order.
//
// The techniques are the standard ones (Turtle and Flood 1995 for MaxScore,
// Ding and Suel 2011 for Block-Max WAND, Lucene's block-max conjunctions),
// driven by block bounds from the impact records (ClauseCursor::BlockBound)
// and the skip entries' max_frequency / min_length, which bound BM25 for
// any k1 and b. One algorithm per file, as PISA's query/algorithm/.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "searcher/eval/eval_clauses.hpp"
#include "searcher/eval/intersect.hpp"

namespace fathom::eval {

// Clause scores of the current document by slot, summed in slot order: the
// order EvaluateExhaustive adds them in. A clause that does not match adds
// +0.0f, which leaves a float sum unchanged.
class SlotScores {
 public:
  explicit SlotScores(std::size_t slots) : values_(slots, 0.0f) {}
  void Set(std::size_t slot, Score value) { values_[slot] = value; }
  Score Sum() const {
    Score sum = 0;
    for (const Score value : values_) sum += value;
    return sum;
  }
  void Clear() { std::fill(values_.begin(), values_.end(), 0.0f); }

 private:
  std::vector<Score> values_;
};

// How many times the rarest required clause's cost (document frequency) a
// term's must exceed for TopKConjunction to bound it by its list's max
// score over a whole window instead of by its blocks, whose ends would cut
// the window to a sliver of the rarest clause's blocks (`of` beside `down`:
// 717,494 postings against 18,411 on Wikipedia). On the wiki conjunctions
// 2 was faster than 1, 4 and 8 (bench/README.md); MaxScore's stretches
// gained nothing from the same rule.
inline constexpr std::uint64_t kCoarseCostRatio = 2;

// Whether TopKConjunction bounds a clause by its list's max score over a
// whole window (kCoarseCostRatio), given the rarest required clause's cost.
inline bool IsCoarse(const ClauseCursor& clause, std::uint64_t rarest_cost) {
  return clause.is_term() && clause.cost() / kCoarseCostRatio > rarest_cost;
}

// What a clause bounded by `own` in a window must score itself to take a
// document above prune when the window's clauses together are bounded by
// `bound`: the others add at most bound - own. Margins keep float rounding
// of this difference on the safe side.
inline float OwnNeed(float prune, float bound, float own) {
  return prune - (bound - own) * kBoundSlack - std::abs(prune) * 1e-6f;
}

// Whether a document visited after every document in top (a larger id)
// enters it: equal scores rank the smaller id first.
inline bool Enters(const TopK& top, Score score) { return !top.full() || score > top.threshold(); }

// A fully scored candidate of the MaxScore-style loops: enters the top k
// unless excluded; the threshold follows the k-th score once the top is
// full (never below the starting threshold from earlier segments).
inline void Offer(TopK& top, PreparedQuery& prepared, DocId doc, Score score, EvalResult& result,
                  float& threshold) {
  if (Enters(top, score) && !IsExcluded(prepared.excluded, doc)) {
    ++result.total_matches;
    top.Push(doc, score);
    if (top.full()) threshold = std::max(prepared.threshold, top.threshold());
  }
}

// Required clauses in leapfrog order: terms by increasing document
// frequency (the rarest leads), then phrases, whose NextGeq checks positions.
inline std::vector<ClauseCursor*> LeapfrogOrder(std::vector<ClauseCursor>& clauses) {
  std::vector<ClauseCursor*> order;
  for (auto& clause : clauses) order.push_back(&clause);
  std::stable_sort(order.begin(), order.end(), [](ClauseCursor* a, ClauseCursor* b) {
    const bool a_phrase = a->phrase() != nullptr;
    const bool b_phrase = b->phrase() != nullptr;
    if (a_phrase != b_phrase) return b_phrase;
    return a->cost() < b->cost();
  });
  return order;
}

// Moves every cursor in order to a common document >= the lead's; returns
// it (kEndDoc when the lists run out).
inline DocId Align(const std::vector<ClauseCursor*>& order) {
  ClauseCursor* lead = order[0];
  DocId doc = lead->doc();
  while (doc != kEndDoc) {
    bool aligned = true;
    for (std::size_t i = 1; i < order.size(); ++i) {
      order[i]->NextGeq(doc);
      if (order[i]->doc() != doc) {
        doc = order[i]->doc();
        aligned = false;
        break;
      }
    }
    if (aligned) return doc;
    if (doc == kEndDoc) return kEndDoc;
    lead->NextGeq(doc);
    doc = lead->doc();
  }
  return kEndDoc;
}

// Two lists of terms whose densities differ at most this much are merged a
// block at a time rather than leapfrogged: seeking costs each candidate a
// call and a mispredicted exit, while intersecting decoded blocks
// (IntersectBlocks) costs about an instruction an id without a branch; for
// a much sparser lead, seeking passes over whole blocks of the other list
// that merging would read. (On the wiki `and` queries, counted: 32 and 64
// measured alike, 8 six per cent slower.)
inline constexpr std::uint64_t kMergeDensityRatio = 32;

// Whether MergeRequired takes the required clauses in `order`
// (LeapfrogOrder): the two rarest are terms of similar density.
inline bool MergesRequired(const std::vector<ClauseCursor*>& order) {
  return order.size() >= 2 && order[0]->term() != nullptr && order[1]->term() != nullptr &&
         order[1]->cost() <= kMergeDensityRatio * order[0]->cost();
}

// The documents of every clause in `order` (REQUIRES: MergesRequired),
// found by merging the loaded blocks of the two rarest and checking the
// others for each document they share. Wherever the two lists reach a
// common document, before their blocks are merged from there, from(doc)
// returns doc, or a later document the rarest list skips to (kEndDoc: no
// more) when none in between can count. matched(docs, n) is handed the
// documents in increasing order and returns true to stop; MergeRequired
// then returns true. With two lists and !want_ids it is handed a merge's
// number of documents at once (docs null); otherwise each document alone
// (n = 1), while the clauses after the two rarest are on it. matched may
// move the two rarest lists to the document it is handed (to read their
// frequencies).
template <typename From, typename Matched>
bool MergeRequired(const std::vector<ClauseCursor*>& order, bool want_ids, From&& from,
                   Matched&& matched) {
  FATHOM_REQUIRE(MergesRequired(order), "two terms of similar density lead");
  PostingCursor& a = *order[0]->term();
  PostingCursor& b = *order[1]->term();
  const auto others_hold = [&](DocId doc) {
    for (std::size_t i = 2; i < order.size(); ++i) {
      order[i]->NextGeq(doc);
      if (order[i]->doc() != doc) return false;
    }
    return true;
  };
  DocId both[codec::kBlockSize];
  while (a.doc() != kEndDoc && b.doc() != kEndDoc) {
    // Seek first, so that a long gap in one list skips blocks of the other.
    if (a.doc() < b.doc()) {
      a.NextGeq(b.doc());
      continue;
    }
    if (b.doc() < a.doc()) {
      b.NextGeq(a.doc());
      continue;
    }
    if (const DocId target = from(a.doc()); target != a.doc()) {
      if (target == kEndDoc) break;
      a.NextGeq(target);
      continue;
    }
    const std::uint32_t* a_docs = a.block_docs();
    const std::uint32_t* b_docs = b.block_docs();
    const std::size_t a_size = a.block_size(), b_size = b.block_size();
    std::size_t i = a.index_in_block(), j = b.index_in_block();
    if (order.size() == 2 && !want_ids) {
      const std::size_t found =
          IntersectBlocks<false>(a_docs, i, a_size, b_docs, j, b_size, nullptr);
      if (found > 0 && matched(nullptr, found)) return true;
    } else {
      const std::size_t found = IntersectBlocks<true>(a_docs, i, a_size, b_docs, j, b_size, both);
      for (std::size_t f = 0; f < found; ++f) {
        if (others_hold(both[f]) && matched(both + f, 1)) return true;
      }
    }
    // Each list goes on from i (j) or, when matched moved it to a shared
    // document past that, from there: a quad of ids is compared whole, so
    // the merge can stop with i before a document it found (b's run used
    // up). The ids the list passes over are below that document, which
    // the other list's run held, so not in its next blocks.
    if (i < a_size) {
      a.MoveInBlock(std::max(i, a.index_in_block()));
    } else {
      a.SeekBlock(a.block_index() + 1);
    }
    if (j < b_size) {
      b.MoveInBlock(std::max(j, b.index_in_block()));
    } else {
      b.SeekBlock(b.block_index() + 1);
    }
  }
  return false;
}

// Smallest term frequency whose bound, in a block whose shortest document
// has min_length, exceeds `need`: postings below it cannot help a document
// enter, so they are passed over before their length is even looked up.
// The block-max bound pairs the block's largest frequency with its shortest
// length, often of different documents; this per-posting bound is much
// tighter. Returns max_frequency + 1 when no frequency can.
inline std::uint32_t MinFrequency(const ClauseCursor& clause, std::uint32_t min_length,
                                  std::uint32_t max_frequency, float need) {
  return SmallestFrequencyAbove(
      [&](std::uint32_t frequency) {
        return clause.weight() * clause.UnweightedBound(frequency, min_length) * kBoundSlack;
      },
      max_frequency, need);
}

// MinFrequency for a term clause within a window: over the block its
// BlockMaxScore last looked at, or, coarse (IsCoarse), over the many blocks
// it may span there, its list's largest frequency in a one-word document.
// REQUIRES: clause.term(); unless coarse, that block is in the list.
inline std::uint32_t WindowMinFrequency(ClauseCursor& clause, bool coarse, float need) {
  const PostingCursor& term = *clause.term();
  if (coarse) return MinFrequency(clause, 1, term.max_frequency(), need);
  FATHOM_REQUIRE(clause.shallow_block() < term.block_count(), "a block of the list");
  const format::SkipEntry skip = term.SkipOf(clause.shallow_block());
  return MinFrequency(clause, skip.min_length, skip.max_frequency, need);
}

// ViableLeadPostings::Find for a term clause, bounded as the clause scores.
inline void FindViable(ViableLeadPostings& viable, const IndexReader& reader, ClauseCursor& lead,
                       DocId stretch_end, std::uint32_t min_frequency, float need) {
  if (!lead.scored_with_title()) {
    // UnweightedBound without its BM25F branch, on copies the compiler
    // knows no store changes: a bound it can vectorize.
    const Bm25Scorer scorer = lead.scorer();
    const float weight = lead.weight();
    viable.Find(
        reader, *lead.term(), stretch_end, min_frequency,
        [scorer, weight](std::uint32_t frequency, std::uint32_t length) {
          return weight * scorer(frequency, length) * kBoundSlack;
        },
        need);
    return;
  }
  viable.Find(
      reader, *lead.term(), stretch_end, min_frequency,
      [&](std::uint32_t frequency, std::uint32_t length) {
        return lead.weight() * lead.UnweightedBound(frequency, length) * kBoundSlack;
      },
      need);
}

// A lone phrase skips the positions of candidates that cannot enter.
inline void PrunePhrase(PreparedQuery& prepared, const IndexReader& reader,
                        const float* threshold) {
  if (prepared.slots() != 1) return;
  ClauseCursor& clause = prepared.required.empty() ? prepared.optional[0] : prepared.required[0];
  if (PhraseMatcher* phrase = clause.phrase()) {
    phrase->SetPruning(threshold, clause.scorer(), clause.weight(), &reader);
  }
}

}  // namespace fathom::eval
