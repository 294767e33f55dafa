#include "indexer/write/index_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace fathom {
namespace fs = std::filesystem;
namespace {

constexpr const char* kLockFile = "lock";
// A temporary build folder is ".NAME" + this + as many characters, which
// mkdtemp picks among letters and digits.
constexpr std::string_view kTempTag = ".tmp-";
constexpr std::size_t kTempRandom = 6;
// Publish's fallback, where the file system cannot exchange two folders,
// moves the old index to the temporary folder's name + this.
constexpr std::string_view kOldSuffix = ".old";

// Opens and locks dir/lock; -1 when another process holds the lock. A build
// can exchange the folder for a new index between the open and the flock:
// a lock on a file that is no longer dir/lock would guard nothing, so then
// it starts again with the file now there.
int Acquire(const fs::path& dir) {
  const fs::path path = dir / kLockFile;
  for (int attempt = 0;; ++attempt) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
      throw IoError(path.string() + ": cannot open the lock file: " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      ::close(fd);
      if (error == EWOULDBLOCK) return -1;
      throw IoError(path.string() + ": cannot lock: " + std::strerror(error));
    }
    struct stat locked {};
    struct stat current {};
    if (::fstat(fd, &locked) == 0 && ::stat(path.c_str(), &current) == 0 &&
        locked.st_dev == current.st_dev && locked.st_ino == current.st_ino) {
      return fd;
    }
    ::close(fd);
    if (attempt == 10) {
      throw IoError(path.string() + ": cannot lock: the folder keeps being replaced");
    }
  }
}

// "INDEX/" names the same folder as "INDEX", whose temporary folders are
// ".INDEX.tmp-*" beside it (not inside it, with an empty name).
fs::path WithoutTrailingSlash(const fs::path& index_dir) {
  return index_dir.has_filename() ? index_dir : index_dir.parent_path();
}

fs::path ParentOf(const fs::path& index_dir) {
  const fs::path parent = WithoutTrailingSlash(index_dir).parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

// ".NAME.tmp-" + six letters or digits, optionally + ".old".
bool IsTempBuildName(std::string_view name, const std::string& index_name) {
  const std::string prefix = "." + index_name + std::string(kTempTag);
  if (name.substr(0, prefix.size()) != prefix) return false;
  name.remove_prefix(prefix.size());
  if (name.size() == kTempRandom + kOldSuffix.size() && name.substr(kTempRandom) == kOldSuffix) {
    name.remove_suffix(kOldSuffix.size());
  }
  if (name.size() != kTempRandom) return false;
  for (const char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) return false;
  }
  return true;
}

// Whether every entry of dir is named as an index's files are (docs/FORMAT.md,
// "Index folder"), so that a user's folder that happens to match the name
// pattern is never removed.
bool HoldsOnlyIndexFiles(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const bool ours = name == kLockFile || name == "manifest" || name.rfind("seg-", 0) == 0 ||
                      name.rfind(".seg-", 0) == 0 || name.rfind(".manifest", 0) == 0;
    if (!ours) return false;
  }
  return !ec;
}

}  // namespace

IndexWriteLock::IndexWriteLock(const fs::path& dir) : fd_(Acquire(dir)) {
  if (fd_ < 0) {
    throw InputError(dir.string() +
                     ": another fathom-index is changing this index; try again when it is done");
  }
}

std::optional<IndexWriteLock> IndexWriteLock::TryLock(const fs::path& dir) {
  const int fd = Acquire(dir);
  if (fd < 0) return std::nullopt;
  return IndexWriteLock(fd);
}

IndexWriteLock::~IndexWriteLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

TempBuildDir MakeTempBuildDir(const fs::path& index_dir) {
  const fs::path parent = ParentOf(index_dir);
  std::error_code ec;
  if (!fs::is_directory(parent, ec)) {
    throw InputError(parent.string() + ": folder for the index does not exist");
  }
  std::string pattern =
      (parent / ("." + WithoutTrailingSlash(index_dir).filename().string())).string();
  pattern += kTempTag;
  pattern.append(kTempRandom, 'X');
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw IoError(parent.string() + ": cannot create a temporary folder: " + std::strerror(errno));
  }
  try {
    return {pattern, IndexWriteLock(pattern)};
  } catch (...) {
    fs::remove_all(pattern, ec);
    throw;
  }
}

void RemoveStaleBuilds(const fs::path& index_dir) {
  const std::string index_name = WithoutTrailingSlash(index_dir).filename().string();
  std::vector<fs::path> candidates;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(ParentOf(index_dir), ec)) {
    // symlink_status: a link named like a temporary folder is not one.
    if (IsTempBuildName(entry.path().filename().string(), index_name) &&
        fs::is_directory(entry.symlink_status(ec))) {
      candidates.push_back(entry.path());
    }
  }
  // A build into a folder that does not exist yet holds no index's lock: one
  // starting now could lose its new folder here before locking it, and then
  // fails with an error (never with a damaged index).
  for (const auto& dir : candidates) {
    if (!HoldsOnlyIndexFiles(dir)) continue;
    try {
      const auto lock = IndexWriteLock::TryLock(dir);
      if (lock) fs::remove_all(dir, ec);
    } catch (const Error&) {
      // Removed by another writer meanwhile, or not ours to open.
    }
  }
}

}  // namespace fathom
