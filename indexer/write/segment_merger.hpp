// Rewrites existing segments as one new segment, keeping only some of their
// documents: what `merge` does (all segments, deleted documents dropped) and
// what a build with --segments N does (one segment cut into document
// ranges). Postings stream through the segment writer's multi-way merge;
// stored text is copied as whole compressed blocks where none is dropped.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/format/manifest.hpp"
#include "common/read/index_reader.hpp"
#include "indexer/write/index_builder.hpp"

namespace fathom {

// Writes, into the existing empty folder dir, the documents of inputs (in
// order) that `drop` does not hold, renumbered from 0 in that order.
// REQUIRES: drop[i] covers inputs[i]'s documents; the inputs share their
// analysis settings.
SegmentRecord RewriteSegments(const std::vector<const IndexReader*>& inputs,
                              const std::vector<DeletedDocs>& drop,
                              const std::filesystem::path& dir, const std::string& name,
                              const ProgressSink& progress);

}  // namespace fathom
