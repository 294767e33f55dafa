// Spelling: FuzzyTerms against a brute-force Levenshtein scan of the whole
// dictionary, and "did you mean" suggestions.
#include <gtest/gtest.h>

#include <random>

#include "common/analysis/utf8.hpp"
#include "searcher/present/spelling.hpp"
#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

int Levenshtein(std::string_view a, std::string_view b) {
  std::vector<char32_t> x, y;
  for (std::size_t p = 0; p < a.size();) {
    const auto d = utf8::DecodeAt(a, p);
    x.push_back(d.code_point);
    p += d.length;
  }
  for (std::size_t p = 0; p < b.size();) {
    const auto d = utf8::DecodeAt(b, p);
    y.push_back(d.code_point);
    p += d.length;
  }
  std::vector<int> row(y.size() + 1);
  for (std::size_t j = 0; j <= y.size(); ++j) row[j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= x.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (std::size_t j = 1; j <= y.size(); ++j) {
      const int above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (x[i - 1] == y[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[y.size()];
}

TEST(Spelling, FuzzyTermsEqualsBruteForce) {
  // Words over a small alphabet (with one non-ASCII letter), so that many
  // dictionary terms are within one or two edits of each other.
  std::mt19937_64 rng(3);
  const std::vector<std::string> letters = {"a", "b", "c", "d", "\xC3\xA9"};
  std::string body;
  for (int i = 0; i < 4000; ++i) {
    const std::size_t length = 1 + rng() % 7;
    for (std::size_t j = 0; j < length; ++j) body += letters[rng() % letters.size()];
    body += ' ';
  }
  TempDir dir;
  const IndexReader reader(BuildFromDocs(dir, {{"d", "", body}}, {"none", {}}));
  std::vector<std::string> dictionary;
  for (std::uint64_t i = 0; i < reader.term_count(); ++i) {
    dictionary.emplace_back(reader.TermAt(i));
  }
  for (int q = 0; q < 200; ++q) {
    std::string query;
    const std::size_t length = 1 + rng() % 8;
    for (std::size_t j = 0; j < length; ++j) query += letters[rng() % letters.size()];
    for (int k = 0; k <= 2; ++k) {
      std::set<std::string> expected;
      for (const auto& term : dictionary) {
        if (Levenshtein(query, term) <= k) expected.insert(term);
      }
      std::set<std::string> got;
      for (const auto& c : FuzzyTerms(reader, query, k, 1000000)) {
        got.insert(c.term);
        EXPECT_EQ(c.distance, Levenshtein(query, c.term));
      }
      ASSERT_EQ(got, expected) << query << " ~" << k;
      // With the first letter fixed: the same, among terms starting with it.
      const std::size_t first = utf8::DecodeAt(query, 0).length;
      std::set<std::string> expected_prefixed;
      for (const auto& term : expected) {
        if (term.compare(0, first, query, 0, first) == 0) expected_prefixed.insert(term);
      }
      std::set<std::string> got_prefixed;
      for (const auto& c : FuzzyTerms(reader, query, k, 1000000, 1)) got_prefixed.insert(c.term);
      ASSERT_EQ(got_prefixed, expected_prefixed) << query << " ~" << k << " first letter fixed";
    }
  }
}

TEST(Spelling, ClosestFirstThenMostFrequent) {
  TempDir dir;
  const IndexReader reader(BuildFromDocs(dir,
                                         {{"1", "", "witkoff putin"},
                                          {"2", "", "witkoff meeting"},
                                          {"3", "", "witkow"},
                                          {"4", "", "wittkoff"}},
                                         {"none", {}}));
  const auto candidates = FuzzyTerms(reader, "witkof", 2, 10);
  ASSERT_EQ(candidates.size(), 3u);
  EXPECT_EQ(candidates[0].term, "witkoff");  // 1 edit, 2 documents
  EXPECT_EQ(candidates[0].document_frequency, 2u);
  EXPECT_EQ(candidates[1].term, "witkow");  // 1 edit, 1 document
  EXPECT_EQ(candidates[2].term, "wittkoff");
  EXPECT_EQ(candidates[2].distance, 2);
}

TEST(Spelling, SuggestsOnlyForRareOrMissingTerms) {
  TempDir dir;
  std::vector<SourceDocument> docs;
  for (int i = 0; i < 20; ++i) docs.push_back({std::to_string(i), "", "president putin spoke"});
  docs.push_back({"typo", "", "the presidnet spoke"});
  const IndexSnapshot snapshot(BuildFromDocs(dir, docs, {"none", {}}));
  const auto missing = SuggestCorrections(snapshot, "presdent");
  ASSERT_FALSE(missing.empty());
  EXPECT_EQ(missing[0].term, "president");
  const auto rare = SuggestCorrections(snapshot, "presidnet");  // in 1 document
  ASSERT_FALSE(rare.empty());
  EXPECT_EQ(rare[0].term, "president");
  EXPECT_TRUE(SuggestCorrections(snapshot, "putin").empty());   // common: fine as is
  EXPECT_TRUE(SuggestCorrections(snapshot, "zzzzzz").empty());  // nothing close
}

}  // namespace
}  // namespace fathom::testing
