// Basic identifiers shared by the indexer and the searcher.
#pragma once

#include <cstdint>
#include <limits>

namespace fathom {

// Internal document number: dense, 0-based, in indexing order.
using DocId = std::uint32_t;
using Score = float;

// A cursor that has run past its last posting reports this document id. It is
// larger than every real id so that "min over cursors" needs no special case.
inline constexpr DocId kEndDoc = std::numeric_limits<DocId>::max();

// Largest number of documents one index may hold (kEndDoc is reserved).
inline constexpr std::uint64_t kMaxDocuments = kEndDoc - 1;

}  // namespace fathom
