// The search engine against brute force: BM25 scores computed from raw
// counts, phrase matches found by scanning token streams, and the boolean
// semantics of required (+) and excluded (-) clauses, on random corpora and
// random queries.
#include <gtest/gtest.h>

#include <map>

#include "common/analysis/fields.hpp"
#include "indexer/check/index_checker.hpp"
#include "searcher/searcher.hpp"
#include "tests/model_index.hpp"
#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

void ExpectSameResults(Searcher& searcher, const ModelIndex& model,
                       const std::vector<ModelClause>& clauses, Bm25Params params) {
  const std::string text = ToQueryText(clauses);
  SearchOptions options;
  options.k = model.lengths.size();
  options.bm25 = params;
  const SearchResult result = searcher.Search(text, options);
  const auto expected = ExpectedMatches(model, clauses, params);
  ASSERT_EQ(result.total_matches, expected.size()) << text;
  ASSERT_EQ(result.hits.size(), expected.size()) << text;
  for (std::size_t i = 0; i < result.hits.size(); ++i) {
    const Hit& hit = result.hits[i];
    auto it = expected.find(hit.doc);
    ASSERT_NE(it, expected.end()) << text << ": unexpected doc " << hit.doc;
    ASSERT_NEAR(hit.score, it->second, 1e-4 * std::max(1.0, it->second))
        << text << " doc " << hit.doc;
    if (i > 0) {
      ASSERT_TRUE(RanksBefore(result.hits[i - 1], hit))
          << text << ": results out of order at " << i;
    }
  }
}

std::vector<std::string> Vocabulary(const ModelIndex& model) {
  std::vector<std::string> words;
  for (const auto& [term, postings] : model.postings) {
    if (!IsFieldTerm(term)) words.push_back(term);
  }
  return words;
}

// A phrase that occurs: adjacent tokens of a random document.
std::vector<std::string> OccurringPhrase(const ModelIndex& model, std::mt19937_64& rng,
                                         std::size_t length) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    const auto& tokens = model.tokens[rng() % model.tokens.size()];
    if (tokens.size() < length) continue;
    const std::size_t start = rng() % (tokens.size() - length + 1);
    std::vector<std::string> words;
    for (std::size_t i = 0; i < length; ++i) {
      if (tokens[start + i].position != tokens[start].position + i) break;  // across fields
      words.push_back(tokens[start + i].term);
    }
    if (words.size() == length) return words;
  }
  return {"w0x", "w1x"};
}

class OracleTest : public ::testing::TestWithParam<std::uint64_t> {
 protected:
  void SetUp() override {
    docs_ = RandomDocs(1200, 80, GetParam());
    model_ = std::make_unique<ModelIndex>(docs_, AnalysisSettings{});
    searcher_ = std::make_unique<Searcher>(BuildFromDocs(dir_, docs_));
    vocabulary_ = Vocabulary(*model_);
  }
  TempDir dir_;
  std::vector<SourceDocument> docs_;
  std::unique_ptr<ModelIndex> model_;
  std::unique_ptr<Searcher> searcher_;
  std::vector<std::string> vocabulary_;
};

TEST_P(OracleTest, Bm25DisjunctionsMatchBruteForce) {
  std::mt19937_64 rng(GetParam() * 31);
  for (int q = 0; q < 60; ++q) {
    std::vector<ModelClause> clauses;
    std::set<std::string> used;
    const std::size_t n = 1 + rng() % 4;
    while (clauses.size() < n) {
      const std::string& word = vocabulary_[rng() % vocabulary_.size()];
      if (used.insert(word).second) clauses.push_back({Occur::kShould, {word}});
    }
    ExpectSameResults(*searcher_, *model_, clauses, {});
    ExpectSameResults(*searcher_, *model_, clauses, {1.2f, 0.75f});
  }
}

TEST_P(OracleTest, PhrasesMatchTokenStreamScan) {
  std::mt19937_64 rng(GetParam() * 17);
  for (int q = 0; q < 60; ++q) {
    auto words = OccurringPhrase(*model_, rng, 2 + rng() % 2);
    if (q % 4 == 0) words[1] = vocabulary_[rng() % vocabulary_.size()];  // may not occur
    ExpectSameResults(*searcher_, *model_, {{Occur::kShould, words}}, {});
  }
}

