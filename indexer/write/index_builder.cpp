#include "indexer/write/index_builder.hpp"

#include <fcntl.h>  // AT_FDCWD
#include <stdio.h>  // renameat2
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <thread>

#include "common/error.hpp"
#include "common/format/format.hpp"
#include "common/read/index_reader.hpp"
#include "indexer/write/doc_store_writer.hpp"
#include "indexer/write/file_writer.hpp"
#include "indexer/write/index_lock.hpp"
#include "indexer/write/inverted_index.hpp"
#include "indexer/write/manifest_writer.hpp"
#include "indexer/write/posting_run.hpp"
#include "indexer/write/segment_merger.hpp"
#include "indexer/write/segment_writer.hpp"

namespace fathom {
namespace fs = std::filesystem;
namespace {

// A batch is cut at this many bytes of text or documents, whichever first:
// large enough that workers rarely wait on each other, small enough that the
// batches in flight are a small part of the budget.
constexpr std::size_t kBatchBytes = 1 << 20;
constexpr std::size_t kBatchDocuments = 1024;
// The share of the budget the workers' inverted indexes may fill together;
// the rest covers the batches in flight, document lengths, I/O buffers,
// the merge, and the allocator's fragmentation.
constexpr double kPostingsShare = 0.65;
constexpr std::uint64_t kReservedBytes = 48ull << 20;

struct Batch {
  std::uint64_t sequence = 0;
  DocId first_doc = 0;
  std::vector<SourceDocument> documents;
  std::size_t bytes = 0;
};

struct BatchResult {
  std::vector<std::string> ids;
  std::vector<DocumentSummary> summaries;
  std::vector<CompressedStoreBlock> blocks;
  std::vector<std::string> warnings;
};

// What the reader, the workers and the committer share. Workers take
// batches from a bounded queue, analyze them into their own inverted index,
// and hand the per-document results to the committer, which appends them to
// the segment strictly in corpus order (whichever worker finishes the next
// batch in order does the appending).
class Pipeline {
 public:
  Pipeline(const AnalysisSettings& analysis, SegmentWriter& segment, const fs::path& run_dir,
           unsigned threads, std::uint64_t worker_budget, const WarningSink& warn)
      : segment_(segment),
        run_dir_(run_dir),
        worker_budget_(worker_budget),
        warn_(warn),
        worker_memory_(threads) {
    for (unsigned t = 0; t < threads; ++t) workers_.push_back(std::make_unique<Worker>(analysis));
    for (unsigned t = 0; t < threads; ++t) threads_.emplace_back([this, t] { Work(t); });
  }

  ~Pipeline() { Stop(); }

  // Queues a batch; blocks while the queue is full. False once a worker has
  // failed (Finish then rethrows its error).
  bool Push(Batch batch) {
    std::unique_lock lock(mutex_);
    queue_space_.wait(lock, [&] { return queue_.size() < 2 * workers_.size() || failed_; });
    if (failed_) return false;
    queued_bytes_ += batch.bytes;
    queue_.push_back(std::move(batch));
    queue_ready_.notify_one();
    return true;
  }

  // Waits for the workers to drain the queue; rethrows the first failure.
  void Finish() {
    Stop();
    if (failure_) std::rethrow_exception(failure_);
  }

  std::uint64_t memory_bytes() const {
    std::uint64_t total = queued_bytes_.load(std::memory_order_relaxed);
    for (const auto& bytes : worker_memory_) total += bytes.load(std::memory_order_relaxed);
    return total;
  }
  std::uint64_t runs() const { return runs_.load(std::memory_order_relaxed); }
  std::uint64_t run_bytes() const { return run_bytes_.load(std::memory_order_relaxed); }
  std::uint64_t truncated_words() const {
    std::uint64_t total = 0;
    for (const auto& worker : workers_) total += worker->analyzer.truncated_words();
    return total;
  }

