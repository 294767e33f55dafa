// Fuzzes reading compressed files from a folder (libarchive through
// CorpusReader): any bytes, under each compressed name the reader decodes,
// give the document inside, or a warning that skips the file; never a
// crash, a hang, or more than the document size limit in memory.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/analysis/utf8.hpp"
#include "indexer/corpus/corpus_reader.hpp"

namespace {

const std::filesystem::path& Folder() {
  static const std::filesystem::path folder = [] {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "fathom-fuzz-compressed-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    return std::filesystem::path(pattern);
  }();
  return folder;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fathom;
  if (size == 0) return 0;
  // The first byte picks the name, so every codec's reader meets every input.
  static const char* kNames[] = {"doc.gz", "doc.xz", "doc.bz2", "doc.lz4", "doc.lzma", "doc.Z"};
  const std::filesystem::path path = Folder() / kNames[data[0] % std::size(kNames)];
  std::filesystem::remove_all(Folder());
  std::filesystem::create_directories(Folder());
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
  }
  CorpusOptions options;
  options.max_document_bytes = 1 << 20;
  auto reader = CorpusReader::Open(Folder(), options, [](const std::string&) {});
  SourceDocument document;
  while (reader->Next(document)) {
    if (document.title.size() + document.body.size() > options.max_document_bytes) std::abort();
    if (!utf8::IsValid(document.title) || !utf8::IsValid(document.body)) std::abort();
  }
  return 0;
}
