// A read-only memory mapping of a whole file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace fathom {

class MmapFile {
 public:
  MmapFile() = default;
  // Maps the file; throws IoError naming the path when it cannot.
  explicit MmapFile(const std::filesystem::path& path);
  ~MmapFile();
  MmapFile(MmapFile&& other) noexcept;
  MmapFile& operator=(MmapFile&& other) noexcept;
  MmapFile(const MmapFile&) = delete;
  MmapFile& operator=(const MmapFile&) = delete;

  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

  // Hints that the whole file will be needed soon (small, hot files).
  void WillNeed() const;
  // Gives back the pages of [begin, end) that a one-pass reader is done
  // with: they stay in the page cache, but no longer count as this
  // process's resident memory (what --memory bounds).
  void DropPages(std::size_t begin, std::size_t end) const;

 private:
  void Release() noexcept;

  std::filesystem::path path_;
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace fathom