  // After Finish: the merge's sources (the runs on disk, then what each
  // worker still holds in memory), and how many postings they hold.
  std::vector<std::unique_ptr<PostingSource>> Sources() const {
    std::vector<std::unique_ptr<PostingSource>> sources;
    for (const auto& path : run_paths_) sources.push_back(std::make_unique<RunReader>(path));
    for (const auto& worker : workers_) {
      if (!worker->inverted.empty()) {
        sources.push_back(std::make_unique<MemoryPostingSource>(worker->inverted));
      }
    }
    return sources;
  }
  std::uint64_t posting_total() const {
    std::uint64_t total = flushed_postings_;
    for (const auto& worker : workers_) total += worker->inverted.posting_count();
    return total;
  }

 private:
  struct Worker {
    explicit Worker(const AnalysisSettings& settings) : analyzer(settings), inverted(analyzer) {}
    Analyzer analyzer;
    InvertedIndex inverted;
    StoreBlockBuilder store;
  };

  void Stop() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    queue_ready_.notify_all();
    for (auto& thread : threads_) thread.join();
    threads_.clear();
  }

  void Fail(std::exception_ptr failure) {
    std::lock_guard lock(mutex_);
    if (!failure_) failure_ = failure;
    failed_ = true;
    queue_space_.notify_all();
    queue_ready_.notify_all();
  }

  void Work(unsigned t) {
    Worker& worker = *workers_[t];
    try {
      while (true) {
        Batch batch;
        {
          std::unique_lock lock(mutex_);
          queue_ready_.wait(lock, [&] { return !queue_.empty() || closed_ || failed_; });
          if (failed_ || queue_.empty()) return;
          batch = std::move(queue_.front());
          queue_.pop_front();
          queue_space_.notify_one();
        }
        BatchResult result = Analyze(worker, batch);
        queued_bytes_ -= batch.bytes;
        const std::uint64_t sequence = batch.sequence;
        batch = Batch();  // free the text before flushing
        worker_memory_[t] = worker.inverted.memory_bytes();
        // Commit before flushing: the batches after this one wait for it.
        Commit(sequence, std::move(result));
        if (worker.inverted.memory_bytes() >= worker_budget_) Flush(worker, t);
      }
    } catch (...) {
      Fail(std::current_exception());
    }
  }

  BatchResult Analyze(Worker& worker, const Batch& batch) {
    BatchResult result;
    result.ids.reserve(batch.documents.size());
    result.summaries.reserve(batch.documents.size());
    DocId doc = batch.first_doc;
    for (const SourceDocument& document : batch.documents) {
      const std::uint64_t truncated_before = worker.analyzer.truncated_words();
      result.summaries.push_back(worker.inverted.AddDocument(doc++, document.title, document.body));
      result.summaries.back().fields = document.fields;
      const std::uint64_t truncated = worker.analyzer.truncated_words() - truncated_before;
      if (truncated > 0) {
        result.warnings.push_back(document.id + ": " + std::to_string(truncated) +
                                  " word(s) longer than " + std::to_string(kMaxTermBytes) +
                                  " bytes cut to " + std::to_string(kMaxTermBytes) + " bytes");
      }
      worker.store.Add(document.title, document.body, result.blocks);
      result.ids.push_back(document.id);
    }
    // Blocks never span batches, so any worker's blocks can follow any other's.
    worker.store.Flush(result.blocks);
    return result;
  }

  void Flush(Worker& worker, unsigned t) {
    fs::path path;
    {
      std::lock_guard lock(runs_mutex_);
      path = run_dir_ / (".run-" + std::to_string(run_paths_.size()));
      run_paths_.push_back(path);
    }
    run_bytes_ += WriteRun(worker.inverted, path);
    flushed_postings_ += worker.inverted.posting_count();
    worker.inverted.Clear();
    worker_memory_[t] = 0;
    ++runs_;
  }

