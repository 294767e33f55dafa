// The writers' lock of an index. Every writer (a build over an
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
// ".NAME.tmp-XXXXXX", and its lock, held for as long as this lives. The
// lock file stays in the folder and becomes the new index's lock, so that
// no other writer changes the new index before the build is done.
struct TempBuildDir {
  std::filesystem::path path;
  IndexWriteLock lock;
};
// Throws InputError when index_dir's parent is no folder, IoError.
TempBuildDir MakeTempBuildDir(const std::filesystem::path& index_dir);

}  // namespace fathom
