#include "indexer/write/index_editor.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
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

// The index's typed fields are declared for the documents added to it, so
// that every segment gives a field one type (a value that does not fit is
// an error naming it), with the same uses. A --schema that declares a
// field otherwise is refused.
void DeclareIndexFields(const IndexSnapshot& snapshot, FieldSchema& schema) {
  for (const auto& [name, type] : snapshot.field_types()) {
    const auto [it, added] = schema.types.emplace(name, type);
    if (!added && it->second != type) {
      throw InputError("--schema declares '" + name + "' a " +
                       std::string(FieldTypeName(it->second)) + " field; the index holds it as a " +
                       std::string(FieldTypeName(type)) + " field");
    }
    const FieldUses held = UsesOf(snapshot.field_uses(), name);
    if (!added && UsesOf(schema.uses, name) != held) {
      std::string uses;
      for (const FieldUses use : kEachUse) {
        uses += std::string(uses.empty() ? "" : ", ") + "\"" + std::string(FieldUseName(use)) +
                "\": " + ((held & use) != 0 ? "true" : "false");
      }
      throw InputError("--schema gives '" + name + "' other uses than the index holds (" + uses +
                       ")");
    }
    if (held != kEveryUse) schema.uses[name] = held;
  }
}

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
  DeclareIndexFields(snapshot, options.corpus.schema);

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
    std::unordered_set<std::string> new_ids;
    added.ForEachExternalId([&](DocId, std::string_view id) { new_ids.emplace(id); });
    std::unordered_map<std::string_view, bool> to_delete;  // id -> found
    for (const std::string& id : delete_ids) to_delete.emplace(id, false);
    std::vector<DeletedDocs> deletes = DeletionSets(snapshot);
    std::vector<bool> changed(manifest.segments.size(), false);
    for (std::size_t s = 0; s < segments.size(); ++s) {
      const IndexReader& segment = *segments[s];
      segment.ForEachExternalId([&](DocId doc, std::string_view id) {
        const auto wanted = to_delete.find(id);
        const bool re_added = new_ids.count(std::string(id)) != 0;
        if (!re_added && wanted == to_delete.end()) return;
        if (wanted != to_delete.end() && !deletes[s].contains(doc)) wanted->second = true;
        if (deletes[s].Insert(doc)) {
          changed[s] = true;
          ++(re_added ? summary.replaced : summary.deleted);
        }
      });
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
    segment.ForEachExternalId([&](DocId doc, std::string_view id) {
      const auto it = wanted.find(id);
      if (it == wanted.end() || deletes[s].contains(doc)) return;
      it->second = true;
      deletes[s].Insert(doc);
      changed[s] = true;
      ++summary.deleted;
    });
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

MergeSummary MergeSegments(const fs::path& index_dir, const ProgressSink& progress,
                           const ReorderOptions* reorder) {
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
    const std::vector<const IndexReader*> segments = Readers(snapshot);
    RewritePlan plan = ConcatenationPlan(segments, DeletionSets(snapshot));
    if (reorder != nullptr) ReorderPlan(segments, plan, *reorder);
    const SegmentRecord record = RewriteSegments(segments, plan, temp_dir, name, progress);
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

namespace {

// One file's documents in the synced segment, or (no path) documents of no
// file in the folder, which keep their place after the files.
struct SyncUnit {
  std::filesystem::path order_key;  // the path, compared as the folder walk sorts
  SourceFile source;
  std::vector<KeptDocument> docs;
};

// What the index knows of one file: its records (one, or one per segment a
// split left it in), and whether they agree and all their documents live.
struct KnownFile {
  std::vector<std::pair<std::uint32_t, const SourceFile*>> records;
  bool whole = true;
};

}  // namespace

SyncSummary SyncFolder(const fs::path& folder, const fs::path& index_dir, BuildOptions options,
                       const WarningSink& warn, const ProgressSink& progress) {
  const auto start = std::chrono::steady_clock::now();
  const WarningSink say = warn ? warn : WarningSink([](const std::string&) {});
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    throw InputError(folder.string() + ": not a folder (sync makes an index follow a folder)");
  }
  SyncSummary summary;
  if (!fs::exists(index_dir / format::kManifestFile.file_name, ec)) {
    summary.build = BuildIndex(folder, index_dir, options, warn, progress);
    summary.built = summary.wrote = true;
    for (const SourceFile& source : summary.build.sources) {
      if (source.doc_count > 0) summary.added.push_back(source.path);
    }
    summary.documents_added = summary.build.meta.document_count;
    summary.live_documents = summary.build.meta.document_count;
    summary.seconds = summary.build.seconds;
    return summary;
  }
  ReadManifest(index_dir);  // a clear error for a folder that is no index
  const IndexWriteLock lock(index_dir);
  RemoveStaleBuilds(index_dir);
  const IndexSnapshot snapshot(index_dir);
  Manifest manifest = snapshot.manifest();
  RemoveUnreferenced(index_dir, manifest);
  const std::vector<const IndexReader*> segments = Readers(snapshot);
  std::vector<DeletedDocs> drop = DeletionSets(snapshot);
  options.analysis = snapshot.analysis();
  DeclareIndexFields(snapshot, options.corpus.schema);
  options.segments = 1;

  std::unordered_map<std::string, KnownFile> known;
  for (std::uint32_t s = 0; s < segments.size(); ++s) {
    for (const SourceFile& source : segments[s]->sources()) {
      KnownFile& file = known[source.path];
      if (!file.records.empty() && !file.records.front().second->SameFileAs(source)) {
        file.whole = false;
      }
      for (DocId doc = source.first_doc; doc < source.first_doc + source.doc_count; ++doc) {
        if (drop[s].contains(doc)) file.whole = false;
      }
      file.records.emplace_back(s, &source);
    }
  }
  if (known.empty() && manifest.live_count() > 0) {
    throw InputError(index_dir.string() +
                     ": holds no documents read from files (built from JSON Lines or in "
                     "memory); sync follows a folder: build the index from the folder first");
  }

  // The folder now, against what the index knows.
  const std::vector<fs::path> files = ListFolderFiles(folder, options.corpus, say, summary.walk);
  std::vector<fs::path> to_read;
  std::unordered_map<std::string, SourceFile> touched;  // path -> its new size and time
  std::unordered_set<std::string> seen;
  for (const fs::path& file : files) {
    std::string relative = RelativeSourcePath(file, folder);
    const auto it = known.find(relative);
    seen.insert(relative);
    if (it == known.end()) {
      summary.added.push_back(std::move(relative));
      to_read.push_back(file);
      continue;
    }
    bool changed = !it->second.whole;
    if (!changed) {
      const SourceFile& was = *it->second.records.front().second;
      try {
        SourceFile now = StatSourceFile(file, relative, false);
        if (now.size != was.size || now.modified_ns != was.modified_ns) {
          now.content_hash = HashFileContents(file);
          if (now.content_hash == was.content_hash) {
            touched.emplace(relative, std::move(now));
          } else {
            changed = true;
          }
        }
      } catch (const IoError&) {
        changed = true;  // read again, which reports what is wrong with it
      }
    }
    if (changed) {
      summary.changed.push_back(std::move(relative));
      to_read.push_back(file);
    } else if (touched.count(relative) == 0) {
      ++summary.unchanged;
    }
  }
  summary.touched = touched.size();
  for (const auto& [path, file] : known) {
    if (seen.count(path) == 0) summary.removed.push_back(path);
  }
  std::sort(summary.removed.begin(), summary.removed.end());
  if (summary.added.empty() && summary.changed.empty() && summary.removed.empty() &&
      touched.empty()) {
    summary.live_documents = manifest.live_count();
    summary.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return summary;
  }

  const std::string name = SegmentName(manifest.next_segment);
  // The files read again, as a segment that is never committed: the input,
  // with the index's segments, of the one segment written.
  const fs::path read_dir = index_dir / ("." + name + ".read.tmp");
  const fs::path temp_dir = index_dir / TempSegmentName(name);
  std::optional<IndexReader> read;
  const auto remove_temporaries = [&] {
    read.reset();
    std::error_code ignored;
    fs::remove_all(read_dir, ignored);
    fs::remove_all(temp_dir, ignored);
  };
  try {
    fs::remove_all(read_dir, ec);
    if (!to_read.empty()) {
      BuildOptions read_options = options;
      read_options.allow_no_documents = true;
      summary.build = BuildSegment(CorpusInput::FilesUnder(folder, to_read), read_dir, name,
                                   read_options, warn, progress);
      if (!summary.build.segment.name.empty()) read.emplace(read_dir);
    }
    summary.documents_added = read ? read->document_count() : 0;
    if (manifest.live_count() + summary.documents_added > kMaxDocuments) {
      throw InputError("too many documents: an index holds at most " +
                       std::to_string(kMaxDocuments));
    }

    // Dropped: the documents of changed and removed files, and older
    // documents whose ids the files read again now give.
    const std::uint64_t deleted_before = [&] {
      std::uint64_t n = 0;
      for (const DeletedDocs& d : drop) n += d.count();
      return n;
    }();
    for (const auto* paths : {&summary.changed, &summary.removed}) {
      for (const std::string& path : *paths) {
        for (const auto& [s, source] : known.at(path).records) {
          for (DocId doc = source->first_doc; doc < source->first_doc + source->doc_count; ++doc) {
            drop[s].Insert(doc);
          }
        }
      }
    }
    if (read) {
      std::unordered_set<std::string> new_ids;
      read->ForEachExternalId([&](DocId, std::string_view id) { new_ids.emplace(id); });
      for (std::uint32_t s = 0; s < segments.size(); ++s) {
        segments[s]->ForEachExternalId([&](DocId doc, std::string_view id) {
          if (new_ids.count(std::string(id)) != 0) drop[s].Insert(doc);
        });
      }
    }
    std::uint64_t deleted_after = 0;
    for (const DeletedDocs& d : drop) deleted_after += d.count();
    summary.documents_removed = deleted_after - deleted_before;

    // The new segment in the folder's order: the kept files' documents and
    // the files read, sorted by path, then documents of no file.
    std::vector<SyncUnit> units;
    std::vector<DeletedDocs> covered;
    for (const IndexReader* segment : segments) covered.emplace_back(segment->document_count());
    const std::unordered_set<std::string> changed(summary.changed.begin(), summary.changed.end());
    for (const auto& [path, file] : known) {
      if (seen.count(path) == 0 || changed.count(path) != 0) continue;
      SyncUnit unit;
      unit.order_key = fs::path(path);
      unit.source = *file.records.front().second;
      if (const auto it = touched.find(path); it != touched.end()) unit.source = it->second;
      bool complete = true;
      for (const auto& [s, source] : file.records) {
        for (DocId doc = source->first_doc; doc < source->first_doc + source->doc_count; ++doc) {
          if (drop[s].contains(doc)) {
            complete = false;
          } else {
            unit.docs.push_back({s, doc});
            covered[s].Insert(doc);
          }
        }
      }
      // A file some of whose documents another file's replaced: what is
      // left of it belongs to no file, and the next sync reads it again.
      if (!complete) {
        for (const KeptDocument& doc : unit.docs) covered[doc.input].Insert(doc.doc);
        SyncUnit orphans;
        orphans.docs = std::move(unit.docs);
        units.push_back(std::move(orphans));
        continue;
      }
      units.push_back(std::move(unit));
    }
    const auto read_input = static_cast<std::uint32_t>(segments.size());
    for (const SourceFile& source : read ? read->sources() : summary.build.sources) {
      SyncUnit unit;
      unit.order_key = fs::path(source.path);
      unit.source = source;
      for (DocId doc = source.first_doc; doc < source.first_doc + source.doc_count; ++doc) {
        unit.docs.push_back({read_input, doc});
      }
      units.push_back(std::move(unit));
    }
    std::stable_sort(units.begin(), units.end(), [](const SyncUnit& a, const SyncUnit& b) {
      const bool a_file = !a.source.path.empty(), b_file = !b.source.path.empty();
      if (a_file != b_file) return a_file;
      return a_file && a.order_key < b.order_key;
    });
    RewritePlan plan;
    for (SyncUnit& unit : units) {
      if (!unit.source.path.empty()) {
        unit.source.first_doc = static_cast<DocId>(plan.order.size());
        unit.source.doc_count = static_cast<std::uint32_t>(unit.docs.size());
        plan.sources.push_back(unit.source);
      }
      plan.order.insert(plan.order.end(), unit.docs.begin(), unit.docs.end());
    }
    for (std::uint32_t s = 0; s < segments.size(); ++s) {
      for (DocId doc = 0; doc < segments[s]->document_count(); ++doc) {
        if (!drop[s].contains(doc) && !covered[s].contains(doc)) plan.order.push_back({s, doc});
      }
    }
    if (plan.order.empty()) {
      throw InputError(folder.string() +
                       ": no documents left to index; the index is unchanged (delete it "
                       "instead, or build it again)");
    }

    std::vector<const IndexReader*> inputs = segments;
    if (read) inputs.push_back(&*read);
    if (options.reorder) ReorderPlan(inputs, plan, EffectiveReorderOptions(options));
    fs::remove_all(temp_dir, ec);
    if (!fs::create_directory(temp_dir, ec)) {
      throw IoError(temp_dir.string() + ": cannot create: " + ec.message());
    }
    const SegmentRecord record = RewriteSegments(inputs, plan, temp_dir, name, progress);
    RenameInto(temp_dir, index_dir / name);
    ++manifest.generation;
    ++manifest.next_segment;
    manifest.segments.assign(1, record);
    CommitManifest(index_dir, manifest);
  } catch (...) {
    remove_temporaries();
    RemoveUnreferenced(index_dir, ReadManifest(index_dir));
    throw;
  }
  remove_temporaries();
  RemoveUnreferenced(index_dir, manifest);
  summary.wrote = true;
  summary.live_documents = manifest.live_count();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace fathom
