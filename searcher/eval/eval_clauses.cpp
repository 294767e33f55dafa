#include "searcher/eval/eval_clauses.hpp"

#include <algorithm>
#include <numeric>

namespace fathom::eval {
namespace {

// How many times as frequent as a phrase's rarest term a third or later
// term must be for PhraseMatcher to defer it. Per-query sums over the 301
// title phrases, top 10 (us): 19,684 and 20,711 deferring none; 19,132 and
// 19,056 with 4; 18,353 and 18,920 with 8; 18,389 and 19,112 with 16;
// 19,395 and 19,169 with 32 (bench/README.md).
constexpr std::uint64_t kDeferredTermRatio = 8;

}  // namespace

PhraseMatcher::PhraseMatcher(std::vector<PostingCursor> cursors, std::vector<std::uint32_t> offsets,
                             std::uint32_t slop)
    : cursors_(std::move(cursors)),
      offsets_(std::move(offsets)),
      positions_(cursors_.size()),
      slop_(slop) {
  order_.resize(cursors_.size());
  std::iota(order_.begin(), order_.end(), 0);
  std::sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) {
    return cursors_[a].document_frequency() < cursors_[b].document_frequency();
  });
  // Sloppy phrases read every term's positions, so all are aligned; the two
  // rarest always are.
  aligned_terms_ = order_.size();
  deferred_.assign(cursors_.size(), 0);
  if (slop_ == 0) {
    const std::uint64_t rarest = cursors_[order_[0]].document_frequency();
    for (std::size_t k = 2; k < order_.size(); ++k) {
      if (cursors_[order_[k]].document_frequency() / kDeferredTermRatio >= rarest) {
        aligned_terms_ = k;
        break;
      }
    }
    for (std::size_t k = aligned_terms_; k < order_.size(); ++k) deferred_[order_[k]] = 1;
  }
  Settle(0);
}

void PhraseMatcher::Settle(DocId target) {
  PostingCursor& lead = cursors_[order_[0]];
  while (target != kEndDoc) {
    lead.NextGeq(target);
    const bool pruning = threshold_ != nullptr && *threshold_ != kNoThreshold;
    if (pruning) PassOverWeakLead();
    const DocId candidate = lead.doc();
    if (candidate == kEndDoc) break;
    bool aligned = true;
    for (std::size_t i = 1; i < aligned_terms_; ++i) {
      PostingCursor& follower = cursors_[order_[i]];
      follower.NextGeq(candidate);
      if (follower.doc() != candidate) {
        target = follower.doc();
        aligned = false;
        break;
      }
    }
    if (!aligned) continue;
    if (filter_ != nullptr && !filter_->Admits(candidate)) {
      target = candidate + 1;
      continue;
    }
    if (pruning) {
      std::uint32_t most = UINT32_MAX;  // of the aligned terms: still a bound
      for (std::size_t i = 0; i < aligned_terms_; ++i) {
        most = std::min(most, cursors_[order_[i]].frequency());
      }
      if (CannotEnter(most, candidate)) {
        target = candidate + 1;
        continue;
      }
    }
    frequency_ = slop_ == 0 ? CountOccurrences() : CountSloppyOccurrences();
    if (frequency_ > 0) {
      doc_ = candidate;
      return;
    }
    target = candidate + 1;
  }
  doc_ = kEndDoc;
  frequency_ = 0;
}

void PhraseMatcher::PassOverWeakLead() {
  PostingCursor& lead = cursors_[order_[0]];
  const auto bound = [&](std::uint32_t frequency, std::uint32_t length) {
    return weight_ * (*scorer_)(frequency, length) * kBoundSlack;
  };
  while (lead.doc() != kEndDoc) {
    const std::size_t block = lead.block_index();
    if (!viable_.Covers(lead)) {
      const float prune = PruneBelow(*threshold_);
      const format::SkipEntry skip = lead.SkipOf(block);
      const std::uint32_t enough = SmallestFrequencyAbove(
          [&](std::uint32_t frequency) { return bound(frequency, skip.min_length); },
          skip.max_frequency, prune);
      if (enough > skip.max_frequency) {
        lead.SeekBlock(block + 1);  // no posting of the block can enter
        continue;
      }
      viable_.Find(*reader_, lead, kEndDoc, enough, bound, prune);
    }
    if (viable_.Advance(lead) != ViableLeadPostings::Step::kNoneLeft) return;
    lead.SeekBlock(block + 1);
  }
}

