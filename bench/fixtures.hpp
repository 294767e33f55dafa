// Shared benchmark data: a small real index built once per process.
#pragma once

#include <cstddef>
#include <optional>

#include "common/read/index_reader.hpp"

namespace fathom::bench {

// A 30,000-document index built on first use with fathom::BuildIndex from
// the synthetic corpus model (seed 42), in a temporary folder removed at
// exit (about 4 s), so that a --benchmark_filter excluding its users does
// not pay for it.
const IndexReader& SmallIndex();
// The indexed term of the corpus model's vocabulary word of this rank (0 is
// the most frequent), when it has one.
std::optional<TermInfo> SmallIndexTermOfRank(std::size_t rank);

}  // namespace fathom::bench
