// The files inside an archive, read with libarchive: zip, tar (plain or
// compressed with any codec libarchive reads: .tar.gz, .tgz, .tar.xz...),
// 7z, cpio, ar, ISO 9660, RAR, CAB, LHA and XAR. Each regular file is a
// member, read whole up to a size cap (a decompression bomb costs at most
// the cap); folders, links and devices are not members.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace fathom {

// A member's document id: the archive's id, '!', the member's path inside
// it ("docs/a.zip!notes/b.txt"), as Java's jar: URLs name them.
inline std::string ArchiveMemberId(std::string_view archive_id, std::string_view member) {
  return std::string(archive_id) + "!" + std::string(member);
}

class ArchiveMembers {
 public:
  // The archive at path, or null when libarchive finds no archive format
  // in it (a compressed single file, or text). Throws IoError when the file
  // cannot be opened.
  static std::unique_ptr<ArchiveMembers> Open(const std::filesystem::path& path);
  ~ArchiveMembers();
  ArchiveMembers(const ArchiveMembers&) = delete;
  ArchiveMembers& operator=(const ArchiveMembers&) = delete;

  struct Member {
    std::string name;        // its path inside the archive
    std::string bytes;       // its content, when read
    bool too_large = false;  // larger than max_bytes: not read
    std::string error;       // not readable (encrypted, damaged): why; else empty
  };
  // The next regular file; false at the end, or when the archive is damaged
  // past reading (then error() says why). raw_bytes grows by the bytes read
  // from disk.
  bool Next(Member& member, std::uint64_t max_bytes, std::uint64_t& raw_bytes);
  const std::string& error() const { return error_; }

 private:
  struct State;
  explicit ArchiveMembers(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
  std::string error_;
};

// Bytes compressed with a codec libarchive reads (gzip, bzip2, xz, zstd,
// lz4...), decompressed, up to max_bytes (more: too_large). Bytes in no
// compression are returned as they are with `compressed` false. Throws
// InputError for damaged compressed data.
struct Decompressed {
  std::string bytes;
  bool compressed = false;
  bool too_large = false;
};
Decompressed DecompressInMemory(std::string_view data, std::uint64_t max_bytes);

// Whether the first bytes of a file are an archive's or a compressed
// file's (magic numbers), so that content, not only names, decides.
bool LooksCompressedOrArchived(std::string_view head);

}  // namespace fathom
