// Required clauses (`+a +b`, `+a b`, required phrases): leapfrog from the
// rarest list, skipping blocks whose bounds cannot enter the top k, with
// optional clauses scored only for candidates that can still enter; two
// sparse lists of similar density are merged a block at a time instead.
#include "searcher/eval/pruning.hpp"

namespace fathom::eval {
namespace {

// TopKMergedConjunction takes a conjunction whose rarest list holds at most
// this share of the documents (1/64): a denser pair has so many common
// documents that scoring each costs more than the leapfrog's filters save.
// On the wiki queries, one query at a time against the leapfrog alone (sums
// of means, us): 301 title conjunctions 12,403 -> 11,755 with 1/64 (11,982
// merging whatever the density); 200 generated 38,035 -> 38,557 (72,715).
constexpr std::uint64_t kMergedTopKLeadShare = 64;

// Required clauses alone, led by two sparse terms of similar density:
// their blocks are merged (MergeRequired) and every document they share is
// scored, unless its frequencies in the two cannot reach the threshold.
// Leapfrogging from the rarer list would instead filter each of its
// postings by frequency and length and seek the other list for those left;
// on title conjunctions such as `+october +18` that took three times as
// long as counting the matches, since nearly every posting passed the
// filter and few were in both lists. Blocks are still skipped where the
// clauses' block bounds cannot reach the threshold.
EvalResult TopKMergedConjunction(const IndexReader& reader, PreparedQuery& prepared,
                                 const std::vector<ClauseCursor*>& required, std::size_t k) {
  float required_upper = 0;
  for (const ClauseCursor* clause : required) required_upper += clause->loose_max_score();
  // A term far more frequent than the rarest (TopKConjunction) is bounded
  // by its list's max score and leaves the window's end to the others.
  std::vector<char> coarse(required.size(), 0);
  for (std::size_t i = 0; i < required.size(); ++i) {
    coarse[i] = IsCoarse(*required[i], required[0]->cost());
  }
  TopK top(k);
  float threshold = prepared.threshold;
  SlotScores slots(prepared.slots());
  EvalResult result;
  // Up to window_end, a document of the two merged lists needs at least
  // these frequencies in them to reach the threshold, given the others'
  // bounds there (as TopKConjunction's drivers).
  DocId window_end = 0;
  std::uint32_t min_frequency[2] = {0, 0};
  std::vector<float> bounds(required.size(), 0.0f);
  const auto from = [&](DocId doc) {
    window_end = 0;
    if (threshold == kNoThreshold) return doc;
    const float prune = PruneBelow(threshold);
    if (required_upper <= prune) return kEndDoc;
    float bound = 0;
    DocId end = kEndDoc;
    for (std::size_t i = 0; i < required.size(); ++i) {
      if (coarse[i]) {
        bounds[i] = required[i]->max_score();
      } else {
        bounds[i] = required[i]->BlockMaxScore(doc);
        end = std::min(end, required[i]->block_last_doc());
      }
      bound += bounds[i];
    }
    if (bound <= prune) return end == kEndDoc ? kEndDoc : end + 1;
    for (std::size_t i = 0; i < 2; ++i) {  // both on doc: in a block of their lists
      min_frequency[i] =
          WindowMinFrequency(*required[i], coarse[i], OwnNeed(prune, bound, bounds[i]));
    }
    window_end = end;
    return doc;
  };
  const auto matched = [&](const DocId* docs, std::size_t n) {
    for (std::size_t f = 0; f < n; ++f) {
      const DocId doc = docs[f];
      if (prepared.filter != nullptr && !prepared.filter->Admits(doc)) continue;
      required[0]->NextGeq(doc);  // within the merged blocks, for the frequency
      required[1]->NextGeq(doc);
      if (doc <= window_end && (required[0]->frequency() < min_frequency[0] ||
                                required[1]->frequency() < min_frequency[1])) {
        continue;
      }
      const std::uint32_t length = reader.length(doc);
      for (ClauseCursor* clause : required) slots.Set(clause->slot(), clause->ScoreAt(length));
      Offer(top, prepared, doc, slots.Sum(), result, threshold);
      slots.Clear();
    }
    return false;
  };
  MergeRequired(required, true, from, matched);
  result.hits = top.TakeSorted();
  return result;
}

}  // namespace

EvalResult TopKConjunction(const IndexReader& reader, PreparedQuery& prepared, std::size_t k) {
  const std::vector<ClauseCursor*> required = LeapfrogOrder(prepared.required);
  if (prepared.optional.empty() && MergesRequired(required) &&
      required[0]->cost() * kMergedTopKLeadShare <= reader.document_count()) {
    return TopKMergedConjunction(reader, prepared, required, k);
  }
  // Optional clauses by decreasing bound; optional_upper[j] bounds what
  // clauses j.. can add.
  std::vector<ClauseCursor*> optional;
  for (auto& clause : prepared.optional) optional.push_back(&clause);
  std::sort(optional.begin(), optional.end(),
            [](ClauseCursor* a, ClauseCursor* b) { return a->max_score() > b->max_score(); });
  std::vector<float> optional_upper(optional.size() + 1, 0.0f);
  for (std::size_t j = optional.size(); j-- > 0;) {
    optional_upper[j] = optional_upper[j + 1] + optional[j]->max_score();
  }
  float required_upper = 0;
  std::uint64_t required_cost = UINT64_MAX;
  for (ClauseCursor* clause : required) {
    required_upper += clause->loose_max_score();
    required_cost = std::min(required_cost, clause->cost());
  }
  // A term far more frequent than the rarest required clause (`of` beside
  // `down`) has blocks that span a sliver of the rarest one's: letting its
  // block ends close the window would recompute every bound at almost every
  // candidate (Lucene's block-max conjunction takes its window from the
  // lead alone for this reason). Such a clause is bounded by its list's
  // max score over any window, and leaves the window's end to the others.
  // The rarest required clause is never coarse, so some clause ends it.
  std::vector<char> coarse_slot(prepared.slots(), 0);
  for (ClauseCursor* clause : required)
    coarse_slot[clause->slot()] = IsCoarse(*clause, required_cost);
  for (ClauseCursor* clause : optional)
    coarse_slot[clause->slot()] = IsCoarse(*clause, required_cost);
  // A clause's bound over the window that starts at doc, and the window's
  // end as far as the clause has it.
  const auto window_bound = [&](ClauseCursor* clause, DocId doc) {
    return coarse_slot[clause->slot()] ? clause->max_score() : clause->BlockMaxScore(doc);
  };
  const auto window_last = [&](ClauseCursor* clause) {
    return coarse_slot[clause->slot()] ? kEndDoc : clause->block_last_doc();
  };
  // The optional clauses' union can lead only if they are all terms (a
  // phrase's NextGeq is too costly to call on every candidate).
  std::uint64_t union_cost = 0;
  for (ClauseCursor* clause : optional) {
    union_cost = clause->term() == nullptr ? UINT64_MAX : union_cost + clause->cost();
    if (union_cost == UINT64_MAX) break;
  }

  TopK top(k);
  float threshold = prepared.threshold;
  PrunePhrase(prepared, reader, &threshold);
  SlotScores slots(prepared.slots());
  EvalResult result;
  // Where candidates come from, decided per window from the block bounds:
  // - drivers: the required lists, plus each optional term without which
  //   the required clauses and the other optional ones cannot reach the
  //   threshold (in `+a b`, b when a alone cannot): it is then required in
  //   effect. The rarest driver leads, the others follow. Bit j of
  //   `promoted` is optional[j]; only the first 64 (by bound) can be.
  // - union_lead: when no single optional term is required in effect but
  //   the required clauses alone cannot reach the threshold, a document
  //   needs at least one optional term: the union of the optional terms
  //   leads when it is shorter than the rarest required list (`+a b c` with
  //   rare b and c), and every driver follows.
  // min_frequency (by slot) is, per window, the smallest frequency with
  // which a driver can still reach the threshold given the other lists'
  // block bounds.
  std::vector<ClauseCursor*> drivers = required;
  std::uint64_t promoted = 0;
  bool union_lead = false;
  std::vector<float> optional_bound(optional.size(), 0.0f);
  std::vector<float> optional_after(optional.size(), 0.0f);  // bounds of j+1..
  std::vector<std::uint32_t> min_frequency(prepared.slots(), 0);
  // What a driver's own score must exceed, per window (by slot): the
  // others' block bounds taken from the threshold.
  std::vector<float> own_need(prepared.slots(), kNoThreshold);
  ViableLeadPostings viable;
  std::vector<float> window_optional_upper = optional_upper;
  DocId window_end = 0;
  bool window_valid = false;
  float window_threshold = kNoThreshold;
  ClauseCursor* lead = drivers[0];
  std::size_t first_follower = 1;
  // Whether the lead is optional (a promoted term, or the union): it may
  // skip documents without it only inside the window whose bounds made it
  // required in effect.
  bool lead_optional = false;
  // The lead's next candidate at or after target, and after the current one.
  const auto lead_next_geq = [&](DocId target) {
    if (!union_lead) {
      lead->NextGeq(target);
      return lead->doc();
    }
    DocId next = kEndDoc;
    for (ClauseCursor* clause : optional) {
      clause->NextGeq(target);
      next = std::min(next, clause->doc());
    }
    return next;
  };
  const auto lead_next = [&](DocId current) {
    if (!union_lead) {
      lead->Next();
      return lead->doc();
    }
    DocId next = kEndDoc;
    for (ClauseCursor* clause : optional) {
      if (clause->doc() == current) clause->Next();
      next = std::min(next, clause->doc());
    }
    return next;
  };
  // doc is the lead's current candidate, or, when pending, a target the
  // lead has yet to be moved to (after the window it was required in).
  DocId doc = lead->doc();
  bool pending = false;
  const auto moved_to = [&](DocId next) {
    if (lead_optional && next > window_end) {
      doc = window_end + 1;  // window_end < next <= kEndDoc
      pending = true;
      window_valid = false;
    } else {
      doc = next;
    }
  };
  while (doc != kEndDoc) {
    const float prune = PruneBelow(threshold);
    if (threshold != kNoThreshold) {
      if (required_upper + optional_upper[0] <= prune) break;
      if (!window_valid || doc > window_end || window_threshold != threshold) {
        // Block-max skipping: bound every document of the window; skip
        // them all if the bound is too low.
        float required_bound = 0, bound = 0;
        window_end = kEndDoc;
        for (ClauseCursor* clause : required) {
          required_bound += window_bound(clause, doc);
          window_end = std::min(window_end, window_last(clause));
        }
        bound = required_bound;
        for (std::size_t j = 0; j < optional.size(); ++j) {
          optional_bound[j] = window_bound(optional[j], doc);
          bound += optional_bound[j];
          window_end = std::min(window_end, window_last(optional[j]));
        }
        if (bound <= prune) {
          window_valid = false;
          if (window_end == kEndDoc) break;
          if (lead_optional) {
            doc = window_end + 1;
            pending = true;
          } else {
            doc = lead_next_geq(window_end + 1);
          }
          continue;
        }
        // The others' bound is summed without j (before + after), not taken
        // as bound minus j's, whose rounding could make it too small.
        std::uint64_t promote = 0;
        float after = 0;
        for (std::size_t j = optional.size(); j-- > 0;) {
          optional_after[j] = after;
          after += optional_bound[j];
        }
        float before = required_bound;
        for (std::size_t j = 0; j < optional.size() && j < 64; ++j) {
          if (optional[j]->term() != nullptr && before + optional_after[j] <= prune) {
            promote |= std::uint64_t{1} << j;
          }
          before += optional_bound[j];
        }
        const bool want_union = promote == 0 && !optional.empty() && required_bound <= prune &&
                                union_cost < required_cost;
        if (promote != promoted || want_union != union_lead) {
          promoted = promote;
          union_lead = want_union;
          drivers = required;
          for (std::size_t j = 0; j < optional.size() && j < 64; ++j) {
            if ((promoted >> j) & 1) drivers.push_back(optional[j]);
          }
          std::stable_sort(drivers.begin(), drivers.end(), [](ClauseCursor* a, ClauseCursor* b) {
            const bool a_phrase = a->phrase() != nullptr;
            const bool b_phrase = b->phrase() != nullptr;
            if (a_phrase != b_phrase) return b_phrase;
            return a->cost() < b->cost();
          });
          lead = drivers[0];
          first_follower = union_lead ? 0 : 1;
          lead_optional = union_lead || lead->slot() >= required.size();
          pending = true;  // doc may not be the new lead's
        }
        for (ClauseCursor* driver : drivers) {
          PostingCursor* term = driver->term();
          if (term == nullptr) continue;
          const std::size_t slot = driver->slot();
          // The driver's own bound over the window.
          const float own = window_bound(driver, doc);
          if (!coarse_slot[slot] && driver->shallow_block() >= term->block_count()) {
            min_frequency[slot] = UINT32_MAX;  // the list ends before doc
            continue;
          }
          const float need = OwnNeed(prune, bound, own);
          min_frequency[slot] = WindowMinFrequency(*driver, coarse_slot[slot], need);
          own_need[slot] = need;
        }
        // What the optional clauses can add within the window.
        for (std::size_t j = optional.size(); j-- > 0;) {
          window_optional_upper[j] = window_optional_upper[j + 1] + optional_bound[j];
        }
        window_valid = true;
        viable.stale = true;
        window_threshold = threshold;
      }
      if (pending) {
        pending = false;
        moved_to(lead_next_geq(doc));
        continue;
      }
      // A lead posting too rare to reach the threshold is passed over
      // without moving the other lists.
      // Nor one whose own length keeps it below.
      if (!union_lead && lead->term() != nullptr) {
        PostingCursor& term = *lead->term();
        if (!viable.Covers(term)) {
          FindViable(viable, reader, *lead, window_end, min_frequency[lead->slot()],
                     own_need[lead->slot()]);
        }
        const ViableLeadPostings::Step step = viable.Advance(term);
        if (step == ViableLeadPostings::Step::kNoneLeft) {
          moved_to(lead_next_geq(viable.last_doc(term) + 1));
          continue;
        }
        if (step == ViableLeadPostings::Step::kMoved) {
          moved_to(term.doc());
          continue;
        }
      }
    }
    // A candidate the filter leaves out moves no other list.
    if (prepared.filter != nullptr && !prepared.filter->Admits(doc)) {
      moved_to(lead_next(doc));
      continue;
    }
    bool aligned = true;
    for (std::size_t i = first_follower; i < drivers.size(); ++i) {
      drivers[i]->NextGeq(doc);
      if (drivers[i]->doc() != doc) {
        doc = drivers[i]->doc();
        aligned = false;
        break;
      }
    }
    if (!aligned) {
      if (doc == kEndDoc) break;
      moved_to(lead_next_geq(doc));
      continue;
    }
    if (window_valid && threshold != kNoThreshold) {
      bool enough = true;
      for (std::size_t i = first_follower; i < drivers.size() && enough; ++i) {
        enough = drivers[i]->term() == nullptr ||
                 drivers[i]->frequency() >= min_frequency[drivers[i]->slot()];
      }
      if (!enough) {
        moved_to(lead_next(doc));
        continue;
      }
    }

    const std::uint32_t length = reader.length(doc);
    float partial = 0;
    for (ClauseCursor* clause : required) {
      const Score score = clause->ScoreAt(length);
      slots.Set(clause->slot(), score);
      partial += score;
    }
    bool alive = true;
    for (std::size_t j = 0; j < optional.size(); ++j) {
      const float rest = window_valid && threshold != kNoThreshold
                             ? std::min(optional_upper[j], window_optional_upper[j])
                             : optional_upper[j];
      if (partial + rest <= prune) {
        alive = false;
        break;
      }
      optional[j]->NextGeq(doc);
      if (optional[j]->doc() == doc) {
        const Score score = optional[j]->ScoreAt(length);
        slots.Set(optional[j]->slot(), score);
        partial += score;
      }
    }
    if (alive) {
      Offer(top, prepared, doc, slots.Sum(), result, threshold);
    }
    slots.Clear();
    moved_to(lead_next(doc));
  }
  result.hits = top.TakeSorted();
  return result;
}

}  // namespace fathom::eval
