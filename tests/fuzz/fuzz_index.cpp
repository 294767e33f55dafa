// Fuzzes opening and querying a damaged index. The input is a list of edits
// to a small index's files:
//   byte 0: bit 0 set = recompute the checksums afterwards ("reseal"), so
//           the damage reaches the structural checks instead of stopping at
//           a checksum; bit 1 set = also truncate the last edited file there
//   then 4 bytes per edit: file (1 byte), offset (2 bytes LE), XOR value
// Then `fathom-index check` runs (it must report, not crash), and the
// searcher opens the index and answers queries and shows documents (it may
// refuse with a fathom::Error, never crash, hang or read out of bounds).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/format.hpp"
#include "common/index_meta.hpp"
#include "indexer/index_checker.hpp"
#include "searcher/searcher.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using namespace fathom;
namespace fs = std::filesystem;

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void Write(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

void SealFooter(std::string& bytes) {
  if (bytes.size() < format::kHeaderSize + format::kFooterSize) return;
  const std::uint64_t checksum = format::Checksum(bytes.data(), bytes.size() - 16);
  std::memcpy(bytes.data() + bytes.size() - 8, &checksum, 8);
}

struct Pristine {
  Pristine() {
    names.push_back(format::kMetaFile.file_name);
    for (const auto& kind : format::kDataFiles) names.push_back(kind.file_name);
    for (const auto& name : names) files.push_back(Read(index.index() / name));
  }
  fuzz::FuzzIndex index;
  std::vector<std::string> names;
  std::vector<std::string> files;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Pristine pristine;
  if (size == 0) return 0;
  std::vector<std::string> files = pristine.files;
  const bool reseal = data[0] & 1;
  const bool truncate = data[0] & 2;
  std::size_t last_file = 0;
  std::size_t last_offset = 0;
  for (std::size_t at = 1; at + 4 <= size; at += 4) {
    last_file = data[at] % files.size();
    std::string& file = files[last_file];
    if (file.empty()) continue;
    last_offset = (data[at + 1] | (data[at + 2] << 8)) % file.size();
    file[last_offset] = static_cast<char>(file[last_offset] ^ data[at + 3]);
  }
  if (truncate) files[last_file].resize(last_offset);
  if (reseal) {
    // Footers first, then meta's records of them, then meta's own footer.
    for (std::size_t i = 1; i < files.size(); ++i) SealFooter(files[i]);
    std::string& meta = files[0];
    if (meta.size() >= format::kHeaderSize + format::kFooterSize) {
      try {
        const format::Payload payload =
            format::PayloadOf(reinterpret_cast<const std::uint8_t*>(meta.data()), meta.size());
        IndexMeta parsed = ParseMeta("meta", payload.data, payload.size);
        for (auto& record : parsed.files) {
          for (std::size_t i = 1; i < files.size(); ++i) {
            if (record.name == pristine.names[i]) {
              record.size = files[i].size();
              record.checksum =
                  files[i].size() >= 8
                      ? format::Get<std::uint64_t>(reinterpret_cast<const std::uint8_t*>(
                            files[i].data() + files[i].size() - 8))
                      : 0;
            }
          }
        }
        std::string rebuilt(meta.data(), format::kHeaderSize);
        rebuilt += SerializeMeta(parsed);
        rebuilt.append(meta.data() + meta.size() - format::kFooterSize, format::kFooterSize);
        meta = rebuilt;
      } catch (const Error&) {
      }
      SealFooter(meta);
    }
  }
  const fs::path dir = pristine.index.dir() / "damaged";
  fs::create_directories(dir);
  for (std::size_t i = 0; i < files.size(); ++i) Write(dir / pristine.names[i], files[i]);

  (void)CheckIndex(dir);
  try {
    Searcher searcher(dir);
    for (const char* query : {"light", "lighthouse keeper", "\"light storm\"", "+rock -ship",
                              "title:harbour night", "lig*", "stom~1"}) {
      SearchOptions options;
      options.k = 5;
      try {
        const SearchResult result = searcher.Search(query, options);
        for (const Hit& hit : result.hits) {
          (void)searcher.reader().external_id(hit.doc);
          (void)searcher.Document(hit.doc);
        }
      } catch (const Error&) {
      }
    }
  } catch (const Error&) {
  }
  return 0;
}
