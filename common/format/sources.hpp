// The `sources` file of a segment: the files on disk its documents came
// from, so that `fathom-index sync` can tell which files changed, results
// can show a document's file, and a merge can keep documents in the order a
// fresh build of the folder gives them (docs/FORMAT.md, "sources").
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/types.hpp"

namespace fathom {

// One file a build read: its documents are the consecutive ids
// [first_doc, first_doc + doc_count). A file that gave no document (binary,
// empty, skipped) is listed too, with doc_count 0, so that sync does not
// read it again while it is unchanged. Documents of no file (JSON Lines,
// documents given in memory) are simply not covered by any entry.
struct SourceFile {
  std::string path;  // relative to the folder indexed, '/'-separated
  std::uint64_t size = 0;
  std::int64_t modified_ns = 0;    // modification time, nanoseconds since 1970
  std::uint64_t content_hash = 0;  // 64-bit XXH3 of the file's bytes on disk
  DocId first_doc = 0;
  std::uint32_t doc_count = 0;

  bool SameFileAs(const SourceFile& other) const {
    return path == other.path && size == other.size && modified_ns == other.modified_ns &&
           content_hash == other.content_hash;
  }
};

// REQUIRES (checked, InputError otherwise): entries in increasing first_doc,
// their ranges disjoint and within document_count.
std::string SerializeSources(const std::vector<SourceFile>& sources, std::uint64_t document_count);
// Parses a validated `sources` payload; throws CorruptIndexError naming the
// file and offset when a field runs out of the payload, a path is empty, or
// the ranges overlap, go backwards or leave the segment's documents.
std::vector<SourceFile> ParseSources(const std::filesystem::path& path, const std::uint8_t* data,
                                     std::size_t size, std::uint64_t document_count);

// The entry covering doc in sources (sorted by first_doc), or nullptr.
const SourceFile* FindSource(const std::vector<SourceFile>& sources, DocId doc);

}  // namespace fathom
