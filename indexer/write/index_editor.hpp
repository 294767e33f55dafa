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
// Merges every segment into one, dropping deleted documents; with reorder,
// renumbers the documents by recursive graph bisection (doc_reorder.hpp).
// Nothing to do (and nothing written) for a single segment without
// deletions.
MergeSummary MergeSegments(const std::filesystem::path& index_dir, const ProgressSink& progress,
                           const ReorderOptions* reorder = nullptr);

struct SyncSummary {
  bool built = false;  // there was no index yet: a fresh build made one
  std::vector<std::string> added, changed, removed;  // files, relative to the folder
  std::uint64_t unchanged = 0;                       // files left as they were
  // Files whose size or time changed but whose content did not: not read
  // again, their new size and time recorded.
  std::uint64_t touched = 0;
  std::uint64_t documents_added = 0;    // from added and changed files
  std::uint64_t documents_removed = 0;  // of changed and removed files
  std::uint64_t live_documents = 0;
  bool wrote = false;  // false: nothing changed, nothing written
  BuildSummary build;  // of the files read (added and changed)
  CorpusStats walk;    // of the folder walk: files skipped by its rules
  double seconds = 0;
};
// Makes index_dir follow folder: files new since the index was built or
// last synced are added, changed ones (size or modification time differ,
// then confirmed by the content hash) are read again, removed ones are
// deleted; the others are not read. The documents are then written as one
// segment in the folder's order, so the index is the one a fresh build of
// the folder gives (same documents, ids, statistics and tie order: with
// options.reorder, the plan is reordered as a fresh build's is). One
// commit: a crash leaves the index as before or after. With no index at
// index_dir yet, a fresh build. Throws InputError (no folder; an index
// built from no folder), IoError.
SyncSummary SyncFolder(const std::filesystem::path& folder, const std::filesystem::path& index_dir,
                       BuildOptions options, const WarningSink& warn, const ProgressSink& progress);

}  // namespace fathom
