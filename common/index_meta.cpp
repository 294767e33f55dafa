#include "common/index_meta.hpp"

#include <cstring>
#include <fstream>

#include "common/error.hpp"
#include "common/format.hpp"
#include "common/types.hpp"

namespace fathom {
namespace {

// Sanity cap for counts read from disk, before any allocation uses them.
constexpr std::uint32_t kMaxListEntries = 1 << 20;

void PutString(std::string& out, const std::string& s) {
  format::Put<std::uint32_t>(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

class MetaParser {
 public:
  MetaParser(const std::filesystem::path& path, const std::uint8_t* data, std::size_t size)
      : path_(path), data_(data), size_(size) {}

  template <typename T>
  T Read() {
    Need(sizeof(T));
    const T value = format::Get<T>(data_ + pos_);
    pos_ += sizeof(T);
    return value;
  }
  std::string ReadString() {
    const auto length = Read<std::uint32_t>();
    Need(length);
    std::string s(reinterpret_cast<const char*>(data_ + pos_), length);
    pos_ += length;
    return s;
  }
  // A count of records that are at least min_record_bytes each: it cannot
  // exceed what the rest of the file holds, so it never sizes an allocation
  // beyond the file's own size.
  std::uint32_t ReadCount(std::size_t min_record_bytes) {
    const auto count = Read<std::uint32_t>();
    if (count > kMaxListEntries || count > (size_ - pos_) / min_record_bytes) {
      Fail("implausible list length " + std::to_string(count));
    }
    return count;
  }
  void ExpectEnd() {
    if (pos_ != size_) Fail("unexpected bytes after the last field");
  }
  [[noreturn]] void Fail(const std::string& what) {
    throw CorruptIndexError(path_.string() + ": " + what + " at payload offset " +
                            std::to_string(pos_));
  }

 private:
  void Need(std::size_t n) {
    if (n > size_ - pos_) Fail("field runs past the end of the file");
  }
  const std::filesystem::path& path_;
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

}  // namespace

bool IsIndexFolder(const std::filesystem::path& dir) {
  std::error_code ec;
  // Only a regular file is read: opening a FIFO named meta would block.
  if (!std::filesystem::is_regular_file(dir / format::kMetaFile.file_name, ec)) return false;
  std::ifstream in(dir / format::kMetaFile.file_name, std::ios::binary);
  char magic[8] = {};
  in.read(magic, sizeof magic);
  return in && std::memcmp(magic, format::kMagic, 4) == 0 &&
         std::memcmp(magic + 4, format::kMetaFile.tag, 4) == 0;
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
  MetaParser parser(path, data, size);
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
