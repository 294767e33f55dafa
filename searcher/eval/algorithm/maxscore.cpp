// MaxScore (Turtle and Flood 1995) over optional clauses: lists whose
// bounds together cannot reach the threshold are only probed, never
// iterated; block-max bounds tighten the probe.
#include "searcher/eval/pruning.hpp"

namespace fathom::eval {

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
  // A lead's postings that cannot reach the threshold with the
  // non-essential lists' block bounds are passed over a block at a time,
  // before a length is looked up one by one or another list probed. A
  // union of a rare and a frequent word, whose frequent one must fill the
  // top k, is the case it is for.
  ViableLeadPostings viable;
  float viable_threshold = kNoThreshold;
  std::size_t viable_lead = SIZE_MAX;  // the list viable was found for
  while (true) {
    const float prune = PruneBelow(threshold);
    while (first_essential < n && upper[first_essential] <= prune) ++first_essential;
    if (first_essential == n) break;
    // The essential list that comes first leads alone while no other
    // essential list has a posting in the rest of its block (the others ran
    // out, or are rare): there a document's score is its own plus what the
    // non-essential lists can add.
    std::size_t lead_index = n;
    DocId first = kEndDoc, second = kEndDoc;
    for (std::size_t i = first_essential; i < n; ++i) {
      const DocId at = lists[i]->doc();
      if (at < first) {
        second = first;
        first = at;
        lead_index = i;
      } else {
        second = std::min(second, at);
      }
    }
    if (first == kEndDoc) break;
    PostingCursor* lead_term = lists[lead_index]->term();
    if (threshold != kNoThreshold && lead_term != nullptr &&
        second > lead_term->loaded_last_doc()) {
      ClauseCursor& lead = *lists[lead_index];
      PostingCursor& term = *lead_term;
      if (!viable.Covers(term) || viable_lead != lead_index || viable_threshold != threshold) {
        DocId stretch_end = term.loaded_last_doc();
        float others = 0;
        for (std::size_t i = 0; i < first_essential; ++i) {
          others += lists[i]->BlockMaxScore(first);
          stretch_end = std::min(stretch_end, lists[i]->block_last_doc());
        }
        // Margins keep float rounding on the safe side, as in the
        // conjunction's.
        const float need = prune - others * kBoundSlack - std::abs(prune) * 1e-6f;
        const format::SkipEntry skip = term.SkipOf(term.block_index());
        FindViable(viable, reader, lead, stretch_end,
                   MinFrequency(lead, skip.min_length, skip.max_frequency, need), need);
        viable_threshold = threshold;
        viable_lead = lead_index;
      }
      const ViableLeadPostings::Step step = viable.Advance(term);
      if (step == ViableLeadPostings::Step::kNoneLeft) {
        term.NextGeq(viable.last_doc(term) + 1);
        continue;
      }
      if (step == ViableLeadPostings::Step::kMoved) continue;
    }
    DocId doc = kEndDoc;
    for (std::size_t i = first_essential; i < n; ++i) doc = std::min(doc, lists[i]->doc());
    if (doc == kEndDoc) break;
    // A candidate the filter leaves out costs no scoring.
    if (prepared.filter != nullptr && !prepared.filter->Admits(doc)) {
      for (std::size_t i = first_essential; i < n; ++i) {
        if (lists[i]->doc() == doc) lists[i]->Next();
      }
      continue;
    }

    const std::uint32_t length = reader.length(doc);
    float partial = 0;
    for (std::size_t i = first_essential; i < n; ++i) {
      if (lists[i]->doc() != doc) continue;
      const Score score = lists[i]->ScoreAt(length);
      slots.Set(lists[i]->slot(), score);
      partial += score;
      lists[i]->Next();
      // The list's next document is often the next candidate: its length
      // is asked for now, while the others are probed and the top k taken.
      reader.lengths().Prefetch(lists[i]->doc());
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

}  // namespace fathom::eval