// An occurrence is one position per term whose positions, shifted by the
// terms' offsets in the phrase, span at most slop_; occurrences are counted
// without overlap, by a sliding window over all shifted positions.
std::uint32_t PhraseMatcher::CountSloppyOccurrences() {
  events_.clear();
  for (std::size_t i = 0; i < cursors_.size(); ++i) {
    cursors_[i].Positions(positions_[i]);
    for (const std::uint32_t p : positions_[i]) {
      events_.emplace_back(static_cast<std::int64_t>(p) - offsets_[i], i);
    }
  }
  std::sort(events_.begin(), events_.end());
  std::vector<std::uint32_t> in_window(cursors_.size(), 0);
  std::size_t present = 0;
  std::uint32_t count = 0;
  std::size_t left = 0;
  for (std::size_t right = 0; right < events_.size(); ++right) {
    if (in_window[events_[right].second]++ == 0) ++present;
    while (present == cursors_.size()) {
      if (events_[right].first - events_[left].first <= static_cast<std::int64_t>(slop_)) {
        ++count;
        std::fill(in_window.begin(), in_window.end(), 0);
        present = 0;
        left = right + 1;
        break;
      }
      if (--in_window[events_[left].second] == 0) --present;
      ++left;
    }
  }
  return count;
}

std::uint32_t PhraseMatcher::CountOccurrences() {
  // A phrase of one list (two pair words, matched through their pair)
  // occurs wherever the list's term does.
  if (cursors_.size() == 1 && offsets_[0] == 0) return cursors_[0].frequency();
  // Anchor on the term with the fewest positions in this document, then
  // keep the phrase starts every other term confirms, the terms with fewer
  // positions first: linear merges of sorted lists, stopping (and decoding
  // no more positions) once no start is left. In "song of songs" the second
  // `song` rules out most documents before the many positions of `of` are
  // decoded. Deferred terms come last, and are moved to the document only
  // if a start is left for them.
  confirm_order_.clear();
  for (std::size_t i = 0; i < cursors_.size(); ++i) {
    if (!deferred_[i]) confirm_order_.emplace_back(cursors_[i].frequency(), i);
  }
  // A handful of terms: insertion sort, stable, so ties keep query order.
  for (std::size_t i = 1; i < confirm_order_.size(); ++i) {
    for (std::size_t j = i; j > 0 && confirm_order_[j].first < confirm_order_[j - 1].first; --j) {
      std::swap(confirm_order_[j], confirm_order_[j - 1]);
    }
  }
  for (std::size_t k = aligned_terms_; k < order_.size(); ++k) {
    confirm_order_.emplace_back(0, order_[k]);
  }
  const DocId candidate = cursors_[order_[0]].doc();
  const std::size_t anchor = confirm_order_[0].second;
  cursors_[anchor].Positions(positions_[anchor]);
  starts_.clear();
  for (const std::uint32_t p : positions_[anchor]) {
    if (p >= offsets_[anchor]) starts_.push_back(p - offsets_[anchor]);
  }
  for (std::size_t k = 1; k < confirm_order_.size() && !starts_.empty(); ++k) {
    const std::size_t i = confirm_order_[k].second;
    if (k >= aligned_terms_) {
      cursors_[i].NextGeq(candidate);
      if (cursors_[i].doc() != candidate) return 0;
    }
    cursors_[i].Positions(positions_[i]);
    const std::vector<std::uint32_t>& positions = positions_[i];
    const std::uint32_t offset = offsets_[i];
    std::size_t kept = 0;
    std::size_t j = 0;
    for (const std::uint32_t start : starts_) {
      const std::uint64_t wanted = std::uint64_t{start} + offset;
      while (j < positions.size() && positions[j] < wanted) ++j;
      if (j == positions.size()) break;
      if (positions[j] == wanted) starts_[kept++] = start;
    }
    starts_.resize(kept);
  }
  return static_cast<std::uint32_t>(starts_.size());
}

ClauseCursor::ClauseCursor(PostingCursor cursor, const Bm25Scorer& scorer, float weight,
                           std::size_t slot, bool compute_bounds, std::optional<TitleScoring> title)
    : term_(std::move(cursor)),
      scorer_(scorer),
      title_(std::move(title)),
      weight_(weight),
      slot_(slot) {
  if (title_) title_part_bound_ = title_->scorer.FieldPartBound(title_->stream.max_frequency());
  max_score_known_ = !compute_bounds;  // without bounds, infinity
}

