#include "common/format/index_meta.hpp"

#include <cstring>
#include <fstream>

#include "common/error.hpp"
#include "common/format/format.hpp"
#include "common/format/payload_parser.hpp"
#include "common/types.hpp"

namespace fathom {

namespace {
bool StartsWithMagic(const std::filesystem::path& path, const format::FileKind& kind) {
  std::error_code ec;
  // Only a regular file is read: opening a FIFO would block.
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  char magic[8] = {};
  in.read(magic, sizeof magic);
  return in && std::memcmp(magic, format::kMagic, 4) == 0 &&
         std::memcmp(magic + 4, kind.tag, 4) == 0;
}
}  // namespace

bool IsIndexFolder(const std::filesystem::path& dir) {
  // An index (manifest), a segment, or an index of format 1 or 2 (meta).
  return StartsWithMagic(dir / format::kManifestFile.file_name, format::kManifestFile) ||
         StartsWithMagic(dir / format::kMetaFile.file_name, format::kMetaFile);
}

const IndexFileRecord* IndexMeta::FindFile(const std::string& name) const {
  for (const auto& file : files) {
    if (file.name == name) return &file;
  }
  return nullptr;
}

std::string SerializeMeta(const IndexMeta& meta) {
  std::string out;
  format::Put<std::uint64_t>(out, meta.document_count);
  format::Put<std::uint64_t>(out, meta.total_length);
  format::Put<std::uint64_t>(out, meta.term_count);
  format::Put<std::uint64_t>(out, meta.posting_count);
  format::Put<std::uint64_t>(out, meta.created_unix_seconds);
  PutString(out, meta.fathom_version);
  PutString(out, meta.analysis.language);
  format::Put<std::uint32_t>(out, static_cast<std::uint32_t>(meta.analysis.stop_words.size()));
  for (const auto& word : meta.analysis.stop_words) PutString(out, word);
  format::Put<std::uint32_t>(out, static_cast<std::uint32_t>(meta.files.size()));
  for (const auto& file : meta.files) {
    PutString(out, file.name);
    format::Put<std::uint64_t>(out, file.size);
    format::Put<std::uint64_t>(out, file.checksum);
  }
  return out;
}

IndexMeta ParseMeta(const std::filesystem::path& path, const std::uint8_t* data, std::size_t size) {
  PayloadParser parser(path, data, size);
  IndexMeta meta;
  meta.document_count = parser.Read<std::uint64_t>();
  meta.total_length = parser.Read<std::uint64_t>();
  meta.term_count = parser.Read<std::uint64_t>();
  meta.posting_count = parser.Read<std::uint64_t>();
  meta.created_unix_seconds = parser.Read<std::uint64_t>();
  meta.fathom_version = parser.ReadString();
  meta.analysis.language = parser.ReadString();
  meta.analysis.stop_words.resize(parser.ReadCount(4));
  for (auto& word : meta.analysis.stop_words) word = parser.ReadString();
  meta.files.resize(parser.ReadCount(4 + 16));
  for (auto& file : meta.files) {
    file.name = parser.ReadString();
    file.size = parser.Read<std::uint64_t>();
    file.checksum = parser.Read<std::uint64_t>();
  }
  parser.ExpectEnd();
  if (meta.document_count > kMaxDocuments) parser.Fail("document count out of range");
  return meta;
}

}  // namespace fathom
