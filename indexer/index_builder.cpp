#include "indexer/index_builder.hpp"

#include <fcntl.h>  // AT_FDCWD
#include <stdio.h>  // renameat2
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <new>

#include "common/error.hpp"
#include "common/format.hpp"
#include "indexer/doc_store_writer.hpp"
#include "indexer/file_writer.hpp"
#include "indexer/inverted_index.hpp"
#include "indexer/manifest_writer.hpp"
#include "indexer/segment_writer.hpp"

#ifndef FATHOM_VERSION
#define FATHOM_VERSION "0.1.0"
#endif

namespace fathom {
namespace fs = std::filesystem;
namespace {

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

fs::path MakeTempDir(const fs::path& index_dir) {
  const fs::path parent = index_dir.parent_path().empty() ? fs::path(".") : index_dir.parent_path();
  std::error_code ec;
  if (!fs::is_directory(parent, ec)) {
    throw InputError(parent.string() + ": folder for the index does not exist");
  }
  std::string name = ".";
  name += index_dir.filename().string();
  name += ".tmp-XXXXXX";
  std::string pattern = (parent / name).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw IoError(parent.string() + ": cannot create a temporary folder: " + std::strerror(errno));
  }
  return pattern;
}

// Puts the finished index in place. With an index already there, the two
// folders are exchanged atomically (renameat2), so at every instant the
// target is either the old or the new index.
void Publish(const fs::path& temp_dir, const fs::path& index_dir) {
  std::error_code ec;
  if (fs::exists(index_dir, ec)) {
    if (::renameat2(AT_FDCWD, temp_dir.c_str(), AT_FDCWD, index_dir.c_str(), RENAME_EXCHANGE) ==
        0) {
      fs::remove_all(temp_dir, ec);  // now holds the old index
      return;
    }
    if (errno != EINVAL && errno != ENOSYS) {
      throw IoError(index_dir.string() + ": cannot replace the index: " + std::strerror(errno));
    }
    // The file system cannot exchange: fall back to two renames.
    const fs::path old_dir = temp_dir.string() + ".old";
    fs::rename(index_dir, old_dir);
    fs::rename(temp_dir, index_dir);
    fs::remove_all(old_dir, ec);
  } else {
    if (::rename(temp_dir.c_str(), index_dir.c_str()) != 0) {
      throw IoError(index_dir.string() + ": cannot create the index: " + std::strerror(errno));
    }
  }
  const fs::path parent = index_dir.parent_path().empty() ? fs::path(".") : index_dir.parent_path();
  SyncDirectory(parent);
}

// What a failed build left at index_dir, for its error message.
std::string Unchanged(const fs::path& index_dir) {
  return IsIndexFolder(index_dir) ? "the previous index at " + index_dir.string() + " is unchanged"
                                  : "no index was written at " + index_dir.string();
}

IndexFileRecord WriteMeta(const fs::path& dir, const IndexMeta& meta) {
  FileWriter file(dir, format::kMetaFile);
  file.Append(SerializeMeta(meta));
  return file.Finish();
}

}  // namespace

BuildSummary BuildIndex(const fs::path& corpus, const fs::path& index_dir,
                        const BuildOptions& options, const WarningSink& warn,
                        const std::function<void(const BuildProgress&)>& progress) {
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  CheckTarget(index_dir);
  Analyzer analyzer(options.analysis);
  auto reader = CorpusReader::Open(corpus, options.corpus, warn);

  fs::path temp_dir;
  try {
    temp_dir = MakeTempDir(index_dir);
  } catch (const IoError& error) {
    throw IoError(std::string(error.what()) + "; " + Unchanged(index_dir));
  }
  try {
    BuildSummary summary;
    Manifest manifest;
    manifest.generation = 1;
    manifest.next_segment = 2;
    const std::string segment_name = SegmentName(1);
    const fs::path segment_dir = temp_dir / segment_name;
    if (std::error_code ec; !fs::create_directory(segment_dir, ec)) {
      throw IoError(segment_dir.string() + ": cannot create: " + ec.message());
    }
    InvertedIndex inverted(analyzer);
    DocStoreWriter store(segment_dir);
    std::vector<std::string> ids;
    SourceDocument document;
    while (reader->Next(document)) {
      if (options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed)) {
        throw InputError("interrupted; the previous index (if any) is unchanged");
      }
      const std::uint64_t truncated_before = analyzer.truncated_words();
      inverted.AddDocument(document.title, document.body);
      if (analyzer.truncated_words() > truncated_before && warn) {
        warn(document.id + ": " + std::to_string(analyzer.truncated_words() - truncated_before) +
             " word(s) longer than " + std::to_string(kMaxTermBytes) + " bytes cut to " +
             std::to_string(kMaxTermBytes) + " bytes");
      }
      store.Add(document.title, document.body);
      ids.push_back(std::move(document.id));
      if (progress && ids.size() % 64 == 0) {
        const CorpusStats& stats = reader->stats();
        progress({ids.size(), stats.bytes_read, stats.total_bytes, elapsed()});
      }
    }
    if (ids.empty()) {
      throw InputError(corpus.string() + ": no documents found" +
                       (reader->stats().skipped_binary + reader->stats().skipped_unreadable +
                                    reader->stats().skipped_too_large +
                                    reader->stats().skipped_links >
                                0
                            ? " (every file was skipped)"
                            : ""));
    }
    IndexMeta& meta = summary.meta;
    meta.files.push_back(store.Finish());
    for (auto& file : WriteSegment(inverted, ids, segment_dir)) {
      meta.files.push_back(std::move(file));
    }
    meta.document_count = inverted.document_count();
    meta.total_length = inverted.total_length();
    meta.term_count = inverted.term_count();
    meta.posting_count = inverted.posting_count();
    meta.created_unix_seconds =
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
    meta.fathom_version = FATHOM_VERSION;
    meta.analysis = options.analysis;
    const IndexFileRecord meta_record = WriteMeta(segment_dir, meta);
    SyncDirectory(segment_dir);
    SegmentRecord segment;
    segment.name = segment_name;
    segment.document_count = meta.document_count;
    segment.meta_checksum = meta_record.checksum;
    manifest.segments.push_back(segment);
    CommitManifest(temp_dir, manifest);
    Publish(temp_dir, index_dir);
    summary.corpus = reader->stats();
    summary.truncated_words = analyzer.truncated_words();
    summary.seconds = elapsed();
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
    throw Error(
        "out of memory: the index is built in memory and this corpus needs more than is "
        "available; " +
        Unchanged(index_dir));
  } catch (...) {
    std::error_code ec;
    fs::remove_all(temp_dir, ec);
    throw;
  }
}

}  // namespace fathom
