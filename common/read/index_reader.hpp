// Opens an index folder: maps every file, validates headers, footers, sizes
// and the checksums of the small files against the meta file, and gives
// bounds-checked access to the dictionary, lengths, ids and posting bytes.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/analysis/fields.hpp"
#include "common/analysis/minhash.hpp"
#include "common/format/doc_ids.hpp"
#include "common/format/field_columns.hpp"
#include "common/format/field_lengths.hpp"
#include "common/format/format.hpp"
#include "common/format/index_meta.hpp"
#include "common/format/page_checksums.hpp"
#include "common/format/sources.hpp"
#include "common/read/mmap_file.hpp"
#include "common/types.hpp"

namespace fathom {

// A dictionary entry with the byte ranges its posting data may occupy,
// derived from the neighbouring entry so that cursors never read outside.
struct TermInfo {
  format::TermEntry entry;
  std::uint64_t postings_end;   // exclusive, absolute offset in postings.doc
  std::uint64_t positions_end;  // exclusive, absolute offset in postings.pos
};

class TermWalker;

// The long posting lists whose skip entries and block headers a cursor has
// validated, by their offset in postings.doc, with what that walk found:
// such a list is walked once per process, not at every query that opens it
// (the mapped bytes never change, and their pages stay verified the same
// way). Thread-safe; an entry, once added, never changes or moves.
class ValidatedLists {
 public:
  struct Facts {
    std::uint32_t max_frequency = 0;  // over the list's blocks
    // The (frequency, length) pairs of all the blocks' impact records that
    // no other pair dominates (as frequent or more, in a document as short
    // or shorter): the list's best score under any BM25 parameters is one
    // of theirs. Filled on first request (PostingCursor::ListImpacts);
    // empty until then (every block has at least one pair).
    std::vector<format::Impact> frontier;
  };
  // The facts of a list validated before, or null.
  const Facts* Find(std::uint64_t offset) const {
    std::shared_lock lock(mutex_);
    const auto it = facts_.find(offset);
    return it == facts_.end() ? nullptr : &it->second;
  }
  void Add(std::uint64_t offset, std::uint32_t max_frequency) {
    std::unique_lock lock(mutex_);
    facts_.try_emplace(offset, Facts{max_frequency, {}});
  }
  // The list's frontier, computed by `compute` (which returns a non-empty
  // one) the first time any thread asks. REQUIRES: the list was added.
  template <typename Compute>
  const std::vector<format::Impact>& Frontier(std::uint64_t offset, Compute&& compute) {
    {
      std::shared_lock lock(mutex_);
      const Facts& facts = facts_.at(offset);
      if (!facts.frontier.empty()) return facts.frontier;
    }
    std::vector<format::Impact> frontier = compute();
    std::unique_lock lock(mutex_);
    Facts& facts = facts_.at(offset);
    if (facts.frontier.empty()) facts.frontier = std::move(frontier);
    return facts.frontier;
  }

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::uint64_t, Facts> facts_;
};

class IndexReader {
 public:
  // Opens one segment: a segment folder, or an index folder whose manifest
  // names a single segment with nothing deleted (what a fresh build makes).
  // Throws IoError (missing files), CorruptIndexError or FormatVersionError,
  // each naming the file, and InputError for an index of several segments.
  // `hot` is how the files every query reads all over are held (the
  // dictionary, the posting and position lists, the lengths); the others
  // are always mapped.
  explicit IndexReader(const std::filesystem::path& path, Residency hot = Residency::kMapped);
  // Opens the segment folder of an index, checking that its meta file is the
  // one the manifest recorded (meta_checksum, its footer checksum).
  IndexReader(const std::filesystem::path& segment_dir, std::uint64_t meta_checksum,
              Residency hot = Residency::kMapped);

  // The segment's folder.
  const std::filesystem::path& dir() const { return dir_; }
  const IndexMeta& meta() const { return meta_; }
  std::uint64_t document_count() const { return meta_.document_count; }
  double average_length() const { return meta_.average_length(); }

