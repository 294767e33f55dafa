// A bounded min-heap keeping the k best (score, doc) pairs seen.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "common/types.hpp"

namespace fathom {

struct Hit {
  DocId doc;
  Score score;
};

// Higher scores rank first; equal scores rank the smaller doc id first, so
// every evaluator returns the same order for the same scores.
inline bool RanksBefore(const Hit& a, const Hit& b) {
  return a.score > b.score || (a.score == b.score && a.doc < b.doc);
}

class TopK {
 public:
  explicit TopK(std::size_t k) : k_(k) { heap_.reserve(k); }

  // Score a candidate must beat to enter (meaningful once full()).
  Score threshold() const { return heap_.empty() ? 0 : heap_.front().score; }
  bool full() const { return heap_.size() >= k_; }

  void Push(DocId doc, Score score) {
    if (k_ == 0) return;
    const Hit hit{doc, score};
    if (heap_.size() < k_) {
      heap_.push_back(hit);
      std::push_heap(heap_.begin(), heap_.end(), RanksBefore);
    } else if (RanksBefore(hit, heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), RanksBefore);
      heap_.back() = hit;
      std::push_heap(heap_.begin(), heap_.end(), RanksBefore);
    }
  }

  // The hits, best first. Leaves the heap empty.
  std::vector<Hit> TakeSorted() {
    std::sort(heap_.begin(), heap_.end(), RanksBefore);
    return std::move(heap_);
  }

 private:
  std::size_t k_;
  std::vector<Hit> heap_;  // front is the worst kept hit
};

}  // namespace fathom