float ClauseCursor::ExactMaxScore() const {
  // The exact maximum of the block bounds: a looser bound (largest
  // frequency with shortest length, from different blocks) would keep
  // frequent terms essential in MaxScore for much longer. A long list's
  // frontier holds every pair that can give it (the bound grows with the
  // frequency and shrinks with the length), and is read once per process.
  if (const std::vector<format::Impact>* frontier = term_->ListImpacts()) {
    return PairsBound(frontier->data(), frontier->size());
  }
  // Otherwise only blocks whose loose bound beats the best so far need
  // their impact records read.
  float best = 0;
  for (std::size_t b = 0; b < term_->block_count(); ++b) {
    if (LooseBlockBound(b) > best) best = std::max(best, BlockBound(b));
  }
  return best;
}

ClauseCursor::ClauseCursor(std::unique_ptr<PhraseMatcher> phrase, const Bm25Scorer& scorer,
                           float weight, std::size_t slot)
    : phrase_(std::move(phrase)), scorer_(scorer), weight_(weight), slot_(slot) {
  // BM25 saturates: tf / (tf + norm) < 1 for any frequency.
  max_score_ = weight_ * scorer_.weight() * kBoundSlack;
}

PreparedQuery Prepare(const IndexReader& reader, const Query& query, const EvalOptions& options,
                      bool compute_bounds) {
  PreparedQuery prepared;
  prepared.deleted = options.deleted;
  if (options.deleted != nullptr) prepared.excluded.push_back(DeletedMatcher(*options.deleted));
  prepared.filter = options.filter;
  if (options.filter != nullptr) {
    prepared.excluded.push_back(RejectedMatcher(*options.filter, reader.document_count()));
  }
  prepared.threshold = options.threshold;
  const Bm25Params& bm25 = options.bm25;
  const double average_length = ScoringAverageLength(reader, options.stats);
  struct Pending {
    const QueryClause* clause;
    ClauseMatcher made;
    std::optional<TermInfo> info;  // of a term clause, or of a phrase's word pair
  };
  std::vector<Pending> required, optional;
  for (const auto& clause : query.clauses) {
    if (clause.occur == Occur::kMustNot) {
      ClauseMatcher made = MakeMatcher(reader, clause, options.stats);
      if (made.matcher) prepared.excluded.push_back(std::move(made.matcher));
      continue;
    }
    // Terms get a bare PostingCursor (no virtual calls); phrases a matcher.
    if (clause.is_phrase()) {
      ClauseMatcher made = MakeMatcher(reader, clause, options.stats);
      if (!made.matcher) {
        if (clause.occur == Occur::kMust) prepared.matches_nothing = true;
        continue;
      }
      // A phrase of two pair words is one list, the pair's: scored as a
      // term (with the phrase's idf), it gets a term's block-max bounds.
      const std::optional<TermInfo> pair = made.pair_list;
      (clause.occur == Occur::kMust ? required : optional)
          .push_back({&clause, std::move(made), pair});
    } else {
      const auto info = reader.FindTerm(clause.terms[0]);
      if (!info) {
        if (clause.occur == Occur::kMust) prepared.matches_nothing = true;
        continue;
      }
      (clause.occur == Occur::kMust ? required : optional).push_back({&clause, {}, info});
    }
  }
  if (prepared.matches_nothing) return prepared;
  std::size_t slot = 0;
  for (auto* list : {&required, &optional}) {
    auto& out = list == &required ? prepared.required : prepared.optional;
    out.reserve(list->size());
    for (Pending& pending : *list) {
      const QueryClause& clause = *pending.clause;
      if (clause.is_phrase() && !pending.info) {
        const Bm25Scorer scorer(bm25, pending.made.idf, average_length);
        std::unique_ptr<PhraseMatcher> phrase(
            static_cast<PhraseMatcher*>(pending.made.matcher.release()));
        phrase->SetFilter(options.filter);
        out.emplace_back(std::move(phrase), scorer, clause.weight, slot++);
      } else {
        const TermInfo& info = *pending.info;
        const float idf = clause.is_phrase() ? pending.made.idf
                                             : ScoringIdf(reader, options.stats, clause.terms[0],
                                                          info.entry.document_frequency);
        const Bm25Scorer scorer(bm25, idf, average_length);
        std::optional<TitleScoring> title;
        if (clause.title && !clause.is_phrase()) {
          title = MakeTitleScoring(reader, clause, bm25, options.stats, idf);
        }
        out.emplace_back(PostingCursor(reader, info), scorer, clause.weight, slot++, compute_bounds,
                         std::move(title));
      }
    }
  }
  return prepared;
}

}  // namespace fathom::eval