  void Commit(std::uint64_t sequence, BatchResult result) {
    std::lock_guard lock(commit_mutex_);
    done_.emplace(sequence, std::move(result));
    for (auto it = done_.find(next_commit_); it != done_.end(); it = done_.find(next_commit_)) {
      BatchResult& ready = it->second;
      for (std::size_t i = 0; i < ready.ids.size(); ++i) {
        segment_.AddDocument(ready.ids[i], ready.summaries[i]);
      }
      for (const auto& block : ready.blocks) segment_.store().AppendBlock(block);
      if (warn_) {
        for (const auto& warning : ready.warnings) warn_(warning);
      }
      done_.erase(it);
      ++next_commit_;
    }
  }

  SegmentWriter& segment_;
  fs::path run_dir_;
  std::uint64_t worker_budget_;
  const WarningSink& warn_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::atomic<std::uint64_t>> worker_memory_;
  std::vector<std::thread> threads_;

  std::mutex mutex_;
  std::condition_variable queue_ready_, queue_space_;
  std::deque<Batch> queue_;
  bool closed_ = false, failed_ = false;
  std::exception_ptr failure_;
  std::atomic<std::uint64_t> queued_bytes_{0};

  std::mutex commit_mutex_;
  std::map<std::uint64_t, BatchResult> done_;
  std::uint64_t next_commit_ = 0;

