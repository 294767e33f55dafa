// Near-duplicate detection: MinHash sketches (common/minhash) and grouping
// (searcher/near_duplicates) on copies with small edits, copies with added
// boilerplate, unrelated texts, and a corpus without copies.
#include <gtest/gtest.h>

#include <random>

#include "common/analysis/minhash.hpp"
#include "searcher/present/near_duplicates.hpp"
#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

std::vector<std::string> RandomWords(std::size_t count, std::mt19937_64& rng) {
  std::vector<std::string> words;
  for (std::size_t i = 0; i < count; ++i) {
    // A vocabulary of 20,000 words, skewed like natural text.
    const auto rank =
        static_cast<std::size_t>(std::pow(static_cast<double>(rng() % 20000), 1.3)) % 20000;
    words.push_back("w" + std::to_string(rank));
  }
  return words;
}

MinHashSketch Sketch(const std::vector<std::string>& words) {
  MinHasher hasher;
  for (const auto& word : words) hasher.Add(word);
  return hasher.Finish();
}

TEST(MinHash, IdenticalTextsAreNearDuplicates) {
  std::mt19937_64 rng(1);
  const auto words = RandomWords(300, rng);
  const MinHashSketch a = Sketch(words);
  EXPECT_EQ(a.shingles, 298u);
  EXPECT_DOUBLE_EQ(EstimatedContainment(a, Sketch(words)), 1.0);
}

TEST(MinHash, ShortTextsHaveNoSketch) {
  std::mt19937_64 rng(2);
  const auto words = RandomWords(kMinShingles + 1, rng);  // kMinShingles - 1 shingles
  const MinHashSketch a = Sketch(words);
  EXPECT_EQ(a.shingles, 0u);
  EXPECT_FALSE(AreNearDuplicates(a, a));
}

TEST(MinHash, CopiesWithSmallEditsAreFound) {
  std::mt19937_64 rng(3);
  int found = 0;
  const int trials = 200;
  for (int trial = 0; trial < trials; ++trial) {
    const auto original = RandomWords(200 + rng() % 800, rng);
    auto copy = original;
    // Change 2% of the words, and drop a run of 10 words.
    for (std::size_t i = 0; i < copy.size() / 50; ++i) copy[rng() % copy.size()] = "edited";
    const std::size_t cut = rng() % (copy.size() - 10);
    copy.erase(copy.begin() + static_cast<long>(cut), copy.begin() + static_cast<long>(cut) + 10);
    found += AreNearDuplicates(Sketch(original), Sketch(copy)) ? 1 : 0;
  }
  EXPECT_GE(found, trials * 95 / 100) << found << " of " << trials;
}

TEST(MinHash, CopiesWithAddedBoilerplateAreFound) {
  // The news-sample case: the same article, plus a header and a page of ads.
  std::mt19937_64 rng(4);
  int found = 0;
  const int trials = 200;
  for (int trial = 0; trial < trials; ++trial) {
    const auto article = RandomWords(300 + rng() % 500, rng);
    auto copy = RandomWords(15, rng);  // header
    copy.insert(copy.end(), article.begin(), article.end());
    const auto ads = RandomWords(article.size() * 2 / 3, rng);
    copy.insert(copy.end(), ads.begin(), ads.end());
    found += AreNearDuplicates(Sketch(article), Sketch(copy)) ? 1 : 0;
  }
  EXPECT_GE(found, trials * 95 / 100) << found << " of " << trials;
}

TEST(MinHash, UnrelatedTextsAndQuotationsAreNot) {
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 500; ++trial) {
    const auto a = RandomWords(100 + rng() % 900, rng);
    const auto b = RandomWords(100 + rng() % 900, rng);
    ASSERT_FALSE(AreNearDuplicates(Sketch(a), Sketch(b)));
  }
  // A 100-word quotation inside a 2,000-word text is not a copy of it.
  const auto quotation = RandomWords(100, rng);
  auto essay = RandomWords(2000, rng);
  essay.insert(essay.begin() + 700, quotation.begin(), quotation.end());
  EXPECT_FALSE(AreNearDuplicates(Sketch(quotation), Sketch(essay)));
}

TEST(NearDuplicateGroups, NoFalseMergesOnACorpusWithoutCopies) {
  // 20,000 random documents: any group found is a false merge.
  TempDir dir;
  std::mt19937_64 rng(6);
  std::vector<SourceDocument> docs;
  for (int d = 0; d < 20000; ++d) {
    const auto words = RandomWords(20 + rng() % 300, rng);
    std::string body;
    for (const auto& w : words) body += w + " ";
    docs.push_back({"d" + std::to_string(d), "", body});
  }
  // Plant 50 edited copies, which must be found.
  for (int c = 0; c < 50; ++c) {
    SourceDocument copy = docs[static_cast<std::size_t>(c) * 97];
    copy.id = "copy-of-" + copy.id;
    copy.body = "an added header line " + copy.body + " and a footer";
    docs.push_back(copy);
  }
  const IndexSnapshot snapshot(BuildFromDocs(dir, docs, {"none", {}}));
  const auto groups = FindNearDuplicateGroups(snapshot);
  std::size_t planted = 0;
  std::size_t false_merges = 0;
  for (const auto& group : groups) {
    bool has_copy = false;
    for (const DocId d : group) has_copy |= snapshot.external_id(d).starts_with("copy-of-");
    if (has_copy && group.size() == 2) {
      ++planted;
    } else {
      ++false_merges;
    }
  }
  EXPECT_EQ(false_merges, 0u);
  // Copies of documents too short to sketch (under 16 shingles) are not found.
  std::size_t sketchable = 0;
  for (int c = 0; c < 50; ++c) {
    sketchable += snapshot.sketch(static_cast<DocId>(c * 97)).shingles > 0;
  }
  EXPECT_EQ(planted, sketchable);
}

TEST(NearDuplicateGroups, FoldingKeepsTheBestRankedCopy) {
  TempDir dir;
  std::mt19937_64 rng(7);
  const auto words = RandomWords(200, rng);
  std::string text;
  for (const auto& w : words) text += w + " ";
  const auto other = RandomWords(200, rng);
  std::string other_text;
  for (const auto& w : other) other_text += w + " ";
  const IndexSnapshot snapshot(
      BuildFromDocs(dir, {{"a", "", text}, {"b", "", other_text}, {"c", "", text + " extra words"}},
                    {"none", {}}));
  const std::vector<Hit> hits = {{2, 3.0f}, {1, 2.0f}, {0, 1.0f}};
  const auto groups = FoldNearDuplicates(snapshot, hits, 10);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].hit.doc, 2u);
  ASSERT_EQ(groups[0].near_duplicates.size(), 1u);
  EXPECT_EQ(groups[0].near_duplicates[0].doc, 0u);
  EXPECT_EQ(groups[1].hit.doc, 1u);
  EXPECT_EQ(FoldNearDuplicates(snapshot, hits, 1).size(), 1u);
}

}  // namespace
}  // namespace fathom::testing
