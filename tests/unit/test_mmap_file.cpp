// How an open file's bytes are held (common/read/mmap_file.hpp): a preloaded
// file (copied, or mapped whole) reads as the mapping does, a copy survives
// what a mapping may give back, and a preloaded index answers queries
// exactly as the mapped one does.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <random>
#include <string>
#include <vector>

#include "common/read/mmap_file.hpp"
#include "searcher/searcher.hpp"
#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

std::string RandomBytes(std::size_t size, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(random() & 0xff);
  return bytes;
}

std::string Bytes(const MmapFile& file) {
  return std::string(reinterpret_cast<const char*>(file.data()), file.size());
}

TEST(MmapFile, PreloadedReadsAsMappedAtEverySize) {
  TempDir dir;
  // Empty, under a page, a page, across huge-page boundaries, the largest
  // file copied and the smallest mapped whole instead.
  for (const std::size_t size :
       {std::size_t{0}, std::size_t{1}, std::size_t{4095}, std::size_t{4096},
        (std::size_t{2} << 20) - 1, (std::size_t{2} << 20) + 3, std::size_t{5} << 20,
        MmapFile::kLargestCopied, MmapFile::kLargestCopied + 1}) {
    SCOPED_TRACE(size);
    const auto path = dir.path() / ("file-" + std::to_string(size));
    const std::string bytes = RandomBytes(size, static_cast<std::uint32_t>(size));
    WriteFile(path, bytes);
    const MmapFile mapped(path, Residency::kMapped);
    const MmapFile preloaded(path, Residency::kPreloaded);
    EXPECT_FALSE(mapped.preloaded());
    EXPECT_EQ(preloaded.preloaded(),
              size > 0 && size <= MmapFile::kLargestCopied && MmapFile::HugePagesOffered());
    EXPECT_EQ(preloaded.size(), size);
    EXPECT_EQ(Bytes(mapped), bytes);
    EXPECT_EQ(Bytes(preloaded), bytes);
  }
}

TEST(MmapFile, PreloadedCopyIsTheOnlyOneAndMovesWhole) {
  TempDir dir;
  const auto path = dir.path() / "file";
  const std::string bytes = RandomBytes((std::size_t{3} << 20) + 17, 7);
  WriteFile(path, bytes);
  MmapFile preloaded(path, Residency::kPreloaded);
  // A mapping's pages can be given back and read again from the page
  // cache; a preloaded copy's cannot, so DropPages must leave it alone.
  preloaded.DropPages(0, preloaded.size());
  EXPECT_EQ(Bytes(preloaded), bytes);
  // Later changes to the file do not reach a copy made before them.
  WriteFile(path, std::string(bytes.size(), 'x'));
  if (preloaded.preloaded()) {
    EXPECT_EQ(Bytes(preloaded), bytes);
  }
  MmapFile moved(std::move(preloaded));
  EXPECT_EQ(preloaded.data(), nullptr);
  EXPECT_EQ(preloaded.size(), 0u);
  EXPECT_EQ(moved.size(), bytes.size());
  MmapFile assigned;
  assigned = std::move(moved);
  EXPECT_EQ(assigned.size(), bytes.size());
  EXPECT_FALSE(moved.preloaded());
}

TEST(MmapFile, PreloadedIndexAnswersAsMapped) {
  TempDir dir;
  std::vector<SourceDocument> docs;
  std::mt19937 random(11);
  const std::vector<std::string> words = {"river", "stone", "of",    "the",  "bridge",
                                          "north", "light", "in",    "and",  "harbour",
                                          "field", "tower", "quiet", "city", "winter"};
  for (int i = 0; i < 3000; ++i) {
    std::string body;
    const int length = 5 + static_cast<int>(random() % 60);
    for (int w = 0; w < length; ++w) body += words[random() % words.size()] + " ";
    docs.push_back({"d" + std::to_string(i), "", body});
  }
  const auto index = BuildFromDocs(dir, docs);
  Searcher mapped(index, Residency::kMapped);
  Searcher preloaded(index, Residency::kPreloaded);
  for (const char* query : {"river stone", "+of +the", "\"in the\"", "\"the bridge of\"",
                            "north -light", "+city +winter quiet"}) {
    SCOPED_TRACE(query);
    for (const bool count_only : {false, true}) {
      SearchOptions options;
      options.k = 20;
      options.count_only = count_only;
      const SearchResult a = mapped.Search(query, options);
      const SearchResult b = preloaded.Search(query, options);
      EXPECT_EQ(a.total_matches, b.total_matches);
      ASSERT_EQ(a.hits.size(), b.hits.size());
      for (std::size_t i = 0; i < a.hits.size(); ++i) {
        EXPECT_EQ(a.hits[i].doc, b.hits[i].doc);
        EXPECT_EQ(a.hits[i].score, b.hits[i].score);
      }
      if (!count_only) {
        EXPECT_FALSE(a.hits.empty());
      }
    }
  }
}

// Pages of the file in the page cache, by mincore on a mapping of it that
// reads none.
std::size_t ResidentPages(const std::filesystem::path& path) {
  const MmapFile file(path);
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident((file.size() + page - 1) / page);
  EXPECT_EQ(::mincore(const_cast<std::uint8_t*>(file.data()), file.size(), resident.data()), 0);
  std::size_t count = 0;
  for (const unsigned char r : resident) count += r & 1;
  return count;
}

// The writer leaves the posting and position lists out of the page cache,
// so that the searcher's preloading reads them back in 2 MiB folios; the
// other files stay cached (which shows mincore sees what is cached), and
// preloading maps every page of the lists.
TEST(MmapFile, WriterLeavesTheListsOutOfThePageCache) {
  TempDir dir;
  std::vector<SourceDocument> docs;
  for (int i = 0; i < 4000; ++i) {
    docs.push_back({"d" + std::to_string(i), "",
                    "words of document " + std::to_string(i) + " and more words in it " +
                        std::to_string(i * 7)});
  }
  const auto index = BuildFromDocs(dir, docs);
  const auto segment = index / "seg-000001";
  ASSERT_GT(std::filesystem::file_size(segment / "postings.doc"), 4 * 4096u);
  EXPECT_EQ(ResidentPages(segment / "postings.doc"), 0u);
  EXPECT_EQ(ResidentPages(segment / "postings.pos"), 0u);
  EXPECT_GT(ResidentPages(segment / "docids"), 0u);
  const Searcher preloaded(index, Residency::kPreloaded);
  const MmapFile postings(segment / "postings.doc");
  EXPECT_EQ(ResidentPages(segment / "postings.doc"), (postings.size() + 4095) / 4096);
}

}  // namespace
}  // namespace fathom::testing