TEST_P(OracleTest, RequiredAndExcludedClauses) {
  std::mt19937_64 rng(GetParam() * 7);
  for (int q = 0; q < 120; ++q) {
    std::vector<ModelClause> clauses;
    std::set<std::string> used;
    const std::size_t n = 1 + rng() % 4;
    for (std::size_t i = 0; i < n; ++i) {
      const Occur occur = static_cast<Occur>(rng() % 3);
      if (rng() % 4 == 0) {
        clauses.push_back({occur, OccurringPhrase(*model_, rng, 2)});
      } else {
        const std::string& word = vocabulary_[rng() % vocabulary_.size()];
        if (!used.insert(word).second) continue;
        clauses.push_back({occur, {word}});
      }
    }
    ExpectSameResults(*searcher_, *model_, clauses, {});
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, OracleTest, ::testing::Values(11, 12));

// Word pairs (format 12): phrases whose adjacent words are pair words
// ("of the") are matched through the pair's list. On text where the pair
// words are most of the words, in every arrangement, in titles and bodies,
// in an index of several segments: every phrase gives the scan's documents
// and scores, ranked in full, in the top 10, and counted; and check
// compares each pair list with its words' positions.
TEST(Search, PhrasesThroughWordPairsMatchTokenStreamScan) {
  std::mt19937_64 rng(23);
  const std::vector<std::string> words = {"the", "of",  "and", "in",  "the", "of",
                                          "w1x", "w2x", "w3x", "w4x", "w5x"};
  std::vector<SourceDocument> docs;
  for (int d = 0; d < 900; ++d) {
    std::string title, body;
    for (std::size_t i = rng() % 4; i-- > 0;) title += words[rng() % words.size()] + " ";
    for (std::size_t i = 1 + rng() % 40; i-- > 0;) body += words[rng() % words.size()] + " ";
    if (d % 10 == 0) body += "of the\n\nof the";  // a paragraph break: a gap, no pair
    docs.push_back({"d" + std::to_string(d), title, body});
  }
  const ModelIndex model(docs, AnalysisSettings{});
  TempDir dir;
  const auto index = BuildSegmented(dir, docs, {400, 300, 200});
  const CheckReport report = CheckIndex(index);
  ASSERT_TRUE(report.sound) << report.problem;
  Searcher searcher(index);
  ASSERT_TRUE(searcher.snapshot().DocumentFrequency(PairTerm("of", "the")) > 0);
  std::vector<std::vector<std::string>> phrases;
  for (const std::string_view a : kEnglishPairWords) {
    for (const std::string_view b : kEnglishPairWords) {
      phrases.push_back({std::string(a), std::string(b)});
      phrases.push_back({"w1x", std::string(a), std::string(b)});
      phrases.push_back({std::string(a), std::string(b), "w2x", std::string(a)});
    }
  }
  for (int q = 0; q < 80; ++q) phrases.push_back(OccurringPhrase(model, rng, 2 + rng() % 4));
  phrases.push_back({"of", "the", "of", "the"});
  phrases.push_back({"the", "the", "the"});
  for (const auto& phrase : phrases) {
    ExpectSameResults(searcher, model, {{Occur::kShould, phrase}}, {});
    ExpectSameResults(searcher, model, {{Occur::kMust, phrase}, {Occur::kShould, {"w3x"}}}, {});
    // The top 10 by every algorithm, alone and beside words: a phrase of
    // one pair is evaluated as a term of the pair's list.
    for (const std::vector<ModelClause>& clauses : std::vector<std::vector<ModelClause>>{
             {{Occur::kShould, phrase}},
             {{Occur::kShould, phrase}, {Occur::kShould, {"w4x"}}},
             {{Occur::kMust, phrase}, {Occur::kShould, {"of"}}}}) {
      const std::string text = ToQueryText(clauses);
      const auto expected = ExpectedMatches(model, clauses, {});
      std::vector<double> scores;
      for (const auto& [doc, score] : expected) scores.push_back(score);
      std::sort(scores.rbegin(), scores.rend());
      for (const Algorithm algorithm :
           {Algorithm::kAuto, Algorithm::kExhaustive, Algorithm::kMaxScore, Algorithm::kBmw}) {
        SearchOptions top10;
        top10.k = 10;
        top10.algorithm = algorithm;
        const SearchResult result = searcher.Search(text, top10);
        ASSERT_EQ(result.hits.size(), std::min<std::size_t>(10, scores.size())) << text;
        for (std::size_t i = 0; i < result.hits.size(); ++i) {
          ASSERT_NEAR(result.hits[i].score, scores[i], 1e-4 * std::max(1.0, scores[i]))
              << text << " by " << AlgorithmName(algorithm);
        }
      }
    }
    const std::string text = ToQueryText({{Occur::kShould, phrase}});
    const auto expected = ExpectedMatches(model, {{Occur::kShould, phrase}}, {});
    SearchOptions count;
    count.count_only = true;
    EXPECT_EQ(searcher.Search(text, count).total_matches, expected.size()) << text;
  }
}

// A phrase word far more frequent than the others (`of` in "song of
// songs") is looked up in a document only once the others occur there at
// their offsets. Where it is missing from such a document, its list is
// already on a later one that has it at the offset the phrase wants: that
// document's positions must not count.
TEST(Search, PhrasesWithAFarMoreFrequentWordMatchTokenStreamScan) {
  std::vector<SourceDocument> docs;
  for (std::size_t d = 0; d < 3000; ++d) {
    SourceDocument doc;
    doc.id = "doc-" + std::to_string(d);
    switch (d % 100) {
      case 3:
        doc.body = "alpha beta gamma and alpha gamma beta";
        break;  // both occur
      case 5:
        doc.body = "alpha beta delta";
        break;  // no gamma, ...
      case 6:
        doc.body = "one two gamma three";
        break;  // ... and gamma at 2 next
      case 8:
        doc.body = "alpha zeta beta";
        break;  // no gamma; the next has it at 1
      default:
        doc.body = "filler gamma word" + std::to_string(d % 50);
        break;
    }
    docs.push_back(std::move(doc));
  }
  TempDir dir;
  const ModelIndex model(docs, AnalysisSettings{});
  Searcher searcher(BuildFromDocs(dir, docs));
  ASSERT_GE(model.postings.at("gamma").size(), 8 * model.postings.at("alpha").size());
  for (const std::vector<std::string>& words :
       std::vector<std::vector<std::string>>{{"alpha", "beta", "gamma"},
                                             {"alpha", "gamma", "beta"},
                                             {"gamma", "alpha", "beta"},
                                             {"beta", "gamma"}}) {
    ExpectSameResults(searcher, model, {{Occur::kShould, words}}, {});
    ExpectSameResults(searcher, model, {{Occur::kMust, words}, {Occur::kShould, {"one"}}}, {});
  }
}

TEST(Search, TopKIsThePrefixOfTheFullRanking) {
  TempDir dir;
  const auto docs = RandomDocs(800, 60, 5);
  Searcher searcher(BuildFromDocs(dir, docs));
  SearchOptions all;
  all.k = docs.size();
  const SearchResult full = searcher.Search("w1x w2x w5x", all);
  for (std::size_t k : {1u, 3u, 10u, 50u}) {
    SearchOptions options;
    options.k = k;
    const SearchResult top = searcher.Search("w1x w2x w5x", options);
    ASSERT_EQ(top.total_matches, full.total_matches);
    ASSERT_EQ(top.hits.size(), std::min<std::size_t>(k, full.hits.size()));
    for (std::size_t i = 0; i < top.hits.size(); ++i) {
      EXPECT_EQ(top.hits[i].doc, full.hits[i].doc);
      EXPECT_EQ(top.hits[i].score, full.hits[i].score);
    }
  }
}

TEST(Search, QueriesWithNothingToSearch) {
  TempDir dir;
  Searcher searcher(BuildFromDocs(dir, RandomDocs(50, 20, 3)));
  for (const char* text : {"", "   ", "!!! ... ---", "\"\"", "+", "-"}) {
    const SearchResult result = searcher.Search(text, {});
    EXPECT_TRUE(result.query.empty()) << text;
    EXPECT_EQ(result.total_matches, 0u) << text;
  }
  // Only exclusions: nothing is ranked.
  EXPECT_EQ(searcher.Search("-w1x", {}).total_matches, 0u);
  // A required word absent from the index: no match at all.
  EXPECT_EQ(searcher.Search("+nosuchword w1x", {}).total_matches, 0u);
  // An unclosed quote is a phrase to the end, with a warning.
  const SearchResult unclosed = searcher.Search("\"w1x w2x", {});
  ASSERT_EQ(unclosed.query.clauses.size(), 1u);
  EXPECT_TRUE(unclosed.query.clauses[0].is_phrase());
  EXPECT_EQ(unclosed.query.warnings.size(), 1u);
}

TEST(Search, StopWordsLeaveGapsThatPhrasesRespect) {
  TempDir dir;
  AnalysisSettings settings;
  settings.stop_words = DefaultStopWords("english");
  std::vector<SourceDocument> docs = {
      {"a", "", "the bank of america opened"},
      {"b", "", "the bank america opened"},
      {"c", "", "bank in america"},
  };
  Searcher searcher(BuildFromDocs(dir, docs, settings));
  const SearchResult result = searcher.Search("\"bank of america\"", {});
  // "of" and "in" are both stop words: each leaves a one-word gap.
  ASSERT_EQ(result.total_matches, 2u);
  std::set<std::string> ids;
  for (const auto& hit : result.hits)
    ids.insert(std::string(searcher.snapshot().external_id(hit.doc)));
  EXPECT_EQ(ids, (std::set<std::string>{"a", "c"}));
}

TEST(Search, RepeatedQueryWordsWeighMore) {
  TempDir dir;
  std::vector<SourceDocument> docs = {
      {"a", "", "alpha beta"}, {"b", "", "alpha gamma"}, {"c", "", "delta"}};
  Searcher searcher(BuildFromDocs(dir, docs));
  const SearchResult once = searcher.Search("beta gamma", {});
  const SearchResult twice = searcher.Search("beta beta gamma", {});
  ASSERT_EQ(twice.query.clauses.size(), 2u);
  EXPECT_EQ(twice.query.clauses[0].weight, 2.0f);
  ASSERT_EQ(twice.hits.size(), 2u);
  EXPECT_EQ(searcher.snapshot().external_id(twice.hits[0].doc), "a");
  EXPECT_FLOAT_EQ(twice.hits[0].score, 2 * once.hits[0].score);
}

}  // namespace
}  // namespace fathom::testing