  std::mutex runs_mutex_;
  std::vector<fs::path> run_paths_;
  std::atomic<std::uint64_t> runs_{0}, run_bytes_{0}, flushed_postings_{0};
};

// Refuses a target that exists and is neither empty nor a Fathom index, so a
// mistyped path can never replace a user's folder.
void CheckTarget(const fs::path& index_dir) {
  std::error_code ec;
  if (!fs::exists(index_dir, ec)) return;
  if (!fs::is_directory(index_dir, ec)) {
    throw InputError(index_dir.string() + ": exists and is not a folder; refusing to replace it");
  }
  if (fs::is_empty(index_dir, ec) || IsIndexFolder(index_dir)) return;
  throw InputError(index_dir.string() +
                   ": exists and is not a Fathom index; refusing to replace it");
}

// Puts the finished index in place. Over an index (whose lock the build
// holds), the two folders are exchanged atomically (renameat2), so at every
// instant the target is either the old or the new index. Otherwise the
// folder is renamed to the target, which fails if another build published
// an index there meanwhile: only an index's lock holder may replace it.
void Publish(const fs::path& temp_dir, const fs::path& index_dir, bool replace) {
  std::error_code ec;
  if (replace) {
    if (::renameat2(AT_FDCWD, temp_dir.c_str(), AT_FDCWD, index_dir.c_str(), RENAME_EXCHANGE) ==
        0) {
      fs::remove_all(temp_dir, ec);  // now holds the old index
      return;
    }
    if (errno != EINVAL && errno != ENOSYS) {
      throw IoError(index_dir.string() + ": cannot replace the index: " + std::strerror(errno));
    }
    // The file system cannot exchange: fall back to two renames.
    // RemoveStaleBuilds knows this name, should the build die in between.
    const fs::path old_dir = temp_dir.string() + ".old";
    fs::rename(index_dir, old_dir);
    fs::rename(temp_dir, index_dir);
    fs::remove_all(old_dir, ec);
  } else if (::rename(temp_dir.c_str(), index_dir.c_str()) != 0) {
    if (errno == ENOTEMPTY || errno == EEXIST) {
      throw InputError(index_dir.string() +
                       ": another fathom-index wrote an index here meanwhile; left as it is");
    }
    throw IoError(index_dir.string() + ": cannot create the index: " + std::strerror(errno));
  }
  const fs::path parent = index_dir.parent_path().empty() ? fs::path(".") : index_dir.parent_path();
  SyncDirectory(parent);
}

// What a failed build left at index_dir, for its error message.
std::string Unchanged(const fs::path& index_dir) {
  return IsIndexFolder(index_dir) ? "the previous index at " + index_dir.string() + " is unchanged"
                                  : "no index was written at " + index_dir.string();
}

// Cuts the built segment into `parts` segments of consecutive documents
// (equal counts), numbered from first_number on, and removes it.
std::vector<SegmentRecord> SplitSegment(const fs::path& index_dir, const SegmentRecord& whole,
                                        unsigned parts, std::uint64_t first_number,
                                        const ProgressSink& progress) {
  std::vector<SegmentRecord> records;
  {
    const IndexReader reader(index_dir / whole.name);
    const std::uint64_t n = reader.document_count();
    parts = static_cast<unsigned>(std::min<std::uint64_t>(parts, n));
    for (unsigned part = 0; part < parts; ++part) {
      const std::uint64_t first = n * part / parts, end = n * (part + 1) / parts;
      const bool last = part + 1 == parts;
      RewritePlan plan;
      for (std::uint64_t doc = first; doc < end; ++doc) {
        plan.order.push_back({0, static_cast<DocId>(doc)});
      }
      // Each file's record goes with its documents; a file whose documents
      // straddle two parts has a record in each, for its share.
      for (const SourceFile& source : reader.sources()) {
        const std::uint64_t from = std::max<std::uint64_t>(source.first_doc, first);
        const std::uint64_t to =
            std::min<std::uint64_t>(source.first_doc + std::uint64_t{source.doc_count}, end);
        const bool empty_here = source.doc_count == 0 && source.first_doc >= first &&
                                (source.first_doc < end || (last && source.first_doc == end));
        if (from >= to && !empty_here) continue;
        SourceFile share = source;
        share.first_doc = static_cast<DocId>(std::max<std::uint64_t>(from, first) - first);
        share.doc_count = static_cast<std::uint32_t>(from < to ? to - from : 0);
        plan.sources.push_back(std::move(share));
      }
      const std::string name = SegmentName(first_number + part);
      if (std::error_code ec; !fs::create_directory(index_dir / name, ec)) {
        throw IoError((index_dir / name).string() + ": cannot create: " + ec.message());
      }
      records.push_back(RewriteSegments({&reader}, plan, index_dir / name, name, progress));
    }
  }
  fs::remove_all(index_dir / whole.name);
  return records;
}

// Rewrites the built segment in the order recursive graph bisection gives
// (doc_reorder.hpp) as segment `name`, and removes it.
void ReorderSegment(const fs::path& index_dir, const std::string& name, const BuildOptions& options,
                    const ProgressSink& progress, BuildSummary& summary) {
  const std::string whole = summary.segment.name;
  {
    const IndexReader reader(index_dir / whole);
    RewritePlan plan = ConcatenationPlan({&reader}, {DeletedDocs(reader.document_count())});
    if (progress) {
      // The bisection reports nothing until it is done; the rewrite then
      // reports as a merge.
      BuildProgress report{};
      report.phase = BuildPhase::kReordering;
      report.documents = reader.document_count();
      progress(report);
    }
    summary.reorder = ReorderPlan({&reader}, plan, EffectiveReorderOptions(options));
    if (std::error_code ec; !fs::create_directory(index_dir / name, ec)) {
      throw IoError((index_dir / name).string() + ": cannot create: " + ec.message());
    }
    const auto start = std::chrono::steady_clock::now();
    summary.segment = RewriteSegments({&reader}, plan, index_dir / name, name, progress);
    summary.reorder_rewrite_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  fs::remove_all(index_dir / whole);
  summary.meta = IndexReader(index_dir / name).meta();
  summary.reordered = true;
}

}  // namespace

std::uint64_t DefaultMemoryBudget() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGESIZE);
  const std::uint64_t physical =
      pages > 0 && page_size > 0 ? static_cast<std::uint64_t>(pages) * page_size : 4ull << 30;
  return std::max<std::uint64_t>(physical / 4, 256ull << 20);
}

