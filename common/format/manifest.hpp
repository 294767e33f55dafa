// The manifest: the one file that says which immutable segments make up an
// index, and which of their documents are deleted. Every change to an index
// (build, add, delete, merge) writes new segment and deletion files first and
// then replaces the manifest atomically, so a reader sees the index as it was
// before or after a change, never in between (docs/FORMAT.md, "Index folder").
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/types.hpp"

namespace fathom {

struct SegmentRecord {
  std::string name;                  // its folder inside the index, "seg-000001"
  std::uint64_t document_count = 0;  // deleted documents included
  std::uint64_t meta_checksum = 0;   // footer checksum of the segment's meta file
  std::string deletes_name;          // "" while none of its documents is deleted
  std::uint64_t deleted_count = 0;
  std::uint64_t deletes_checksum = 0;  // footer checksum of the deletion file

  std::uint64_t live_count() const { return document_count - deleted_count; }
};

struct Manifest {
  std::uint64_t generation = 0;    // grows by one with every change
  std::uint64_t next_segment = 1;  // number of the next segment folder
  std::vector<SegmentRecord> segments;

  std::uint64_t document_count() const;  // deleted documents included
  std::uint64_t live_count() const;
};

// "seg-000001", "seg-000001.del-000007": names never reused within an index,
// so a reader holding an old manifest never opens a newer file by mistake.
std::string SegmentName(std::uint64_t number);
std::string DeletesName(const std::string& segment, std::uint64_t generation);

std::string SerializeManifest(const Manifest& manifest);
// Parses a validated manifest payload; throws CorruptIndexError naming path.
Manifest ParseManifest(const std::filesystem::path& path, const std::uint8_t* data,
                       std::size_t size);
// Reads and validates index_dir/manifest (header, version, checksum, fields).
// Throws IoError when there is none, CorruptIndexError, FormatVersionError.
Manifest ReadManifest(const std::filesystem::path& index_dir);

// The deleted documents of one segment, one bit per document.
class DeletedDocs {
 public:
  DeletedDocs() = default;
  explicit DeletedDocs(std::uint64_t document_count)
      : document_count_(document_count), words_((document_count + 63) / 64, 0) {}

  std::uint64_t document_count() const { return document_count_; }
  std::uint64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  // REQUIRES: doc < document_count() for Insert; contains is false beyond.
  bool contains(DocId doc) const {
    return doc < document_count_ && (words_[doc >> 6] >> (doc & 63) & 1) != 0;
  }
  // Returns false when doc was deleted already.
  bool Insert(DocId doc);
  // The set of these words' bits (bit d of word d / 64), bits at or past
  // document_count cleared: a set computed a word at a time (a filter's).
  static DeletedDocs FromWords(std::uint64_t document_count, std::vector<std::uint64_t> words);
  const std::vector<std::uint64_t>& words() const { return words_; }

 private:
  friend DeletedDocs ParseDeletes(const std::filesystem::path&, const std::uint8_t*, std::size_t);
  std::uint64_t document_count_ = 0;
  std::uint64_t count_ = 0;
  std::vector<std::uint64_t> words_;
};

std::string SerializeDeletes(const DeletedDocs& deletes);
DeletedDocs ParseDeletes(const std::filesystem::path& path, const std::uint8_t* data,
                         std::size_t size);
// Reads index_dir/record.deletes_name, checking it against the record (size
// of the segment, number deleted, checksum). An empty set when the record
// names no deletion file.
DeletedDocs ReadDeletes(const std::filesystem::path& index_dir, const SegmentRecord& record);

}  // namespace fathom