  std::uint64_t term_count() const { return term_count_; }
  // The term's text, rebuilt from its block's front-coded entries.
  std::string TermAt(std::uint64_t index) const;
  // Index of the first term >= term in byte order (term_count() if none):
  // where a term, or the terms starting with a prefix, would be.
  std::uint64_t LowerBound(std::string_view term) const;
  // The term's entry, or nullopt. Throws CorruptIndexError if the entry's
  // offsets are out of bounds.
  std::optional<TermInfo> FindTerm(std::string_view term) const;
  TermInfo TermInfoAt(std::uint64_t index) const;
  // TermAt and TermInfoAt decode the term's block up to it (at most 16
  // entries); a walk over many consecutive terms uses a TermWalker.

  // REQUIRES: doc < document_count() (cursors only yield such ids).
  std::uint32_t length(DocId doc) const { return lengths_[doc]; }
  const format::DocLengths& lengths() const { return lengths_; }
  // Words in the document's title (fieldlens), and their sum over the
  // segment: BM25F's title stream.
  std::uint32_t title_length(DocId doc) const { return title_lengths_.lengths[doc]; }
  const format::LengthsColumn& title_lengths() const { return title_lengths_; }
  // Decodes the id (front-coded: at most format::kIdBlockIds entries).
  // Throws CorruptIndexError on a damaged entry.
  std::string external_id(DocId doc) const;
  // Calls visit(doc, id) for every document in order, decoding each entry
  // once. Throws CorruptIndexError on a damaged entry.
  template <typename Visit>
  void ForEachExternalId(Visit&& visit) const {
    std::uint64_t offset = 0;
    std::string error;
    if (!ids_.ForEach(
            [&](std::uint64_t doc, std::string_view id) { visit(static_cast<DocId>(doc), id); },
            &offset, &error)) {
      ThrowCorruptIds(offset, error);
    }
  }
  // The document's MinHash sketch, for near-duplicate detection. Verifies
  // its page first (CorruptIndexError).
  MinHashSketch sketch(DocId doc) const;
  // The files the segment's documents came from (sources.hpp), and the one
  // doc came from (nullptr for a document of no file: JSON Lines, memory).
  const std::vector<SourceFile>& sources() const { return sources_; }
  const SourceFile* source_of(DocId doc) const { return FindSource(sources_, doc); }
  // Linear in the number of documents: for interactive look-ups only.
  std::optional<DocId> FindExternalId(std::string_view id) const;
  // The typed field values in columns (field_columns.hpp).
  const format::FieldColumns& columns() const { return columns_; }
  // The document's values, by name: what a rewrite carries over.
  std::vector<FieldValue> FieldsOf(DocId doc) const;

  // The large files, whose pages are verified on first use: a reader calls
  // Verify on the bytes it is about to read.
  const CheckedFile& postings_file() const { return postings_; }
  const CheckedFile& positions_file() const { return positions_; }
  const CheckedFile& store_file() const { return store_; }
  ValidatedLists& validated_lists() const { return *validated_lists_; }
  // For one-pass readers (merges): gives back the pages of the per-document
  // files (lengths, ids, sketches) once they have been read.
  void DropDocumentPages() const;

 private:
  // The segment folder path names, and the manifest's checksum of its meta
  // file (left alone when path is a segment folder itself).
  static std::filesystem::path ResolveSegment(const std::filesystem::path& path,
                                              std::uint64_t* meta_checksum);
  // Maps and validates every file of dir_; expected_meta_checksum 0: any.
  void Open(std::uint64_t expected_meta_checksum, Residency hot);
  MmapFile OpenFile(const format::FileKind& kind, bool verify_checksum,
                    Residency residency = Residency::kMapped);
  // Opens a large file with its page checksums.
  CheckedFile OpenCheckedFile(const format::FileKind& kind,
                              std::vector<PageChecksums>& page_checksums,
                              Residency residency = Residency::kMapped);

