// What a build reads: a corpus on disk (a file or folder, opened with
// CorpusReader::Open) or documents already in memory (the library's
// IndexWriter), behind one interface so that building, adding and their
// checks are the same code for both.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "indexer/corpus/corpus_reader.hpp"

namespace fathom {

class CorpusInput {
 public:
  // Implicit: a path is what most builds read.
  CorpusInput(std::filesystem::path path);  // NOLINT(google-explicit-constructor)
  CorpusInput(const std::string& path)      // NOLINT(google-explicit-constructor)
      : CorpusInput(std::filesystem::path(path)) {}
  CorpusInput(const char* path)  // NOLINT(google-explicit-constructor)
      : CorpusInput(std::filesystem::path(path)) {}
  // Documents read in this order. Invalid UTF-8 is repaired (U+FFFD) and
  // counted, as for files.
  static CorpusInput InMemory(std::vector<SourceDocument> documents);
  // These files under root, read in this order as a folder corpus rooted at
  // root reads them (ids and file records relative to root).
  static CorpusInput FilesUnder(std::filesystem::path root,
                                std::vector<std::filesystem::path> files);

  // A reader over the input. Throws as CorpusReader::Open.
  std::unique_ptr<CorpusReader> Open(const CorpusOptions& options, WarningSink warn) const;
  // The input as messages name it: the path, or "documents in memory".
  const std::string& name() const { return name_; }

 private:
  CorpusInput() = default;
  std::filesystem::path path_;
  std::string name_;
  std::shared_ptr<const std::vector<SourceDocument>> documents_;     // in memory
  std::shared_ptr<const std::vector<std::filesystem::path>> files_;  // FilesUnder path_
};

}  // namespace fathom
