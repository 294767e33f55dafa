#include "searcher/searcher_pool.hpp"

#include "common/format/manifest.hpp"

namespace fathom {

SearcherPool::SearcherPool(std::filesystem::path path)
    : path_(std::move(path)),
      snapshot_(std::make_shared<const IndexSnapshot>(path_, Residency::kPreloaded)) {}

SearcherPool::Lease SearcherPool::Borrow() {
  std::shared_ptr<const IndexSnapshot> current;
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      std::unique_ptr<Searcher> searcher = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(searcher));
    }
    current = snapshot_;
  }
  return Lease(*this, std::make_unique<Searcher>(current));
}

std::shared_ptr<const IndexSnapshot> SearcherPool::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

bool SearcherPool::Refresh() {
  const std::uint64_t current = snapshot()->manifest().generation;
  // The manifest is a few hundred bytes; opening a snapshot maps every
  // segment and reads its dictionary index.
  if (ReadManifest(path_).generation == current) return false;
  auto fresh = std::make_shared<const IndexSnapshot>(path_, Residency::kPreloaded);
  std::lock_guard lock(mutex_);
  if (fresh->manifest().generation == snapshot_->manifest().generation) return false;
  snapshot_ = std::move(fresh);
  idle_.clear();
  return true;
}

void SearcherPool::GiveBack(std::unique_ptr<Searcher> searcher) {
  std::lock_guard lock(mutex_);
  // A searcher over a snapshot Refresh replaced is dropped with it.
  if (searcher->shared_snapshot() == snapshot_) idle_.push_back(std::move(searcher));
}

}  // namespace fathom
