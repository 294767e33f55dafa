// Builds an index from a corpus: corpus reader -> batches of documents ->
// worker threads (analyzer -> in-memory inverted index, flushed as a sorted
// run whenever it outgrows its share of the memory budget; store blocks
// compressed) -> documents committed in corpus order -> one segment, written
// by a streaming multi-way merge of the runs. A fresh build writes it in a
// temporary folder beside the target, which replaces the target only once
// every file is written and synced.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "common/analysis/analyzer.hpp"
#include "common/format/index_meta.hpp"
#include "common/format/manifest.hpp"
#include "indexer/corpus/corpus_input.hpp"
#include "indexer/corpus/corpus_reader.hpp"
#include "indexer/write/doc_reorder.hpp"

namespace fathom {

struct BuildOptions {
  CorpusOptions corpus;
  AnalysisSettings analysis;
  // Bound on the build's resident memory, in bytes; 0: DefaultMemoryBudget().
  std::uint64_t memory_bytes = 0;
  // Analysis threads; 0: one per core.
  unsigned threads = 0;
  // Segments a fresh build leaves (documents split into this many ranges of
  // equal counts); 1, the default, is what searches fastest.
  unsigned segments = 1;
  // Renumber the documents by recursive graph bisection (doc_reorder.hpp)
  // once they are read: smaller postings, faster conjunctions, more build
  // time. Sync and merge take the same setting.
  bool reorder = kReorderByDefault;
  ReorderOptions reorder_options;
  // Set from another thread (a signal handler) to abandon the build; the
  // previous index, if any, stays as it was.
  const std::atomic<bool>* cancel = nullptr;
  // BuildSegment: a corpus of no document is no error; nothing is written
  // then, and the summary's segment has no name (sync re-reading files that
  // now give none).
  bool allow_no_documents = false;
};

// A quarter of the machine's physical memory, at least 256 MiB.
std::uint64_t DefaultMemoryBudget();
// The smallest budget the command line accepts (the library takes any, so
// that tests can force many small runs).
inline constexpr std::uint64_t kMinMemoryBudget = 64ull << 20;

// The reordering a build with these options does: its threads, and half its
// memory budget for the forward index, unless reorder_options say otherwise.
ReorderOptions EffectiveReorderOptions(const BuildOptions& options);

enum class BuildPhase { kInverting, kMerging, kReordering, kFinishing };
const char* PhaseName(BuildPhase phase);

struct BuildProgress {
  BuildPhase phase;
  std::uint64_t documents;
  std::uint64_t bytes_read;
  std::uint64_t total_bytes;   // 0 when unknown
  std::uint64_t memory_bytes;  // estimated: in-memory postings and queued documents
  std::uint64_t runs;          // runs flushed to disk so far
  std::uint64_t postings_merged;
  std::uint64_t postings_total;  // known once the merge starts
  double seconds;
};

struct BuildSummary {
  IndexMeta meta;
  CorpusStats corpus;
  SegmentRecord segment;
  std::vector<SourceFile> sources;  // the files read (none for JSON Lines)
  std::uint64_t truncated_words = 0;
  std::uint64_t runs = 0;       // sorted runs flushed (0: everything fit in memory)
  std::uint64_t run_bytes = 0;  // their total size
  unsigned threads = 0;
  std::uint64_t memory_budget = 0;
  double seconds = 0;
  double merge_seconds = 0;
  bool reordered = false;
  ReorderSummary reorder;  // when reordered
  double reorder_rewrite_seconds = 0;
};

using ProgressSink = std::function<void(const BuildProgress&)>;

// Builds a fresh index at index_dir (one segment). Over an existing index,
// holds its writer lock (indexer/write/index_lock.hpp) from start to end, and
// removes the temporary folders of killed builds. Throws InputError (bad
// corpus, unsafe target, another writer holds the lock), IoError (disk),
// leaving any existing index at index_dir untouched. progress, when set, is
// called a few times a second.
BuildSummary BuildIndex(const CorpusInput& corpus, const std::filesystem::path& index_dir,
                        const BuildOptions& options, const WarningSink& warn,
                        const ProgressSink& progress);

// Reads a corpus into a new segment in segment_dir (created; must not
// exist), named `name` in its record. The building block of BuildIndex and
// of adding documents to an index. Throws as BuildIndex; the caller removes
// segment_dir on failure.
BuildSummary BuildSegment(const CorpusInput& corpus, const std::filesystem::path& segment_dir,
                          const std::string& name, const BuildOptions& options,
                          const WarningSink& warn, const ProgressSink& progress);

}  // namespace fathom
