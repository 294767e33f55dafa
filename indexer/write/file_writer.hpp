// Writes one index file: header, payload appended in order, footer with the
// checksum of everything before it. Buffered; fsyncs on Finish. Also
// computes the checksum of every page (format::kPageSize bytes, the last
// one shorter), for the files readers verify page by page.
#pragma once

#include <xxhash.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/format/format.hpp"
#include "common/format/index_meta.hpp"

namespace fathom {

class FileWriter {
 public:
  // Creates dir/kind.file_name and writes its header. Throws IoError.
  FileWriter(const std::filesystem::path& dir, const format::FileKind& kind);
  // Creates dir/file_name instead, for files named per instance (deletion
  // files, a manifest written under a temporary name).
  FileWriter(const std::filesystem::path& dir, const std::string& file_name,
             const format::FileKind& kind);
  ~FileWriter();
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  void Append(std::string_view bytes);
  // Absolute offset in the file of the next byte appended.
  std::uint64_t offset() const { return offset_; }

  // Writes the footer, flushes and fsyncs. REQUIRES: called once, last.
  IndexFileRecord Finish();
  // Has Finish drop the file's pages from the page cache once they are on
  // disk: for the lists a searcher maps whole (MmapFile, Residency::
  // kPreloaded), which then reads them back in 2 MiB folios, whose first
  // touch costs far less than 512 small pages' (bench/README.md, "Lists in
  // 2 MiB folios"). Pages written in small folios stay so while cached.
  void DropFromCacheWhenFinished() { drop_from_cache_ = true; }
  // The checksum of each page of the file, footer included.
  // REQUIRES: Finish() was called.
  const std::vector<std::uint64_t>& page_checksums() const;

 private:
  void Flush();
  // Adds bytes to the page checksums and advances offset_.
  void HashPages(std::string_view bytes);

  std::filesystem::path path_;
  std::string name_;
  int fd_ = -1;
  std::string buffer_;
  std::uint64_t offset_ = 0;
  XXH3_state_t* hash_state_;
  XXH3_state_t* page_state_;
  std::vector<std::uint64_t> page_checksums_;
  bool drop_from_cache_ = false;
  bool finished_ = false;
};

// fsyncs a directory so that the names created in it are durable.
void SyncDirectory(const std::filesystem::path& dir);

}  // namespace fathom
