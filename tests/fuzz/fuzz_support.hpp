// Shared by the fuzz targets that need an index: builds a small one once per
// process, from a fixed corpus, in a folder removed at exit.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "indexer/write/index_builder.hpp"
#include "tests/index_files.hpp"

namespace fathom::fuzz {

class FuzzIndex {
 public:
  FuzzIndex() {
    // tmpfs when there is one: the index target rewrites files constantly.
    std::error_code ec;
    const std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec)
                                           ? std::filesystem::path("/dev/shm")
                                           : std::filesystem::temp_directory_path();
    std::string pattern = (base / "fathom-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    dir_ = pattern;
    std::ofstream corpus(dir_ / "corpus.jsonl");
    const char* words[] = {"lighthouse", "keeper", "harbour", "storm", "ship",
                           "lantern",    "rock",   "the",     "night", "light"};
    for (int i = 0; i < 140; ++i) {
      corpus << "{\"id\":\"d" << i << "\",\"title\":\"" << (i % 4 == 0 ? words[i % 10] : "")
             << "\",\"body\":\"light " << words[(i * 3) % 10] << " " << words[(i * 7) % 10] << " "
             << words[i % 10] << (i % 5 == 0 ? " light light" : "")
             << "\",\"year\":" << 1990 + i % 30 << ",\"kind\":\"" << words[i % 7]
             << "\",\"when\":\"20" << 10 + i % 15 << "-0" << 1 + i % 9 << "-1" << i % 10
             << "\",\"flag\":" << (i % 3 == 0 ? "true" : "false") << ",\"price\":" << i * 0.25
             << "}\n";
    }
    corpus.close();
    BuildOptions options;
    BuildIndex(dir_ / "corpus.jsonl", dir_ / "index", options, nullptr, nullptr);
    // Deleted documents too, so that a deletion file is read (and damaged).
    testing::DeleteByGlobalId(dir_ / "index", {3, 70, 139});
  }
  ~FuzzIndex() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::filesystem::path index() const { return dir_ / "index"; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

}  // namespace fathom::fuzz
