// A snapshot of an index: the segments its manifest named when it was
// opened, with their deletions, read as one collection. Everything that
// reads an index for searching goes through one.
//
// Writers never change a file in place: they write new segment and deletion
// files, replace the manifest, then unlink what it no longer names. A
// snapshot keeps every file it opened mapped, so it answers from the index
// as it was when opened for as long as it lives; a snapshot opened later
// sees the change (docs/FORMAT.md, "Index folder").
//
// Document ids: a segment's documents are numbered from its `base`, in
// manifest order, so global id = base + the segment's own id, and ordering
// by global id is ordering by segment, then by id within it. Ties between
// equal scores go to the smaller global id, as in a single segment.
//
// Collection statistics (document count, total length, document
// frequencies) are sums over the segments, deleted documents included, as
// Lucene computes them: deleting a document does not rewrite the
// statistics, and they become exact again when a merge drops deleted
// documents. What they do not depend on is how the documents are split
// into segments, so BM25 scores of a document are the same in one segment
// or many.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/analysis/analyzer.hpp"
#include "common/analysis/minhash.hpp"
#include "common/format/manifest.hpp"
#include "common/read/doc_store.hpp"
#include "common/read/index_reader.hpp"
#include "common/types.hpp"

namespace fathom {

// One segment of a snapshot.
struct SnapshotSegment {
  SegmentRecord record;
  // Behind pointers so that their addresses stay put: the store reads the
  // reader's mapping of its file.
  std::unique_ptr<IndexReader> reader;
  std::unique_ptr<DocStore> store;
  DeletedDocs deleted;
  DocId base = 0;  // global id of the segment's first document

  // The deleted documents, or nullptr when there are none: the evaluators
  // then make no deletion check at all.
  const DeletedDocs* deletions() const { return deleted.empty() ? nullptr : &deleted; }
};

// A dictionary term of the collection and its document frequency over all
// segments. The text is a copy: dictionaries are front-coded, so a term's
// bytes exist whole only while a TermWalker stands on it.
struct CollectionTerm {
  std::string term;
  std::uint64_t document_frequency = 0;
};

// Entries gathered from several segments' dictionaries (anything with a
// `term` and a `document_frequency`), sorted by term, each term kept once
// with its frequencies summed: the collection's view of them.
template <typename Entry>
void SumByTerm(std::vector<Entry>& entries) {
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.term < b.term; });
  std::size_t kept = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (kept > 0 && entries[kept - 1].term == entries[i].term) {
      entries[kept - 1].document_frequency += entries[i].document_frequency;
    } else {
      if (kept != i) entries[kept] = std::move(entries[i]);  // never onto itself
      ++kept;
    }
  }
  entries.resize(kept);
}

class IndexSnapshot {
 public:
  // Opens every segment the manifest of index_dir names (their meta files
  // checked against the manifest's checksums, their analysis settings
  // against each other's) and loads their deletions. If a file vanishes
  // meanwhile because a writer replaced the manifest, reads the new manifest
  // and starts again, a few times. Throws IoError, CorruptIndexError or
  // FormatVersionError naming the file. `hot`: as IndexReader's.
  explicit IndexSnapshot(const std::filesystem::path& index_dir,
                         Residency hot = Residency::kMapped);
  IndexSnapshot(const IndexSnapshot&) = delete;
  IndexSnapshot& operator=(const IndexSnapshot&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  const Manifest& manifest() const { return manifest_; }
  const std::vector<SnapshotSegment>& segments() const { return segments_; }
  // The analysis every segment was built with (the searcher analyzes
  // queries the same way).
  const AnalysisSettings& analysis() const { return analysis_; }

  // Collection statistics, deleted documents included (see above).
  std::uint64_t document_count() const { return document_count_; }
  std::uint64_t total_length() const { return total_length_; }
  double average_length() const;
  // Of the titles' lengths (BM25F's title stream).
  double average_title_length() const;
  std::uint64_t DocumentFrequency(std::string_view term) const;
  // Documents not deleted.
  std::uint64_t live_count() const { return manifest_.live_count(); }
  // The typed fields of the segments (common/format/field_columns.hpp),
  // each with the one type every segment holding it agrees on.
  const FieldTypes& field_types() const { return field_types_; }
  // The typed fields without every use (field_values.hpp).
  const FieldUsesByName& field_uses() const { return field_uses_; }

  // Look-ups by global id. REQUIRES: doc < document_count().
  const SnapshotSegment& SegmentOf(DocId doc) const;
  bool IsDeleted(DocId doc) const;
  std::uint32_t length(DocId doc) const;
  std::string external_id(DocId doc) const;
  MinHashSketch sketch(DocId doc) const;
  StoredDocument Document(DocId doc) const;
  // The document's typed field values, by name.
  std::vector<FieldValue> FieldsOf(DocId doc) const;
  // What a result shows of them: the fields kept with the stored use.
  std::vector<FieldValue> StoredFieldsOf(DocId doc) const;
  // The file the document came from, or nullptr (common/format/sources.hpp).
  const SourceFile* source_of(DocId doc) const;
  // The live document with this external id. Linear in the number of
  // documents: for interactive look-ups only.
  std::optional<DocId> FindExternalId(std::string_view id) const;

  // Every term starting with prefix, in byte order, each once with its
  // document frequency over the collection (the segments' dictionaries
  // merged).
  std::vector<CollectionTerm> TermsWithPrefix(std::string_view prefix) const;

 private:
  void OpenSegments();

  std::filesystem::path dir_;
  Residency hot_;
  Manifest manifest_;
  std::vector<SnapshotSegment> segments_;
  AnalysisSettings analysis_;
  FieldTypes field_types_;
  FieldUsesByName field_uses_;
  std::uint64_t document_count_ = 0;
  std::uint64_t total_length_ = 0;
  std::uint64_t total_title_length_ = 0;
};

// The statistics BM25 scores one query with over a snapshot, gathered once
// per term and shared by the evaluations of its segments: each segment then
// scores with the whole collection's idf and average length, never its own.
// Not thread-safe (one per query).
class CollectionStats {
 public:
  explicit CollectionStats(const IndexSnapshot& snapshot) : snapshot_(snapshot) {}

  std::uint64_t document_count() const { return snapshot_.document_count(); }
  double average_length() const { return snapshot_.average_length(); }
  double average_title_length() const { return snapshot_.average_title_length(); }
  // The term's idf over the collection. segment_frequency is its document
  // frequency in the segment asking: the whole answer when the snapshot has
  // a single segment, which then costs no look-up.
  float Idf(std::string_view term, std::uint64_t segment_frequency) const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  const IndexSnapshot& snapshot_;
  mutable std::unordered_map<std::string, float, Hash, std::equal_to<>> idf_;
};

}  // namespace fathom
