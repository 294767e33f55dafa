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
#include "common/format/sources.hpp"
#include "common/read/index_reader.hpp"
#include "indexer/write/index_builder.hpp"

namespace fathom {

// One document of a rewritten segment: the input it comes from and its id
// there.
struct KeptDocument {
  std::uint32_t input;
  DocId doc;
};

// What a rewrite writes: the documents, in their new order (ids 0, 1, 2...),
// and the file records of the new segment (sources.hpp), in its ids.
struct RewritePlan {
  std::vector<KeptDocument> order;
  std::vector<SourceFile> sources;
};

// The documents of inputs (in order) that `drop` does not hold, in the same
// order; each input's file records come along renumbered. A record that
// loses some but not all of its documents is left out: what is left of the
// file then belongs to no file, and sync reads the file again.
// REQUIRES: drop[i] covers inputs[i]'s documents.
RewritePlan ConcatenationPlan(const std::vector<const IndexReader*>& inputs,
                              const std::vector<DeletedDocs>& drop);

// Writes the plan into the existing empty folder dir. REQUIRES: every
// document in the plan at most once; the inputs share their analysis
// settings.
SegmentRecord RewriteSegments(const std::vector<const IndexReader*>& inputs,
                              const RewritePlan& plan, const std::filesystem::path& dir,
                              const std::string& name, const ProgressSink& progress);

}  // namespace fathom
