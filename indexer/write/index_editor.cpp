#include "indexer/write/index_editor.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "common/error.hpp"
#include "common/format/manifest.hpp"
#include "common/read/index_reader.hpp"
#include "common/read/index_snapshot.hpp"
#include "indexer/write/file_writer.hpp"
#include "indexer/write/index_lock.hpp"
#include "indexer/write/manifest_writer.hpp"
#include "indexer/write/segment_merger.hpp"

namespace fathom {
namespace fs = std::filesystem;
namespace {

// A new segment is written under this name and renamed to its final one
// only when complete, so a segment folder with a final name is always whole.
std::string TempSegmentName(const std::string& name) { return "." + name + ".tmp"; }

// Removes what no manifest names: segments and deletion files replaced by
// the last change, and whatever a crashed change left half-written. Only
// names Fathom makes are touched.
void RemoveUnreferenced(const fs::path& index_dir, const Manifest& manifest) {
  std::unordered_set<std::string> referenced;
  for (const auto& segment : manifest.segments) {
    referenced.insert(segment.name);
    if (!segment.deletes_name.empty()) referenced.insert(segment.deletes_name);
  }
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(index_dir, ec)) {
    const std::string name = entry.path().filename().string();
    const bool ours = name.rfind("seg-", 0) == 0 || name.rfind(".seg-", 0) == 0 ||
                      name.rfind(".manifest", 0) == 0;
    if (ours && referenced.count(name) == 0) fs::remove_all(entry.path(), ec);
  }
}

// The index's segments as a snapshot opened under the writer lock (each
// checked against the manifest), and copies of their deletion sets to change.
std::vector<const IndexReader*> Readers(const IndexSnapshot& snapshot) {
  std::vector<const IndexReader*> readers;
  for (const auto& segment : snapshot.segments()) readers.push_back(segment.reader.get());
  return readers;
}
std::vector<DeletedDocs> DeletionSets(const IndexSnapshot& snapshot) {
  std::vector<DeletedDocs> deletes;
  for (const auto& segment : snapshot.segments()) deletes.push_back(segment.deleted);
  return deletes;
}

// Writes the deletion files of the segments whose set changed and points
// their records at them.
void WriteChangedDeletes(const fs::path& index_dir, Manifest& manifest,
                         const std::vector<DeletedDocs>& deletes,
                         const std::vector<bool>& changed) {
  for (std::size_t i = 0; i < manifest.segments.size(); ++i) {
    if (!changed[i]) continue;
    SegmentRecord& record = manifest.segments[i];
    record.deletes_name = DeletesName(record.name, manifest.generation);
    record.deleted_count = deletes[i].count();
    record.deletes_checksum = WriteDeletes(index_dir, record.deletes_name, deletes[i]).checksum;
  }
  SyncDirectory(index_dir);
}

void RenameInto(const fs::path& from, const fs::path& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    throw IoError(to.string() +
                  ": cannot rename the new segment into place: " + std::strerror(errno));
  }
}

}  // namespace

AddSummary AddDocuments(const CorpusInput& corpus, const fs::path& index_dir, BuildOptions options,
                        const WarningSink& warn, const ProgressSink& progress,
                        const std::vector<std::string>& delete_ids) {
  ReadManifest(index_dir);  // a clear error for a folder that is no index
  const IndexWriteLock lock(index_dir);
  RemoveStaleBuilds(index_dir);
  const IndexSnapshot snapshot(index_dir);  // as of holding the lock
  Manifest manifest = snapshot.manifest();
  RemoveUnreferenced(index_dir, manifest);
  if (manifest.segments.empty()) throw CorruptIndexError(index_dir.string() + ": no segments");
  const std::vector<const IndexReader*> segments = Readers(snapshot);
  options.analysis = snapshot.analysis();

  AddSummary summary;
  const std::string name = SegmentName(manifest.next_segment);
  const fs::path temp_dir = index_dir / TempSegmentName(name);
  try {
    summary.build = BuildSegment(corpus, temp_dir, name, options, warn, progress);
    if (manifest.document_count() + summary.build.meta.document_count > kMaxDocuments) {
      throw InputError("too many documents: an index holds at most " +
                       std::to_string(kMaxDocuments));
    }
    // Re-added ids: the older copies are deleted in the same commit.
    const IndexReader added(temp_dir);
    std::unordered_set<std::string_view> new_ids;
    for (DocId doc = 0; doc < added.document_count(); ++doc) new_ids.insert(added.external_id(doc));
    std::unordered_map<std::string_view, bool> to_delete;  // id -> found
    for (const std::string& id : delete_ids) to_delete.emplace(id, false);
    std::vector<DeletedDocs> deletes = DeletionSets(snapshot);
    std::vector<bool> changed(manifest.segments.size(), false);
    for (std::size_t s = 0; s < segments.size(); ++s) {
      const IndexReader& segment = *segments[s];
      for (DocId doc = 0; doc < segment.document_count(); ++doc) {
        const std::string_view id = segment.external_id(doc);
        const auto wanted = to_delete.find(id);
        const bool re_added = new_ids.count(id) != 0;
        if (!re_added && wanted == to_delete.end()) continue;
        if (wanted != to_delete.end() && !deletes[s].contains(doc)) wanted->second = true;
        if (deletes[s].Insert(doc)) {
          changed[s] = true;
          ++(re_added ? summary.replaced : summary.deleted);
        }
      }
    }
    for (const std::string& id : delete_ids) {
      if (!to_delete.at(id)) {
        summary.not_found.push_back(id);
        to_delete.at(id) = true;  // report each once
      }
    }
    RenameInto(temp_dir, index_dir / name);
    ++manifest.generation;
    ++manifest.next_segment;
    WriteChangedDeletes(index_dir, manifest, deletes, changed);
    manifest.segments.push_back(summary.build.segment);
    CommitManifest(index_dir, manifest);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(temp_dir, ec);
    RemoveUnreferenced(index_dir, ReadManifest(index_dir));
    throw;
  }
  RemoveUnreferenced(index_dir, manifest);
  summary.segments = manifest.segments.size();
  summary.live_documents = manifest.live_count();
  return summary;
}

