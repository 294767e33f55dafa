// Helpers shared by the test suites: temporary folders, corpus files,
// building an index through the library, and running the command-line tools.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/format/manifest.hpp"
#include "indexer/corpus/corpus_reader.hpp"
#include "indexer/write/index_builder.hpp"
#include "indexer/write/manifest_writer.hpp"
#include "tests/index_files.hpp"

namespace fathom::testing {

// A fresh folder under the system temp folder, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "fathom-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline void WriteFile(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

inline std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

// Writes documents as JSON Lines and returns the file's path.
inline std::filesystem::path WriteJsonl(const TempDir& dir, const std::vector<SourceDocument>& docs,
                                        const std::string& name = "corpus.jsonl") {
  std::string lines;
  for (const auto& doc : docs) {
    lines += "{\"id\":" + JsonString(doc.id) + ",\"title\":" + JsonString(doc.title) +
             ",\"body\":" + JsonString(doc.body) + "}\n";
  }
  WriteFile(dir / name, lines);
  return dir / name;
}

// Builds an index of the documents with the library; returns its folder.
// Everything a corpus reader gives: the documents in order, the warnings,
// and the counts.
struct CorpusRead {
  std::vector<SourceDocument> docs;
  std::vector<std::string> warnings;
  CorpusStats stats;
};
inline CorpusRead ReadCorpus(const std::filesystem::path& path, const CorpusOptions& options = {}) {
  CorpusRead read;
  auto reader =
      CorpusReader::Open(path, options, [&](const std::string& w) { read.warnings.push_back(w); });
  for (SourceDocument doc; reader->Next(doc);) read.docs.push_back(doc);
  read.stats = reader->stats();
  return read;
}

inline std::filesystem::path BuildFromDocs(const TempDir& dir,
                                           const std::vector<SourceDocument>& docs,
                                           const AnalysisSettings& analysis = {}) {
  const auto corpus = WriteJsonl(dir, docs);
  BuildOptions options;
  options.analysis = analysis;
  BuildIndex(corpus, dir / "index", options, nullptr, nullptr);
  return dir / "index";
}

// Builds the documents as one index of several segments: segment i holds
// the next part_sizes[i] documents, in order, so that global ids are those of
// an index of all of them built in one go. Each part is built with
// BuildIndex in a folder of its own, whose segment then moves into the index
// folder under its new name; one manifest lists them all.
inline std::filesystem::path BuildSegmented(const TempDir& dir,
                                            const std::vector<SourceDocument>& docs,
                                            const std::vector<std::size_t>& part_sizes,
                                            const AnalysisSettings& analysis = {}) {
  namespace fs = std::filesystem;
  const fs::path index = dir / "segmented";
  fs::create_directories(index);
  Manifest manifest;
  manifest.generation = 1;
  std::size_t begin = 0;
  for (std::size_t i = 0; i < part_sizes.size(); ++i) {
    const std::vector<SourceDocument> part(docs.begin() + begin,
                                           docs.begin() + begin + part_sizes[i]);
    begin += part_sizes[i];
    const std::string name = "part-" + std::to_string(i);
    BuildOptions options;
    options.analysis = analysis;
    BuildIndex(WriteJsonl(dir, part, name + ".jsonl"), dir / name, options, nullptr, nullptr);
    SegmentRecord record = ReadManifest(dir / name).segments.at(0);
    const std::string built = record.name;
    record.name = SegmentName(i + 1);
    fs::rename(dir / name / built, index / record.name);
    fs::remove_all(dir / name);
    manifest.segments.push_back(record);
  }
  if (begin != docs.size()) std::abort();  // the parts must cover the documents
  manifest.next_segment = part_sizes.size() + 1;
  CommitManifest(index, manifest);
  return index;
}

struct CommandResult {
  int exit_code;
  std::string out;
  std::string err;
};

// Runs a shell command, capturing stdout and stderr separately.
inline CommandResult RunCommand(const std::string& command) {
  TempDir scratch;
  const std::string out = (scratch / "out").string();
  const std::string err = (scratch / "err").string();
  // Standard input is /dev/null unless the command sets its own (a pipe).
  const int status =
      std::system(("{ " + command + " ; } >" + out + " 2>" + err + " </dev/null").c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadFile(out), ReadFile(err)};
}

inline std::string Quote(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

inline const std::string kIndexBin = FATHOM_INDEX_BIN;
inline const std::string kSearchBin = FATHOM_SEARCH_BIN;
inline const std::filesystem::path kSharedDir = FATHOM_SHARED_DIR;

// Test data that must be there: a suite whose data is missing fails, naming
// the path, rather than skipping and letting the run pass without it.
// ASSERT_TRUE(TestDataExists(path)).
inline ::testing::AssertionResult TestDataExists(const std::filesystem::path& path) {
  if (std::filesystem::exists(path)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "missing test data: " << path.string()
         << " (the shared data folder is expected next to the repository, at "
         << kSharedDir.string() << ")";
}

}  // namespace fathom::testing