ReorderOptions EffectiveReorderOptions(const BuildOptions& options) {
  ReorderOptions reorder = options.reorder_options;
  if (reorder.threads == 0) reorder.threads = options.threads;
  if (reorder.memory_bytes == 0) {
    reorder.memory_bytes =
        (options.memory_bytes != 0 ? options.memory_bytes : DefaultMemoryBudget()) / 2;
  }
  return reorder;
}

const char* PhaseName(BuildPhase phase) {
  switch (phase) {
    case BuildPhase::kInverting:
      return "inverting";
    case BuildPhase::kMerging:
      return "merging";
    case BuildPhase::kReordering:
      return "reordering";
    case BuildPhase::kFinishing:
      return "finishing";
  }
  return "";
}

BuildSummary BuildSegment(const CorpusInput& corpus, const fs::path& segment_dir,
                          const std::string& name, const BuildOptions& options,
                          const WarningSink& warn, const ProgressSink& progress) {
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  BuildSummary summary;
  summary.threads =
      options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  summary.memory_budget = options.memory_bytes != 0 ? options.memory_bytes : DefaultMemoryBudget();
  const std::uint64_t reserved = std::min(kReservedBytes, summary.memory_budget / 2);
  const std::uint64_t worker_budget = std::max<std::uint64_t>(
      static_cast<std::uint64_t>(static_cast<double>(summary.memory_budget - reserved) *
                                 kPostingsShare / summary.threads),
      64 << 10);

  // The reader warns from this thread, the committer from a worker's.
  std::mutex warn_mutex;
  const WarningSink safe_warn = [&](const std::string& message) {
    if (!warn) return;
    std::lock_guard lock(warn_mutex);
    warn(message);
  };
  auto reader = corpus.Open(options.corpus, safe_warn);
  if (std::error_code ec; !fs::create_directory(segment_dir, ec)) {
    throw IoError(segment_dir.string() +
                  ": cannot create: " + (ec ? ec.message() : std::string("it exists")));
  }
  SegmentWriter segment(segment_dir, options.analysis);
  Pipeline pipeline(options.analysis, segment, segment_dir, summary.threads, worker_budget,
                    safe_warn);

  BuildProgress report{};
  auto last_report = std::chrono::steady_clock::now();
  const auto report_progress = [&](bool force) {
    if (!progress) return;
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last_report < std::chrono::milliseconds(200)) return;
    last_report = now;
    report.bytes_read = reader->stats().bytes_read;
    report.total_bytes = reader->stats().total_bytes;
    report.memory_bytes = pipeline.memory_bytes();
    report.runs = pipeline.runs();
    report.seconds = elapsed();
    progress(report);
  };

  Batch batch;
  DocId next_doc = 0;
  std::uint64_t sequence = 0;
  const auto push = [&] {
    if (batch.documents.empty()) return true;
    batch.sequence = sequence++;
    const bool accepted = pipeline.Push(std::move(batch));
    batch = Batch();
    batch.first_doc = next_doc;
    return accepted;
  };
  SourceDocument document;
  bool accepted = true;
  try {
    while (accepted && reader->Next(document)) {
      if (options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed)) {
        throw InputError("interrupted; the previous index (if any) is unchanged");
      }
      if (next_doc >= kMaxDocuments) {
        throw InputError("too many documents: an index holds at most " +
                         std::to_string(kMaxDocuments));
      }
      ++next_doc;
      batch.bytes += document.title.size() + document.body.size() + document.id.size();
      batch.documents.push_back(std::move(document));
      document = SourceDocument();
      if (batch.bytes >= kBatchBytes || batch.documents.size() >= kBatchDocuments) {
        accepted = push();
      }
      report.documents = next_doc;
      report_progress(false);
    }
    if (accepted) push();
  } catch (...) {
    pipeline.Finish();  // a worker's error, if any, is the more telling one
    throw;
  }
  pipeline.Finish();
  summary.corpus = reader->stats();
  summary.sources = reader->source_files();
  segment.SetSourceFiles(reader->source_files());
  if (next_doc == 0 && options.allow_no_documents) return summary;
  if (next_doc == 0) {
    const CorpusStats& stats = summary.corpus;
    throw InputError(corpus.name() + ": no documents found" +
                     (stats.skipped_binary + stats.skipped_unreadable + stats.skipped_too_large +
                                  stats.skipped_links >
                              0
                          ? " (every file was skipped)"
                          : ""));
  }

  const auto merge_start = std::chrono::steady_clock::now();
  report.phase = BuildPhase::kMerging;
  report.postings_total = pipeline.posting_total();
  report_progress(true);
  {
    const auto owned = pipeline.Sources();
    std::vector<PostingSource*> sources;
    for (const auto& source : owned) sources.push_back(source.get());
    segment.WritePostings(sources, [&](std::uint64_t postings) {
      if (options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed)) {
        throw InputError("interrupted; the previous index (if any) is unchanged");
      }
      report.postings_merged = postings;
      report_progress(false);
    });
  }
  report.phase = BuildPhase::kFinishing;
  report_progress(true);
  summary.segment = segment.Finish(name);
  summary.meta = segment.meta();
  summary.truncated_words = pipeline.truncated_words();
  summary.runs = pipeline.runs();
  summary.run_bytes = pipeline.run_bytes();
  summary.merge_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - merge_start).count();
  for (const auto& entry : fs::directory_iterator(segment_dir)) {
    if (entry.path().filename().string().rfind(".run-", 0) == 0) fs::remove(entry.path());
  }
  summary.seconds = elapsed();
  return summary;
}

