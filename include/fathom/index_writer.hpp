// Writing an index from documents in memory: add, delete, commit.
//
//   fathom::IndexWriter writer("/path/to/index");
//   writer.Add({"doc-1", "A title", "The body text."});
//   writer.Delete("doc-0");
//   writer.Commit();  // one atomic change, visible to Index::Refresh
//
// A commit is what `fathom-index add` and `delete` do, in one step: the
// added documents become a new segment (or the index, when there was none),
// re-added ids replace their older documents, and the deletions are written;
// a crash leaves the index as it was before or after. The writer takes the
// index's writer lock only while committing, so the command-line tools and
// other writers can change the index between commits.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "fathom/index.hpp"

namespace fathom {

struct WriterOptions {
  // Used when the writer creates the index; an existing index keeps its own.
  std::string language = "english";  // a Snowball language, or "none"
  bool stop_words = false;           // drop the language's stop words
  unsigned threads = 0;              // analysis threads; 0: one per core
  std::uint64_t memory_bytes = 0;    // build memory budget; 0: a quarter of RAM
};

struct CommitSummary {
  std::uint64_t added = 0;
  std::uint64_t replaced = 0;  // older documents whose id was added again
  std::uint64_t deleted = 0;
  std::vector<std::string> not_found;  // ids deleted that no document had
  std::uint64_t documents = 0;         // live documents afterwards
  // What the build warned about (repaired UTF-8, cut words, skipped files),
  // one line each; the first kMaxWarnings, then how many more.
  std::vector<std::string> warnings;
  static constexpr std::size_t kMaxWarnings = 1000;
};

class IndexWriter {
 public:
  // Prepares to write the index at path, which need not exist yet. Throws
  // InputError for a path that is neither an index nor a free place for one.
  explicit IndexWriter(const std::filesystem::path& path, const WriterOptions& options = {});
  // Changes not committed are discarded.
  ~IndexWriter();
  IndexWriter(IndexWriter&&) noexcept;
  IndexWriter& operator=(IndexWriter&&) noexcept;
  IndexWriter(const IndexWriter&) = delete;
  IndexWriter& operator=(const IndexWriter&) = delete;

  // REQUIRES (for every call below): the writer was not moved from.

  // Queues a document for the next commit. Throws InputError for an empty
  // id. Adding an id twice before a commit keeps the later document.
  void Add(Document document);
  // Queues the deletion of every live document with this id. A document
  // added in the same commit is not deleted by it: deletions apply first.
  void Delete(std::string id);
  // Applies what is queued, atomically. Nothing queued: nothing written.
  // Throws InputError (another writer holds the lock, too many documents),
  // IoError; the index is then as it was, and the queue is kept.
  CommitSummary Commit();
  // Merges the index's segments into one, dropping deleted documents.
  void Merge();

  std::size_t pending_documents() const;
  std::size_t pending_deletions() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Builds a fresh index at index_path from a corpus on disk (a folder of
// files or a JSON Lines file), as `fathom-index CORPUS INDEX` does: an
// existing index there is replaced only once the new one is complete.
CommitSummary BuildFromCorpus(const std::filesystem::path& corpus,
                              const std::filesystem::path& index_path,
                              const WriterOptions& options = {});

}  // namespace fathom
