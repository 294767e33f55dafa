#include "indexer/write/file_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>

#include "common/error.hpp"

namespace fathom {
namespace {
constexpr std::size_t kBufferSize = 1 << 20;
}

FileWriter::FileWriter(const std::filesystem::path& dir, const format::FileKind& kind)
    : FileWriter(dir, kind.file_name, kind) {}

FileWriter::FileWriter(const std::filesystem::path& dir, const std::string& file_name,
                       const format::FileKind& kind)
    : path_(dir / file_name),
      name_(file_name),
      hash_state_(XXH3_createState()),
      page_state_(XXH3_createState()) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw IoError(path_.string() + ": cannot create: " + std::strerror(errno));
  XXH3_64bits_reset(hash_state_);
  XXH3_64bits_reset(page_state_);
  buffer_.reserve(kBufferSize);
  std::string header;
  format::PutHeader(header, kind);
  Append(header);
}

FileWriter::~FileWriter() {
  if (fd_ >= 0) ::close(fd_);
  XXH3_freeState(hash_state_);
  XXH3_freeState(page_state_);
}

void FileWriter::HashPages(std::string_view bytes) {
  while (!bytes.empty()) {
    const std::uint64_t room = format::kPageSize - (offset_ & (format::kPageSize - 1));
    const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(room, bytes.size()));
    XXH3_64bits_update(page_state_, bytes.data(), take);
    offset_ += take;
    bytes.remove_prefix(take);
    if (take == room) {
      page_checksums_.push_back(XXH3_64bits_digest(page_state_));
      XXH3_64bits_reset(page_state_);
    }
  }
}

void FileWriter::Append(std::string_view bytes) {
  XXH3_64bits_update(hash_state_, bytes.data(), bytes.size());
  HashPages(bytes);
  if (buffer_.size() + bytes.size() > kBufferSize) Flush();
  if (bytes.size() >= kBufferSize) {
    buffer_.assign(bytes);
    Flush();
  } else {
    buffer_.append(bytes);
  }
}

void FileWriter::Flush() {
  const char* data = buffer_.data();
  std::size_t left = buffer_.size();
  while (left > 0) {
    const ssize_t written = ::write(fd_, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      throw IoError(path_.string() + ": write failed: " + std::strerror(errno));
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
  buffer_.clear();
}

IndexFileRecord FileWriter::Finish() {
  const std::uint64_t checksum = XXH3_64bits_digest(hash_state_);
  std::string footer(format::kFooterMagic, 4);
  format::Put<std::uint32_t>(footer, 0);
  format::Put<std::uint64_t>(footer, checksum);
  HashPages(footer);  // pages cover the whole file; the file checksum stops before its footer
  if ((offset_ & (format::kPageSize - 1)) != 0) {
    page_checksums_.push_back(XXH3_64bits_digest(page_state_));
  }
  buffer_.append(footer);
  Flush();
  if (::fsync(fd_) != 0) throw IoError(path_.string() + ": fsync failed: " + std::strerror(errno));
  // Advice only: the file is complete whether or not the kernel takes it.
  if (drop_from_cache_) ::posix_fadvise(fd_, 0, 0, POSIX_FADV_DONTNEED);
  if (::close(fd_) != 0) {
    fd_ = -1;
    throw IoError(path_.string() + ": close failed: " + std::strerror(errno));
  }
  fd_ = -1;
  finished_ = true;
  return {name_, offset_, checksum};
}

void SyncDirectory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw IoError(dir.string() + ": cannot open folder: " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (rc != 0) throw IoError(dir.string() + ": fsync failed: " + std::strerror(saved));
}

const std::vector<std::uint64_t>& FileWriter::page_checksums() const {
  assert(finished_);
  return page_checksums_;
}

}  // namespace fathom
