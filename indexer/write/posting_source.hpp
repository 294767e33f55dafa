// A stream of terms in byte order, each with its postings in document order:
// what the segment writer's multi-way merge consumes. Three kinds feed it: a
// worker's in-memory inverted index, a run flushed to disk, and a segment
// of an existing index (for add and merge).
#pragma once

#include <cstdint>
#include <string_view>

#include "common/types.hpp"

namespace fathom {

struct SourcePosting {
  DocId doc;
  std::uint32_t frequency;
  // `frequency` varints: the first position, then the gaps between them.
  // Valid until the next call on the source.
  std::string_view positions;
};

class PostingSource {
 public:
  virtual ~PostingSource() = default;
  // Moves to the next term (the first, on the first call); false at the end.
  virtual bool NextTerm() = 0;
  virtual std::string_view term() const = 0;
  // The current term's next posting; false after its last.
  virtual bool NextPosting(SourcePosting& posting) = 0;
};

}  // namespace fathom
