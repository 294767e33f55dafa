#include "common/format/manifest.hpp"

#include <bit>
#include <cstdio>

#include "common/error.hpp"
#include "common/format/format.hpp"
#include "common/format/payload_parser.hpp"
#include "common/read/mmap_file.hpp"

namespace fathom {
namespace fs = std::filesystem;
namespace {

// A segment or deletion file name as the manifest may hold it: no path
// separators or dot-dot, so a damaged manifest cannot point outside the index.
bool IsPlainName(const std::string& name) {
  if (name.empty() || name.size() > 64 || name[0] == '.') return false;
  for (const char c : name) {
    if (c == '/' || c == '\0') return false;
  }
  return true;
}

std::string Numbered(const char* prefix, std::uint64_t number) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%s%06llu", prefix, static_cast<unsigned long long>(number));
  return digits;
}

}  // namespace

std::uint64_t Manifest::document_count() const {
  std::uint64_t total = 0;
  for (const auto& segment : segments) total += segment.document_count;
  return total;
}

std::uint64_t Manifest::live_count() const {
  std::uint64_t total = 0;
  for (const auto& segment : segments) total += segment.live_count();
  return total;
}

std::string SegmentName(std::uint64_t number) { return Numbered("seg-", number); }

std::string DeletesName(const std::string& segment, std::uint64_t generation) {
  return segment + Numbered(".del-", generation);
}

std::string SerializeManifest(const Manifest& manifest) {
  std::string out;
  format::Put<std::uint64_t>(out, manifest.generation);
  format::Put<std::uint64_t>(out, manifest.next_segment);
  format::Put<std::uint32_t>(out, static_cast<std::uint32_t>(manifest.segments.size()));
  for (const auto& segment : manifest.segments) {
    PutString(out, segment.name);
    format::Put<std::uint64_t>(out, segment.document_count);
    format::Put<std::uint64_t>(out, segment.meta_checksum);
    PutString(out, segment.deletes_name);
    format::Put<std::uint64_t>(out, segment.deleted_count);
    format::Put<std::uint64_t>(out, segment.deletes_checksum);
  }
  return out;
}

Manifest ParseManifest(const fs::path& path, const std::uint8_t* data, std::size_t size) {
  PayloadParser parser(path, data, size);
  Manifest manifest;
  manifest.generation = parser.Read<std::uint64_t>();
  manifest.next_segment = parser.Read<std::uint64_t>();
  manifest.segments.resize(parser.ReadCount(4 + 8 + 8 + 4 + 8 + 8));
  std::uint64_t total = 0;
  for (auto& segment : manifest.segments) {
    segment.name = parser.ReadString();
    segment.document_count = parser.Read<std::uint64_t>();
    segment.meta_checksum = parser.Read<std::uint64_t>();
    segment.deletes_name = parser.ReadString();
    segment.deleted_count = parser.Read<std::uint64_t>();
    segment.deletes_checksum = parser.Read<std::uint64_t>();
    if (!IsPlainName(segment.name)) parser.Fail("invalid segment name '" + segment.name + "'");
    if (!segment.deletes_name.empty() && !IsPlainName(segment.deletes_name)) {
      parser.Fail("invalid deletion file name '" + segment.deletes_name + "'");
    }
    if (segment.deleted_count > segment.document_count ||
        (segment.deleted_count > 0) != !segment.deletes_name.empty()) {
      parser.Fail("segment " + segment.name + ": inconsistent deletion count");
    }
    total += segment.document_count;
    if (total > kMaxDocuments) parser.Fail("document count out of range");
  }
  parser.ExpectEnd();
  for (std::size_t i = 0; i < manifest.segments.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (manifest.segments[i].name == manifest.segments[j].name) {
        parser.Fail("segment " + manifest.segments[i].name + " is listed twice");
      }
    }
  }
  return manifest;
}

