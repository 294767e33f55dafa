// Fuzzes opening and querying a damaged index. The input is a list of edits
// to a small index's files (the manifest, the segment's files and its
// deletion file):
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
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/format/format.hpp"
#include "common/format/index_meta.hpp"
#include "indexer/check/index_checker.hpp"
#include "searcher/searcher.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "tests/index_files.hpp"

namespace {

using namespace fathom;
using fathom::testing::IndexFileNames;
using fathom::testing::ResealIndexFiles;
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

struct Pristine {
  Pristine() {
    for (const auto& name : IndexFileNames(index.index())) {
      names.push_back(name);
      files.push_back(Read(index.index() / name));
    }
  }
  fuzz::FuzzIndex index;
  std::vector<std::string> names;  // relative to the index folder
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
  std::set<std::string> damaged;
  for (std::size_t at = 1; at + 4 <= size; at += 4) {
    last_file = data[at] % files.size();
    damaged.insert(pristine.names[last_file]);
    std::string& file = files[last_file];
    if (file.empty()) continue;
    last_offset = (data[at + 1] | (data[at + 2] << 8)) % file.size();
    file[last_offset] = static_cast<char>(file[last_offset] ^ data[at + 3]);
  }
  if (truncate) files[last_file].resize(last_offset);
  if (reseal) {
    std::map<std::string, std::string> by_name;
    for (std::size_t i = 0; i < files.size(); ++i) by_name[pristine.names[i]] = files[i];
    ResealIndexFiles(by_name, damaged);
    for (std::size_t i = 0; i < files.size(); ++i) files[i] = by_name[pristine.names[i]];
  }
  const fs::path dir = pristine.index.dir() / "damaged";
  for (std::size_t i = 0; i < files.size(); ++i) {
    fs::create_directories((dir / pristine.names[i]).parent_path());
    Write(dir / pristine.names[i], files[i]);
  }

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
          (void)searcher.snapshot().external_id(hit.doc);
          (void)searcher.Document(hit.doc);
        }
      } catch (const Error&) {
      }
    }
  } catch (const Error&) {
  }
  return 0;
}
