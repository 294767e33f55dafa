// The fast evaluators: counting, and top-k with dynamic pruning. Every one
// returns EvaluateExhaustive's hits bit for bit: documents are visited in
// increasing id order (or, for a single term, with ties broken the same way
// by TopK), a document is pruned only when an upper bound of its score is
// below the k-th best score (PruneBelow), and a document that is scored is
// scored by summing its clauses' scores in the exhaustive evaluator's order.
//
// The techniques are the standard ones (Turtle and Flood 1995 for MaxScore,
// Ding and Suel 2011 for Block-Max WAND, Lucene's block-max conjunctions),
// driven by block bounds from the impact records (ClauseCursor::BlockBound)
// and the skip entries' max_frequency / min_length, which bound BM25 for
// any k1 and b.
#include <algorithm>
#include <cmath>
#include <vector>

#include "searcher/eval_clauses.hpp"

namespace fathom::eval {
namespace {

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

// Whether a document visited after every document in top (a larger id)
// enters it: equal scores rank the smaller id first.
bool Enters(const TopK& top, Score score) { return !top.full() || score > top.threshold(); }

// A fully scored candidate of the MaxScore-style loops: enters the top k
// unless excluded; the threshold follows the k-th score once the top is
// full (never below the starting threshold from earlier segments).
void Offer(TopK& top, PreparedQuery& prepared, DocId doc, Score score, EvalResult& result,
           float& threshold) {
  if (Enters(top, score) && !IsExcluded(prepared.excluded, doc)) {
    ++result.total_matches;
    top.Push(doc, score);
    if (top.full()) threshold = std::max(prepared.threshold, top.threshold());
  }
}

// Required clauses in leapfrog order: terms by increasing document
// frequency (the rarest leads), then phrases, whose NextGeq checks positions.
std::vector<ClauseCursor*> LeapfrogOrder(std::vector<ClauseCursor>& clauses) {
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
DocId Align(const std::vector<ClauseCursor*>& order) {
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

// Smallest term frequency whose bound, in a block whose shortest document
// has min_length, exceeds `need`: postings below it cannot help a document
// enter, so they are passed over before their length is even looked up.
// The block-max bound pairs the block's largest frequency with its shortest
// length, often of different documents; this per-posting bound is much
// tighter. Returns max_frequency + 1 when no frequency can.
std::uint32_t MinFrequency(const ClauseCursor& clause, std::uint32_t min_length,
                           std::uint32_t max_frequency, float need) {
  const auto bound = [&](std::uint32_t frequency) {
    return clause.weight() * clause.scorer()(frequency, min_length) * kBoundSlack;
  };
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

// Bits set in a word; portable builds have no popcnt instruction, and
// std::popcount then calls into libgcc.
inline std::uint64_t PopCount(std::uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ull);
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
  return (x * 0x0101010101010101ull) >> 56;
}

// Whether a union is counted faster with a bitmap of the collection than by
// merging: only terms, no excluded clause (deleted documents are masked
// out), and enough postings (at least one per 32 documents) to pay for
// clearing and counting the bitmap. The bitmap reads every posting: when
// the count may stop at a limit below their number, merging, which stops
// there, reads fewer.
bool UnionByBitmap(const IndexReader& reader, const PreparedQuery& prepared, std::uint64_t limit) {
  if (prepared.excludes_clauses() || prepared.optional.size() < 2) return false;
  std::uint64_t postings = 0;
  for (const auto& clause : prepared.optional) {
    if (clause.phrase() != nullptr) return false;
    postings += clause.cost();
  }
  return postings * 32 >= reader.document_count() && limit >= postings;
}

// A lone phrase skips the positions of candidates that cannot enter.
void PrunePhrase(PreparedQuery& prepared, const IndexReader& reader, const float* threshold) {
  if (prepared.slots() != 1) return;
  ClauseCursor& clause = prepared.required.empty() ? prepared.optional[0] : prepared.required[0];
  if (PhraseMatcher* phrase = clause.phrase()) {
    phrase->SetPruning(threshold, clause.scorer(), clause.weight(), &reader);
  }
}

}  // namespace

EvalResult CountMatches(const IndexReader& reader, const Query& query, const EvalOptions& options) {
  const std::uint64_t limit = options.count_limit;
  // Stopped at the limit: a lower bound.
  const EvalResult at_limit{{}, limit, false};
  if (limit == 0) return at_limit;
  // A lone term (required or not; optional clauses beside a required one
  // change no match), with nothing excluded: its document frequency, read
  // from the dictionary without opening the list. With deletions, that
  // frequency less every deleted document is still a lower bound, which
  // settles a limited count when it reaches the limit.
  const QueryClause* single = nullptr;
  std::size_t required = 0, optional = 0;
  bool any_excluded = false;
  for (const auto& clause : query.clauses) {
    if (clause.occur == Occur::kMustNot) any_excluded = true;
    if (clause.occur == Occur::kMust && ++required == 1) single = &clause;
    if (clause.occur == Occur::kShould && ++optional == 1 && required == 0) single = &clause;
  }
  if (!any_excluded && single != nullptr && !single->is_phrase() &&
      (required == 1 || (required == 0 && optional == 1))) {
    const auto info = reader.FindTerm(single->terms[0]);
    const std::uint64_t frequency = info ? info->entry.document_frequency : 0;
    if (options.deleted == nullptr) return {{}, frequency, true};
    const std::uint64_t deleted = options.deleted->count();
    if (frequency > deleted && frequency - deleted >= limit) return at_limit;
  }
  PreparedQuery prepared = Prepare(reader, query, options, false);
  EvalResult result;
  if (prepared.matches_nothing || prepared.slots() == 0) return result;
  // Counts doc unless excluded; true once the count reaches the limit.
  std::uint64_t count = 0;
  auto& excluded = prepared.excluded;
  const auto counted = [&](DocId doc) { return !IsExcluded(excluded, doc) && ++count == limit; };
  if (!prepared.required.empty()) {
    // Optional clauses do not change which documents match.
    const std::vector<ClauseCursor*> order = LeapfrogOrder(prepared.required);
    for (DocId doc = Align(order); doc != kEndDoc; doc = Align(order)) {
      if (counted(doc)) return at_limit;
      order[0]->Next();
    }
  } else if (prepared.optional.size() == 1 && excluded.empty() &&
             prepared.optional[0].term() != nullptr) {
    count = prepared.optional[0].term()->document_frequency();
  } else if (UnionByBitmap(reader, prepared, limit)) {
    // Long lists of terms, nothing excluded: set one bit per posting, block
    // by block, then count the bits. No merging, no per-posting branches.
    thread_local std::vector<std::uint64_t> bits;
    bits.assign((reader.document_count() + 63) / 64, 0);
    for (auto& clause : prepared.optional) {
      PostingCursor& cursor = *clause.term();
      for (std::size_t b = 0; b < cursor.block_count(); ++b) {
        cursor.SeekBlock(b);
        const std::uint32_t* docs = cursor.block_docs();
        for (std::size_t i = 0, n = cursor.block_size(); i < n; ++i) {
          bits[docs[i] >> 6] |= std::uint64_t{1} << (docs[i] & 63);
        }
      }
    }
    if (prepared.deleted != nullptr) {
      const std::vector<std::uint64_t>& deleted = prepared.deleted->words();
      for (std::size_t i = 0; i < bits.size(); ++i) bits[i] &= ~deleted[i];
    }
    for (const std::uint64_t word : bits) count += PopCount(word);
  } else {
    std::vector<ClauseCursor*> clauses;
    for (auto& clause : prepared.optional) clauses.push_back(&clause);
    while (true) {
      DocId doc = kEndDoc;
      for (ClauseCursor* clause : clauses) doc = std::min(doc, clause->doc());
      if (doc == kEndDoc) break;
      if (counted(doc)) return at_limit;
      for (ClauseCursor* clause : clauses) {
        if (clause->doc() == doc) clause->Next();
      }
    }
  }
  result.total_matches = count;
  return result;
}

EvalResult TopKSingleTerm(const IndexReader& reader, PreparedQuery& prepared, std::size_t k) {
  ClauseCursor& clause = prepared.required.empty() ? prepared.optional[0] : prepared.required[0];
  PostingCursor& cursor = *clause.term();
  // Blocks best bound first: the top k fills with the best candidates at
  // once, and the first block whose bound cannot enter ends the search, so
  // only blocks whose maximum can enter the top k are ever decoded.
  struct BlockBound {
    float bound;
    std::uint32_t block;
  };
  std::vector<BlockBound> blocks(cursor.block_count());
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    blocks[b] = {clause.BlockBound(b), static_cast<std::uint32_t>(b)};
  }
  const auto worse = [](const BlockBound& a, const BlockBound& b) {
    return a.bound < b.bound || (a.bound == b.bound && a.block > b.block);
  };
  std::make_heap(blocks.begin(), blocks.end(), worse);
  TopK top(k);
  EvalResult result;
  float threshold = prepared.threshold;
  const float weight = clause.weight();
  const Bm25Scorer& scorer = clause.scorer();
  for (auto end = blocks.end(); end != blocks.begin();) {
    std::pop_heap(blocks.begin(), end, worse);
    --end;
    // Blocks are visited out of doc order, so a document scoring exactly
    // the threshold could still enter (a smaller id wins ties): only a
    // bound below PruneBelow, itself below the threshold, ends the search.
    if (end->bound <= PruneBelow(threshold)) break;
    cursor.SeekBlock(end->block);
    const std::uint32_t* docs = cursor.block_docs();
    const std::uint32_t* frequencies = cursor.block_frequencies();
    const std::size_t size = cursor.block_size();
    const format::SkipEntry skip = cursor.SkipOf(end->block);
    const std::uint32_t min_frequency =
        MinFrequency(clause, skip.min_length, skip.max_frequency, PruneBelow(threshold));
    // Three passes: pick the candidates, then load their lengths (cache
    // misses into doclens, independent of each other, so they overlap
    // instead of waiting behind the branches of the heap), then score.
    std::uint32_t candidates[codec::kBlockSize];
    std::uint32_t lengths[codec::kBlockSize];
    std::size_t n = 0;
    for (std::size_t i = 0; i < size; ++i) {
      candidates[n] = static_cast<std::uint32_t>(i);
      n += frequencies[i] >= min_frequency ? 1 : 0;
    }
    for (std::size_t c = 0; c < n; ++c) lengths[c] = reader.length(docs[candidates[c]]);
    for (std::size_t c = 0; c < n; ++c) {
      const std::size_t i = candidates[c];
      const Score score = weight * scorer(frequencies[i], lengths[c]);
      if ((Enters(top, score) || !top.full() || score == top.threshold()) &&
          !IsDeleted(prepared, docs[i])) {
        top.Push(docs[i], score);
      }
    }
    result.total_matches += size;
    if (prepared.deleted != nullptr) {
      for (std::size_t i = 0; i < size; ++i) {
        if (IsDeleted(prepared, docs[i])) --result.total_matches;
      }
    }
    if (top.full()) threshold = std::max(prepared.threshold, top.threshold());
  }
  result.hits = top.TakeSorted();
  return result;
}

EvalResult TopKMaxScore(const IndexReader& reader, PreparedQuery& prepared, std::size_t k) {
  // Lists by increasing bound; upper[i] bounds a document found only in
  // lists 0..i. Lists whose upper is below the threshold are non-essential:
  // candidates come from the essential ones only, and non-essential lists
  // are probed (block bounds first) while the candidate can still enter.
  std::vector<ClauseCursor*> lists;
  for (auto& clause : prepared.optional) lists.push_back(&clause);
  std::sort(lists.begin(), lists.end(),
            [](ClauseCursor* a, ClauseCursor* b) { return a->max_score() < b->max_score(); });
  const std::size_t n = lists.size();
  std::vector<float> upper(n), block_upper(n);
  float sum = 0;
  for (std::size_t i = 0; i < n; ++i) upper[i] = sum += lists[i]->max_score();

  TopK top(k);
  float threshold = prepared.threshold;
  PrunePhrase(prepared, reader, &threshold);
  SlotScores slots(prepared.slots());
  EvalResult result;
  std::size_t first_essential = 0;
  while (true) {
    const float prune = PruneBelow(threshold);
    while (first_essential < n && upper[first_essential] <= prune) ++first_essential;
    if (first_essential == n) break;
    DocId doc = kEndDoc;
    for (std::size_t i = first_essential; i < n; ++i) doc = std::min(doc, lists[i]->doc());
    if (doc == kEndDoc) break;

    const std::uint32_t length = reader.length(doc);
    float partial = 0;
    for (std::size_t i = first_essential; i < n; ++i) {
      if (lists[i]->doc() != doc) continue;
      const Score score = lists[i]->ScoreAt(length);
      slots.Set(lists[i]->slot(), score);
      partial += score;
      lists[i]->Next();
    }
    bool alive = true;
    if (first_essential > 0) {
      float bound = 0;
      for (std::size_t i = 0; i < first_essential; ++i) {
        block_upper[i] = bound += lists[i]->BlockMaxScore(doc);
      }
      for (std::size_t i = first_essential; i-- > 0;) {
        if (partial + block_upper[i] <= prune) {
          alive = false;
          break;
        }
        lists[i]->NextGeq(doc);
        if (lists[i]->doc() == doc) {
          const Score score = lists[i]->ScoreAt(length);
          slots.Set(lists[i]->slot(), score);
          partial += score;
        }
      }
    }
    if (alive) {
      Offer(top, prepared, doc, slots.Sum(), result, threshold);
    }
    slots.Clear();
  }
  result.hits = top.TakeSorted();
  return result;
}

EvalResult TopKBmw(const IndexReader& reader, PreparedQuery& prepared, std::size_t k) {
  std::vector<ClauseCursor*> lists;
  for (auto& clause : prepared.optional) lists.push_back(&clause);
  const auto by_doc = [](ClauseCursor* a, ClauseCursor* b) { return a->doc() < b->doc(); };
  const std::size_t n = lists.size();

  TopK top(k);
  float threshold = prepared.threshold;
  PrunePhrase(prepared, reader, &threshold);
  SlotScores slots(prepared.slots());
  EvalResult result;
  while (true) {
    std::sort(lists.begin(), lists.end(), by_doc);
    const float prune = PruneBelow(threshold);
    // Pivot: the first list where the bounds of the lists up to it could
    // enter; no document before the pivot's can.
    float bound = 0;
    std::size_t pivot = n;
    for (std::size_t i = 0; i < n && lists[i]->doc() != kEndDoc; ++i) {
      bound += lists[i]->max_score();
      if (bound > prune) {
        pivot = i;
        break;
      }
    }
    if (pivot == n) break;
    const DocId pivot_doc = lists[pivot]->doc();
    while (pivot + 1 < n && lists[pivot + 1]->doc() == pivot_doc) ++pivot;

    float block_bound = 0;
    for (std::size_t i = 0; i <= pivot; ++i) block_bound += lists[i]->BlockMaxScore(pivot_doc);
    if (block_bound > prune) {
      if (lists[0]->doc() == pivot_doc) {
        // Every list holding pivot_doc is in 0..pivot: score it exactly.
        const std::uint32_t length = reader.length(pivot_doc);
        for (std::size_t i = 0; i <= pivot; ++i) {
          slots.Set(lists[i]->slot(), lists[i]->ScoreAt(length));
        }
        const Score score = slots.Sum();
        if (Enters(top, score) && !IsExcluded(prepared.excluded, pivot_doc)) {
          ++result.total_matches;
          top.Push(pivot_doc, score);
          if (top.full()) threshold = std::max(prepared.threshold, top.threshold());
        }
        slots.Clear();
        for (std::size_t i = 0; i <= pivot; ++i) lists[i]->Next();
      } else {
        // Bring the strongest list still before the pivot up to it.
        std::size_t best = 0;
        for (std::size_t i = 1; i <= pivot && lists[i]->doc() < pivot_doc; ++i) {
          if (lists[i]->max_score() > lists[best]->max_score()) best = i;
        }
        lists[best]->NextGeq(pivot_doc);
      }
    } else {
      // No document up to the end of the shallowest block (or the next
      // list's document) can enter: jump past it.
      DocId next = pivot + 1 < n ? lists[pivot + 1]->doc() : kEndDoc;
      std::size_t best = 0;
      for (std::size_t i = 0; i <= pivot; ++i) {
        const DocId last = lists[i]->block_last_doc();
        if (last != kEndDoc) next = std::min(next, last + 1);
        if (lists[i]->max_score() > lists[best]->max_score()) best = i;
      }
      lists[best]->NextGeq(next);
    }
  }
  result.hits = top.TakeSorted();
  return result;
}

EvalResult TopKConjunction(const IndexReader& reader, PreparedQuery& prepared, std::size_t k) {
  const std::vector<ClauseCursor*> required = LeapfrogOrder(prepared.required);
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
    required_upper += clause->max_score();
    required_cost = std::min(required_cost, clause->cost());
  }
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
          required_bound += clause->BlockMaxScore(doc);
          window_end = std::min(window_end, clause->block_last_doc());
        }
        bound = required_bound;
        for (std::size_t j = 0; j < optional.size(); ++j) {
          optional_bound[j] = optional[j]->BlockMaxScore(doc);
          bound += optional_bound[j];
          window_end = std::min(window_end, optional[j]->block_last_doc());
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
          const float own = driver->BlockMaxScore(doc);
          const std::size_t block = driver->shallow_block();
          if (block >= term->block_count()) {
            min_frequency[driver->slot()] = UINT32_MAX;  // the list ends before doc
            continue;
          }
          // The others add at most bound - own; margins keep float rounding
          // of this difference on the safe side.
          const format::SkipEntry skip = term->SkipOf(block);
          const float need = prune - (bound - own) * kBoundSlack - std::abs(prune) * 1e-6f;
          min_frequency[driver->slot()] =
              MinFrequency(*driver, skip.min_length, skip.max_frequency, need);
        }
        // What the optional clauses can add within the window.
        for (std::size_t j = optional.size(); j-- > 0;) {
          window_optional_upper[j] = window_optional_upper[j + 1] + optional[j]->BlockMaxScore(doc);
        }
        window_valid = true;
        window_threshold = threshold;
      }
      if (pending) {
        pending = false;
        moved_to(lead_next_geq(doc));
        continue;
      }
      // A lead posting too rare to reach the threshold is passed over
      // without moving the other lists.
      if (!union_lead && lead->term() != nullptr &&
          lead->frequency() < min_frequency[lead->slot()]) {
        moved_to(lead_next(doc));
        continue;
      }
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