Manifest ReadManifest(const fs::path& index_dir) {
  std::error_code ec;
  const fs::path path = index_dir / format::kManifestFile.file_name;
  if (!fs::is_directory(index_dir, ec)) {
    throw IoError(index_dir.string() + ": no index here (not a folder)");
  }
  if (!fs::is_regular_file(path, ec)) {
    throw IoError(index_dir.string() +
                  (fs::exists(index_dir / format::kMetaFile.file_name, ec)
                       ? ": an index of an older format (no manifest); rebuild it with fathom-index"
                       : ": not a Fathom index (no manifest); build one with fathom-index"));
  }
  const MmapFile file(path);
  format::ValidateFile(path, format::kManifestFile, file.data(), file.size(), true);
  const format::Payload payload = format::PayloadOf(file.data(), file.size());
  return ParseManifest(path, payload.data, payload.size);
}

bool DeletedDocs::Insert(DocId doc) {
  std::uint64_t& word = words_[doc >> 6];
  const std::uint64_t bit = std::uint64_t{1} << (doc & 63);
  if ((word & bit) != 0) return false;
  word |= bit;
  ++count_;
  return true;
}

DeletedDocs DeletedDocs::FromWords(std::uint64_t document_count, std::vector<std::uint64_t> words) {
  DeletedDocs set;
  set.document_count_ = document_count;
  words.resize((document_count + 63) / 64, 0);
  if (document_count % 64 != 0) words.back() &= (std::uint64_t{1} << (document_count % 64)) - 1;
  for (const std::uint64_t word : words)
    set.count_ += static_cast<std::uint64_t>(std::popcount(word));
  set.words_ = std::move(words);
  return set;
}

std::string SerializeDeletes(const DeletedDocs& deletes) {
  std::string out;
  format::Put<std::uint64_t>(out, deletes.document_count());
  format::Put<std::uint64_t>(out, deletes.count());
  for (const std::uint64_t word : deletes.words()) format::Put<std::uint64_t>(out, word);
  return out;
}

DeletedDocs ParseDeletes(const fs::path& path, const std::uint8_t* data, std::size_t size) {
  PayloadParser parser(path, data, size);
  const auto document_count = parser.Read<std::uint64_t>();
  const auto count = parser.Read<std::uint64_t>();
  if (document_count > kMaxDocuments || (document_count + 63) / 64 * 8 != size - 16) {
    parser.Fail("bitmap size does not match the document count");
  }
  DeletedDocs deletes(document_count);
  for (auto& word : deletes.words_) {
    word = parser.Read<std::uint64_t>();
    deletes.count_ += static_cast<std::uint64_t>(std::popcount(word));
  }
  parser.ExpectEnd();
  if (deletes.count_ != count) parser.Fail("bitmap holds a different number of deletions");
  if (document_count % 64 != 0 && !deletes.words_.empty() &&
      (deletes.words_.back() >> (document_count % 64)) != 0) {
    parser.Fail("bits set beyond the last document");
  }
  return deletes;
}

DeletedDocs ReadDeletes(const fs::path& index_dir, const SegmentRecord& record) {
  if (record.deletes_name.empty()) return DeletedDocs(record.document_count);
  const fs::path path = index_dir / record.deletes_name;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw CorruptIndexError(path.string() + ": file is missing");
  const MmapFile file(path);
  format::ValidateFile(path, format::kDeletesFile, file.data(), file.size(), true);
  if (format::StoredChecksum(file.data(), file.size()) != record.deletes_checksum) {
    throw CorruptIndexError(path.string() +
                            ": checksum differs from the one the manifest recorded");
  }
  const format::Payload payload = format::PayloadOf(file.data(), file.size());
  DeletedDocs deletes = ParseDeletes(path, payload.data, payload.size);
  if (deletes.document_count() != record.document_count ||
      deletes.count() != record.deleted_count) {
    throw CorruptIndexError(path.string() + ": does not match its segment " + record.name +
                            " in the manifest");
  }
  return deletes;
}

}  // namespace fathom
