// Block-Max WAND (Ding and Suel 2011) over optional clauses: a pivot by
// list-wide bounds, confirmed by the blocks' bounds before any scoring.
#include "searcher/eval/pruning.hpp"

namespace fathom::eval {

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

}  // namespace fathom::eval
