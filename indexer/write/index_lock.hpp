// The writers' lock of an index, and the removal of the temporary build
// folders that killed builds leave beside it. Every writer (a build over an
// existing index, add, delete, merge) holds the lock for its whole change
// (docs/FORMAT.md, "Committing a change").
#pragma once

#include <filesystem>
#include <optional>

namespace fathom {

// Holds a folder's writer lock (an flock on dir/lock, created if missing)
// while alive, so two changes never interleave.
class IndexWriteLock {
 public:
  // Throws InputError when another process holds it, IoError when the lock
  // file cannot be opened.
  explicit IndexWriteLock(const std::filesystem::path& dir);
  // std::nullopt when another process holds it; throws IoError as above.
  static std::optional<IndexWriteLock> TryLock(const std::filesystem::path& dir);
  ~IndexWriteLock();
  IndexWriteLock(IndexWriteLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  IndexWriteLock(const IndexWriteLock&) = delete;
  IndexWriteLock& operator=(const IndexWriteLock&) = delete;
  IndexWriteLock& operator=(IndexWriteLock&&) = delete;

 private:
  explicit IndexWriteLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// A fresh build's temporary folder, created beside index_dir as
// ".NAME.tmp-XXXXXX", and its lock, held for as long as this lives so that
// RemoveStaleBuilds never takes a running build's folder for a dead one.
// The lock file stays in the folder and becomes the new index's lock.
struct TempBuildDir {
  std::filesystem::path path;
  IndexWriteLock lock;
};
// Throws InputError when index_dir's parent is no folder, IoError.
TempBuildDir MakeTempBuildDir(const std::filesystem::path& index_dir);

// Removes the temporary build folders of index_dir that a killed build left
// (and the old index a build killed just after publishing left in one).
// Only folders named exactly as MakeTempBuildDir names them, holding
// nothing but names Fathom writes, and whose lock is free: a running build
// holds its folder's lock. Called by every writer once it holds the index's
// lock; errors are ignored (the folder stays for the next writer).
void RemoveStaleBuilds(const std::filesystem::path& index_dir);

}  // namespace fathom
