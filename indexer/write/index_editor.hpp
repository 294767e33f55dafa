// Changes to an existing index, each one atomic: `add` writes the new
// documents as a new segment, `delete` writes deletion bitmaps, `merge`
// rewrites the segments as one without the deleted documents. Each takes
// the index's writer lock, writes new files only (segments are immutable),
// commits a new manifest (indexer/write/manifest_writer.hpp), and then removes
// what no manifest names any more. A crash at any point leaves the index as
// it was before or after the change; leftovers are removed by the next one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "indexer/write/index_builder.hpp"

namespace fathom {

struct AddSummary {
  BuildSummary build;                  // the new segment
  std::uint64_t replaced = 0;          // older documents with a re-added id, now deleted
  std::uint64_t deleted = 0;           // older documents of delete_ids, now deleted
  std::vector<std::string> not_found;  // delete_ids no older document has
  std::size_t segments = 0;            // in the index afterwards
  std::uint64_t live_documents = 0;
};
// Indexes corpus into a new segment of index_dir with the index's own
// analysis settings (options.analysis is ignored). Re-added ids replace the
// older documents. The documents of delete_ids in the older segments are
// deleted in the same commit (the library's IndexWriter: deletions and
// additions as one atomic change). Throws InputError, IoError; the index is
// then unchanged.
AddSummary AddDocuments(const CorpusInput& corpus, const std::filesystem::path& index_dir,
                        BuildOptions options, const WarningSink& warn, const ProgressSink& progress,
                        const std::vector<std::string>& delete_ids = {});

struct DeleteSummary {
  std::uint64_t deleted = 0;
  std::vector<std::string> not_found;  // ids no live document has
  std::uint64_t live_documents = 0;
};
DeleteSummary DeleteDocuments(const std::filesystem::path& index_dir,
                              const std::vector<std::string>& ids);

struct MergeSummary {
  std::size_t segments_before = 0;
  std::uint64_t documents = 0;  // in the merged segment
  std::uint64_t dropped = 0;    // deleted documents removed for good
  double seconds = 0;
};
// Merges every segment into one, dropping deleted documents. Nothing to do
// (and nothing written) for a single segment without deletions.
MergeSummary MergeSegments(const std::filesystem::path& index_dir, const ProgressSink& progress);

}  // namespace fathom
