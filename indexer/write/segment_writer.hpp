// Writes one segment (the files of docs/FORMAT.md, "A segment") in a single
// streaming pass: per-document data in document order as documents are
// committed, then the dictionary and posting files by a multi-way merge of
// term-ordered posting sources, then the meta file. Memory: the document
// lengths (8 bytes a document: words and title words; block-max data needs them) and one term's
// postings at a time; everything else goes to disk as it is produced.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/analysis/analyzer.hpp"
#include "common/format/doc_ids.hpp"
#include "common/format/index_meta.hpp"
#include "common/format/manifest.hpp"
#include "common/format/page_checksums.hpp"
#include "common/format/position_blocks.hpp"
#include "common/format/sources.hpp"
#include "indexer/write/columns_builder.hpp"
#include "indexer/write/doc_store_writer.hpp"
#include "indexer/write/inverted_index.hpp"
#include "indexer/write/posting_source.hpp"

namespace fathom {

class SpillFile;

class SegmentWriter {
 public:
  // dir must exist and be empty. Throws IoError.
  SegmentWriter(const std::filesystem::path& dir, const AnalysisSettings& analysis);
  ~SegmentWriter();
  SegmentWriter(const SegmentWriter&) = delete;
  SegmentWriter& operator=(const SegmentWriter&) = delete;

  // The next document's id, length, sketch and field values (ids 0, 1,
  // 2... in the order of the calls); its text goes to store() in the same
  // order. Throws InputError when a field's type clashes (ColumnsBuilder).
  void AddDocument(std::string_view external_id, const DocumentSummary& summary);
  DocStoreWriter& store() { return store_; }
  std::uint64_t document_count() const { return lengths_.size(); }

  // The files the documents came from, written by Finish (sources.hpp);
  // none by default. REQUIRES: ranges within the documents added by then.
  void SetSourceFiles(std::vector<SourceFile> files) { source_files_ = std::move(files); }

  // Merges the sources, whose document sets are disjoint, into the
  // dictionary and the posting files. REQUIRES: every document added, and
  // called once. progress, when set, is called every few thousand terms
  // with the postings written so far.
  void WritePostings(const std::vector<PostingSource*>& sources,
                     const std::function<void(std::uint64_t postings)>& progress = nullptr);

  // Writes the per-document files and the meta file, syncs the folder, and
  // returns the segment's manifest record under this name.
  SegmentRecord Finish(const std::string& name);
  const IndexMeta& meta() const { return meta_; }

 private:
  std::filesystem::path dir_;
  IndexMeta meta_;
  // Of the files readers verify page by page, as each is finished.
  std::vector<PageChecksums> page_checksums_;
  DocStoreWriter store_;
  std::vector<std::uint32_t> lengths_;
  std::vector<std::uint32_t> title_lengths_;  // words of each title (fieldlens)
  format::DocIdEncoder id_encoder_;
  std::unique_ptr<SpillFile> id_entries_, sketches_;
  bool postings_written_ = false;
  std::vector<SourceFile> source_files_;
  ColumnsBuilder columns_;
};

// Encodes one posting list (skip table, impact records, blocks) into out,
// and its positions into positions_out (docs/FORMAT.md, "postings.pos").
// positions is the term's concatenated per-posting position varints (the
// first position, then gaps); the skip entries' positions_offset are marks
// into positions_out.
void EncodePostings(const std::vector<DocId>& docs, const std::vector<std::uint32_t>& frequencies,
                    std::string_view positions, const std::vector<std::uint32_t>& lengths,
                    std::string& out, format::EncodedPositions& positions_out);

}  // namespace fathom
