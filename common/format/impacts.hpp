// The impact record of a block: the few (term frequency, document length)
// pairs of its postings that can hold its best BM25 score, for any k1 >= 0
// and 0 <= b <= 1. Dynamic pruning bounds a block by the best score of these
// pairs instead of pairing the block's largest frequency with its shortest
// length, which usually belong to different documents (docs/FORMAT.md,
// postings.doc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/format/format.hpp"

namespace fathom {

// Writes to out (room for format::kMaxImpacts) the pairs that bound the
// postings (frequencies[i], lengths[i]), i < n, in increasing frequency and
// length; returns how many. Every posting's BM25 score is at most the best
// score of the pairs, for every k1 >= 0 and 0 <= b <= 1; when the result has
// fewer than kMaxImpacts pairs, the best score of the pairs is exactly the
// best score of the postings. Deterministic: the writer stores, and the
// checker recomputes, exactly this. REQUIRES: 1 <= n <= 128.
std::size_t CompetitiveImpacts(const std::uint32_t* frequencies, const std::uint32_t* lengths,
                               std::size_t n, format::Impact* out);

// The pairs of a whole list's impact records that no other pair dominates
// (as frequent or more, in a document as short or shorter), most frequent
// first: the list's best score under any BM25 parameters is one of theirs.
// Linear in the pairs (sorting them was a fifth of a cold searcher's time on
// disjunctions of frequent words): the shortest length is kept per
// frequency up to the list's max frequency. A pair above it (a record at
// odds with its skip entries) is still ranked, so the result is exactly the
// undominated pairs whatever the records say.
class ImpactFrontier {
 public:
  explicit ImpactFrontier(std::uint32_t max_frequency);
  void Add(format::Impact pair);
  // The frontier of the pairs added; empty when none was. Call once.
  std::vector<format::Impact> Take();

 private:
  std::vector<std::uint64_t> shortest_;  // by frequency; UINT64_MAX: none
  std::vector<format::Impact> beyond_;   // pairs above max_frequency
};

}  // namespace fathom
