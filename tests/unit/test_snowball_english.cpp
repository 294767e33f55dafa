// Checks Fathom's English analysis against the official Snowball (Porter2)
// test vocabulary (Snowball 3.0): every word is fed through the real Analyzer
// pipeline with the default settings (english, no stop words) and must
// produce exactly the expected stem. English stemming is Fathom's own
// (common/analysis/porter2.hpp), so the result does not depend on the system's
// libstemmer. The only exceptions are the tokenizer's edge-apostrophe words
// below, and each must produce exactly the output the table gives.

#include <gtest/gtest.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/analysis/analyzer.hpp"
#include "common/analysis/porter2.hpp"
#include "tests/test_support.hpp"

namespace fathom {
namespace {

using testing::TestDataExists;

constexpr const char* kPairsPath =
    FATHOM_SHARED_DIR "/corpora/snowball-english/english_stem_pairs.tsv";

using Terms = std::vector<std::string>;

// Tokenizer rule (Analyzer::NextRawWord): an apostrophe joins a word only
// between two letters ("don't", "Russia's"); at either end of a word it is a
// quotation mark and separates words. Porter2 itself removes a word's leading
// apostrophe and its trailing "'" / "'s" too, except that it leaves words of
// two characters or fewer untouched, so the vocabulary expects "'a" -> "'a"
// where Fathom sees the word "a" inside quotes. These are the only pairs the
// tokenizer changes; each must give exactly the stem of the word with its edge
// apostrophes removed (no token when nothing is left).
const std::map<std::string, Terms> kEdgeApostropheWords = {
    {"'", {}}, {"''", {}}, {"'''", {}}, {"'a", {"a"}}, {"'s", {"s"}}, {"a'", {"a"}}, {"a''", {"a"}},
};

struct Pair {
  std::string word;
  std::string stem;
};

std::vector<Pair> ReadPairs(const std::string& path) {
  std::vector<Pair> pairs;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::size_t tab = line.find('\t');
    EXPECT_NE(tab, std::string::npos) << "malformed line: " << line;
    if (tab == std::string::npos) continue;
    pairs.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  return pairs;
}

Terms Analyze(Analyzer& analyzer, std::string_view text) {
  Terms terms;
  for (const Token& token : analyzer.AnalyzeAll(text)) terms.push_back(token.term);
  return terms;
}

std::string_view StripEdgeApostrophes(std::string_view word) {
  while (!word.empty() && word.front() == '\'') word.remove_prefix(1);
  while (!word.empty() && word.back() == '\'') word.remove_suffix(1);
  return word;
}

TEST(SnowballEnglish, EveryPairMatches) {
  ASSERT_TRUE(TestDataExists(kPairsPath));
  const std::vector<Pair> pairs = ReadPairs(kPairsPath);
  ASSERT_GT(pairs.size(), 40000u);

  Analyzer analyzer(AnalysisSettings{});
  std::size_t plain = 0;
  std::size_t tokenizer_differences = 0;
  std::size_t mismatches = 0;
  std::set<std::string> seen;
  for (const Pair& pair : pairs) {
    Terms expected{pair.stem};
    if (const auto it = kEdgeApostropheWords.find(pair.word); it != kEdgeApostropheWords.end()) {
      expected = it->second;
      // The table agrees with the rule: the stem of the normalized word.
      const std::string_view normalized = StripEdgeApostrophes(pair.word);
      EXPECT_EQ(expected, normalized.empty() ? Terms{} : Analyze(analyzer, normalized))
          << "'" << pair.word << "'";
      ++tokenizer_differences;
      seen.insert(pair.word);
    } else {
      ++plain;
    }
    const Terms terms = Analyze(analyzer, pair.word);
    if (terms != expected) {
      ++mismatches;
      ADD_FAILURE() << "'" << pair.word << "': expected " << ::testing::PrintToString(expected)
                    << " (vocabulary: '" << pair.stem << "'), got "
                    << ::testing::PrintToString(terms);
    }
  }
  // Every exception names a word of the vocabulary.
  EXPECT_EQ(seen.size(), kEdgeApostropheWords.size());
  EXPECT_EQ(mismatches, 0u);
  std::cout << pairs.size() << " pairs: " << plain << " plain, " << tokenizer_differences
            << " edge-apostrophe words (tokenizer), " << mismatches << " mismatches\n";
}

// What the vocabulary (ASCII words of 3 letters and more) does not exercise.
TEST(Porter2, ShortAndNonAsciiWords) {
  EXPECT_EQ(Porter2Stem(""), "");
  EXPECT_EQ(Porter2Stem("is"), "is");                // fewer than 3 characters: unchanged
  EXPECT_EQ(Porter2Stem("\xC3\xA9s"), "\xC3\xA9s");  // "és": 2 characters, 3 bytes
  // "ies" after one character (2 bytes) becomes "ie", as Snowball counts characters.
  EXPECT_EQ(Porter2Stem("\xC3\xA9ies"), "\xC3\xA9ie");
  EXPECT_EQ(Porter2Stem("caf\xC3\xA9s"), "caf\xC3\xA9");  // a non-ASCII letter is a consonant
  EXPECT_EQ(Porter2Stem("ab\xFFing"), "ab\xFF");          // malformed bytes survive
  EXPECT_EQ(Porter2Stem("running"), "run");
  EXPECT_EQ(Porter2Stem("generously"), "generous");
}

}  // namespace
}  // namespace fathom
