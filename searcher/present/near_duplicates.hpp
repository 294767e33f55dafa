// Folding near-duplicate results: a hit whose MinHash sketch says it is a
// near copy of a better-ranked hit (common/analysis/minhash.hpp) is shown under that
// hit, not as a result of its own.
#pragma once

#include <vector>

#include "common/read/index_snapshot.hpp"
#include "searcher/eval/topk.hpp"

namespace fathom {

struct ResultGroup {
  Hit hit;
  std::vector<Hit> near_duplicates;  // in rank order
};

// Groups `hits` (best first) and keeps the first `limit` groups. A hit joins
// the first kept group whose leading hit it nearly duplicates.
std::vector<ResultGroup> FoldNearDuplicates(const IndexSnapshot& snapshot,
                                            const std::vector<Hit>& hits, std::size_t limit);

// Every set of two or more live documents that are near duplicates, linked
// transitively across segments, each set in (global) doc id order.
// Candidates come from locality-sensitive hashing: sketches are cut into
// bands of two values, and only documents that agree on a whole band are
// compared.
std::vector<std::vector<DocId>> FindNearDuplicateGroups(const IndexSnapshot& snapshot);

}  // namespace fathom
