// `fathom-index check`: every single-byte corruption of a small index is
// detected (none missed, none crashing), and so is every truncation. Then the
// harder case: damage whose checksums were recomputed ("resealed"), which
// only the structural checks can catch; the searcher must survive all of it.
#include <gtest/gtest.h>

#include <array>
#include <map>

#include "common/error.hpp"
#include "common/format.hpp"
#include "common/index_meta.hpp"
#include "indexer/index_checker.hpp"
#include "searcher/searcher.hpp"
#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

namespace fs = std::filesystem;

// 150 short documents: "common" is in all of them (a full 128-posting block,
// a tail block and a skip table), the others in a few; a title on some.
std::vector<SourceDocument> SmallCorpus() {
  const char* words[] = {"lighthouse", "keeper", "harbour", "storm", "ship", "lantern", "rock"};
  std::vector<SourceDocument> docs;
  for (int i = 0; i < 150; ++i) {
    SourceDocument doc;
    doc.id = "doc-" + std::to_string(i);
    doc.title = i % 3 == 0 ? std::string(words[i % 7]) + " notes" : "";
    doc.body = "common " + std::string(words[(i * 5) % 7]) + " " + words[(i * 3) % 7] +
               (i % 10 == 0 ? " common common" : "");
    docs.push_back(doc);
  }
  return docs;
}

// Overwrites bytes in place. Rewriting a file from scratch costs
// milliseconds on ext4 (it flushes on truncate-and-rewrite); this test
// rewrites tens of thousands of times.
void Overwrite(const fs::path& path, const std::string& bytes) {
  std::error_code ec;
  if (fs::file_size(path, ec) != bytes.size() || ec) {
    WriteFile(path, bytes);
    return;
  }
  std::fstream out(path, std::ios::in | std::ios::out | std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::string> IndexFiles() {
  std::vector<std::string> names = {format::kMetaFile.file_name};
  for (const auto& kind : format::kDataFiles) names.push_back(kind.file_name);
  return names;
}

// Recomputes the footer checksum of `name` and records it (and the size) in
// meta, whose own checksum is then recomputed: the damage inside stays, but
// no checksum can see it.
void Reseal(const fs::path& index, const std::string& name) {
  const auto reseal_file = [](std::string& bytes) {
    if (bytes.size() < format::kHeaderSize + format::kFooterSize) return;
    const std::uint64_t checksum = format::Checksum(bytes.data(), bytes.size() - 8 - 8);
    std::memcpy(bytes.data() + bytes.size() - 8, &checksum, 8);
  };
  std::string bytes = ReadFile(index / name);
  reseal_file(bytes);
  Overwrite(index / name, bytes);
  if (name == format::kMetaFile.file_name) return;
  std::string meta_bytes = ReadFile(index / "meta");
  const format::Payload payload = format::PayloadOf(
      reinterpret_cast<const std::uint8_t*>(meta_bytes.data()), meta_bytes.size());
  IndexMeta meta = ParseMeta(index / "meta", payload.data, payload.size);
  for (auto& record : meta.files) {
    if (record.name == name) {
      record.size = bytes.size();
      record.checksum = bytes.size() >= 8
                            ? format::Get<std::uint64_t>(reinterpret_cast<const std::uint8_t*>(
                                  bytes.data() + bytes.size() - 8))
                            : 0;
    }
  }
  std::string rebuilt;
  format::PutHeader(rebuilt, format::kMetaFile);
  rebuilt += SerializeMeta(meta);
  rebuilt.append(format::kFooterMagic, 4);
  format::Put<std::uint32_t>(rebuilt, 0);
  format::Put<std::uint64_t>(rebuilt, 0);
  reseal_file(rebuilt);
  Overwrite(index / "meta", rebuilt);
}

// Opens the (damaged) index for search and runs a few queries: it may
// refuse (a fathom::Error), it must not crash, hang or read out of bounds.
void SearchSurvives(const fs::path& index) {
  try {
    Searcher searcher(index);
    for (const char* query :
         {"common", "lighthouse keeper", "\"common lighthouse\"", "+storm -ship", "notes rock"}) {
      const SearchResult result = searcher.Search(query, {});
      for (const Hit& hit : result.hits) {
        (void)searcher.snapshot().external_id(hit.doc);
        (void)searcher.Document(hit.doc);
      }
    }
  } catch (const Error&) {
  }
}

class CheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    index_ = BuildFromDocs(dir_, SmallCorpus());
    for (const auto& name : IndexFiles()) originals_[name] = ReadFile(index_ / name);
  }
  void Restore() {
    for (const auto& [name, bytes] : originals_) Overwrite(index_ / name, bytes);
  }
  TempDir dir_;
  fs::path index_;
  std::map<std::string, std::string> originals_;
};

TEST_F(CheckTest, SoundIndexPasses) {
  const CheckReport report = CheckIndex(index_);
  EXPECT_TRUE(report.sound) << report.problem;
  EXPECT_EQ(report.files, IndexFiles().size());
  EXPECT_EQ(report.documents, 150u);
  EXPECT_GT(report.postings, 450u);
  const CommandResult cli = RunCommand(kIndexBin + " check " + Quote(index_));
  EXPECT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_NE(cli.out.find(": sound ("), std::string::npos) << cli.out;
}

