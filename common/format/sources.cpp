#include "common/format/sources.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "common/format/format.hpp"
#include "common/format/payload_parser.hpp"

namespace fathom {

namespace {
// Path length, size, modification time, hash, first document, count.
constexpr std::size_t kMinEntryBytes = 4 + 8 + 8 + 8 + 4 + 4;
}  // namespace

std::string SerializeSources(const std::vector<SourceFile>& sources, std::uint64_t document_count) {
  std::string out;
  format::Put<std::uint64_t>(out, document_count);
  format::Put<std::uint64_t>(out, sources.size());
  std::uint64_t next_free = 0;
  for (const SourceFile& source : sources) {
    if (source.path.empty() || source.path.size() > UINT32_MAX || source.first_doc < next_free ||
        source.first_doc + std::uint64_t{source.doc_count} > document_count) {
      throw InputError("internal error: file record '" + source.path + "' out of document order");
    }
    next_free = source.first_doc + std::uint64_t{source.doc_count};
    PutString(out, source.path);
    format::Put<std::uint64_t>(out, source.size);
    format::Put<std::int64_t>(out, source.modified_ns);
    format::Put<std::uint64_t>(out, source.content_hash);
    format::Put<std::uint32_t>(out, source.first_doc);
    format::Put<std::uint32_t>(out, source.doc_count);
  }
  return out;
}

std::vector<SourceFile> ParseSources(const std::filesystem::path& path, const std::uint8_t* data,
                                     std::size_t size, std::uint64_t document_count) {
  PayloadParser parser(path, data, size);
  if (parser.Read<std::uint64_t>() != document_count) {
    parser.Fail("document count differs from the segment's");
  }
  const auto count = parser.Read<std::uint64_t>();
  if (count > size / kMinEntryBytes) parser.Fail("implausible file count " + std::to_string(count));
  std::vector<SourceFile> sources(count);
  std::uint64_t next_free = 0;
  for (SourceFile& source : sources) {
    source.path = parser.ReadString();
    source.size = parser.Read<std::uint64_t>();
    source.modified_ns = parser.Read<std::int64_t>();
    source.content_hash = parser.Read<std::uint64_t>();
    source.first_doc = parser.Read<std::uint32_t>();
    source.doc_count = parser.Read<std::uint32_t>();
    if (source.path.empty()) parser.Fail("empty file path");
    if (source.first_doc < next_free ||
        source.first_doc + std::uint64_t{source.doc_count} > document_count) {
      parser.Fail("documents of '" + source.path + "' overlap another file's or the segment's end");
    }
    next_free = source.first_doc + std::uint64_t{source.doc_count};
  }
  parser.ExpectEnd();
  return sources;
}

const SourceFile* FindSource(const std::vector<SourceFile>& sources, DocId doc) {
  // The last entry starting at or before doc with documents, if it holds doc.
  auto it = std::upper_bound(sources.begin(), sources.end(), doc,
                             [](DocId d, const SourceFile& s) { return d < s.first_doc; });
  while (it != sources.begin()) {
    --it;
    if (it->doc_count > 0) {
      return doc < it->first_doc + std::uint64_t{it->doc_count} ? &*it : nullptr;
    }
  }
  return nullptr;
}

}  // namespace fathom
