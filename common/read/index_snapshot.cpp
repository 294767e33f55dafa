#include "common/read/index_snapshot.hpp"

#include <algorithm>

#include "common/bm25.hpp"
#include "common/error.hpp"
#include "common/format/format.hpp"

namespace fathom {
namespace fs = std::filesystem;
namespace {

// How many manifests a snapshot tries before giving up: each retry means a
// writer committed a change while the snapshot was being opened, so only a
// stream of commits faster than an open exhausts them. Generous, because a
// loaded machine can make an open slower than several commits in a row
// (the test that commits in a tight loop lost 5 races running beside
// others); a retry costs one more open.
constexpr int kOpenAttempts = 50;

}  // namespace

IndexSnapshot::IndexSnapshot(const fs::path& index_dir, Residency hot)
    : dir_(index_dir), hot_(hot) {
  for (int attempt = 1;; ++attempt) {
    manifest_ = ReadManifest(dir_);
    try {
      OpenSegments();
      return;
    } catch (const Error&) {
      // A merge may have replaced the manifest after it was read here and
      // unlinked the files it no longer names: then the failure says nothing
      // of the index, and the new manifest is read instead (as Lucene's
      // SegmentInfos.FindSegmentsFile does). Files are never rewritten in
      // place, so an unchanged manifest means the failure is real.
      bool changed = false;
      try {
        changed = ReadManifest(dir_).generation != manifest_.generation;
      } catch (const Error&) {
        changed = false;
      }
      if (!changed || attempt == kOpenAttempts) throw;
    }
  }
}

void IndexSnapshot::OpenSegments() {
  segments_.clear();
  document_count_ = 0;
  total_length_ = 0;
  total_title_length_ = 0;
  analysis_ = AnalysisSettings{};
  field_types_.clear();
  field_uses_.clear();
  const fs::path manifest_path = dir_ / format::kManifestFile.file_name;
  for (const SegmentRecord& record : manifest_.segments) {
    SnapshotSegment segment;
    segment.record = record;
    segment.reader = std::make_unique<IndexReader>(dir_ / record.name, record.meta_checksum, hot_);
    const IndexReader& reader = *segment.reader;
    if (reader.document_count() != record.document_count) {
      throw CorruptIndexError(manifest_path.string() + ": segment " + record.name + " holds " +
                              std::to_string(reader.document_count()) +
                              " documents, the manifest records " +
                              std::to_string(record.document_count));
    }
    if (segments_.empty()) {
      analysis_ = reader.meta().analysis;
    } else if (reader.meta().analysis != analysis_) {
      // Queries are analyzed once for all segments; a segment analyzed
      // otherwise could never match them.
      throw CorruptIndexError((reader.dir() / format::kMetaFile.file_name).string() +
                              ": analysis settings differ from those of segment " +
                              segments_[0].record.name);
    }
    for (const format::FieldColumn& column : reader.columns().columns()) {
      const auto [it, added] = field_types_.emplace(column.name(), column.type());
      if (!added && it->second != column.type()) {
        // Filters and sorting compare one kind of key across segments.
        throw CorruptIndexError(
            (reader.dir() / format::kFieldsFile.file_name).string() + ": field '" + it->first +
            "' is a " + std::string(FieldTypeName(column.type())) + " field here and a " +
            std::string(FieldTypeName(it->second)) + " field in an earlier segment");
      }
      // The uses too: a filter or sort must not work in one segment only.
      if (added && column.uses() != kEveryUse) field_uses_[it->first] = column.uses();
      if (!added && UsesOf(field_uses_, it->first) != column.uses()) {
        throw CorruptIndexError((reader.dir() / format::kFieldsFile.file_name).string() +
                                ": field '" + it->first +
                                "' has other uses here than in an earlier segment");
      }
    }
    segment.store = std::make_unique<DocStore>(reader.store_file(), reader.document_count());
    segment.deleted = ReadDeletes(dir_, record);
    // ParseManifest bounds the documents of all segments by kMaxDocuments,
    // so every global id fits a DocId.
    segment.base = static_cast<DocId>(document_count_);
    document_count_ += reader.document_count();
    total_length_ += reader.meta().total_length;
    total_title_length_ += reader.title_lengths().total_length;
    segments_.push_back(std::move(segment));
  }
}

double IndexSnapshot::average_length() const {
  return AverageLength(total_length_, document_count_);
}

double IndexSnapshot::average_title_length() const {
  return AverageLength(total_title_length_, document_count_);
}

std::uint64_t IndexSnapshot::DocumentFrequency(std::string_view term) const {
  std::uint64_t total = 0;
  for (const SnapshotSegment& segment : segments_) {
    if (const auto info = segment.reader->FindTerm(term)) total += info->entry.document_frequency;
  }
  return total;
}

const SnapshotSegment& IndexSnapshot::SegmentOf(DocId doc) const {
  // The last segment whose base is <= doc (empty segments share a base
  // with the next; upper_bound passes over them).
  const auto after =
      std::upper_bound(segments_.begin(), segments_.end(), doc,
                       [](DocId d, const SnapshotSegment& segment) { return d < segment.base; });
  return *(after - 1);
}

bool IndexSnapshot::IsDeleted(DocId doc) const {
  const SnapshotSegment& segment = SegmentOf(doc);
  return segment.deleted.contains(doc - segment.base);
}

std::uint32_t IndexSnapshot::length(DocId doc) const {
  const SnapshotSegment& segment = SegmentOf(doc);
  return segment.reader->length(doc - segment.base);
}

std::string IndexSnapshot::external_id(DocId doc) const {
  const SnapshotSegment& segment = SegmentOf(doc);
  return segment.reader->external_id(doc - segment.base);
}

const SourceFile* IndexSnapshot::source_of(DocId doc) const {
  const SnapshotSegment& segment = SegmentOf(doc);
  return segment.reader->source_of(doc - segment.base);
}

MinHashSketch IndexSnapshot::sketch(DocId doc) const {
  const SnapshotSegment& segment = SegmentOf(doc);
  return segment.reader->sketch(doc - segment.base);
}

StoredDocument IndexSnapshot::Document(DocId doc) const {
  const SnapshotSegment& segment = SegmentOf(doc);
  return segment.store->Get(doc - segment.base);
}

std::vector<FieldValue> IndexSnapshot::FieldsOf(DocId doc) const {
  const SnapshotSegment& segment = SegmentOf(doc);
  return segment.reader->FieldsOf(doc - segment.base);
}

std::vector<FieldValue> IndexSnapshot::StoredFieldsOf(DocId doc) const {
  std::vector<FieldValue> values = FieldsOf(doc);
  std::erase_if(values, [](const FieldValue& value) { return (value.uses & kStored) == 0; });
  return values;
}

std::optional<DocId> IndexSnapshot::FindExternalId(std::string_view id) const {
  for (const SnapshotSegment& segment : segments_) {
    std::optional<DocId> found;
    segment.reader->ForEachExternalId([&](DocId local, std::string_view each) {
      if (!found && each == id && !segment.deleted.contains(local)) found = segment.base + local;
    });
    if (found) return found;
  }
  return std::nullopt;
}

std::vector<CollectionTerm> IndexSnapshot::TermsWithPrefix(std::string_view prefix) const {
  std::vector<CollectionTerm> terms;
  for (const SnapshotSegment& segment : segments_) {
    const IndexReader& reader = *segment.reader;
    for (TermWalker walk(reader, reader.LowerBound(prefix)); !walk.done(); walk.Next()) {
      const std::string_view term = walk.term();
      if (!term.starts_with(prefix)) break;
      terms.push_back({std::string(term), walk.info().entry.document_frequency});
    }
  }
  if (segments_.size() > 1) SumByTerm(terms);
  return terms;
}

float CollectionStats::Idf(std::string_view term, std::uint64_t segment_frequency) const {
  if (snapshot_.segments().size() == 1) {
    return Bm25Idf(snapshot_.document_count(), segment_frequency);
  }
  auto found = idf_.find(term);
  if (found == idf_.end()) {
    found = idf_.emplace(std::string(term),
                         Bm25Idf(snapshot_.document_count(), snapshot_.DocumentFrequency(term)))
                .first;
  }
  return found->second;
}

}  // namespace fathom