TEST_F(CheckTest, EveryFlippedByteIsDetected) {
  std::size_t flips = 0;
  for (const auto& [name, original] : originals_) {
    for (std::size_t offset = 0; offset < original.size(); ++offset) {
      std::string bytes = original;
      bytes[offset] = static_cast<char>(bytes[offset] ^ 0xFF);
      Overwrite(index_ / name, bytes);
      const CheckReport report = CheckIndex(index_);
      ++flips;
      ASSERT_FALSE(report.sound) << name << " offset " << offset << " flip not detected";
      EXPECT_NE(report.problem.find(name), std::string::npos) << report.problem;
      // Single-bit damage too, on a sample of bits.
      bytes[offset] = static_cast<char>(original[offset] ^ (1 << (offset % 8)));
      Overwrite(index_ / name, bytes);
      ASSERT_FALSE(CheckIndex(index_).sound) << name << " offset " << offset << " bit flip";
      Overwrite(index_ / name, original);
    }
  }
  std::cout << "byte flips detected: " << flips << " of " << flips << "\n";
  EXPECT_TRUE(CheckIndex(index_).sound);
}

TEST_F(CheckTest, EveryTruncationIsDetected) {
  for (const auto& [name, original] : originals_) {
    for (std::size_t size = original.size(); size-- > 0;) {
      fs::resize_file(index_ / name, size);
      const CheckReport report = CheckIndex(index_);
      ASSERT_FALSE(report.sound) << name << " truncated to " << size;
      EXPECT_NE(report.problem.find(name), std::string::npos) << report.problem;
    }
    WriteFile(index_ / name, original + "x");  // and a byte too many
    EXPECT_FALSE(CheckIndex(index_).sound) << name << " with an extra byte";
    WriteFile(index_ / name, original);
    fs::remove(index_ / name);
    EXPECT_NE(CheckIndex(index_).problem.find("missing"), std::string::npos) << name;
    WriteFile(index_ / name, original);
  }
}

TEST_F(CheckTest, ProblemNamesFileAndOffsetAndCliExitsOne) {
  std::string bytes = originals_["postings.doc"];
  bytes[format::kHeaderSize + 3] ^= 0x10;
  WriteFile(index_ / "postings.doc", bytes);
  const CommandResult cli = RunCommand(kIndexBin + " check " + Quote(index_));
  EXPECT_EQ(cli.exit_code, 1);
  EXPECT_NE(cli.err.find((index_ / "postings.doc").string() + ": offset "), std::string::npos)
      << cli.err;
  EXPECT_EQ(std::count(cli.err.begin(), cli.err.end(), '\n'), 1) << cli.err;
  // Resealed, the same damage is still found, by structure this time.
  Reseal(index_, "postings.doc");
  const CheckReport report = CheckIndex(index_);
  EXPECT_FALSE(report.sound);
  EXPECT_NE(report.problem.find("offset "), std::string::npos) << report.problem;
  EXPECT_EQ(report.problem.find("checksum"), std::string::npos) << report.problem;
  EXPECT_EQ(RunCommand(kIndexBin + " check " + Quote(dir_ / "nothing")).exit_code, 1);
  EXPECT_EQ(RunCommand(kIndexBin + " check").exit_code, 2);
}

// Damage no checksum sees. Structure catches all of it in the files whose
// every byte is constrained (postings, lengths, the dictionary's entries and
// counts, ids' offsets, the store's table); free text (term and id bytes,
// stored text, meta's version string and time) can change undetectably
// when the result is still well formed. The searcher survives every case.
TEST_F(CheckTest, ResealedFlipsAreCaughtByStructureAndNeverCrashTheSearcher) {
  std::map<std::string, std::pair<std::size_t, std::size_t>> caught;  // name -> (caught, total)
  for (const auto& [name, original] : originals_) {
    // The header and footer are covered by the byte-flip test; here the
    // payload, flipped with three patterns.
    // Every payload byte of the structured files, every 5th of the sketches
    // (fixed-size records, the same code for each), one of three patterns.
    const std::size_t stride = name == "minhash" ? 5 : 1;
    for (std::size_t offset = format::kHeaderSize; offset + format::kFooterSize < original.size();
         offset += stride) {
      for (const int pattern : {std::array{0x01, 0x40, 0xFF}[offset % 3]}) {
        Restore();
        std::string bytes = original;
        bytes[offset] = static_cast<char>(bytes[offset] ^ pattern);
        Overwrite(index_ / name, bytes);
        Reseal(index_, name);
        const CheckReport report = CheckIndex(index_);
        auto& [hits, total] = caught[name];
        ++total;
        if (!report.sound) ++hits;
        if (report.sound && std::getenv("FATHOM_SHOW_MISSED") != nullptr) {
          std::cout << "missed " << name << " offset " << offset << " pattern " << pattern << "\n";
        }
        SearchSurvives(index_);
      }
    }
  }
  Restore();
  for (const auto& [name, counts] : caught) {
    std::cout << "resealed flips caught by structure: " << name << " " << counts.first << " of "
              << counts.second << "\n";
  }
  for (const char* name : {"postings.doc", "doclens", "minhash"}) {
    EXPECT_EQ(caught[name].first, caught[name].second) << name;
  }
}

}  // namespace
}  // namespace fathom::testing
