// Runs: a worker's in-memory inverted index written to a temporary file in
// term order, once it outgrows its share of the memory budget, and read back
// sequentially by the final merge. The format is private to one build (the
// files live in the build's temporary folder and are deleted with it):
//
//   Run     := TermRec* varint(0)
//   TermRec := varint term_length  term_bytes  varint document_frequency
//              Posting × document_frequency
//   Posting := varint doc_gap  varint frequency  varint positions_bytes
//              positions (the in-memory varints, copied)
//
// doc_gap is the doc id minus the term's previous one (the first is the id).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "indexer/write/inverted_index.hpp"
#include "indexer/write/posting_source.hpp"

namespace fathom {

// Writes the index's terms and postings to path and returns the file's size.
// Not synced: after a crash the whole build, runs included, is discarded.
// Throws IoError.
std::uint64_t WriteRun(const InvertedIndex& index, const std::filesystem::path& path);

// Streams a run with a bounded buffer: its memory does not grow with the
// run's size, only with the largest single posting.
class RunReader final : public PostingSource {
 public:
  explicit RunReader(const std::filesystem::path& path);
  ~RunReader() override;
  RunReader(const RunReader&) = delete;
  RunReader& operator=(const RunReader&) = delete;

  bool NextTerm() override;
  std::string_view term() const override { return term_; }
  bool NextPosting(SourcePosting& posting) override;

 private:
  // Makes at least n bytes available at pos_ (fewer only at the end of the
  // file, which callers treat as corruption).
  void Fill(std::size_t n);
  std::uint64_t ReadVarint();
  [[noreturn]] void Corrupt(const char* what) const;

  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<char> buffer_;
  std::size_t pos_ = 0, end_ = 0;
  bool eof_ = false;
  std::string term_;
  std::uint64_t remaining_ = 0;  // postings left in the current term
  DocId previous_doc_ = 0;
};

// Reads a worker's in-memory index directly, for the last, unflushed part of
// a build (no need to write it out only to read it back).
class MemoryPostingSource final : public PostingSource {
 public:
  explicit MemoryPostingSource(const InvertedIndex& index) : terms_(index.SortedTerms()) {}

  bool NextTerm() override;
  std::string_view term() const override { return terms_[term_ - 1].first; }
  bool NextPosting(SourcePosting& posting) override;

 private:
  std::vector<std::pair<std::string_view, const InvertedIndex::TermPostings*>> terms_;
  std::size_t term_ = 0;  // 1 + index of the current term
  std::size_t posting_ = 0;
  std::size_t positions_at_ = 0;
};

}  // namespace fathom
