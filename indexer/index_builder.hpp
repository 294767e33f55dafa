// Builds a complete index from a corpus: corpus reader -> analyzer ->
// in-memory inverted index -> segment and store writers -> meta, all in a
// temporary folder beside the target that replaces the target only once
// every file is written and synced.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>

#include "common/analyzer.hpp"
#include "common/index_meta.hpp"
#include "indexer/corpus_reader.hpp"

namespace fathom {

struct BuildOptions {
  CorpusOptions corpus;
  AnalysisSettings analysis;
  // Set from another thread (a signal handler) to abandon the build; the
  // previous index, if any, stays as it was.
  const std::atomic<bool>* cancel = nullptr;
};

struct BuildProgress {
  std::uint64_t documents;
  std::uint64_t bytes_read;
  std::uint64_t total_bytes;  // 0 when unknown
  double seconds;
};

struct BuildSummary {
  IndexMeta meta;
  CorpusStats corpus;
  std::uint64_t truncated_words = 0;
  double seconds = 0;
};

// Throws InputError (bad corpus, unsafe target), IoError (disk), leaving any
// existing index at index_dir untouched. progress, when set, is called about
// every 64 documents.
BuildSummary BuildIndex(const std::filesystem::path& corpus, const std::filesystem::path& index_dir,
                        const BuildOptions& options, const WarningSink& warn,
                        const std::function<void(const BuildProgress&)>& progress);

}  // namespace fathom