BuildSummary BuildIndex(const CorpusInput& corpus, const fs::path& index_dir,
                        const BuildOptions& options, const WarningSink& warn,
                        const ProgressSink& progress) {
  const auto start = std::chrono::steady_clock::now();
  CheckTarget(index_dir);
  // Over an index, a build is a writer like add or delete: it holds the
  // index's lock until the old index is gone, so that no other change
  // commits into a folder about to be swapped away.
  std::optional<IndexWriteLock> index_lock;
  if (IsIndexFolder(index_dir)) index_lock.emplace(index_dir);
  RemoveStaleBuilds(index_dir);
  std::optional<TempBuildDir> temp;
  try {
    temp.emplace(MakeTempBuildDir(index_dir));
  } catch (const IoError& error) {
    throw IoError(std::string(error.what()) + "; " + Unchanged(index_dir));
  }
  const fs::path& temp_dir = temp->path;
  try {
    const std::string name = SegmentName(1);
    BuildSummary summary = BuildSegment(corpus, temp_dir / name, name, options, warn, progress);
    Manifest manifest;
    manifest.generation = 1;
    manifest.next_segment = 2;
    if (options.reorder && summary.segment.document_count > 1) {
      ReorderSegment(temp_dir, SegmentName(manifest.next_segment++), options, progress, summary);
    }
    const SegmentRecord whole = summary.segment;
    if (options.segments <= 1 || whole.document_count < 2) {
      manifest.segments.push_back(whole);
    } else {
      manifest.segments =
          SplitSegment(temp_dir, whole, options.segments, manifest.next_segment, progress);
      manifest.next_segment += manifest.segments.size();
    }
    CommitManifest(temp_dir, manifest);
    Publish(temp_dir, index_dir, index_lock.has_value());
    summary.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return summary;
  } catch (const IoError& error) {
    // Disk full, quota, I/O error: say what became of the index, since the
    // user's next question is whether the old one survived.
    std::error_code ec;
    fs::remove_all(temp_dir, ec);
    throw IoError(std::string(error.what()) + "; " + Unchanged(index_dir));
  } catch (const std::bad_alloc&) {
    std::error_code ec;
    fs::remove_all(temp_dir, ec);
    throw Error("out of memory (lower --memory to flush to disk sooner); " + Unchanged(index_dir));
  } catch (...) {
    std::error_code ec;
    fs::remove_all(temp_dir, ec);
    throw;
  }
}

}  // namespace fathom