DeleteSummary DeleteDocuments(const fs::path& index_dir, const std::vector<std::string>& ids) {
  ReadManifest(index_dir);  // a clear error for a folder that is no index
  const IndexWriteLock lock(index_dir);
  RemoveStaleBuilds(index_dir);
  const IndexSnapshot snapshot(index_dir);
  Manifest manifest = snapshot.manifest();
  RemoveUnreferenced(index_dir, manifest);
  const std::vector<const IndexReader*> segments = Readers(snapshot);
  std::vector<DeletedDocs> deletes = DeletionSets(snapshot);
  std::unordered_map<std::string_view, bool> wanted;  // id -> found
  for (const auto& id : ids) wanted.emplace(id, false);
  DeleteSummary summary;
  std::vector<bool> changed(manifest.segments.size(), false);
  for (std::size_t s = 0; s < segments.size(); ++s) {
    const IndexReader& segment = *segments[s];
    for (DocId doc = 0; doc < segment.document_count(); ++doc) {
      const auto it = wanted.find(segment.external_id(doc));
      if (it == wanted.end() || deletes[s].contains(doc)) continue;
      it->second = true;
      deletes[s].Insert(doc);
      changed[s] = true;
      ++summary.deleted;
    }
  }
  for (const auto& id : ids) {
    if (!wanted.at(id)) {
      summary.not_found.push_back(id);
      wanted.at(id) = true;  // report each once
    }
  }
  if (summary.deleted > 0) {
    ++manifest.generation;
    WriteChangedDeletes(index_dir, manifest, deletes, changed);
    CommitManifest(index_dir, manifest);
    RemoveUnreferenced(index_dir, manifest);
  }
  summary.live_documents = manifest.live_count();
  return summary;
}

MergeSummary MergeSegments(const fs::path& index_dir, const ProgressSink& progress) {
  const auto start = std::chrono::steady_clock::now();
  ReadManifest(index_dir);
  const IndexWriteLock lock(index_dir);
  RemoveStaleBuilds(index_dir);
  Manifest manifest = ReadManifest(index_dir);
  RemoveUnreferenced(index_dir, manifest);
  MergeSummary summary;
  summary.segments_before = manifest.segments.size();
  if (manifest.segments.size() == 1 && manifest.segments[0].deleted_count == 0) {
    summary.documents = manifest.segments[0].document_count;
    return summary;
  }
  const IndexSnapshot snapshot(index_dir);
  const std::string name = SegmentName(manifest.next_segment);
  const fs::path temp_dir = index_dir / TempSegmentName(name);
  try {
    std::error_code ec;
    fs::remove_all(temp_dir, ec);
    if (!fs::create_directory(temp_dir, ec)) {
      throw IoError(temp_dir.string() + ": cannot create: " + ec.message());
    }
    const SegmentRecord record =
        RewriteSegments(Readers(snapshot), DeletionSets(snapshot), temp_dir, name, progress);
    summary.documents = record.document_count;
    summary.dropped = manifest.document_count() - record.document_count;
    RenameInto(temp_dir, index_dir / name);
    ++manifest.generation;
    ++manifest.next_segment;
    manifest.segments.assign(1, record);
    CommitManifest(index_dir, manifest);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(temp_dir, ec);
    throw;
  }
  RemoveUnreferenced(index_dir, manifest);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace fathom
