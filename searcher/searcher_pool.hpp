// Searchers for many threads over one index: a Searcher is not thread-safe
// and costs an analyzer and a parser to make, so calls borrow one from a
// pool over the current snapshot and give it back. Refresh moves the pool to
// the index as it is now; calls running meanwhile finish on the snapshot
// they started with, which is released when its last one ends. Used by the
// library's fathom::Index and by fathom-serve.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "common/read/index_snapshot.hpp"
#include "searcher/searcher.hpp"

namespace fathom {

class SearcherPool {
 public:
  // Opens the index (throws as IndexSnapshot), preloaded as Searcher's.
  explicit SearcherPool(std::filesystem::path path);

  class Lease {
   public:
    Lease(SearcherPool& pool, std::unique_ptr<Searcher> searcher)
        : pool_(pool), searcher_(std::move(searcher)) {}
    ~Lease() { pool_.GiveBack(std::move(searcher_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Searcher& operator*() { return *searcher_; }
    Searcher* operator->() { return searcher_.get(); }

   private:
    SearcherPool& pool_;
    std::unique_ptr<Searcher> searcher_;
  };

  // A searcher over the current snapshot, for one thread, until the lease
  // ends.
  Lease Borrow();
  std::shared_ptr<const IndexSnapshot> snapshot() const;
  // Opens the index as it is now if its manifest changed (reading only the
  // manifest when it did not); false if it had not changed. Throws as
  // IndexSnapshot, and the pool then keeps its snapshot.
  bool Refresh();
  const std::filesystem::path& path() const { return path_; }

 private:
  void GiveBack(std::unique_ptr<Searcher> searcher);

  const std::filesystem::path path_;
  mutable std::mutex mutex_;
  std::shared_ptr<const IndexSnapshot> snapshot_;  // guarded by mutex_
  std::vector<std::unique_ptr<Searcher>> idle_;    // guarded by mutex_; over snapshot_
};

}  // namespace fathom