  std::filesystem::path dir_;
  IndexMeta meta_;
  MmapFile meta_file_, dictionary_, lengths_file_, field_lengths_file_, doc_ids_, fields_file_;
  format::FieldColumns columns_;
  CheckedFile postings_, positions_, store_, minhash_;
  std::unique_ptr<ValidatedLists> validated_lists_ = std::make_unique<ValidatedLists>();
  friend class TermWalker;
  // The term dictionary (docs/FORMAT.md, "terms.dict"): index's entry with
  // its absolute offsets, decoded from its block's first entry on; after,
  // when set, receives where the next entry's bytes start.
  format::TermEntry EntryAt(std::uint64_t index, const std::uint8_t** after = nullptr) const;
  // Decodes the entry at `at` (the entry of term index) with the offsets
  // given, checking it against the file bounds; advances at.
  format::TermEntry DecodeEntry(std::uint64_t index, const std::uint8_t*& at) const;
  // The entry's posting bounds, checked.
  TermInfo InfoOf(std::uint64_t index, const format::TermEntry& entry) const;
  format::TermBlock BlockAt(std::uint64_t block) const;
  // The block a term is in, if anywhere: the last whose first term is at
  // most it (0 if none is).
  std::uint64_t BlockHolding(std::string_view term) const;
  // The first term of a block, stored whole: a view of the mapped file.
  std::string_view BlockFirstTerm(std::uint64_t block) const;
  // Makes text[0, length), the previous term of index's block (empty for
  // its first), into index's term; throws CorruptIndexError when the
  // entry's shared prefix is longer than that term, the term longer than
  // any term may be, or its suffix leaves the pool.
  // Inline: a walk over the dictionary (fuzzy and prefix expansion) calls
  // it once a term.
  void RebuildTerm(std::uint64_t index, const format::TermEntry& entry,
                   std::array<char, kMaxIndexedTermBytes>& text, std::size_t& length) const {
    // A block's first term shares nothing: blocks decode independently.
    const bool block_first = index % format::kTermBlockTerms == 0;
    if ((block_first && entry.shared_prefix != 0) || entry.shared_prefix > length ||
        entry.term_length() > text.size() ||
        std::uint64_t{entry.pool_offset} + entry.suffix_length > term_pool_size_) [[unlikely]] {
      ThrowBadTermText(index);
    }
    std::memcpy(text.data() + entry.shared_prefix, term_pool_ + entry.pool_offset,
                entry.suffix_length);
    length = entry.term_length();
  }
  [[noreturn]] void ThrowBadTermText(std::uint64_t index) const;
  // Each block's first term's key (BlockKey), 0 until a binary search first
  // probes the block: the probes every lookup shares, and soon most others,
  // compare numbers in one array instead of decoding an entry and comparing
  // strings. Filled as probed, not at open: keying every block at open
  // touched a third of the dictionary's pages, a millisecond of start-up
  // on the wiki index. From calloc, whose large blocks are fresh pages the
  // kernel zeroes when first touched: zeroing them at open cost start-up a
  // page fault for each of the array's pages. Read and written through
  // std::atomic_ref: searches on several threads fill it.
  struct FreeBlockKeys {
    void operator()(std::uint64_t* keys) const { std::free(keys); }
  };
  std::unique_ptr<std::uint64_t[], FreeBlockKeys> block_keys_;
  std::uint64_t term_count_ = 0;
  std::uint64_t term_block_count_ = 0;
  const std::uint8_t* term_blocks_ = nullptr;
  const std::uint8_t* term_entries_ = nullptr;
  std::uint64_t term_entries_size_ = 0;
  const std::uint8_t* term_pool_ = nullptr;
  std::uint64_t term_pool_size_ = 0;
  format::DocLengths lengths_;
  format::LengthsColumn title_lengths_;
  format::DocIdTable ids_;
  [[noreturn]] void ThrowCorruptIds(std::uint64_t payload_offset, const std::string& what) const;
  const std::uint8_t* sketches_ = nullptr;
  std::vector<SourceFile> sources_;
};

// The dictionary's terms in order from a starting index, each entry
// decoded once: prefix and fuzzy expansion, merges. Lives no longer than
// its reader.
class TermWalker {
 public:
  TermWalker(const IndexReader& reader, std::uint64_t index);
  bool done() const { return index_ >= reader_.term_count(); }
  std::uint64_t index() const { return index_; }
  // REQUIRES: !done().
  std::string_view term() const { return {text_.data(), length_}; }
  TermInfo info() const { return reader_.InfoOf(index_, entry_); }
  void Next();

 private:
  // Decodes the entry of index, the term after the current one in its block.
  void Step(std::uint64_t index);
  const IndexReader& reader_;
  std::uint64_t index_;
  const std::uint8_t* at_ = nullptr;  // the next entry's bytes
  format::TermEntry entry_{};
  // The term, rebuilt in place from the front-coded entries.
  std::array<char, kMaxIndexedTermBytes> text_;
  std::size_t length_ = 0;
};

}  // namespace fathom
