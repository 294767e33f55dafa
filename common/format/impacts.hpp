// The impact record of a block: the few (term frequency, document length)
// pairs of its postings that can hold its best BM25 score, for any k1 >= 0
// and 0 <= b <= 1. Dynamic pruning bounds a block by the best score of these
// pairs instead of pairing the block's largest frequency with its shortest
// length, which usually belong to different documents (docs/FORMAT.md,
// postings.doc).
#pragma once

#include <cstddef>
#include <cstdint>

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

}  // namespace fathom
